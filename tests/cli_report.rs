//! `hclust demo`, `hclust report` and dendrogram pictures from the command
//! line; the report page opened in headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn hclust() -> Command {
    Command::cargo_bin("hclust").unwrap()
}

fn tutorial() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/tutorial.csv")
}

#[test]
fn demo_reproduces_the_tutorials_figures() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("demo");
    let text = String::from_utf8(
        hclust()
            .arg("demo")
            .arg("-o")
            .arg(&out)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    for want in [
        "first merge: 52 and 53 at 0.0415",
        "last four heights: 180.3, 23.1, 17.1, 15.1",
        "cophenetic correlation: 0.980",
        "clusters (cut at max_d = 50): 2",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 4, "four inline pictures");
    // self-contained: no scripts, nothing fetched (xmlns names are not fetched)
    assert!(!html.contains("<script"));
    for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(fetch), "the page fetches {fetch}");
    }
    let clusters = std::fs::read_to_string(out.join("clusters.csv")).unwrap();
    assert_eq!(clusters.lines().count(), 151);
    assert!(clusters.starts_with("index,label,cluster\n"));
    let png = std::fs::read(out.join("dendrogram.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn report_on_a_file_with_k_and_the_five_cluster_demo() {
    let dir = TempDir::new().unwrap();
    hclust()
        .arg("report")
        .arg(tutorial())
        .args(["--k", "3", "--quiet", "-o"])
        .arg(dir.path().join("r"))
        .assert()
        .success()
        .stdout(predicate::str::contains("clusters (cut into at most 3): 3"));
    hclust()
        .args(["demo", "--five", "-o"])
        .arg(dir.path().join("five"))
        .assert()
        .success()
        .stdout(predicate::str::contains("as the elbow suggests"));
    hclust()
        .arg("report")
        .arg(tutorial())
        .args(["--k", "3", "--max-d", "4"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn report_takes_the_backend_and_precision_of_linkage() {
    let dir = TempDir::new().unwrap();
    let run = |extra: &[&str], out: &str| {
        let o = hclust()
            .arg("report")
            .arg(tutorial())
            .args(["--quiet", "--max-d", "50"])
            .args(extra)
            .arg("-o")
            .arg(dir.path().join(out))
            .assert()
            .success()
            .get_output()
            .clone();
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (plain, _) = run(&[], "plain");
    // auto on 150 observations stays on the CPU and says why
    let (auto, why) = run(&["--backend", "auto"], "auto");
    assert!(why.contains("backend: cpu: 150 observations"), "{why}");
    assert_eq!(
        auto.replace(&*dir.path().join("auto").to_string_lossy(), ""),
        plain.replace(&*dir.path().join("plain").to_string_lossy(), "")
    );
    // f32 storage gives the tutorial's figures too
    let (narrow, _) = run(&["--precision", "f32"], "f32");
    for want in [
        "first merge: 52 and 53 at 0.0415",
        "cophenetic correlation: 0.980",
        "clusters (cut at max_d = 50): 2",
    ] {
        assert!(narrow.contains(want), "missing {want:?} in\n{narrow}");
    }
}

#[test]
fn dendrogram_pictures_by_extension() {
    let dir = TempDir::new().unwrap();
    let z = dir.path().join("z.json");
    hclust()
        .args(["linkage", "--method", "ward"])
        .arg(tutorial())
        .arg("-o")
        .arg(&z)
        .assert()
        .success();
    let svg = dir.path().join("d.svg");
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .args(["--max-d", "50", "-o"])
        .arg(&svg)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(text.matches("class=\"link\"").count(), 149);
    assert!(text.contains("cut-line"));
    hclust()
        .arg("dendrogram")
        .arg(&z)
        .assert()
        .failure()
        .stderr(predicate::str::contains("-o OUT.svg or OUT.png"));
}

/// Chromium, if installed (CI installs it and sets HCLUST_REQUIRE_CHROMIUM=1).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            Process::new("which")
                .arg(name)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim().to_string()))
        });
    if found.is_none() {
        assert!(
            std::env::var("HCLUST_REQUIRE_CHROMIUM").is_err(),
            "HCLUST_REQUIRE_CHROMIUM is set but no chromium is installed"
        );
        eprintln!("skipped: chromium is not installed");
    }
    found
}

#[test]
fn report_page_loads_in_headless_chromium_without_errors() {
    let Some(chrome) = chromium() else { return };
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("demo");
    hclust().arg("demo").arg("-o").arg(&out).assert().success();
    let page = format!("file://{}", out.join("report.html").display());
    let profile = dir.path().join("profile");
    let shot = dir.path().join("shot.png");
    let run = |extra: &[&str]| {
        Process::new(&chrome)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&page)
            .output()
            .unwrap()
    };
    let dom = run(&["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(
        dom_text.matches("<svg").count(),
        4,
        "the four pictures are in the DOM"
    );
    let log = String::from_utf8_lossy(&dom.stderr);
    for bad in [
        "Uncaught",
        "Failed to load resource",
        "CONSOLE(",
        "ERR_FILE_NOT_FOUND",
    ] {
        assert!(!log.contains(bad), "console error {bad:?} in:\n{log}");
    }
    let shot_arg = format!("--screenshot={}", shot.display());
    let s = run(&[&shot_arg, "--window-size=1200,2400"]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.len() > 20_000,
        "the screenshot is nearly empty ({} bytes)",
        png.len()
    );
    if let Ok(keep) = std::env::var("HCLUST_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&keep).join("report.png")).unwrap();
    }
}
