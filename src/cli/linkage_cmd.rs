//! `hclust linkage`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::backend::{BackendChoice, Precision};
use crate::distance::{CondensedMatrix, Metric};
use crate::error::{Error, Result};
use crate::io;
use crate::linkage::{
    linkage_condensed_with, linkage_with, Algorithm, LinkageOptions, LinkageReport, Method,
};

/// Where the work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// The CPU reference implementation (all cores).
    Cpu,
    /// The GPU (an error without an adapter).
    Gpu,
    /// The GPU when there is one and the problem is big enough, else the CPU.
    Auto,
}

impl From<BackendArg> for BackendChoice {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Cpu => BackendChoice::Cpu,
            BackendArg::Gpu => BackendChoice::Gpu,
            BackendArg::Auto => BackendChoice::Auto,
        }
    }
}

/// How the distance matrix is stored (and the GPU kernels' precision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    /// f64: scipy's results (on a GPU, where the adapter supports it).
    F64,
    /// f32: half the memory for the distance matrix (CPU and GPU), heights
    /// within about 1e-6 relative (1e-5 on a GPU).
    F32,
}

/// Where and in what precision a command computes (shared by the
/// commands that compute distances and linkage).
#[derive(Debug, Clone, Copy, Args)]
pub struct ComputeArgs {
    /// Where to compute: auto uses the GPU for large problems when there is
    /// one (saying so on stderr).
    #[arg(long, value_enum, default_value = "cpu")]
    pub backend: BackendArg,
    /// How the distance matrix is stored, on the CPU and the GPU: f32 halves
    /// its memory (heights within about 1e-6 relative).
    #[arg(long, value_enum, default_value = "f64")]
    pub precision: PrecisionArg,
}

impl ComputeArgs {
    /// The backend asked for.
    pub fn choice(&self) -> BackendChoice {
        self.backend.into()
    }

    /// The precision asked for.
    pub fn precision(&self) -> Precision {
        match self.precision {
            PrecisionArg::F64 => Precision::F64,
            PrecisionArg::F32 => Precision::F32,
        }
    }
}

/// Arguments of `hclust linkage`.
#[derive(Debug, Args)]
pub struct LinkageArgs {
    /// Observations (n rows x m columns) as .csv or .npy; with --condensed, a
    /// condensed distance vector (one CSV column, or a 1-D .npy).
    pub input: PathBuf,
    /// single, complete, average, weighted, centroid, median or ward.
    #[arg(long, short, default_value = "single")]
    pub method: String,
    /// A scipy pdist metric (euclidean, cityblock, cosine, ...).
    #[arg(long, default_value = "euclidean")]
    pub metric: String,
    /// INPUT is a condensed distance matrix, not observations.
    #[arg(long)]
    pub condensed: bool,
    /// Minkowski's p.
    #[arg(long, allow_negative_numbers = true)]
    pub p: Option<f64>,
    /// Minkowski's weights: a file with one value per feature.
    #[arg(long, value_name = "FILE")]
    pub w: Option<PathBuf>,
    /// seuclidean's variances: a file with one value per feature.
    #[arg(long = "V", value_name = "FILE")]
    pub v: Option<PathBuf>,
    /// mahalanobis's inverse covariance: an m x m matrix file.
    #[arg(long = "VI", value_name = "FILE")]
    pub vi: Option<PathBuf>,
    /// Where to compute, and in what precision.
    #[command(flatten)]
    pub compute: ComputeArgs,
    /// Output file: .csv, .npy or .json (default: CSV on stdout).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// low: never build the distance matrix (single, ward, centroid and
    /// median on euclidean observations); auto: only when it would not fit.
    #[arg(long, value_enum, default_value = "auto")]
    pub memory: MemoryArg,
    /// Which algorithm: auto (the fastest exact one for the method, metric,
    /// n and d), tree (a kd-tree: single, ward), vector (no matrix: single,
    /// ward, centroid, median) or matrix (scipy's algorithms on the
    /// distance matrix).
    #[arg(long, default_value = "auto")]
    pub algorithm: String,
    /// Say which algorithm ran and why.
    #[arg(long, short)]
    pub verbose: bool,
    /// Say what the run did on the GPU: rounds, rows reduced, bytes up and
    /// down, dispatches, submissions, and the time of the distances, of
    /// the merge loop (and of the host's share of it) and of waiting for
    /// the device (on stderr; nothing for a run on the CPU).
    #[arg(long)]
    pub stats: bool,
}

/// Whether to build the distance matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MemoryArg {
    /// Build it when it fits (single on euclidean observations never does).
    Auto,
    /// Never: the O(n m) paths (single, ward, centroid, median; euclidean).
    Low,
}

/// Reads a parameter vector from a file (any shape, flattened).
fn read_param_vector(path: &std::path::Path) -> Result<Vec<f64>> {
    io::read_condensed(path).or_else(|_| io::read_matrix(path).map(|m| m.iter().copied().collect()))
}

/// Builds the metric from its name and the parameter flags.
fn build_metric(args: &LinkageArgs) -> Result<Metric> {
    let mut metric = Metric::from_name(&args.metric)?;
    let m = metric.name().to_string();
    let unused = |flag: &str| {
        Err(Error::invalid_argument(
            flag,
            format!("does not apply to metric '{m}'"),
        ))
    };
    if args.p.is_some() && m != "minkowski" {
        return unused("--p");
    }
    if args.w.is_some() && m != "minkowski" {
        return unused("--w");
    }
    if args.v.is_some() && m != "seuclidean" {
        return unused("--V");
    }
    if args.vi.is_some() && m != "mahalanobis" {
        return unused("--VI");
    }
    match &mut metric {
        Metric::Minkowski { p, w } => {
            if let Some(v) = args.p {
                *p = v;
            }
            if let Some(path) = &args.w {
                *w = Some(read_param_vector(path)?);
            }
        }
        Metric::SEuclidean { v } => {
            if let Some(path) = &args.v {
                *v = Some(read_param_vector(path)?);
            }
        }
        Metric::Mahalanobis { vi } => {
            if let Some(path) = &args.vi {
                *vi = Some(io::read_matrix(path)?);
            }
        }
        _ => {}
    }
    Ok(metric)
}

