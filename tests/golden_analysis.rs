//! The analysis functions against scipy 1.17.1 on the fixture data sets
//! (several methods, tie-heavy ones included): labels and integer arrays
//! exactly, floats within 1e-12 relative.

mod common;

use common::{fixture_names, matrix, read_json, vector};
use hclust::analysis::{
    cophenet_correlation, cut_tree, fcluster, inconsistent, leaders, leaves_list, max_rstat,
    maxdists, maxinconsts, Criterion, Cut,
};
use hclust::{pdist, Metric};
use serde_json::Value;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

fn assert_close_vec(ours: &[f64], theirs: &[f64], what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}: length");
    for (k, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(close(*a, *b), "{what}: entry {k}: ours {a}, scipy {b}");
    }
}

fn ints(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// Every (file name, parsed fixture) of tests/fixtures/analysis.
fn fixtures() -> Vec<(String, Value)> {
    let out: Vec<(String, Value)> = fixture_names("analysis")
        .into_iter()
        .map(|name| {
            let v = read_json(&format!("analysis/{name}.json"));
            (name, v)
        })
        .collect();
    assert!(out.len() >= 5, "analysis fixtures missing: {out:?}");
    out
}

/// Calls `check(name, X, case)` for every case of every fixture.
fn for_each_case(check: impl Fn(&str, &ndarray::Array2<f64>, &Value)) {
    let mut cases = 0;
    for (name, f) in fixtures() {
        let x = matrix(&f["X"]);
        for case in f["cases"].as_array().unwrap() {
            let what = format!("{name}/{}", case["method"].as_str().unwrap());
            check(&what, &x, case);
            cases += 1;
        }
    }
    assert!(cases >= 10, "only {cases} cases");
}

#[test]
fn cophenet_matches() {
    for_each_case(|what, x, case| {
        let z = matrix(&case["Z"]);
        let y = pdist(x.view(), &Metric::Euclidean).unwrap();
        let (c, d) = cophenet_correlation(z.view(), &y).unwrap();
        assert_close_vec(
            d.as_slice(),
            &vector(&case["cophenet"]["d"]),
            &format!("{what} cophenetic d"),
        );
        match case["cophenet"]["c"].as_f64() {
            Some(expected) => assert!(close(c, expected), "{what}: c ours {c}, scipy {expected}"),
            // scipy gives NaN (stored as null) when every height is equal
            None => assert!(c.is_nan(), "{what}: c should be NaN, is {c}"),
        }
    });
}

#[test]
fn inconsistent_and_subtree_maxima_match() {
    for_each_case(|what, _, case| {
        let z = matrix(&case["Z"]);
        for depth in ["1", "2", "3"] {
            let r = inconsistent(z.view(), depth.parse().unwrap()).unwrap();
            let expected = matrix(&case["inconsistent"][depth]);
            let w = format!("{what} inconsistent depth {depth}");
            assert_close_vec(r.as_slice().unwrap(), expected.as_slice().unwrap(), &w);
        }
        assert_close_vec(
            &maxdists(z.view()).unwrap(),
            &vector(&case["maxdists"]),
            &format!("{what} maxdists"),
        );
        let r2 = inconsistent(z.view(), 2).unwrap();
        let mi = maxinconsts(z.view(), r2.view()).unwrap();
        assert_close_vec(
            &mi,
            &vector(&case["maxinconsts"]),
            &format!("{what} maxinconsts"),
        );
        for col in 0..4 {
            let m = max_rstat(z.view(), r2.view(), col).unwrap();
            let expected = vector(&case["maxRstat"][col.to_string()]);
            assert_close_vec(&m, &expected, &format!("{what} maxRstat {col}"));
        }
    });
}

#[test]
fn fcluster_labels_match_exactly() {
    for_each_case(|what, _, case| {
        let z = matrix(&case["Z"]);
        let r2 = inconsistent(z.view(), 2).unwrap();
        let monocrit = max_rstat(z.view(), r2.view(), 3).unwrap();
        for (k, fc) in case["fcluster"].as_array().unwrap().iter().enumerate() {
            let t = fc["t"].as_f64().unwrap();
            let depth = fc["depth"].as_u64().unwrap() as usize;
            let criterion = match fc["criterion"].as_str().unwrap() {
                "monocrit" => Criterion::Monocrit(monocrit.clone()),
                "maxclust_monocrit" => Criterion::MaxClustMonocrit(monocrit.clone()),
                name => Criterion::from_name(name, depth).unwrap(),
            };
            let ours = fcluster(z.view(), t, &criterion).unwrap();
            assert_eq!(
                ours,
                ints(&fc["T"]),
                "{what} fcluster case {k}: {fc:?}",
                fc = fc["criterion"]
            );
        }
    });
}

#[test]
fn leaders_match_exactly() {
    for_each_case(|what, _, case| {
        let z = matrix(&case["Z"]);
        for l in case["leaders"].as_array().unwrap() {
            let idx = l["fcluster_index"].as_u64().unwrap() as usize;
            let t = ints(&case["fcluster"][idx]["T"]);
            let (ours_l, ours_m) = leaders(z.view(), &t).unwrap();
            assert_eq!(ours_l, ints(&l["L"]), "{what} leaders L for fcluster {idx}");
            assert_eq!(ours_m, ints(&l["M"]), "{what} leaders M for fcluster {idx}");
        }
    });
}

#[test]
fn cut_tree_matches_exactly() {
    for_each_case(|what, _, case| {
        let z = matrix(&case["Z"]);
        for c in case["cut_tree"].as_array().unwrap() {
            let cut = if c["n_clusters"].is_array() {
                Cut::NClusters(ints(&c["n_clusters"]))
            } else {
                Cut::Heights(vector(&c["height"]))
            };
            let ours = cut_tree(z.view(), &cut).unwrap();
            let expected: Vec<Vec<usize>> =
                c["result"].as_array().unwrap().iter().map(ints).collect();
            let min_height = z.column(2).iter().copied().fold(f64::INFINITY, f64::min);
            for col in 0..ours.ncols() {
                // scipy fills only the first column whose cut comes before
                // every merge and leaves later such columns all zero (a
                // scipy bug); hclust gives every observation its own group.
                let scipy_bug = col > 0 && matches!(&cut, Cut::Heights(h) if h[col] <= min_height);
                for (i, row) in expected.iter().enumerate() {
                    if scipy_bug {
                        assert_eq!(
                            (row[col], ours[[i, col]]),
                            (0, i),
                            "{what} {cut:?} column {col}"
                        );
                    } else {
                        assert_eq!(
                            ours[[i, col]],
                            row[col],
                            "{what} cut_tree {cut:?} column {col}, observation {i}"
                        );
                    }
                }
            }
        }
    });
}

#[test]
fn leaves_list_matches() {
    for_each_case(|what, _, case| {
        let z = matrix(&case["Z"]);
        assert_eq!(
            leaves_list(z.view()).unwrap(),
            ints(&case["leaves_list"]),
            "{what}"
        );
    });
}

#[test]
fn fclusterdata_and_correspond_agree_with_their_parts() {
    use hclust::analysis::{correspond, fclusterdata};
    use hclust::{linkage, Method};
    for_each_case(|what, x, case| {
        let method: Method = case["method"].as_str().unwrap().parse().unwrap();
        let z = matrix(&case["Z"]);
        let y = pdist(x.view(), &Metric::Euclidean).unwrap();
        assert!(correspond(z.view(), &y), "{what}");
        let fewer = pdist(
            x.slice(ndarray::s![..x.nrows() - 1, ..]),
            &Metric::Euclidean,
        )
        .unwrap();
        assert!(
            !correspond(z.view(), &fewer),
            "{what}: one observation short"
        );
        // fclusterdata = linkage + fcluster, and linkage is scipy's Z here
        assert_eq!(
            linkage(x.view(), method, &Metric::Euclidean)
                .unwrap()
                .column(0),
            z.column(0),
            "{what}"
        );
        let t = fclusterdata(
            x.view(),
            3.0,
            &Criterion::MaxClust,
            method,
            &Metric::Euclidean,
        )
        .unwrap();
        let expected = case["fcluster"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["criterion"] == "maxclust" && f["t"].as_f64() == Some(3.0))
            .unwrap();
        assert_eq!(t, ints(&expected["T"]), "{what} fclusterdata maxclust 3");
    });
}
