//! Shared helpers for the integration tests: reading the scipy fixtures and
//! comparing linkage matrices.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ndarray::Array2;
use serde_json::Value;

/// The fixtures folder.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture files (*.json) in `dir`, sorted by name.
///
/// # Panics
/// When there is none (the fixtures were not generated).
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no scipy fixtures (*.json) in {}: run tests/fixtures/generate.py",
        dir.display()
    );
    files
}

/// The names (file stems) of the fixtures in tests/fixtures/`folder`,
/// sorted; `read_json(&format!("{folder}/{name}.json"))` reads one.
pub fn fixture_names(folder: &str) -> Vec<String> {
    json_files(&fixtures_dir().join(folder))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Parses a JSON file of the fixtures folder.
pub fn read_json(rel: &str) -> Value {
    let path = fixtures_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A JSON list of lists of numbers as a matrix.
pub fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    let m = rows.first().map_or(0, |r| r.len());
    Array2::from_shape_vec((rows.len(), m), rows.concat()).unwrap()
}

/// A JSON list of numbers as a vector.
pub fn vector(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Checks that two linkage matrices have identical id and count columns and
/// heights within `rel` relative (absolute for heights below 1), and says
/// where they first differ.
pub fn assert_same_linkage(ours: &Array2<f64>, theirs: &Array2<f64>, rel: f64, what: &str) {
    assert_eq!(ours.dim(), theirs.dim(), "{what}: shape");
    for i in 0..ours.nrows() {
        let (a, b) = (ours.row(i), theirs.row(i));
        let ids_ok = a[0] == b[0] && a[1] == b[1] && a[3] == b[3];
        let tol = rel * b[2].abs().max(1.0);
        let h_ok = (a[2] - b[2]).abs() <= tol;
        assert!(
            ids_ok && h_ok,
            "{what}: row {i} differs: ours {:?}, scipy {:?}",
            a.to_vec(),
            b.to_vec()
        );
    }
}

/// The linkage fixtures on observations whose distances are all distinct:
/// there Z is unique.
pub const TIE_FREE_OBSERVATIONS: [&str; 6] = [
    "tutorial2",
    "tutorial5",
    "random_d1",
    "random_d2",
    "random_d10",
    "random_d100",
];

/// Deterministic pseudo-random numbers (a 64-bit LCG with Knuth's MMIX
/// constants): the same test data on every machine, without a fixture.
pub struct Lcg(pub u64);

impl Lcg {
    /// A uniform f64 in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An n x m matrix of `f(uniform())`.
    pub fn matrix(&mut self, n: usize, m: usize, f: impl Fn(f64) -> f64) -> Array2<f64> {
        Array2::from_shape_fn((n, m), |_| f(self.uniform()))
    }
}