/// Runs `hclust linkage`.
///
/// # Errors
/// Bad input files, an unknown method or metric, a method that needs the
/// euclidean metric, or an output that cannot be written.
pub fn run(args: LinkageArgs) -> Result<()> {
    io::OutputPlan::new()
        .input("INPUT", Some(&args.input))
        .input("--w", args.w.as_deref())
        .input("--V", args.v.as_deref())
        .input("--VI", args.vi.as_deref())
        .output("-o", args.output.as_deref(), io::OutputKind::Linkage)
        .check()?;
    let method: Method = args.method.parse()?;
    let progress = super::progress::Progress::new(args.quiet);
    progress.phase("reading");
    let mut opts = LinkageOptions {
        method,
        metric: Metric::Euclidean,
        backend: args.compute.choice(),
        precision: args.compute.precision(),
        algorithm: args.algorithm.parse()?,
        cancel: None,
        kernel_times: args.stats,
    };
    if args.memory == MemoryArg::Low {
        if !matches!(opts.algorithm, Algorithm::Auto | Algorithm::Vector) {
            return Err(Error::invalid_argument(
                "--memory low",
                format!(
                    "means --algorithm vector, but --algorithm {} was given; give one of them",
                    opts.algorithm.name()
                ),
            ));
        }
        opts.algorithm = Algorithm::Vector;
    }
    let (result, metric_name) = if args.condensed {
        if args.metric != "euclidean" || args.p.is_some() {
            return Err(Error::invalid_argument(
                "--metric",
                "a condensed matrix already holds distances; drop --metric and --p",
            ));
        }
        if args.memory == MemoryArg::Low {
            return Err(Error::invalid_argument(
                "--memory low",
                "needs observations: a condensed matrix is the distance matrix itself",
            ));
        }
        let y = CondensedMatrix::new(io::read_condensed(&args.input)?)?;
        progress.phase("merging");
        (linkage_condensed_with(y, &opts), "precomputed".to_string())
    } else {
        opts.metric = build_metric(&args)?;
        if method.needs_euclidean() && !opts.metric.is_euclidean() {
            return Err(Error::MethodNeedsEuclidean {
                method: method.name().into(),
                metric: opts.metric.name().into(),
            });
        }
        let x = io::read_matrix(&args.input)?;
        if looks_uncondensed(&x) {
            eprintln!(
                "warning: {} is square, symmetric, non-negative with a zero diagonal: \
                 it looks like an uncondensed distance matrix, but it is being clustered \
                 as observations; convert it to condensed form and pass --condensed if \
                 it holds distances",
                args.input.display()
            );
        }
        if args.memory == MemoryArg::Low && !opts.metric.is_euclidean() {
            return Err(Error::invalid_argument(
                "--memory low",
                "works on euclidean observations only; other metrics need the distance matrix",
            ));
        }
        progress.phase("distances and merging");
        let name = opts.metric.name().to_string();
        (linkage_with(x.view(), &opts), name)
    };
    let result = result.map_err(|e| match e {
        Error::InvalidArgument { name, reason } if name == "algorithm" => Error::InvalidArgument {
            name: if args.memory == MemoryArg::Low {
                "--memory low".into()
            } else {
                "--algorithm".into()
            },
            reason,
        },
        e => e,
    })?;
    progress.finish();
    print_report(&result.report, opts.backend, args.verbose);
    if args.stats {
        match &result.report.device {
            Some(stats) => eprintln!("device: {stats}"),
            None => eprintln!("device: none (the run was on the CPU)"),
        }
    }
    write_z(&args, &result.z, method, &metric_name)
}

/// Says on stderr what ran: the backend when it was not simply the CPU
/// asked for, the algorithm with --verbose, and every note.
fn print_report(report: &LinkageReport, choice: BackendChoice, verbose: bool) {
    if choice != BackendChoice::Cpu {
        eprintln!("backend: {}: {}", report.backend, report.backend_reason);
    }
    if verbose {
        eprintln!("algorithm: {} ({})", report.algorithm, report.reason);
    }
    for note in &report.notes {
        eprintln!("note: {note}");
    }
}

/// Writes Z where --output says (CSV on stdout without it).
fn write_z(
    args: &LinkageArgs,
    z: &ndarray::Array2<f64>,
    method: Method,
    metric_name: &str,
) -> Result<()> {
    match &args.output {
        Some(path) => io::write_with(path, |tmp| {
            io::write_linkage(tmp, z, method.name(), metric_name)
        }),
        None => super::emit(None, &io::linkage_csv(z)),
    }
}

/// scipy's warning test: square, zero diagonal, non-negative, symmetric.
fn looks_uncondensed(x: &ndarray::Array2<f64>) -> bool {
    let n = x.nrows();
    n == x.ncols()
        && n > 1
        && (0..n).all(|i| x[[i, i]].abs() <= 1e-8)
        && x.iter().all(|&v| v >= 0.0)
        && (0..n)
            .all(|i| (0..i).all(|j| (x[[i, j]] - x[[j, i]]).abs() <= 1e-8 + 1e-5 * x[[j, i]].abs()))
}
