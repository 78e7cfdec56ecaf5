//! The kd-tree's side of Borůvka's algorithm ([`super::boruvka`]): the
//! K nearest neighbours of every point, and the nearest point in another
//! component, skipping subtrees whose points all share the querying
//! point's component (each node records the one component its points
//! share, if they do) and subtrees whose box lies beyond the best
//! candidate so far or the component's shared bound.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::boruvka::{nearest_each, offer, Best, Source, K};
use crate::spatial::kdtree::{KdTree, NONE};
use crate::spatial::metric::Kernel;

/// Up to this many features, the K nearest neighbours are found one leaf
/// at a time (a walk shared by the leaf's points, pruned box to box);
/// above it, one point at a time, since a leaf's box then spans most of
/// the data in some features and prunes little (at d = 5, 1.8 times
/// slower; at d = 2, 1.4 times faster).
const KNN_LEAF_MAX_DIM: usize = 3;

/// A kd-tree over the points, its per-node component marks, and the
/// metric.
pub(crate) struct TreeSource<M: Kernel, const D: usize> {
    tree: KdTree,
    metric: M,
    node_comp: Vec<u32>,
    /// The leaf of each tree position.
    leaf_of: Vec<u32>,
}

impl<M: Kernel, const D: usize> TreeSource<M, D> {
    /// Builds the tree over the rows of `data` (n x m, row-major).
    ///
    /// # Errors
    /// [`crate::Error::Cancelled`] when the run's token fires.
    pub fn new(data: &[f64], n: usize, m: usize, metric: M) -> crate::error::Result<Self> {
        let tree = KdTree::build(data, n, m)?;
        let node_comp = vec![NONE; tree.nodes.len()];
        let mut leaf_of = vec![0u32; n];
        for (v, node) in tree.nodes.iter().enumerate() {
            if node.left == NONE {
                leaf_of[node.start as usize..node.end as usize].fill(v as u32);
            }
        }
        Ok(TreeSource {
            tree,
            metric,
            node_comp,
            leaf_of,
        })
    }
}

impl<M: Kernel, const D: usize> Source for TreeSource<M, D> {
    fn originals(&self) -> Vec<u32> {
        self.tree.index.clone()
    }

    fn k_nearest_all(&self) -> Vec<[Best; K]> {
        let mut out = vec![[Best::NONE; K]; self.tree.len()];
        // Each leaf's points are one run of tree positions: hand each leaf
        // its run of the output.
        let mut runs = Vec::new();
        let mut rest = out.as_mut_slice();
        for g in self.groups() {
            let (run, tail) = rest.split_at_mut(g.len());
            runs.push((self.leaf_of[g.start], run));
            rest = tail;
        }
        // A cancelled run skips the remaining leaves: its caller stops at
        // its next check.
        let stop = crate::cancel::current();
        runs.par_iter_mut()
            .with_min_len(16)
            .for_each_init(Vec::new, |stack, (leaf, run)| {
                if stop.as_ref().is_some_and(crate::Cancel::is_cancelled) {
                    return;
                }
                if self.tree.m <= KNN_LEAF_MAX_DIM {
                    k_nearest_leaf::<M, D>(&self.tree, self.metric, *leaf as usize, run, stack)
                } else {
                    let first = self.tree.nodes[*leaf as usize].start as usize;
                    for (i, list) in run.iter_mut().enumerate() {
                        *list = k_nearest::<M, D>(&self.tree, self.metric, first + i, stack);
                    }
                }
            });
        out
    }

    fn begin_round(&mut self, comp: &[u32]) {
        mark_nodes(&self.tree, comp, &mut self.node_comp);
    }

    fn nearest_other(
        &self,
        p: usize,
        comp: &[u32],
        bound: &[AtomicU64],
        stack: &mut Vec<(u32, f64)>,
    ) -> (Best, f64) {
        nearest_other::<M, D>(
            &self.tree,
            self.metric,
            comp,
            &self.node_comp,
            bound,
            p,
            stack,
        )
    }

    fn finish(&self, key: f64) -> f64 {
        self.metric.finish(key)
    }

    fn groups(&self) -> Vec<Range<usize>> {
        let leaves = self.tree.nodes.iter().filter(|v| v.left == NONE);
        leaves.map(|v| v.start as usize..v.end as usize).collect()
    }

    fn nearest_other_group(
        &self,
        need: &[u32],
        comp: &[u32],
        bound: &[AtomicU64],
        stack: &mut Vec<(u32, f64)>,
        out: &mut Vec<(Best, f64)>,
    ) {
        let leaf = self.leaf_of[need[0] as usize] as usize;
        let cp = comp[need[0] as usize];
        if need.len() > 1 && self.node_comp[leaf] == cp {
            nearest_other_leaf::<M, D>(
                &self.tree,
                self.metric,
                comp,
                &self.node_comp,
                bound,
                leaf,
                need,
                stack,
                out,
            );
            return;
        }
        nearest_each(self, need, comp, bound, stack, out);
    }
}

