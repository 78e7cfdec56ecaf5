//! A dendrogram layout drawn as SVG, the way scipy's `dendrogram` draws it
//! with matplotlib, plus the scipy tutorial's "fancy dendrogram" extras:
//! merge heights written above a threshold and a dashed cut-off line.
//! Where things go is [`super::frame`]'s business.

use super::axes::{draw_ticks, nice_ticks, Side, AXIS_COLOUR, LABEL_SIZE, TITLE_SIZE};
use super::frame::{dendrogram_frame, DendrogramFrame, NOTE_SIZE, PAD};
use super::palette::css_colour;
use super::svg::{format_g, Anchor, Svg, Text};
use crate::dendrogram::{DendrogramLayout, Orientation};

const ANNOTATION_SIZE: f64 = 10.0;
const LINK_WIDTH: f64 = 1.25;

/// Above this many leaves, [`auto_truncate`] advises truncating.
pub const AUTO_TRUNCATE_ABOVE: usize = 500;
/// The `p` of scipy's `lastp` that [`auto_truncate`] advises.
pub const AUTO_TRUNCATE_P: usize = 100;

/// The picture's readability policy: for a tree with more than
/// [`AUTO_TRUNCATE_ABOVE`] leaves, `Some(AUTO_TRUNCATE_P)`, the `p` to pass
/// as `TruncateMode::LastP(p)`; otherwise None (draw every leaf).
pub fn auto_truncate(n_leaves: usize) -> Option<usize> {
    (n_leaves > AUTO_TRUNCATE_ABOVE).then_some(AUTO_TRUNCATE_P)
}

/// The note to put in [`DendrogramStyle::note`] when a tree of `n_leaves`
/// leaves is drawn truncated to its last `p` clusters, e.g.
/// "truncated to the last 100 merged clusters (10,000 leaves)".
pub fn truncation_note(p: usize, n_leaves: usize) -> String {
    format!(
        "truncated to the last {p} merged clusters ({} leaves)",
        thousands(n_leaves)
    )
}

/// A count with thousands separators: 1,000,000.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How to draw a dendrogram. `Default` gives the scipy tutorial's titles.
#[derive(Debug, Clone, PartialEq)]
pub struct DendrogramStyle {
    /// The title above the plot.
    pub title: String,
    /// The label of the axis the leaves sit along (matplotlib's xlabel for
    /// orientation top).
    pub leaf_axis_label: String,
    /// The label of the distance axis (matplotlib's ylabel for orientation
    /// top).
    pub distance_axis_label: String,
    /// The tutorial's "fancy dendrogram": each link merged higher than this
    /// gets a dot and its height (`"%.3g"`) at its top.
    pub annotate_above: Option<f64>,
    /// A dashed cut-off line at this height (ignored when not finite).
    pub max_d: Option<f64>,
    /// Leaf label rotation in degrees, counter-clockwise, for orientations
    /// top and bottom. None: horizontal up to 30 leaves when the labels fit,
    /// else 90.
    pub leaf_rotation: Option<f64>,
    /// The picture's width and height in pixels. None: a size chosen from
    /// the number of leaves (about 9 pixels per leaf along the leaf axis).
    pub size: Option<(f64, f64)>,
    /// A line of text under the title, such as [`truncation_note`].
    pub note: Option<String>,
}

impl Default for DendrogramStyle {
    fn default() -> Self {
        DendrogramStyle {
            title: "Hierarchical Clustering Dendrogram".to_string(),
            leaf_axis_label: "sample index or (cluster size)".to_string(),
            distance_axis_label: "distance".to_string(),
            annotate_above: None,
            max_d: None,
            leaf_rotation: None,
            size: None,
            note: None,
        }
    }
}

