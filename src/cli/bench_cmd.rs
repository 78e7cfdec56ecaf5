//! `hclust bench`: CPU against GPU on this machine, as a table.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use super::linkage_cmd::PrecisionArg;
use super::values;
use crate::backend::{select_backend, Backend, BackendChoice, DeviceStats, Precision};
use crate::datasets::blobs;
use crate::distance::Metric;
use crate::error::{Error, Result};
use crate::linkage::Method;
use crate::memory::{available_bytes, human_bytes};

/// Arguments of `hclust bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Numbers of observations.
    #[arg(long, num_args = 1.., default_values_t = [2000usize, 5000], allow_negative_numbers = true, value_parser = values::observations)]
    pub n: Vec<usize>,
    /// Dimensions.
    #[arg(long, short, default_value_t = 32, allow_negative_numbers = true, value_parser = values::dimensions)]
    pub d: usize,
    /// Methods to time.
    #[arg(long, num_args = 1.., default_values_t = ["single".to_string(), "average".to_string(), "ward".to_string()])]
    pub methods: Vec<String>,
    /// Time the GPU too (when an adapter exists).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub gpu: bool,
    /// Precision of the GPU kernels.
    #[arg(long, value_enum, default_value = "f64")]
    pub precision: PrecisionArg,
    /// Also write every row as JSON to this file, with what each GPU run
    /// did on the device (the counts of `hclust linkage --stats`).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Measure the GPU's time in its kernels (timestamp queries, where the
    /// adapter has them): one more read-back at each wait for the device.
    #[arg(long)]
    pub kernel_times: bool,
}

/// One timed call, as `--json` writes it.
#[derive(Debug, Serialize)]
struct Row {
    n: usize,
    d: usize,
    what: String,
    backend: String,
    seconds: f64,
    /// The device's counts for a GPU run.
    device: Option<DeviceStats>,
}

/// The bytes one size of the benchmark holds at once: the n x d
/// observations and their condensed distance matrix in f64 (u128, so no
/// size a user types overflows).
fn bench_bytes(n: usize, d: usize) -> u128 {
    let (n, d) = (n as u128, d as u128);
    8 * (n * d + n * n.saturating_sub(1) / 2)
}

/// Checks, before anything is generated, that every size fits in memory.
///
/// # Errors
/// [`Error::InvalidArgument`] naming `--n` (or `-d`), the bytes needed and
/// the bytes available.
fn check_sizes(ns: &[usize], d: usize) -> Result<()> {
    let Some(available) = available_bytes() else {
        return Ok(());
    };
    for &n in ns {
        let needed = bench_bytes(n, d);
        if needed > u128::from(available) {
            let flag = if bench_bytes(n, 1) > u128::from(available) {
                "--n"
            } else {
                "-d"
            };
            return Err(Error::invalid_argument(
                flag,
                format!(
                    "n = {n}, d = {d}: the benchmark needs {} for the observations and \
                     their condensed distance matrix (f64), but only {} of memory are \
                     available; give smaller sizes",
                    u64::try_from(needed)
                        .map_or_else(|_| format!("{:.3e} bytes", needed as f64), human_bytes),
                    human_bytes(available)
                ),
            ));
        }
    }
    Ok(())
}

fn seconds(f: impl FnOnce() -> Result<()>) -> Result<f64> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64())
}

/// Runs `hclust bench`: for each n, the distance matrix and linkage per
/// method on each backend, on seeded blobs; prints a Markdown table.
///
/// # Errors
/// An unknown method, sizes that would not fit in memory, or a failing
/// backend.
pub fn bench(args: BenchArgs) -> Result<()> {
    let methods: Vec<Method> = args
        .methods
        .iter()
        .map(|m| m.parse())
        .collect::<Result<_>>()?;
    check_sizes(&args.n, args.d)?;
    let precision = match args.precision {
        PrecisionArg::F32 => Precision::F32,
        PrecisionArg::F64 => Precision::F64,
    };
    let mut backends: Vec<(String, Box<dyn Backend>)> = vec![(
        "cpu".into(),
        Box::new(crate::backend::CpuBackend::default()),
    )];
    if args.gpu {
        match select_backend(BackendChoice::Gpu, precision, usize::MAX) {
            Ok((b, _)) => {
                if args.kernel_times {
                    b.time_kernels()?;
                }
                backends.push((b.name(), b))
            }
            Err(e) => eprintln!("gpu: not timed: {e}"),
        }
    }
    let mut rows = Vec::new();
    println!("| n | d | what | backend | seconds |\n|---|---|---|---|---|");
    for &n in &args.n {
        let x = blobs(n, args.d, 42);
        for (name, b) in &backends {
            let mut record = |what: String, seconds: f64| {
                println!("| {n} | {} | {what} | {name} | {seconds:.3} |", args.d);
                rows.push(Row {
                    n,
                    d: args.d,
                    what,
                    backend: name.clone(),
                    seconds,
                    device: b.take_stats(),
                });
            };
            b.take_stats();
            let t = seconds(|| b.pdist(x.view(), &Metric::Euclidean).map(drop))?;
            record("pdist euclidean".into(), t);
            for &m in &methods {
                let t = seconds(|| b.linkage(x.view(), m, &Metric::Euclidean).map(drop))?;
                record(format!("linkage {m}"), t);
            }
        }
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_vec_pretty(&rows).map_err(|e| {
            Error::invalid_argument(
                "--json",
                format!("the rows could not be written as JSON: {e}"),
            )
        })?;
        crate::io::write_bytes(path, &json)?;
    }
    Ok(())
}
