//! Principal components for the scatter plot: centre the data, form the
//! m x m covariance, diagonalise it with cyclic Jacobi rotations.
//!
//! ```text
//! C = (X - mean)^T (X - mean) / (n - 1)       (m x m, symmetric)
//! C = V diag(lambda) V^T                      (Jacobi: rotate away off-diagonals)
//! scores = (X - mean) V[:, :k]                explained_k = lambda_k / trace(C)
//! ```
//! Jacobi costs O(m^3) per sweep and converges in under about 10 sweeps:
//! fine for m up to a few hundred.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{Error, Result};

/// The first principal components of a data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// n x k: each observation's coordinates along the components.
    pub scores: Array2<f64>,
    /// k x m: the unit components, by decreasing variance. The sign of each
    /// is fixed so that its largest-magnitude entry is positive.
    pub components: Array2<f64>,
    /// The variance along each component (the covariance's eigenvalues).
    pub variance: Vec<f64>,
    /// Each component's share of the total variance, in [0, 1] (0 when the
    /// data have no variance at all).
    pub explained: Vec<f64>,
}

/// The first `k` principal components of the rows of `x` (n x m), with
/// covariance normalised by n - 1 (by 1 when n = 1). k is capped at m.
///
/// # Errors
/// [`Error::InvalidArgument`] naming `x` when it has no columns or no
/// rows, or holds a value that is not finite.
pub fn principal_components(x: ArrayView2<f64>, k: usize) -> Result<Pca> {
    let (n, m) = x.dim();
    if n == 0 || m == 0 {
        return Err(Error::invalid_argument(
            "x",
            format!("PCA needs at least one row and one column, got {n} x {m}"),
        ));
    }
    if let Some(((i, j), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid_argument(
            "x",
            format!("non-finite value {v} at row {i}, column {j}"),
        ));
    }
    let mean: Array1<f64> = x.mean_axis(Axis(0)).expect("n > 0");
    let centred = &x - &mean;
    let cov = centred.t().dot(&centred) / (n.max(2) - 1) as f64;
    let (values, vectors) = jacobi_eigen(cov);
    let trace: f64 = values.iter().sum();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let k = k.min(m);
    let mut components = Array2::zeros((k, m));
    for (r, &c) in order.iter().take(k).enumerate() {
        let v = vectors.column(c);
        let big = v
            .iter()
            .fold(0.0f64, |b, &e| if e.abs() > b.abs() { e } else { b });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        components.row_mut(r).assign(&v.mapv(|e| e * sign));
    }
    let variance: Vec<f64> = order.iter().take(k).map(|&c| values[c].max(0.0)).collect();
    let explained = variance
        .iter()
        .map(|&v| if trace > 0.0 { v / trace } else { 0.0 })
        .collect();
    Ok(Pca {
        scores: centred.dot(&components.t()),
        components,
        variance,
        explained,
    })
}

/// The eigenvalues and eigenvectors (columns) of a symmetric matrix, by
/// cyclic Jacobi rotations until the off-diagonal part is negligible.
fn jacobi_eigen(mut a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let m = a.nrows();
    let mut v = Array2::<f64>::eye(m);
    let scale: f64 = a.iter().map(|e| e * e).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|p| (p + 1..m).map(move |q| (p, q)))
            .map(|(p, q)| a[[p, q]] * a[[p, q]])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || off == 0.0 {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                let apq = a[[p, q]];
                if apq.abs() <= f64::MIN_POSITIVE {
                    continue;
                }
                // the rotation that zeroes a[p][q] (Golub & Van Loan 8.5.2)
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..m {
                    let (arp, arq) = (a[[r, p]], a[[r, q]]);
                    a[[r, p]] = c * arp - s * arq;
                    a[[r, q]] = s * arp + c * arq;
                }
                for r in 0..m {
                    let (apr, aqr) = (a[[p, r]], a[[q, r]]);
                    a[[p, r]] = c * apr - s * aqr;
                    a[[q, r]] = s * apr + c * aqr;
                }
                for r in 0..m {
                    let (vrp, vrq) = (v[[r, p]], v[[r, q]]);
                    v[[r, p]] = c * vrp - s * vrq;
                    v[[r, q]] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..m).map(|i| a[[i, i]]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn jacobi_diagonalises() {
        let a = array![[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]];
        let (values, v) = jacobi_eigen(a.clone());
        let back = v.dot(&Array2::from_diag(&Array1::from(values))).dot(&v.t());
        for (x, y) in back.iter().zip(a.iter()) {
            assert!((x - y).abs() < 1e-12, "{back} vs {a}");
        }
        let vtv = v.t().dot(&v);
        for ((i, j), e) in vtv.indexed_iter() {
            assert!((e - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
        }
    }

    #[test]
    fn axis_aligned_variance_is_found() {
        // columns with variances 9, 1 and 0 (x2 constant), uncorrelated
        let x = array![
            [3.0, 1.0, 7.0],
            [-3.0, 1.0, 7.0],
            [3.0, -1.0, 7.0],
            [-3.0, -1.0, 7.0]
        ];
        let pca = principal_components(x.view(), 2).unwrap();
        assert!((pca.variance[0] - 12.0).abs() < 1e-12, "{:?}", pca.variance);
        assert!((pca.variance[1] - 4.0 / 3.0).abs() < 1e-12);
        assert!((pca.explained[0] - 0.9).abs() < 1e-12);
        assert_eq!(pca.components.row(0).to_vec(), vec![1.0, 0.0, 0.0]);
        assert_eq!(pca.scores.column(0).to_vec(), vec![3.0, -3.0, 3.0, -3.0]);
    }

    #[test]
    fn bad_input_is_named() {
        let x = Array2::<f64>::zeros((0, 3));
        assert!(principal_components(x.view(), 2).is_err());
        let x = array![[1.0, f64::NAN]];
        let err = principal_components(x.view(), 2).unwrap_err().to_string();
        assert!(err.contains("row 0, column 1"), "{err}");
    }
}
