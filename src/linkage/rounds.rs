//! Linkage by rounds of reciprocal nearest neighbours, for backends that
//! find nearest neighbours in batches (the GPU): single, complete, average,
//! weighted and ward.
//!
//! Each round, a [`NeighbourSource`] finds the nearest active neighbour of
//! a batch of slots whose neighbour is not known; then every reciprocal
//! pair (x's nearest is y and y's nearest is x) is merged, one after
//! another, lower slot first, with scipy's Lance-Williams arithmetic
//! ([`Method::update`]) on the CPU copy of the matrix, keeping every known
//! neighbour exact with the rule of [`WorkingMatrix::update_row`]; the rows
//! of the new clusters go back to the source in one batch. The merges then
//! go through the same stable sort and relabelling as the CPU algorithms.
//!
//! # Why merging all reciprocal pairs of a round gives the same tree
//!
//! The five methods are *reducible*: for clusters x, y and i,
//!
//! ```text
//! d(i, x ∪ y) >= min(d(i, x), d(i, y))
//! ```
//!
//! so merging x and y never brings the new cluster nearer to anything than
//! x or y was. If (a, b) is a reciprocal pair, merging some other pair
//! (x, y) cannot give a or b a nearer neighbour: d(a, x ∪ y) >= min(d(a,
//! x), d(a, y)) >= d(a, b). So (a, b) stays reciprocal until it is merged,
//! and with distinct distances the nearest-neighbour chain (scipy's
//! algorithm) merges exactly the same pairs at the same heights, only in
//! another order. The order changes the last bits of some heights (floating
//! point sums in another order); ids and counts are the same on data
//! without ties. With ties, several dendrograms are correct and the one
//! found here may differ from scipy's.
//!
//! # Cost
//!
//! A slot whose neighbour became unknown (it was one of a merged pair)
//! keeps its old neighbour distance as a lower bound (reducibility again).
//! A round computes the unknown slots whose bound does not exceed the
//! smallest known neighbour distance (those are needed to be sure of
//! progress), plus, by smallest bound, enough others to make the batch
//! twice as large as the last round's merges (so that rounds that merge
//! many pairs keep the device busy). So a round that merges little computes
//! little: a chain of points (one reciprocal pair per round) costs O(n) per
//! round and O(n^2) in all, and a star (one cluster absorbing one point per
//! round, invalidating many neighbours) does not recompute every
//! invalidated slot each round. (A larger fixed minimum batch was tried: on
//! random data it did not reduce the number of rounds, only added work.)

// Only the GPU backend uses rounds (its tests run without it too).
#![cfg_attr(not(feature = "gpu"), allow(dead_code))]

use ndarray::Array2;

use super::method::Method;
use super::relabel::{sort_and_label, SlotMerge};
use super::working::{remove_sorted, Nearest, WorkingMatrix};
use crate::error::Result;

/// A cache entry's index when the slot's nearest neighbour is known not to
/// exist (every distance from it is NaN or infinite).
const NO_NEIGHBOUR: usize = usize::MAX - 1;

/// How many candidates a source returns per row at most.
pub(crate) const CANDIDATES: usize = 8;

/// A source's answer for one row: the slots that may be its nearest
/// neighbour, for the caller to decide among with the exact distances.
///
/// # Why the exact nearest neighbour is among the candidates
///
/// A source may hold a rounding of the exact matrix (f32 on a device
/// without f64) and not the values themselves. Rounding to nearest is
/// monotone: a <= b gives round(a) <= round(b). So the exact nearest
/// neighbour j* of a row (the smallest exact distance, lowest slot on
/// ties) has round(d(r, j*)) <= round(d(r, k)) for every k: its rounded
/// value equals the row's rounded minimum, and so does every slot tied
/// with it exactly. A source that returns every slot whose held value
/// equals the row's held minimum therefore returns j* and all its exact
/// ties, and the caller's choice among them by exact distance, ties to
/// the lowest slot, is the exact scan's answer. Where the source cannot
/// list them all (more than [`CANDIDATES`], or a held minimum that is not
/// finite, as when finite distances overflow f32), the caller scans the
/// exact row itself. A source holding the exact values returns the one
/// answer of the exact scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidates {
    slots: [u32; CANDIDATES],
    len: u8,
    complete: bool,
}

