//! Where a dendrogram goes in its picture: margins sized for the labels,
//! the leaf labels' font and rotation, and the map from the layout's
//! coordinates to pixels.
//!
//! ```text
//! the layout's coordinates:  x in [0, 10 * leaves]   (leaf i at 5 + 10 i)
//!                            d in [0, 1.05 * top]    (top = the highest link, or max_d)
//! orientation top:    x -> left to right,  d -> bottom to top
//! orientation bottom: x -> left to right,  d -> top to bottom
//! orientation left:   x -> bottom to top,  d -> right to left (root on the left)
//! orientation right:  x -> bottom to top,  d -> left to right (root on the right)
//! ```

use super::axes::{nice_ticks, widest_tick, Scale, LABEL_SIZE, TICK_SIZE, TITLE_SIZE};
use super::dendrogram::DendrogramStyle;
use super::svg::text_width;
use crate::dendrogram::{DendrogramLayout, Orientation};

pub(crate) const PAD: f64 = 14.0;
const GAP: f64 = 6.0;
pub(crate) const NOTE_SIZE: f64 = 11.0;

/// Where a dendrogram lands in its picture: the plot area and the mapping
/// from the layout's coordinates to pixels. [`super::dendrogram_svg`] draws with
/// it; callers can use it to place their own marks over the picture.
#[derive(Debug, Clone, PartialEq)]
pub struct DendrogramFrame {
    /// The picture's width in pixels.
    pub width: f64,
    /// The picture's height in pixels.
    pub height: f64,
    /// The plot area: left, top, width, height, in pixels.
    pub area: (f64, f64, f64, f64),
    /// The layout's leaf-axis extent: 10 per leaf.
    pub leaf_span: f64,
    /// The distance-axis extent: 1.05 times the highest link or `max_d`.
    pub distance_span: f64,
    /// Where the root is drawn.
    pub orientation: Orientation,
    /// The leaf labels' font size in pixels.
    pub leaf_font_size: f64,
    /// The leaf labels' rotation in degrees.
    pub leaf_rotation: f64,
}

impl DendrogramFrame {
    /// The pixel of layout point (x, d): x along the leaves, d the height.
    pub fn to_px(&self, x: f64, d: f64) -> (f64, f64) {
        let (left, top, w, h) = self.area;
        let fx = x / self.leaf_span;
        let fd = d / self.distance_span;
        match self.orientation {
            Orientation::Top => (left + fx * w, top + h - fd * h),
            Orientation::Bottom => (left + fx * w, top + fd * h),
            Orientation::Left => (left + w - fd * w, top + h - fx * h),
            Orientation::Right => (left + fd * w, top + h - fx * h),
        }
    }

    pub(crate) fn vertical_leaves(&self) -> bool {
        matches!(self.orientation, Orientation::Left | Orientation::Right)
    }

    /// The scale of the distance axis along its pixel direction.
    pub(crate) fn distance_scale(&self) -> Scale {
        let (a, b) = (self.to_px(0.0, 0.0), self.to_px(0.0, self.distance_span));
        let (r0, r1) = if self.vertical_leaves() {
            (a.0, b.0)
        } else {
            (a.1, b.1)
        };
        Scale {
            d0: 0.0,
            d1: self.distance_span,
            r0,
            r1,
        }
    }
}

fn orientation_of(layout: &DendrogramLayout) -> Orientation {
    layout.orientation.parse().unwrap_or_default()
}

