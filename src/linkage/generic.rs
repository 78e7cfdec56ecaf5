//! The generic algorithm (Müllner, arXiv:1109.2378) for centroid and median
//! linkage, which are not reducible, as scipy runs it.

use super::method::{with_constant_method, Method};
use ndarray::Array2;
use rayon::prelude::*;

use super::rows::{nearest_row, squared_euclidean, squared_euclidean_from};
use super::working::{remove_sorted, Nearest, WorkingMatrix};
use crate::error::{Error, Result};
use crate::precision::Real;

/// A binary min-heap of values keyed 0..len, with the exact sift rules of
/// scipy's `Heap`, so that equal values surface in the same order.
struct IndexedHeap {
    index_by_key: Vec<usize>,
    key_by_index: Vec<usize>,
    values: Vec<f64>,
    size: usize,
}

impl IndexedHeap {
    fn new(values: Vec<f64>) -> Self {
        let size = values.len();
        let mut heap = IndexedHeap {
            index_by_key: (0..size).collect(),
            key_by_index: (0..size).collect(),
            values,
            size,
        };
        for i in (0..size / 2).rev() {
            heap.sift_down(i);
        }
        heap
    }

    fn min(&self) -> (usize, f64) {
        (self.key_by_index[0], self.values[0])
    }

    fn remove_min(&mut self) {
        self.swap(0, self.size - 1);
        self.size -= 1;
        self.sift_down(0);
    }

    fn change_value(&mut self, key: usize, value: f64) {
        let index = self.index_by_key[key];
        let old = self.values[index];
        self.values[index] = value;
        if value < old {
            self.sift_up(index);
        } else {
            self.sift_down(index);
        }
    }

    fn sift_up(&mut self, mut index: usize) {
        while index > 0 {
            let parent = (index - 1) >> 1;
            if self.values[parent] > self.values[index] {
                self.swap(index, parent);
                index = parent;
            } else {
                break;
            }
        }
    }

    fn sift_down(&mut self, mut index: usize) {
        let mut child = 2 * index + 1;
        while child < self.size {
            if child + 1 < self.size && self.values[child + 1] < self.values[child] {
                child += 1;
            }
            if self.values[index] > self.values[child] {
                self.swap(index, child);
                index = child;
                child = 2 * index + 1;
            } else {
                break;
            }
        }
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.values.swap(i, j);
        let (ki, kj) = (self.key_by_index[i], self.key_by_index[j]);
        self.key_by_index[i] = kj;
        self.key_by_index[j] = ki;
        self.index_by_key[ki] = j;
        self.index_by_key[kj] = i;
    }
}

/// The nearest active slot above x (strict `<`, lowest slot on ties).
///
/// # Errors
/// As [`found_or_nan`]; the store's errors.
fn nearest_above<S: GenericStore>(
    d: &mut S,
    x: usize,
    active: &[usize],
    method: Method,
) -> Result<(usize, f64)> {
    let start = active.partition_point(|&i| i <= x);
    found_or_nan(d.nearest_among(x, &active[start..])?, method)
}

/// A neighbour found among the higher slots, as (slot, distance).
///
/// # Errors
/// When none was found, though some slot is above: every distance was
/// NaN, because the Lance-Williams update of centroid or median took the
/// square root of a negative number, which happens when the input
/// distances are not euclidean (scipy raises too).
fn found_or_nan(found: Nearest, method: Method) -> Result<(usize, f64)> {
    if found.index == usize::MAX {
        return Err(Error::invalid_argument(
            "distances",
            format!(
                "{method} linkage produced NaN distances: its update takes the square root \
                 of a negative number when the distances are not euclidean (they break the \
                 triangle inequality), and overflows when squared distances pass f64's range \
                 (1.8e308); use the euclidean metric on observations, or \
                 single/complete/average/weighted, or rescale the data (divide every value \
                 by the same constant)"
            ),
        ));
    }
    Ok((found.index, found.dist))
}

