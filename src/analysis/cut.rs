//! Cutting the tree: scipy's `cut_tree` and `leaders`.

use ndarray::{Array2, ArrayView2};

use super::tree::{postorder_rows, push_leaves};
use crate::error::{Error, Result};
use crate::linkage::check_linkage;

/// Where to cut for [`cut_tree`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cut {
    /// One column per requested number of clusters (each 1..=n).
    NClusters(Vec<usize>),
    /// One column per height: links strictly below it are merged.
    Heights(Vec<f64>),
    /// Every number of clusters from n down to 1 (scipy's default).
    All,
}

/// The non-singleton nodes (as rows of Z) in the order scipy's `cut_tree`
/// merges them: by height, and among equal heights in reverse order of a
/// breadth-first walk from the root that visits right children first.
fn cut_order(z: ArrayView2<f64>) -> Vec<usize> {
    let n = z.nrows() + 1;
    let mut bfs = Vec::with_capacity(n - 1);
    let mut queue = std::collections::VecDeque::from([2 * n - 2]);
    while let Some(id) = queue.pop_front() {
        if id >= n {
            bfs.push(id - n);
            queue.push_back(z[[id - n, 1]] as usize);
            queue.push_back(z[[id - n, 0]] as usize);
        }
    }
    // bisect.insort_left puts each node before the equal ones already there.
    let mut order: Vec<(usize, usize)> = bfs.into_iter().enumerate().collect();
    order.sort_by(|a, b| z[[a.1, 2]].total_cmp(&z[[b.1, 2]]).then(b.0.cmp(&a.0)));
    order.into_iter().map(|(_, row)| row).collect()
}

/// Cluster ids (0-based) for each observation at each requested cut, one
/// column per cut, numbered exactly as scipy's `cut_tree` numbers them.
///
/// One deliberate difference: scipy fills only the first of several
/// columns whose cut lies below every merge and leaves the others all zero;
/// here each such column gives every observation its own group.
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid; [`Error::InvalidArgument`]
/// for a number of clusters outside 1..=n or a NaN height.
pub fn cut_tree(z: ArrayView2<f64>, cut: &Cut) -> Result<Array2<usize>> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    let order = cut_order(z);
    let columns: Vec<usize> = match cut {
        Cut::All => (0..n).collect(),
        Cut::NClusters(ks) => ks
            .iter()
            .map(|&k| {
                if (1..=n).contains(&k) {
                    Ok(n - k)
                } else {
                    Err(Error::invalid_argument(
                        "n_clusters",
                        format!("{k}: must be between 1 and the number of observations, {n}"),
                    ))
                }
            })
            .collect::<Result<_>>()?,
        Cut::Heights(hs) => {
            let heights: Vec<f64> = order.iter().map(|&r| z[[r, 2]]).collect();
            hs.iter()
                .map(|&h| {
                    if h.is_nan() {
                        Err(Error::invalid_argument("height", "NaN is not a height"))
                    } else {
                        Ok(heights.partition_point(|&x| x < h))
                    }
                })
                .collect::<Result<_>>()?
        }
    };
    let mut out = Array2::zeros((n, columns.len()));
    let mut group: Vec<usize> = (0..n).collect();
    let mut leaves = Vec::new();
    let emit = |done: usize, group: &[usize], out: &mut Array2<usize>| {
        for (c, _) in columns.iter().enumerate().filter(|(_, &col)| col == done) {
            for (i, &g) in group.iter().enumerate() {
                out[[i, c]] = g;
            }
        }
    };
    emit(0, &group, &mut out);
    for (done, &row) in order.iter().enumerate() {
        leaves.clear();
        push_leaves(z, n + row, &mut leaves);
        let lo = leaves
            .iter()
            .map(|&l| group[l])
            .min()
            .expect("a node has leaves");
        let hi = leaves
            .iter()
            .map(|&l| group[l])
            .max()
            .expect("a node has leaves");
        for &l in &leaves {
            group[l] = lo;
        }
        for g in group.iter_mut() {
            if *g > hi {
                *g -= 1;
            }
        }
        emit(done + 1, &group, &mut out);
    }
    Ok(out)
}

