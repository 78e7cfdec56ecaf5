//! `hclust report` and `hclust demo`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::linkage_cmd::ComputeArgs;
use super::progress::Progress;
use super::values::{self, with_flag_names};
use crate::distance::Metric;
use crate::error::{Error, Result};
use crate::io::{self, OutputPlan};
use crate::report::{build_report, tutorial_data, CutChoice, Report, ReportOptions};

/// The files a report writes into its folder, checked against the inputs
/// before any work (a test keeps this list equal to the report's files).
const REPORT_FILES: [&str; 12] = [
    "report.html",
    "z.csv",
    "clusters.csv",
    "inconsistency.csv",
    "dendrogram.png",
    "dendrogram.svg",
    "dendrogram_truncated.png",
    "dendrogram_truncated.svg",
    "elbow.png",
    "elbow.svg",
    "scatter.png",
    "scatter.svg",
];

/// Arguments of `hclust report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Observations as .csv or .npy.
    pub input: PathBuf,
    /// The linkage method.
    #[arg(long, short, default_value = "ward")]
    pub method: String,
    /// The metric.
    #[arg(long, default_value = "euclidean")]
    pub metric: String,
    /// Cut at this height.
    #[arg(long, conflicts_with = "k", allow_negative_numbers = true)]
    pub max_d: Option<f64>,
    /// Cut into at most this many clusters.
    #[arg(long, short, allow_negative_numbers = true, value_parser = values::clusters)]
    pub k: Option<usize>,
    /// One label per observation (a line each), for clusters.csv.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// The folder to write (report.html and the separate files).
    #[arg(short, long, default_value = "hclust-report")]
    pub output: PathBuf,
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Where to compute, and in what precision.
    #[command(flatten)]
    pub compute: ComputeArgs,
    /// Which linkage algorithm: auto, tree, vector or matrix (as for
    /// `hclust linkage`).
    #[arg(long, default_value = "auto")]
    pub algorithm: String,
    /// Estimate the cophenetic correlation from this many sampled pairs
    /// (labelled as an estimate, with its standard error); by default
    /// every pair counts up to 10^9 pairs, and 2,000,000 are sampled above.
    #[arg(long, value_name = "PAIRS", allow_negative_numbers = true, value_parser = super::values::pairs)]
    pub sample: Option<usize>,
}

/// Arguments of `hclust demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The folder to write.
    #[arg(short, long, default_value = "hclust-demo")]
    pub output: PathBuf,
    /// The 5-cluster variant (750 points of very different spreads).
    #[arg(long)]
    pub five: bool,
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

fn summary(r: &Report, dir: &Path) -> String {
    let how = match r.cut {
        CutChoice::MaxD(d) => format!("cut at max_d = {d}"),
        CutChoice::K(k) => format!("cut into at most {k}"),
        CutChoice::Suggested(k) => match r.suggestions.first().and_then(|s| s.note.as_ref()) {
            Some(note) => format!("cut into {k} as the elbow suggests; {note}"),
            None => format!("cut into {k} as the elbow suggests"),
        },
    };
    let last: Vec<String> =
        r.z.column(2)
            .iter()
            .rev()
            .take(4)
            .map(|v| format!("{v:.1}"))
            .collect();
    format!(
        "first merge: {} and {} at {:.4}\nlast four heights: {}\ncophenetic correlation: {}\nclusters ({how}): {}\nsuggestions: {}\nreport: {}\n",
        r.z[[0, 0]],
        r.z[[0, 1]],
        r.z[[0, 2]],
        last.join(", "),
        r.cophenetic_text(3),
        r.clusters.iter().max().unwrap_or(&0),
        r.suggestions.iter().map(|s| format!("{} k={}", s.method, s.k)).collect::<Vec<_>>().join(", "),
        dir.join("report.html").display()
    )
}

