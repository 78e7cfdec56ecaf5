//! Single linkage as a minimum spanning tree (Prim's algorithm), with
//! scipy's scan order and tie-breaking, on a distance matrix or straight
//! from the observations.

use rayon::prelude::*;

use super::relabel::SlotMerge;
use super::working::Nearest;

/// Rows shorter than this are scanned on one thread.
const PARALLEL_MIN: usize = 4096;
/// Chunk length of a scan (and of the distance scratch buffer).
const CHUNK: usize = 1024;

/// Prim's algorithm over `n` observations. `distances(x, idx, out)` fills
/// `out[k]` with the distance from x to `idx[k]` (from a condensed matrix,
/// or computed on the fly from the observations).
///
/// Starts at x = 0. Each step marks x done; for every not-done i in
/// ascending order lowers `best[i]` to `d(x, i)` when that is smaller;
/// the next x is the lowest i with the strictly smallest `best[i]`. Each
/// step records the edge (x, next, best[next]): the merges of single
/// linkage in discovery order, before sorting and relabelling.
pub(crate) fn mst_single<F>(n: usize, distances: F) -> Vec<SlotMerge>
where
    F: Fn(usize, &[usize], &mut [f64]) + Sync,
{
    let mut best = vec![f64::INFINITY; n];
    let mut remaining: Vec<usize> = (1..n).collect();
    let mut merges = Vec::with_capacity(n - 1);
    let mut x = 0usize;
    for _ in 0..n - 1 {
        let scan = |(idx, b): (&[usize], &mut [f64])| -> Nearest {
            let mut d = [0.0f64; CHUNK];
            let d = &mut d[..idx.len()];
            distances(x, idx, d);
            let mut cur = Nearest::NONE;
            for ((&i, bi), &di) in idx.iter().zip(b.iter_mut()).zip(d.iter()) {
                if *bi > di {
                    *bi = di;
                }
                if *bi < cur.dist {
                    cur = Nearest {
                        dist: *bi,
                        index: i,
                    };
                }
            }
            cur
        };
        // `best` is kept aligned with `remaining`, position by position.
        let b = &mut best[..remaining.len()];
        let found = if remaining.len() < PARALLEL_MIN {
            remaining
                .chunks(CHUNK)
                .zip(b.chunks_mut(CHUNK))
                .map(scan)
                .fold(Nearest::NONE, Nearest::better)
        } else {
            remaining
                .par_chunks(CHUNK)
                .zip(b.par_chunks_mut(CHUNK))
                .map(scan)
                .reduce(|| Nearest::NONE, Nearest::better)
        };
        // Nothing below infinity happens only with non-finite input, which
        // callers reject; take the first remaining point then.
        let (d, y) = if found.index == usize::MAX {
            (found.dist, remaining[0])
        } else {
            (found.dist, found.index)
        };
        merges.push(SlotMerge {
            a: x,
            b: y,
            dist: d,
        });
        let pos = remaining.binary_search(&y).expect("y is remaining");
        remaining.remove(pos);
        best.remove(pos);
        x = y;
    }
    merges
}

/// Euclidean distances from row x of `data` (n x m, row-major) to the rows
/// `idx`, with pdist's arithmetic (squared differences summed in feature
/// order, then the square root), so the values are pdist's to the bit.
/// Eight rows go at once so the eight sums proceed side by side.
pub(crate) fn euclidean_from(data: &[f64], m: usize, x: usize, idx: &[usize], out: &mut [f64]) {
    let xr = &data[x * m..(x + 1) * m];
    let mut groups = idx.chunks_exact(8);
    let mut outs = out.chunks_exact_mut(8);
    for (g, o) in (&mut groups).zip(&mut outs) {
        let rows: [&[f64]; 8] = std::array::from_fn(|l| &data[g[l] * m..(g[l] + 1) * m]);
        let mut acc = [0.0f64; 8];
        for (k, &xv) in xr.iter().enumerate() {
            for l in 0..8 {
                let t = xv - rows[l][k];
                acc[l] += t * t;
            }
        }
        for l in 0..8 {
            o[l] = acc[l].sqrt();
        }
    }
    for (&i, o) in groups.remainder().iter().zip(outs.into_remainder()) {
        *o = squared_euclidean(xr, &data[i * m..(i + 1) * m]).sqrt();
    }
}

/// `sum((a - b)^2)` in feature order: pdist's euclidean arithmetic before
/// the square root, shared by every path that computes distances from
/// observations or centroids.
#[inline]
pub(crate) fn squared_euclidean(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = 0.0f64;
    for (u, v) in a.iter().zip(b) {
        let t = u - v;
        acc += t * t;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distance::{pdist, Metric};

    #[test]
    fn euclidean_from_matches_pdist_to_the_bit() {
        let (n, m) = (37, 13);
        let data: Vec<f64> = (0..n * m)
            .map(|k| ((k * 7919) % 1013) as f64 / 97.0 - 5.0)
            .collect();
        let x = ndarray::Array2::from_shape_vec((n, m), data.clone()).unwrap();
        let y = pdist(x.view(), &Metric::Euclidean).unwrap();
        let idx: Vec<usize> = (0..n).filter(|&i| i != 5).collect();
        let mut out = vec![0.0; idx.len()];
        euclidean_from(&data, m, 5, &idx, &mut out);
        for (&i, &d) in idx.iter().zip(&out) {
            assert_eq!(d.to_bits(), y.get(5, i).to_bits(), "pair (5, {i})");
        }
    }
}
