//! A brute-force [`NeighbourSource`] on a square matrix: the reference
//! semantics of the GPU's nearest-neighbour reductions, for the CPU-only
//! tests of the algorithms that use them.

use super::rounds::{Candidates, NeighbourSource, CANDIDATES};
use super::working::WorkingMatrix;
use crate::error::Result;

/// The full square matrix and the active flags, scanned row by row.
pub(crate) struct BruteSource {
    n: usize,
    d: Vec<f64>,
    active: Vec<bool>,
    /// Rows asked for, in all.
    pub rows_asked: usize,
    /// Whether it holds the f32 roundings of the distances, as a device
    /// without f64 does, and answers with every slot at the row's rounded
    /// minimum.
    rounded: bool,
}

impl BruteSource {
    /// The square matrix of the condensed `condensed` of n observations.
    pub fn new(n: usize, condensed: &[f64]) -> Self {
        let w = WorkingMatrix::new(n, condensed.to_vec());
        let mut d = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    d[i * n + j] = w.get(i, j);
                }
            }
        }
        BruteSource {
            n,
            d,
            active: vec![true; n],
            rows_asked: 0,
            rounded: false,
        }
    }

    /// The same holding every distance rounded to f32 (a device without
    /// f64): its answers are candidates, as the GPU's reduction gives them.
    pub fn rounded_f32(n: usize, condensed: &[f64]) -> Self {
        let mut s = BruteSource::new(n, condensed);
        s.d.iter_mut().for_each(|v| *v = *v as f32 as f64);
        s.rounded = true;
        s
    }

    /// The answer for row r among `from..n`: the exact scan's, or in f32
    /// every slot at the row's held minimum (the first [`CANDIDATES`] and
    /// how many there are).
    fn answer(&self, r: usize, from: usize) -> Candidates {
        if !self.rounded {
            return Candidates::exact(self.scan(r, from));
        }
        let Some(j) = self.scan(r, from) else {
            return Candidates::listed(&[], 0);
        };
        let m = self.d[r * self.n + j];
        let all: Vec<u32> = (from..self.n)
            .filter(|&k| k != r && self.active[k] && self.d[r * self.n + k] == m)
            .map(|k| k as u32)
            .collect();
        Candidates::listed(&all[..all.len().min(CANDIDATES)], all.len())
    }

    /// The nearest active column of row r among `from..n` (strict `<` in
    /// ascending order: ties to the lowest column, NaN never chosen).
    fn scan(&self, r: usize, from: usize) -> Option<usize> {
        let n = self.n;
        let mut best = (f64::INFINITY, None);
        for j in (from..n).filter(|&j| j != r && self.active[j]) {
            if self.d[r * n + j] < best.0 {
                best = (self.d[r * n + j], Some(j));
            }
        }
        best.1
    }
}

impl NeighbourSource for BruteSource {
    fn update(&mut self, slots: &[usize], rows: &[f64], active: &[bool]) -> Result<()> {
        let n = self.n;
        for (row, &s) in rows.chunks_exact(n).zip(slots) {
            for (j, &v) in row.iter().enumerate() {
                let v = if self.rounded { v as f32 as f64 } else { v };
                self.d[s * n + j] = v;
                self.d[j * n + s] = v;
            }
        }
        self.active = active.to_vec();
        Ok(())
    }

    fn nearest(&mut self, rows: &[usize]) -> Result<Vec<Candidates>> {
        self.rows_asked += rows.len();
        Ok(rows.iter().map(|&r| self.answer(r, 0)).collect())
    }

    fn nearest_above(&mut self, rows: &[usize]) -> Result<Vec<Candidates>> {
        self.rows_asked += rows.len();
        Ok(rows.iter().map(|&r| self.answer(r, r + 1)).collect())
    }
}

/// A deterministic pseudo-random condensed matrix of n points in 3-D;
/// with `grid`, the points lie on a 4 x 4 x 4 integer grid (many ties).
pub(crate) fn points(n: usize, seed: u64, grid: bool) -> Vec<f64> {
    let mut rng = crate::test_rng::Lcg(seed);
    let mut next = || {
        let u = rng.uniform();
        if grid {
            (u * 4.0).floor()
        } else {
            u
        }
    };
    let p: Vec<[f64; 3]> = (0..n).map(|_| [next(), next(), next()]).collect();
    let mut y = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let d2: f64 = (0..3).map(|k| (p[i][k] - p[j][k]).powi(2)).sum();
            y.push(d2.sqrt());
        }
    }
    y
}

/// [`points`] without ties.
pub(crate) fn random_points(n: usize, seed: u64) -> Vec<f64> {
    points(n, seed, false)
}