impl Candidates {
    /// The exact scan's answer (a source holding the exact values).
    #[cfg(test)]
    pub fn exact(found: Option<usize>) -> Self {
        match found {
            Some(j) => Candidates::listed(&[j as u32], 1),
            None => Candidates {
                slots: [0; CANDIDATES],
                len: 0,
                complete: true,
            },
        }
    }

    /// The first of `total` slots whose held value equals the row's held
    /// minimum (`slots.len() = min(total, CANDIDATES)`); `total = 0`: the
    /// held minimum was not finite, so the caller scans.
    pub fn listed(slots: &[u32], total: usize) -> Self {
        let mut c = Candidates {
            slots: [0; CANDIDATES],
            len: slots.len().min(CANDIDATES) as u8,
            complete: total > 0 && total <= CANDIDATES,
        };
        c.slots[..c.len as usize].copy_from_slice(&slots[..c.len as usize]);
        c
    }

    /// The listed slots, ascending, when they are all the candidates.
    #[cfg(test)]
    pub fn all_listed(&self) -> Option<Vec<u32>> {
        let mut v = self.slots[..self.len as usize].to_vec();
        v.sort_unstable();
        self.complete.then_some(v)
    }

    /// The nearest slot by the exact distances `d`: the smallest, ties to
    /// the lowest slot, NaN and infinity never chosen; `scan` gives the
    /// exact scan's answer (as [`WorkingMatrix::nearest`] gives it) where
    /// the candidates are not all listed.
    pub fn resolve(
        &self,
        d: impl Fn(usize) -> f64,
        scan: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        if !self.complete {
            return scan();
        }
        let mut best: Option<(f64, usize)> = None;
        for &j in &self.slots[..self.len as usize] {
            let (v, j) = (d(j as usize), j as usize);
            let better = match best {
                None => v < f64::INFINITY,
                Some((bv, bj)) => v < bv || (v == bv && j < bj),
            };
            if better {
                best = Some((v, j));
            }
        }
        best.map(|(_, j)| j)
    }
}

/// Finds nearest neighbours on a copy of the distance matrix that it keeps
/// up to date.
pub(crate) trait NeighbourSource {
    /// Replaces the rows and columns of `slots` with `rows` (`slots.len()`
    /// rows of n distances each, in slot order; entries of inactive slots
    /// and the diagonal are 0) and marks the slots of `active` (n flags).
    ///
    /// # Errors
    /// A failure of the device.
    fn update(&mut self, slots: &[usize], rows: &[f64], active: &[bool]) -> Result<()>;

    /// For each slot of `rows`, the candidates for its nearest active slot
    /// other than itself (see [`Candidates`]), which the caller resolves
    /// with the exact distances: the smallest distance, ties to the lowest
    /// slot, NaN and infinity never chosen.
    ///
    /// # Errors
    /// A failure of the device.
    fn nearest(&mut self, rows: &[usize]) -> Result<Vec<Candidates>>;

    /// For each slot of `rows` (ascending), the candidates for its nearest
    /// active slot above it (the generic algorithm's candidate), as
    /// [`Self::nearest`].
    ///
    /// # Errors
    /// A failure of the device.
    fn nearest_above(&mut self, rows: &[usize]) -> Result<Vec<Candidates>>;
}

/// What a run did, for tests of the cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RoundStats {
    /// Rounds (batches of merges).
    pub rounds: usize,
    /// Rows whose nearest neighbour the source computed, in all.
    pub rows_computed: usize,
}