/// The root node of each flat cluster (scipy's `leaders`): `(L, M)` where
/// node `L[j]` leads flat cluster `M[j]`.
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid; [`Error::InvalidArgument`]
/// when `t` does not have one label per observation or is not a flat
/// clustering of this tree (names the node where that shows).
pub fn leaders(z: ArrayView2<f64>, t: &[usize]) -> Result<(Vec<usize>, Vec<usize>)> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    if t.len() != n {
        return Err(Error::invalid_argument(
            "T",
            format!("needs one label per observation ({n}), got {}", t.len()),
        ));
    }
    let mut distinct = t.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let nc = distinct.len();
    let not_flat = |node: usize| {
        Error::invalid_argument(
            "T",
            format!("is not a flat clustering of this tree: the clusters split at node {node}"),
        )
    };
    // cluster of each node: Some(label) when all its leaves share one, None otherwise
    let mut cluster: Vec<Option<usize>> = t.iter().map(|&l| Some(l)).collect();
    cluster.resize(2 * n - 1, None);
    let (mut l_out, mut m_out) = (Vec::new(), Vec::new());
    for row in postorder_rows(z) {
        let (a, b) = (z[[row, 0]] as usize, z[[row, 1]] as usize);
        let (ca, cb) = (cluster[a], cluster[b]);
        if ca.is_some() && ca == cb {
            cluster[n + row] = ca;
        } else {
            for (child, c) in [(a, ca), (b, cb)] {
                if let Some(label) = c {
                    if l_out.len() >= nc {
                        return Err(not_flat(n + row));
                    }
                    l_out.push(child);
                    m_out.push(label);
                }
            }
        }
    }
    let root = 2 * n - 2;
    if let Some(label) = cluster[root] {
        if l_out.len() >= nc {
            return Err(not_flat(root));
        }
        l_out.push(root);
        m_out.push(label);
    }
    if l_out.len() != nc || {
        let mut m = m_out.clone();
        m.sort_unstable();
        m.dedup();
        m.len() != nc
    } {
        return Err(Error::invalid_argument(
            "T",
            "is not a flat clustering of this tree: some label is split across subtrees",
        ));
    }
    Ok((l_out, m_out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn z() -> Array2<f64> {
        array![
            [0.0, 1.0, 1.0, 2.0],
            [2.0, 3.0, 2.0, 2.0],
            [5.0, 6.0, 10.0, 4.0],
            [4.0, 7.0, 20.0, 5.0]
        ]
    }

    #[test]
    fn cut_tree_numbers_groups_by_first_leaf() {
        let c = cut_tree(z().view(), &Cut::NClusters(vec![5, 3, 2, 1])).unwrap();
        assert_eq!(c.column(0).to_vec(), vec![0, 1, 2, 3, 4]);
        assert_eq!(c.column(1).to_vec(), vec![0, 0, 1, 1, 2]);
        assert_eq!(c.column(2).to_vec(), vec![0, 0, 0, 0, 1]);
        assert_eq!(c.column(3).to_vec(), vec![0; 5]);
        let h = cut_tree(z().view(), &Cut::Heights(vec![1.5])).unwrap();
        assert_eq!(h.column(0).to_vec(), vec![0, 0, 1, 2, 3]);
        assert!(cut_tree(z().view(), &Cut::NClusters(vec![0])).is_err());
    }

    #[test]
    fn leaders_of_a_flat_clustering() {
        let (l, m) = leaders(z().view(), &[1, 1, 2, 2, 3]).unwrap();
        assert_eq!((l, m), (vec![5, 6, 4], vec![1, 2, 3]));
        let e = leaders(z().view(), &[1, 2, 1, 2, 3])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a flat clustering"), "{e}");
    }
}
