//! The brute-force side of Borůvka's algorithm ([`super::boruvka`]) for
//! euclidean data of many features, where a kd-tree prunes little.
//!
//! Prim's algorithm streams the whole data set once per point (at
//! n = 100,000 and d = 32, some 1.3 TB from memory). Here every pair is
//! computed once, block against block: two blocks of 64 points whose
//! coordinates sit in the first cache level, the second block stored
//! feature-major so that each feature of a point of the first meets 16
//! points of the second in vector registers. Each pair's squared distance
//! is still pdist's sum in feature order (the lanes are other pairs, never
//! other features, and no fused multiply-add), so the heights stay pdist's
//! to the bit. That pass keeps every point's K nearest neighbours; the
//! rounds then take candidates from those lists, and only the points
//! whose lists lie wholly inside their component scan the data again.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::boruvka::{offer, Best, Source, K};
use super::rows::squared_euclidean_from;
use crate::spatial::kdtree::NONE;

/// Points per block.
const BLOCK: usize = 64;
/// Columns of a block handled together (the vector lanes).
const LANES: usize = 16;

/// The observations, row-major, for euclidean distances.
pub(crate) struct DenseSource<'a> {
    data: &'a [f64],
    n: usize,
    m: usize,
}

impl<'a> DenseSource<'a> {
    /// The rows of `data` (n x m, row-major).
    pub fn new(data: &'a [f64], n: usize, m: usize) -> Self {
        DenseSource { data, n, m }
    }

    fn row(&self, p: usize) -> &[f64] {
        &self.data[p * self.m..(p + 1) * self.m]
    }
}

/// Squared distances of rows `rows` (each m values, row-major) against the
/// block `cols` stored feature-major (`m` x `width`, width <= BLOCK), into
/// `out[r * BLOCK + c]`.
#[inline(always)]
fn tile_body(rows: &[f64], m: usize, count: usize, cols: &[f64], width: usize, out: &mut [f64]) {
    for r in 0..count {
        let x = &rows[r * m..(r + 1) * m];
        let mut c0 = 0;
        while c0 < width {
            let w = LANES.min(width - c0);
            let mut acc = [0.0f64; LANES];
            for (k, &xv) in x.iter().enumerate() {
                let y = &cols[k * BLOCK + c0..k * BLOCK + c0 + LANES];
                for l in 0..LANES {
                    let t = xv - y[l];
                    acc[l] += t * t;
                }
            }
            out[r * BLOCK + c0..r * BLOCK + c0 + w].copy_from_slice(&acc[..w]);
            c0 += LANES;
        }
    }
}

/// [`tile_body`] compiled for AVX2 (the same operations, wider registers).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tile_avx2(
    rows: &[f64],
    m: usize,
    count: usize,
    cols: &[f64],
    width: usize,
    out: &mut [f64],
) {
    tile_body(rows, m, count, cols, width, out)
}

fn tile(rows: &[f64], m: usize, count: usize, cols: &[f64], width: usize, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { tile_avx2(rows, m, count, cols, width, out) };
    }
    tile_body(rows, m, count, cols, width, out)
}

impl DenseSource<'_> {
    /// Block `b`'s points feature-major (`m` x BLOCK, zero-padded).
    fn transposed(&self, b: usize) -> Vec<f64> {
        let (m, start) = (self.m, b * BLOCK);
        let width = BLOCK.min(self.n - start);
        let mut t = vec![0.0; m * BLOCK];
        for c in 0..width {
            for (k, v) in self.row(start + c).iter().enumerate() {
                t[k * BLOCK + c] = *v;
            }
        }
        t
    }
}

