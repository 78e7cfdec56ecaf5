//! The CPU reference backend: all cores through rayon.

use ndarray::{Array2, ArrayView2};

use super::Backend;
use crate::distance::{pdist, CondensedMatrix, Metric};
use crate::error::Result;
use crate::linkage::{linkage_condensed_owned, Method};

/// The CPU reference implementation.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuBackend;

impl Backend for CpuBackend {
    fn name(&self) -> String {
        format!("cpu ({} threads)", rayon::current_num_threads())
    }

    fn pdist(&self, x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix> {
        pdist(x, metric)
    }

    fn linkage_condensed(&self, y: CondensedMatrix, method: Method) -> Result<Array2<f64>> {
        linkage_condensed_owned(y, method)
    }

    fn linkage(&self, x: ArrayView2<f64>, method: Method, metric: &Metric) -> Result<Array2<f64>> {
        crate::linkage::linkage(x, method, metric)
    }
}
