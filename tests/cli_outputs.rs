//! Outputs never destroy an input and are never left half written: every
//! command refuses an output that is one of its inputs (or another of its
//! outputs) before any work, checks every output's format before writing
//! any, and writes through a temporary file renamed into place.

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

/// A copy of the tutorial's data in `dir`.
fn data(dir: &TempDir) -> PathBuf {
    let x = dir.path().join("x.csv");
    std::fs::copy(tutorial(), &x).unwrap();
    x
}

/// Ward's Z of the tutorial data, written as `name` in `dir`.
fn ward_z(dir: &TempDir, name: &str) -> PathBuf {
    let z = dir.path().join(name);
    hclust()
        .args(["linkage", "-m", "ward"])
        .arg(tutorial())
        .arg("-o")
        .arg(&z)
        .assert()
        .success();
    z
}

/// The names in `dir`, sorted (temporary files included).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs `cmd`, which must fail saying that `output` is the input `input`,
/// and checks that `file` is byte for byte what it was.
fn refuses_to_overwrite(cmd: &mut Command, file: &Path, output: &str, input: &str) {
    let before = std::fs::read(file).unwrap();
    cmd.assert().failure().stderr(
        predicate::str::contains(format!("the output {output}"))
            .and(predicate::str::contains(format!("the input {input}")))
            .and(predicate::str::contains("would destroy that input")),
    );
    assert_eq!(std::fs::read(file).unwrap(), before, "{}", file.display());
}

#[test]
fn linkage_refuses_to_write_z_over_its_data() {
    let dir = TempDir::new().unwrap();
    let x = data(&dir);
    refuses_to_overwrite(
        hclust().arg("linkage").arg(&x).arg("-o").arg(&x),
        &x,
        "-o",
        "INPUT",
    );
    // Another spelling, a hard link and a symbolic link are the same file.
    let dotted = dir.path().join(".").join("x.csv");
    refuses_to_overwrite(
        hclust().arg("linkage").arg(&x).arg("-o").arg(&dotted),
        &x,
        "-o",
        "INPUT",
    );
    let hard = dir.path().join("hard.csv");
    std::fs::hard_link(&x, &hard).unwrap();
    refuses_to_overwrite(
        hclust().arg("linkage").arg(&x).arg("-o").arg(&hard),
        &x,
        "-o",
        "INPUT",
    );
    #[cfg(unix)]
    {
        let soft = dir.path().join("soft.csv");
        std::os::unix::fs::symlink(&x, &soft).unwrap();
        refuses_to_overwrite(
            hclust().arg("linkage").arg(&x).arg("-o").arg(&soft),
            &x,
            "-o",
            "INPUT",
        );
    }
    // A parameter file is an input too.
    let w = dir.path().join("w.csv");
    std::fs::write(&w, "1\n1\n").unwrap();
    refuses_to_overwrite(
        hclust()
            .arg("linkage")
            .arg(&x)
            .args(["--metric", "minkowski", "--w"])
            .arg(&w)
            .arg("-o")
            .arg(&w),
        &w,
        "-o",
        "--w",
    );
}

#[test]
fn fcluster_inconsistent_and_cophenet_refuse_to_overwrite_their_inputs() {
    let dir = TempDir::new().unwrap();
    let x = data(&dir);
    let z = ward_z(&dir, "z.csv");
    refuses_to_overwrite(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["-t", "50", "--criterion", "distance", "-o"])
            .arg(&z),
        &z,
        "-o",
        "Z",
    );
    refuses_to_overwrite(
        hclust().arg("inconsistent").arg(&z).arg("-o").arg(&z),
        &z,
        "-o",
        "Z",
    );
    refuses_to_overwrite(
        hclust()
            .arg("cophenet")
            .arg(&z)
            .arg("--data")
            .arg(&x)
            .arg("-o")
            .arg(&x),
        &x,
        "-o",
        "--data",
    );
    let zj = ward_z(&dir, "z.json");
    refuses_to_overwrite(
        hclust()
            .arg("fcluster")
            .arg(&zj)
            .args(["-t", "2", "--criterion", "maxclust", "--members", "-o"])
            .arg(&zj),
        &zj,
        "-o",
        "Z",
    );
}

#[test]
fn dendrogram_refuses_to_write_the_layout_over_z() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.json");
    refuses_to_overwrite(
        hclust()
            .arg("dendrogram")
            .arg(&z)
            .arg("--no-plot")
            .arg("--json")
            .arg(&z),
        &z,
        "--json",
        "Z",
    );
}

#[cfg(unix)]
#[test]
fn two_outputs_that_are_one_file_are_refused() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.json");
    let layout = dir.path().join("l.json");
    std::fs::write(&layout, "{}\n").unwrap();
    let picture = dir.path().join("d.svg");
    std::os::unix::fs::symlink(&layout, &picture).unwrap();
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .arg("--json")
        .arg(&layout)
        .arg("-o")
        .arg(&picture)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("--json").and(predicate::str::contains(
                "are the same file: one would overwrite the other",
            )),
        );
    assert_eq!(std::fs::read_to_string(&layout).unwrap(), "{}\n");
}

