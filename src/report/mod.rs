//! The scipy tutorial's whole workflow as one report: linkage, cophenetic
//! correlation, dendrograms, the elbow, cut-off suggestions, the
//! inconsistency of the last merges, and the clusters at the chosen cut, as
//! one self-contained HTML page (inline SVG, no scripts, no network) plus
//! the separate files.

mod html;

use std::path::Path;

use ndarray::{Array2, ArrayView2};

use crate::analysis::suggest::{elbow, largest_gap, most_inconsistent, Suggestion};
use crate::analysis::{cophenet_correlation, fcluster, inconsistent, Criterion};
use crate::backend::{select_backend, BackendChoice, Precision};
use crate::dendrogram::{dendrogram, DendrogramOptions, TruncateMode};
use crate::distance::Metric;
use crate::error::{Error, Result};
use crate::linkage::Method;
use crate::render::{
    auto_truncate, dendrogram_svg, elbow_series, elbow_svg, scatter_svg, svg_to_png_2x,
    truncation_note, DendrogramStyle,
};

/// How to build a report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The linkage method (the tutorial uses ward).
    pub method: Method,
    /// The metric.
    pub metric: Metric,
    /// Cut at this height (fcluster criterion distance).
    pub max_d: Option<f64>,
    /// Cut into at most this many clusters (fcluster criterion maxclust).
    pub k: Option<usize>,
    /// The page's title.
    pub title: String,
    /// One label per observation, carried into clusters.csv.
    pub row_labels: Option<Vec<String>>,
    /// Where to compute the distances and the linkage.
    pub backend: BackendChoice,
    /// How to store the distance matrix (f32: half the memory).
    pub precision: Precision,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            method: Method::Ward,
            metric: Metric::Euclidean,
            max_d: None,
            k: None,
            title: "Hierarchical clustering report".into(),
            row_labels: None,
            backend: BackendChoice::Cpu,
            precision: Precision::F64,
        }
    }
}

/// How the cut was chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum CutChoice {
    /// At a height the user gave.
    MaxD(f64),
    /// Into at most k clusters, as the user asked.
    K(usize),
    /// Into k clusters, as the elbow suggested.
    Suggested(usize),
}

/// A finished report: the page and its files, and the key figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// The linkage matrix.
    pub z: Array2<f64>,
    /// The cophenetic correlation coefficient.
    pub cophenetic: f64,
    /// The cut-off suggestions.
    pub suggestions: Vec<Suggestion>,
    /// How the cut was chosen.
    pub cut: CutChoice,
    /// Each observation's cluster (from 1).
    pub clusters: Vec<usize>,
    /// The files to write: (file name, contents); report.html among them.
    pub files: Vec<(String, Vec<u8>)>,
    /// The backend used and why (as `select_backend` says it).
    pub backend: String,
}

impl Report {
    /// The cophenetic correlation with `digits` decimals, or why it is
    /// undefined (see [`cophenetic_text`]).
    pub fn cophenetic_text(&self, digits: usize) -> String {
        cophenetic_text(self.cophenetic, self.z.view(), digits)
    }
}

/// A cophenetic correlation `r` of Z with `digits` decimals, or why it is
/// undefined: Pearson's r divides by the spread of the cophenetic
/// distances and of the data's distances, and is 0/0 when either is
/// constant (all merge heights equal, or all distances equal).
pub fn cophenetic_text(r: f64, z: ArrayView2<f64>, digits: usize) -> String {
    if r.is_finite() {
        return format!("{r:.digits$}");
    }
    let h = z.column(2);
    if h.iter().all(|&v| v == h[0]) {
        "undefined (all merge heights are equal)".to_string()
    } else {
        "undefined (all distances are equal)".to_string()
    }
}

