//! The condensed matrix as the merge loops use it: O(1) index arithmetic
//! without multiplications, and the two scans every loop needs (nearest
//! active neighbour, Lance-Williams update of one row) run on every core
//! when the rows are long, shared with helper threads that stay awake
//! through the loop ([`super::team`]).

use rayon::prelude::*;

use super::argmin::first_min;
use super::split::AdaptiveSplit;
use super::team::Team;
use crate::precision::Real;
use std::sync::OnceLock;

/// Chunk length for the parallel scans.
const CHUNK: usize = 512;

/// A condensed distance matrix being merged in place, stored in `T` (f64,
/// or f32 for half the memory). Values are read as f64, the updates are
/// computed in f64, and each new value is rounded to `T` when stored; the
/// scans and caches see the stored (rounded) values, so they stay exact.
pub(crate) struct WorkingMatrix<T: Real = f64> {
    n: usize,
    d: Vec<T>,
    /// `off[i] + j` is the condensed index of (i, j) for i < j (wrapping
    /// arithmetic: `off[0]` is "-1").
    off: Vec<usize>,
    /// One thread or all for the scans ([`Self::nearest2`]) and for the
    /// updates ([`Self::update_row_below`]), measured apart.
    scans: AdaptiveSplit,
    updates: AdaptiveSplit,
    /// The threads that share the scans and updates that are split
    /// (helpers that stay awake between merges: see [`Team`]), started by
    /// the first split, so that a matrix whose rows never split starts
    /// none.
    team: OnceLock<Team>,
}

/// The best candidate of a scan: the smallest value, ties to the lowest
/// index; `usize::MAX` when nothing was smaller than infinity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Nearest {
    pub dist: f64,
    pub index: usize,
}

impl Nearest {
    /// Nothing found (or not known yet, as a cache entry).
    pub const NONE: Nearest = Nearest {
        dist: f64::INFINITY,
        index: usize::MAX,
    };

    /// Slot x's nearest above it from [`first_min`] of its row (the
    /// distances to x + 1, x + 2, ...).
    pub fn in_row(x: usize, found: Option<(f64, usize)>) -> Nearest {
        match found {
            Some((dist, j)) => Nearest {
                dist,
                index: x + 1 + j,
            },
            None => Nearest::NONE,
        }
    }

    /// The slot found, if any.
    pub fn slot(self) -> Option<usize> {
        (self.index != usize::MAX).then_some(self.index)
    }

    /// Keeps the better of two candidates: smaller distance, then lower index.
    #[inline]
    pub fn better(self, other: Nearest) -> Nearest {
        if other.dist < self.dist || (other.dist == self.dist && other.index < self.index) {
            other
        } else {
            self
        }
    }
}

/// The two nearest neighbours of a slot, in (distance, slot) order; an
/// index of `usize::MAX` means "not known".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Top2 {
    pub best: Nearest,
    pub second: Nearest,
}

impl Top2 {
    /// Nothing known.
    pub const UNKNOWN: Top2 = Top2 {
        best: Nearest::NONE,
        second: Nearest::NONE,
    };

    /// Whether `a` comes before `b`: smaller distance, then lower slot
    /// (NaN never comes first).
    #[inline]
    fn before(a: Nearest, b: Nearest) -> bool {
        a.dist < b.dist || (a.dist == b.dist && a.index < b.index)
    }

    /// Takes (v, i) into the top two, where i comes after every slot seen
    /// so far (ascending slots: a later equal distance never comes first,
    /// so strict comparisons keep the (distance, slot) order; NaN never
    /// enters).
    #[inline(always)]
    fn push_ascending(&mut self, v: f64, i: usize) {
        if v < self.best.dist {
            self.second = self.best;
            self.best = Nearest { dist: v, index: i };
        } else if v < self.second.dist {
            self.second = Nearest { dist: v, index: i };
        }
    }

