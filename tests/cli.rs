//! The `hclust` command: outputs in each format, and an error that names the
//! problem for each kind of bad input.

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

/// The stdout of a run that must succeed.
fn stdout_of(cmd: &mut Command) -> Vec<u8> {
    cmd.assert().success().get_output().stdout.clone()
}

/// Z as `hclust linkage` prints it (CSV on stdout), row by row.
fn z_rows(stdout: &[u8]) -> Vec<Vec<f64>> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

/// Whether a `--backend gpu` run failed for want of an adapter, saying
/// how to get one: then the test skips (saying so), unless
/// HCLUST_REQUIRE_GPU is set, where it fails. Any other failure fails.
fn skipped_without_an_adapter(out: &std::process::Output) -> bool {
    if out.status.success() {
        return false;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no GPU adapter") && err.contains("mesa-vulkan-drivers"),
        "{err}"
    );
    assert!(
        std::env::var("HCLUST_REQUIRE_GPU").is_err(),
        "HCLUST_REQUIRE_GPU is set: {err}"
    );
    eprintln!("skipped: no GPU adapter");
    true
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn ward_on_the_tutorial_prints_z_as_csv() {
    let out = stdout_of(
        hclust()
            .args(["linkage", "--method", "ward"])
            .arg(tutorial()),
    );
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 149);
    assert!(lines[0].starts_with("52,53,0.0415"), "{}", lines[0]);
    assert!(lines[148].starts_with("296,297,180.27"), "{}", lines[148]);
}

#[test]
fn npy_and_json_outputs_hold_the_same_z() {
    let dir = TempDir::new().unwrap();
    let npy = dir.path().join("z.npy");
    let json = dir.path().join("z.json");
    let csv = dir.path().join("z.csv");
    for out in [&npy, &json, &csv] {
        hclust()
            .args(["linkage", "--method", "average", "--metric", "cityblock"])
            .arg(tutorial())
            .arg("-o")
            .arg(out)
            .assert()
            .success();
    }
    let z: ndarray::Array2<f64> = ndarray_npy::read_npy(&npy).unwrap();
    assert_eq!(z.dim(), (149, 4));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["method"], "average");
    assert_eq!(doc["metric"], "cityblock");
    assert_eq!(doc["n"], 150);
    let rows = doc["Z"].as_array().unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    for (i, line) in text.lines().enumerate() {
        let from_csv: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        let from_json: Vec<f64> = rows[i]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(from_csv, z.row(i).to_vec(), "row {i}: csv vs npy");
        assert_eq!(from_json, z.row(i).to_vec(), "row {i}: json vs npy");
    }
}

#[test]
fn condensed_input_and_npy_input() {
    let dir = TempDir::new().unwrap();
    let y = write(&dir, "y.csv", "1\n2\n3\n");
    hclust()
        .args(["linkage", "--condensed", "--method", "complete"])
        .arg(&y)
        .assert()
        .success()
        .stdout("0,1,1,2\n2,3,3,3\n");
    let x = dir.path().join("x.npy");
    ndarray_npy::write_npy(&x, &ndarray::array![[0.0f32], [1.0], [3.0]]).unwrap();
    hclust()
        .args(["linkage", "--method", "single"])
        .arg(&x)
        .assert()
        .success()
        .stdout("0,1,1,2\n2,3,2,3\n");
}

/// Runs `hclust linkage ARGS FILE` on a file holding `text` and checks that
/// it fails with a message containing every needle.
fn fails_with(name: &str, text: &str, args: &[&str], needles: &[&str]) {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, name, text);
    let mut pred = predicate::str::contains("error:").boxed();
    for n in needles {
        pred = pred.and(predicate::str::contains(*n)).boxed();
    }
    hclust()
        .arg("linkage")
        .args(args)
        .arg(&p)
        .assert()
        .failure()
        .stderr(pred);
}

#[test]
fn nan_names_file_line_and_column() {
    fails_with(
        "x.csv",
        "a,b\n1,2\n3,nan\n",
        &[],
        &["x.csv", "line 3, column 2", "not finite"],
    );
    fails_with(
        "x.csv",
        "1,2\ninf,2\n",
        &[],
        &["line 2, column 1", "not finite"],
    );
}

#[test]
fn ragged_csv_names_the_line() {
    fails_with(
        "x.csv",
        "1,2\n3,4\n5,6,7\n",
        &[],
        &["x.csv", "line 3", "3 values but line 1 has 2"],
    );
}

