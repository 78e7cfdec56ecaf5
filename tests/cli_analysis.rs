//! The commands that read Z: their outputs on the tutorial data, and the
//! errors for bad Z files and bad arguments.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn hclust() -> Command {
    Command::cargo_bin("hclust").unwrap()
}

fn tutorial() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/tutorial.csv")
}

/// Ward's Z of the tutorial data, written as `name` (its extension picks the format).
fn ward_z(dir: &TempDir, name: &str) -> PathBuf {
    let z = dir.path().join(name);
    hclust()
        .args(["linkage", "--method", "ward"])
        .arg(tutorial())
        .arg("-o")
        .arg(&z)
        .assert()
        .success();
    z
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn fcluster_at_max_d_50_gives_the_tutorials_two_clusters() {
    let dir = TempDir::new().unwrap();
    for name in ["z.csv", "z.npy", "z.json"] {
        let z = ward_z(&dir, name);
        let out =
            stdout(
                hclust()
                    .arg("fcluster")
                    .arg(&z)
                    .args(["--criterion", "distance", "-t", "50"]),
            );
        let labels: Vec<usize> = out.lines().map(|l| l.parse().unwrap()).collect();
        assert_eq!(labels.len(), 150, "{name}");
        assert_eq!(labels.iter().filter(|&&l| l == 2).count(), 100, "{name}");
        assert_eq!(labels.iter().filter(|&&l| l == 1).count(), 50, "{name}");
    }
}

#[test]
fn fcluster_members_with_data_and_labels() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.json");
    let labels = dir.path().join("labels.txt");
    std::fs::write(
        &labels,
        (0..150).map(|i| format!("s{i}\n")).collect::<String>(),
    )
    .unwrap();
    let out = stdout(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["--criterion", "maxclust", "-t", "2", "--members", "--data"])
            .arg(tutorial())
            .arg("--labels")
            .arg(&labels),
    );
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let clusters = doc.as_array().unwrap();
    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[1]["size"], 100);
    assert_eq!(clusters[1]["member_labels"][0], "s0");
    let centroid = clusters[1]["centroid"].as_array().unwrap();
    assert!(
        (centroid[0].as_f64().unwrap() - 10.0).abs() < 1.0,
        "{centroid:?}"
    );
}

#[test]
fn cophenet_prints_the_tutorials_coefficient() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.npy");
    let out = stdout(
        hclust()
            .arg("cophenet")
            .arg(&z)
            .arg("--data")
            .arg(tutorial()),
    );
    let c: f64 = out.trim().parse().unwrap();
    assert!((c - 0.980).abs() < 5e-4, "{c}");
}

#[test]
fn inconsistent_leaves_cut_tree_and_members() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.csv");
    let r = stdout(hclust().arg("inconsistent").arg(&z));
    assert_eq!(r.lines().count(), 149);
    assert!(r.lines().all(|l| l.split(',').count() == 4));
    let leaves = stdout(hclust().arg("leaves").arg(&z));
    let mut ids: Vec<usize> = leaves.lines().map(|l| l.parse().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..150).collect::<Vec<_>>());
    let cut = stdout(
        hclust()
            .arg("cut-tree")
            .arg(&z)
            .args(["--n-clusters", "1", "2"]),
    );
    assert!(cut.lines().all(|l| l.starts_with("0,")));
    let root = stdout(hclust().arg("members").arg(&z).arg("298"));
    assert_eq!(root.lines().count(), 150);
    hclust()
        .arg("members")
        .arg(&z)
        .arg("299")
        .assert()
        .failure()
        .stderr(predicate::str::contains("299 does not exist"));
}

#[test]
fn dendrogram_layout_has_scipys_keys() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.json");
    let out = dir.path().join("d.json");
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .args([
            "--no-plot",
            "--truncate-mode",
            "lastp",
            "-p",
            "12",
            "--json",
        ])
        .arg(&out)
        .assert()
        .success();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    for key in [
        "icoord",
        "dcoord",
        "ivl",
        "leaves",
        "color_list",
        "leaves_color_list",
    ] {
        assert!(doc.get(key).is_some(), "missing {key}");
    }
    assert_eq!(doc["ivl"].as_array().unwrap().len(), 12);
    assert_eq!(doc["icoord"].as_array().unwrap().len(), 11);
}

#[test]
fn suggest_gives_evidence_and_caveats() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.json");
    let text = stdout(hclust().arg("suggest").arg(&z));
    assert!(
        text.contains("elbow: 2 clusters") && text.contains("caveat"),
        "{text}"
    );
    let json = stdout(hclust().arg("suggest").arg(&z).arg("--json"));
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 3);
}

#[test]
fn a_matrix_that_is_not_a_linkage_is_named() {
    let dir = TempDir::new().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "0,1,1,2\n0,2,2,3\n").unwrap();
    hclust()
        .arg("fcluster")
        .arg(&bad)
        .args(["-t", "1"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("bad.csv")
                .and(predicate::str::contains("not a valid linkage matrix")),
        );
}

#[test]
fn maxclust_below_one_is_an_error() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.json");
    hclust()
        .arg("fcluster")
        .arg(&z)
        .args(["--criterion", "maxclust", "-t", "0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("whole number of clusters >= 1"));
    hclust()
        .arg("fcluster")
        .arg(&z)
        .args(["--criterion", "monocrit", "-t", "1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--monocrit FILE"));
}
