//! `optimal_leaf_ordering` against scipy 1.17.1: every case of every file in
//! tests/fixtures/analysis/ must give scipy's Z exactly (ids, heights and
//! counts), and a 10,000-point chain must not overflow the stack.

mod common;

use std::path::PathBuf;

use hclust::analysis::optimal_leaf_ordering;
use hclust::{linkage, pdist, Method, Metric};
use ndarray::Array2;
use serde_json::Value;

fn analysis_fixtures() -> Vec<PathBuf> {
    common::json_files(&common::fixtures_dir().join("analysis"))
}

fn matrix(v: &Value, what: &str) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap_or_else(|| panic!("{what} is not a list"))
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap_or_else(|| panic!("{what} has a row that is not a list"))
                .iter()
                .map(|x| {
                    x.as_f64()
                        .unwrap_or_else(|| panic!("{what}: {x} is not a number"))
                })
                .collect()
        })
        .collect();
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat())
        .unwrap_or_else(|e| panic!("{what} is ragged: {e}"))
}

#[test]
fn matches_scipy_on_every_analysis_fixture() {
    let mut checked = 0;
    for path in analysis_fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = fixture["name"].as_str().unwrap_or("?");
        let x = matrix(&fixture["X"], &format!("{name}: X"));
        let y = pdist(x.view(), &Metric::Euclidean).unwrap();
        let cases = fixture["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no cases", path.display()));
        for case in cases {
            let what = format!("{name}/{}", case["method"].as_str().unwrap_or("?"));
            let z = matrix(&case["Z"], &format!("{what}: Z"));
            let want = matrix(
                &case["optimal_leaf_ordering"],
                &format!("{what}: optimal_leaf_ordering"),
            );
            let ours =
                optimal_leaf_ordering(z.view(), &y).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(ours.dim(), want.dim(), "{what}: shape");
            for i in 0..ours.nrows() {
                assert!(
                    ours.row(i) == want.row(i),
                    "{what}: row {i} is {} but scipy has {}",
                    ours.row(i),
                    want.row(i)
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "the analysis fixtures hold no cases");
}

#[test]
fn ten_thousand_point_chain_needs_no_deep_stack() {
    // Gaps that grow along the line make single linkage a 10,000-deep chain.
    let n = 10_000;
    let mut x = Array2::zeros((n, 1));
    let mut at = 0.0;
    for i in 1..n {
        at += 1.0 + i as f64 * 1e-3;
        x[[i, 0]] = at;
    }
    let z = linkage(x.view(), Method::Single, &Metric::Euclidean).unwrap();
    let y = pdist(x.view(), &Metric::Euclidean).unwrap();
    let ours = optimal_leaf_ordering(z.view(), &y).unwrap();
    assert_eq!(ours.column(2), z.column(2));
    assert_eq!(ours.column(3), z.column(3));
    // Same pairs, perhaps swapped.
    for (a, b) in ours.rows().into_iter().zip(z.rows()) {
        let sorted = |r: [f64; 2]| if r[0] < r[1] { r } else { [r[1], r[0]] };
        assert_eq!(sorted([a[0], a[1]]), sorted([b[0], b[1]]));
    }
}
