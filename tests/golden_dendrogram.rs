//! hclust's dendrogram layout against scipy 1.17.1's `dendrogram(Z,
//! no_plot=True, **kwargs)` on every case of every fixture in
//! tests/fixtures/analysis/: identical ivl, leaves, color_list and
//! leaves_color_list, coordinates and contraction marks within 1e-12
//! relative.
//!
//! The folder can be overridden with `HCLUST_DENDROGRAM_FIXTURES` (to try
//! scratch fixtures of the same schema). The test fails when it finds no
//! dendrogram to compare.

mod common;

use std::path::PathBuf;

use common::{fixtures_dir, json_files, matrix};
use hclust::dendrogram::layout::{
    dendrogram, DendrogramLayout, DendrogramOptions, LeafSort, Orientation, TruncateMode,
};
use serde_json::Value;

const REL: f64 = 1e-12;

/// scipy's `p` when a fixture gives a truncate mode without one.
const SCIPY_DEFAULT_P: usize = 30;

fn fixture_files() -> Vec<PathBuf> {
    let dir = std::env::var_os("HCLUST_DENDROGRAM_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| fixtures_dir().join("analysis"));
    json_files(&dir)
}

fn leaf_sort(v: &Value) -> LeafSort {
    match v {
        Value::Bool(b) => {
            if *b {
                LeafSort::Ascending
            } else {
                LeafSort::None
            }
        }
        Value::Null => LeafSort::None,
        Value::String(s) => s.parse().unwrap(),
        other => panic!("bad sort value {other}"),
    }
}

/// scipy's keyword arguments as our options.
fn options(kwargs: &Value) -> DendrogramOptions {
    let mut o = DendrogramOptions::default();
    let kw = kwargs.as_object().expect("kwargs is an object");
    let p = kw.get("p").map_or(SCIPY_DEFAULT_P, |p| {
        usize::try_from(p.as_i64().expect("p is an integer")).expect("p >= 0")
    });
    for (key, v) in kw {
        match key.as_str() {
            "p" | "no_plot" | "get_leaves" => {}
            "truncate_mode" => {
                o.truncate_mode = match v.as_str() {
                    None => TruncateMode::None,
                    Some(name) => TruncateMode::from_name(name, p).unwrap(),
                }
            }
            "color_threshold" => {
                o.color_threshold = match v {
                    Value::Null => None,
                    Value::String(s) if s == "default" => None,
                    _ => Some(v.as_f64().expect("color_threshold is a number")),
                }
            }
            "above_threshold_color" => o.above_threshold_color = v.as_str().unwrap().to_string(),
            "count_sort" => o.count_sort = leaf_sort(v),
            "distance_sort" => o.distance_sort = leaf_sort(v),
            "labels" => {
                o.labels = Some(
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|l| match l {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                )
            }
            "show_leaf_counts" => o.show_leaf_counts = v.as_bool().unwrap(),
            "show_contracted" => o.show_contracted = v.as_bool().unwrap(),
            "orientation" => o.orientation = v.as_str().unwrap().parse::<Orientation>().unwrap(),
            other => panic!("kwarg {other} is not translated to DendrogramOptions"),
        }
    }
    o
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= REL * b.abs()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn rows<const K: usize>(v: &Value) -> Vec<[f64; K]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let r: Vec<f64> = r
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            r.try_into().expect("row length")
        })
        .collect()
}

fn compare_rows<const K: usize>(
    ours: &[[f64; K]],
    theirs: &[[f64; K]],
    key: &str,
) -> Option<String> {
    if ours.len() != theirs.len() {
        return Some(format!(
            "{key}: {} rows, scipy {}",
            ours.len(),
            theirs.len()
        ));
    }
    let bad = (0..ours.len()).find(|&i| (0..K).any(|c| !close(ours[i][c], theirs[i][c])))?;
    Some(format!(
        "{key}[{bad}]: ours {:?}, scipy {:?}",
        ours[bad], theirs[bad]
    ))
}

/// Every way `ours` differs from scipy's `expected` result.
fn differences(
    ours: &DendrogramLayout,
    expected: &Value,
    marks: &Value,
    o: &DendrogramOptions,
) -> Vec<String> {
    let mut bad = Vec::new();
    let mut exact = |key: &str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug, same: bool| {
        if !same {
            bad.push(format!("{key}: ours {a:?}, scipy {b:?}"));
        }
    };
    let leaves: Vec<usize> = expected["leaves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    exact("leaves", &ours.leaves, &leaves, ours.leaves == leaves);
    let ivl = strings(&expected["ivl"]);
    exact("ivl", &ours.ivl, &ivl, ours.ivl == ivl);
    let colours = strings(&expected["color_list"]);
    exact(
        "color_list",
        &ours.color_list,
        &colours,
        ours.color_list == colours,
    );
    // scipy leaves a leaf that no link reaches (only when the root itself is
    // contracted) as None; we give it above_threshold_color.
    let leaf_colours: Vec<String> = expected["leaves_color_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap_or(&o.above_threshold_color).to_string())
        .collect();
    exact(
        "leaves_color_list",
        &ours.leaves_color_list,
        &leaf_colours,
        ours.leaves_color_list == leaf_colours,
    );
    let orientation = o.orientation.name();
    exact(
        "orientation",
        &ours.orientation,
        &orientation,
        ours.orientation == orientation,
    );
    bad.extend(compare_rows(
        &ours.icoord,
        &rows::<4>(&expected["icoord"]),
        "icoord",
    ));
    bad.extend(compare_rows(
        &ours.dcoord,
        &rows::<4>(&expected["dcoord"]),
        "dcoord",
    ));
    if !marks.is_null() {
        bad.extend(compare_rows(
            &ours.contraction_marks,
            &rows::<2>(marks),
            "contraction_marks",
        ));
    }
    bad
}

#[test]
fn dendrogram_matches_scipy() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture: Value = serde_json::from_str(&text).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        for case in fixture["cases"].as_array().expect("cases") {
            let Some(entries) = case.get("dendrogram").and_then(Value::as_array) else {
                continue;
            };
            let z = matrix(&case["Z"]);
            let method = case["method"].as_str().unwrap_or("?");
            for entry in entries {
                let o = options(&entry["kwargs"]);
                let ours = dendrogram(z.view(), &o)
                    .unwrap_or_else(|e| panic!("{name}/{method} {}: {e}", entry["kwargs"]));
                let marks = entry.get("contraction_marks").unwrap_or(&Value::Null);
                for d in differences(&ours, &entry["result"], marks, &o) {
                    failures.push(format!("{name}/{method} {}: {d}", entry["kwargs"]));
                }
                compared += 1;
            }
        }
    }
    assert!(
        compared > 0,
        "the fixtures hold no dendrogram cases to compare"
    );
    assert!(
        failures.is_empty(),
        "{} differences from scipy in {compared} dendrograms:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{compared} dendrograms identical to scipy");
}
