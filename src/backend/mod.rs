//! Where the heavy work runs: the CPU reference or the GPU, behind one
//! small trait.
//!
//! The merge bookkeeping, the Lance-Williams updates and the final sort and
//! relabelling are the CPU code in [`mod@crate::linkage`]; a backend supplies
//! the heavy kernels (distances, nearest-neighbour reductions). On data
//! without tied distances every backend returns the CPU's Z (heights to
//! 1e-12 in f64); with ties the GPU, which merges all reciprocal pairs of a
//! round at once, may return another of the equally valid dendrograms, and
//! only the CPU follows scipy's tie order.

mod cpu;
#[cfg(feature = "gpu")]
pub mod gpu;
#[cfg_attr(not(feature = "gpu"), allow(dead_code))]
mod stats;

use ndarray::{Array2, ArrayView2};

pub use crate::precision::Precision;
pub use cpu::CpuBackend;
pub use stats::DeviceStats;

use crate::distance::{CondensedMatrix, Metric};
use crate::error::{Error, Result};
use crate::linkage::Method;

/// Where a backend runs single linkage of euclidean observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinglePath {
    /// Prim's algorithm on the device, without the distance matrix.
    Device,
    /// The merges on the distance matrix.
    Matrix,
}

/// Which backend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// The CPU reference implementation.
    #[default]
    Cpu,
    /// The GPU; an error when no adapter exists.
    Gpu,
    /// The GPU when an adapter exists and the problem is big enough to gain,
    /// else the CPU (saying which and why).
    Auto,
}

/// A place to run linkage.
pub trait Backend {
    /// A short description, e.g. "cpu (2 threads)" or the GPU adapter's name.
    fn name(&self) -> String;

    /// The notes of the runs since the last call (work that ran elsewhere
    /// than asked, and why), one sentence each; the library prints
    /// nothing, and [`crate::linkage_with`] puts these in its report.
    fn take_notes(&self) -> Vec<String> {
        Vec::new()
    }

    /// What the runs since the last call did on the device (rounds, rows,
    /// bytes, dispatches, submissions, times), where the backend has a
    /// device; None for the CPU.
    fn take_stats(&self) -> Option<DeviceStats> {
        None
    }

    /// Measures the device's time in its kernels from now on (timestamp
    /// queries; [`DeviceStats::kernel_seconds`]), where it can: costs a
    /// read-back at each wait. Returns whether it will.
    ///
    /// # Errors
    /// Device failures.
    fn time_kernels(&self) -> Result<bool> {
        Ok(false)
    }

    /// Where [`Backend::linkage`] runs single linkage of `n` euclidean
    /// observations: the one decision, which the report names.
    fn single_path(&self, _n: usize) -> SinglePath {
        SinglePath::Matrix
    }

    /// Pairwise distances (scipy's `pdist`).
    ///
    /// # Errors
    /// As [`crate::pdist`], plus GPU failures.
    fn pdist(&self, x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix>;

    /// Z for a condensed matrix (consumed).
    ///
    /// # Errors
    /// As [`crate::linkage::linkage_condensed_owned`], plus GPU failures.
    fn linkage_condensed(&self, y: CondensedMatrix, method: Method) -> Result<Array2<f64>>;

    /// Z for observations.
    ///
    /// # Errors
    /// As [`crate::linkage()`], plus GPU failures.
    fn linkage(&self, x: ArrayView2<f64>, method: Method, metric: &Metric) -> Result<Array2<f64>> {
        if method.needs_euclidean() && !metric.is_euclidean() {
            return Err(Error::MethodNeedsEuclidean {
                method: method.name().into(),
                metric: metric.name().into(),
            });
        }
        let y = self.pdist(x, metric)?;
        self.linkage_condensed(y, method)
    }
}

/// Below this many observations the GPU cannot win: transfers and kernel
/// launches cost more than the CPU's whole run.
pub const AUTO_GPU_MIN_N: usize = 4096;

/// Picks a backend, and says which one and why (for stderr).
///
/// # Errors
/// [`Error::NoGpuAdapter`] for [`BackendChoice::Gpu`] without an adapter (or
/// in a build without the `gpu` feature).
pub fn select_backend(
    choice: BackendChoice,
    precision: Precision,
    n: usize,
) -> Result<(Box<dyn Backend>, String)> {
    match choice {
        BackendChoice::Cpu => Ok((
            Box::new(CpuBackend::new(precision)),
            "cpu: asked for".into(),
        )),
        BackendChoice::Gpu => gpu_backend(precision).map(|b| {
            let why = format!("gpu: asked for ({})", b.name());
            (b, why)
        }),
        BackendChoice::Auto => {
            if n < AUTO_GPU_MIN_N {
                return Ok((
                    Box::new(CpuBackend::new(precision)),
                    format!("cpu: {n} observations is below {AUTO_GPU_MIN_N}, where the GPU starts to gain"),
                ));
            }
            match gpu_backend(precision) {
                Ok(b) => {
                    let why = format!("gpu: {} ({n} observations)", b.name());
                    Ok((b, why))
                }
                Err(e) => Ok((
                    Box::new(CpuBackend::new(precision)),
                    format!("cpu: falling back, {e}"),
                )),
            }
        }
    }
}

#[cfg(feature = "gpu")]
fn gpu_backend(precision: Precision) -> Result<Box<dyn Backend>> {
    Ok(Box::new(gpu::GpuBackend::new(precision)?))
}

#[cfg(not(feature = "gpu"))]
fn gpu_backend(_precision: Precision) -> Result<Box<dyn Backend>> {
    Err(Error::NoGpuAdapter {
        reason: "this build of hclust has no GPU support (the `gpu` feature is off)".into(),
    })
}
