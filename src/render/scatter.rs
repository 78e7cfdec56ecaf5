//! The data coloured by cluster: the two columns themselves when there are
//! two, the first two principal components when there are more, and the
//! values against their index when there is one.

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView2};

use super::axes::{Chart, LABEL_SIZE};
use super::palette::cluster_colour;
use super::pca::principal_components;
use super::svg::{text_width, Anchor, Svg, Text};
use crate::error::{Error, Result};

/// How to draw a scatter plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterStyle {
    /// The title above the plot.
    pub title: String,
    /// The names of the first two columns, for a two-column data set
    /// (default "x0" and "x1"); with one column the first names the values.
    /// Unused with more columns, whose axes are "PC1" and "PC2".
    pub axis_names: [String; 2],
    /// The picture's width and height in pixels.
    pub size: (f64, f64),
}

impl Default for ScatterStyle {
    fn default() -> Self {
        ScatterStyle {
            title: "Clusters".to_string(),
            axis_names: ["x0".to_string(), "x1".to_string()],
            size: (720.0, 600.0),
        }
    }
}

/// [`scatter_svg_with`] with the default style and this title.
///
/// # Errors
/// As [`scatter_svg_with`].
pub fn scatter_svg(x: ArrayView2<f64>, labels: &[usize], title: &str) -> Result<String> {
    let style = ScatterStyle {
        title: title.to_string(),
        ..ScatterStyle::default()
    };
    scatter_svg_with(x, labels, &style)
}

/// The observations (rows of `x`, n x m) as points coloured by their
/// cluster label, as an SVG document. The distinct labels, in increasing
/// order, take matplotlib's colours C0, C1, ... (cycling after ten) and
/// appear in a legend (up to 12 clusters). With m = 2 the axes are the two
/// columns; with m > 2 the first two principal components, each axis
/// saying its share of the variance; with m = 1 the values against their
/// row index.
///
/// Elements: one `<g class="cluster" data-label="L" fill="...">` per label
/// holding a `<circle class="point">` per observation.
///
/// # Errors
/// [`Error::InvalidArgument`] naming `labels` when it does not have one
/// entry per row of `x`, or `x` when it has no column or a value that is
/// not finite.
pub fn scatter_svg_with(
    x: ArrayView2<f64>,
    labels: &[usize],
    style: &ScatterStyle,
) -> Result<String> {
    let (n, m) = x.dim();
    if labels.len() != n {
        return Err(Error::invalid_argument(
            "labels",
            format!(
                "expected {n} labels (one per row of the data), got {}",
                labels.len()
            ),
        ));
    }
    if m == 0 {
        return Err(Error::invalid_argument("x", "the data have no columns"));
    }
    if let Some(((i, j), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid_argument(
            "x",
            format!("non-finite value {v} at row {i}, column {j}"),
        ));
    }
    let (points, xlabel, ylabel) = coordinates(x, style)?;

    let range = |c: usize| {
        let col = points.column(c);
        let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let (xr, yr) = if n == 0 {
        ((0.0, 1.0), (0.0, 1.0))
    } else {
        (range(0), range(1))
    };
    let chart = Chart::new(style.size.0, style.size.1, xr, yr, 0.05);
    let mut svg = Svg::new(chart.width, chart.height);
    chart.draw_axes(&mut svg, &style.title, &xlabel, &ylabel);

    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &l) in labels.iter().enumerate() {
        clusters.entry(l).or_default().push(i);
    }
    let r = if n < 1000 {
        3.0
    } else if n < 20_000 {
        2.0
    } else {
        1.2
    };
    for (rank, (label, rows)) in clusters.iter().enumerate() {
        svg.raw(&format!(
            "<g class=\"cluster\" data-label=\"{label}\" fill=\"{}\" fill-opacity=\"0.85\">\n",
            cluster_colour(rank)
        ));
        for &i in rows {
            svg.circle("point", chart.at(points[[i, 0]], points[[i, 1]]), r, None);
        }
        svg.raw("</g>\n");
    }
    if (1..=12).contains(&clusters.len()) {
        legend(&mut svg, &chart, clusters.keys().copied());
    }
    Ok(svg.finish())
}

/// The two plotted coordinates of each row, and the axis labels.
fn coordinates(x: ArrayView2<f64>, style: &ScatterStyle) -> Result<(Array2<f64>, String, String)> {
    let (n, m) = x.dim();
    let [a, b] = &style.axis_names;
    Ok(match m {
        1 => {
            let mut p = Array2::zeros((n, 2));
            for i in 0..n {
                p[[i, 0]] = i as f64;
                p[[i, 1]] = x[[i, 0]];
            }
            (p, "index".to_string(), a.clone())
        }
        2 => (x.to_owned(), a.clone(), b.clone()),
        _ if n == 0 => (Array2::zeros((0, 2)), "PC1".to_string(), "PC2".to_string()),
        _ => {
            let pca = principal_components(x, 2)?;
            let share =
                |k: usize| format!("PC{} ({:.1}% of variance)", k + 1, 100.0 * pca.explained[k]);
            (pca.scores, share(0), share(1))
        }
    })
}

fn legend(svg: &mut Svg, chart: &Chart, labels: impl Iterator<Item = usize>) {
    let labels: Vec<usize> = labels.collect();
    let (left, top, pw, _) = chart.area;
    let row = 17.0;
    let width = 30.0
        + labels
            .iter()
            .map(|l| text_width(&format!("cluster {l}"), LABEL_SIZE * 0.9))
            .fold(0.0, f64::max);
    let height = 8.0 + row * labels.len() as f64;
    let (lx, ly) = (left + pw - width - 8.0, top + 8.0);
    svg.rect(
        "legend",
        (lx, ly),
        (width, height),
        "fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\" rx=\"3\"",
    );
    for (rank, l) in labels.iter().enumerate() {
        let y = ly + 4.0 + row * (rank as f64 + 0.5);
        svg.circle(
            "legend-marker",
            (lx + 12.0, y),
            4.0,
            Some(cluster_colour(rank)),
        );
        let t = Text::new(
            "legend-label",
            lx + 22.0,
            y,
            LABEL_SIZE * 0.9,
            Anchor::Start,
        );
        svg.text(&t, &format!("cluster {l}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_columns_plot_as_they_are() {
        let x = array![[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]];
        let svg = scatter_svg(x.view(), &[1, 1, 2], "t").unwrap();
        assert_eq!(svg.matches("class=\"point\"").count(), 3);
        assert_eq!(svg.matches("class=\"cluster\"").count(), 2);
        assert!(svg.contains(">x0</text>") && svg.contains(">x1</text>"));
    }

    #[test]
    fn one_column_plots_against_the_index() {
        let x = array![[3.0], [1.0]];
        let svg = scatter_svg(x.view(), &[0, 0], "t").unwrap();
        assert!(svg.contains(">index</text>"));
    }

    #[test]
    fn wrong_label_count_is_named() {
        let x = array![[3.0, 1.0]];
        let err = scatter_svg(x.view(), &[0, 0], "t").unwrap_err().to_string();
        assert!(err.contains("labels"), "{err}");
    }
}
