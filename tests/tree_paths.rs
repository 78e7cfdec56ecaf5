//! The kd-tree paths against the brute-force paths and scipy's fixtures:
//! Borůvka single linkage against Prim and the matrix (bit-identical Z
//! without ties, scipy's flat clusters at every height with ties), the
//! kd-tree Ward chain against the chain on centroids (bit-identical, ties
//! included) and against scipy; duplicates, collinear points, an outlier,
//! identical points, n = 2 and 3, integer grids; and the automatic choice.

mod common;

use common::TIE_FREE_OBSERVATIONS as TIE_FREE;
use common::{assert_same_linkage, matrix, read_json};
use hclust::analysis::{fcluster, Criterion};
use hclust::linkage::{linkage_with, Algorithm, LinkageOptions};
use hclust::{linkage, Method, Metric};
use ndarray::{array, Array2};
use proptest::prelude::*;

fn run(x: &Array2<f64>, method: Method, metric: Metric, algorithm: Algorithm) -> Array2<f64> {
    let opts = LinkageOptions {
        method,
        metric,
        algorithm,
        ..LinkageOptions::default()
    };
    linkage_with(x.view(), &opts).unwrap().z
}

/// Whether two merges share a height.
fn tied(z: &Array2<f64>) -> bool {
    let mut h: Vec<f64> = z.column(2).to_vec();
    h.sort_by(f64::total_cmp);
    h.windows(2).any(|w| w[0] == w[1])
}

/// The same flat clusters (fcluster by distance) at every distinct height,
/// and just below each; and the same heights.
fn same_flat_clusters(a: &Array2<f64>, b: &Array2<f64>, what: &str) {
    let mut ha: Vec<f64> = a.column(2).to_vec();
    let mut hb: Vec<f64> = b.column(2).to_vec();
    ha.sort_by(f64::total_cmp);
    hb.sort_by(f64::total_cmp);
    assert_eq!(ha, hb, "{what}: heights");
    ha.dedup();
    for &h in &ha {
        for t in [h, h * (1.0 - 1e-9) - 1e-300] {
            let la = fcluster(a.view(), t.max(0.0), &Criterion::Distance).unwrap();
            let lb = fcluster(b.view(), t.max(0.0), &Criterion::Distance).unwrap();
            assert!(same_partition(&la, &lb), "{what}: clusters differ at {t}");
        }
    }
}

/// Whether two labellings define the same partition.
fn same_partition(a: &[usize], b: &[usize]) -> bool {
    let mut map = std::collections::HashMap::new();
    let mut back = std::collections::HashMap::new();
    a.iter()
        .zip(b)
        .all(|(x, y)| *map.entry(x).or_insert(y) == y && *back.entry(y).or_insert(x) == x)
}

/// Single linkage by the tree equals the reference `exact`: to the bit
/// without tied heights, in its flat clusters with them.
fn tree_matches(tree: &Array2<f64>, exact: &Array2<f64>, what: &str) {
    if tied(exact) {
        same_flat_clusters(tree, exact, what);
    } else {
        assert_eq!(tree, exact, "{what}");
    }
}

