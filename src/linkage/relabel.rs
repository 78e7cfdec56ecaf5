//! scipy's last step after the minimum spanning tree and the
//! nearest-neighbour chain: a stable sort of the merges by distance and a
//! union-find walk that names each new cluster n + i.

use std::cmp::Ordering;

use ndarray::Array2;
use rayon::slice::ParallelSliceMut;

/// One merge found by an algorithm that works on observation slots: the two
/// slots (each names an observation inside the cluster it holds) and the
/// merge distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SlotMerge {
    /// A slot of one cluster.
    pub a: usize,
    /// A slot of the other cluster.
    pub b: usize,
    /// The merge distance.
    pub dist: f64,
}

/// Orders floats as numpy's sort does: NaN after everything else, and
/// -0.0 equal to 0.0.
#[inline]
pub(crate) fn cmp_nan_last(a: f64, b: f64) -> Ordering {
    match a.partial_cmp(&b) {
        Some(o) => o,
        None => match (a.is_nan(), b.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            _ => Ordering::Less,
        },
    }
}

/// Union-find over the 2n - 1 cluster ids, with path compression; the next
/// new cluster is always `next_label` (n, n + 1, ...).
pub(crate) struct LinkageUnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
    next_label: usize,
}

impl LinkageUnionFind {
    /// A forest of n singletons.
    fn new(n: usize) -> Self {
        let total = 2 * n - 1;
        LinkageUnionFind {
            parent: (0..total).collect(),
            size: vec![1; total],
            next_label: n,
        }
    }

    /// Joins two roots under the next label and returns the new size.
    pub fn merge(&mut self, x: usize, y: usize) -> usize {
        let label = self.next_label;
        self.parent[x] = label;
        self.parent[y] = label;
        let size = self.size[x] + self.size[y];
        self.size[label] = size;
        self.next_label += 1;
        size
    }

    /// The root of x, compressing the path.
    pub fn find(&mut self, mut x: usize) -> usize {
        let mut p = x;
        while self.parent[x] != x {
            x = self.parent[x];
        }
        while self.parent[p] != x {
            let next = self.parent[p];
            self.parent[p] = x;
            p = next;
        }
        x
    }
}

/// Sorts the merges by distance (stable: equal distances keep their order)
/// and builds Z with scipy's labels.
pub(crate) fn sort_and_label(merges: Vec<SlotMerge>, n: usize) -> Array2<f64> {
    sort_and_label_mapped(merges, n, None)
}

/// [`sort_and_label`] for merges between positions, where position p holds
/// observation `original[p]` (None: p itself). A kd-tree's positions keep
/// near points near in memory, so the union-find over them stays in cache
/// where one over the observations' own (random) indices would not.
pub(crate) fn sort_and_label_mapped(
    mut merges: Vec<SlotMerge>,
    n: usize,
    original: Option<&[u32]>,
) -> Array2<f64> {
    debug_assert_eq!(merges.len(), n - 1);
    if merges.len() > 1 << 16 {
        // Long lists: when every distance is a non-negative number other
        // than -0.0, its bits order as its value, and (bits, position)
        // pairs are distinct, so an unstable sort of them on all cores is
        // the stable sort by distance.
        let plain = merges
            .iter()
            .all(|m| m.dist >= 0.0 && m.dist.to_bits() != (-0.0f64).to_bits());
        if plain && n < 1 << 31 {
            // The slots travel with their keys: no gather after the sort.
            let mut keys: Vec<(u64, u32, u32, u32)> = merges
                .iter()
                .enumerate()
                .map(|(i, m)| (m.dist.to_bits(), i as u32, m.a as u32, m.b as u32))
                .collect();
            keys.par_sort_unstable_by_key(|k| (k.0, k.1));
            let sorted = keys.iter().map(|&(d, _, a, b)| SlotMerge {
                a: a as usize,
                b: b as usize,
                dist: f64::from_bits(d),
            });
            return label(sorted, n, original);
        }
        merges.par_sort_by(|p, q| cmp_nan_last(p.dist, q.dist));
    } else {
        merges.sort_by(|p, q| cmp_nan_last(p.dist, q.dist));
    }
    label(merges.into_iter(), n, original)
}

