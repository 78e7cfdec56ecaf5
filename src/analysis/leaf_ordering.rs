//! scipy's `optimal_leaf_ordering` (being written).
use ndarray::{Array2, ArrayView2};

use crate::distance::CondensedMatrix;
use crate::error::Result;

/// Reorders Z's children so that adjacent leaves are as close as possible
/// (being written).
///
/// # Errors
/// Not yet.
pub fn optimal_leaf_ordering(z: ArrayView2<f64>, _y: &CondensedMatrix) -> Result<Array2<f64>> {
    Ok(z.to_owned())
}
