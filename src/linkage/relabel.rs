//! scipy's last step after the minimum spanning tree and the
//! nearest-neighbour chain: a stable sort of the merges by distance and a
//! union-find walk that names each new cluster n + i.

use std::cmp::Ordering;

use ndarray::Array2;

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
    pub fn new(n: usize) -> Self {
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
pub(crate) fn sort_and_label(mut merges: Vec<SlotMerge>, n: usize) -> Array2<f64> {
    debug_assert_eq!(merges.len(), n - 1);
    // Stable, on all cores for long lists (the order of ties is kept).
    if merges.len() > 1 << 16 {
        use rayon::slice::ParallelSliceMut;
        merges.par_sort_by(|p, q| cmp_nan_last(p.dist, q.dist));
    } else {
        merges.sort_by(|p, q| cmp_nan_last(p.dist, q.dist));
    }
    let mut uf = LinkageUnionFind::new(n);
    let mut z = Array2::zeros((n - 1, 4));
    for (i, m) in merges.iter().enumerate() {
        let (ra, rb) = (uf.find(m.a), uf.find(m.b));
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        z[[i, 0]] = lo as f64;
        z[[i, 1]] = hi as f64;
        z[[i, 2]] = m.dist;
        z[[i, 3]] = uf.merge(ra, rb) as f64;
    }
    z
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
    fn nan_sorts_last_and_zeros_compare_equal() {
        assert_eq!(cmp_nan_last(f64::NAN, 1.0), Ordering::Greater);
        assert_eq!(cmp_nan_last(1.0, f64::NAN), Ordering::Less);
        assert_eq!(cmp_nan_last(-0.0, 0.0), Ordering::Equal);
    }
}
