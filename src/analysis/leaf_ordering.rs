//! scipy's `optimal_leaf_ordering`: flips the children of Z's merges so that
//! the sum of distances between neighbouring leaves of the dendrogram is as
//! small as the tree allows (Bar-Joseph, Gifford and Jaakkola, "Fast optimal
//! leaf ordering for hierarchical clustering", Bioinformatics 2001).
//!
//! This follows scipy 1.17.1 step by step so that the result is identical,
//! ties included:
//!
//! 1. Number the leaves by their position in Z's current left-to-right leaf
//!    order; every cluster is then a range of positions.
//! 2. For each merge V = (V_l, V_r), in row order (children come first, so no
//!    recursion), and for each leftmost leaf u in V_l and rightmost leaf w in
//!    V_r, compute the cost of the best ordering of V between them:
//!
//!    ```text
//!    M[u, w] = min over m, k of  M[u, m] + M[k, w] + D[m, k]
//!    ```
//!
//!    where m ranges over the child of V_l that does not hold u (or m = u
//!    when V_l is a leaf) and k likewise over V_r. M is kept in `f32` as
//!    scipy keeps it, candidates m and k are visited in the order of scipy's
//!    own quicksort of M[{m}, u] and M[{k}, w], with its two early exits, and
//!    a candidate replaces the best so far only when strictly smaller.
//! 3. The first (u, w) in row-major order with the strictly smallest M[u, w]
//!    says whether V_l and V_r must be flipped.
//! 4. A row of Z has its two ids swapped when an odd number of the merges at
//!    or above it must be flipped.

use ndarray::{Array2, ArrayView2};

use crate::distance::CondensedMatrix;
use crate::error::{Error, Result};
use crate::linkage::check_linkage;

/// scipy's starting value for every minimum (2^30, as a 32-bit float). A cost
/// that reaches it is never recorded, exactly as in scipy.
const UNREACHED: f32 = 1_073_741_824.0;

/// Reorders the leaves of the dendrogram of `z` so that the sum of the
/// distances `y` between adjacent leaves is minimal, by swapping the two
/// child ids of some rows of Z (scipy's
/// `scipy.cluster.hierarchy.optimal_leaf_ordering(Z, y)`).
///
/// The result is Z with some rows' first two columns swapped, so the
/// smaller-id-first convention of [`crate::linkage()`] no longer holds on
/// those rows; heights and counts are unchanged, and the tree is the same.
/// It matches scipy 1.17.1 exactly, including which of several equally good
/// orderings is returned: scipy's loop orders, its quicksort of path costs,
/// its strict comparisons and its 32-bit path costs are all reproduced.
///
/// ```text
/// cost(order) = sum over neighbours a, b in the leaf order of y(a, b)
/// ```
///
/// # Cost
/// Time is that of scipy's algorithm: a search over pairs of end leaves for
/// every merge, pruned by sorted path costs, so roughly cubic in n on bushy
/// trees (about 25 s for 2,500 random points under average linkage, as for
/// scipy) and O(n^2 log n) on a chain (under 3 s for 10,000 points, release
/// build).
///
/// Memory is O(n^2), as in scipy: the table of best path costs M holds one
/// `f32` per pair of observations (n(n-1)/2 of them, 200 MB for n = 10,000),
/// and the merge being processed borrows working buffers of at most another
/// 2 n^2 bytes (its block of distances and its sorted path costs), about
/// 4 n^2 bytes at the peak against scipy's 20 n^2. The tree is walked row by
/// row, never recursively, so deep trees (long chains) are fine.
///
/// Like scipy, path costs are accumulated in 32-bit floats and capped by
/// 2^30: when every ordering of a cluster costs 2^30 or more (very large
/// distances), the choice made there is scipy's arbitrary one, reproduced
/// here as scipy's compiled code behaves (the previous merge's choice is
/// reused).
///
/// # Errors
/// [`Error::InvalidLinkage`] when `z` is not a valid linkage matrix;
/// [`Error::InvalidArgument`] when `y` does not hold distances between
/// exactly `z.nrows() + 1` observations.
///
/// # Example
/// ```
/// use hclust::analysis::optimal_leaf_ordering;
/// use hclust::{linkage, pdist, Method, Metric};
/// use ndarray::array;
///
/// let x = array![[0.0], [10.0], [1.0], [11.0], [5.0]];
/// let z = linkage(x.view(), Method::Average, &Metric::Euclidean).unwrap();
/// let y = pdist(x.view(), &Metric::Euclidean).unwrap();
/// let ordered = optimal_leaf_ordering(z.view(), &y).unwrap();
/// // Heights and counts stay; rows 0 and 1 now list their larger id first.
/// assert_eq!(ordered.column(2), z.column(2));
/// assert_eq!(ordered.column(0).to_vec(), [2.0, 3.0, 4.0, 6.0]);
/// ```
pub fn optimal_leaf_ordering(z: ArrayView2<f64>, y: &CondensedMatrix) -> Result<Array2<f64>> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    if y.n() != n {
        return Err(Error::invalid_argument(
            "y",
            format!(
                "the condensed distance matrix holds {} observations but the linkage matrix \
                 Z has {} rows, i.e. {n} observations; pass the distances Z was built from",
                y.n(),
                z.nrows()
            ),
        ));
    }
    let tree = Tree::new(z);
    let must_flip = identify_flips(&tree, y);
    let swap_row = flip_parity(&tree, &must_flip);

    let mut out = z.to_owned();
    for (i, _) in swap_row.iter().enumerate().filter(|(_, s)| **s) {
        out.swap([i, 0], [i, 1]);
    }
    Ok(out)
}

