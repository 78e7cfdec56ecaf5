//! The parallel loops behind the metrics: the condensed vector cut into
//! groups of rows for rayon, a plain per-pair loop, and the vectorised tile
//! kernel with the two summation orders scipy uses.

use rayon::prelude::*;

use super::{Obs, RowMin};
use crate::linkage::argmin::first_min;
use crate::precision::Real;

/// Pairs computed at once by the vectorised kernels.
pub(super) const LANES: usize = 8;

/// The start of row i (the pairs (i, j), j > i) in the condensed vector.
#[inline]
pub(super) fn row_start(n: usize, i: usize) -> usize {
    i * n - i * (i + 1) / 2
}

/// The pair (i, j) at condensed index k.
pub(super) fn pair_of(n: usize, k: usize) -> (usize, usize) {
    let i = (0..n - 1).rfind(|&i| row_start(n, i) <= k).unwrap_or(0);
    (i, k - row_start(n, i) + i + 1)
}

/// The condensed vector cut into groups of consecutive rows `[i0, i1)`,
/// each with its part of `out`, small enough to balance across threads.
fn row_groups<T>(n: usize, out: &mut [T]) -> Vec<(usize, usize, &mut [T])> {
    let size = (n / (4 * rayon::current_num_threads())).clamp(1, 16);
    let mut groups = Vec::with_capacity(n / size + 1);
    let mut rest = out;
    let mut i0 = 0;
    while i0 + 1 < n {
        let i1 = (i0 + size).min(n - 1);
        let (head, tail) =
            std::mem::take(&mut rest).split_at_mut(row_start(n, i1) - row_start(n, i0));
        groups.push((i0, i1, head));
        rest = tail;
        i0 = i1;
    }
    groups
}

/// Fills `out` with `f(scratch, i, j)` for every pair, in parallel; each
/// task makes its scratch space with `init`.
pub(super) fn pairwise<T, S, I, F>(n: usize, out: &mut [T], init: I, f: F) -> bool
where
    T: Real,
    I: Fn() -> S + Sync,
    F: Fn(&mut S, usize, usize) -> f64 + Sync,
{
    let stop = crate::cancel::current();
    row_groups(n, out)
        .into_par_iter()
        .map(|(i0, i1, chunk)| {
            // A cancelled run leaves the rest unfilled: its caller stops
            // at its next check.
            if stop.as_ref().is_some_and(crate::Cancel::is_cancelled) {
                return true;
            }
            let mut scratch = init();
            let mut slots = chunk.iter_mut();
            for i in i0..i1 {
                for (j, slot) in (i + 1..n).zip(&mut slots) {
                    *slot = T::from_f64(f(&mut scratch, i, j));
                }
            }
            all_valid(chunk)
        })
        .reduce(|| true, |a, b| a & b)
}

/// Whether every value is finite and non-negative (checked while the
/// values are still in cache, without branches).
fn all_valid<T: Real>(values: &[T]) -> bool {
    values.iter().fold(true, |ok, &v| {
        ok & (0.0..f64::INFINITY).contains(&v.to_f64())
    })
}

/// Sums for [`LANES`] pairs at once: one per lane, two sums each.
pub(super) type LaneSums = ([f64; LANES], [f64; LANES]);

/// The sums of the pybind (C++) kernels: `(a, b) = step(a, b, u[k], v[k],
/// param[k])` from 0, over the features in order.
pub(super) fn seq_sums<'a, S>(
    param: &'a [f64],
    step: S,
) -> impl Fn(&[f64], &[f64]) -> LaneSums + Sync + 'a
where
    S: Fn(f64, f64, f64, f64, f64) -> (f64, f64) + Sync + 'a,
{
    move |u, tile| {
        let (mut a, mut b) = ([0.0; LANES], [0.0; LANES]);
        for ((&uk, col), &p) in u.iter().zip(tile.chunks_exact(LANES)).zip(param) {
            for l in 0..LANES {
                (a[l], b[l]) = step(a[l], b[l], uk, col[l], p);
            }
        }
        (a, b)
    }
}