#[test]
fn text_in_the_data_names_the_value() {
    fails_with(
        "x.csv",
        "1,2\n3,four\n",
        &[],
        &["line 2, column 2", "'four' is not a number"],
    );
}

#[test]
fn one_observation_is_too_few() {
    fails_with("x.csv", "1,2\n", &[], &["1 observation", "at least 2"]);
}

#[test]
fn condensed_length_must_be_triangular() {
    fails_with(
        "y.csv",
        "1\n2\n3\n4\n",
        &["--condensed"],
        &["length 4", "n(n-1)/2"],
    );
}

#[test]
fn negative_condensed_distance_is_refused() {
    fails_with(
        "y.csv",
        "1\n-2\n3\n",
        &["--condensed"],
        &["negative distance -2", "observations 0 and 2"],
    );
}

#[test]
fn ward_needs_euclidean() {
    fails_with(
        "x.csv",
        "1,2\n3,4\n5,7\n",
        &["--method", "ward", "--metric", "cosine"],
        &["'ward' requires the euclidean metric", "'cosine'"],
    );
}

#[test]
fn unknown_method_lists_the_valid_ones() {
    fails_with(
        "x.csv",
        "1,2\n3,4\n",
        &["--method", "wards"],
        &[
            "unknown linkage method 'wards'",
            "single, complete, average, weighted, centroid, median, ward",
        ],
    );
}

#[test]
fn unknown_metric_lists_the_valid_ones() {
    fails_with(
        "x.csv",
        "1,2\n3,4\n",
        &["--metric", "euclidian"],
        &["unknown metric 'euclidian'", "braycurtis", "yule"],
    );
}

#[test]
fn missing_file_is_named() {
    hclust()
        .args(["linkage", "no/such/file.csv"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no/such/file.csv"));
}

#[test]
fn unknown_output_extension_is_refused() {
    let dir = TempDir::new().unwrap();
    hclust()
        .arg("linkage")
        .arg(tutorial())
        .arg("-o")
        .arg(dir.path().join("z.xlsx"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("z.xlsx").and(predicate::str::contains(".csv, .npy or .json")),
        );
}

#[test]
fn parameter_for_another_metric_is_refused() {
    fails_with(
        "x.csv",
        "1,2\n3,4\n",
        &["--p", "3"],
        &["--p", "does not apply to metric 'euclidean'"],
    );
}

#[test]
fn minkowski_p_is_used() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "x.csv", "0,0\n3,4\n");
    hclust()
        .args(["linkage", "--metric", "minkowski", "--p", "1"])
        .arg(&p)
        .assert()
        .success()
        .stdout("0,1,7,2\n");
}

#[test]
fn square_distance_matrix_as_observations_warns() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "d.csv", "0,1,2\n1,0,3\n2,3,0\n");
    hclust()
        .arg("linkage")
        .arg(&p)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "looks like an uncondensed distance matrix",
        ));
}

#[test]
fn info_lists_cpu_and_gpu() {
    hclust()
        .arg("info")
        .assert()
        .success()
        .stdout(predicate::str::contains("cpu:").and(predicate::str::contains("gpu:")));
}

