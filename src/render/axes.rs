//! Linear scales, tick positions and the numeric axes and frame that the
//! elbow and scatter plots share (and the dendrogram's distance axis).

use super::svg::{format_g, text_width, Anchor, Svg, Text};

/// Font sizes, in pixels.
pub(crate) const TITLE_SIZE: f64 = 15.0;
pub(crate) const LABEL_SIZE: f64 = 12.0;
pub(crate) const TICK_SIZE: f64 = 10.5;
const TICK_LEN: f64 = 4.0;
pub(crate) const AXIS_COLOUR: &str = "#333333";

/// Maps a data interval linearly onto a pixel interval (either may be
/// reversed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Data value at the start of the range.
    pub d0: f64,
    /// Data value at the end of the range.
    pub d1: f64,
    /// Pixel where `d0` lands.
    pub r0: f64,
    /// Pixel where `d1` lands.
    pub r1: f64,
}

impl Scale {
    /// The pixel of data value `v`.
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// Round tick values inside [lo, hi], about `target` of them, and their step.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return (vec![lo], 1.0);
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last).map(|i| i as f64 * step).collect();
    (ticks, step)
}

/// A tick label with as many decimals as the step needs.
pub(crate) fn tick_label(v: f64, step: f64) -> String {
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    if v != 0.0 && (v.abs() >= 1e6 || step < 1e-4) {
        return format_g(v, 4);
    }
    let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
    let decimals = if (step / 10f64.powi(-(decimals as i32)) - 2.5).abs() < 1e-9 {
        decimals + 1
    } else {
        decimals
    };
    format!("{:.*}", decimals, v)
}

/// The widest label of `ticks`, in pixels.
pub(crate) fn widest_tick(ticks: &[f64], step: f64) -> f64 {
    ticks
        .iter()
        .map(|&t| text_width(&tick_label(t, step), TICK_SIZE))
        .fold(0.0, f64::max)
}

/// Where a numeric axis sits.
#[derive(Clone, Copy)]
pub(crate) enum Side {
    /// A vertical axis with its labels to the left of `at` (a pixel x).
    Left,
    /// A horizontal axis with its labels below `at` (a pixel y).
    Bottom,
}

/// Draws tick marks and labels for `ticks` along an axis at pixel `at`.
pub(crate) fn draw_ticks(
    svg: &mut Svg,
    side: Side,
    at: f64,
    scale: &Scale,
    ticks: &[f64],
    step: f64,
) {
    for &t in ticks {
        let p = scale.map(t);
        let label = tick_label(t, step);
        match side {
            Side::Left => {
                svg.line("tick", (at - TICK_LEN, p), (at, p), AXIS_COLOUR, 1.0, None);
                let text = Text::new("tick-label", at - TICK_LEN - 3.0, p, TICK_SIZE, Anchor::End);
                svg.text(&text, &label);
            }
            Side::Bottom => {
                svg.line("tick", (p, at), (p, at + TICK_LEN), AXIS_COLOUR, 1.0, None);
                let y = at + TICK_LEN + 3.0 + TICK_SIZE * 0.5;
                let text = Text::new("tick-label", p, y, TICK_SIZE, Anchor::Middle);
                svg.text(&text, &label);
            }
        }
    }
}

/// A plot rectangle with numeric x and y axes, a title and axis labels:
/// the frame of the elbow and scatter plots.
pub(crate) struct Chart {
    pub width: f64,
    pub height: f64,
    pub x: Scale,
    pub y: Scale,
    /// Plot area: left, top, width, height.
    pub area: (f64, f64, f64, f64),
    x_ticks: (Vec<f64>, f64),
    y_ticks: (Vec<f64>, f64),
}