#[test]
fn report_refuses_a_folder_whose_files_would_overwrite_its_input() {
    let dir = TempDir::new().unwrap();
    // The report writes z.csv and clusters.csv into its folder.
    let x = dir.path().join("z.csv");
    std::fs::copy(tutorial(), &x).unwrap();
    refuses_to_overwrite(
        hclust()
            .arg("report")
            .arg(&x)
            .args(["-q", "-o"])
            .arg(dir.path()),
        &x,
        "-o",
        "INPUT",
    );
    let labels = dir.path().join("clusters.csv");
    std::fs::write(&labels, "a\n".repeat(150)).unwrap();
    refuses_to_overwrite(
        hclust()
            .arg("report")
            .arg(tutorial())
            .arg("--labels")
            .arg(&labels)
            .args(["-q", "-o"])
            .arg(dir.path()),
        &labels,
        "-o",
        "--labels",
    );
    assert!(!dir.path().join("report.html").exists());
}

#[test]
fn report_refuses_a_file_as_its_folder_before_any_work() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "mine\n").unwrap();
    hclust()
        .arg("demo")
        .arg("-o")
        .arg(&file)
        .assert()
        .failure()
        .stderr(predicate::str::contains("is a file, not a folder"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");
}

#[test]
fn a_bad_picture_format_writes_no_layout() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.json");
    let layout = dir.path().join("l.json");
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .arg("--json")
        .arg(&layout)
        .arg("-o")
        .arg(dir.path().join("d.bmp"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("d.bmp").and(predicate::str::contains(".svg or .png")));
    assert!(
        !layout.exists(),
        "the layout was written before the refusal"
    );
    // An existing layout is left as it was.
    std::fs::write(&layout, "old\n").unwrap();
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .arg("--json")
        .arg(&layout)
        .arg("-o")
        .arg(dir.path().join("d.bmp"))
        .assert()
        .failure();
    assert_eq!(std::fs::read_to_string(&layout).unwrap(), "old\n");
    assert_eq!(names(dir.path()), ["l.json", "z.json"]);
}

#[test]
fn one_rule_for_output_extensions() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.csv");
    let x = data(&dir);
    let refused = |cmd: &mut Command, out: &str, allowed: &str| {
        cmd.assert()
            .failure()
            .stderr(
                predicate::str::contains(out).and(predicate::str::contains(format!(
                    "can be written as {allowed}"
                ))),
            );
    };
    refused(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["-t", "2", "--criterion", "maxclust", "-o"])
            .arg(dir.path().join("f.xyz")),
        "f.xyz",
        ".csv or .json",
    );
    // --members writes JSON, so a .csv name would hold JSON.
    refused(
        hclust()
            .arg("fcluster")
            .arg(&z)
            .args(["-t", "2", "--criterion", "maxclust", "--members", "-o"])
            .arg(dir.path().join("m.csv")),
        "m.csv",
        ".json",
    );
    refused(
        hclust()
            .arg("inconsistent")
            .arg(&z)
            .arg("-o")
            .arg(dir.path().join("r.json")),
        "r.json",
        ".csv or .npy",
    );
    refused(
        hclust()
            .arg("cophenet")
            .arg(&z)
            .arg("--data")
            .arg(&x)
            .arg("-o")
            .arg(dir.path().join("c.xyz")),
        "c.xyz",
        ".csv or .npy",
    );
    refused(
        hclust()
            .arg("dendrogram")
            .arg(&z)
            .arg("--no-plot")
            .arg("--json")
            .arg(dir.path().join("l.txt")),
        "l.txt",
        ".json",
    );
    refused(
        hclust()
            .arg("linkage")
            .arg(&x)
            .arg("-o")
            .arg(dir.path().join("z.xyz")),
        "z.xyz",
        ".csv, .npy or .json",
    );
    assert_eq!(names(dir.path()), ["x.csv", "z.csv"]);
}

#[test]
fn outputs_are_complete_and_leave_no_temporary_files() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.npy");
    let old = dir.path().join("f.csv");
    std::fs::write(&old, "old\n").unwrap();
    hclust()
        .arg("fcluster")
        .arg(&z)
        .args(["-t", "2", "--criterion", "maxclust", "-o"])
        .arg(&old)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&old).unwrap().lines().count(), 150);
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .arg("--json")
        .arg(dir.path().join("l.json"))
        .arg("-o")
        .arg(dir.path().join("d.png"))
        .assert()
        .success();
    assert_eq!(names(dir.path()), ["d.png", "f.csv", "l.json", "z.npy"]);
}

/// A run killed by the file size limit (SIGXFSZ) in the middle of writing
/// leaves the old output whole: the new one was going to a temporary file.
#[cfg(unix)]
#[test]
fn a_run_killed_while_writing_leaves_the_old_output() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("z.csv");
    std::fs::write(&out, "old\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("hclust");
    // 1 block (512 or 1024 bytes) is far below Z's 4 kB.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1; exec \"$0\" \"$@\"")
        .arg(&bin)
        .args(["linkage", "-m", "ward"])
        .arg(tutorial())
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(!status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
}

/// The same limit with the signal ignored: the write fails (EFBIG), the
/// command says so, and the old output is whole, with no temporary file.
#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_old_output_and_no_temporary_file() {
    let dir = TempDir::new().unwrap();
    let z = ward_z(&dir, "z.npy");
    let out = dir.path().join("r.csv");
    std::fs::write(&out, "old\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("hclust");
    let run = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
        .arg(&bin)
        .arg("inconsistent")
        .arg(&z)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("r.csv"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
    assert_eq!(names(dir.path()), ["r.csv", "z.npy"]);
}
