//! The generic algorithm (centroid, median) with its scans on a
//! [`NeighbourSource`], the GPU's nearest-neighbour reductions.
//!
//! The driver is the CPU's [`super::generic::generic`], unchanged: the same
//! heap, the same lazy rescans, the same order of operations. Only the
//! scans "nearest active slot above x" go to the source: all n - 1 at once
//! at the start, then one row each time the heap's minimum is stale and for
//! the merged slot. The Lance-Williams update of the merged slot's row runs
//! on the CPU with scipy's arithmetic, and that one row goes back to the
//! source before the next scan. Since the source breaks ties as the CPU
//! scan does (lowest slot; the source's answers are candidates that the
//! CPU resolves with its own values: see
//! [`super::rounds::Candidates`]), Z is the CPU's to the bit, ties
//! included, whether the source holds the values or their f32 roundings.
//!
//! Centroid and median are not reducible, so there are no rounds: every
//! merge is one write and one or two scans, in order.

use ndarray::Array2;

use super::generic::{generic, GenericStore, MergeStep, Merged};
use super::method::Method;
use super::rounds::{Candidates, NeighbourSource};
use super::working::{Nearest, WorkingMatrix};
use crate::error::Result;
use crate::precision::Real;

/// The condensed matrix on the CPU for the updates, and its copy in the
/// source for the scans.
struct SourcedMatrix<'s, T: Real> {
    w: WorkingMatrix<T>,
    source: &'s mut dyn NeighbourSource,
    is_active: Vec<bool>,
    row: Vec<f64>,
}

impl<T: Real> SourcedMatrix<'_, T> {
    /// The source's answer for row x (its nearest of the active slots
    /// `above` x), resolved with the CPU's exact values, as a [`Nearest`].
    fn to_nearest(&self, x: usize, found: Candidates, above: &[usize]) -> Nearest {
        let found = found.resolve(|j| self.w.get(x, j), || self.w.nearest(x, above).slot());
        match found {
            Some(j) => Nearest {
                dist: self.w.get(x, j),
                index: j,
            },
            None => Nearest::NONE,
        }
    }
}

impl<T: Real> GenericStore for SourcedMatrix<'_, T> {
    fn distance(&self, x: usize, y: usize) -> f64 {
        self.w.get(x, y)
    }

    fn nearest_among(&mut self, x: usize, candidates: &[usize]) -> Result<Nearest> {
        // The candidates are exactly the active slots above x.
        if candidates.is_empty() {
            return Ok(Nearest::NONE);
        }
        let found = self.source.nearest_above(&[x])?;
        Ok(self.to_nearest(x, found[0], candidates))
    }

    fn nearest_above_each(&mut self, active: &[usize]) -> Result<Vec<Nearest>> {
        let rows = &active[..active.len().saturating_sub(1)];
        let found = self.source.nearest_above(rows)?;
        Ok(rows
            .iter()
            .zip(found)
            .enumerate()
            .map(|(k, (&x, f))| self.to_nearest(x, f, &active[k + 1..]))
            .collect())
    }

    fn merge(&mut self, step: &MergeStep<'_>) -> Result<Merged> {
        // the host matrix's update finds y's nearest above it, from the
        // exact values that resolve the device's answers too (`to_nearest`)
        let merged = self.w.merge(step)?;
        let (x, y) = (step.x, step.y);
        self.is_active[x] = false;
        self.row.iter_mut().for_each(|v| *v = 0.0);
        for &j in step.active {
            if j != y {
                self.row[j] = self.w.get(y, j);
            }
        }
        self.source.update(&[y], &self.row, &self.is_active)?;
        Ok(merged)
    }
}

/// Centroid or median linkage of the condensed matrix `d` of n
/// observations, which `source` already holds, with the scans on `source`.
/// Rows in merge order, as [`super::generic::generic`] returns them.
///
/// # Errors
/// The errors of `source`; as the generic algorithm for NaN distances.
pub(crate) fn generic_with_source<T: Real>(
    n: usize,
    d: Vec<T>,
    method: Method,
    source: &mut dyn NeighbourSource,
) -> Result<Array2<f64>> {
    let store = SourcedMatrix {
        w: WorkingMatrix::new(n, d),
        source,
        is_active: vec![true; n],
        row: vec![0.0; n],
    };
    generic(store, n, method, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::brute_source::{points, BruteSource};
    use crate::linkage::linkage_condensed;
    use crate::CondensedMatrix;

    #[test]
    fn equals_the_cpu_generic_algorithm_bit_for_bit_ties_included() {
        for (n, seed, grid) in [(60, 1, false), (97, 2, false), (80, 3, true), (2, 4, false)] {
            let d = points(n, seed, grid);
            let y = CondensedMatrix::new(d.clone()).unwrap();
            for method in [Method::Centroid, Method::Median] {
                let mut source = BruteSource::new(n, &d);
                let z = generic_with_source(n, d.clone(), method, &mut source).unwrap();
                let cpu = linkage_condensed(&y, method).unwrap();
                assert_eq!(z, cpu, "n = {n}, grid = {grid}, {method}");
                // one batch at the start, then a few rows per merge
                assert!(source.rows_asked <= n + 4 * n, "{}", source.rows_asked);
            }
        }
    }

    #[test]
    fn a_source_holding_f32_roundings_still_gives_the_exact_z() {
        // Distances that collide in f32 (1 + k * 2^-40 all round to 1):
        // only the CPU's exact values can order them.
        for (n, seed, grid) in [(60, 5, false), (80, 6, true)] {
            let mut d = points(n, seed, grid);
            for (k, v) in d.iter_mut().enumerate().step_by(7) {
                *v = 1.0 + (k % 13) as f64 * 2f64.powi(-40);
            }
            let y = CondensedMatrix::new(d.clone()).unwrap();
            for method in [Method::Centroid, Method::Median] {
                let mut source = BruteSource::rounded_f32(n, &d);
                let z = generic_with_source(n, d.clone(), method, &mut source).unwrap();
                assert_eq!(
                    z,
                    linkage_condensed(&y, method).unwrap(),
                    "n = {n} {method}"
                );
            }
        }
    }

    #[test]
    fn f32_storage_matches_the_cpu_f32_path() {
        let n = 70;
        let d = points(n, 9, false);
        let narrow: Vec<f32> = d.iter().map(|&v| v as f32).collect();
        let y = CondensedMatrix::new(narrow.clone()).unwrap();
        let wide: Vec<f64> = narrow.iter().map(|&v| f64::from(v)).collect();
        let mut source = BruteSource::new(n, &wide);
        let z = generic_with_source(n, narrow, Method::Centroid, &mut source).unwrap();
        assert_eq!(z, linkage_condensed(&y, Method::Centroid).unwrap());
    }
}