/// What the generic algorithm needs of the cluster distances: a condensed
/// matrix updated by Lance-Williams, cluster centroids, or a matrix whose
/// scans run on a GPU.
pub(crate) trait GenericStore {
    /// The distance between active slots x and y.
    fn distance(&self, x: usize, y: usize) -> f64;

    /// The nearest of `candidates` (ascending: the active slots above x) to
    /// x: strict `<`, ties to the lowest slot, NaN never chosen; index
    /// `usize::MAX` when none.
    ///
    /// # Errors
    /// A failure of the device, for a store on one.
    fn nearest_among(&mut self, x: usize, candidates: &[usize]) -> Result<Nearest>;

    /// For every active slot but the last, its nearest active slot above
    /// it, as [`Self::nearest_among`] (a store on a device does them all in
    /// one batch).
    ///
    /// # Errors
    /// As [`Self::nearest_among`].
    fn nearest_above_each(&mut self, active: &[usize]) -> Result<Vec<Nearest>> {
        nearest_above_each_by_scans(self, active)
    }

    /// Merges slot x into slot y (see [`MergeStep`]): what the new
    /// distances of y tell, see [`Merged`].
    ///
    /// # Errors
    /// A failure of the device, for a store on one.
    fn merge(&mut self, step: &MergeStep<'_>) -> Result<Merged>;
}

/// What a store learnt of the merged slot y's new distances while it
/// computed them.
pub(crate) struct Merged {
    /// In ascending order, the slots z < y whose new distance to y is below
    /// `bounds[z]`, with that distance.
    pub lowered: Vec<(usize, f64)>,
    /// y's nearest active slot above it, as [`GenericStore::nearest_among`]
    /// would find it, when the store found it on the way (`None`: the
    /// caller scans).
    pub above_y: Option<Nearest>,
}

/// [`GenericStore::nearest_above_each`] as one
/// [`GenericStore::nearest_among`] per slot.
///
/// # Errors
/// As [`GenericStore::nearest_among`]; [`Error::Cancelled`] when the run's
/// token fires (checked at each slot).
fn nearest_above_each_by_scans<S: GenericStore + ?Sized>(
    d: &mut S,
    active: &[usize],
) -> Result<Vec<Nearest>> {
    (0..active.len().saturating_sub(1))
        .map(|k| {
            crate::cancel::check()?;
            d.nearest_among(active[k], &active[k + 1..])
        })
        .collect()
}

/// One merge of the generic algorithm, as a store needs it: slot x merges
/// into slot y at `dist`.
pub(crate) struct MergeStep<'a> {
    pub method: Method,
    pub x: usize,
    pub y: usize,
    pub dist: f64,
    /// The sizes of x and y before the merge.
    pub nx: usize,
    pub ny: usize,
    /// Every slot's size, already holding the merged size at y and 0 at x.
    pub size: &'a [usize],
    /// The active slots (ascending), x no longer among them, y at `pos`.
    pub active: &'a [usize],
    pub pos: usize,
    /// Each slot's lower bound of its distance to its neighbour.
    pub bounds: &'a [f64],
}

impl<T: Real> GenericStore for WorkingMatrix<T> {
    fn distance(&self, x: usize, y: usize) -> f64 {
        self.get(x, y)
    }

    fn nearest_among(&mut self, x: usize, candidates: &[usize]) -> Result<Nearest> {
        Ok(self.nearest(x, candidates))
    }

    fn nearest_above_each(&mut self, active: &[usize]) -> Result<Vec<Nearest>> {
        if active.len() == self.n() {
            // every slot active (the start): a scan of each row in storage
            // order, on all cores
            return self.nearest_above_all();
        }
        nearest_above_each_by_scans(self, active)
    }