/// [`nearest_other`] for the points `need` of `leaf`, all of whose points
/// share one component: one walk for them all, pruned by the box of the
/// leaf against each node's box and the greatest of the points' limits,
/// and within each leaf met on the way by each point's own limit. Every
/// point of another component within a point's final limit lies in a
/// node the walk entered (the box-to-box bound is at most the point's
/// bound, which is at most the distance), so each answer is the one
/// [`nearest_other`] gives.
#[allow(clippy::too_many_arguments)]
fn nearest_other_leaf<K: Kernel, const D: usize>(
    tree: &KdTree,
    metric: K,
    comp: &[u32],
    node_comp: &[u32],
    bound: &[AtomicU64],
    leaf: usize,
    need: &[u32],
    stack: &mut Vec<(u32, f64)>,
    out: &mut Vec<(Best, f64)>,
) {
    let cp = comp[need[0] as usize];
    let shared = &bound[cp as usize];
    let first = out.len();
    out.extend(need.iter().map(|_| (Best::NONE, f64::INFINITY)));
    let answers = &mut out[first..];
    // Each point's limit, and the greatest of them.
    let limits = |answers: &mut [(Best, f64)]| {
        let s = f64::from_bits(shared.load(Ordering::Relaxed));
        let mut widest = 0.0f64;
        for (b, lim) in answers.iter_mut() {
            *lim = b.key.min(s);
            widest = widest.max(*lim);
        }
        widest
    };
    let widest = limits(answers);
    let skip = |v: usize| node_comp[v] == cp;
    walk_from_leaf::<K, D>(tree, metric, leaf, stack, widest, skip, |v| {
        let node = tree.nodes[v];
        let (lo, hi) = tree.bx::<D>(v);
        for (&p, (best, lim)) in need.iter().zip(answers.iter_mut()) {
            let x = tree.pt::<D>(p as usize);
            if metric.box_key(x, lo, hi) > *lim {
                continue;
            }
            for q in node.start..node.end {
                if comp[q as usize] == cp {
                    continue;
                }
                let k = metric.key(x, tree.pt::<D>(q as usize));
                if k <= *lim && (k < best.key || (k == best.key && q < best.q)) {
                    *best = Best { key: k, q };
                    *lim = k;
                }
            }
        }
        limits(answers)
    });
    limits(answers);
    for (b, _) in answers.iter() {
        if b.q != NONE {
            shared.fetch_min(b.key.to_bits(), Ordering::Relaxed);
        }
    }
}

/// `node_comp[v]`: the component all points of node v share, or NONE.
fn mark_nodes(tree: &KdTree, comp: &[u32], node_comp: &mut [u32]) {
    for v in (0..tree.nodes.len()).rev() {
        let node = tree.nodes[v];
        node_comp[v] = if node.left == NONE {
            let c = comp[node.start as usize];
            if comp[node.start as usize..node.end as usize]
                .iter()
                .all(|&x| x == c)
            {
                c
            } else {
                NONE
            }
        } else {
            let (l, r) = (
                node_comp[node.left as usize],
                node_comp[node.right as usize],
            );
            if l == r {
                l
            } else {
                NONE
            }
        };
    }
}

/// The nearest point to p in another component, by (key, tree position),
/// among those no farther than its component's shared bound; with the
/// final limit of the search, `min(best key, shared bound)`: every point of
/// another component is at least that far, and the best is p's nearest
/// in another component when its key is that limit.
fn nearest_other<K: Kernel, const D: usize>(
    tree: &KdTree,
    metric: K,
    comp: &[u32],
    node_comp: &[u32],
    bound: &[AtomicU64],
    p: usize,
    stack: &mut Vec<(u32, f64)>,
) -> (Best, f64) {
    let cp = comp[p];
    let shared = &bound[cp as usize];
    let x = tree.pt::<D>(p);
    let mut best = Best::NONE;
    let limit = |best: &Best| best.key.min(f64::from_bits(shared.load(Ordering::Relaxed)));
    let mut lim = limit(&best);
    stack.clear();
    stack.push((0, 0.0));
    while let Some((v, lb)) = stack.pop() {
        if lb > lim || node_comp[v as usize] == cp {
            continue;
        }
        let node = tree.nodes[v as usize];
        if node.left == NONE {
            for q in node.start..node.end {
                if comp[q as usize] == cp {
                    continue;
                }
                let k = metric.key(x, tree.pt::<D>(q as usize));
                if k <= lim && (k < best.key || (k == best.key && q < best.q)) {
                    best = Best { key: k, q };
                }
            }
            lim = limit(&best);
            continue;
        }
        let (l, r) = (node.left, node.right);
        let bl = bound_of::<K, D>(tree, metric, x, l);
        let br = bound_of::<K, D>(tree, metric, x, r);
        push_children(stack, (l, bl), (r, br), lim);
    }
    if best.q != NONE {
        shared.fetch_min(best.key.to_bits(), Ordering::Relaxed);
    }
    (best, lim)
}

