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

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use rayon::prelude::*;

use super::boruvka_tree::TreeSource;
use super::relabel::SlotMerge;
use crate::error::Result;
use crate::spatial::kdtree::NONE;
use crate::spatial::metric::{EuclideanKernel, Kernel, TreeMetric};

/// A union-find over tree positions, with path halving and union by size.
pub(crate) struct UnionFind {
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

/// A point's best candidate: key and position (NONE when none).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Best {
    /// The key (the distance before its finish).
    pub key: f64,
    /// The candidate's position.
    pub q: u32,
}

impl Best {
    /// No candidate.
    pub const NONE: Best = Best {
        key: f64::INFINITY,
        q: NONE,
    };
}

/// Neighbours kept per point.
pub(crate) const K: usize = 4;

/// Keeps `c` in the ascending list (by key, then position) if it is among
/// the K best.
#[inline(always)]
pub(crate) fn offer(list: &mut [Best; K], c: Best) {
    let worse = |a: &Best, b: &Best| a.key > b.key || (a.key == b.key && a.q > b.q);
    if !worse(&list[K - 1], &c) {
        return;
    }
    let mut i = K - 1;
    while i > 0 && worse(&list[i - 1], &c) {
        list[i] = list[i - 1];
        i -= 1;
    }
    list[i] = c;
}

/// A minimum spanning tree: its edges between positions, as (position,
/// position, distance) in the order they were found, and the observation
/// (row of the input) at each position.
pub(crate) struct Mst {
    /// The edges, between positions.
    pub edges: Vec<SlotMerge>,
    /// `original[p]`: the observation at position p.
    pub original: Vec<u32>,
}

impl Mst {
    /// The first edge whose distance is not finite, between observations.
    pub fn first_infinite(&self) -> Option<SlotMerge> {
        let e = self.edges.iter().find(|e| !e.dist.is_finite())?;
        Some(SlotMerge {
            a: self.original[e.a] as usize,
            b: self.original[e.b] as usize,
            dist: e.dist,
        })
    }

    /// Z with scipy's labels.
    pub fn into_z(self, n: usize) -> ndarray::Array2<f64> {
        super::relabel::sort_and_label_mapped(self.edges, n, Some(&self.original))
    }
}

/// A minimum spanning tree of the rows of `data` (n x m, row-major,
/// finite) under `metric`. n >= 2.
///
/// # Errors
/// [`crate::Error::Cancelled`] when the run's token fires (checked at each
/// round).
pub(crate) fn boruvka_mst(data: &[f64], n: usize, m: usize, metric: TreeMetric) -> Result<Mst> {
    match metric {
        TreeMetric::Euclidean => by_dimension(data, n, m, EuclideanKernel),
        other => by_dimension(data, n, m, other),
    }
}

/// Rounds over a kd-tree whose walks are compiled for the number of
/// features where it is small (so that the loops over coordinates
/// unroll), and for any number otherwise.
fn by_dimension<M: Kernel>(data: &[f64], n: usize, m: usize, metric: M) -> Result<Mst> {
    fn go<M: Kernel, const D: usize>(data: &[f64], n: usize, m: usize, metric: M) -> Result<Mst> {
        rounds(&mut TreeSource::<M, D>::new(data, n, m, metric)?, n)
    }
    match m {
        1 => go::<M, 1>(data, n, m, metric),
        2 => go::<M, 2>(data, n, m, metric),
        3 => go::<M, 3>(data, n, m, metric),
        4 => go::<M, 4>(data, n, m, metric),
        5 => go::<M, 5>(data, n, m, metric),
        6 => go::<M, 6>(data, n, m, metric),
        7 => go::<M, 7>(data, n, m, metric),
        8 => go::<M, 8>(data, n, m, metric),
        _ => go::<M, 0>(data, n, m, metric),
    }
}

