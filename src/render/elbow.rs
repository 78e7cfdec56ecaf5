//! The scipy tutorial's elbow plot: the last merge heights, highest first,
//! and their acceleration (second difference), whose peak suggests k.
//!
//! ```text
//! last         = Z[-w:, 2]                    (w heights, ascending)
//! acceleration = last[i+2] - 2 last[i+1] + last[i]          (w - 2 values)
//! plotted:  reversed(last) at x = 1..w,  reversed(acceleration) at x = 2..w-1
//! k         = 2 + argmax(reversed(acceleration))
//! ```

use ndarray::ArrayView2;

use super::axes::{nice_ticks, Chart, LABEL_SIZE};
use super::palette::cluster_colour;
use super::svg::{Anchor, Svg, Text};
use crate::error::Result;
use crate::linkage::check_linkage;

/// The tutorial's series for the elbow plot from Z: the last `window`
/// merge heights in ascending order (`Z[-window:, 2]`, sorted first since
/// centroid and median can merge out of order) and their second
/// difference (`np.diff(last, 2)`), both in that ascending order, as
/// [`elbow_svg`] takes them. A window below 3 counts as 3.
///
/// # Errors
/// [`crate::Error::InvalidLinkage`] when Z is not a valid linkage matrix.
pub fn elbow_series(z: ArrayView2<f64>, window: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    check_linkage(z)?;
    let mut h: Vec<f64> = z.column(2).to_vec();
    h.sort_by(f64::total_cmp);
    let last = h[h.len().saturating_sub(window.max(3))..].to_vec();
    let acceleration = last.windows(3).map(|w| w[2] - 2.0 * w[1] + w[0]).collect();
    Ok((last, acceleration))
}

/// The elbow plot as an SVG document. `heights_last` are the last merge
/// heights in Z's (ascending) order and `acceleration` their second
/// difference in the same order, as the tutorial's `last` and
/// `np.diff(last, 2)` (see [`elbow_series`]). Both are drawn reversed:
/// heights at x = 1, 2, ... (the number of clusters left when cutting just
/// above that merge), acceleration from x = 2. A dashed line marks the k
/// where the acceleration peaks. Non-finite values are left out.
///
/// Elements: `<path class="series heights">`, `<path class="series
/// acceleration">`, `<circle class="marker">` per point, `<line
/// class="elbow-k">`, and a legend.
pub fn elbow_svg(heights_last: &[f64], acceleration: &[f64]) -> String {
    let heights: Vec<(f64, f64)> = heights_last
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &h)| ((i + 1) as f64, h))
        .filter(|p| p.1.is_finite())
        .collect();
    let accel: Vec<(f64, f64)> = acceleration
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &a)| ((i + 2) as f64, a))
        .filter(|p| p.1.is_finite())
        .collect();
    let k = accel
        .iter()
        .fold(None::<(f64, f64)>, |best, &p| match best {
            Some(b) if b.1 >= p.1 => Some(b),
            _ => Some(p),
        })
        .map(|p| p.0);

    let all = heights.iter().chain(&accel);
    let x_max = all.clone().map(|p| p.0).fold(1.0, f64::max);
    let y_lo = all.clone().map(|p| p.1).fold(0.0, f64::min);
    let y_hi = all.map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let y_hi = if y_hi > y_lo { y_hi } else { y_lo + 1.0 };
    let mut chart = Chart::new(720.0, 460.0, (1.0, x_max), (y_lo, y_hi), 0.05);
    let x_step = nice_ticks(1.0, x_max, 12).1.max(1.0).ceil();
    let x_ticks = (0..)
        .map(|i| 1.0 + i as f64 * x_step)
        .take_while(|&x| x <= x_max + 1e-9)
        .collect();
    chart.set_x_ticks(x_ticks, 1.0);

    let mut svg = Svg::new(chart.width, chart.height);
    chart.draw_axes(
        &mut svg,
        "Elbow method: last merges and their acceleration",
        "number of clusters",
        "distance",
    );
    let (left, top, pw, ph) = chart.area;
    if y_lo < 0.0 {
        let y = chart.y.map(0.0);
        svg.line("zero", (left, y), (left + pw, y), "#bbbbbb", 1.0, None);
    }
    if let Some(k) = k {
        let x = chart.x.map(k);
        svg.line(
            "elbow-k",
            (x, top),
            (x, top + ph),
            "#777777",
            1.0,
            Some("4 3"),
        );
        let t = Text::new(
            "elbow-k-label",
            x + 4.0,
            top + 12.0,
            LABEL_SIZE * 0.9,
            Anchor::Start,
        );
        svg.text(&t, &format!("k = {k}"));
    }
    let series = [
        (
            "series heights",
            &heights,
            cluster_colour(0),
            "merge height",
        ),
        (
            "series acceleration",
            &accel,
            cluster_colour(1),
            "acceleration",
        ),
    ];
    for (class, points, colour, _) in &series {
        let px: Vec<(f64, f64)> = points.iter().map(|p| chart.at(p.0, p.1)).collect();
        if px.len() > 1 {
            svg.path(class, &px, colour, 1.8);
        }
        for &p in &px {
            svg.circle("marker", p, 3.0, Some(colour));
        }
    }
    // legend, top right inside the plot
    let (lw, lh) = (150.0, 46.0);
    let (lx, ly) = (left + pw - lw - 8.0, top + 8.0);
    svg.rect(
        "legend",
        (lx, ly),
        (lw, lh),
        "fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\" rx=\"3\"",
    );
    for (i, (_, _, colour, name)) in series.iter().enumerate() {
        let y = ly + 14.0 + i as f64 * 18.0;
        svg.line(
            "legend-line",
            (lx + 8.0, y),
            (lx + 32.0, y),
            colour,
            1.8,
            None,
        );
        svg.circle("legend-marker", (lx + 20.0, y), 3.0, Some(colour));
        let t = Text::new(
            "legend-label",
            lx + 40.0,
            y,
            LABEL_SIZE * 0.9,
            Anchor::Start,
        );
        svg.text(&t, name);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn series_follow_the_tutorial() {
        let z = array![
            [0.0, 1.0, 1.0, 2.0],
            [2.0, 3.0, 2.0, 2.0],
            [4.0, 5.0, 7.0, 3.0],
            [6.0, 7.0, 8.0, 5.0]
        ];
        let (last, acc) = elbow_series(z.view(), 3).unwrap();
        assert_eq!(last, vec![2.0, 7.0, 8.0]);
        assert_eq!(acc, vec![-4.0]);
        let svg = elbow_svg(&last, &acc);
        assert_eq!(svg.matches("class=\"marker\"").count(), 4);
        assert!(svg.contains(">k = 2</text>"), "{svg}");
    }

    #[test]
    fn empty_series_still_draw_axes() {
        let svg = elbow_svg(&[], &[]);
        assert!(svg.contains("class=\"frame\""));
        assert!(!svg.contains("class=\"elbow-k\""));
    }
}