    fn merge(&mut self, step: &MergeStep<'_>) -> Result<Merged> {
        let &MergeStep {
            method,
            x,
            y,
            dist,
            nx,
            ny,
            size,
            active,
            pos: _,
            bounds,
        } = step;
        Ok(with_constant_method!(method, |M| {
            let update = |dxi: f64, dyi: f64, i: usize| M.update(dxi, dyi, dist, nx, ny, size[i]);
            // one update of the whole row (y is skipped), so that the
            // split between threads is measured on whole rows; the top two
            // of the slots above y are y's new neighbours, found without a
            // second pass over its row
            let (top, lowered) =
                self.update_row_below::<_, Nearest>(x, y, active, update, None, Some(bounds));
            Merged {
                lowered,
                above_y: Some(top.best),
            }
        }))
    }
}

/// Cluster centroids (n x m, row-major), for centroid and median linkage
/// without the distance matrix: the distance of two clusters is the
/// euclidean distance of their centroids (for median, of the midpoints the
/// merges define). Memory O(n m).
///
/// The store hands the generic algorithm *squared* distances: it only
/// compares them, and squaring keeps their order, so a square root per
/// candidate is saved; the caller takes the roots of Z's heights.
pub(crate) struct Centroids {
    pub data: Vec<f64>,
    pub m: usize,
}

impl Centroids {
    fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.m..(i + 1) * self.m]
    }
}

impl GenericStore for Centroids {
    fn distance(&self, x: usize, y: usize) -> f64 {
        squared_euclidean(self.row(x), self.row(y))
    }

    fn nearest_among(&mut self, x: usize, candidates: &[usize]) -> Result<Nearest> {
        let xr = self.row(x);
        Ok(nearest_row(&self.data, self.m, xr, candidates, |s, _| s))
    }

    fn merge(&mut self, step: &MergeStep<'_>) -> Result<Merged> {
        let &MergeStep {
            method,
            x,
            y,
            nx,
            ny,
            active,
            pos,
            bounds,
            ..
        } = step;
        let m = self.m;
        let (wx, wy) = match method {
            Method::Median => (0.5, 0.5),
            _ => {
                let t = (nx + ny) as f64;
                (nx as f64 / t, ny as f64 / t)
            }
        };
        for k in 0..m {
            self.data[y * m + k] = wx * self.data[x * m + k] + wy * self.data[y * m + k];
        }
        let (data, yr) = (&self.data, &self.data[y * m..(y + 1) * m]);
        let lowered = active[..pos]
            .par_chunks(512)
            .map(|chunk| {
                let mut sq = [0.0f64; 512];
                let sq = &mut sq[..chunk.len()];
                squared_euclidean_from(data, m, yr, chunk, sq);
                chunk
                    .iter()
                    .zip(sq.iter())
                    .filter_map(|(&z, &s)| (s < bounds[z]).then_some((z, s)))
                    .collect::<Vec<_>>()
            })
            .reduce(Vec::new, |mut a, b| {
                a.extend(b);
                a
            });
        Ok(Merged {
            lowered,
            above_y: None,
        })
    }
}

/// Every `from` in `slots` becomes `to`.
fn retarget(slots: &mut [usize], from: usize, to: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { retarget_avx2(slots, from, to) };
    }
    retarget_body(slots, from, to);
}

/// [`retarget_body`] compiled for AVX2 (four slots per compare and blend).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn retarget_avx2(slots: &mut [usize], from: usize, to: usize) {
    retarget_body(slots, from, to);
}

#[inline(always)]
fn retarget_body(slots: &mut [usize], from: usize, to: usize) {
    for s in slots {
        *s = if *s == from { to } else { *s };
    }
}

