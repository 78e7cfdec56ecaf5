//! Arguments: negative numbers reach the commands and are judged there,
//! messages name the flag the user typed, flags that would be ignored are
//! refused, and sizes are checked before anything is allocated.

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

/// Ward's Z of the tutorial data (heights all > 0), as z.csv in `dir`.
fn ward_z(dir: &TempDir) -> PathBuf {
    let z = dir.path().join("z.csv");
    hclust()
        .args(["linkage", "-m", "ward"])
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

/// A failure whose message has all of `parts` and not clap's tip to put
/// the value after `--`.
fn fails_saying(cmd: &mut Command, parts: &[&str]) {
    let mut run = cmd
        .assert()
        .failure()
        .stderr(predicate::str::contains("unexpected argument").not());
    for p in parts {
        run = run.stderr(predicate::str::contains(*p));
    }
}

#[test]
fn a_negative_threshold_gives_every_observation_its_own_cluster_as_in_scipy() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir);
    let cut = |criterion: &str, t: &str| {
        stdout(
            hclust()
                .arg("fcluster")
                .arg(&z)
                .args(["--criterion", criterion, "-t", t]),
        )
    };
    for criterion in ["distance", "inconsistent"] {
        let below = cut(criterion, "-1");
        let mut labels: Vec<&str> = below.lines().collect();
        assert_eq!(labels.len(), 150, "{criterion}");
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), 150, "{criterion}: not all singletons");
    }
    // The same numbering as a cut at 0, below every height.
    assert_eq!(cut("distance", "-1"), cut("distance", "0"));
    let monocrit = dir.path().join("mc.csv");
    std::fs::write(&monocrit, "-5\n".repeat(149)).unwrap();
    // Values of -5 are all <= -1: one cluster.
    let one = stdout(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["--criterion", "monocrit", "-t", "-1", "--monocrit"])
            .arg(&monocrit),
    );
    assert!(one.lines().all(|l| l == "1"), "{one}");
}

#[test]
fn negative_values_that_mean_nothing_say_why_and_name_the_flag() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir);
    fails_saying(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["--criterion", "maxclust", "-t", "-1"]),
        &["-t", "number of clusters", "cannot be negative"],
    );
    fails_saying(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["-t", "1", "--depth", "-1"]),
        &["--depth", "levels", "cannot be negative"],
    );
    fails_saying(
        hclust().arg("inconsistent").arg(&z).args(["--depth", "-1"]),
        &["--depth", "cannot be negative"],
    );
    fails_saying(
        hclust().arg("suggest").arg(&z).args(["--depth", "-2"]),
        &["--depth", "cannot be negative"],
    );
    fails_saying(
        hclust().arg("suggest").arg(&z).args(["--window", "-2"]),
        &["--window", "cannot be negative"],
    );
    fails_saying(
        hclust()
            .arg("dendrogram")
            .arg(&z)
            .args(["--truncate-mode", "lastp", "-p", "-3", "-o"])
            .arg(dir.path().join("d.svg")),
        &["-p", "cannot be negative"],
    );
    fails_saying(
        hclust()
            .arg("cut-tree")
            .arg(&z)
            .args(["--n-clusters", "-1"]),
        &["--n-clusters", "cannot be negative"],
    );
    fails_saying(
        hclust().arg("members").arg(&z).arg("-1"),
        &["NODE", "cannot be negative"],
    );
    fails_saying(
        hclust().args(["bench", "--n", "-5"]),
        &["--n", "cannot be negative"],
    );
    fails_saying(
        hclust()
            .arg("report")
            .arg(tutorial())
            .args(["--max-d", "-1", "-q", "-o"])
            .arg(dir.path().join("r")),
        &["--max-d", "never negative"],
    );
    // Minkowski's p reaches the metric, which says what it needs.
    fails_saying(
        hclust()
            .arg("linkage")
            .arg(tutorial())
            .args(["--metric", "minkowski", "--p", "-3"]),
        &["p must be > 0"],
    );
    assert!(!dir.path().join("r").exists());
}

