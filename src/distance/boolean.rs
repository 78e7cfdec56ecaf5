//! The boolean-family metrics: hamming, jaccard, dice, rogerstanimoto,
//! russellrao, sokalsneath and yule, as scipy 1.17 computes them on
//! floating-point input.
//!
//! scipy is not uniform here, and this module follows it exactly:
//! * hamming counts features whose *values* differ (`u[k] != v[k]`);
//! * dice is arithmetic: `ndiff = sum(u(1-v) + v(1-u))`, `ntt = sum(u v)`,
//!   so it treats non-zero as true only for 0/1 data;
//! * jaccard, rogerstanimoto, russellrao, sokalsneath and yule treat every
//!   non-zero value as true. They are computed on bit sets.

use super::kernels::pairwise;
use super::Obs;
use crate::precision::Real;

/// Which of the metrics computed from the four boolean counts.
#[derive(Debug, Clone, Copy)]
pub(super) enum Counted {
    /// `ndiff / (ntt + ndiff)`, 0 when both rows are all false.
    Jaccard,
    /// `2 ndiff / (m + ndiff)`
    RogersTanimoto,
    /// `(m - ntt) / m`
    RussellRao,
    /// `2 ndiff / (2 ndiff + ntt)`, 0/0 when both rows are all false.
    SokalSneath,
    /// `2 ntf nft / (ntt nff + ntf nft)`, 0 when `ntf nft` is 0.
    Yule,
}

/// The observations as bit sets, bit k set where feature k is non-zero.
struct BitRows {
    words: Vec<u64>,
    per_row: usize,
}

impl BitRows {
    fn new(x: &Obs) -> Self {
        let per_row = x.m.div_ceil(64).max(1);
        let mut words = vec![0u64; x.n * per_row];
        for (i, bits) in words.chunks_exact_mut(per_row).enumerate() {
            for (k, &v) in x.row(i).iter().enumerate() {
                if v != 0.0 {
                    bits[k / 64] |= 1 << (k % 64);
                }
            }
        }
        BitRows { words, per_row }
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.words[i * self.per_row..(i + 1) * self.per_row]
    }

    /// (ntt, ntf, nft) of rows i and j.
    #[inline]
    fn counts(&self, i: usize, j: usize) -> (u32, u32, u32) {
        let mut c = (0, 0, 0);
        for (&a, &b) in self.row(i).iter().zip(self.row(j)) {
            c.0 += (a & b).count_ones();
            c.1 += (a & !b).count_ones();
            c.2 += (!a & b).count_ones();
        }
        c
    }
}

/// Fills `out` with one of the count-based metrics.
pub(super) fn counted<T: Real>(x: &Obs, which: Counted, out: &mut [T]) -> bool {
    let bits = BitRows::new(x);
    let m = x.m as f64;
    pairwise(
        x.n,
        out,
        || (),
        |_, i, j| {
            let (ntt, ntf, nft) = bits.counts(i, j);
            let (ntt, ntf, nft) = (f64::from(ntt), f64::from(ntf), f64::from(nft));
            let ndiff = ntf + nft;
            match which {
                Counted::Jaccard => {
                    let denom = ntt + ndiff;
                    if denom == 0.0 {
                        0.0
                    } else {
                        ndiff / denom
                    }
                }
                Counted::RogersTanimoto => (2.0 * ndiff) / (m + ndiff),
                Counted::RussellRao => (m - ntt) / m,
                Counted::SokalSneath => (2.0 * ndiff) / (2.0 * ndiff + ntt),
                Counted::Yule => {
                    let nff = m - ntt - ntf - nft;
                    let half_r = ntf * nft;
                    let guard = if half_r == 0.0 { 1.0 } else { 0.0 };
                    (2.0 * half_r) / (ntt * nff + half_r + guard)
                }
            }
        },
    )
}

/// Fills `out` with the hamming distance: the fraction of features whose
/// values differ.
pub(super) fn hamming<T: Real>(x: &Obs, out: &mut [T]) -> bool {
    let m = x.m as f64;
    pairwise(
        x.n,
        out,
        || (),
        |_, i, j| {
            let differ = x
                .row(i)
                .iter()
                .zip(x.row(j))
                .fold(0.0, |s, (a, b)| s + if a != b { 1.0 } else { 0.0 });
            differ / m
        },
    )
}

/// Fills `out` with scipy's dice dissimilarity,
/// `ndiff / (2 ntt + ndiff)` with the arithmetic counts of the module doc.
pub(super) fn dice<T: Real>(x: &Obs, out: &mut [T]) -> bool {
    pairwise(
        x.n,
        out,
        || (),
        |_, i, j| {
            let (mut ndiff, mut ntt) = (0.0, 0.0);
            for (&a, &b) in x.row(i).iter().zip(x.row(j)) {
                ndiff += a * (1.0 - b) + b * (1.0 - a);
                ntt += a * b;
            }
            ndiff / (2.0 * ntt + ndiff)
        },
    )
}
