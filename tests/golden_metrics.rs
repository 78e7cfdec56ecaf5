//! pdist for every metric against scipy 1.17.1, and the four general
//! linkage methods on each metric's distances.

mod common;

use common::{assert_same_linkage, matrix, read_json, vector};
use hclust::{linkage, pdist, Method, Metric};
use serde_json::Value;

/// The metric of a fixture case, with its parameters.
fn metric_of(case: &Value) -> Metric {
    let name = case["metric"].as_str().unwrap();
    let kw = &case["kwargs"];
    match Metric::from_name(name).unwrap() {
        Metric::Minkowski { .. } => Metric::Minkowski {
            p: kw["p"].as_f64().unwrap_or(2.0),
            w: kw.get("w").map(vector),
        },
        Metric::SEuclidean { .. } => Metric::SEuclidean {
            v: kw.get("V").map(vector),
        },
        Metric::Mahalanobis { .. } => Metric::Mahalanobis {
            vi: kw.get("VI").map(matrix),
        },
        other => other,
    }
}

#[test]
fn every_metric_matches_scipy() {
    let f = read_json("metrics.json");
    let mut checked = 0;
    for ds in f["datasets"].as_array().unwrap() {
        for case in ds["cases"].as_array().unwrap() {
            let x = matrix(case.get("X").unwrap_or(&ds["X"]));
            let metric = metric_of(case);
            let what = format!("{}/{} {}", ds["name"], metric.name(), case["kwargs"]);
            let expected = vector(&case["y"]);
            let ours = pdist(x.view(), &metric).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(ours.as_slice().len(), expected.len(), "{what}");
            for (k, (a, b)) in ours.as_slice().iter().zip(&expected).enumerate() {
                // scipy leaves rounding residue (~1e-16) where the exact
                // answer is 0, so the tolerance has an absolute floor.
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1e-3),
                    "{what}: entry {k}: ours {a}, scipy {b}"
                );
            }
            for method in [
                Method::Single,
                Method::Complete,
                Method::Average,
                Method::Weighted,
            ] {
                let z = linkage(x.view(), method, &metric).unwrap();
                let expected = matrix(&case["linkage"][method.name()]);
                assert_same_linkage(&z, &expected, 1e-12, &format!("{what} {method}"));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 22, "every metric case of the fixture was checked");
}

#[test]
fn euclidean_only_methods_refuse_other_metrics() {
    let x = ndarray::array![[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]];
    for method in [Method::Centroid, Method::Median, Method::Ward] {
        let e = linkage(x.view(), method, &Metric::Cityblock)
            .unwrap_err()
            .to_string();
        assert!(e.contains(method.name()) && e.contains("cityblock"), "{e}");
    }
}

#[test]
fn custom_metric_is_called_for_every_pair() {
    let x = ndarray::array![[0.0], [1.0], [3.0]];
    let m = Metric::Custom(hclust::CustomMetric::new("absdiff", |u, v| {
        (u[0] - v[0]).abs()
    }));
    assert_eq!(pdist(x.view(), &m).unwrap().as_slice(), &[1.0, 3.0, 2.0]);
    let bad = Metric::Custom(hclust::CustomMetric::new("nan", |_, _| f64::NAN));
    let e = pdist(x.view(), &bad).unwrap_err().to_string();
    assert!(e.contains("custom metric"), "{e}");
}
