//! Ward linkage by the nearest-neighbour chain over a kd-tree of cluster
//! centroids: each of the chain's neighbour queries walks the tree instead
//! of scanning every active cluster.
//!
//! The chain, its tie rules and its arithmetic are those of the chain on
//! centroids without an index ([`super::vector::WardCentroids`]): the
//! previous chain element stays unless a cluster is strictly nearer, ties
//! go to the lowest slot, distances are `2 na nb / (na + nb) |ca - cb|^2`
//! with the squared distance summed in feature order, and a merge moves
//! the higher slot's centroid to the size-weighted mean. So Z is that
//! path's to the bit.
//!
//! A node is skipped when a lower bound of Ward's distance to every active
//! cluster in it exceeds the best candidate so far (or reaches the previous
//! chain element's distance, which wins ties): with s the smallest size of
//! the node's clusters, `2 na s / (na + s)` times the squared distance from
//! the query's centroid to the node's box. `2 na s / (na + s)` grows with
//! s, and rounding is monotone, so the bound computed in floating point
//! never exceeds a cluster's computed distance. When a merge moves a
//! centroid, the boxes of its leaf and of the leaf's ancestors grow to
//! hold it; removed clusters leave the counts. When half the clusters of
//! the last build are gone, the tree is rebuilt over the active ones.

use super::nn_chain::{cycle_start, truncate_chain};
use super::relabel::{sort_and_label, SlotMerge};
use super::rows::squared_euclidean;
use super::Method;
use crate::error::Result;
use crate::spatial::kdtree::{KdTree, NONE};
use crate::spatial::metric::{Kernel, TreeMetric};
use ndarray::Array2;

/// The square of Ward's distance, as the centroid path computes it.
#[inline(always)]
fn ward_square(sq: f64, na: f64, nb: f64) -> f64 {
    2.0 * na * nb / (na + nb) * sq
}

/// The kd-tree over the active clusters with the marks the queries need.
struct CentroidTree {
    tree: KdTree,
    /// Parent of each node (NONE for the root).
    parent: Vec<u32>,
    /// The leaf holding each tree position.
    leaf_of: Vec<u32>,
    /// Active clusters per node.
    count: Vec<u32>,
    /// The smallest size of a cluster in the node (a lower bound: sizes
    /// only grow, and removed clusters leave it as it was).
    min_size: Vec<f64>,
    /// The lowest slot in the node (a lower bound, likewise).
    min_slot: Vec<u32>,
    /// Size of the cluster at each tree position (0 when merged away).
    size: Vec<f64>,
    /// Tree position of each slot (NONE for slots no longer active).
    pos_of: Vec<u32>,
    /// Active clusters when the tree was built.
    built_with: usize,
}

impl CentroidTree {
    /// The tree over the clusters `slots` (ascending) with centroids
    /// `centroids` (row-major) and sizes `sizes`; `n` slots in all.
    ///
    /// # Errors
    /// [`crate::Error::Cancelled`] when the run's token fires.
    fn build(centroids: &[f64], slots: &[u32], sizes: &[f64], m: usize, n: usize) -> Result<Self> {
        let k = slots.len();
        let mut tree = KdTree::build(centroids, k, m)?;
        let mut pos_of = vec![NONE; n];
        for (pos, local) in tree.index.iter_mut().enumerate() {
            *local = slots[*local as usize];
            pos_of[*local as usize] = pos as u32;
        }
        let size: Vec<f64> = tree
            .index
            .iter()
            .map(|&s| sizes[slots.binary_search(&s).expect("a built slot")])
            .collect();
        let nodes = tree.nodes.len();
        let (mut parent, mut leaf_of) = (vec![NONE; nodes], vec![NONE; k]);
        let (mut count, mut min_size, mut min_slot) = (
            vec![0u32; nodes],
            vec![f64::INFINITY; nodes],
            vec![u32::MAX; nodes],
        );
        for v in (0..nodes).rev() {
            let node = tree.nodes[v];
            if node.left == NONE {
                for pos in node.start as usize..node.end as usize {
                    leaf_of[pos] = v as u32;
                    min_size[v] = min_size[v].min(size[pos]);
                    min_slot[v] = min_slot[v].min(tree.index[pos]);
                }
                count[v] = node.end - node.start;
            } else {
                let (l, r) = (node.left as usize, node.right as usize);
                parent[l] = v as u32;
                parent[r] = v as u32;
                count[v] = count[l] + count[r];
                min_size[v] = min_size[l].min(min_size[r]);
                min_slot[v] = min_slot[l].min(min_slot[r]);
            }
        }
        Ok(CentroidTree {
            tree,
            parent,
            leaf_of,
            count,
            min_size,
            min_slot,
            size,
            pos_of,
            built_with: k,
        })
    }