/// [`boruvka_mst`] for euclidean data of many features, without a tree:
/// every pair once, block against block (see [`super::boruvka_dense`]).
///
/// # Errors
/// As [`boruvka_mst`].
pub(crate) fn boruvka_dense_mst(data: &[f64], n: usize, m: usize) -> Result<Mst> {
    rounds(&mut super::boruvka_dense::DenseSource::new(data, n, m), n)
}

/// What Borůvka's rounds need of the points: their K nearest neighbours
/// once, and each round the nearest point in another component of the
/// points whose lists ran out. Points are numbered by the source's own
/// positions (tree order for a kd-tree).
pub(crate) trait Source: Sync {
    /// The observation (row of the input) at each position.
    fn originals(&self) -> Vec<u32>;

    /// Every point's K nearest other points by (key, position), ascending,
    /// NONE entries when there are fewer.
    fn k_nearest_all(&self) -> Vec<[Best; K]>;

    /// Called at the start of each round with the components.
    fn begin_round(&mut self, comp: &[u32]);

    /// The nearest point to p in another component by (key, position),
    /// among those no farther than p's component's shared bound, with the
    /// search's final limit `min(best key, shared bound)` (see
    /// [`super::boruvka_tree`]).
    fn nearest_other(
        &self,
        p: usize,
        comp: &[u32],
        bound: &[AtomicU64],
        stack: &mut Vec<(u32, f64)>,
    ) -> (Best, f64);

    /// The distance from a key.
    fn finish(&self, key: f64) -> f64;

    /// Runs of positions searched together, in order, covering every
    /// position once (a kd-tree's leaves).
    fn groups(&self) -> Vec<Range<usize>>;

    /// [`Source::nearest_other`] for each of the positions `need`
    /// (ascending, all of one group), appended to `out` in that order;
    /// a source may share work between them.
    fn nearest_other_group(
        &self,
        need: &[u32],
        comp: &[u32],
        bound: &[AtomicU64],
        stack: &mut Vec<(u32, f64)>,
        out: &mut Vec<(Best, f64)>,
    ) {
        nearest_each(self, need, comp, bound, stack, out);
    }
}

/// [`Source::nearest_other`] for each of the positions `need`, one at a
/// time: the default of [`Source::nearest_other_group`], and what a source
/// falls back to where it cannot share the work.
pub(crate) fn nearest_each<S: Source + ?Sized>(
    source: &S,
    need: &[u32],
    comp: &[u32],
    bound: &[AtomicU64],
    stack: &mut Vec<(u32, f64)>,
    out: &mut Vec<(Best, f64)>,
) {
    for &p in need {
        out.push(source.nearest_other(p as usize, comp, bound, stack));
    }
}

