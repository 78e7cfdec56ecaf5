//! The tree behind Z: leaf order, the members of a node, and scipy's
//! `to_tree`. Every walk uses an explicit stack, so a chain of 100,000
//! merges is as easy as a balanced tree.

use ndarray::ArrayView2;

use crate::error::{Error, Result};
use crate::linkage::check_linkage;

/// The children of non-singleton node `id` (>= n) of a valid Z.
#[inline]
pub(crate) fn children(z: ArrayView2<f64>, n: usize, id: usize) -> (usize, usize) {
    let r = id - n;
    (z[[r, 0]] as usize, z[[r, 1]] as usize)
}

/// The leaves under `node`, left to right (pre-order, left child first),
/// appended to `out`. Z must be valid.
pub(crate) fn push_leaves(z: ArrayView2<f64>, node: usize, out: &mut Vec<usize>) {
    let n = z.nrows() + 1;
    let mut stack = vec![node];
    while let Some(id) = stack.pop() {
        if id < n {
            out.push(id);
        } else {
            let (l, r) = children(z, n, id);
            stack.push(r);
            stack.push(l);
        }
    }
}

/// The rows of Z in depth-first post-order from the root, left subtree
/// first (the order in which scipy's walks finish their nodes). Z must be
/// valid.
pub(crate) fn postorder_rows(z: ArrayView2<f64>) -> Vec<usize> {
    let n = z.nrows() + 1;
    let mut out = Vec::with_capacity(n - 1);
    // (node, children already pushed)
    let mut stack = vec![(2 * n - 2, false)];
    while let Some((id, expanded)) = stack.pop() {
        if expanded {
            out.push(id - n);
            continue;
        }
        stack.push((id, true));
        let (l, r) = children(z, n, id);
        for child in [r, l] {
            if child >= n {
                stack.push((child, false));
            }
        }
    }
    out
}

/// The leaves left to right, as the dendrogram shows them (scipy's
/// `leaves_list`).
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn leaves_list(z: ArrayView2<f64>) -> Result<Vec<usize>> {
    check_linkage(z)?;
    let mut out = Vec::with_capacity(z.nrows() + 1);
    push_leaves(z, 2 * z.nrows(), &mut out);
    Ok(out)
}

/// The observations in cluster `node` of Z, left to right: `[node]` for an
/// observation, every leaf below it for a merged cluster. This answers
/// "which samples are in the truncated leaf (23)?": pass the id that
/// the dendrogram's `leaves` gives for that leaf.
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid; [`Error::InvalidArgument`]
/// when `node` is not below 2n - 1.
pub fn node_members(z: ArrayView2<f64>, node: usize) -> Result<Vec<usize>> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    if node >= 2 * n - 1 {
        return Err(Error::invalid_argument(
            "node",
            format!(
                "{node} does not exist: Z of {n} observations has node ids 0 to {}",
                2 * n - 2
            ),
        ));
    }
    let mut out = Vec::new();
    push_leaves(z, node, &mut out);
    Ok(out)
}

/// A node of the tree (scipy's `ClusterNode`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterNode {
    /// The node id: an observation below n, the cluster of row id - n above.
    pub id: usize,
    /// The left child's id (None for a leaf).
    pub left: Option<usize>,
    /// The right child's id (None for a leaf).
    pub right: Option<usize>,
    /// The merge height (0 for a leaf).
    pub dist: f64,
    /// The number of observations below.
    pub count: usize,
}

impl ClusterNode {
    /// Whether this is an observation.
    pub fn is_leaf(&self) -> bool {
        self.left.is_none()
    }
}

/// The whole tree as an arena of nodes indexed by id (scipy's `to_tree`
/// with `rd=True`: the nodes list; the root is the last one).
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// Every node, `nodes[id].id == id`.
    pub nodes: Vec<ClusterNode>,
}

impl Tree {
    /// The root node.
    pub fn root(&self) -> &ClusterNode {
        self.nodes.last().expect("a tree has a root")
    }

    /// The leaves below `id`, left to right (scipy's `pre_order`).
    pub fn pre_order(&self, id: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(i) = stack.pop() {
            let node = &self.nodes[i];
            match (node.left, node.right) {
                (Some(l), Some(r)) => {
                    stack.push(r);
                    stack.push(l);
                }
                _ => out.push(i),
            }
        }
        out
    }
}

/// Builds the tree of Z (scipy's `to_tree`).
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn to_tree(z: ArrayView2<f64>) -> Result<Tree> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    let mut nodes: Vec<ClusterNode> = (0..n)
        .map(|id| ClusterNode {
            id,
            left: None,
            right: None,
            dist: 0.0,
            count: 1,
        })
        .collect();
    for (i, r) in z.rows().into_iter().enumerate() {
        nodes.push(ClusterNode {
            id: n + i,
            left: Some(r[0] as usize),
            right: Some(r[1] as usize),
            dist: r[2],
            count: r[3] as usize,
        });
    }
    Ok(Tree { nodes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn leaves_and_members() {
        // ((0, 2), (1, 3)) with 1 and 3 merged first.
        let z = array![
            [1.0, 3.0, 1.0, 2.0],
            [0.0, 2.0, 2.0, 2.0],
            [5.0, 4.0, 3.0, 4.0]
        ];
        assert_eq!(leaves_list(z.view()).unwrap(), vec![0, 2, 1, 3]);
        assert_eq!(node_members(z.view(), 4).unwrap(), vec![1, 3]);
        assert_eq!(node_members(z.view(), 2).unwrap(), vec![2]);
        let e = node_members(z.view(), 7).unwrap_err().to_string();
        assert!(e.contains("0 to 6"), "{e}");
        let t = to_tree(z.view()).unwrap();
        assert_eq!(t.root().id, 6);
        assert_eq!(t.pre_order(6), vec![0, 2, 1, 3]);
        assert!(t.nodes[3].is_leaf() && !t.nodes[5].is_leaf());
    }

    #[test]
    fn deep_chain_does_not_recurse() {
        let n = 100_000;
        let mut z = ndarray::Array2::zeros((n - 1, 4));
        z[[0, 0]] = 0.0;
        z[[0, 1]] = 1.0;
        z[[0, 2]] = 1.0;
        z[[0, 3]] = 2.0;
        for i in 1..n - 1 {
            z[[i, 0]] = (i + 1) as f64;
            z[[i, 1]] = (n + i - 1) as f64;
            z[[i, 2]] = (i + 1) as f64;
            z[[i, 3]] = (i + 2) as f64;
        }
        let leaves = leaves_list(z.view()).unwrap();
        assert_eq!(leaves.len(), n);
        assert_eq!(leaves[0], n - 1);
    }
}