/// Z by rounds of reciprocal nearest neighbours, for a reducible method.
///
/// `d` is the exact condensed matrix of n observations, which `source`
/// already holds (or a rounding of it: see [`Candidates`]); the merges
/// update `d` with scipy's arithmetic and send the new rows to `source`.
///
/// # Errors
/// The errors of `source`.
///
/// # Panics
/// For centroid or median (not reducible: an internal invariant of the
/// callers).
pub(crate) fn linkage_rounds(
    n: usize,
    d: Vec<f64>,
    method: Method,
    source: &mut dyn NeighbourSource,
) -> Result<(Array2<f64>, RoundStats)> {
    assert!(method.is_monotone(), "{method} is not reducible");
    let mut w = WorkingMatrix::new(n, d);
    let mut size = vec![1usize; n];
    let mut is_active = vec![true; n];
    let mut active: Vec<usize> = (0..n).collect();
    // Unknown entries (index usize::MAX) keep a lower bound in `dist`:
    // -inf before the first computation.
    let mut cache = vec![
        Nearest {
            dist: f64::NEG_INFINITY,
            index: usize::MAX,
        };
        n
    ];
    let mut merges: Vec<SlotMerge> = Vec::with_capacity(n.saturating_sub(1));
    let mut stats = RoundStats::default();
    let mut last_merges = 0usize;

    while active.len() > 1 {
        crate::cancel::check()?;
        stats.rounds += 1;
        let batch = pick_batch(&active, &cache, 2 * last_merges);
        compute(&w, source, &batch, &active, &mut cache, &mut stats)?;
        let mut pairs = reciprocal_pairs(&active, &cache);
        if pairs.is_empty() {
            // Only when a needed slot was left out (rounding can dent the
            // lower bounds by an ulp): compute every unknown slot.
            let rest: Vec<usize> = active
                .iter()
                .copied()
                .filter(|&i| cache[i].index == usize::MAX)
                .collect();
            compute(&w, source, &rest, &active, &mut cache, &mut stats)?;
            pairs = reciprocal_pairs(&active, &cache);
        }
        if pairs.is_empty() {
            // Every remaining distance is NaN or infinite: merge the two
            // lowest slots, as the nearest-neighbour chain does.
            pairs.push((active[0], active[1]));
        }

        let mut changed = Vec::with_capacity(pairs.len());
        for (k, &(x, y)) in pairs.iter().enumerate() {
            // An earlier merge of this round can only have moved x's or y's
            // neighbour to a distance tie (or an ulp below, by rounding):
            // then the pair waits for the next round. The first pair of a
            // round always merges.
            if k > 0 && (cache[x].index != y || cache[y].index != x) {
                continue;
            }
            let dist = w.get(x, y);
            merges.push(SlotMerge { a: x, b: y, dist });
            let (nx, ny) = (size[x], size[y]);
            size[x] = 0;
            size[y] = nx + ny;
            is_active[x] = false;
            remove_sorted(&mut active, x);
            let size_ref = &size;
            let update =
                |dxi: f64, dyi: f64, i: usize| method.update(dxi, dyi, dist, nx, ny, size_ref[i]);
            let best = w.update_row(x, y, &active, update, Some(&mut cache)).best;
            cache[y] = if best.index == usize::MAX {
                Nearest {
                    dist: f64::INFINITY,
                    index: NO_NEIGHBOUR,
                }
            } else {
                best
            };
            changed.push(y);
        }
        last_merges = changed.len();

        if active.len() > 1 {
            changed.sort_unstable();
            let mut rows = vec![0.0; changed.len() * n];
            for (row, &y) in rows.chunks_exact_mut(n).zip(&changed) {
                for &j in &active {
                    if j != y {
                        row[j] = w.get(y, j);
                    }
                }
            }
            source.update(&changed, &rows, &is_active)?;
        }
    }
    Ok((sort_and_label(merges, n), stats))
}