/// Random points: n in 2..=300, d in 1..=8, continuous, or rounded to a
/// coarse grid (many ties and duplicates).
fn points() -> impl Strategy<Value = Array2<f64>> {
    (2usize..=300, 1usize..=8, any::<bool>()).prop_flat_map(|(n, d, grid)| {
        prop::collection::vec(-100.0f64..100.0, n * d).prop_map(move |v| {
            let v = if grid {
                v.iter().map(|x| (x / 25.0).round()).collect()
            } else {
                v
            };
            Array2::from_shape_vec((n, d), v).unwrap()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn boruvka_equals_prim_and_the_matrix(x in points()) {
        let prim = run(&x, Method::Single, Metric::Euclidean, Algorithm::Vector);
        let tree = run(&x, Method::Single, Metric::Euclidean, Algorithm::Tree);
        tree_matches(&tree, &prim, "euclidean");
        for metric in [
            Metric::SqEuclidean,
            Metric::Cityblock,
            Metric::Chebyshev,
            Metric::Minkowski { p: 3.0, w: None },
        ] {
            let name = metric.name().to_string();
            let matrix = run(&x, Method::Single, metric.clone(), Algorithm::Matrix);
            let tree = run(&x, Method::Single, metric, Algorithm::Tree);
            tree_matches(&tree, &matrix, &name);
        }
    }

    #[test]
    fn the_ward_tree_is_the_centroid_chain_to_the_bit(x in points()) {
        let vector = run(&x, Method::Ward, Metric::Euclidean, Algorithm::Vector);
        let tree = run(&x, Method::Ward, Metric::Euclidean, Algorithm::Tree);
        prop_assert_eq!(tree, vector);
    }
}

#[test]
fn the_tree_paths_give_scipys_z_on_the_fixtures() {
    for name in TIE_FREE {
        let f = read_json(&format!("linkage/{name}.json"));
        let x = matrix(&f["X"]);
        let single = run(&x, Method::Single, Metric::Euclidean, Algorithm::Tree);
        assert_eq!(single, matrix(&f["linkage"]["single"]), "{name}");
        let ward = run(&x, Method::Ward, Metric::Euclidean, Algorithm::Tree);
        assert_same_linkage(&ward, &matrix(&f["linkage"]["ward"]), 1e-10, name);
    }
    for name in ["grid_ties", "int_ties", "duplicates"] {
        let f = read_json(&format!("linkage/{name}.json"));
        let x = matrix(&f["X"]);
        let single = run(&x, Method::Single, Metric::Euclidean, Algorithm::Tree);
        same_flat_clusters(&single, &matrix(&f["linkage"]["single"]), name);
    }
}

#[test]
fn awkward_point_sets() {
    let mut sets: Vec<(&str, Array2<f64>)> = vec![
        ("n = 2", array![[0.0, 1.0], [3.0, 5.0]]),
        ("n = 3", array![[0.0], [1.0], [3.5]]),
        ("identical", Array2::from_elem((50, 3), 7.25)),
        (
            "collinear",
            Array2::from_shape_fn((200, 2), |(i, j)| {
                (i * i) as f64 * if j == 0 { 1.0 } else { 0.5 }
            }),
        ),
    ];
    let mut outlier =
        Array2::from_shape_fn((120, 2), |(i, j)| ((i * 37 + j * 11) % 97) as f64 / 9.7);
    outlier[[60, 0]] = 1e9;
    sets.push(("outlier", outlier));
    let mut dups = Array2::from_shape_fn((150, 2), |(i, j)| ((i % 30) * (j + 1)) as f64 * 0.37);
    dups[[0, 0]] = -4.0;
    sets.push(("duplicates", dups));
    let grid = Array2::from_shape_fn((144, 2), |(i, j)| {
        if j == 0 {
            (i / 12) as f64
        } else {
            (i % 12) as f64
        }
    });
    sets.push(("grid", grid));
    for (what, x) in &sets {
        let prim = run(x, Method::Single, Metric::Euclidean, Algorithm::Vector);
        let tree = run(x, Method::Single, Metric::Euclidean, Algorithm::Tree);
        tree_matches(&tree, &prim, what);
        let vector = run(x, Method::Ward, Metric::Euclidean, Algorithm::Vector);
        let wtree = run(x, Method::Ward, Metric::Euclidean, Algorithm::Tree);
        assert_eq!(wtree, vector, "{what}: ward");
    }
}

#[test]
fn blocked_boruvka_on_many_features_equals_prim() {
    let x = Array2::from_shape_fn((2100, 24), |(i, j)| {
        ((i as f64 * 12.9898 + j as f64 * 78.233).sin() * 43758.5453).fract()
    });
    let r = linkage_with(x.view(), &LinkageOptions::new(Method::Single)).unwrap();
    assert!(r.report.algorithm.contains("blocked"), "{}", r.report);
    let prim = run(&x, Method::Single, Metric::Euclidean, Algorithm::Vector);
    assert_eq!(r.z, prim);
    // Ties (a coarse grid): the exact path reruns at this size.
    let grid = x.mapv(|v| (v * 2.0).round());
    let r = linkage_with(grid.view(), &LinkageOptions::new(Method::Single)).unwrap();
    assert_eq!(
        r.z,
        run(&grid, Method::Single, Metric::Euclidean, Algorithm::Vector)
    );
}

#[test]
fn the_automatic_choice_says_what_ran() {
    // Small: scipy's exact paths.
    let x = Array2::from_shape_fn((100, 2), |(i, j)| {
        ((i * 31 + j * 7) % 101) as f64 + i as f64 * 1e-3
    });
    let r = linkage_with(x.view(), &LinkageOptions::new(Method::Ward)).unwrap();
    assert!(r.report.algorithm.contains("matrix"), "{}", r.report);
    assert_eq!(
        r.z,
        linkage(x.view(), Method::Ward, &Metric::Euclidean).unwrap()
    );
    // Large and low-dimensional: the tree.
    let big = Array2::from_shape_fn((3000, 3), |(i, j)| {
        ((i as f64 * 12.9898 + j as f64 * 78.233).sin() * 43758.5453).fract()
    });
    for method in [Method::Single, Method::Ward] {
        let r = linkage_with(big.view(), &LinkageOptions::new(method)).unwrap();
        assert!(
            r.report.algorithm.contains("kd-tree"),
            "{method}: {}",
            r.report
        );
    }
    // Ties at a size where the exact path is cheap: Prim reruns, with a note.
    let grid = Array2::from_shape_fn((2500, 2), |(i, j)| {
        if j == 0 {
            (i / 50) as f64
        } else {
            (i % 50) as f64
        }
    });
    let r = linkage_with(grid.view(), &LinkageOptions::new(Method::Single)).unwrap();
    assert!(r.report.algorithm.contains("Prim"), "{}", r.report);
    assert!(
        r.report.notes.iter().any(|n| n.contains("tied")),
        "{}",
        r.report
    );
    assert_eq!(
        r.z,
        linkage(grid.view(), Method::Single, &Metric::Euclidean).unwrap()
    );
    // A forced tree on ties says that only the flat clusters are scipy's.
    let opts = LinkageOptions {
        algorithm: Algorithm::Tree,
        ..LinkageOptions::new(Method::Single)
    };
    let r = linkage_with(grid.view(), &opts).unwrap();
    assert!(
        r.report.notes.iter().any(|n| n.contains("flat clusters")),
        "{}",
        r.report
    );
    // What a tree cannot do is refused, naming the algorithm.
    let opts = LinkageOptions {
        algorithm: Algorithm::Tree,
        metric: Metric::Cosine,
        ..LinkageOptions::new(Method::Single)
    };
    let e = linkage_with(big.view(), &opts).unwrap_err().to_string();
    assert!(e.contains("algorithm") && e.contains("cosine"), "{e}");
}

/// Points drawn with replacement from `k` distinct ones (a small LCG, so
/// the test needs no fixture).
fn heaps_of_duplicates(n: usize, k: usize, seed: u64) -> Array2<f64> {
    let mut rng = common::Lcg(seed);
    let mut next = || rng.uniform();
    let base: Vec<[f64; 2]> = (0..k)
        .map(|_| [next() * 4.0 - 2.0, next() * 4.0 - 2.0])
        .collect();
    let mut x = Array2::zeros((n, 2));
    for mut row in x.rows_mut() {
        let p = base[((next() * k as f64) as usize).min(k - 1)];
        row[0] = p[0];
        row[1] = p[1];
    }
    x
}

/// Heaps of identical points make Ward's distances from centroids noise
/// (1e-30 where the matrix has 0), which can make a nearest-neighbour
/// chain cycle; these seeds do. Both centroid paths must agree, and keep
/// the matrix's flat clusters wherever the heights are not noise.
#[test]
fn ward_on_heaps_of_duplicates_never_cycles_and_keeps_scipys_clusters() {
    for seed in [28, 48] {
        let x = heaps_of_duplicates(3000, 10, seed);
        let tree = run(&x, Method::Ward, Metric::Euclidean, Algorithm::Tree);
        let vector = run(&x, Method::Ward, Metric::Euclidean, Algorithm::Vector);
        let exact = run(&x, Method::Ward, Metric::Euclidean, Algorithm::Matrix);
        assert_eq!(
            tree, vector,
            "seed {seed}: the tree against the centroid chain"
        );
        let mut h: Vec<f64> = exact
            .column(2)
            .iter()
            .copied()
            .filter(|&h| h > 1e-6)
            .collect();
        h.sort_by(f64::total_cmp);
        h.dedup();
        let mut cuts = vec![1e-6];
        cuts.extend(h.windows(2).map(|w| (w[0] + w[1]) / 2.0));
        for t in cuts {
            let a = fcluster(tree.view(), t, &Criterion::Distance).unwrap();
            let b = fcluster(exact.view(), t, &Criterion::Distance).unwrap();
            assert!(
                same_partition(&a, &b),
                "seed {seed}: clusters differ at {t}"
            );
        }
    }
}
