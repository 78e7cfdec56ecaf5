//! Single linkage by Borůvka's algorithm over a kd-tree: a minimum
//! spanning tree in O(n log n)-ish time for low-dimensional data, in
//! O(n m) memory, with every distance computed with pdist's arithmetic.
//!
//! Each round finds, for every point in parallel, its nearest point in
//! another component: the kd-tree walk skips subtrees whose points all
//! belong to the querying point's component (each node records the one
//! component its points share, if they share one), and subtrees whose
//! box lies farther than the best candidate so far: the point's own, or
//! the best any point of its component has found (shared through an
//! atomic per component, since only the component's shortest edge
//! counts). Each component then takes its shortest outgoing edge, and all
//! those edges join the forest.
//!
//! Edges are compared by (key, lower tree position, higher tree position):
//! a strict total order, so the shortest edges of the components never
//! close a cycle, and the tree found is the unique minimum spanning tree
//! of that order, which is a minimum spanning tree of the distances (the
//! finish of the key is monotone). Identical points are joined first, at
//! distance 0, so that a heap of duplicates costs nothing.
//!
//! # Why any minimum spanning tree gives scipy's Z when its weights differ
//!
//! Single linkage's flat clusters at height t are the connected
//! components of the graph of pairs at distance <= t: they depend on the
//! distances only, not on the algorithm or on which spanning tree it
//! finds. Z lists, in order of height, the merges by which these
//! partitions change. When the spanning tree's weights are all distinct,
//! each change joins exactly two clusters, so the rows (the two clusters,
//! the height, the size) and their order are fixed by the partitions, and
//! so are the labels (n + i for row i, the smaller first). Every minimum
//! spanning tree, scipy's from Prim's algorithm included, therefore gives
//! the same Z. With tied weights, several merges happen at one height and
//! their order within it depends on the algorithm; the flat clusters at
//! every height are still scipy's.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::relabel::SlotMerge;
use crate::spatial::kdtree::{KdTree, NONE};
use crate::spatial::metric::{EuclideanKernel, Kernel, TreeMetric};

/// A union-find over tree positions, with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the sets of a and b; false when they were one already.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        true
    }
}

/// A point's best candidate: key and tree position (NONE when none).
#[derive(Debug, Clone, Copy)]
struct Best {
    key: f64,
    q: u32,
}

impl Best {
    const NONE: Best = Best {
        key: f64::INFINITY,
        q: NONE,
    };
}

/// The edges of a minimum spanning tree of the rows of `data` (n x m,
/// row-major, finite) under `metric`, as (observation, observation,
/// distance) in the order they were found. n >= 2.
pub(crate) fn boruvka_mst(data: &[f64], n: usize, m: usize, metric: TreeMetric) -> Vec<SlotMerge> {
    match metric {
        TreeMetric::Euclidean => boruvka_with(data, n, m, EuclideanKernel),
        other => boruvka_with(data, n, m, other),
    }
}