/// Builds the report for observations `x`; `progress` hears each phase.
///
/// # Errors
/// Those of linkage (bad data, a method that needs euclidean), and an
/// [`Error::InvalidArgument`] when both max_d and k are given, or the
/// labels do not match the rows.
pub fn build_report(
    x: ArrayView2<f64>,
    opts: &ReportOptions,
    progress: &dyn Fn(&str),
) -> Result<Report> {
    if opts.max_d.is_some() && opts.k.is_some() {
        return Err(Error::invalid_argument(
            "--max-d/--k",
            "give one way to cut, not both",
        ));
    }
    if let Some(l) = &opts.row_labels {
        if l.len() != x.nrows() {
            return Err(Error::invalid_argument(
                "labels",
                format!(
                    "has {} entries but the data have {} rows",
                    l.len(),
                    x.nrows()
                ),
            ));
        }
    }
    let n = x.nrows();
    let (backend, why) = select_backend(opts.backend, opts.precision, n)?;
    progress("linkage");
    let z = backend.linkage(x, opts.method, &opts.metric)?;
    progress("cophenetic correlation");
    let y = backend.pdist(x, &opts.metric)?;
    let (cophenetic, _) = cophenet_correlation(z.view(), &y)?;
    drop(y);

    progress("suggestions");
    let mut suggestions: Vec<Suggestion> = elbow(z.view(), 10)?.into_iter().collect();
    suggestions.push(most_inconsistent(z.view(), 2, 10)?);
    suggestions.push(largest_gap(z.view())?);
    let cut = match (opts.max_d, opts.k) {
        (Some(d), _) => CutChoice::MaxD(d),
        (_, Some(k)) => CutChoice::K(k),
        _ => CutChoice::Suggested(suggestions.first().map_or(2, |s| s.k).min(n)),
    };
    let clusters = match (&cut, suggestions.first()) {
        (CutChoice::MaxD(d), _) => fcluster(z.view(), *d, &Criterion::Distance)?,
        // The suggestion's own cut, which gives exactly its k.
        (CutChoice::Suggested(_), Some(s)) => s.clusters(z.view())?,
        (CutChoice::K(k) | CutChoice::Suggested(k), _) => {
            fcluster(z.view(), *k as f64, &Criterion::MaxClust)?
        }
    };
    let max_d = match cut {
        CutChoice::MaxD(d) => Some(d),
        _ => None,
    };

    progress("rendering");
    let top = z.column(2).iter().copied().fold(0.0, f64::max);
    let full_opts = match auto_truncate(n) {
        Some(p) => DendrogramOptions {
            truncate_mode: TruncateMode::LastP(p),
            ..DendrogramOptions::default()
        },
        None => DendrogramOptions::default(),
    };
    let full = dendrogram(z.view(), &full_opts)?;
    let full_svg = dendrogram_svg(
        &full,
        &DendrogramStyle {
            max_d,
            note: auto_truncate(n).map(|p| truncation_note(p, n)),
            ..DendrogramStyle::default()
        },
    );
    let truncated = dendrogram(
        z.view(),
        &DendrogramOptions {
            truncate_mode: TruncateMode::LastP(12.min(n)),
            show_contracted: true,
            ..DendrogramOptions::default()
        },
    )?;
    let truncated_svg = dendrogram_svg(
        &truncated,
        &DendrogramStyle {
            title: "Hierarchical Clustering Dendrogram (truncated)".into(),
            annotate_above: Some(0.05 * top),
            max_d,
            ..DendrogramStyle::default()
        },
    );
    let (last, accel) = elbow_series(z.view(), 10)?;
    let elbow_plot = elbow_svg(&last, &accel);
    let scatter = scatter_svg(x, &clusters, "Clusters")?;

    let r = inconsistent(z.view(), 5)?;
    let last_rows: Vec<usize> = (n.saturating_sub(11)..n - 1).collect();
    let mut inconsistency_csv = String::from("row,height,mean,std,count,coefficient\n");
    for &i in &last_rows {
        inconsistency_csv.push_str(&format!(
            "{i},{},{},{},{},{}\n",
            z[[i, 2]],
            r[[i, 0]],
            r[[i, 1]],
            r[[i, 2]],
            r[[i, 3]]
        ));
    }
    let mut clusters_csv = String::from("index,label,cluster\n");
    for (i, c) in clusters.iter().enumerate() {
        let label = opts
            .row_labels
            .as_ref()
            .map_or_else(|| i.to_string(), |l| l[i].clone());
        clusters_csv.push_str(&format!("{i},{},{c}\n", csv_field(&label)));
    }

    let page = html::page(&html::Page {
        opts,
        n,
        m: x.ncols(),
        z: &z,
        cophenetic,
        suggestions: &suggestions,
        cut: &cut,
        clusters: &clusters,
        inconsistency: (&r, &last_rows),
        svgs: [&full_svg, &truncated_svg, &elbow_plot, &scatter],
    });
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("report.html".into(), page.into_bytes()),
        ("z.csv".into(), crate::io::linkage_csv(&z).into_bytes()),
        ("clusters.csv".into(), clusters_csv.into_bytes()),
        ("inconsistency.csv".into(), inconsistency_csv.into_bytes()),
    ];
    for (name, svg) in [
        ("dendrogram", &full_svg),
        ("dendrogram_truncated", &truncated_svg),
        ("elbow", &elbow_plot),
        ("scatter", &scatter),
    ] {
        files.push((format!("{name}.png"), svg_to_png_2x(svg)?));
        files.push((format!("{name}.svg"), svg.as_bytes().to_vec()));
    }
    Ok(Report {
        z,
        cophenetic,
        suggestions,
        cut,
        clusters,
        files,
        backend: why,
    })
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes the report's files into `dir` (created if needed).
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write_report(dir: &Path, report: &Report) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, bytes) in &report.files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|source| Error::Io { path, source })?;
    }
    Ok(())
}

