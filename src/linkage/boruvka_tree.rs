//! The kd-tree's side of Borůvka's algorithm ([`super::boruvka`]): the
//! K nearest neighbours of every point, and the nearest point in another
//! component, skipping subtrees whose points all share the querying
//! point's component (each node records the one component its points
//! share, if they do) and subtrees whose box lies beyond the best
//! candidate so far or the component's shared bound.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use rayon::prelude::*;

use super::boruvka::{Best, Source, K};
use crate::spatial::kdtree::{KdTree, NONE};
use crate::spatial::metric::Kernel;

/// A kd-tree over the points, its per-node component marks, and the
/// metric.
pub(crate) struct TreeSource<M: Kernel> {
    tree: KdTree,
    metric: M,
    node_comp: Vec<u32>,
    /// The leaf of each tree position.
    leaf_of: Vec<u32>,
    /// Per leaf, this round: 0 not yet looked at, 1 no point of another
    /// component within the component's bound of the leaf's box (its
    /// points need not search), 2 some may be.
    leaf_state: Vec<AtomicU8>,
}

impl<M: Kernel> TreeSource<M> {
    /// Builds the tree over the rows of `data` (n x m, row-major).
    pub fn new(data: &[f64], n: usize, m: usize, metric: M) -> Self {
        let tree = KdTree::build(data, n, m);
        let node_comp = vec![NONE; tree.nodes.len()];
        let mut leaf_of = vec![0u32; n];
        for (v, node) in tree.nodes.iter().enumerate() {
            if node.left == NONE {
                leaf_of[node.start as usize..node.end as usize].fill(v as u32);
            }
        }
        let leaf_state = (0..tree.nodes.len()).map(|_| AtomicU8::new(0)).collect();
        TreeSource {
            tree,
            metric,
            node_comp,
            leaf_of,
            leaf_state,
        }
    }
}

impl<M: Kernel> Source for TreeSource<M> {
    fn point(&self, p: usize) -> &[f64] {
        self.tree.point(p)
    }

    fn original(&self, p: usize) -> usize {
        self.tree.index[p] as usize
    }

    fn k_nearest_all(&self) -> Vec<[Best; K]> {
        (0..self.tree.len())
            .into_par_iter()
            .with_min_len(256)
            .map_init(Vec::new, |stack, p| {
                k_nearest(&self.tree, self.metric, p, stack)
            })
            .collect()
    }

    fn begin_round(&mut self, comp: &[u32]) {
        mark_nodes(&self.tree, comp, &mut self.node_comp);
        self.leaf_state.iter_mut().for_each(|s| *s.get_mut() = 0);
    }