/// Borůvka's rounds over `source` (n >= 2 points).
///
/// # Errors
/// As [`boruvka_mst`].
pub(crate) fn rounds<S: Source>(source: &mut S, n: usize) -> Result<Mst> {
    let mut uf = UnionFind::new(n);
    let mut edges: Vec<SlotMerge> = Vec::with_capacity(n - 1);

    // Each point's K nearest points (by key, then position), found once:
    // the first of them outside the point's component is its nearest
    // point in another component, with no search. `cursor` skips those
    // already inside (they stay inside).
    let knn = source.k_nearest_all();
    crate::cancel::check()?;
    join_duplicates(&knn, &mut uf, &mut edges);

    let mut comp: Vec<u32> = (0..n as u32).map(|k| uf.find(k)).collect();
    let bound: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(u64::MAX)).collect();
    // Each point's nearest point in another component as last found, and
    // a lower bound of that distance (it never decreases: components only
    // grow, so the points in other components only become fewer).
    let mut cand = vec![Best::NONE; n];
    let mut lower = vec![0.0f64; n];
    let pair: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(u64::MAX)).collect();
    let groups = source.groups();
    let mut cursor = vec![0u8; n];
    // The components' roots (ascending), and each root's parent while a
    // round joins them.
    let mut roots: Vec<u32> = (0..n as u32).filter(|&k| comp[k as usize] == k).collect();
    let next: Vec<AtomicU32> = (0..n as u32).map(AtomicU32::new).collect();

    while edges.len() < n - 1 {
        crate::cancel::check()?;
        source.begin_round(&comp);
        let source = &*source;
        bound
            .par_iter()
            .with_min_len(4096)
            .for_each(|b| b.store(f64::INFINITY.to_bits(), Ordering::Relaxed));
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
        // One group's runs of `cand` and `lower` each.
        let mut runs = Vec::with_capacity(groups.len());
        let (mut c_rest, mut l_rest) = (cand.as_mut_slice(), lower.as_mut_slice());
        for g in &groups {
            let (c, c_tail) = c_rest.split_at_mut(g.len());
            let (l, l_tail) = l_rest.split_at_mut(g.len());
            runs.push((g.start, c, l));
            (c_rest, l_rest) = (c_tail, l_tail);
        }
        runs.par_iter_mut().with_min_len(16).for_each_init(
            || (Vec::new(), Vec::new(), Vec::new()),
            |(stack, need, out), (start, c, low)| {
                need.clear();
                out.clear();
                for (i, (c, low)) in c.iter_mut().zip(low.iter_mut()).enumerate() {
                    let p = *start + i;
                    if still(p, c) {
                        continue;
                    }
                    let shared = f64::from_bits(bound[comp[p] as usize].load(Ordering::Relaxed));
                    if *low > shared {
                        *c = Best::NONE;
                        continue;
                    }
                    need.push(p as u32);
                }
                if need.is_empty() {
                    return;
                }
                source.nearest_other_group(need, &comp, &bound, stack, out);
                for (&p, &(b, lim)) in need.iter().zip(out.iter()) {
                    let i = p as usize - *start;
                    // Exact when nothing nearer was pruned by the shared
                    // bound (lim = min(b.key, shared)); otherwise b is not
                    // even a candidate for the component's shortest edge,
                    // and only the limit is known: nothing in another
                    // component is nearer than it.
                    if b.q != NONE && b.key == lim {
                        (c[i], low[i]) = (b, b.key);
                    } else {
                        (c[i], low[i]) = (Best::NONE, lim.max(low[i]));
                    }
                }
            },
        );
        // Each component's shortest edge, in the total order: `bound`
        // already holds its key (the least of the component's candidates'
        // keys, every one of them offered); the least pair at that key
        // follows.
        cand.par_iter()
            .enumerate()
            .with_min_len(4096)
            .for_each(|(p, b)| {
                let c = comp[p] as usize;
                if b.q != NONE && b.key.to_bits() == bound[c].load(Ordering::Relaxed) {
                    let (lo, hi) = (p.min(b.q as usize) as u64, p.max(b.q as usize) as u64);
                    pair[c].fetch_min((lo << 32) | hi, Ordering::Relaxed);
                }
            });
        let before = edges.len();
        roots = join_round(&roots, &pair, &bound, &mut comp, &next, &mut edges, source);
        assert!(
            edges.len() > before,
            "a Borůvka round joins at least two components"
        );
    }
    Ok(Mst {
        edges,
        original: source.originals(),
    })
}

