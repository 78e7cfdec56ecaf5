//! `hclust report` and `hclust demo`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::linkage_cmd::ComputeArgs;
use super::progress::Progress;
use crate::distance::Metric;
use crate::error::Result;
use crate::io;
use crate::report::{build_report, tutorial_data, write_report, CutChoice, Report, ReportOptions};

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
    #[arg(long, conflicts_with = "k")]
    pub max_d: Option<f64>,
    /// Cut into at most this many clusters.
    #[arg(long, short)]
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
        CutChoice::Suggested(k) => format!("cut into {k} as the elbow suggests"),
    };
    let last: Vec<String> =
        r.z.column(2)
            .iter()
            .rev()
            .take(4)
            .map(|v| format!("{v:.1}"))
            .collect();
    format!(
        "first merge: {} and {} at {:.4}\nlast four heights: {}\ncophenetic correlation: {:.3}\nclusters ({how}): {}\nsuggestions: {}\nreport: {}\n",
        r.z[[0, 0]],
        r.z[[0, 1]],
        r.z[[0, 2]],
        last.join(", "),
        r.cophenetic,
        r.clusters.iter().max().unwrap_or(&0),
        r.suggestions.iter().map(|s| format!("{} k={}", s.method, s.k)).collect::<Vec<_>>().join(", "),
        dir.join("report.html").display()
    )
}

/// Builds the report, writes it into `dir`, and prints its key figures.
fn run_report(
    x: ndarray::ArrayView2<f64>,
    opts: &ReportOptions,
    dir: &Path,
    progress: &Progress,
) -> Result<()> {
    let r = build_report(x, opts, &|p| progress.phase(p))?;
    if opts.backend != crate::backend::BackendChoice::Cpu {
        eprintln!("backend: {}", r.backend);
    }
    progress.phase("writing");
    write_report(dir, &r)?;
    progress.finish();
    print!("{}", summary(&r, dir));
    Ok(())
}

/// Runs `hclust report`.
///
/// # Errors
/// Bad input files or arguments, or an output folder that cannot be written.
pub fn report(args: ReportArgs) -> Result<()> {
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
    };
    run_report(x.view(), &opts, &args.output, &progress)
}

/// Runs `hclust demo`: the report on the tutorial's own data.
///
/// # Errors
/// An output folder that cannot be written.
pub fn demo(args: DemoArgs) -> Result<()> {
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
    run_report(x.view(), &opts, &args.output, &progress)
}