/// The largest height the picture must show.
fn top_height(layout: &DendrogramLayout, style: &DendrogramStyle) -> f64 {
    let links = layout.dcoord.iter().flatten();
    let marks = layout.contraction_marks.iter().map(|m| &m[1]);
    let cut = style.max_d.iter().filter(|d| d.is_finite());
    links
        .chain(marks)
        .chain(cut)
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Lays out the picture of `layout` drawn with `style`: sizes, margins,
/// the leaf labels' size and rotation.
pub fn dendrogram_frame(layout: &DendrogramLayout, style: &DendrogramStyle) -> DendrogramFrame {
    let orientation = orientation_of(layout);
    let n = layout.ivl.len().max(1);
    let top_h = top_height(layout, style);
    let distance_span = if top_h > 0.0 { top_h * 1.05 } else { 1.0 };
    let (ticks, step) = nice_ticks(0.0, distance_span, 6);
    let vertical = matches!(orientation, Orientation::Left | Orientation::Right);
    let label_h = LABEL_SIZE * 1.6;
    let title_h = TITLE_SIZE * 1.6 + style.note.as_ref().map_or(0.0, |_| NOTE_SIZE * 1.5);
    let tick_w = widest_tick(&ticks, step) + 7.0;
    let tick_h = TICK_SIZE * 1.4 + 7.0;
    let label_w = |fs: f64| {
        layout
            .ivl
            .iter()
            .map(|s| text_width(s, fs))
            .fold(0.0, f64::max)
    };

    // the plot's extent along the leaves, then the leaf font
    let auto_leaf_extent = (n as f64 * 9.0).clamp(if vertical { 300.0 } else { 500.0 }, 2400.0);
    let across = |fixed: f64, before: f64, after: f64| (fixed - before - after).max(40.0);
    let (left_fixed, right_fixed) = if vertical {
        (0.0, 0.0)
    } else {
        (PAD + label_h + tick_w + GAP, PAD + 6.0)
    };
    let (top_fixed, bottom_fixed) = if vertical {
        (PAD + title_h + GAP, PAD + tick_h + label_h)
    } else {
        (0.0, 0.0)
    };
    let leaf_extent = match style.size {
        Some((w, _)) if !vertical => across(w, left_fixed, right_fixed),
        Some((_, h)) => across(h, top_fixed, bottom_fixed),
        None => auto_leaf_extent,
    };
    let spacing = leaf_extent / n as f64;
    let leaf_font_size = (spacing * 0.85).clamp(3.0, 11.0);
    let leaf_rotation = if vertical {
        0.0
    } else {
        style.leaf_rotation.unwrap_or_else(|| {
            if n <= 30 && label_w(leaf_font_size) <= spacing * 0.9 {
                0.0
            } else {
                90.0
            }
        })
    };
    let rad = leaf_rotation.to_radians();
    let leaf_ext = if vertical {
        label_w(leaf_font_size)
    } else {
        label_w(leaf_font_size) * rad.sin().abs() + leaf_font_size * 1.2 * rad.cos().abs()
    } + 4.0;

    // margins on each side, then the plot's other extent
    let (left, right, top, bottom) = match orientation {
        Orientation::Top => (
            left_fixed,
            right_fixed,
            PAD + title_h + GAP,
            GAP + leaf_ext + GAP + label_h + PAD / 2.0,
        ),
        Orientation::Bottom => (
            left_fixed,
            right_fixed,
            PAD + title_h + label_h + GAP + leaf_ext + GAP,
            PAD + 6.0,
        ),
        Orientation::Left => (
            PAD + 6.0,
            GAP + leaf_ext + GAP + label_h + PAD / 2.0,
            top_fixed,
            bottom_fixed,
        ),
        Orientation::Right => (
            PAD / 2.0 + label_h + GAP + leaf_ext + GAP,
            PAD + 6.0,
            top_fixed,
            bottom_fixed,
        ),
    };
    let (pw, ph) = if vertical {
        let pw = match style.size {
            Some((w, _)) => across(w, left, right),
            None => 600.0,
        };
        (pw, leaf_extent)
    } else {
        let ph = match style.size {
            Some((_, h)) => across(h, top, bottom),
            None => 450.0,
        };
        (leaf_extent, ph)
    };
    let (width, height) = style.size.unwrap_or((left + pw + right, top + ph + bottom));
    DendrogramFrame {
        width,
        height,
        area: (left, top, pw, ph),
        leaf_span: 10.0 * n as f64,
        distance_span,
        orientation,
        leaf_font_size,
        leaf_rotation,
    }
}