#[test]
fn gpu_backend_gives_the_cpu_z_or_says_how_to_get_an_adapter() {
    let cpu = stdout_of(
        hclust()
            .args(["linkage", "--method", "average"])
            .arg(tutorial()),
    );
    let out = hclust()
        .args(["linkage", "--method", "average", "--backend", "gpu"])
        .arg(tutorial())
        .output()
        .unwrap();
    if skipped_without_an_adapter(&out) {
        return;
    }
    // What the adapter promises: f64 heights to 1e-12 where it has
    // SHADER_F64, the README's f32 tolerance (1e-5 relative) where it has
    // not (Mesa's GL adapter, Apple's Metal), and the CLI says which.
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let tolerance = if stderr.contains("f32") { 1e-5 } else { 1e-12 };
    let (c, g) = (z_rows(&cpu), z_rows(&out.stdout));
    assert_eq!(c.len(), g.len());
    for (i, (a, b)) in c.iter().zip(&g).enumerate() {
        assert_eq!((a[0], a[1], a[3]), (b[0], b[1], b[3]), "row {i}");
        assert!(
            (a[2] - b[2]).abs() <= tolerance * a[2].abs().max(1.0),
            "row {i}: {} vs {}",
            a[2],
            b[2]
        );
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("backend: gpu"));

    // Single linkage without the matrix runs on the GPU too (the same Z to
    // the bit); ward without the matrix says it runs on the CPU.
    let cpu_single = stdout_of(
        hclust()
            .args(["linkage", "--method", "single"])
            .arg(tutorial()),
    );
    let gpu_single = hclust()
        .args([
            "linkage",
            "--method",
            "single",
            "--memory",
            "low",
            "--backend",
            "gpu",
        ])
        .arg(tutorial())
        .assert()
        .success()
        .stderr(predicate::str::contains("backend: gpu"))
        .get_output()
        .stdout
        .clone();
    if tolerance == 1e-12 {
        assert_eq!(gpu_single, cpu_single);
    } else {
        let (c, g) = (z_rows(&cpu_single), z_rows(&gpu_single));
        for (i, (a, b)) in c.iter().zip(&g).enumerate() {
            assert_eq!((a[0], a[1], a[3]), (b[0], b[1], b[3]), "single row {i}");
            assert!((a[2] - b[2]).abs() <= tolerance * a[2].abs().max(1.0));
        }
    }
    hclust()
        .args([
            "linkage",
            "--method",
            "ward",
            "--memory",
            "low",
            "--backend",
            "gpu",
        ])
        .arg(tutorial())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "ward without the distance matrix runs on the CPU",
        ));
    // When the matrix would not fit, the GPU backend does without it too.
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "1000")
        .args(["linkage", "--method", "centroid", "--backend", "gpu"])
        .arg(tutorial())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "centroid was computed on cluster centroids on the CPU",
        ));
}

#[test]
fn a_matrix_too_large_for_memory_is_refused_at_once() {
    let dir = TempDir::new().unwrap();
    let p = write(
        &dir,
        "x.csv",
        &(0..2000)
            .map(|i| format!("{i},{}\n", i * i))
            .collect::<String>(),
    );
    // 2000 points need 2000*1999/2*8 = 16 MB of distances; pretend 1 MB is free
    let start = std::time::Instant::now();
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "1000000")
        .args(["linkage", "--method", "average"])
        .arg(&p)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("needs 16.0 MB but only 1.0 MB")
                .and(predicate::str::contains("--precision f32"))
                .and(predicate::str::contains("--memory low")),
        );
    assert!(start.elapsed().as_secs() < 5);
    // single linkage on observations needs no matrix, so it still runs
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "1000000")
        .args(["linkage", "--method", "single"])
        .arg(&p)
        .assert()
        .success();
}