/// Writes the report's files into `dir` (created if needed), each through
/// a temporary file renamed into place, after checking them against the
/// inputs again by their actual names.
fn write_files(dir: &Path, r: &Report, inputs: &OutputPlan) -> Result<()> {
    let names: Vec<&str> = r.files.iter().map(|(name, _)| name.as_str()).collect();
    inputs.clone().folder("-o", dir, &names).check()?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, bytes) in &r.files {
        io::write_bytes(&dir.join(name), bytes)?;
    }
    Ok(())
}

/// Builds the report, writes it into `dir`, and prints its key figures;
/// `inputs` holds the files the report was read from.
fn run_report(
    x: ndarray::ArrayView2<f64>,
    opts: &ReportOptions,
    dir: &Path,
    inputs: &OutputPlan,
    progress: &Progress,
) -> Result<()> {
    let r = build_report(x, opts, &|p| progress.phase(p)).map_err(|e| {
        with_flag_names(e, &[("labels", "--labels"), ("--max-d/--k", "--max-d/-k")])
    })?;
    if opts.backend != crate::backend::BackendChoice::Cpu {
        eprintln!("backend: {}", r.backend);
    }
    for note in &r.linkage.notes {
        eprintln!("note: {note}");
    }
    progress.phase("writing");
    write_files(dir, &r, inputs)?;
    progress.finish();
    print!("{}", summary(&r, dir));
    Ok(())
}

/// Runs `hclust report`.
///
/// # Errors
/// Bad input files or arguments, or an output folder that cannot be written.
pub fn report(args: ReportArgs) -> Result<()> {
    if let Some(d) = args.max_d {
        if d.is_nan() {
            return Err(Error::invalid_argument("--max-d", "NaN is not a height"));
        }
        if d < 0.0 {
            return Err(Error::invalid_argument(
                "--max-d",
                format!(
                    "{d}: merge heights are never negative, so a cut below 0 leaves every \
                     observation in its own cluster; give a height >= 0"
                ),
            ));
        }
    }
    let inputs = OutputPlan::new()
        .input("INPUT", Some(&args.input))
        .input("--labels", args.labels.as_deref());
    inputs
        .clone()
        .folder("-o", &args.output, &REPORT_FILES)
        .check()?;
    let progress = Progress::new(args.quiet);
    progress.phase("reading");
    let x = io::read_matrix(&args.input)?;
    let opts = ReportOptions {
        method: args.method.parse()?,
        metric: Metric::from_name(&args.metric)?,
        max_d: args.max_d,
        k: args.k,
        title: format!("Hierarchical clustering of {}", args.input.display()),
        row_labels: args.labels.as_deref().map(io::read_labels).transpose()?,
        backend: args.compute.choice(),
        precision: args.compute.precision(),
        algorithm: args
            .algorithm
            .parse()
            .map_err(|e| with_flag_names(e, &[("algorithm", "--algorithm")]))?,
        cophenet_sample: args.sample,
        cancel: None,
    };
    run_report(x.view(), &opts, &args.output, &inputs, &progress)
}

/// Runs `hclust demo`: the report on the tutorial's own data.
///
/// # Errors
/// An output folder that cannot be written.
pub fn demo(args: DemoArgs) -> Result<()> {
    let inputs = OutputPlan::new();
    inputs
        .clone()
        .folder("-o", &args.output, &REPORT_FILES)
        .check()?;
    let progress = Progress::new(args.quiet);
    let x = tutorial_data(args.five);
    let opts = ReportOptions {
        max_d: (!args.five).then_some(50.0),
        title: if args.five {
            "hclust demo: the tutorial's five clusters of different spreads".into()
        } else {
            "hclust demo: the scipy dendrogram tutorial".into()
        },
        ..ReportOptions::default()
    };
    run_report(x.view(), &opts, &args.output, &inputs, &progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listed_files_are_the_reports_files() {
        let x = tutorial_data(false);
        let r = build_report(x.view(), &ReportOptions::default(), &|_| {}).unwrap();
        let names: Vec<&str> = r.files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, REPORT_FILES);
    }
}