impl Source for DenseSource<'_> {
    fn originals(&self) -> Vec<u32> {
        (0..self.n as u32).collect()
    }

    /// Every pair once, block pair by block pair; each task keeps lists
    /// for all points, merged at the end.
    fn k_nearest_all(&self) -> Vec<[Best; K]> {
        let (n, m) = (self.n, self.m);
        let blocks = n.div_ceil(BLOCK);
        let transposed: Vec<Vec<f64>> = (0..blocks)
            .into_par_iter()
            .map(|b| self.transposed(b))
            .collect();
        let tasks = (4 * rayon::current_num_threads()).max(1);
        let fresh = || vec![[Best::NONE; K]; n];
        // A cancelled run skips the remaining blocks: its caller stops at
        // its next check.
        let stop = crate::cancel::current();
        let lists = (0..blocks)
            .into_par_iter()
            .with_min_len(blocks.div_ceil(tasks).max(1))
            .fold(fresh, |mut lists, bi| {
                if stop.as_ref().is_some_and(crate::Cancel::is_cancelled) {
                    return lists;
                }
                let start = bi * BLOCK;
                let count = BLOCK.min(n - start);
                let rows = &self.data[start * m..(start + count) * m];
                let mut out = vec![0.0f64; BLOCK * BLOCK];
                for (bj, cols) in transposed.iter().enumerate().skip(bi) {
                    let cstart = bj * BLOCK;
                    let width = BLOCK.min(n - cstart);
                    tile(rows, m, count, cols, width, &mut out);
                    for r in 0..count {
                        let p = start + r;
                        let first = if bj == bi { r + 1 } else { 0 };
                        for c in first..width {
                            let q = cstart + c;
                            let key = out[r * BLOCK + c];
                            offer(&mut lists[p], Best { key, q: q as u32 });
                            offer(&mut lists[q], Best { key, q: p as u32 });
                        }
                    }
                }
                lists
            })
            .reduce(fresh, |mut a, b| {
                for (la, lb) in a.iter_mut().zip(b) {
                    for c in lb {
                        if c.q != NONE {
                            offer(la, c);
                        }
                    }
                }
                a
            });
        lists
    }

    fn begin_round(&mut self, _comp: &[u32]) {}

    fn groups(&self) -> Vec<std::ops::Range<usize>> {
        (0..self.n)
            .step_by(BLOCK)
            .map(|s| s..(s + BLOCK).min(self.n))
            .collect()
    }

    /// Every point of another component, 256 at a time.
    fn nearest_other(
        &self,
        p: usize,
        comp: &[u32],
        bound: &[AtomicU64],
        stack: &mut Vec<(u32, f64)>,
    ) -> (Best, f64) {
        let _ = stack;
        let cp = comp[p];
        let shared = &bound[cp as usize];
        let x = self.row(p);
        let mut best = Best::NONE;
        let mut idx = Vec::with_capacity(256);
        let mut out = [0.0f64; 256];
        let mut lim = f64::from_bits(shared.load(Ordering::Relaxed));
        let mut q0 = 0;
        while q0 < self.n {
            idx.clear();
            idx.extend((q0..(q0 + 256).min(self.n)).filter(|&q| comp[q] != cp));
            q0 += 256;
            if idx.is_empty() {
                continue;
            }
            let out = &mut out[..idx.len()];
            squared_euclidean_from(self.data, self.m, x, &idx, out);
            for (&q, &key) in idx.iter().zip(out.iter()) {
                if key <= lim && (key < best.key || (key == best.key && (q as u32) < best.q)) {
                    best = Best { key, q: q as u32 };
                }
            }
            lim = best.key.min(f64::from_bits(shared.load(Ordering::Relaxed)));
        }
        if best.q != NONE {
            shared.fetch_min(best.key.to_bits(), Ordering::Relaxed);
        }
        (best, lim)
    }

    fn finish(&self, key: f64) -> f64 {
        key.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::super::boruvka::boruvka_dense_mst;
    use crate::linkage::single_euclidean;
    use ndarray::Array2;

    #[test]
    fn blocked_boruvka_is_prim_to_the_bit() {
        // Sizes around the block and lane widths, with a duplicate.
        for (n, m) in [(2, 1), (3, 40), (65, 17), (130, 33), (300, 20)] {
            let mut x = Array2::from_shape_fn((n, m), |(i, j)| {
                ((i as f64 * 12.9898 + j as f64 * 78.233).sin() * 43758.5453).fract()
            });
            if n > 10 {
                let r = x.row(3).to_owned();
                x.row_mut(7).assign(&r);
            }
            let data = x.as_slice().unwrap();
            let z = boruvka_dense_mst(data, n, m).unwrap().into_z(n);
            assert_eq!(z, single_euclidean(x.view()).unwrap(), "n = {n}, m = {m}");
        }
    }
}