/// Z of merges already in order, with scipy's labels.
fn label(
    merges: impl Iterator<Item = SlotMerge>,
    n: usize,
    original: Option<&[u32]>,
) -> Array2<f64> {
    let mut z = Vec::with_capacity(4 * (n - 1));
    // Below 2^31 observations every cluster id (< 2n) fits in a u32.
    if n < 1 << 31 {
        let mut uf = SlotUnionFind::new(n);
        if let Some(original) = original {
            uf.label.copy_from_slice(original);
        }
        for m in merges {
            let (ra, rb) = (uf.find(m.a as u32), uf.find(m.b as u32));
            let (la, lb) = (uf.label[ra as usize], uf.label[rb as usize]);
            let size = uf.union(ra, rb);
            let (lo, hi) = if la < lb { (la, lb) } else { (lb, la) };
            z.extend_from_slice(&[lo as f64, hi as f64, m.dist, size as f64]);
        }
    } else {
        let mut uf = LinkageUnionFind::new(n);
        let obs = |p: usize| original.map_or(p, |o| o[p] as usize);
        for m in merges {
            let (ra, rb) = (uf.find(obs(m.a)), uf.find(obs(m.b)));
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            let size = uf.merge(ra, rb);
            z.extend_from_slice(&[lo as f64, hi as f64, m.dist, size as f64]);
        }
    }
    Array2::from_shape_vec((n - 1, 4), z).expect("n - 1 rows of 4")
}

/// A union-find over the n observations (not the 2n - 1 cluster ids):
/// each root carries its cluster's label and size, so the arrays are
/// half as many and a quarter as wide as [`LinkageUnionFind`]'s, which
/// keeps the walk in cache for a million points.
struct SlotUnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// The cluster id of each root's cluster.
    label: Vec<u32>,
    /// The next cluster id: n, n + 1, ...
    next: u32,
}

impl SlotUnionFind {
    fn new(n: usize) -> Self {
        SlotUnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            label: (0..n as u32).collect(),
            next: n as u32,
        }
    }

    /// The root of x's set, halving the path.
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins two roots by size under the next label; the new size.
    fn union(&mut self, a: u32, b: u32) -> u32 {
        let (big, small) = if self.size[a as usize] >= self.size[b as usize] {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        self.label[big as usize] = self.next;
        self.next += 1;
        self.size[big as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_sort_then_union_find_labels() {
        // Three points; the records come in discovery order with a later,
        // smaller distance first after sorting.
        let merges = vec![
            SlotMerge {
                a: 0,
                b: 1,
                dist: 2.0,
            },
            SlotMerge {
                a: 1,
                b: 2,
                dist: 1.0,
            },
        ];
        let z = sort_and_label(merges, 3);
        assert_eq!(z.row(0).to_vec(), vec![1.0, 2.0, 1.0, 2.0]);
        assert_eq!(z.row(1).to_vec(), vec![0.0, 3.0, 2.0, 3.0]);
    }

    #[test]
    fn the_packed_sort_and_the_slot_union_find_match_the_plain_ones() {
        // A random tree on 70,000 points with few distinct distances (many
        // ties), long enough for the packed sort.
        let n = 70_000usize;
        let mut rng = crate::test_rng::Lcg(12345);
        let mut next = || rng.high() as usize;
        let merges: Vec<SlotMerge> = (1..n)
            .map(|i| SlotMerge {
                a: i,
                b: next() % i,
                dist: (next() % 50) as f64 / 4.0,
            })
            .collect();
        let mut plain = merges.clone();
        plain.sort_by(|p, q| cmp_nan_last(p.dist, q.dist));
        let mut uf = LinkageUnionFind::new(n);
        let mut expected = Array2::zeros((n - 1, 4));
        for (i, m) in plain.iter().enumerate() {
            let (ra, rb) = (uf.find(m.a), uf.find(m.b));
            expected[[i, 0]] = ra.min(rb) as f64;
            expected[[i, 1]] = ra.max(rb) as f64;
            expected[[i, 2]] = m.dist;
            expected[[i, 3]] = uf.merge(ra, rb) as f64;
        }
        assert_eq!(sort_and_label(merges, n), expected);
    }

    #[test]
    fn nan_sorts_last_and_zeros_compare_equal() {
        assert_eq!(cmp_nan_last(f64::NAN, 1.0), Ordering::Greater);
        assert_eq!(cmp_nan_last(1.0, f64::NAN), Ordering::Less);
        assert_eq!(cmp_nan_last(-0.0, 0.0), Ordering::Equal);
    }
}