/// Draws `layout` as an SVG document: one `<path class="link">` per link
/// (in the layout's order, coloured from its `color_list`, scipy's
/// "C0".."C9" as matplotlib's colours), `<text class="leaf-label">` per leaf
/// in the layout's leaf order, `<circle class="contraction-mark">` per
/// contraction mark, and with the style's options a
/// `<line class="cut-line">` at `max_d` and, for each link higher than
/// `annotate_above`, a `<circle class="annotation-dot">` and a
/// `<text class="annotation">` with its height.
pub fn dendrogram_svg(layout: &DendrogramLayout, style: &DendrogramStyle) -> String {
    let f = dendrogram_frame(layout, style);
    let mut svg = Svg::new(f.width, f.height);
    let (left, top, pw, ph) = f.area;
    svg.rect(
        "frame",
        (left, top),
        (pw, ph),
        &format!("fill=\"none\" stroke=\"{AXIS_COLOUR}\" stroke-width=\"1\""),
    );
    let (ticks, step) = nice_ticks(0.0, f.distance_span, 6);
    let scale = f.distance_scale();
    if f.vertical_leaves() {
        draw_ticks(&mut svg, Side::Bottom, top + ph, &scale, &ticks, step);
    } else {
        draw_ticks(&mut svg, Side::Left, left, &scale, &ticks, step);
    }

    let mut points = [(0.0, 0.0); 4];
    for (k, (xs, ds)) in layout.icoord.iter().zip(&layout.dcoord).enumerate() {
        for (p, (&x, &d)) in points.iter_mut().zip(xs.iter().zip(ds)) {
            *p = f.to_px(x, d);
        }
        let colour = layout.color_list.get(k).map_or("C0", String::as_str);
        svg.path("link", &points, &css_colour(colour), LINK_WIDTH);
    }
    contraction_marks(&mut svg, &f, &layout.contraction_marks);
    if let Some(above) = style.annotate_above {
        annotate(&mut svg, &f, layout, above);
    }
    if let Some(max_d) = style.max_d.filter(|d| d.is_finite()) {
        let (a, b) = if f.vertical_leaves() {
            let x = f.to_px(0.0, max_d).0;
            ((x, top), (x, top + ph))
        } else {
            let y = f.to_px(0.0, max_d).1;
            ((left, y), (left + pw, y))
        };
        svg.line("cut-line", a, b, "#000000", 1.2, Some("6 4"));
    }
    leaf_labels(&mut svg, &f, layout);
    titles(&mut svg, &f, style);
    svg.finish()
}

const MARK_RADIUS: f64 = 2.2;

/// A black dot per contraction mark, leaving out those that would land
/// within a radius of one already drawn on the same leaf: a contracted
/// leaf hiding thousands of merges gets a readable column of dots rather
/// than thousands of elements.
fn contraction_marks(svg: &mut Svg, f: &DendrogramFrame, marks: &[[f64; 2]]) {
    let mut sorted: Vec<[f64; 2]> = marks.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let mut last: Option<(f64, (f64, f64))> = None;
    for [x, d] in sorted {
        let p = f.to_px(x, d);
        if let Some((lx, lp)) = last {
            if lx == x && (p.0 - lp.0).hypot(p.1 - lp.1) < MARK_RADIUS {
                continue;
            }
        }
        svg.circle("contraction-mark", p, MARK_RADIUS, Some("#000000"));
        last = Some((x, p));
    }
}

/// The tutorial's annotation: a dot at the top of each link higher than
/// `above`, and its height written on the leaves' side of it.
fn annotate(svg: &mut Svg, f: &DendrogramFrame, layout: &DendrogramLayout, above: f64) {
    for (k, (xs, ds)) in layout.icoord.iter().zip(&layout.dcoord).enumerate() {
        let (x, d) = (0.5 * (xs[1] + xs[2]), ds[1]);
        if d <= above {
            continue;
        }
        let colour = css_colour(layout.color_list.get(k).map_or("C0", String::as_str));
        let p = f.to_px(x, d);
        svg.circle("annotation-dot", p, 3.0, Some(&colour));
        let off = 5.0 + ANNOTATION_SIZE * 0.5;
        let (pos, anchor) = match f.orientation {
            Orientation::Top => ((p.0, p.1 + off), Anchor::Middle),
            Orientation::Bottom => ((p.0, p.1 - off), Anchor::Middle),
            Orientation::Left => ((p.0 + 5.0, p.1), Anchor::Start),
            Orientation::Right => ((p.0 - 5.0, p.1), Anchor::End),
        };
        let mut t = Text::new("annotation", pos.0, pos.1, ANNOTATION_SIZE, anchor);
        t.halo = true;
        svg.text(&t, &format_g(d, 3));
    }
}

fn leaf_labels(svg: &mut Svg, f: &DendrogramFrame, layout: &DendrogramLayout) {
    let (left, top, pw, ph) = f.area;
    let fs = f.leaf_font_size;
    let turned = f.leaf_rotation != 0.0;
    for (i, label) in layout.ivl.iter().enumerate() {
        let (px, py) = f.to_px(5.0 + 10.0 * i as f64, 0.0);
        let mut t = match f.orientation {
            Orientation::Top if turned => {
                Text::new("leaf-label", px, top + ph + 4.0, fs, Anchor::End)
            }
            Orientation::Top => Text::new(
                "leaf-label",
                px,
                top + ph + 4.0 + fs * 0.6,
                fs,
                Anchor::Middle,
            ),
            Orientation::Bottom if turned => {
                Text::new("leaf-label", px, top - 4.0, fs, Anchor::Start)
            }
            Orientation::Bottom => {
                Text::new("leaf-label", px, top - 4.0 - fs * 0.6, fs, Anchor::Middle)
            }
            Orientation::Left => Text::new("leaf-label", left + pw + 4.0, py, fs, Anchor::Start),
            Orientation::Right => Text::new("leaf-label", left - 4.0, py, fs, Anchor::End),
        };
        t.rotate = f.leaf_rotation;
        svg.text(&t, label);
    }
}