/// [`boruvka_mst`] compiled for one metric kernel.
fn boruvka_with<K: Kernel>(data: &[f64], n: usize, m: usize, metric: K) -> Vec<SlotMerge> {
    let tree = KdTree::build(data, n, m);
    let mut uf = UnionFind::new(n);
    let mut edges: Vec<SlotMerge> = Vec::with_capacity(n - 1);
    let original = |k: u32| tree.index[k as usize] as usize;

    join_duplicates(&tree, &mut uf, &mut edges, &original);

    let mut comp: Vec<u32> = (0..n as u32).map(|k| uf.find(k)).collect();
    let mut node_comp = vec![NONE; tree.nodes.len()];
    let bound: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(u64::MAX)).collect();
    // Each point's nearest point in another component as last found, and
    // a lower bound of that distance (it never decreases: components only
    // grow, so the points in other components only become fewer).
    let mut cand = vec![Best::NONE; n];
    let mut lower = vec![0.0f64; n];
    let mut shortest: Vec<(f64, u32, u32)> = vec![(f64::INFINITY, NONE, NONE); n];
    // Each point's K nearest points (by key, then position), found once:
    // the first of them outside the point's component is its nearest
    // point in another component, with no search. `cursor` skips those
    // already inside (they stay inside).
    let knn: Vec<[Best; K]> = (0..n)
        .into_par_iter()
        .with_min_len(256)
        .map_init(Vec::new, |stack, p| k_nearest(&tree, metric, p, stack))
        .collect();
    let mut cursor = vec![0u8; n];

    while edges.len() < n - 1 {
        mark_nodes(&tree, &comp, &mut node_comp);
        for k in 0..n {
            if comp[k] == k as u32 {
                bound[k].store(f64::INFINITY.to_bits(), Ordering::Relaxed);
            }
        }
        // A candidate still in another component is still the nearest
        // there (the minimum over a set that kept it), and bounds its
        // component's shortest edge.
        let still = |p: usize, c: &Best| c.q != NONE && comp[c.q as usize] != comp[p];
        // Candidates from the lists, where the last one went inside.
        cand.par_iter_mut()
            .zip(cursor.par_iter_mut())
            .zip(lower.par_iter_mut())
            .enumerate()
            .with_min_len(1024)
            .for_each(|(p, ((c, cur), low))| {
                if still(p, c) {
                    return;
                }
                let list = &knn[p];
                while (*cur as usize) < K
                    && list[*cur as usize].q != NONE
                    && comp[list[*cur as usize].q as usize] == comp[p]
                {
                    *cur += 1;
                }
                *c = match list.get(*cur as usize) {
                    Some(b) if b.q != NONE => *b,
                    _ => Best::NONE,
                };
                if c.q == NONE && *cur as usize == K {
                    *low = low.max(list[K - 1].key);
                }
            });
        cand.par_iter()
            .enumerate()
            .with_min_len(1024)
            .for_each(|(p, c)| {
                if still(p, c) {
                    bound[comp[p] as usize].fetch_min(c.key.to_bits(), Ordering::Relaxed);
                }
            });
        // The others search, unless they cannot beat their component's
        // bound (ties must search: they may hold a lower pair).
        let found: Vec<(Best, f64)> = (0..n)
            .into_par_iter()
            .with_min_len(256)
            .map_init(Vec::new, |stack, p| {
                if still(p, &cand[p]) {
                    return (cand[p], cand[p].key);
                }
                let shared = f64::from_bits(bound[comp[p] as usize].load(Ordering::Relaxed));
                if lower[p] > shared {
                    return (Best::NONE, lower[p]);
                }
                let (b, lim) = nearest_other(&tree, metric, &comp, &node_comp, &bound, p, stack);
                // Exact when nothing nearer was pruned by the shared bound
                // (lim = min(b.key, shared)); otherwise b is not even a
                // candidate for the component's shortest edge, and only
                // the limit is known: nothing in another component is
                // nearer than it.
                if b.q != NONE && b.key == lim {
                    (b, b.key)
                } else {
                    (Best::NONE, lim.max(lower[p]))
                }
            })
            .collect();
        for (p, (b, low)) in found.into_iter().enumerate() {
            cand[p] = b;
            lower[p] = low;
        }
        // Each component's shortest edge, in the total order.
        for (p, b) in cand.iter().enumerate() {
            if b.q == NONE {
                continue;
            }
            let c = comp[p] as usize;
            let (lo, hi) = (p.min(b.q as usize) as u32, p.max(b.q as usize) as u32);
            let e = (b.key, lo, hi);
            if e < shortest[c] {
                shortest[c] = e;
            }
        }
        let mut joined = 0;
        for c in 0..n {
            if comp[c] != c as u32 || shortest[c].1 == NONE {
                continue;
            }
            let (key, a, b) = shortest[c];
            shortest[c] = (f64::INFINITY, NONE, NONE);
            if uf.union(a, b) {
                edges.push(SlotMerge {
                    a: original(a),
                    b: original(b),
                    dist: metric.finish(key),
                });
                joined += 1;
            }
        }
        assert!(joined > 0, "a Borůvka round joins at least two components");
        for (k, c) in comp.iter_mut().enumerate() {
            *c = uf.find(k as u32);
        }
    }
    edges
}

/// Joins identical points at distance 0 (consecutive in lexicographic
/// order), so that duplicates never have to search for each other.
fn join_duplicates(
    tree: &KdTree,
    uf: &mut UnionFind,
    edges: &mut Vec<SlotMerge>,
    original: &dyn Fn(u32) -> usize,
) {
    let n = tree.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    let row = |k: &u32| tree.point(*k as usize);
    order.par_sort_unstable_by(|a, b| {
        row(a)
            .iter()
            .zip(row(b))
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for w in order.windows(2) {
        if row(&w[0]) == row(&w[1]) && uf.union(w[0], w[1]) {
            edges.push(SlotMerge {
                a: original(w[0]),
                b: original(w[1]),
                dist: 0.0,
            });
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

/// Neighbours kept per point.
const K: usize = 4;

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