/// Joins the components of a round along their shortest edges, in
/// parallel: each root's edge (`pair`, key `bound`) points it at the
/// component across; two components whose shortest edges point at each
/// other share that edge (in a strict total order, A's shortest edge
/// leading to B and B's leading to A are the same edge), and each tree
/// of the pointers holds exactly one such pair, whose lower root becomes
/// the root of the joined component (pointer jumping finds it). The edges
/// are appended in ascending order of their roots, each shared edge once,
/// for its lower root: the order in which a union-find over the roots in
/// ascending order would accept them. Returns the new roots, ascending,
/// and updates every point's component.
fn join_round<S: Source + ?Sized>(
    roots: &[u32],
    pair: &[AtomicU64],
    bound: &[AtomicU64],
    comp: &mut [u32],
    next: &[AtomicU32],
    edges: &mut Vec<SlotMerge>,
    source: &S,
) -> Vec<u32> {
    let comp_ref = &*comp;
    // Each root's edge and the root across it (NONE when it has none).
    let found: Vec<(u64, u32)> = roots
        .par_iter()
        .with_min_len(4096)
        .map(|&c| {
            let packed = pair[c as usize].swap(u64::MAX, Ordering::Relaxed);
            if packed == u64::MAX {
                return (packed, NONE);
            }
            let (a, b) = ((packed >> 32) as usize, packed as u32 as usize);
            let across = if comp_ref[a] == c {
                comp_ref[b]
            } else {
                comp_ref[a]
            };
            (packed, across)
        })
        .collect();
    roots
        .par_iter()
        .zip(&found)
        .with_min_len(4096)
        .for_each(|(&c, &(_, t))| {
            next[c as usize].store(if t == NONE { c } else { t }, Ordering::Relaxed);
        });
    let mutual_lower =
        |c: u32, t: u32| t != NONE && c < t && next[t as usize].load(Ordering::Relaxed) == c;
    let mutual_upper =
        |c: u32, t: u32| t != NONE && t < c && next[t as usize].load(Ordering::Relaxed) == c;
    // The edges, each shared one for its lower root.
    let new_edges: Vec<SlotMerge> = roots
        .par_iter()
        .zip(&found)
        .with_min_len(4096)
        .filter(|&(&c, &(_, t))| t != NONE && !mutual_upper(c, t))
        .map(|(&c, &(packed, _))| SlotMerge {
            a: (packed >> 32) as usize,
            b: packed as u32 as usize,
            dist: source.finish(f64::from_bits(bound[c as usize].load(Ordering::Relaxed))),
        })
        .collect();
    edges.extend(new_edges);
    // The lower root of each mutual pair points at itself; then pointer
    // jumping until every root points at its tree's root.
    let is_root: Vec<bool> = roots
        .par_iter()
        .zip(&found)
        .with_min_len(4096)
        .map(|(&c, &(_, t))| t == NONE || mutual_lower(c, t))
        .collect();
    roots
        .par_iter()
        .zip(&is_root)
        .with_min_len(4096)
        .for_each(|(&c, &r)| {
            if r {
                next[c as usize].store(c, Ordering::Relaxed);
            }
        });
    loop {
        let moved = AtomicBool::new(false);
        roots.par_iter().with_min_len(4096).for_each(|&c| {
            let p = next[c as usize].load(Ordering::Relaxed);
            let pp = next[p as usize].load(Ordering::Relaxed);
            if pp != p {
                next[c as usize].store(pp, Ordering::Relaxed);
                moved.store(true, Ordering::Relaxed);
            }
        });
        if !moved.load(Ordering::Relaxed) {
            break;
        }
    }
    comp.par_iter_mut()
        .with_min_len(4096)
        .for_each(|c| *c = next[*c as usize].load(Ordering::Relaxed));
    roots
        .iter()
        .zip(&is_root)
        .filter(|&(_, &r)| r)
        .map(|(&c, _)| c)
        .collect()
}

/// Joins points at distance 0 from each other along the 0-key entries of
/// their nearest-neighbour lists, so that duplicates never have to search
/// for each other. Every group of identical points is joined whole: each
/// member's list starts with the group's lowest positions other than its
/// own (keys tie at 0, and ties go to the lower position), so every member
/// reaches the group's lowest member. Edges of weight 0, the least there
/// is, always extend to a minimum spanning tree.
fn join_duplicates(knn: &[[Best; K]], uf: &mut UnionFind, edges: &mut Vec<SlotMerge>) {
    let zero: Vec<(u32, u32)> = knn
        .par_iter()
        .enumerate()
        .with_min_len(4096)
        .flat_map_iter(|(p, list)| {
            list.iter()
                .take_while(|b| b.q != NONE && b.key == 0.0)
                .map(move |b| (p as u32, b.q))
        })
        .collect();
    for (p, q) in zero {
        if uf.union(p, q) {
            edges.push(SlotMerge {
                a: p as usize,
                b: q as usize,
                dist: 0.0,
            });
        }
    }
}
