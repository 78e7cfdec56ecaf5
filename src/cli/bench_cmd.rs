//! `hclust bench`: CPU against GPU on this machine, as a table.

use std::time::Instant;

use clap::Args;

use crate::backend::{select_backend, Backend, BackendChoice, Precision};
use crate::datasets::blobs;
use crate::distance::Metric;
use crate::error::Result;
use crate::linkage::Method;

/// Arguments of `hclust bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Numbers of observations.
    #[arg(long, num_args = 1.., default_values_t = [2000usize, 5000])]
    pub n: Vec<usize>,
    /// Dimensions.
    #[arg(long, short, default_value_t = 32)]
    pub d: usize,
    /// Methods to time.
    #[arg(long, num_args = 1.., default_values_t = ["single".to_string(), "average".to_string(), "ward".to_string()])]
    pub methods: Vec<String>,
    /// Time the GPU too (when an adapter exists).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub gpu: bool,
    /// Precision of the GPU kernels.
    #[arg(long, default_value = "f64")]
    pub precision: String,
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
/// An unknown method, or a failing backend.
pub fn bench(args: BenchArgs) -> Result<()> {
    let methods: Vec<Method> = args
        .methods
        .iter()
        .map(|m| m.parse())
        .collect::<Result<_>>()?;
    let precision = if args.precision == "f32" {
        Precision::F32
    } else {
        Precision::F64
    };
    let mut backends: Vec<(String, Box<dyn Backend>)> = vec![(
        "cpu".into(),
        Box::new(crate::backend::CpuBackend::default()),
    )];
    if args.gpu {
        match select_backend(BackendChoice::Gpu, precision, usize::MAX) {
            Ok((b, _)) => backends.push((b.name(), b)),
            Err(e) => eprintln!("gpu: not timed: {e}"),
        }
    }
    println!("| n | d | what | backend | seconds |\n|---|---|---|---|---|");
    for &n in &args.n {
        let x = blobs(n, args.d, 42);
        for (name, b) in &backends {
            let t = seconds(|| b.pdist(x.view(), &Metric::Euclidean).map(drop))?;
            println!("| {n} | {} | pdist euclidean | {name} | {t:.3} |", args.d);
            for &m in &methods {
                let t = seconds(|| b.linkage(x.view(), m, &Metric::Euclidean).map(drop))?;
                println!("| {n} | {} | linkage {m} | {name} | {t:.3} |", args.d);
            }
        }
    }
    Ok(())
}