    fn nearest_other(
        &self,
        p: usize,
        comp: &[u32],
        bound: &[AtomicU64],
        stack: &mut Vec<(u32, f64)>,
    ) -> (Best, f64) {
        // A leaf inside one component is looked at once for all its
        // points: when no point of another component lies within the
        // component's bound of its box, none of its points can beat it.
        let leaf = self.leaf_of[p] as usize;
        let cp = comp[p];
        if self.node_comp[leaf] == cp {
            let state = &self.leaf_state[leaf];
            let shared = f64::from_bits(bound[cp as usize].load(Ordering::Relaxed));
            if state.load(Ordering::Relaxed) == 0 {
                let near = box_reaches_other(
                    &self.tree,
                    self.metric,
                    comp,
                    &self.node_comp,
                    leaf,
                    cp,
                    shared,
                    stack,
                );
                state.store(if near { 2 } else { 1 }, Ordering::Relaxed);
                if !near {
                    return (Best::NONE, shared);
                }
            } else if state.load(Ordering::Relaxed) == 1 {
                return (
                    Best::NONE,
                    shared
                        .max(0.0)
                        .min(f64::from_bits(bound[cp as usize].load(Ordering::Relaxed))),
                );
            }
        }
        nearest_other(
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
}

/// Whether some point outside component `cp` may lie within `limit` (by
/// key) of the box of node `leaf`: a walk pruned by box-to-box bounds.
#[allow(clippy::too_many_arguments)]
fn box_reaches_other<K: Kernel>(
    tree: &KdTree,
    metric: K,
    comp: &[u32],
    node_comp: &[u32],
    leaf: usize,
    cp: u32,
    limit: f64,
    stack: &mut Vec<(u32, f64)>,
) -> bool {
    let (alo, ahi) = tree.bounds(leaf);
    let between = |v: u32| {
        let (blo, bhi) = tree.bounds(v as usize);
        let mut acc = 0.0f64;
        for k in 0..alo.len() {
            let gap = if bhi[k] < alo[k] {
                alo[k] - bhi[k]
            } else if blo[k] > ahi[k] {
                blo[k] - ahi[k]
            } else {
                0.0
            };
            acc = metric.accumulate(acc, metric.term(gap));
        }
        acc
    };
    stack.clear();
    stack.push((0, 0.0));
    while let Some((v, lb)) = stack.pop() {
        if lb > limit || node_comp[v as usize] == cp {
            continue;
        }
        let node = tree.nodes[v as usize];
        if node.left == NONE {
            let x_lo = alo;
            let x_hi = ahi;
            for q in node.start..node.end {
                if comp[q as usize] == cp {
                    continue;
                }
                let point = tree.point(q as usize);
                if metric.box_key(point, x_lo, x_hi) <= limit {
                    return true;
                }
            }
            continue;
        }
        for c in [node.left, node.right] {
            let b = between(c);
            if b <= limit {
                stack.push((c, b));
            }
        }
    }
    false
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
fn nearest_other<K: Kernel>(
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
    let x = tree.point(p);
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
                let k = metric.key(x, tree.point(q as usize));
                if k <= lim && (k < best.key || (k == best.key && q < best.q)) {
                    best = Best { key: k, q };
                }
            }
            lim = limit(&best);
            continue;
        }
        let (l, r) = (node.left, node.right);
        let bl = bound_of(tree, metric, x, l);
        let br = bound_of(tree, metric, x, r);
        // The nearer child is popped first.
        let (near, far) = if bl <= br {
            ((l, bl), (r, br))
        } else {
            ((r, br), (l, bl))
        };
        if far.1 <= lim {
            stack.push(far);
        }
        if near.1 <= lim {
            stack.push(near);
        }
    }
    if best.q != NONE {
        shared.fetch_min(best.key.to_bits(), Ordering::Relaxed);
    }
    (best, lim)
}

/// The K nearest points to p (p excluded) by (key, tree position),
/// ascending; NONE entries when there are fewer.
fn k_nearest<K2: Kernel>(
    tree: &KdTree,
    metric: K2,
    p: usize,
    stack: &mut Vec<(u32, f64)>,
) -> [Best; K] {
    let x = tree.point(p);
    let mut best = [Best::NONE; K];
    let worse = |a: &Best, b: &Best| a.key > b.key || (a.key == b.key && a.q > b.q);
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
                let c = Best {
                    key: metric.key(x, tree.point(q as usize)),
                    q,
                };
                if worse(&best[K - 1], &c) {
                    let mut i = K - 1;
                    while i > 0 && worse(&best[i - 1], &c) {
                        best[i] = best[i - 1];
                        i -= 1;
                    }
                    best[i] = c;
                }
            }
            continue;
        }
        let (l, r) = (node.left, node.right);
        let bl = bound_of(tree, metric, x, l);
        let br = bound_of(tree, metric, x, r);
        let (near, far) = if bl <= br {
            ((l, bl), (r, br))
        } else {
            ((r, br), (l, bl))
        };
        let lim = best[K - 1].key;
        if far.1 <= lim {
            stack.push(far);
        }
        if near.1 <= lim {
            stack.push(near);
        }
    }
    best
}

/// The lower bound of the key from x to node v's box.
#[inline]
fn bound_of<K: Kernel>(tree: &KdTree, metric: K, x: &[f64], v: u32) -> f64 {
    let (lo, hi) = tree.bounds(v as usize);
    metric.box_key(x, lo, hi)
}
