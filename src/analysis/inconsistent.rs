//! The inconsistency statistics of each link and their subtree maxima
//! (scipy's `inconsistent`, `maxdists`, `maxinconsts`, `maxRstat`).

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};
use crate::linkage::{check_linkage, check_linkage_structure};

/// For each link i, over the links up to `depth` levels below it (itself
/// included): the mean height, the standard deviation (n-1 denominator),
/// the number of links, and the inconsistency coefficient
/// `(Z[i,2] - mean) / std` (0 when std is 0). scipy's `inconsistent(Z, d)`.
///
/// The heights are summed in scipy's order (post-order, left first), so the
/// results agree to the last bit. Depth 0 behaves like depth 1, as in scipy;
/// a depth beyond the tree's height means the whole tree (the walk's
/// memory is bounded by n, whatever the depth asked for).
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn inconsistent(z: ArrayView2<f64>, depth: usize) -> Result<Array2<f64>> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    let mut r = Array2::zeros((n - 1, 4));
    // (row, children pushed so far) for the walk below each link.
    let mut stack: Vec<(usize, u8)> = Vec::with_capacity(depth.clamp(1, n));
    for i in 0..n - 1 {
        let (mut count, mut sum, mut sum_sq) = (0usize, 0.0f64, 0.0f64);
        stack.clear();
        stack.push((i, 0));
        while let Some(&(row, state)) = stack.last() {
            if stack.len() < depth && state < 2 {
                let last = stack.len() - 1;
                stack[last].1 += 1;
                let child = z[[row, state as usize]] as usize;
                if child >= n {
                    stack.push((child - n, 0));
                }
                continue;
            }
            let h = z[[row, 2]];
            count += 1;
            sum += h;
            sum_sq += h * h;
            stack.pop();
        }
        let c = count as f64;
        let mean = sum / c;
        let var = if count < 2 {
            (sum_sq - sum * sum) / c
        } else {
            (sum_sq - (sum * sum) / c) / (c - 1.0)
        };
        r[[i, 0]] = mean;
        r[[i, 2]] = c;
        if var > 0.0 {
            let std = var.sqrt();
            r[[i, 1]] = std;
            r[[i, 3]] = (z[[i, 2]] - mean) / std;
        }
    }
    Ok(r)
}

/// The largest value of `values[j]` over every link j in the subtree of each
/// link (itself included). Z must be valid; children always come before
/// their parents in Z, so one forward pass suffices.
fn subtree_max(z: ArrayView2<f64>, values: impl Fn(usize) -> f64) -> Vec<f64> {
    let n = z.nrows() + 1;
    let mut out: Vec<f64> = Vec::with_capacity(n - 1);
    for i in 0..n - 1 {
        let mut m = values(i);
        for c in 0..2 {
            let child = z[[i, c]] as usize;
            if child >= n && out[child - n] > m {
                m = out[child - n];
            }
        }
        out.push(m);
    }
    out
}

/// The largest merge height in each link's subtree (scipy's `maxdists`).
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn maxdists(z: ArrayView2<f64>) -> Result<Vec<f64>> {
    check_linkage_structure(z)?;
    Ok(subtree_max(z, |i| z[[i, 2]]))
}

/// The largest value of column `column` of the inconsistency matrix `r`
/// in each link's subtree (scipy's `maxRstat(Z, R, i)`).
///
/// # Errors
/// [`Error::InvalidLinkage`]; [`Error::InvalidArgument`] when `r` is not
/// (n-1) x 4 or `column` > 3.
pub fn max_rstat(z: ArrayView2<f64>, r: ArrayView2<f64>, column: usize) -> Result<Vec<f64>> {
    check_linkage_structure(z)?;
    if r.dim() != (z.nrows(), 4) {
        return Err(Error::invalid_argument(
            "R",
            format!(
                "the inconsistency matrix must be {} x 4 to match Z, it is {} x {}",
                z.nrows(),
                r.nrows(),
                r.ncols()
            ),
        ));
    }
    if column > 3 {
        return Err(Error::invalid_argument(
            "column",
            format!("{column}: must be 0, 1, 2 or 3"),
        ));
    }
    Ok(subtree_max(z, |i| r[[i, column]]))
}

/// The largest inconsistency coefficient in each link's subtree (scipy's
/// `maxinconsts`).
///
/// # Errors
/// As [`max_rstat`].
pub fn maxinconsts(z: ArrayView2<f64>, r: ArrayView2<f64>) -> Result<Vec<f64>> {
    max_rstat(z, r, 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_max_functions_ignore_the_counts_as_scipy_does() {
        // Counts that do not add up: scipy's maxdists and maxRstat never
        // read them; inconsistent (which does) refuses them.
        let z = array![[0.0, 1.0, 1.0, 7.0], [2.0, 3.0, 3.0, 1.0]];
        assert_eq!(maxdists(z.view()).unwrap(), vec![1.0, 3.0]);
        let r = array![[1.0, 0.0, 1.0, 0.0], [2.0, 1.0, 2.0, 0.5]];
        assert_eq!(max_rstat(z.view(), r.view(), 3).unwrap(), vec![0.0, 0.5]);
        assert!(inconsistent(z.view(), 2).is_err());
        // The structure still counts.
        let reused = array![[0.0, 1.0, 1.0, 2.0], [0.0, 3.0, 3.0, 3.0]];
        assert!(maxdists(reused.view()).is_err());
    }

    #[test]
    fn statistics_of_a_small_tree() {
        let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 3.0, 3.0]];
        let r = inconsistent(z.view(), 2).unwrap();
        assert_eq!(r.row(0).to_vec(), vec![1.0, 0.0, 1.0, 0.0]);
        // heights 1 and 3: mean 2, std sqrt(2), coefficient (3-2)/sqrt(2)
        assert_eq!(r[[1, 0]], 2.0);
        assert!((r[[1, 1]] - 2f64.sqrt()).abs() < 1e-15);
        assert!((r[[1, 3]] - 1.0 / 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(r[[1, 2]], 2.0);
        let r1 = inconsistent(z.view(), 1).unwrap();
        assert_eq!(r1[[1, 2]], 1.0);
        assert_eq!(maxdists(z.view()).unwrap(), vec![1.0, 3.0]);
        assert_eq!(maxinconsts(z.view(), r.view()).unwrap()[1], r[[1, 3]]);
    }

    #[test]
    fn a_depth_beyond_the_tree_is_the_whole_tree_without_allocating_it() {
        let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 3.0, 3.0]];
        let whole = inconsistent(z.view(), 2).unwrap();
        // These capacities would abort the process (or overflow) if the
        // walk allocated them.
        for depth in [1_000_000_000_000, usize::MAX / 2, usize::MAX] {
            assert_eq!(inconsistent(z.view(), depth).unwrap(), whole);
        }
        let via = crate::analysis::fcluster(
            z.view(),
            0.8,
            &crate::analysis::Criterion::Inconsistent {
                depth: 1_000_000_000_000,
            },
        );
        assert!(via.is_ok());
    }
}