/// The unknown slots to compute this round: those whose lower bound is at
/// most the smallest known neighbour distance, then more by smallest bound
/// (lowest slot on ties) until there are `floor` of them.
fn pick_batch(active: &[usize], cache: &[Nearest], floor: usize) -> Vec<usize> {
    let mu = active
        .iter()
        .map(|&i| cache[i])
        .filter(|e| e.index != usize::MAX)
        .fold(f64::INFINITY, |m, e| if e.dist < m { e.dist } else { m });
    let mut unknown: Vec<(f64, usize)> = active
        .iter()
        .filter(|&&i| cache[i].index == usize::MAX)
        .map(|&i| (cache[i].dist, i))
        .collect();
    if unknown.len() <= floor {
        return unknown.into_iter().map(|(_, i)| i).collect();
    }
    unknown.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut batch: Vec<usize> = unknown
        .iter()
        .enumerate()
        .take_while(|&(k, &(bound, _))| k < floor || bound <= mu)
        .map(|(_, &(_, i))| i)
        .collect();
    batch.sort_unstable();
    batch
}

/// Asks `source` for the nearest neighbours of `rows`, resolves its
/// candidates with the exact distances, and caches the answers.
fn compute(
    w: &WorkingMatrix,
    source: &mut dyn NeighbourSource,
    rows: &[usize],
    active: &[usize],
    cache: &mut [Nearest],
    stats: &mut RoundStats,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let found = source.nearest(rows)?;
    debug_assert_eq!(found.len(), rows.len());
    for (&i, f) in rows.iter().zip(found) {
        let f = f.resolve(|j| w.get(i, j), || w.nearest(i, active).slot());
        cache[i] = match f {
            Some(j) => Nearest {
                dist: w.get(i, j),
                index: j,
            },
            None => Nearest {
                dist: f64::INFINITY,
                index: NO_NEIGHBOUR,
            },
        };
    }
    stats.rows_computed += rows.len();
    Ok(())
}

