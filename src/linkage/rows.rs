//! Distances from rows of observations or cluster centroids (n x m,
//! row-major) to many other rows, with pdist's euclidean arithmetic, and
//! the nearest-row scan that Prim's algorithm, Ward's centroid chain and
//! the centroid/median generic store all run.

use rayon::prelude::*;

use super::working::Nearest;

/// Rows per scan chunk (and per scratch buffer on the stack).
const CHUNK: usize = 256;
/// Candidate lists shorter than this are scanned on one thread.
const PARALLEL_MIN: usize = 1024;

/// Euclidean distances from row x of `data` (n x m, row-major) to the rows
/// `idx`, with pdist's arithmetic (squared differences summed in feature
/// order, then the square root), so the values are pdist's to the bit.
pub(crate) fn euclidean_from(data: &[f64], m: usize, x: usize, idx: &[usize], out: &mut [f64]) {
    squared_euclidean_from(data, m, &data[x * m..(x + 1) * m], idx, out);
    out.iter_mut().for_each(|v| *v = v.sqrt());
}

/// `out[k] = squared_euclidean(xr, row idx[k] of data)`, each sum in
/// feature order (so each value is [`squared_euclidean`]'s to the bit),
/// eight rows at once so that eight independent sums proceed side by side
/// instead of one chain of dependent additions.
pub(crate) fn squared_euclidean_from(
    data: &[f64],
    m: usize,
    xr: &[f64],
    idx: &[usize],
    out: &mut [f64],
) {
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
        o.copy_from_slice(&acc);
    }
    for (&i, o) in groups.remainder().iter().zip(outs.into_remainder()) {
        *o = squared_euclidean(xr, &data[i * m..(i + 1) * m]);
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

/// The nearest of `candidates` to the row `xr`: for each candidate i the
/// value `finish(squared_euclidean(xr, row i), i)`, the strictly smallest,
/// ties to the first candidate (ascending candidates: the lowest slot),
/// NaN never chosen. On both cores when the list is long.
pub(crate) fn nearest_row<F>(
    data: &[f64],
    m: usize,
    xr: &[f64],
    candidates: &[usize],
    finish: F,
) -> Nearest
where
    F: Fn(f64, usize) -> f64 + Sync,
{
    let scan = |chunk: &[usize]| {
        let mut sq = [0.0f64; CHUNK];
        let sq = &mut sq[..chunk.len()];
        squared_euclidean_from(data, m, xr, chunk, sq);
        let mut best = Nearest::NONE;
        for (&i, &s) in chunk.iter().zip(sq.iter()) {
            let v = finish(s, i);
            if v < best.dist {
                best = Nearest { dist: v, index: i };
            }
        }
        best
    };
    if candidates.len() < PARALLEL_MIN {
        candidates
            .chunks(CHUNK)
            .map(scan)
            .fold(Nearest::NONE, Nearest::better)
    } else {
        candidates
            .par_chunks(CHUNK)
            .map(scan)
            .reduce(|| Nearest::NONE, Nearest::better)
    }
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

    #[test]
    fn eight_lane_sums_equal_the_plain_sum_to_the_bit() {
        let (n, m) = (29, 11);
        let data: Vec<f64> = (0..n * m)
            .map(|k| ((k * 7919) % 1013) as f64 / 97.0 - 5.0)
            .collect();
        let xr = &data[3 * m..4 * m];
        let idx: Vec<usize> = (0..n).rev().collect();
        let mut out = vec![0.0; n];
        squared_euclidean_from(&data, m, xr, &idx, &mut out);
        for (&i, &v) in idx.iter().zip(&out) {
            assert_eq!(v, squared_euclidean(xr, &data[i * m..(i + 1) * m]));
        }
    }

    #[test]
    fn nearest_row_skips_nan_and_takes_the_first_on_ties() {
        // rows 0..6 in 1-D at 0, 2, 1, 1, 5, 1
        let data = [0.0, 2.0, 1.0, 1.0, 5.0, 1.0];
        let xr = [0.0];
        let all: Vec<usize> = (1..6).collect();
        let r = nearest_row(&data, 1, &xr, &all, |s, _| s);
        assert_eq!((r.index, r.dist), (2, 1.0));
        // a finish that makes row 2 NaN: the next of the tie wins
        let r = nearest_row(
            &data,
            1,
            &xr,
            &all,
            |s, i| if i == 2 { f64::NAN } else { s },
        );
        assert_eq!((r.index, r.dist), (3, 1.0));
        // long lists (parallel) agree with short ones
        let big: Vec<f64> = (0..5000).map(|k| ((k * 37) % 4999) as f64).collect();
        let cand: Vec<usize> = (1..5000).collect();
        let r = nearest_row(&big, 1, &[2500.5], &cand, |s, _| s);
        let want = cand
            .iter()
            .map(|&i| ((big[i] - 2500.5).powi(2), i))
            .fold((f64::INFINITY, 0), |b, c| if c.0 < b.0 { c } else { b });
        assert_eq!((r.dist, r.index), want);
    }
}