    /// The top two of both.
    pub fn merge(self, other: Top2) -> Top2 {
        let mut all = [self.best, self.second, other.best, other.second];
        all.sort_by(|a, b| {
            if Top2::before(*a, *b) {
                std::cmp::Ordering::Less
            } else if Top2::before(*b, *a) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        Top2 {
            best: all[0],
            second: all[1],
        }
    }
}

/// A per-slot record of nearest neighbours that [`WorkingMatrix::update_row`]
/// keeps exact through a merge.
pub(crate) trait MergeCache: Send {
    /// Updates the record after slots x and y merged into y, whose new
    /// distance to this slot is `v`. Only the entries of x and y changed:
    /// an entry pointing at either is gone, and (v, y) is new. What cannot
    /// be known without a scan becomes unknown.
    fn after_merge(&mut self, x: usize, y: usize, v: f64);
}

impl MergeCache for Nearest {
    /// An entry pointing at x or y becomes unknown (index `usize::MAX`),
    /// keeping its distance as a lower bound; any other known entry moves
    /// to y when (v, y) comes first.
    #[inline]
    fn after_merge(&mut self, x: usize, y: usize, v: f64) {
        if self.index == x || self.index == y {
            self.index = usize::MAX;
        } else if self.index != usize::MAX && (v < self.dist || (v == self.dist && y < self.index))
        {
            *self = Nearest { dist: v, index: y };
        }
    }
}

impl MergeCache for Top2 {
    #[inline]
    fn after_merge(&mut self, x: usize, y: usize, v: f64) {
        if self.best.index == usize::MAX {
            return;
        }
        let c = Nearest { dist: v, index: y };
        let gone = |e: Nearest| e.index == x || e.index == y;
        let second_known = self.second.index != usize::MAX && !gone(self.second);
        if !gone(self.best) {
            if second_known {
                // the old top two are still there: the new top two are among them and c
                if Top2::before(c, self.best) {
                    self.second = self.best;
                    self.best = c;
                } else if Top2::before(c, self.second) {
                    self.second = c;
                }
            } else if Top2::before(c, self.best) {
                self.second = self.best;
                self.best = c;
            } else {
                self.second = Nearest::NONE;
            }
        } else if second_known {
            // the old second is the smallest that is left
            if Top2::before(c, self.second) {
                self.best = c;
            } else {
                self.best = self.second;
                self.second = Nearest::NONE;
            }
        } else {
            *self = Top2::UNKNOWN;
        }
    }
}

/// A raw pointer that rayon tasks may share; each task writes disjoint
/// entries.
struct SharedMut<T>(*mut T);
impl<T> Clone for SharedMut<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SharedMut<T> {}
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    /// The pointer (a method, so closures capture the whole Send wrapper).
    fn get(self) -> *mut T {
        self.0
    }
}

impl<T: Real> WorkingMatrix<T> {
    /// Takes ownership of a condensed vector of n observations.
    pub fn new(n: usize, d: Vec<T>) -> Self {
        debug_assert_eq!(d.len(), n * (n - 1) / 2);
        let off = (0..n)
            .map(|i| (n * i - i * (i + 1) / 2).wrapping_sub(i + 1))
            .collect();
        WorkingMatrix {
            n,
            d,
            off,
            scans: AdaptiveSplit::default(),
            updates: AdaptiveSplit::default(),
            team: OnceLock::new(),
        }
    }

    /// The team for the split scans and updates, started on first use.
    fn team(&self) -> &Team {
        self.team.get_or_init(Team::new)
    }

    /// The number of observations.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The condensed index of (i, j), i != j.
    #[inline(always)]
    pub fn index(&self, i: usize, j: usize) -> usize {
        condensed_at(&self.off, i, j)
    }

    /// d(i, j), i != j.
    #[inline(always)]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.d[self.index(i, j)].to_f64()
    }

    /// The nearest of `candidates` (ascending slots) to x, x excluded:
    /// the strictly smallest distance, ties to the lowest slot, NaN never
    /// chosen. This is scipy's ascending scan with a strict `<`.
    pub fn nearest(&self, x: usize, candidates: &[usize]) -> Nearest {
        self.nearest2(x, candidates).best
    }

