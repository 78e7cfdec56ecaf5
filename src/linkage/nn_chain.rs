//! The nearest-neighbour chain algorithm (complete, average, weighted,
//! ward), with scipy's tie-breaking, over a distance matrix or over cluster
//! centroids.

use super::method::{with_constant_method, Method};
use super::relabel::SlotMerge;
use super::working::{remove_sorted, Nearest, Top2, WorkingMatrix};
use crate::error::Result;
use crate::precision::Real;

/// What the chain needs of the cluster distances.
pub(crate) trait ChainStore {
    /// The nearest active slot to x (x excluded): strict `<`, ties to the
    /// lowest slot, NaN never chosen; index `usize::MAX` when none.
    fn nearest(&mut self, x: usize, active: &[usize]) -> Nearest;

    /// The distance between active slots x and y.
    fn distance(&self, x: usize, y: usize) -> f64;

    /// Merges slot x into slot y (x < y) at `dist`; `active` no longer holds x.
    fn merge(&mut self, x: usize, y: usize, dist: f64, active: &[usize]);

    /// Whether a cycle in the chain is closed by [`cycle_start`]. The
    /// matrix keeps scipy's loop, which has no such check, so that its
    /// answers stay scipy's even where rounding breaks reducibility; the
    /// distances from centroids need it (see [`cycle_start`]).
    const CLOSES_CYCLES: bool;
}

/// Runs the nearest-neighbour chain over `n` slots and returns the merges
/// in discovery order, as slot pairs.
///
/// The chain starts at the lowest active slot. For the chain's tip x, the
/// candidate is the previous chain element unless some active slot is
/// strictly nearer, in which case it is the lowest such slot at the smallest
/// distance (scipy's scan: running minimum initialised to the previous
/// element's distance, ascending, strict `<`). When the tip's nearest
/// neighbour is the previous element, the two merge: the lower slot is
/// dropped and the new cluster lives in the higher one.
///
/// Valid for methods whose distance update is reducible (complete, average,
/// weighted, ward; single works too but has a faster algorithm).
///
/// # Errors
/// [`crate::Error::Cancelled`] when the run's token fires (checked at each
/// merge).
pub(crate) fn nn_chain<S: ChainStore>(store: &mut S, n: usize) -> Result<Vec<SlotMerge>> {
    let mut active: Vec<usize> = (0..n).collect();
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut in_chain = vec![false; n];
    let mut merges = Vec::with_capacity(n - 1);

    for _ in 0..n - 1 {
        crate::cancel::check()?;
        if chain.is_empty() {
            chain.push(active[0]);
            in_chain[active[0]] = true;
        }
        let (x, y, dist, keep) = loop {
            let x = chain[chain.len() - 1];
            let prev = (chain.len() > 1).then(|| chain[chain.len() - 2]);
            let found = store.nearest(x, &active);
            let (y, dist) = match prev {
                // scipy keeps the previous element unless something is
                // strictly nearer (NaN compares false, so it keeps it then too).
                Some(p)
                    if found.dist.partial_cmp(&store.distance(x, p))
                        != Some(std::cmp::Ordering::Less) =>
                {
                    (p, store.distance(x, p))
                }
                _ if found.index != usize::MAX => (found.index, found.dist),
                // Nothing below infinity (only with NaN or infinite input,
                // which callers reject): take any other active slot.
                _ => {
                    let other = *active.iter().find(|&&i| i != x).expect("two active slots");
                    (other, store.distance(x, other))
                }
            };
            if Some(y) == prev {
                break (x, y, dist, chain.len() - 2);
            }
            if S::CLOSES_CYCLES && in_chain[y] {
                break (x, y, dist, cycle_start(&chain, y));
            }
            chain.push(y);
            in_chain[y] = true;
        };
        truncate_chain(&mut chain, &mut in_chain, keep);

        let (x, y) = if x > y { (y, x) } else { (x, y) };
        merges.push(SlotMerge { a: x, b: y, dist });
        remove_sorted(&mut active, x);
        store.merge(x, y, dist, &active);
    }
    Ok(merges)
}

/// Where the chain's cycle starts when its tip's nearest neighbour `y` is
/// already in the chain but is not the previous element: y's position,
/// so that the tip and y merge and the chain keeps what came before y.
///
/// In exact arithmetic this never happens: along the chain the distances
/// fall, and a reducible method keeps them falling through merges, so a
/// tip cannot be nearer to an earlier element than that element was to
/// its successor. Distances computed from centroids break reducibility by
/// rounding (a heap of identical points gives distances of 1e-30 whose
/// order is noise), and a chain could then cycle forever or keep a merged
/// slot. Merging the tip with y at their distance (the shortest link of
/// the cycle) and dropping the cycle from the chain keeps every element
/// left in it alive with its successor its nearest neighbour.
pub(crate) fn cycle_start(chain: &[usize], y: usize) -> usize {
    chain
        .iter()
        .rposition(|&c| c == y)
        .expect("y is in the chain")
}

/// Shortens the chain to its first `len` elements, unmarking the rest.
pub(crate) fn truncate_chain(chain: &mut Vec<usize>, in_chain: &mut [bool], len: usize) {
    for &c in &chain[len..] {
        in_chain[c] = false;
    }
    chain.truncate(len);
}

/// The condensed matrix, updated in place with the Lance-Williams formula.
///
/// Each slot's two nearest neighbours are cached, found for all slots in
/// one pass over the matrix at the start ([`WorkingMatrix::top2_all`]) and
/// kept exact through the merges (see [`WorkingMatrix::update_row`]), so a
/// full scan happens only when a slot's nearest neighbour was merged away
/// and no exact second is known: the answers are those of scipy's scans,
/// without most of the scanning.
pub(crate) struct MatrixChain<T: Real = f64> {
    d: WorkingMatrix<T>,
    method: Method,
    size: Vec<usize>,
    cache: Vec<Top2>,
}

impl<T: Real> MatrixChain<T> {
    /// Takes the matrix (consumed: it is updated in place).
    pub fn new(d: WorkingMatrix<T>, method: Method) -> Self {
        let n = d.n();
        let cache = d.top2_all();
        MatrixChain {
            d,
            method,
            size: vec![1; n],
            cache,
        }
    }
}

impl<T: Real> ChainStore for MatrixChain<T> {
    const CLOSES_CYCLES: bool = false;

    fn nearest(&mut self, x: usize, active: &[usize]) -> Nearest {
        if self.cache[x].best.index == usize::MAX {
            self.cache[x] = self.d.nearest2(x, active);
        }
        self.cache[x].best
    }

    fn distance(&self, x: usize, y: usize) -> f64 {
        self.d.get(x, y)
    }

    fn merge(&mut self, x: usize, y: usize, dist: f64, active: &[usize]) {
        let (nx, ny) = (self.size[x], self.size[y]);
        self.size[x] = 0;
        self.size[y] = nx + ny;
        let size = &self.size;
        let top = with_constant_method!(self.method, |M| {
            let update = |dxi: f64, dyi: f64, i: usize| M.update(dxi, dyi, dist, nx, ny, size[i]);
            self.d
                .update_row(x, y, active, update, Some(&mut self.cache))
        });
        // the update saw every other active slot: the top two are exact
        self.cache[y] = top;
    }
}
