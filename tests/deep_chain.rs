//! A chain of 100,000 merges (points on a line with growing gaps give a
//! caterpillar tree of depth n - 1): every tree walk must survive it, where
//! scipy's recursive dendrogram dies with a RecursionError.

use hclust::analysis::{
    fcluster, inconsistent, leaders, leaves_list, maxdists, node_members, to_tree, Criterion,
};
use hclust::dendrogram::{dendrogram, DendrogramOptions, TruncateMode};
use ndarray::Array2;

const N: usize = 100_000;

/// Single linkage of x_i = i(i+1)/2 (gaps 1, 2, 3, ...): each point joins
/// the cluster of all the points before it, at the gap to its left.
fn caterpillar() -> Array2<f64> {
    let mut z = Array2::zeros((N - 1, 4));
    for i in 0..N - 1 {
        let left = if i == 0 { 0 } else { N + i - 1 };
        z[[i, 0]] = left.min(i + 1) as f64;
        z[[i, 1]] = left.max(i + 1) as f64;
        z[[i, 2]] = (i + 1) as f64;
        z[[i, 3]] = (i + 2) as f64;
    }
    z
}

#[test]
fn tree_walks_survive_a_deep_chain() {
    let z = caterpillar();
    let leaves = leaves_list(z.view()).unwrap();
    assert_eq!(leaves.len(), N);
    assert_eq!(node_members(z.view(), 2 * N - 2).unwrap().len(), N);
    assert_eq!(maxdists(z.view()).unwrap()[N - 2], (N - 1) as f64);
    let r = inconsistent(z.view(), 2).unwrap();
    assert_eq!(r[[N - 2, 2]], 2.0);
    let t = fcluster(z.view(), 3.0, &Criterion::MaxClust).unwrap();
    assert_eq!(t.iter().max(), Some(&3));
    let (l, _) = leaders(z.view(), &t).unwrap();
    assert_eq!(l.len(), 3);
    assert_eq!(to_tree(z.view()).unwrap().pre_order(2 * N - 2).len(), N);
}

#[test]
fn dendrogram_layout_survives_a_deep_chain() {
    let z = caterpillar();
    let full = dendrogram(z.view(), &DendrogramOptions::default()).unwrap();
    assert_eq!(full.icoord.len(), N - 1);
    let opts = DendrogramOptions {
        truncate_mode: TruncateMode::LastP(30),
        ..DendrogramOptions::default()
    };
    assert_eq!(dendrogram(z.view(), &opts).unwrap().ivl.len(), 30);
}
