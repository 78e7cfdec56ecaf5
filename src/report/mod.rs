//! The scipy tutorial's whole workflow as one report: linkage, cophenetic
//! correlation, dendrograms, the elbow, cut-off suggestions, the
//! inconsistency of the last merges, and the clusters at the chosen cut, as
//! one self-contained HTML page (inline SVG, no scripts, no network) plus
//! the separate files.

mod html;

use std::path::Path;

use ndarray::{Array2, ArrayView2};

use crate::analysis::suggest::{elbow, largest_gap, most_inconsistent, Suggestion};
use crate::analysis::{cophenet_correlation_auto, CophenetCorrelation};
use crate::analysis::{fcluster, inconsistent, Criterion};
use crate::backend::{BackendChoice, Precision};
use crate::dendrogram::{dendrogram, DendrogramOptions, TruncateMode};
use crate::distance::Metric;
use crate::error::{Error, Result};
use crate::linkage::Method;
use crate::linkage::{linkage_with, Algorithm, LinkageOptions, LinkageReport};
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
    /// Which family of linkage algorithms (automatic by default).
    pub algorithm: Algorithm,
    /// Estimate the cophenetic correlation from this many sampled pairs;
    /// None: exact up to 10^9 pairs, 2,000,000 sampled pairs above.
    pub cophenet_sample: Option<usize>,
    /// A token that stops the report's computations with
    /// [`Error::Cancelled`] (see [`crate::cancel`]).
    pub cancel: Option<crate::Cancel>,
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
            algorithm: Algorithm::Auto,
            cophenet_sample: None,
            cancel: None,
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
    /// The cophenetic correlation coefficient (its value; see
    /// `cophenetic_detail` for whether it is exact).
    pub cophenetic: f64,
    /// The cophenetic correlation with how it was found: exact over every
    /// pair, or estimated from sampled pairs with its standard error.
    pub cophenetic_detail: CophenetCorrelation,
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
    /// What the linkage ran and why.
    pub linkage: LinkageReport,
}

impl Report {
    /// The cophenetic correlation with `digits` decimals, labelled as an
    /// estimate where it is one, or why it is undefined (see
    /// [`cophenetic_text`]).
    pub fn cophenetic_text(&self, digits: usize) -> String {
        cophenetic_text(&self.cophenetic_detail, self.z.view(), digits)
    }
}

/// A cophenetic correlation with `digits` decimals, "(an estimate from N
/// sampled pairs, standard error E)" where it was sampled, or why it is
/// undefined: Pearson's r divides by the spread of the cophenetic
/// distances and of the data's distances, and is 0/0 when either is
/// constant (all merge heights equal, or all distances equal).
pub fn cophenetic_text(c: &CophenetCorrelation, z: ArrayView2<f64>, digits: usize) -> String {
    let r = c.r;
    if !r.is_finite() {
        let h = z.column(2);
        return if h.iter().all(|&v| v == h[0]) {
            "undefined (all merge heights are equal)".to_string()
        } else {
            "undefined (all distances are equal)".to_string()
        };
    }
    match c.std_error {
        None => format!("{r:.digits$}"),
        Some(se) => format!(
            "{r:.digits$} (an estimate from {} sampled pairs of the {} pairs, standard error {se:.1e})",
            crate::render::thousands(c.pairs as usize),
            crate::render::thousands(((z.nrows() + 1) as u128 * z.nrows() as u128 / 2).min(usize::MAX as u128) as usize)
        ),
    }
}

/// The most points the report's scatter plot draws; above, an evenly
/// spaced sample of them, each cluster kept.
pub const SCATTER_MAX_POINTS: usize = 20_000;

/// The scatter plot of the clusters, of every point up to
/// [`SCATTER_MAX_POINTS`] and of an evenly spaced sample above (with the
/// first point of every cluster, so that none is missing), saying so in
/// its title.
fn scatter_of_sample(x: ArrayView2<f64>, clusters: &[usize]) -> Result<String> {
    let n = x.nrows();
    if n <= SCATTER_MAX_POINTS {
        return scatter_svg(x, clusters, "Clusters");
    }
    let step = n.div_ceil(SCATTER_MAX_POINTS);
    let mut keep: Vec<usize> = (0..n).step_by(step).collect();
    let mut seen = std::collections::HashSet::new();
    for (i, c) in clusters.iter().enumerate() {
        if seen.insert(*c) && i % step != 0 {
            keep.push(i);
        }
    }
    keep.sort_unstable();
    let xs = x.select(ndarray::Axis(0), &keep);
    let labels: Vec<usize> = keep.iter().map(|&i| clusters[i]).collect();
    let title = format!(
        "Clusters ({} of {} points drawn)",
        crate::render::thousands(keep.len()),
        crate::render::thousands(n)
    );
    scatter_svg(xs.view(), &labels, &title)
}

/// Checks, before any work, that the report's O(n m) working memory fits:
/// the observations, the tree or the centroids, Z, the labels and the
/// layouts, about (6 m + 60) 8-byte values per observation.
///
/// # Errors
/// [`Error::NotEnoughMemory`] with the bytes needed and available.
fn check_report_memory(n: usize, m: usize) -> Result<()> {
    let needed = (n as u64).saturating_mul(8 * (6 * m as u64 + 60));
    match crate::memory::available_bytes() {
        Some(available) if needed > available => Err(Error::NotEnoughMemory {
            what: "the report's working memory (about (6 m + 60) values per observation)".into(),
            n,
            needed: crate::memory::human_bytes(needed),
            available: crate::memory::human_bytes(available),
            precision: Precision::F64,
        }),
        _ => Ok(()),
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
    check_report_memory(n, x.ncols())?;
    progress("linkage");
    let result = linkage_with(
        x,
        &LinkageOptions {
            method: opts.method,
            metric: opts.metric.clone(),
            backend: opts.backend,
            precision: opts.precision,
            algorithm: opts.algorithm,
            cancel: opts.cancel.clone(),
            kernel_times: false,
        },
    )?;
    let (z, linkage_report) = (result.z, result.report);
    let why = format!(
        "{}: {}",
        linkage_report.backend, linkage_report.backend_reason
    );
    progress("cophenetic correlation");
    let cophenetic_detail = match opts.cophenet_sample {
        Some(pairs) => {
            crate::analysis::cophenet_correlation_sampled(z.view(), x, &opts.metric, pairs, 0)?
        }
        None => cophenet_correlation_auto(z.view(), x, &opts.metric)?,
    };
    let cophenetic = cophenetic_detail.r;

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
    let scatter = scatter_of_sample(x, &clusters)?;

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
        cophenetic: &cophenetic_detail,
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
        linkage: linkage_report,
        cophenetic_detail,
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
        crate::io::write_bytes(&dir.join(name), bytes)?;
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