/// Z's tree with its leaves numbered by position in the current leaf order.
struct Tree {
    /// Number of observations.
    n: usize,
    /// The two child ids (Z's ids) of each row.
    children: Vec<[usize; 2]>,
    /// Observation at each position of the leaf order.
    leaves: Vec<usize>,
    /// Half-open range of leaf positions of every cluster id (0..2n-1).
    span: Vec<(usize, usize)>,
}

impl Tree {
    /// Builds the tree of a valid linkage matrix.
    fn new(z: ArrayView2<f64>) -> Self {
        let n = z.nrows() + 1;
        let children: Vec<[usize; 2]> = z
            .rows()
            .into_iter()
            .map(|r| [r[0] as usize, r[1] as usize])
            .collect();

        // scipy's leaves_list: pre-order from the root, left child first.
        let mut leaves = Vec::with_capacity(n);
        let mut stack = vec![2 * n - 2];
        while let Some(c) = stack.pop() {
            if c < n {
                leaves.push(c);
            } else {
                let [l, r] = children[c - n];
                stack.push(r);
                stack.push(l);
            }
        }
        debug_assert_eq!(leaves.len(), n, "a valid linkage reaches every leaf");

        let mut span = vec![(0, 0); 2 * n - 1];
        for (p, &leaf) in leaves.iter().enumerate() {
            span[leaf] = (p, p + 1);
        }
        for (i, &[l, r]) in children.iter().enumerate() {
            span[n + i] = (span[l].0, span[r].1);
        }
        Tree {
            n,
            children,
            leaves,
            span,
        }
    }

    /// The ranges to draw (outer end, inner end) from, for each way the
    /// cluster `c` can be laid out: both ends in the one leaf, or one end in
    /// each child (first child first, then second child first).
    fn layouts(&self, c: usize) -> Vec<[(usize, usize); 2]> {
        if c < self.n {
            vec![[self.span[c], self.span[c]]]
        } else {
            let [a, b] = self.children[c - self.n];
            vec![[self.span[a], self.span[b]], [self.span[b], self.span[a]]]
        }
    }
}

/// The best path costs M[a, b] between leaf positions a and b, symmetric and
/// zero on the diagonal, stored as a packed upper triangle (scipy's
/// condensed layout), so that M[u, w] for u left of w is read and written
/// along a row.
struct PathCosts {
    n: usize,
    data: Vec<f32>,
}

