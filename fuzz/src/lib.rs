//! What every fuzz target asserts of a reader's answer: an error whose
//! message a terminal prints faithfully (no raw control characters), or a
//! value that is valid for what was read.

use ndarray::Array2;

/// The name the targets give their input in messages.
pub const NAME: &str = "fuzz.in";

/// An error's message holds no control characters (they are escaped).
pub fn printable(e: &hclust::Error) {
    let m = e.to_string();
    assert!(!m.chars().any(char::is_control), "{m:?}");
}

/// Observations: finite, in standard layout.
pub fn matrix(r: hclust::Result<Array2<f64>>) {
    match r {
        Ok(m) => {
            assert!(m.iter().all(|v| v.is_finite()), "{m:?}");
            assert!(m.is_standard_layout());
        }
        Err(e) => printable(&e),
    }
}

/// A condensed vector: finite.
pub fn vector(r: hclust::Result<Vec<f64>>) {
    match r {
        Ok(v) => assert!(v.iter().all(|x| x.is_finite()), "{v:?}"),
        Err(e) => printable(&e),
    }
}

/// Z: at least one row of four finite values, and valid by hclust's own
/// check.
pub fn linkage(r: hclust::Result<Array2<f64>>) {
    match r {
        Ok(z) => {
            assert!(z.ncols() == 4 && z.nrows() >= 1, "{z:?}");
            assert!(z.iter().all(|v| v.is_finite()), "{z:?}");
            hclust::linkage::check_linkage(z.view()).unwrap();
        }
        Err(e) => printable(&e),
    }
}