/// The K nearest points (by key, then tree position, ascending; NONE
/// entries when there are fewer) to each point of `leaf`, whose tree
/// positions are `best`'s: one walk for the whole leaf, pruned by the box
/// of the leaf against each node's box and the worst of its points' K-th
/// keys, and within a leaf met on the way by each point's own bound.
fn k_nearest_leaf<K2: Kernel, const D: usize>(
    tree: &KdTree,
    metric: K2,
    leaf: usize,
    best: &mut [[Best; K]],
    stack: &mut Vec<(u32, f64)>,
) {
    let first = tree.nodes[leaf].start as usize;
    let scan = |best: &mut [[Best; K]], v: usize| {
        let node = tree.nodes[v];
        let (lo, hi) = tree.bx::<D>(v);
        for (i, list) in best.iter_mut().enumerate() {
            let p = first + i;
            let x = tree.pt::<D>(p);
            if v != leaf && metric.box_key(x, lo, hi) > list[K - 1].key {
                continue;
            }
            for q in node.start..node.end {
                if q as usize != p {
                    let key = metric.key(x, tree.pt::<D>(q as usize));
                    offer(list, Best { key, q });
                }
            }
        }
    };
    let worst = |best: &[[Best; K]]| best.iter().fold(0.0f64, |w, l| w.max(l[K - 1].key));
    scan(best, leaf);
    let lim = worst(best);
    walk_from_leaf::<K2, D>(
        tree,
        metric,
        leaf,
        stack,
        lim,
        |v| v == leaf,
        |v| {
            scan(best, v);
            worst(best)
        },
    );
}

/// The walk shared by the searches made for all points of `leaf` at once:
/// from the root, depth first, nearer child first, skipping the nodes that
/// `skip` names and those whose box lies farther from the leaf's box than
/// the limit (`lim` at the start); each leaf reached goes to `visit`,
/// which returns the new limit.
fn walk_from_leaf<K: Kernel, const D: usize>(
    tree: &KdTree,
    metric: K,
    leaf: usize,
    stack: &mut Vec<(u32, f64)>,
    mut lim: f64,
    skip: impl Fn(usize) -> bool,
    mut visit: impl FnMut(usize) -> f64,
) {
    let (alo, ahi) = tree.bx::<D>(leaf);
    stack.clear();
    stack.push((0, 0.0));
    while let Some((v, lb)) = stack.pop() {
        if lb > lim || skip(v as usize) {
            continue;
        }
        let node = tree.nodes[v as usize];
        if node.left == NONE {
            lim = visit(v as usize);
            continue;
        }
        let (l, r) = (node.left, node.right);
        let between = |c: u32| {
            let (blo, bhi) = tree.bx::<D>(c as usize);
            metric.boxes_key(alo, ahi, blo, bhi)
        };
        let (bl, br) = (between(l), between(r));
        push_children(stack, (l, bl), (r, br), lim);
    }
}

/// The K nearest points to p (p excluded) by (key, tree position),
/// ascending; NONE entries when there are fewer.
fn k_nearest<K2: Kernel, const D: usize>(
    tree: &KdTree,
    metric: K2,
    p: usize,
    stack: &mut Vec<(u32, f64)>,
) -> [Best; K] {
    let x = tree.pt::<D>(p);
    let mut best = [Best::NONE; K];
    stack.clear();
    stack.push((0, 0.0));
    while let Some((v, lb)) = stack.pop() {
        if lb > best[K - 1].key {
            continue;
        }
        let node = tree.nodes[v as usize];
        if node.left == NONE {
            for q in node.start..node.end {
                if q as usize == p {
                    continue;
                }
                let key = metric.key(x, tree.pt::<D>(q as usize));
                offer(&mut best, Best { key, q });
            }
            continue;
        }
        let (l, r) = (node.left, node.right);
        let bl = bound_of::<K2, D>(tree, metric, x, l);
        let br = bound_of::<K2, D>(tree, metric, x, r);
        push_children(stack, (l, bl), (r, br), best[K - 1].key);
    }
    best
}

/// Pushes the children (node, lower bound) that lie within `lim`, the
/// nearer last so that it is popped first.
#[inline(always)]
fn push_children(stack: &mut Vec<(u32, f64)>, a: (u32, f64), b: (u32, f64), lim: f64) {
    let (near, far) = if a.1 <= b.1 { (a, b) } else { (b, a) };
    if far.1 <= lim {
        stack.push(far);
    }
    if near.1 <= lim {
        stack.push(near);
    }
}

/// The lower bound of the key from x to node v's box.
#[inline]
fn bound_of<K: Kernel, const D: usize>(tree: &KdTree, metric: K, x: &[f64], v: u32) -> f64 {
    let (lo, hi) = tree.bx::<D>(v as usize);
    metric.box_key(x, lo, hi)
}