/// The sum of `term(u[k], v[k], param[k])` as scipy's C kernels, compiled
/// with reassociation into 2-wide vector loops, compute it: the even and the
/// odd terms summed apart, then together, then the last term when m is odd
/// (see [`split_sum`]).
pub(super) fn split_sums<'a, T>(
    param: &'a [f64],
    term: T,
) -> impl Fn(&[f64], &[f64]) -> LaneSums + Sync + 'a
where
    T: Fn(f64, f64, f64) -> f64 + Sync + 'a,
{
    move |u, tile| {
        let (mut even, mut odd) = ([0.0; LANES], [0.0; LANES]);
        let pairs = u
            .chunks_exact(2)
            .zip(tile.chunks_exact(2 * LANES))
            .zip(param.chunks_exact(2));
        for ((uk, cols), p) in pairs {
            let (c0, c1) = cols.split_at(LANES);
            for l in 0..LANES {
                even[l] += term(uk[0], c0[l], p[0]);
                odd[l] += term(uk[1], c1[l], p[1]);
            }
        }
        let mut s = [0.0; LANES];
        for l in 0..LANES {
            s[l] = even[l] + odd[l];
        }
        if u.len() % 2 == 1 {
            let k = u.len() - 1;
            for l in 0..LANES {
                s[l] += term(u[k], tile[k * LANES + l], param[k]);
            }
        }
        (s, [0.0; LANES])
    }
}

/// `sum(f(k))` for k < m in the order of scipy's vectorised C loops: even and
/// odd terms apart, `(even + odd) + last` (the last term only when m is odd).
#[inline]
pub(crate) fn split_sum(m: usize, f: impl Fn(usize) -> f64) -> f64 {
    let (mut even, mut odd) = (0.0, 0.0);
    for q in 0..m / 2 {
        even += f(2 * q);
        odd += f(2 * q + 1);
    }
    let s = even + odd;
    if m % 2 == 1 {
        s + f(m - 1)
    } else {
        s
    }
}

/// The vectorised kernel: `sums(u, tile)` gives the running sums of one row
/// against the [`LANES`] rows of a tile, and `finish(a, b, i, j)` the
/// distance from pair (i, j)'s sums.
///
/// The tiles hold [`LANES`] rows each, stored feature by feature, so that
/// one row is compared with [`LANES`] rows in vector registers while each
/// pair's sums still run over the features in scipy's order. Each task
/// handles a few consecutive rows against one tile at a time, so the tile
/// stays in the L1 cache.
pub(super) fn tiled<T, S, F>(x: &Obs, out: &mut [T], sums: S, finish: F) -> bool
where
    T: Real,
    S: Fn(&[f64], &[f64]) -> LaneSums + Sync,
    F: Fn(f64, f64, usize, usize) -> f64 + Sync,
{
    tiled_with_minima(x, out, None, sums, finish)
}

