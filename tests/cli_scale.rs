//! The workflow without the distance matrix, from the command line: the
//! algorithm chosen and reported, the cophenetic correlation streamed or
//! estimated (and labelled so), and the memory checks made before any
//! work.

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

/// `n` points of `d` features without ties, as CSV.
fn points(dir: &TempDir, n: usize, d: usize) -> PathBuf {
    let mut text = String::new();
    for i in 0..n {
        let row: Vec<String> = (0..d)
            .map(|j| {
                let v = ((i as f64 * 12.9898 + j as f64 * 78.233).sin() * 43758.5453).fract();
                format!("{v}")
            })
            .collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    let path = dir.path().join(format!("x{n}_{d}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn linkage_says_which_algorithm_ran_and_the_forced_ones_agree() {
    let dir = TempDir::new().unwrap();
    let x = points(&dir, 2500, 3);
    let run = |args: &[&str]| {
        hclust()
            .arg("linkage")
            .arg(&x)
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone()
    };
    for method in ["single", "ward"] {
        let auto = run(&["-m", method, "-v"]);
        let err = String::from_utf8_lossy(&auto.stderr);
        assert!(
            err.contains("algorithm:") && err.contains("kd-tree"),
            "{err}"
        );
        let vector = run(&["-m", method, "--algorithm", "vector"]);
        assert_eq!(auto.stdout, vector.stdout, "{method}");
    }
    hclust()
        .arg("linkage")
        .arg(&x)
        .args(["-m", "average", "--algorithm", "tree"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--algorithm").and(predicate::str::contains("average")));
    hclust()
        .arg("linkage")
        .arg(&x)
        .args(["--algorithm", "fast"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("auto, tree, vector, matrix"));
}

#[test]
fn cophenet_estimates_are_labelled_and_close_to_the_exact_value() {
    let dir = TempDir::new().unwrap();
    let z = dir.path().join("z.npy");
    hclust()
        .arg("linkage")
        .arg(tutorial())
        .args(["-m", "ward", "-o"])
        .arg(&z)
        .assert()
        .success();
    let exact = hclust()
        .arg("cophenet")
        .arg(&z)
        .arg("--data")
        .arg(tutorial())
        .assert()
        .success()
        .stderr(predicate::str::contains("estimate").not())
        .get_output()
        .stdout
        .clone();
    let exact: f64 = String::from_utf8_lossy(&exact).trim().parse().unwrap();
    let out = hclust()
        .arg("cophenet")
        .arg(&z)
        .arg("--data")
        .arg(tutorial())
        .args(["--sample", "20000"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "an estimate from 20000 sampled pairs",
        ))
        .get_output()
        .clone();
    let est: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!((est - exact).abs() < 0.02, "{est} vs {exact}");
    hclust()
        .arg("cophenet")
        .arg(&z)
        .arg("--data")
        .arg(tutorial())
        .args(["--sample", "3"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--sample").and(predicate::str::contains("40")));
}

#[test]
fn the_report_labels_a_sampled_cophenetic_correlation() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("r");
    hclust()
        .arg("report")
        .arg(tutorial())
        .args(["--sample", "5000", "-q", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(an estimate from 5,000 sampled pairs of the 11,175 pairs, standard error",
        ));
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("an estimate from 5,000 sampled pairs"));
}

#[test]
fn memory_is_checked_before_any_work() {
    let dir = TempDir::new().unwrap();
    let x = points(&dir, 3000, 2);
    // The report's O(n m) memory: refused at once under a small limit.
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "100000")
        .arg("report")
        .arg(&x)
        .args(["-q", "-o"])
        .arg(dir.path().join("r"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("the report's working memory")
                .and(predicate::str::contains("needs")),
        );
    assert!(!dir.path().join("r").join("report.html").exists());
    // The tree paths need no matrix: ward runs under a limit far below it.
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "20000000")
        .arg("linkage")
        .arg(&x)
        .args(["-m", "ward"])
        .assert()
        .success();
    // The cophenetic distances of -o need the matrix: refused, naming -o.
    let z = dir.path().join("z.npy");
    hclust()
        .arg("linkage")
        .arg(&x)
        .args(["-m", "ward", "-o"])
        .arg(&z)
        .assert()
        .success();
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "1000000")
        .arg("cophenet")
        .arg(&z)
        .arg("--data")
        .arg(&x)
        .arg("-o")
        .arg(dir.path().join("c.npy"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("-o").and(predicate::str::contains("drop -o")));
    // Without -o the correlation is streamed, in O(n) memory.
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "1000000")
        .arg("cophenet")
        .arg(&z)
        .arg("--data")
        .arg(&x)
        .assert()
        .success();
}
