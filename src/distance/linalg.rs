//! The small amount of linear algebra the metrics need: numpy's column
//! variance and pairwise row sum, the sample covariance of `np.cov` and a
//! Gauss-Jordan matrix inverse.
//!
//! Sums run in the order numpy runs them, so that the derived parameters
//! match numpy's bit for bit where numpy does not call BLAS/LAPACK (the
//! variance and the row means), and to rounding where it does (covariance
//! and inverse).

use rayon::prelude::*;

/// Each column's variance with ddof = 1, as `np.var(X, axis=0, ddof=1)`:
/// the mean and the sum of squared deviations are summed row by row.
pub(crate) fn column_variances(x: &[f64], n: usize, m: usize) -> Vec<f64> {
    let mean = column_means(x, n, m);
    let mut ss = vec![0.0; m];
    for row in x.chunks_exact(m) {
        for ((s, &v), &mu) in ss.iter_mut().zip(row).zip(&mean) {
            let d = v - mu;
            *s += d * d;
        }
    }
    let div = (n - 1) as f64;
    ss.iter().map(|s| s / div).collect()
}

/// Each column's mean, summed row by row as numpy does along axis 0.
fn column_means(x: &[f64], n: usize, m: usize) -> Vec<f64> {
    let mut sum = vec![0.0; m];
    for row in x.chunks_exact(m) {
        for (s, &v) in sum.iter_mut().zip(row) {
            *s += v;
        }
    }
    sum.iter().map(|s| s / n as f64).collect()
}

/// numpy's pairwise summation (`np.add.reduce` along a contiguous axis):
/// 8 running sums over blocks of at most 128 values, halved recursively.
pub(crate) fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(0.0, |s, &v| s + v)
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let full = n - n % 8;
        for block in a[8..full].chunks_exact(8) {
            for (acc, &v) in r.iter_mut().zip(block) {
                *acc += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[full..] {
            res += v;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// The sample covariance of the columns (`np.cov(X.T)`, ddof = 1), m x m,
/// row-major and exactly symmetric.
pub(super) fn covariance(x: &[f64], n: usize, m: usize) -> Vec<f64> {
    let mean = column_means(x, n, m);
    let centred: Vec<f64> = x
        .chunks_exact(m)
        .flat_map(|row| row.iter().zip(&mean).map(|(v, mu)| v - mu))
        .collect();
    let scale = 1.0 / (n - 1) as f64;
    let mut cov = vec![0.0; m * m];
    cov.par_chunks_mut(m).enumerate().for_each(|(a, out)| {
        for row in centred.chunks_exact(m) {
            let xa = row[a];
            for (c, &xb) in out[a..].iter_mut().zip(&row[a..]) {
                *c += xa * xb;
            }
        }
        for c in &mut out[a..] {
            *c *= scale;
        }
    });
    for a in 0..m {
        for b in 0..a {
            cov[a * m + b] = cov[b * m + a];
        }
    }
    cov
}

/// Why a covariance matrix cannot be inverted.
#[derive(Debug, PartialEq)]
pub(super) enum Singular {
    /// This column has variance 0.
    ConstantColumn(usize),
    /// The columns are (numerically) linearly dependent.
    Dependent,
}

/// The inverse of a symmetric positive semi-definite matrix (m x m,
/// row-major) by Gauss-Jordan elimination with partial pivoting.
///
/// The matrix is first scaled to unit diagonal (a correlation matrix), so
/// that the singularity test, a pivot below `64 m eps`, does not depend on
/// the units of the features.
pub(super) fn invert_spd(c: &[f64], m: usize) -> Result<Vec<f64>, Singular> {
    let mut d = Vec::with_capacity(m);
    for k in 0..m {
        let v = c[k * m + k];
        if v <= 0.0 {
            return Err(Singular::ConstantColumn(k));
        }
        d.push(1.0 / v.sqrt());
    }
    let mut a: Vec<f64> = (0..m * m).map(|t| c[t] * d[t / m] * d[t % m]).collect();
    let mut inv = vec![0.0; m * m];
    for k in 0..m {
        inv[k * m + k] = 1.0;
    }
    let tol = 64.0 * m as f64 * f64::EPSILON;
    for col in 0..m {
        let p = (col..m)
            .max_by(|&r, &s| a[r * m + col].abs().total_cmp(&a[s * m + col].abs()))
            .unwrap_or(col);
        let pivot = a[p * m + col].abs();
        if pivot.is_nan() || pivot <= tol {
            return Err(Singular::Dependent);
        }
        if p != col {
            for k in 0..m {
                a.swap(p * m + k, col * m + k);
                inv.swap(p * m + k, col * m + k);
            }
        }
        let piv = a[col * m + col];
        for k in 0..m {
            a[col * m + k] /= piv;
            inv[col * m + k] /= piv;
        }
        let (prow, irow) = (
            a[col * m..(col + 1) * m].to_vec(),
            inv[col * m..(col + 1) * m].to_vec(),
        );
        for r in (0..m).filter(|&r| r != col) {
            let f = a[r * m + col];
            if f != 0.0 {
                for k in 0..m {
                    a[r * m + k] -= f * prow[k];
                    inv[r * m + k] -= f * irow[k];
                }
            }
        }
    }
    for (t, v) in inv.iter_mut().enumerate() {
        *v *= d[t / m] * d[t % m];
    }
    Ok(inv)
}