    /// The two nearest of `candidates` to x (see [`Self::nearest`]).
    pub fn nearest2(&self, x: usize, candidates: &[usize]) -> Top2 {
        let split = candidates.partition_point(|&i| i < x);
        let (below, above) = candidates.split_at(split);
        let above = match above.first() {
            Some(&first) if first == x => &above[1..],
            _ => above,
        };
        let ox = self.off[x];
        // below[start..end]; the prefetch looks ahead in the whole list, so
        // that a chunk's first entries were asked for by the chunk before
        let scan_below = |start: usize, end: usize| {
            let mut t = Top2::UNKNOWN;
            for (k, &i) in below[start..end].iter().enumerate() {
                if let Some(&ahead) = below.get(start + k + PREFETCH_AHEAD) {
                    prefetch(self.d.as_ptr(), self.off[ahead].wrapping_add(x));
                }
                t.push_ascending(self.d[self.off[i].wrapping_add(x)].to_f64(), i);
            }
            t
        };
        let scan_above = |chunk: &[usize]| {
            let mut t = Top2::UNKNOWN;
            for &i in chunk {
                t.push_ascending(self.d[ox.wrapping_add(i)].to_f64(), i);
            }
            t
        };
        self.scans.run(
            candidates.len(),
            || scan_below(0, below.len()).merge(scan_above(above)),
            || {
                // chunks of the column below x, then of the row above it
                let nb = below.len().div_ceil(CHUNK);
                let chunks = nb + above.len().div_ceil(CHUNK);
                let part = |t: &mut Top2, k: usize| {
                    let found = if k < nb {
                        let (start, end) = chunk_range(below.len(), k);
                        scan_below(start, end)
                    } else {
                        scan_above(chunk_of(above, k - nb))
                    };
                    *t = t.merge(found);
                };
                self.team()
                    .for_chunks(chunks, || Top2::UNKNOWN, part)
                    .into_iter()
                    .fold(Top2::UNKNOWN, Top2::merge)
            },
        )
    }