/// The reciprocal pairs (x, y), x < y, ascending in x.
fn reciprocal_pairs(active: &[usize], cache: &[Nearest]) -> Vec<(usize, usize)> {
    active
        .iter()
        .filter_map(|&x| {
            let y = cache[x].index;
            (y < NO_NEIGHBOUR && x < y && cache[y].index == x).then_some((x, y))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distance::CondensedMatrix;
    use crate::linkage::brute_source::{random_points, BruteSource};
    use crate::linkage::linkage_condensed;

    fn run(n: usize, y: &[f64], method: Method) -> (Array2<f64>, RoundStats) {
        let mut source = BruteSource::new(n, y);
        linkage_rounds(n, y.to_vec(), method, &mut source).unwrap()
    }

    fn assert_same(ours: &Array2<f64>, cpu: &Array2<f64>, what: &str) {
        for (i, (a, b)) in ours.outer_iter().zip(cpu.outer_iter()).enumerate() {
            let ids = a[0] == b[0] && a[1] == b[1] && a[3] == b[3];
            let h = (a[2] - b[2]).abs() <= 1e-12 * b[2].abs().max(1.0);
            assert!(ids && h, "{what}: row {i}: {a:?} vs {b:?}");
        }
    }

    const REDUCIBLE: [Method; 5] = [
        Method::Single,
        Method::Complete,
        Method::Average,
        Method::Weighted,
        Method::Ward,
    ];

    #[test]
    fn rounds_agree_with_the_cpu_algorithms_on_random_points() {
        for (n, seed) in [(2, 1), (3, 2), (17, 3), (200, 4)] {
            let y = random_points(n, seed);
            let cpu_y = CondensedMatrix::new(y.clone()).unwrap();
            for method in REDUCIBLE {
                let (z, _) = run(n, &y, method);
                let cpu = linkage_condensed(&cpu_y, method).unwrap();
                assert_same(&z, &cpu, &format!("n={n} {method}"));
            }
        }
    }

    #[test]
    fn a_source_holding_f32_roundings_gives_the_exact_z() {
        // Many distances that collide in f32 (1 + k * 2^-40 all round to
        // 1.0): the candidates carry them, the exact values decide.
        for (n, seed, grid) in [(40, 11, false), (120, 12, false), (64, 13, true)] {
            let mut y = random_points(n, seed);
            if grid {
                y.iter_mut().for_each(|v| *v = v.round());
            }
            for (k, v) in y.iter_mut().enumerate().step_by(5) {
                *v = 1.0 + (k % 11) as f64 * 2f64.powi(-40);
            }
            let exact = CondensedMatrix::new(y.clone()).unwrap();
            for method in REDUCIBLE {
                let mut source = BruteSource::rounded_f32(n, &y);
                let (z, _) = linkage_rounds(n, y.clone(), method, &mut source).unwrap();
                let (plain, _) = run(n, &y, method);
                assert_eq!(z, plain, "n={n} {method}: the f64 source's Z");
                if !grid {
                    let cpu = linkage_condensed(&exact, method).unwrap();
                    assert_same(&z, &cpu, &format!("n={n} {method}"));
                }
            }
        }
    }

    #[test]
    fn the_candidate_rule() {
        let d = [0.0, 3.0, 2.0, f64::NAN, 2.0, f64::INFINITY];
        let exact = |j: usize| d[j];
        let never = || -> Option<usize> { panic!("no scan needed") };
        // Ties to the lowest slot, in whatever order the slots come.
        assert_eq!(
            Candidates::listed(&[4, 2, 1], 3).resolve(exact, never),
            Some(2)
        );
        // NaN and infinity never chosen.
        assert_eq!(Candidates::listed(&[3, 5], 2).resolve(exact, never), None);
        assert_eq!(
            Candidates::listed(&[3, 5, 1], 3).resolve(exact, never),
            Some(1)
        );
        // Too many to list, or no finite held minimum: the exact scan.
        let many: Vec<u32> = (0..CANDIDATES as u32).collect();
        assert_eq!(
            Candidates::listed(&many, CANDIDATES + 1).resolve(exact, || Some(9)),
            Some(9)
        );
        assert_eq!(
            Candidates::listed(&[], 0).resolve(exact, || Some(7)),
            Some(7)
        );
        assert_eq!(Candidates::exact(None).resolve(exact, never), None);
    }

    #[test]
    fn a_chain_costs_linear_rows() {
        // Points on a line with growing gaps: single linkage merges one
        // reciprocal pair per round.
        let n = 2000;
        let mut x = vec![0.0f64; n];
        for k in 1..n {
            x[k] = x[k - 1] + 1.0 + k as f64 * 1e-3;
        }
        let mut y = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                y.push(x[j] - x[i]);
            }
        }
        let (z, stats) = run(n, &y, Method::Single);
        assert_eq!(stats.rounds, n - 1);
        assert!(stats.rows_computed <= 3 * n, "{stats:?}");
        let cpu = linkage_condensed(&CondensedMatrix::new(y).unwrap(), Method::Single).unwrap();
        assert_same(&z, &cpu, "chain");
    }

    #[test]
    fn a_star_does_not_recompute_every_invalidated_row() {
        // Observation 0 at the origin, k at r_k on its own axis: every
        // point's nearest neighbour is the cluster holding the origin, which
        // absorbs one point per round under single linkage.
        let n = 1500;
        let r: Vec<f64> = (0..n).map(|k| 1.0 + k as f64 * 1e-3).collect();
        let mut y = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                y.push(if i == 0 {
                    r[j]
                } else {
                    (r[i] * r[i] + r[j] * r[j]).sqrt()
                });
            }
        }
        let (z, stats) = run(n, &y, Method::Single);
        assert!(
            stats.rows_computed <= 4 * n,
            "{stats:?}: eager recomputation would be about n^2 / 2 rows"
        );
        let cpu = linkage_condensed(&CondensedMatrix::new(y).unwrap(), Method::Single).unwrap();
        assert_same(&z, &cpu, "star");
    }

    #[test]
    fn infinite_distances_still_merge() {
        let y = vec![f64::INFINITY, 1.0, f64::INFINITY];
        for method in REDUCIBLE {
            let (z, _) = run(3, &y, method);
            assert_eq!(z[[0, 2]], 1.0, "{method}");
            assert_eq!(z[[1, 3]], 3.0, "{method}");
        }
    }
}
