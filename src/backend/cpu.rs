//! The CPU reference backend: all cores through rayon.

use ndarray::{Array2, ArrayView2};

use super::{Backend, Precision};
use crate::distance::{pdist, pdist_f32, CondensedMatrix, Metric};
use crate::error::Result;
use crate::linkage::{linkage_condensed_owned, Method};

/// The CPU reference implementation, storing the distance matrix in f64
/// (scipy's results, the default) or f32 (half the memory; see
/// [`crate::precision`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuBackend {
    /// How the distance matrix is stored.
    pub precision: Precision,
}

impl CpuBackend {
    /// A CPU backend storing distances in `precision`.
    pub fn new(precision: Precision) -> Self {
        CpuBackend { precision }
    }
}

impl Backend for CpuBackend {
    fn name(&self) -> String {
        let threads = rayon::current_num_threads();
        match self.precision {
            Precision::F64 => format!("cpu ({threads} threads)"),
            Precision::F32 => format!("cpu ({threads} threads, f32 storage)"),
        }
    }

    /// In f32, the distances as the f32 path stores them (rounded), widened.
    fn pdist(&self, x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix> {
        match self.precision {
            Precision::F64 => pdist(x, metric),
            Precision::F32 => {
                let y = pdist_f32(x, metric)?;
                let n = y.n();
                let wide = y.into_vec().into_iter().map(f64::from).collect();
                Ok(CondensedMatrix::from_parts_unchecked(n, wide))
            }
        }
    }

    fn linkage_condensed(&self, y: CondensedMatrix, method: Method) -> Result<Array2<f64>> {
        match self.precision {
            Precision::F64 => linkage_condensed_owned(y, method),
            Precision::F32 => linkage_condensed_owned(y.into_f32()?, method),
        }
    }

    fn linkage(&self, x: ArrayView2<f64>, method: Method, metric: &Metric) -> Result<Array2<f64>> {
        match self.precision {
            Precision::F64 => crate::linkage::linkage(x, method, metric),
            Precision::F32 => crate::linkage::linkage_f32(x, method, metric),
        }
    }
}