    /// The two nearest of all other slots to every slot, as
    /// [`Self::nearest2`] gives them with every slot active, from one pass
    /// over the matrix in storage order instead of a scan per slot (half
    /// of each such scan reads down a column, one cache line per entry).
    ///
    /// Row i's entries d(i, j), j > i, go to slot i's record in ascending
    /// j, after what rows i' < i gave it in ascending i': each record sees
    /// its candidates in ascending order, as the scan does. The rows are
    /// cut into pieces with about equal entries; each piece keeps records
    /// of its own, merged at the end in (distance, slot) order.
    pub fn top2_all(&self) -> Vec<Top2> {
        let n = self.n;
        let pieces = if n < PARALLEL_TOP2_MIN {
            1
        } else {
            4 * rayon::current_num_threads()
        };
        // rows [cuts[k], cuts[k + 1]) with about total / pieces entries each
        let total = n * n.saturating_sub(1) / 2;
        let mut cuts = vec![0];
        let mut sum = 0;
        for i in 0..n {
            sum += n - i - 1;
            if sum * pieces >= total * cuts.len() && cuts.len() < pieces {
                cuts.push(i + 1);
            }
        }
        cuts.push(n);
        cuts.dedup();
        let piece = |k: usize| {
            let mut tops = vec![Top2::UNKNOWN; n];
            for i in cuts[k]..cuts[k + 1] {
                let start = self.index(i, i + 1);
                let row = &self.d[start..start + (n - i - 1)];
                let mut t = tops[i];
                for (top, (j, v)) in tops[i + 1..].iter_mut().zip(((i + 1)..n).zip(row)) {
                    let v = v.to_f64();
                    t.push_ascending(v, j);
                    top.push_ascending(v, i);
                }
                tops[i] = t;
            }
            tops
        };
        (0..cuts.len() - 1)
            .into_par_iter()
            .map(piece)
            .reduce_with(|mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x = x.merge(y);
                }
                a
            })
            .unwrap_or_else(|| vec![Top2::UNKNOWN; n])
    }

    /// For every slot x < n - 1, its nearest slot above it with every slot
    /// active, as [`Self::nearest`] gives it: row x's entries d(x, j),
    /// j > x, lie side by side, so each is one forward scan (several lanes
    /// at a time: [`first_min`]), and the rows are shared among rayon's
    /// threads.
    ///
    /// # Errors
    /// [`crate::Error::Cancelled`] when the run's token fires (checked
    /// between blocks of rows, on the calling thread, which holds it).
    pub fn nearest_above_all(&self) -> crate::Result<Vec<Nearest>> {
        let n = self.n;
        let mut out = vec![Nearest::NONE; n.saturating_sub(1)];
        let block = out.len().div_ceil(16).max(1);
        for (b, rows) in out.chunks_mut(block).enumerate() {
            crate::cancel::check()?;
            rows.par_iter_mut().enumerate().for_each(|(k, o)| {
                let x = b * block + k;
                let start = self.index(x, x + 1);
                *o = Nearest::in_row(x, first_min(&self.d[start..start + (n - x - 1)]));
            });
        }
        Ok(out)
    }

    /// For every slot i of `others` (ascending, x not among them; y, if
    /// there, is skipped, so the active slots can be passed as they are),
    /// sets d(i, y) = f(d(i, x), d(i, y), i), and returns the two nearest
    /// of `others` to y under the new distances (ties to the lowest slot).
    /// Disjoint writes, so the rows are updated on all cores when they are
    /// long: one split of the whole row, below y and above it.
    ///
    /// With `cache` (one entry per slot: its two nearest active slots, or
    /// unknown), the entries stay exact through the merge: see
    /// [`Top2::after_merge`].
    pub fn update_row<F, C>(
        &mut self,
        x: usize,
        y: usize,
        others: &[usize],
        f: F,
        cache: Option<&mut [C]>,
    ) -> Top2
    where
        F: Fn(f64, f64, usize) -> f64 + Sync,
        C: MergeCache,
    {
        self.update_row_below(x, y, others, f, cache, None).0
    }

    /// [`Self::update_row`], also returning, in ascending slot order, the
    /// slots i < y whose new d(i, y) is below `bounds[i]` with that
    /// distance (the generic algorithm's lower-bound update, without a
    /// second pass over the column). With `bounds`, the top two are those
    /// of the slots above y: y's nearest above it, as [`Self::nearest2`]
    /// would find them after the merge (the generic algorithm's next
    /// neighbour of y, without a pass over its row).
    pub fn update_row_below<F, C>(
        &mut self,
        x: usize,
        y: usize,
        others: &[usize],
        f: F,
        cache: Option<&mut [C]>,
        bounds: Option<&[f64]>,
    ) -> (Top2, Vec<(usize, f64)>)
    where
        F: Fn(f64, f64, usize) -> f64 + Sync,
        C: MergeCache,
    {
        let ptr = SharedMut(self.d.as_mut_ptr());
        let cache_ptr = cache.map(|c| {
            assert!(c.len() >= self.n);
            SharedMut(c.as_mut_ptr())
        });
        let off = &self.off;
        let len = self.d.len();
        let top_from = if bounds.is_some() { y + 1 } else { 0 };
        // others[start..end], prefetching ahead in the whole list (see
        // `nearest2`)
        let work = |start: usize, end: usize| -> (Top2, Vec<(usize, f64)>) {
            let mut best = Top2::UNKNOWN;
            let mut below = Vec::new();
            for (k, &i) in others[start..end].iter().enumerate() {
                if let Some(&ahead) = others.get(start + k + PREFETCH_AHEAD) {
                    prefetch(ptr.get(), condensed_at(off, ahead, x));
                    prefetch(ptr.get(), condensed_at(off, ahead, y));
                }
                if i == y {
                    continue;
                }
                let (ix, iy) = (condensed_at(off, i, x), condensed_at(off, i, y));
                assert!(ix < len && iy < len);
                // SAFETY: both indices are in bounds (checked above); each i
                // writes only its own entry (i, y), and no task reads another
                // task's (i, y) or writes any (i, x).
                let new = unsafe {
                    let p = ptr.get();
                    let v = T::from_f64(f((*p.add(ix)).to_f64(), (*p.add(iy)).to_f64(), i));
                    *p.add(iy) = v;
                    v.to_f64()
                };
                if i >= top_from {
                    best.push_ascending(new, i);
                }
                if let Some(b) = bounds {
                    if i < y && new < b[i] {
                        below.push((i, new));
                    }
                }
                if let Some(c) = cache_ptr {
                    // SAFETY: i < n <= cache length (asserted above); each
                    // task touches only the entries of its own slots.
                    let e = unsafe { &mut *c.get().add(i) };
                    e.after_merge(x, y, new);
                }
            }
            (best, below)
        };
        self.updates.run(
            others.len(),
            || work(0, others.len()),
            || {
                let part = |acc: &mut (Top2, Vec<(usize, f64)>), k: usize| {
                    let (start, end) = chunk_range(others.len(), k);
                    let (t, b) = work(start, end);
                    acc.0 = acc.0.merge(t);
                    acc.1.extend(b);
                };
                let parts = self.team().for_chunks(
                    others.len().div_ceil(CHUNK),
                    || (Top2::UNKNOWN, Vec::new()),
                    part,
                );
                let mut top = Top2::UNKNOWN;
                let mut below = Vec::new();
                for (t, b) in parts {
                    top = top.merge(t);
                    below.extend(b);
                }
                // the participants took the chunks in no fixed order; the
                // slots are distinct
                below.sort_unstable_by_key(|&(i, _)| i);
                (top, below)
            },
        )
    }
}

