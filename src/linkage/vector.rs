//! Ward linkage on cluster centroids and sizes, without the distance matrix
//! (as fastcluster's `linkage_vector`): memory O(n m).

use rayon::prelude::*;

use super::mst::squared_euclidean;
use super::nn_chain::ChainStore;
use super::working::Nearest;

/// Rows shorter than this are scanned on one thread.
const PARALLEL_MIN: usize = 2048;
/// Chunk length of the parallel scans.
const CHUNK: usize = 512;

/// Ward's distance between clusters of sizes `na`, `nb` with centroids
/// `a`, `b`: `sqrt(2 na nb / (na + nb) * |a - b|^2)`, the value the
/// Lance-Williams recurrence gives from euclidean distances (equal up to
/// rounding).
#[inline]
fn ward_distance(a: &[f64], b: &[f64], na: f64, nb: f64) -> f64 {
    (2.0 * na * nb / (na + nb) * squared_euclidean(a, b)).sqrt()
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

    fn row(&self, i: usize) -> &[f64] {
        &self.centroid[i * self.m..(i + 1) * self.m]
    }
}

impl ChainStore for WardCentroids {
    fn nearest(&mut self, x: usize, active: &[usize]) -> Nearest {
        let this = &*self;
        let scan = |idx: &[usize]| {
            let mut best = Nearest::NONE;
            for &i in idx {
                if i != x {
                    let d = this.distance(x, i);
                    if d < best.dist {
                        best = Nearest { dist: d, index: i };
                    }
                }
            }
            best
        };
        if active.len() < PARALLEL_MIN {
            scan(active)
        } else {
            active
                .par_chunks(CHUNK)
                .map(scan)
                .reduce(|| Nearest::NONE, Nearest::better)
        }
    }

    fn distance(&self, x: usize, y: usize) -> f64 {
        ward_distance(self.row(x), self.row(y), self.size[x], self.size[y])
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