impl PathCosts {
    fn new(n: usize) -> Self {
        PathCosts {
            n,
            data: vec![0.0; n * (n - 1) / 2],
        }
    }

    #[inline]
    fn index(&self, a: usize, b: usize) -> usize {
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        self.n * lo + hi - (lo + 2) * (lo + 1) / 2
    }

    #[inline]
    fn get(&self, a: usize, b: usize) -> f32 {
        if a == b {
            0.0
        } else {
            self.data[self.index(a, b)]
        }
    }

    #[inline]
    fn set(&mut self, a: usize, b: usize, v: f32) {
        let i = self.index(a, b);
        self.data[i] = v;
    }
}

/// For every row of Z, whether its two children must be flipped (scipy's
/// `must_swap`, the dynamic programme of step 2 and 3 of the module doc).
fn identify_flips(tree: &Tree, y: &CondensedMatrix) -> Vec<bool> {
    let n = tree.n;
    let mut cost = PathCosts::new(n);
    let mut must_flip = vec![false; n - 1];
    // scipy keeps the previous merge's choice when no M[u, w] of the current
    // one is below 2^30; starting as "no flip".
    let mut choice = (false, false);
    // Reused buffers: D[m, k] for the current (m, k) ranges; the k's sorted
    // by M[k, w] for every w; the m's sorted by M[m, u].
    let mut d_block: Vec<f64> = Vec::new();
    let mut k_sorted: Vec<(f32, u32)> = Vec::new();
    let mut m_sorted: Vec<(f32, u32)> = Vec::new();

    for &[vl, vr] in &tree.children {
        for [us, ms] in tree.layouts(vl) {
            // Right side: k is the near end, w the far end, so the first
            // layout puts w in V_r's second child, as scipy tries first.
            for [ks, ws] in tree.layouts(vr) {
                let k_len = ks.1 - ks.0;
                // D[m, k] over the two inner ranges, and its minimum (scipy
                // compares the double distance with its float minimum).
                d_block.clear();
                let mut min_km = UNREACHED;
                for m in ms.0..ms.1 {
                    let lm = tree.leaves[m];
                    for &lk in &tree.leaves[ks.0..ks.1] {
                        let d = y.get(lm, lk);
                        if d < f64::from(min_km) {
                            min_km = d as f32;
                        }
                        d_block.push(d);
                    }
                }

                // The k's in scipy's order of M[k, w], for every w (scipy
                // sorts again for every u; the order does not depend on u).
                k_sorted.clear();
                for w in ws.0..ws.1 {
                    let start = k_sorted.len();
                    k_sorted.extend((0..k_len).map(|k| (cost.get(ks.0 + k, w), k as u32)));
                    scipy_quicksort(&mut k_sorted[start..]);
                }

                for u in us.0..us.1 {
                    m_sorted.clear();
                    m_sorted.extend((0..ms.1 - ms.0).map(|m| (cost.get(ms.0 + m, u), m as u32)));
                    scipy_quicksort(&mut m_sorted);
                    for (wi, w) in (ws.0..ws.1).enumerate() {
                        let k_order = &k_sorted[wi * k_len..(wi + 1) * k_len];
                        let best = best_join(&m_sorted, k_order, &d_block, min_km);
                        cost.set(u, w, best);
                    }
                }
            }
        }

        // The first (u, w), row-major, with the strictly smallest cost.
        let (ls, rs) = (tree.span[vl], tree.span[vr]);
        let mut best = UNREACHED;
        let mut best_uw = None;
        for u in ls.0..ls.1 {
            for w in rs.0..rs.1 {
                let c = cost.get(u, w);
                if c < best {
                    best = c;
                    best_uw = Some((u, w));
                }
            }
        }
        if let Some((u, w)) = best_uw {
            // V_l flips when u lies in its second child; V_r flips when w
            // lies in its first child.
            let flip_l = vl >= n && u >= tree.span[tree.children[vl - n][1]].0;
            let flip_r = vr >= n && w < tree.span[tree.children[vr - n][0]].1;
            choice = (flip_l, flip_r);
        }
        if vl >= n {
            must_flip[vl - n] = choice.0;
        }
        if vr >= n {
            must_flip[vr - n] = choice.1;
        }
    }
    must_flip
}