/// Below this many slots, [`WorkingMatrix::top2_all`] runs as one piece.
const PARALLEL_TOP2_MIN: usize = 1024;

/// How many slots ahead the column scans prefetch. A column of the
/// condensed matrix is strided by n - i - 1 at row i, a stride that changes
/// at every step, which the hardware's stride prefetchers do not follow.
const PREFETCH_AHEAD: usize = 48;

/// Asks for the cache line of `base + index` (a hint: an address outside
/// the allocation is never read, and never faults).
#[inline(always)]
fn prefetch<T>(base: *const T, index: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint that neither reads nor faults; the
    // address is only computed (wrapping), never dereferenced.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(index).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (base, index);
}

/// The condensed index of (i, j), i != j, from the row offsets of
/// [`WorkingMatrix`] (a free function, so the parallel update can use it
/// while it writes through a raw pointer).
#[inline(always)]
fn condensed_at(off: &[usize], i: usize, j: usize) -> usize {
    if i < j {
        off[i].wrapping_add(j)
    } else {
        off[j].wrapping_add(i)
    }
}

/// The k-th chunk of [`CHUNK`] slots of `list`.
fn chunk_of(list: &[usize], k: usize) -> &[usize] {
    let (start, end) = chunk_range(list.len(), k);
    &list[start..end]
}

/// The bounds of the k-th chunk of [`CHUNK`] entries of a list of `len`.
fn chunk_range(len: usize, k: usize) -> (usize, usize) {
    (k * CHUNK, len.min((k + 1) * CHUNK))
}