#[test]
fn negative_heights_cut_below_every_merge() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir);
    let below = stdout(hclust().arg("cut-tree").arg(&z).args(["--height", "-1"]));
    assert_eq!(below.lines().count(), 150);
    let at_zero = stdout(hclust().arg("cut-tree").arg(&z).args(["--height", "0"]));
    assert_eq!(below, at_zero);
    // A cut-off line below the axis is drawn, as scipy draws one.
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .args(["--max-d", "-1", "--color-threshold", "-1", "-o"])
        .arg(dir.path().join("d.svg"))
        .assert()
        .success();
}

#[test]
fn report_messages_name_k_and_max_d_not_fclusters_t() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("r");
    for (args, flag) in [(["-k", "0"], "--k"), (["--max-d", "nan"], "--max-d")] {
        let err = hclust()
            .arg("report")
            .arg(tutorial())
            .args(args)
            .args(["-q", "-o"])
            .arg(&out)
            .assert()
            .failure()
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8_lossy(&err);
        assert!(err.contains(flag), "{err}");
        assert!(!err.contains("argument t"), "{err}");
    }
    assert!(!out.exists());
}

#[test]
fn fcluster_messages_name_its_flags() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir);
    fails_saying(
        hclust().arg("fcluster").arg(&z).args(["-t", "nan"]),
        &["invalid argument -t: NaN is not a threshold"],
    );
    fails_saying(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["-t", "1", "--criterion", "nearest"]),
        &["invalid argument --criterion"],
    );
    fails_saying(
        hclust().arg("cut-tree").arg(&z).args(["--height", "nan"]),
        &["invalid argument --height"],
    );
}

#[test]
fn fcluster_refuses_labels_and_data_without_members() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir);
    let labels = dir.path().join("labels.txt");
    std::fs::write(
        &labels,
        (0..150).map(|i| format!("s{i}\n")).collect::<String>(),
    )
    .unwrap();
    fails_saying(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["--criterion", "maxclust", "-t", "2", "--labels"])
            .arg(&labels),
        &["--labels", "only applies with --members"],
    );
    fails_saying(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["--criterion", "maxclust", "-t", "2", "--data"])
            .arg(tutorial()),
        &["--data", "only applies with --members"],
    );
    // With --members the labels are used.
    let out = stdout(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args([
                "--criterion",
                "maxclust",
                "-t",
                "2",
                "--members",
                "--labels",
            ])
            .arg(&labels),
    );
    assert!(out.contains("\"s0\""), "{out}");
}

#[test]
fn dendrogram_refuses_a_picture_with_no_plot() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir);
    fails_saying(
        hclust()
            .arg("dendrogram")
            .arg(&z)
            .arg("--no-plot")
            .arg("--json")
            .arg(dir.path().join("l.json"))
            .arg("-o")
            .arg(dir.path().join("d.svg")),
        &["--no-plot", "drop -o"],
    );
}

#[test]
fn bench_checks_memory_before_generating_the_points() {
    // 10^12 points of 1,000 dimensions would be 8 PB of observations alone:
    // refused at once, naming --n, before any allocation.
    fails_saying(
        hclust().env("HCLUST_MEMORY_LIMIT", "1000000000").args([
            "bench",
            "--gpu",
            "false",
            "-d",
            "1000",
            "--n",
            "1000000000000",
        ]),
        &["--n", "n = 1000000000000", "available"],
    );
    fails_saying(
        hclust()
            .env("HCLUST_MEMORY_LIMIT", "1000000000")
            .args(["bench", "--gpu", "false", "--n", "2000000"]),
        &["--n", "16000.5 GB", "1.0 GB"],
    );
    fails_saying(
        hclust().args(["bench", "--precision", "f6"]),
        &["--precision", "f64"],
    );
    fails_saying(hclust().args(["bench", "-d", "0"]), &["--d", "at least 1"]);
}
