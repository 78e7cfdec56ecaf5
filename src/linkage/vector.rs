//! Ward linkage on cluster centroids and sizes, without the distance matrix
//! (as fastcluster's `linkage_vector`): memory O(n m).

use super::nn_chain::ChainStore;
use super::relabel::SlotMerge;
use super::rows::{nearest_row, squared_euclidean};
use super::working::Nearest;

/// The square of Ward's distance between clusters of sizes `na`, `nb`
/// whose centroids are `sq` apart squared: `2 na nb / (na + nb) * sq`. Its
/// square root is the value the Lance-Williams recurrence gives from
/// euclidean distances (equal up to rounding). The chain compares squares
/// (as fastcluster's `linkage_vector` does), which saves a square root per
/// candidate; [`WardCentroids::heights`] takes the roots of the merges.
#[inline]
fn ward_square(sq: f64, na: f64, nb: f64) -> f64 {
    2.0 * na * nb / (na + nb) * sq
}

/// Cluster centroids and sizes for Ward's method: the chain's distances
/// come from the centroids, and a merge replaces y's centroid by the
/// size-weighted mean.
pub(crate) struct WardCentroids {
    centroid: Vec<f64>,
    size: Vec<f64>,
    m: usize,
}

impl WardCentroids {
    /// The observations `data` (n x m, row-major) as n singleton clusters.
    pub fn new(data: &[f64], n: usize, m: usize) -> Self {
        WardCentroids {
            centroid: data.to_vec(),
            size: vec![1.0; n],
            m,
        }
    }

    /// The chain's merges (at squared Ward distances) at Ward distances.
    pub fn heights(mut merges: Vec<SlotMerge>) -> Vec<SlotMerge> {
        merges.iter_mut().for_each(|m| m.dist = m.dist.sqrt());
        merges
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.centroid[i * self.m..(i + 1) * self.m]
    }
}

impl ChainStore for WardCentroids {
    const CLOSES_CYCLES: bool = true;

    fn nearest(&mut self, x: usize, active: &[usize]) -> Nearest {
        let (size, nx) = (&self.size, self.size[x]);
        // x itself finishes as NaN, which is never chosen.
        nearest_row(&self.centroid, self.m, self.row(x), active, |sq, i| {
            if i == x {
                f64::NAN
            } else {
                ward_square(sq, nx, size[i])
            }
        })
    }

    fn distance(&self, x: usize, y: usize) -> f64 {
        ward_square(
            squared_euclidean(self.row(x), self.row(y)),
            self.size[x],
            self.size[y],
        )
    }

    fn merge(&mut self, x: usize, y: usize, _dist: f64, _active: &[usize]) {
        let (m, nx, ny) = (self.m, self.size[x], self.size[y]);
        for k in 0..m {
            self.centroid[y * m + k] =
                (nx * self.centroid[x * m + k] + ny * self.centroid[y * m + k]) / (nx + ny);
        }
        self.size[y] = nx + ny;
        self.size[x] = 0.0;
    }
}