/// Removes `x` from an ascending list of slots.
pub(crate) fn remove_sorted(list: &mut Vec<usize>, x: usize) {
    if let Ok(pos) = list.binary_search(&x) {
        list.remove(pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(n: usize) -> WorkingMatrix {
        // d(i, j) = 10 * i + j for i < j, all distinct.
        let mut d = Vec::new();
        for i in 0..n {
            for j in (i + 1)..n {
                d.push((10 * i + j) as f64);
            }
        }
        WorkingMatrix::new(n, d)
    }

    #[test]
    fn index_is_symmetric_and_matches_scipy() {
        let m = matrix(6);
        for i in 0..6 {
            for j in 0..6 {
                if i != j {
                    let (a, b) = (i.min(j), i.max(j));
                    assert_eq!(m.get(i, j), (10 * a + b) as f64);
                    assert_eq!(m.index(i, j), crate::distance::condensed_index(6, a, b));
                }
            }
        }
    }

    #[test]
    fn nearest_takes_lowest_index_on_ties_and_skips_x() {
        let m = WorkingMatrix::new(4, vec![5.0, 1.0, 1.0, 7.0, 7.0, 9.0]);
        // from 0: d(0,1)=5, d(0,2)=1, d(0,3)=1 -> slot 2
        let r = m.nearest(0, &[0, 1, 2, 3]);
        assert_eq!((r.dist, r.index), (1.0, 2));
        // from 3 among [1, 2, 3]: d(1,3)=7, d(2,3)=9 -> slot 1
        let r = m.nearest(3, &[1, 2, 3]);
        assert_eq!((r.dist, r.index), (7.0, 1));
    }

    #[test]
    fn split_update_agrees_with_serial() {
        // The first calls of an AdaptiveSplit take one thread, then all
        // (see `AdaptiveSplit`): the same merge, run again and again on one
        // matrix reset to the same values, must give the same matrix, top
        // two and lowered bounds either way.
        let n = super::super::split::PARALLEL_MIN + 1900;
        let mut rng = crate::test_rng::Lcg(5);
        let d: Vec<f64> = (0..n * (n - 1) / 2)
            .map(|_| (rng.high() % 50) as f64)
            .collect();
        let (x, y) = (300, 2000);
        let others: Vec<usize> = (0..n).filter(|&i| i != x).collect();
        let bounds: Vec<f64> = (0..n).map(|i| (i % 40) as f64).collect();
        // one matrix (and team) throughout, its values reset before each run
        let mut m = WorkingMatrix::new(n, d.clone());
        let mut seen = None;
        for _ in 0..40 {
            m.d.copy_from_slice(&d);
            let (top, lowered) = m.update_row_below::<_, Nearest>(
                x,
                y,
                &others,
                |a, b, _| 0.5 * (a + b),
                None,
                Some(&bounds),
            );
            // with bounds, the top two are y's nearest above it
            let above: Vec<usize> = others.iter().copied().filter(|&i| i > y).collect();
            let scanned = m.nearest2(y, &above);
            assert_eq!(
                (top.best.index, top.second.index),
                (scanned.best.index, scanned.second.index)
            );
            assert!(lowered.windows(2).all(|w| w[0].0 < w[1].0), "ascending");
            assert!(lowered.iter().all(|&(i, v)| i < y && v < bounds[i]));
            let run = (m.d.clone(), top.best.index, top.second.index, lowered);
            let first = seen.get_or_insert_with(|| run.clone());
            assert!(*first == run, "a split run differs");
        }
    }

    #[test]
    fn parallel_scan_agrees_with_serial() {
        let n = super::super::split::PARALLEL_MIN + 2600;
        let mut d = vec![3.0; n * (n - 1) / 2];
        let m0 = WorkingMatrix::new(n, d.clone());
        // two ties at the minimum for x = 1000, one below and one above it
        d[m0.index(700, 1000)] = 0.5;
        d[m0.index(1000, 4000)] = 0.5;
        let m = WorkingMatrix::new(n, d);
        let all: Vec<usize> = (0..n).collect();
        // The first calls take each way once (see `AdaptiveSplit`).
        for _ in 0..4 {
            let r = m.nearest(1000, &all);
            assert_eq!((r.dist, r.index), (0.5, 700));
        }
    }

    #[test]
    fn top2_all_agrees_with_a_scan_per_slot() {
        // one piece and several; many ties, few ties, and NaN
        for (n, levels) in [(40, 3), (300, 1000), (PARALLEL_TOP2_MIN + 77, 5)] {
            let mut rng = crate::test_rng::Lcg(11);
            let mut d: Vec<f64> = (0..n * (n - 1) / 2)
                .map(|_| (rng.high() % levels) as f64)
                .collect();
            d[5] = f64::NAN;
            let m = WorkingMatrix::new(n, d);
            let all: Vec<usize> = (0..n).collect();
            let tops = m.top2_all();
            for (x, t) in tops.iter().enumerate() {
                let s = m.nearest2(x, &all);
                for (a, b) in [(t.best, s.best), (t.second, s.second)] {
                    assert_eq!(
                        (a.index, a.dist.to_bits()),
                        (b.index, b.dist.to_bits()),
                        "n = {n}, slot {x}"
                    );
                }
            }
        }
    }

    #[test]
    fn nearest_above_all_agrees_with_a_scan_per_slot() {
        for (n, levels) in [(2, 3), (40, 3), (PARALLEL_TOP2_MIN + 77, 5), (500, 1000)] {
            let mut rng = crate::test_rng::Lcg(3);
            let mut d: Vec<f64> = (0..n * (n - 1) / 2)
                .map(|_| (rng.high() % levels) as f64)
                .collect();
            d[0] = f64::NAN;
            if n > 3 {
                // a row with nothing below infinity
                let m = WorkingMatrix::new(n, d.clone());
                for j in n - 3..n {
                    d[m.index(n - 4, j)] = f64::INFINITY;
                }
            }
            let m = WorkingMatrix::new(n, d);
            let all: Vec<usize> = (0..n).collect();
            let fast = m.nearest_above_all().unwrap();
            assert_eq!(fast.len(), n - 1);
            for (x, f) in fast.iter().enumerate() {
                let s = m.nearest(x, &all[x + 1..]);
                assert_eq!(
                    (f.index, f.dist.to_bits()),
                    (s.index, s.dist.to_bits()),
                    "n = {n}, slot {x}"
                );
            }
        }
    }

    #[test]
    fn top2_cache_stays_exact_through_merges() {
        // few distinct values (many ties) and many (few ties)
        for levels in [6, 1000] {
            top2_scenario(levels);
        }
    }

    fn top2_scenario(levels: u64) {
        let n = 40;
        let mut rng = crate::test_rng::Lcg(7);
        let mut next = || (rng.high() % levels) as f64 + 1.0;
        let d: Vec<f64> = (0..n * (n - 1) / 2).map(|_| next()).collect();
        let mut m = WorkingMatrix::new(n, d);
        let mut active: Vec<usize> = (0..n).collect();
        let mut cache: Vec<Top2> = (0..n).map(|i| m.nearest2(i, &active)).collect();
        let mut sizes = vec![1usize; n];
        while active.len() > 2 {
            // merge the first active slot with its nearest neighbour
            let x = active[0];
            let y = m.nearest(x, &active).index;
            let (x, y) = (x.min(y), x.max(y));
            let dist = m.get(x, y);
            let (nx, ny) = (sizes[x], sizes[y]);
            remove_sorted(&mut active, x);
            // y left out, or left in for the update to skip
            let others: Vec<usize> = if active.len() % 2 == 0 {
                active.iter().copied().filter(|&i| i != y).collect()
            } else {
                active.clone()
            };
            let s = &sizes;
            let top = m.update_row(
                x,
                y,
                &others,
                |a, b, i| crate::linkage::Method::Average.update(a, b, dist, nx, ny, s[i]),
                Some(&mut cache),
            );
            sizes[y] = nx + ny;
            cache[y] = top;
            for &i in &active {
                let fresh = m.nearest2(i, &active);
                let c = cache[i];
                if c.best.index != usize::MAX {
                    assert_eq!(
                        (c.best.index, c.best.dist),
                        (fresh.best.index, fresh.best.dist),
                        "slot {i}"
                    );
                }
                if c.second.index != usize::MAX {
                    assert_eq!(
                        (c.second.index, c.second.dist),
                        (fresh.second.index, fresh.second.dist),
                        "slot {i}"
                    );
                }
            }
        }
    }
}
