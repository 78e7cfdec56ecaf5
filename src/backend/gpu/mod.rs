//! The GPU backend on wgpu (being written).

use ndarray::{Array2, ArrayView2};

use super::{Backend, Precision};
use crate::distance::{CondensedMatrix, Metric};
use crate::error::{Error, Result};
use crate::linkage::Method;

/// The GPU backend (being written).
#[derive(Debug)]
pub struct GpuBackend {
    _precision: Precision,
}

impl GpuBackend {
    /// Acquires an adapter and a device (being written).
    ///
    /// # Errors
    /// [`Error::NoGpuAdapter`] for now.
    pub fn new(precision: Precision) -> Result<Self> {
        let _ = precision;
        Err(Error::NoGpuAdapter {
            reason: "the GPU backend is being written".into(),
        })
    }
}

impl Backend for GpuBackend {
    fn name(&self) -> String {
        "gpu".into()
    }

    fn pdist(&self, x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix> {
        crate::distance::pdist(x, metric)
    }

    fn linkage_condensed(&self, y: CondensedMatrix, method: Method) -> Result<Array2<f64>> {
        crate::linkage::linkage_condensed_owned(y, method)
    }
}