    fn centroid(&self, slot: usize) -> &[f64] {
        self.tree.point(self.pos_of[slot] as usize)
    }

    fn size_of(&self, slot: usize) -> f64 {
        self.size[self.pos_of[slot] as usize]
    }

    /// Ward's squared distance between two active slots.
    fn distance(&self, a: usize, b: usize) -> f64 {
        ward_square(
            squared_euclidean(self.centroid(a), self.centroid(b)),
            self.size_of(a),
            self.size_of(b),
        )
    }

    /// The nearest active slot to x (x excluded) by (distance, slot), among
    /// those strictly nearer than `beat` (the previous chain element's
    /// distance, which wins ties); (inf, NONE) when none is.
    fn nearest(&self, x: usize, beat: f64, stack: &mut Vec<(u32, f64)>) -> (f64, u32) {
        let px = self.pos_of[x] as usize;
        let cx = self.tree.point(px);
        let nx = self.size[px];
        let mut best = (f64::INFINITY, NONE);
        stack.clear();
        stack.push((0, 0.0));
        while let Some((v, lb)) = stack.pop() {
            let vi = v as usize;
            if self.count[vi] == 0
                || lb >= beat
                || lb > best.0
                || (lb == best.0 && self.min_slot[vi] > best.1)
            {
                continue;
            }
            let node = self.tree.nodes[vi];
            if node.left == NONE {
                for pos in node.start as usize..node.end as usize {
                    let s = self.size[pos];
                    if s == 0.0 || pos == px {
                        continue;
                    }
                    let d = ward_square(squared_euclidean(cx, self.tree.point(pos)), nx, s);
                    let slot = self.tree.index[pos];
                    if d < beat && (d < best.0 || (d == best.0 && slot < best.1)) {
                        best = (d, slot);
                    }
                }
                continue;
            }
            let bound = |c: u32| {
                let (lo, hi) = self.tree.bounds(c as usize);
                let sq = TreeMetric::SqEuclidean.box_key(cx, lo, hi);
                ward_square(sq, nx, self.min_size[c as usize])
            };
            let (l, r) = (node.left, node.right);
            let (bl, br) = (bound(l), bound(r));
            if bl <= br {
                stack.push((r, br));
                stack.push((l, bl));
            } else {
                stack.push((l, bl));
                stack.push((r, br));
            }
        }
        best
    }

    /// Merges slot x into slot y: y's centroid moves to the size-weighted
    /// mean (the boxes above it grow to hold it), x leaves the tree.
    fn merge(&mut self, x: usize, y: usize) {
        let m = self.tree.m;
        let (px, py) = (self.pos_of[x] as usize, self.pos_of[y] as usize);
        let (nx, ny) = (self.size[px], self.size[py]);
        for k in 0..m {
            let (a, b) = (self.tree.points[px * m + k], self.tree.points[py * m + k]);
            self.tree.points[py * m + k] = (nx * a + ny * b) / (nx + ny);
        }
        self.size[py] = nx + ny;
        self.size[px] = 0.0;
        self.pos_of[x] = NONE;
        let mut v = self.leaf_of[py];
        while v != NONE {
            let vi = v as usize;
            for k in 0..m {
                let c = self.tree.points[py * m + k];
                let lo = &mut self.tree.lo[vi * m + k];
                *lo = lo.min(c);
                let hi = &mut self.tree.hi[vi * m + k];
                *hi = hi.max(c);
            }
            v = self.parent[vi];
        }
        let mut v = self.leaf_of[px];
        while v != NONE {
            self.count[v as usize] -= 1;
            v = self.parent[v as usize];
        }
    }

