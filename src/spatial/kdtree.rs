//! A kd-tree over observations, built once: the points copied in tree
//! order (each node's points are one contiguous run), a bounding box per
//! node, and nodes in pre-order (a node's children come after it, so a
//! reverse walk visits children before parents).
//!
//! kiddo and the other kd-tree crates answer nearest-neighbour queries
//! over a fixed point set; Borůvka's algorithm needs the nearest point in
//! *another component*, with subtrees skipped when all their points share
//! the querying point's component, and Ward's chain needs a tree whose
//! points carry weights and come and go. Both need per-node marks that
//! those crates do not keep, so the tree is ours: a plain array layout
//! that the algorithms annotate.

use rayon::prelude::*;

use crate::error::Result;

/// Points per leaf at most.
pub(crate) const LEAF_SIZE: usize = 16;

/// One node: its points are `start..end` in tree order; an inner node has
/// two children (`left`, `right`), a leaf has none (`left == NONE`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub start: u32,
    pub end: u32,
    pub left: u32,
    pub right: u32,
}

/// No child.
pub(crate) const NONE: u32 = u32::MAX;

/// The tree: nodes, their boxes, and the points in tree order.
pub(crate) struct KdTree {
    /// Features per point.
    pub m: usize,
    /// Nodes in pre-order; node 0 is the root.
    pub nodes: Vec<Node>,
    /// Box lower corners, `m` values per node.
    pub lo: Vec<f64>,
    /// Box upper corners, `m` values per node.
    pub hi: Vec<f64>,
    /// The points in tree order, row-major (`m` values each).
    pub points: Vec<f64>,
    /// `index[k]`: the original row of the point at tree position k.
    pub index: Vec<u32>,
}

impl KdTree {
    /// Builds the tree over the rows of `data` (n x m, row-major): each
    /// node splits the widest side of a box known to hold its points (its
    /// parent's, cut at the parent's split) at the median, and keeps the
    /// smallest box that holds them, found from its leaves up. O(n log n).
    ///
    /// Callers guarantee n >= 1 and n < 2^32.
    ///
    /// # Errors
    /// [`crate::Error::Cancelled`] when the run's token fires: checked
    /// before each of the subtrees built apart (at most 64, each a few
    /// tens of milliseconds at two million points), so that a run on
    /// millions of points stops within a fraction of a second.
    pub fn build(data: &[f64], n: usize, m: usize) -> Result<KdTree> {
        debug_assert!(n >= 1 && n < u32::MAX as usize);
        let mut index: Vec<u32> = (0..n as u32).collect();
        let (blo, bhi) = bounding_box(data, m, &index);
        let stop = crate::cancel::current();
        let Part { nodes, lo, hi } =
            build_part(data, m, &mut index, 0, 0, blo, bhi, stop.as_ref())?;
        let points: Vec<f64> = index
            .par_iter()
            .flat_map_iter(|&i| data[i as usize * m..(i as usize + 1) * m].iter().copied())
            .collect();
        Ok(KdTree {
            m,
            nodes,
            lo,
            hi,
            points,
            index,
        })
    }

    /// The coordinates of the point at tree position k.
    #[inline(always)]
    pub fn point(&self, k: usize) -> &[f64] {
        &self.points[k * self.m..(k + 1) * self.m]
    }

    /// The box of node `v`: (lower corner, upper corner).
    #[inline(always)]
    pub fn bounds(&self, v: usize) -> (&[f64], &[f64]) {
        let m = self.m;
        (&self.lo[v * m..(v + 1) * m], &self.hi[v * m..(v + 1) * m])
    }

    /// [`KdTree::point`] for a tree of `D` features known at compile time
    /// (`D == 0`: the tree's own `m`), so that loops over the coordinates
    /// unroll.
    #[inline(always)]
    pub fn pt<const D: usize>(&self, k: usize) -> &[f64] {
        if D == 0 {
            self.point(k)
        } else {
            &self.points[k * D..k * D + D]
        }
    }