/// [`tiled`], and with `minima` (one entry per row, n - 1), each row's
/// first smallest value and its position in the row ([`first_min`]),
/// found while the row group is still in cache.
pub(super) fn tiled_with_minima<T, S, F>(
    x: &Obs,
    out: &mut [T],
    minima: Option<&mut [RowMin]>,
    sums: S,
    finish: F,
) -> bool
where
    T: Real,
    S: Fn(&[f64], &[f64]) -> LaneSums + Sync,
    F: Fn(f64, f64, usize, usize) -> f64 + Sync,
{
    let (n, m) = (x.n, x.m);
    let tile_len = m * LANES;
    let mut tiles = vec![0.0; n.div_ceil(LANES) * tile_len];
    if tile_len > 0 {
        tiles
            .par_chunks_mut(tile_len)
            .enumerate()
            .for_each(|(b, tile)| {
                for j in b * LANES..((b + 1) * LANES).min(n) {
                    for (k, &v) in x.row(j).iter().enumerate() {
                        tile[k * LANES + j % LANES] = v;
                    }
                }
            });
    }
    let job = TileJob {
        x,
        tiles: &tiles,
        sums,
        finish,
    };
    #[cfg(target_arch = "x86_64")]
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    let stop = crate::cancel::current();
    let groups = row_groups(n, out);
    let minima = group_minima(&groups, minima);
    groups
        .into_par_iter()
        .zip(minima)
        .map(|((i0, i1, chunk), minima)| {
            if stop.as_ref().is_some_and(crate::Cancel::is_cancelled) {
                return true;
            }
            #[cfg(target_arch = "x86_64")]
            let valid = if avx2 {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { job.group_avx2(i0, i1, chunk) }
            } else {
                job.group(i0, i1, chunk)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let valid = job.group(i0, i1, chunk);
            if let Some(minima) = minima {
                row_minima(n, i0, chunk, minima);
            }
            valid
        })
        .reduce(|| true, |a, b| a & b)
}

/// `minima` (one entry per row) cut to match `groups`: each group's rows,
/// or `None` for every group when there is nothing to fill.
fn group_minima<'m, T>(
    groups: &[(usize, usize, &mut [T])],
    minima: Option<&'m mut [RowMin]>,
) -> Vec<Option<&'m mut [RowMin]>> {
    let Some(mut rest) = minima else {
        return groups.iter().map(|_| None).collect();
    };
    groups
        .iter()
        .map(|&(i0, i1, _)| {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(i1 - i0);
            rest = tail;
            Some(head)
        })
        .collect()
}

/// Each row's [`first_min`] in `chunk`, the rows from `i0` on, one entry of
/// `minima` each.
fn row_minima<T: Real>(n: usize, i0: usize, chunk: &[T], minima: &mut [RowMin]) {
    let base = row_start(n, i0);
    for (k, m) in minima.iter_mut().enumerate() {
        let i = i0 + k;
        let start = row_start(n, i) - base;
        *m = first_min(&chunk[start..start + (n - i - 1)]);
    }
}

/// The data of one [`tiled`] computation.
struct TileJob<'a, S, F> {
    x: &'a Obs<'a>,
    tiles: &'a [f64],
    sums: S,
    finish: F,
}

impl<S, F> TileJob<'_, S, F>
where
    S: Fn(&[f64], &[f64]) -> LaneSums,
    F: Fn(f64, f64, usize, usize) -> f64,
{
    /// Fills `chunk`, rows `[i0, i1)` of the condensed matrix; returns
    /// whether all its values are valid.
    #[inline(always)]
    fn group<T: Real>(&self, i0: usize, i1: usize, chunk: &mut [T]) -> bool {
        let (n, m) = (self.x.n, self.x.m);
        let tile_len = m * LANES;
        let base = row_start(n, i0);
        for b in (i0 + 1) / LANES..n.div_ceil(LANES) {
            let tile = &self.tiles[b * tile_len..(b + 1) * tile_len];
            let j0 = b * LANES;
            for i in i0..(i1.min(j0 + LANES - 1)) {
                let (a, c) = (self.sums)(self.x.row(i), tile);
                let row = row_start(n, i) - base;
                if j0 > i && j0 + LANES <= n {
                    // The whole tile is on row i: a contiguous store.
                    let dst = &mut chunk[row + j0 - i - 1..][..LANES];
                    for (l, d) in dst.iter_mut().enumerate() {
                        *d = T::from_f64((self.finish)(a[l], c[l], i, j0 + l));
                    }
                } else {
                    for l in 0..LANES {
                        let j = j0 + l;
                        if j > i && j < n {
                            chunk[row + j - i - 1] = T::from_f64((self.finish)(a[l], c[l], i, j));
                        }
                    }
                }
            }
        }
        all_valid(chunk)
    }

    /// [`Self::group`] compiled for AVX2: the same operations, 4 lanes wide
    /// (no FMA, so every result is identical).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn group_avx2<T: Real>(&self, i0: usize, i1: usize, chunk: &mut [T]) -> bool {
        self.group(i0, i1, chunk)
    }
}