fn titles(svg: &mut Svg, f: &DendrogramFrame, style: &DendrogramStyle) {
    let (left, top, pw, ph) = f.area;
    let centre_x = left + pw / 2.0;
    let mut y = PAD + TITLE_SIZE * 0.5;
    svg.text(
        &Text::new("title", centre_x, y, TITLE_SIZE, Anchor::Middle),
        &style.title,
    );
    if let Some(note) = &style.note {
        y += TITLE_SIZE * 0.8 + NOTE_SIZE * 0.7;
        let mut t = Text::new("note", centre_x, y, NOTE_SIZE, Anchor::Middle);
        t.fill = "#555555";
        svg.text(&t, note);
    }
    let label_h = LABEL_SIZE * 1.6;
    let leaf_label = &style.leaf_axis_label;
    let distance_label = &style.distance_axis_label;
    let side_x = |x: f64| {
        let mut t = Text::new("axis-label", x, top + ph / 2.0, LABEL_SIZE, Anchor::Middle);
        t.rotate = 90.0;
        t
    };
    let bottom_y = f.height - PAD / 2.0 - LABEL_SIZE * 0.5;
    match f.orientation {
        Orientation::Top | Orientation::Bottom => {
            svg.text(&side_x(PAD / 2.0 + label_h / 2.0), distance_label);
            let y = if f.orientation == Orientation::Top {
                bottom_y
            } else {
                PAD + TITLE_SIZE * 1.6
                    + style.note.as_ref().map_or(0.0, |_| NOTE_SIZE * 1.5)
                    + label_h / 2.0
            };
            svg.text(
                &Text::new("axis-label", centre_x, y, LABEL_SIZE, Anchor::Middle),
                leaf_label,
            );
        }
        Orientation::Left | Orientation::Right => {
            svg.text(
                &Text::new("axis-label", centre_x, bottom_y, LABEL_SIZE, Anchor::Middle),
                distance_label,
            );
            let x = if f.orientation == Orientation::Left {
                f.width - PAD / 2.0 - label_h / 2.0
            } else {
                PAD / 2.0 + label_h / 2.0
            };
            svg.text(&side_x(x), leaf_label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dendrogram::{dendrogram, DendrogramOptions};
    use ndarray::array;

    fn small(orientation: Orientation) -> DendrogramLayout {
        let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]];
        let opts = DendrogramOptions {
            orientation,
            ..DendrogramOptions::default()
        };
        dendrogram(z.view(), &opts).unwrap()
    }

    #[test]
    fn policy_and_note() {
        assert_eq!(auto_truncate(500), None);
        assert_eq!(auto_truncate(501), Some(100));
        assert_eq!(
            truncation_note(100, 10_000),
            "truncated to the last 100 merged clusters (10,000 leaves)"
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn every_orientation_puts_the_root_on_its_side() {
        for o in [
            Orientation::Top,
            Orientation::Bottom,
            Orientation::Left,
            Orientation::Right,
        ] {
            let layout = small(o);
            let f = dendrogram_frame(&layout, &DendrogramStyle::default());
            let (left, top, w, h) = f.area;
            let root = f.to_px(20.0, 2.0);
            let leaf = f.to_px(5.0, 0.0);
            match o {
                Orientation::Top => assert!(root.1 < leaf.1 && (leaf.1 - (top + h)).abs() < 1e-9),
                Orientation::Bottom => assert!(root.1 > leaf.1 && (leaf.1 - top).abs() < 1e-9),
                Orientation::Left => assert!(root.0 < leaf.0 && (leaf.0 - (left + w)).abs() < 1e-9),
                Orientation::Right => assert!(root.0 > leaf.0 && (leaf.0 - left).abs() < 1e-9),
            }
            let svg = dendrogram_svg(&layout, &DendrogramStyle::default());
            assert_eq!(svg.matches("class=\"link\"").count(), 2, "{o}");
            assert_eq!(svg.matches("class=\"leaf-label\"").count(), 3, "{o}");
        }
    }

    #[test]
    fn labels_are_escaped() {
        let mut layout = small(Orientation::Top);
        layout.ivl[0] = "a<&>\"b".to_string();
        let svg = dendrogram_svg(&layout, &DendrogramStyle::default());
        assert!(svg.contains(">a&lt;&amp;&gt;&quot;b</text>"), "{svg}");
    }

    #[test]
    fn a_fully_contracted_tree_still_draws() {
        let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]];
        let opts = DendrogramOptions {
            truncate_mode: crate::dendrogram::TruncateMode::LastP(1),
            show_contracted: true,
            ..DendrogramOptions::default()
        };
        let layout = dendrogram(z.view(), &opts).unwrap();
        let svg = dendrogram_svg(&layout, &DendrogramStyle::default());
        assert_eq!(svg.matches("class=\"link\"").count(), 0);
        assert_eq!(svg.matches("class=\"leaf-label\"").count(), 1);
        assert!(svg.contains(">(3)</text>"));
    }
}
