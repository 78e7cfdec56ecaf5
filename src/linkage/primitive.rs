//! The textbook O(n^3) algorithm, kept as the oracle that property tests
//! compare the fast algorithms with.

use ndarray::Array2;

use super::method::Method;
use crate::distance::CondensedMatrix;

/// Repeatedly merges the closest pair of active clusters (the first pair in
/// row-major order among equals), updates the distances with the
/// Lance-Williams formula, and records `(min id, max id, dist, size)` with
/// the new cluster named n + k at step k.
///
/// On distances without ties this gives the same Z as [`crate::linkage()`]
/// for every method (for the monotone methods, merge order and sorted order
/// coincide). Time O(n^3), memory O(n^2): for tests and small inputs only.
pub fn linkage_primitive(y: &CondensedMatrix, method: Method) -> Array2<f64> {
    let n = y.n();
    let mut d = y.to_square();
    let mut id: Vec<Option<usize>> = (0..n).map(Some).collect();
    let mut size = vec![1usize; n];
    let mut z = Array2::zeros((n - 1, 4));
    for k in 0..n - 1 {
        let mut best = (f64::INFINITY, 0, 0);
        for i in 0..n {
            if id[i].is_none() {
                continue;
            }
            for j in (i + 1)..n {
                if id[j].is_some() && d[[i, j]] < best.0 {
                    best = (d[[i, j]], i, j);
                }
            }
        }
        let (dist, x, y) = best;
        let (idx, idy) = (id[x].expect("active"), id[y].expect("active"));
        let (nx, ny) = (size[x], size[y]);
        z[[k, 0]] = idx.min(idy) as f64;
        z[[k, 1]] = idx.max(idy) as f64;
        z[[k, 2]] = dist;
        z[[k, 3]] = (nx + ny) as f64;
        id[x] = None;
        id[y] = Some(n + k);
        size[y] = nx + ny;
        for i in 0..n {
            if i != y && id[i].is_some() {
                let v = method.update(d[[x, i]], d[[y, i]], dist, nx, ny, size[i]);
                d[[i, y]] = v;
                d[[y, i]] = v;
            }
        }
    }
    z
}