/// The tutorial's data, embedded: two blobs of 100 and 50 points
/// (`np.random.seed(4711)`), or with `five` the 5-cluster variant of 750
/// points with different spreads.
pub fn tutorial_data(five: bool) -> Array2<f64> {
    let text = if five {
        include_str!("../../examples/data/tutorial5.csv")
    } else {
        include_str!("../../examples/data/tutorial.csv")
    };
    let values: Vec<f64> = text
        .lines()
        .skip(1)
        .flat_map(|l| {
            l.split(',')
                .map(|v| v.trim().parse::<f64>().expect("embedded data parse"))
        })
        .collect();
    let rows = values.len() / 2;
    Array2::from_shape_vec((rows, 2), values).expect("two columns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_figures_match_the_tutorial() {
        let x = tutorial_data(false);
        assert_eq!(x.dim(), (150, 2));
        let opts = ReportOptions {
            max_d: Some(50.0),
            ..ReportOptions::default()
        };
        let r = build_report(x.view(), &opts, &|_| {}).unwrap();
        assert_eq!((r.z[[0, 0]], r.z[[0, 1]]), (52.0, 53.0));
        assert!((r.z[[0, 2]] - 0.0415).abs() < 5e-5);
        let last: Vec<f64> =
            r.z.column(2)
                .iter()
                .rev()
                .take(4)
                .map(|h| (h * 10.0).round() / 10.0)
                .collect();
        assert_eq!(last, vec![180.3, 23.1, 17.1, 15.1]);
        assert!((r.cophenetic - 0.980).abs() < 5e-4);
        assert_eq!(r.clusters.iter().max(), Some(&2));
        let names: Vec<&str> = r.files.iter().map(|f| f.0.as_str()).collect();
        for want in [
            "report.html",
            "clusters.csv",
            "dendrogram.svg",
            "dendrogram.png",
            "elbow.svg",
            "scatter.png",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        assert_eq!(tutorial_data(true).dim(), (750, 2));
    }
}