    /// The tree over the clusters still active (slots ascending).
    fn rebuilt(&self, n: usize) -> Result<Self> {
        let m = self.tree.m;
        let slots: Vec<u32> = (0..n as u32)
            .filter(|&s| self.pos_of[s as usize] != NONE)
            .collect();
        let mut centroids = Vec::with_capacity(slots.len() * m);
        let mut sizes = Vec::with_capacity(slots.len());
        for &s in &slots {
            centroids.extend_from_slice(self.centroid(s as usize));
            sizes.push(self.size_of(s as usize));
        }
        CentroidTree::build(&centroids, &slots, &sizes, m, n)
    }
}

/// Ward linkage of the rows of `data` (n x m, row-major, finite) by the
/// nearest-neighbour chain over a kd-tree of centroids: the same Z as
/// [`super::ward_euclidean_low_memory`], in O(n m) memory and, on
/// low-dimensional data, far fewer distance computations.
///
/// # Errors
/// [`crate::Error::Overflow`] when a height overflows.
pub(crate) fn ward_tree(data: &[f64], n: usize, m: usize) -> Result<Array2<f64>> {
    let slots: Vec<u32> = (0..n as u32).collect();
    let mut t = CentroidTree::build(data, &slots, &vec![1.0; n], m, n)?;
    let mut alive = vec![true; n];
    let mut lowest = 0usize;
    let mut active = n;
    let mut chain: Vec<usize> = Vec::with_capacity(64);
    let mut stack = Vec::with_capacity(128);
    let mut merges = Vec::with_capacity(n - 1);
    let mut in_chain = vec![false; n];
    for k in 0..n - 1 {
        if k % 1024 == 0 {
            crate::cancel::check()?;
        }
        while !alive[lowest] {
            lowest += 1;
        }
        if chain.is_empty() {
            chain.push(lowest);
            in_chain[lowest] = true;
        }
        let (x, y, dist, keep) = loop {
            let x = chain[chain.len() - 1];
            let prev = (chain.len() > 1).then(|| chain[chain.len() - 2]);
            let beat = prev.map_or(f64::INFINITY, |p| t.distance(x, p));
            let (d, found) = t.nearest(x, beat, &mut stack);
            let (y, dist) = if found != NONE {
                (found as usize, d)
            } else if let Some(p) = prev {
                (p, beat)
            } else {
                // Nothing finite (an overflow, refused below): the lowest
                // other active slot.
                let other = (0..n)
                    .find(|&i| alive[i] && i != x)
                    .expect("two active slots");
                (other, t.distance(x, other))
            };
            if Some(y) == prev {
                break (x, y, dist, chain.len() - 2);
            }
            if in_chain[y] {
                break (x, y, dist, cycle_start(&chain, y));
            }
            chain.push(y);
            in_chain[y] = true;
        };
        truncate_chain(&mut chain, &mut in_chain, keep);
        let (x, y) = (x.min(y), x.max(y));
        merges.push(SlotMerge {
            a: x,
            b: y,
            dist: dist.sqrt(),
        });
        alive[x] = false;
        t.merge(x, y);
        active -= 1;
        if active > 1 && 2 * active < t.built_with {
            t = t.rebuilt(n)?;
        }
    }
    super::finite::finite_heights(sort_and_label(merges, n), Method::Ward, "f64")
}
