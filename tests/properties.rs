//! Property tests: the fast algorithms against the naive O(n^3) oracle on
//! data with distinct distances, validity of Z, monotone heights, and single
//! linkage as a minimum spanning tree.

mod common;

use common::assert_same_linkage;
use hclust::linkage::{check_linkage, linkage_primitive};
use hclust::{linkage, linkage_condensed, pdist, CondensedMatrix, Method, Metric};
use ndarray::Array2;
use proptest::prelude::*;

/// Random points (n in 2..=40, m in 1..=4) with continuous coordinates.
fn points() -> impl Strategy<Value = Array2<f64>> {
    (2usize..=40, 1usize..=4).prop_flat_map(|(n, m)| {
        prop::collection::vec(-100.0f64..100.0, n * m)
            .prop_map(move |v| Array2::from_shape_vec((n, m), v).unwrap())
    })
}

/// A condensed matrix of distinct positive dissimilarities (not
/// necessarily euclidean).
fn condensed() -> impl Strategy<Value = CondensedMatrix> {
    (2usize..=40).prop_flat_map(|n| {
        prop::collection::vec(0.001f64..1000.0, n * (n - 1) / 2)
            .prop_map(|v| CondensedMatrix::new(v).unwrap())
    })
}

fn distinct(y: &CondensedMatrix) -> bool {
    let mut v = y.as_slice().to_vec();
    v.sort_by(f64::total_cmp);
    v.windows(2).all(|w| w[1] - w[0] > 1e-9 * w[1].abs())
}

/// Kruskal's algorithm: the sorted weights of a minimum spanning tree.
fn mst_weights(y: &CondensedMatrix) -> Vec<f64> {
    let n = y.n();
    let mut edges: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..n {
        for j in (i + 1)..n {
            edges.push((y.get(i, j), i, j));
        }
    }
    edges.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            x = p[x];
        }
        x
    }
    let mut out = Vec::new();
    for (w, i, j) in edges {
        let (a, b) = (root(&mut parent, i), root(&mut parent, j));
        if a != b {
            parent[a] = b;
            out.push(w);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn general_methods_equal_the_oracle(y in condensed()) {
        prop_assume!(distinct(&y));
        for method in [Method::Single, Method::Complete, Method::Average, Method::Weighted] {
            let fast = linkage_condensed(&y, method).unwrap();
            let slow = linkage_primitive(&y, method);
            assert_same_linkage(&fast, &slow, 1e-10, method.name());
            check_linkage(fast.view()).unwrap();
        }
    }

    #[test]
    fn euclidean_methods_equal_the_oracle(x in points()) {
        let y = pdist(x.view(), &Metric::Euclidean).unwrap();
        prop_assume!(distinct(&y));
        for method in [Method::Ward, Method::Centroid, Method::Median] {
            let fast = linkage(x.view(), method, &Metric::Euclidean).unwrap();
            let slow = linkage_primitive(&y, method);
            assert_same_linkage(&fast, &slow, 1e-10, method.name());
            check_linkage(fast.view()).unwrap();
        }
    }

    #[test]
    fn every_method_gives_a_valid_z_even_with_ties(x in points().prop_map(|x| x.mapv(|v| (v / 40.0).round()))) {
        for method in Method::ALL {
            let z = linkage(x.view(), method, &Metric::Euclidean).unwrap();
            check_linkage(z.view()).unwrap();
            if method.is_monotone() {
                let h = z.column(2);
                prop_assert!(h.windows(2).into_iter().all(|w| w[1] >= w[0]), "{method}: heights decrease");
            }
        }
    }

    #[test]
    fn single_linkage_heights_are_mst_weights(y in condensed()) {
        let z = linkage_condensed(&y, Method::Single).unwrap();
        let heights: Vec<f64> = z.column(2).to_vec();
        prop_assert_eq!(heights, mst_weights(&y));
    }
}
