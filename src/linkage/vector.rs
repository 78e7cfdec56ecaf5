//! Ward linkage on cluster centroids and sizes, without the distance matrix
//! (as fastcluster's `linkage_vector`): memory O(n m).

use rayon::prelude::*;

use super::relabel::SlotMerge;

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
    let sq: f64 = a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum();
    (2.0 * na * nb / (na + nb) * sq).sqrt()
}

/// The nearest-neighbour chain for Ward's method on the observations
/// `data` (n x m, row-major), with scipy's chain rules: start at the lowest
/// active slot; the previous chain element wins ties, otherwise the lowest
/// slot at the strictly smallest distance; a merged cluster lives in the
/// higher slot. Returns the merges in discovery order.
pub(crate) fn ward_chain(data: &[f64], n: usize, m: usize) -> Vec<SlotMerge> {
    let mut centroid = data.to_vec();
    let mut size = vec![1.0f64; n];
    let mut active: Vec<usize> = (0..n).collect();
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut merges = Vec::with_capacity(n - 1);
    for _ in 0..n - 1 {
        if chain.is_empty() {
            chain.push(active[0]);
        }
        let (x, y, dist) = loop {
            let x = chain[chain.len() - 1];
            let prev = (chain.len() > 1).then(|| chain[chain.len() - 2]);
            let cx = &centroid[x * m..(x + 1) * m];
            let nx = size[x];
            let scan = |idx: &[usize]| {
                let mut best = (f64::INFINITY, usize::MAX);
                for &i in idx {
                    if i != x {
                        let d = ward_distance(cx, &centroid[i * m..(i + 1) * m], nx, size[i]);
                        if d < best.0 {
                            best = (d, i);
                        }
                    }
                }
                best
            };
            let found = if active.len() < PARALLEL_MIN {
                scan(&active)
            } else {
                active.par_chunks(CHUNK).map(scan).reduce(
                    || (f64::INFINITY, usize::MAX),
                    |p, q| {
                        if q.0 < p.0 || (q.0 == p.0 && q.1 < p.1) {
                            q
                        } else {
                            p
                        }
                    },
                )
            };
            let (y, d) = match prev {
                Some(p) => {
                    let dp = ward_distance(cx, &centroid[p * m..(p + 1) * m], nx, size[p]);
                    if found.0 < dp {
                        (found.1, found.0)
                    } else {
                        (p, dp)
                    }
                }
                None => (found.1, found.0),
            };
            if Some(y) == prev {
                break (x, y, d);
            }
            chain.push(y);
        };
        chain.truncate(chain.len() - 2);
        let (x, y) = (x.min(y), x.max(y));
        merges.push(SlotMerge { a: x, b: y, dist });
        let (nx, ny) = (size[x], size[y]);
        for k in 0..m {
            let v = (nx * centroid[x * m + k] + ny * centroid[y * m + k]) / (nx + ny);
            centroid[y * m + k] = v;
        }
        size[y] = nx + ny;
        size[x] = 0.0;
        super::working::remove_sorted(&mut active, x);
    }
    merges
}