/// Runs the generic algorithm and returns Z rows in merge order, with
/// cluster ids (not slots): `(min id, max id, dist, size)`. No sorting
/// afterwards: centroid and median heights may decrease.
///
/// Each slot x < n-1 keeps a candidate neighbour among the higher slots and
/// a lower bound of its distance in a heap. Pop the minimum; when the bound
/// is stale, recompute that slot's neighbour and push it back; otherwise
/// merge x with its neighbour y > x, the new cluster taking slot y.
///
/// `first`, when given, is each slot's first neighbour (as
/// [`GenericStore::nearest_above_each`] finds them at the start, n - 1 of
/// them), found while the distances were computed; otherwise the store
/// finds them.
pub(crate) fn generic<S: GenericStore>(
    mut d: S,
    n: usize,
    method: Method,
    first: Option<Vec<Nearest>>,
) -> Result<Array2<f64>> {
    let mut size = vec![1usize; n];
    let mut cluster_id: Vec<usize> = (0..n).collect();
    let mut active: Vec<usize> = (0..n).collect();
    let mut neighbor = vec![0usize; n - 1];
    let mut min_dist = vec![0f64; n - 1];
    let first = match first {
        Some(first) => {
            debug_assert_eq!(first.len(), n - 1);
            first
        }
        None => d.nearest_above_each(&active)?,
    };
    for (x, found) in first.into_iter().enumerate() {
        let (y, dist) = found_or_nan(found, method)?;
        neighbor[x] = y;
        min_dist[x] = dist;
    }
    let mut heap = IndexedHeap::new(min_dist.clone());
    let mut rows = Vec::with_capacity(n - 1);

    for k in 0..n - 1 {
        crate::cancel::check()?;
        let (mut x, mut dist) = heap.min();
        let mut y = neighbor[x];
        for _ in 0..n - k {
            let (hx, hd) = heap.min();
            x = hx;
            dist = hd;
            y = neighbor[x];
            if dist == d.distance(x, y) {
                break;
            }
            let (ny_, nd) = nearest_above(&mut d, x, &active, method)?;
            y = ny_;
            dist = nd;
            neighbor[x] = y;
            min_dist[x] = dist;
            heap.change_value(x, dist);
        }
        heap.remove_min();

        let (nx, ny) = (size[x], size[y]);
        let (ida, idb) = (cluster_id[x], cluster_id[y]);
        rows.push([
            ida.min(idb) as f64,
            ida.max(idb) as f64,
            dist,
            (nx + ny) as f64,
        ]);
        size[x] = 0;
        size[y] = nx + ny;
        cluster_id[y] = n + k;
        remove_sorted(&mut active, x);

        let pos = active.binary_search(&y).expect("y is active");
        let merged = d.merge(&MergeStep {
            method,
            x,
            y,
            dist,
            nx,
            ny,
            size: &size,
            active: &active,
            pos,
            bounds: &min_dist,
        })?;

        // Neighbour candidates pointing at x now point at y (a guess that
        // the lazy check above corrects). Every slot below x is rewritten,
        // the merged-away ones too (their entries are never read again:
        // a slot leaves the heap when it merges away), so that the loop
        // is a branchless pass over a contiguous slice.
        retarget(&mut neighbor[..x], x, y);
        // The merged cluster may be nearer than a slot's current bound
        // (found during the update; applied in ascending slot order, as
        // scipy's loop does, so the heap evolves identically).
        for (z, dz) in merged.lowered {
            neighbor[z] = y;
            min_dist[z] = dz;
            heap.change_value(z, dz);
        }
        if y < n - 1 {
            // (slot n - 1 never merges away, so some slot is above y)
            let (z, dz) = match merged.above_y {
                Some(found) => found_or_nan(found, method)?,
                None => nearest_above(&mut d, y, &active, method)?,
            };
            neighbor[y] = z;
            min_dist[y] = dz;
            heap.change_value(y, dz);
        }
    }
    Ok(Array2::from_shape_vec((n - 1, 4), rows.concat()).expect("n - 1 rows of 4"))
}

#[cfg(test)]
mod tests {
    use super::retarget;

    #[test]
    fn retarget_changes_every_match_and_nothing_else() {
        // lengths around the four-wide vector loop and its tail
        for len in [0usize, 1, 3, 4, 5, 8, 11] {
            let slots: Vec<usize> = (0..len).map(|k| [7, 2, 7, 9][k % 4]).collect();
            let mut got = slots.clone();
            retarget(&mut got, 7, 40);
            let want: Vec<usize> = slots.iter().map(|&s| if s == 7 { 40 } else { s }).collect();
            assert_eq!(got, want, "len = {len}");
        }
    }
}