#[test]
fn f32_storage_fits_where_f64_does_not() {
    let dir = TempDir::new().unwrap();
    let x = hclust::datasets::blobs(2000, 4, 5);
    let p = write(
        &dir,
        "x.csv",
        &x.rows()
            .into_iter()
            .map(|r| format!("{},{},{},{}\n", r[0], r[1], r[2], r[3]))
            .collect::<String>(),
    );
    // f64 needs 16.0 MB, f32 8.0 MB: pretend 12 MB is free
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "12000000")
        .args(["linkage", "--method", "average"])
        .arg(&p)
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs 16.0 MB"));
    let out = |extra: &[&str], limit: &str| -> Vec<Vec<f64>> {
        let o = stdout_of(
            hclust()
                .env("HCLUST_MEMORY_LIMIT", limit)
                .args(["linkage", "--method", "average"])
                .args(extra)
                .arg(&p),
        );
        z_rows(&o)
    };
    // below even the f32 need, the message no longer offers f32
    hclust()
        .env("HCLUST_MEMORY_LIMIT", "4000000")
        .args(["linkage", "--method", "average", "--precision", "f32"])
        .arg(&p)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("needs 8.0 MB")
                .and(predicate::str::contains("--precision f32").not()),
        );
    let narrow = out(&["--precision", "f32"], "12000000");
    let wide = out(&[], "100000000");
    assert_eq!(narrow.len(), wide.len());
    for (a, b) in narrow.iter().zip(&wide) {
        assert_eq!((a[0], a[1], a[3]), (b[0], b[1], b[3]));
        assert!(
            (a[2] - b[2]).abs() <= 1e-6 * b[2].max(1.0),
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn bench_prints_a_table() {
    hclust()
        .args([
            "bench",
            "--n",
            "120",
            "--methods",
            "average",
            "--gpu",
            "false",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| 120 | 32 | linkage average | cpu |",
        ));
}

#[test]
fn ward_without_the_matrix_by_choice_and_when_memory_is_short() {
    let matrix_path = stdout_of(
        hclust()
            .args(["linkage", "--method", "ward"])
            .arg(tutorial()),
    );
    let low = stdout_of(
        hclust()
            .args(["linkage", "--method", "ward", "--memory", "low"])
            .arg(tutorial()),
    );
    let auto_short = hclust()
        .env("HCLUST_MEMORY_LIMIT", "1000")
        .args(["linkage", "--method", "ward"])
        .arg(tutorial())
        .assert()
        .success()
        .stderr(predicate::str::contains("on cluster centroids"))
        .get_output()
        .stdout
        .clone();
    let ids = |b: &[u8]| -> Vec<(f64, f64, f64)> {
        z_rows(b).iter().map(|r| (r[0], r[1], r[3])).collect()
    };
    assert_eq!(ids(&low), ids(&matrix_path));
    assert_eq!(ids(&auto_short), ids(&matrix_path));
    fails_with(
        "x.csv",
        "1,2\n3,4\n5,7\n",
        &["--method", "average", "--memory", "low"],
        &["--memory low", "average needs the distance matrix"],
    );
}

#[test]
fn info_marks_the_adapter_it_would_use() {
    let out = stdout_of(hclust().arg("info"));
    let out = String::from_utf8_lossy(&out);
    let adapters = out
        .lines()
        .filter(|l| l.starts_with("gpu: ") && l.contains(" f64 "))
        .count();
    let used = out.matches("(used)").count();
    assert_eq!(used, usize::from(adapters > 0), "{out}");
    // With a Vulkan driver beside Mesa's GL, the Vulkan one is used.
    if let Some(line) = out.lines().find(|l| l.contains("(used)")) {
        if out.contains("[Vulkan") {
            assert!(line.contains("[Vulkan"), "{out}");
        }
    }
}

#[test]
fn stats_say_what_the_run_did_on_the_device() {
    hclust()
        .args(["linkage", "--method", "ward", "--stats"])
        .arg(tutorial())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "device: none (the run was on the CPU)",
        ));
    let out = hclust()
        .args(["linkage", "--method", "ward", "--backend", "gpu", "--stats"])
        .arg(tutorial())
        .output()
        .unwrap();
    if skipped_without_an_adapter(&out) {
        return;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("device: rounds "))
        .unwrap_or_else(|| panic!("no device line: {err}"));
    for part in ["rows reduced", "up ", "down ", "dispatches", "submissions"] {
        assert!(line.contains(part), "{line}");
    }
}

#[test]
fn bench_writes_its_rows_as_json() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bench.json");
    hclust()
        .args([
            "bench",
            "--n",
            "100",
            "--methods",
            "ward",
            "--gpu",
            "false",
            "--json",
        ])
        .arg(&path)
        .assert()
        .success();
    let rows: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1]["what"], "linkage ward");
    assert_eq!(rows[1]["n"], 100);
    assert!(rows[1]["seconds"].as_f64().unwrap() >= 0.0);
    assert!(
        rows[1]["device"].is_null(),
        "a CPU run has no device counts"
    );
}

#[test]
fn single_linkage_on_an_f32_gpu_without_room_for_the_exact_matrix_is_the_cpus() {
    let cpu = stdout_of(
        hclust()
            .args(["linkage", "--method", "single"])
            .arg(tutorial()),
    );
    // 150 points: the exact matrix needs 89 kB, more than the limit; exact
    // Prim in f32 needs none.
    let out = hclust()
        .env("HCLUST_MEMORY_LIMIT", "50000")
        .args([
            "linkage",
            "--method",
            "single",
            "--backend",
            "gpu",
            "--precision",
            "f32",
            "-v",
        ])
        .arg(tutorial())
        .output()
        .unwrap();
    if skipped_without_an_adapter(&out) {
        return;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.stdout, cpu, "the CPU's Z, to the bit");
    assert!(!err.contains("ran on the CPU"), "{err}");
    assert!(
        err.contains("algorithm: Prim's algorithm on the GPU"),
        "{err}"
    );
}