impl Chart {
    /// Lays out a `width` x `height` chart for the data ranges `xr` and
    /// `yr` (padded here by `pad`, a fraction of each range).
    pub fn new(width: f64, height: f64, xr: (f64, f64), yr: (f64, f64), pad: f64) -> Chart {
        let widen = |(lo, hi): (f64, f64)| {
            let (lo, hi) = if lo.is_finite() && hi.is_finite() {
                (lo, hi)
            } else {
                (0.0, 1.0)
            };
            if hi > lo {
                let p = (hi - lo) * pad;
                (lo - p, hi + p)
            } else {
                let p = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
                (lo - p, hi + p)
            }
        };
        let (xr, yr) = (widen(xr), widen(yr));
        let y_ticks = nice_ticks(yr.0, yr.1, 6);
        let x_ticks = nice_ticks(xr.0, xr.1, 8);
        let left = 16.0 + LABEL_SIZE * 1.5 + widest_tick(&y_ticks.0, y_ticks.1) + 8.0;
        let top = 16.0 + TITLE_SIZE * 1.8;
        let bottom = 12.0 + TICK_SIZE * 1.5 + LABEL_SIZE * 1.8 + 8.0;
        let right = 20.0;
        let pw = (width - left - right).max(40.0);
        let ph = (height - top - bottom).max(40.0);
        Chart {
            width,
            height,
            x: Scale {
                d0: xr.0,
                d1: xr.1,
                r0: left,
                r1: left + pw,
            },
            y: Scale {
                d0: yr.0,
                d1: yr.1,
                r0: top + ph,
                r1: top,
            },
            area: (left, top, pw, ph),
            x_ticks,
            y_ticks,
        }
    }

    /// Uses these x ticks rather than the automatic ones.
    pub fn set_x_ticks(&mut self, ticks: Vec<f64>, step: f64) {
        self.x_ticks = (ticks, step);
    }

    /// The pixel of data point (x, y).
    pub fn at(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x.map(x), self.y.map(y))
    }

    /// Draws the frame, ticks, title and axis labels.
    pub fn draw_axes(&self, svg: &mut Svg, title: &str, xlabel: &str, ylabel: &str) {
        let (left, top, pw, ph) = self.area;
        svg.rect(
            "frame",
            (left, top),
            (pw, ph),
            &format!("fill=\"none\" stroke=\"{AXIS_COLOUR}\" stroke-width=\"1\""),
        );
        draw_ticks(
            svg,
            Side::Left,
            left,
            &self.y,
            &self.y_ticks.0,
            self.y_ticks.1,
        );
        draw_ticks(
            svg,
            Side::Bottom,
            top + ph,
            &self.x,
            &self.x_ticks.0,
            self.x_ticks.1,
        );
        let t = Text::new(
            "title",
            left + pw / 2.0,
            14.0 + TITLE_SIZE * 0.6,
            TITLE_SIZE,
            Anchor::Middle,
        );
        svg.text(&t, title);
        let xl = Text::new(
            "axis-label",
            left + pw / 2.0,
            self.height - 10.0 - LABEL_SIZE * 0.5,
            LABEL_SIZE,
            Anchor::Middle,
        );
        svg.text(&xl, xlabel);
        let mut yl = Text::new(
            "axis-label",
            10.0 + LABEL_SIZE * 0.6,
            top + ph / 2.0,
            LABEL_SIZE,
            Anchor::Middle,
        );
        yl.rotate = 90.0;
        svg.text(&yl, ylabel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        let (t, step) = nice_ticks(0.0, 189.28, 6);
        assert_eq!(step, 50.0);
        assert_eq!(t, vec![0.0, 50.0, 100.0, 150.0]);
        let (t, step) = nice_ticks(-0.13, 0.92, 5);
        assert_eq!(step, 0.25);
        assert_eq!(t, vec![0.0, 0.25, 0.5, 0.75]);
    }

    #[test]
    fn tick_labels_carry_the_step_s_decimals() {
        assert_eq!(tick_label(50.0, 25.0), "50");
        assert_eq!(tick_label(0.5, 0.25), "0.50");
        assert_eq!(tick_label(0.75, 0.25), "0.75");
        assert_eq!(tick_label(0.2, 0.1), "0.2");
        assert_eq!(tick_label(-1e-17, 0.1), "0.0");
    }

    #[test]
    fn scale_maps_both_ways() {
        let s = Scale {
            d0: 0.0,
            d1: 10.0,
            r0: 100.0,
            r1: 0.0,
        };
        assert_eq!(s.map(0.0), 100.0);
        assert_eq!(s.map(2.5), 75.0);
    }
}