    /// [`KdTree::bounds`] for a tree of `D` features known at compile
    /// time, as [`KdTree::pt`].
    #[inline(always)]
    pub fn bx<const D: usize>(&self, v: usize) -> (&[f64], &[f64]) {
        if D == 0 {
            self.bounds(v)
        } else {
            (&self.lo[v * D..v * D + D], &self.hi[v * D..v * D + D])
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.index.len()
    }
}

/// A subtree in pre-order, its node ids relative to its root (0).
struct Part {
    nodes: Vec<Node>,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

/// Subtrees above this many points build their two halves on two cores.
const PARALLEL_BUILD: usize = 1 << 16;

/// The subtree over `idx` (first element at tree position `offset`, all
/// inside the box `[blo, bhi]`): large ones split at the root on all
/// cores, then joined in pre-order (the root, the left part, the right
/// part, ids shifted to match). `stop` is the run's token (rayon's
/// workers do not see the caller's).
#[allow(clippy::too_many_arguments)]
fn build_part(
    data: &[f64],
    m: usize,
    idx: &mut [u32],
    offset: usize,
    depth: usize,
    blo: Vec<f64>,
    bhi: Vec<f64>,
    stop: Option<&crate::Cancel>,
) -> Result<Part> {
    if stop.is_some_and(crate::Cancel::is_cancelled) {
        return Err(crate::Error::Cancelled);
    }
    let len = idx.len();
    if len < PARALLEL_BUILD || depth >= 6 {
        let cap = 2 * len / LEAF_SIZE + 2;
        let mut part = Part {
            nodes: Vec::with_capacity(cap),
            lo: Vec::with_capacity(cap * m),
            hi: Vec::with_capacity(cap * m),
        };
        build_node(data, m, idx, offset, &mut part, &mut Vec::new(), blo, bhi);
        return Ok(part);
    }
    let (mid, (llo, lhi), (rlo, rhi)) = split(data, m, idx, &mut Vec::new(), blo, bhi);
    let (left, right) = idx.split_at_mut(mid);
    let (l, r) = rayon::join(
        || build_part(data, m, left, offset, depth + 1, llo, lhi, stop),
        || build_part(data, m, right, offset + mid, depth + 1, rlo, rhi, stop),
    );
    let (l, r) = (l?, r?);
    let shift = |nodes: Vec<Node>, by: u32| {
        nodes.into_iter().map(move |mut node| {
            if node.left != NONE {
                node.left += by;
                node.right += by;
            }
            node
        })
    };
    let left_len = l.nodes.len() as u32;
    let mut nodes = Vec::with_capacity(1 + l.nodes.len() + r.nodes.len());
    nodes.push(Node {
        start: offset as u32,
        end: (offset + len) as u32,
        left: 1,
        right: 1 + left_len,
    });
    nodes.extend(shift(l.nodes, 1));
    nodes.extend(shift(r.nodes, 1 + left_len));
    let mut lo: Vec<f64> = (0..m).map(|k| l.lo[k].min(r.lo[k])).collect();
    lo.extend(l.lo);
    lo.extend(r.lo);
    let mut hi: Vec<f64> = (0..m).map(|k| l.hi[k].max(r.hi[k])).collect();
    hi.extend(l.hi);
    hi.extend(r.hi);
    Ok(Part { nodes, lo, hi })
}

/// Builds the node for `idx` (whose first element sits at tree position
/// `offset`, all inside `[blo, bhi]`) and its subtree, appending in
/// pre-order; the node's box is the smallest that holds its points.
#[allow(clippy::too_many_arguments)]
fn build_node(
    data: &[f64],
    m: usize,
    idx: &mut [u32],
    offset: usize,
    part: &mut Part,
    keys: &mut Vec<(f64, u32)>,
    blo: Vec<f64>,
    bhi: Vec<f64>,
) -> u32 {
    let id = part.nodes.len();
    part.nodes.push(Node {
        start: offset as u32,
        end: (offset + idx.len()) as u32,
        left: NONE,
        right: NONE,
    });
    if idx.len() <= LEAF_SIZE {
        let (tlo, thi) = bounding_box(data, m, idx);
        part.lo.extend_from_slice(&tlo);
        part.hi.extend_from_slice(&thi);
        return id as u32;
    }
    // Room for the box, filled in from the children.
    part.lo.extend(std::iter::repeat_n(0.0, m));
    part.hi.extend(std::iter::repeat_n(0.0, m));
    let (mid, (llo, lhi), (rlo, rhi)) = split(data, m, idx, keys, blo, bhi);
    let (left, right) = idx.split_at_mut(mid);
    let l = build_node(data, m, left, offset, part, keys, llo, lhi) as usize;
    let r = build_node(data, m, right, offset + mid, part, keys, rlo, rhi) as usize;
    part.nodes[id].left = l as u32;
    part.nodes[id].right = r as u32;
    for k in 0..m {
        part.lo[id * m + k] = part.lo[l * m + k].min(part.lo[r * m + k]);
        part.hi[id * m + k] = part.hi[l * m + k].max(part.hi[r * m + k]);
    }
    id as u32
}

/// A box: lower corner, upper corner.
type Bounds = (Vec<f64>, Vec<f64>);

/// Orders `idx` (whose points lie in the box `[blo, bhi]`) so that its
/// first half lies at or below the median of the box's widest side and its
/// second half at or above; returns the half's length and the two halves'
/// boxes (the box cut at the median). `keys` is scratch space, kept by
/// the caller between calls.
fn split(
    data: &[f64],
    m: usize,
    idx: &mut [u32],
    keys: &mut Vec<(f64, u32)>,
    blo: Vec<f64>,
    bhi: Vec<f64>,
) -> (usize, Bounds, Bounds) {
    let dim = (0..m)
        .max_by(|&a, &b| (bhi[a] - blo[a]).total_cmp(&(bhi[b] - blo[b])))
        .unwrap_or(0);
    let mid = idx.len() / 2;
    if bhi[dim] - blo[dim] <= 0.0 {
        // All points identical: split by row, in ascending order, so that
        // a walk that prefers low rows on ties (Ward's chain) can skip the
        // later halves.
        idx.sort_unstable();
        return (mid, (blo.clone(), bhi.clone()), (blo, bhi));
    }
    let cut = if idx.len() > 64 {
        // Each coordinate read once, into a contiguous run that the
        // selection then reorders, rather than read through the index at
        // every comparison.
        keys.clear();
        keys.extend(idx.iter().map(|&i| (data[i as usize * m + dim], i)));
        keys.select_nth_unstable_by(mid, |a, b| a.0.total_cmp(&b.0));
        for (slot, k) in idx.iter_mut().zip(keys.iter()) {
            *slot = k.1;
        }
        keys[mid].0
    } else {
        let coord = |i: &u32| data[*i as usize * m + dim];
        idx.select_nth_unstable_by(mid, |a, b| coord(a).total_cmp(&coord(b)));
        coord(&idx[mid])
    };
    let (mut lhi, mut rlo) = (bhi.clone(), blo.clone());
    lhi[dim] = cut;
    rlo[dim] = cut;
    (mid, (blo, lhi), (rlo, bhi))
}

/// The smallest box holding the rows `idx` of `data`.
fn bounding_box(data: &[f64], m: usize, idx: &[u32]) -> (Vec<f64>, Vec<f64>) {
    let mut lo = vec![f64::INFINITY; m];
    let mut hi = vec![f64::NEG_INFINITY; m];
    for &i in idx {
        let row = &data[i as usize * m..(i as usize + 1) * m];
        for k in 0..m {
            lo[k] = lo[k].min(row[k]);
            hi[k] = hi[k].max(row[k]);
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_point_lies_in_its_nodes_boxes_and_leaves_partition_the_points() {
        // The second size splits its top levels on several cores.
        for (n, m) in [(1000, 3), (3 * PARALLEL_BUILD, 2)] {
            check_tree(n, m);
        }
    }

    fn check_tree(n: usize, m: usize) {
        let data: Vec<f64> = (0..n * m)
            .map(|k| ((k * 7919) % 1013) as f64 / 17.0)
            .collect();
        let t = KdTree::build(&data, n, m).unwrap();
        let mut seen = vec![false; n];
        for (v, node) in t.nodes.iter().enumerate() {
            let (lo, hi) = t.bounds(v);
            for k in node.start as usize..node.end as usize {
                let p = t.point(k);
                for d in 0..m {
                    assert!(lo[d] <= p[d] && p[d] <= hi[d]);
                }
                assert_eq!(p, &data[t.index[k] as usize * m..][..m]);
            }
            if node.left == NONE {
                for s in &mut seen[node.start as usize..node.end as usize] {
                    assert!(!*s);
                    *s = true;
                }
            } else {
                let (l, r) = (t.nodes[node.left as usize], t.nodes[node.right as usize]);
                assert!(node.left as usize > v && node.right as usize > v);
                assert_eq!(
                    (l.start, l.end, r.start, r.end),
                    (node.start, r.start, l.end, node.end)
                );
            }
        }
        assert!(seen.iter().all(|&s| s));
    }
}
