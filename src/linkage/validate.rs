//! Checks on a linkage matrix Z: `is_valid_linkage`, `is_monotonic`,
//! `num_obs_linkage`.

use ndarray::ArrayView2;

use crate::error::{Error, Result};

/// Checks that Z is a valid linkage matrix and says why not.
///
/// The checks are scipy's (4 columns, at least one row, no negative index,
/// distance or count, no cluster used before it is formed or used twice)
/// plus: every value finite, ids whole numbers, and each count equal to the
/// sum of its children's counts.
///
/// # Errors
/// [`Error::InvalidLinkage`] naming the first row (0-based) at fault.
pub fn check_linkage(z: ArrayView2<f64>) -> Result<()> {
    check(z, true)
}

/// [`check_linkage`] without the counts: for the functions that never read
/// them (maxdists, maxRstat, maxinconsts), which scipy runs whatever the
/// counts say.
///
/// # Errors
/// As [`check_linkage`], counts aside.
pub fn check_linkage_structure(z: ArrayView2<f64>) -> Result<()> {
    check(z, false)
}

fn check(z: ArrayView2<f64>, counts: bool) -> Result<()> {
    let bad = |reason: String| Err(Error::InvalidLinkage { reason });
    if z.ncols() != 4 {
        return bad(format!(
            "it has {} columns; a linkage matrix has 4",
            z.ncols()
        ));
    }
    let rows = z.nrows();
    if rows == 0 {
        return bad("it has no rows; a linkage needs at least two observations".into());
    }
    let n = rows + 1;
    let mut used = vec![false; 2 * n - 1];
    let mut count = vec![1usize; 2 * n - 1];
    for i in 0..rows {
        let r = z.row(i);
        if let Some(c) = (0..4).find(|&c| !r[c].is_finite()) {
            return bad(format!(
                "row {i}, column {c} is {}, not a finite number",
                r[c]
            ));
        }
        for c in 0..2 {
            let id = r[c];
            if id < 0.0 {
                return bad(format!("row {i} has a negative cluster index {id}"));
            }
            if id.fract() != 0.0 {
                return bad(format!(
                    "row {i} has cluster index {id}, not a whole number"
                ));
            }
            if id as usize >= n + i {
                return bad(format!(
                    "row {i} uses cluster {id} before it is formed (row {i} may only use ids below {})",
                    n + i
                ));
            }
            if std::mem::replace(&mut used[id as usize], true) {
                return bad(format!(
                    "row {i} uses cluster {id}, which an earlier row already merged"
                ));
            }
        }
        if r[0] == r[1] {
            return bad(format!("row {i} merges cluster {} with itself", r[0]));
        }
        if r[2] < 0.0 {
            return bad(format!("row {i} has a negative distance {}", r[2]));
        }
        let expected = count[r[0] as usize] + count[r[1] as usize];
        if counts && r[3] != expected as f64 {
            return bad(format!(
                "row {i} has count {} but its clusters {} and {} hold {expected} observations",
                r[3], r[0], r[1]
            ));
        }
        count[n + i] = expected;
    }
    Ok(())
}

/// Whether Z is a valid linkage matrix (see [`check_linkage`] for why not).
pub fn is_valid_linkage(z: ArrayView2<f64>) -> bool {
    check_linkage(z).is_ok()
}

/// Whether the merge heights never decrease (scipy's `is_monotonic`).
pub fn is_monotonic(z: ArrayView2<f64>) -> bool {
    z.column(2).windows(2).into_iter().all(|w| w[1] >= w[0])
}

/// The number of observations of a valid linkage matrix: rows + 1.
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn num_obs_linkage(z: ArrayView2<f64>) -> Result<usize> {
    check_linkage(z)?;
    Ok(z.nrows() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn accepts_scipy_output() {
        let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]];
        check_linkage(z.view()).unwrap();
        assert!(is_monotonic(z.view()));
        assert_eq!(num_obs_linkage(z.view()).unwrap(), 3);
    }

    #[test]
    fn names_each_problem() {
        let cases = [
            (array![[0.0, 1.0, 1.0]], "3 columns"),
            (array![[0.0, -1.0, 1.0, 2.0]], "negative cluster index"),
            (array![[0.0, 1.0, -1.0, 2.0]], "negative distance"),
            (array![[0.0, 1.0, 1.0, 3.0]], "hold 2 observations"),
            (array![[0.0, 2.0, 1.0, 2.0]], "before it is formed"),
            (array![[0.0, 1.5, 1.0, 2.0]], "not a whole number"),
            (array![[0.0, 1.0, f64::NAN, 2.0]], "not a finite number"),
        ];
        for (z, needle) in cases {
            let e = check_linkage(z.view()).unwrap_err().to_string();
            assert!(e.contains(needle), "{e} should mention {needle}");
        }
        let z = array![[0.0, 1.0, 1.0, 2.0], [0.0, 3.0, 2.0, 3.0]];
        let e = check_linkage(z.view()).unwrap_err().to_string();
        assert!(e.contains("row 1 uses cluster 0"), "{e}");
        let z = array![[0.0, 1.0, 2.0, 2.0], [2.0, 3.0, 1.0, 3.0]];
        assert!(!is_monotonic(z.view()));
    }
}