/// min over m, k of M[u, m] + M[w, k] + D[m, k], visiting m and k in the
/// given orders (pairs of M value and index into the m or k range) with
/// scipy's early exits and strict improvement; 2^30 when nothing is below
/// it. `d_block` holds D[m, k] row by row, one row per m.
fn best_join(
    m_sorted: &[(f32, u32)],
    k_sorted: &[(f32, u32)],
    d_block: &[f64],
    min_km: f32,
) -> f32 {
    let k_len = k_sorted.len();
    let mut best = UNREACHED;
    let first_k = k_sorted[0].0;
    for &(um, m) in m_sorted {
        // No k can beat `best` once the cheapest one cannot.
        if um + first_k + min_km >= best {
            break;
        }
        let d_row = &d_block[m as usize * k_len..(m as usize + 1) * k_len];
        for &(wk, k) in k_sorted {
            if um + wk + min_km >= best {
                break;
            }
            // float + float, then + double, rounded back to float, as in C.
            let candidate = (f64::from(um + wk) + d_row[k as usize]) as f32;
            if candidate < best {
                best = candidate;
            }
        }
    }
    best
}

/// scipy's (and scikit-learn's) `_simultaneous_sort`: a quicksort with a
/// median-of-three pivot and special cases for 2 and 3 elements. It is not
/// stable, and the order it leaves equal keys in decides ties in
/// [`best_join`], so it is reproduced exactly. The two halves are sorted
/// from an explicit stack instead of by recursion (they are disjoint, so the
/// order in which they are done does not matter).
fn scipy_quicksort(v: &mut [(f32, u32)]) {
    if v.len() < 2 {
        return;
    }
    let mut stack = vec![(0usize, v.len())];
    while let Some((start, size)) = stack.pop() {
        let d = &mut v[start..start + size];
        // Swap two entries if the first has the larger key.
        let order = |d: &mut [(f32, u32)], i: usize, j: usize| {
            if d[i].0 > d[j].0 {
                d.swap(i, j);
            }
        };
        match size {
            0 | 1 => {}
            2 => order(d, 0, 1),
            3 => {
                order(d, 0, 1);
                if d[1].0 > d[2].0 {
                    d.swap(1, 2);
                    order(d, 0, 1);
                }
            }
            _ => {
                // Median of three: smallest first, median last (the pivot),
                // largest in the middle.
                let last = size - 1;
                order(d, 0, last);
                if d[last].0 > d[size / 2].0 {
                    d.swap(last, size / 2);
                    order(d, 0, last);
                }
                let pivot = d[last].0;
                let mut store = 0;
                for i in 0..last {
                    let x = d[i];
                    if x.0 < pivot {
                        // scipy swaps d[i] with itself too; skipping that
                        // changes nothing.
                        if i != store {
                            d[i] = d[store];
                            d[store] = x;
                        }
                        store += 1;
                    }
                }
                d.swap(store, last);
                if store > 1 {
                    stack.push((start, store));
                }
                if store + 2 < size {
                    stack.push((start + store + 1, size - store - 1));
                }
            }
        }
    }
}

/// For every row, whether an odd number of the merges at or above it must
/// be flipped (scipy's `final_swap`).
fn flip_parity(tree: &Tree, must_flip: &[bool]) -> Vec<bool> {
    let n = tree.n;
    let mut parity = must_flip.to_vec();
    // Parents come after their children, so walk the rows backwards.
    for i in (0..n - 1).rev() {
        let p = parity[i];
        for c in tree.children[i] {
            if c >= n {
                parity[c - n] ^= p;
            }
        }
    }
    parity
}

#[cfg(test)]
#[path = "leaf_ordering_tests.rs"]
mod tests;
