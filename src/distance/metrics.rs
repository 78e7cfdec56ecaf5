//! scipy 1.17's `pdist` metrics, computed on all cores.
//!
//! Each distance is summed over the features in order, with the same
//! operations as scipy's C/C++ kernels, so results agree with scipy bit for
//! bit except where scipy calls BLAS/LAPACK (the default covariance of
//! mahalanobis). The vectorised kernels gain their speed by computing
//! [`kernels::LANES`] pairs at once (one row against a tile of rows stored
//! feature by feature), never by reordering a sum.
//!
//! Where scipy returns NaN, inf or a negative value (an all-zero row for
//! cosine, two all-false rows for sokalsneath, ...), we return an error that
//! names the pair and says why, instead of a value that would poison the
//! clustering. The one exception: jensenshannon of two nearly equal rows,
//! where scipy takes the square root of a divergence rounded to a tiny
//! negative number and gets NaN, gives 0 here.

#[path = "boolean.rs"]
mod boolean;
#[path = "kernels.rs"]
mod kernels;
#[path = "linalg.rs"]
mod linalg;

/// The summation orders the GPU kernels' CPU-side preparation must share
/// with the CPU metrics, so both give the same bits.
pub(crate) mod shared {
    pub(crate) use super::kernels::split_sum;
    pub(crate) use super::linalg::{column_variances, pairwise_sum};
}

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::{CondensedMatrix, Metric, RowMin};
use crate::error::{Error, Result};
use crate::precision::Real;
use kernels::{pair_of, pairwise, seq_sums, split_sum, split_sums, tiled, tiled_with_minima};

/// The observations: n rows of m features, row-major and contiguous.
struct Obs<'a> {
    data: &'a [f64],
    n: usize,
    m: usize,
}

impl Obs<'_> {
    /// Row i.
    #[inline]
    fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.m..(i + 1) * self.m]
    }
}

/// Computes the condensed matrix for observations already checked finite,
/// stored in `T` (each distance computed in f64, then rounded once).
pub(super) fn pdist_checked<T: Real>(
    x: ArrayView2<f64>,
    metric: &Metric,
) -> Result<CondensedMatrix<T>> {
    pdist_checked_with(x, metric, None)
}

/// [`pdist_checked`] under the euclidean metric, with each row's first
/// smallest value and its position in the row (see
/// [`super::pdist_euclidean_with_row_minima`]).
pub(super) fn pdist_euclidean_checked<T: Real>(
    x: ArrayView2<f64>,
) -> Result<(CondensedMatrix<T>, Vec<RowMin>)> {
    let mut minima = vec![None; x.nrows().saturating_sub(1)];
    let y = pdist_checked_with(x, &Metric::Euclidean, Some(&mut minima))?;
    Ok((y, minima))
}

/// [`pdist_checked`], filling `minima` too where given (only the euclidean
/// metric does).
fn pdist_checked_with<T: Real>(
    x: ArrayView2<f64>,
    metric: &Metric,
    minima: Option<&mut [RowMin]>,
) -> Result<CondensedMatrix<T>> {
    let (n, m) = x.dim();
    let standard = x.as_standard_layout();
    let data = standard.as_slice().expect("standard layout is contiguous");
    let obs = Obs { data, n, m };
    let mut out = vec![T::from_f64(0.0); n * (n - 1) / 2];
    // Before the first write: the merge loops read it down its columns.
    crate::memory::advise_huge_pages(&mut out);
    let valid = match minima {
        Some(minima) => {
            debug_assert!(metric.is_euclidean());
            let ones = vec![1.0; m];
            euclidean_with_minima(&obs, &ones, &mut out, Some(minima))
        }
        None => compute(&obs, metric, &mut out)?,
    };
    if !valid {
        // Rare: find the first bad value again, sequentially.
        let k = out
            .iter()
            .position(|v| !(v.to_f64() >= 0.0 && v.to_f64().is_finite()))
            .expect("a bad value was seen");
        let (i, j) = pair_of(n, k);
        let value = out[k].to_f64();
        if T::PRECISION == crate::Precision::F32 && value.is_infinite() {
            return Err(Error::overflow(
                format!(
                    "the {} distance between observations {i} and {j}, stored in f32 \
                     (f64 storage holds it)",
                    metric.name()
                ),
                value,
                "f32",
            ));
        }
        return Err(bad_value(&obs, metric, i, j, value));
    }
    Ok(CondensedMatrix::from_parts_unchecked(n, out))
}

/// An error for a parameter of `metric`.
fn bad_param(metric: &Metric, reason: String) -> Error {
    Error::BadMetricParameter {
        metric: metric.name().to_string(),
        reason,
    }
}

/// Fills `out` with the distances (possibly non-finite: checked by the caller).
fn compute<T: Real>(x: &Obs, metric: &Metric, out: &mut [T]) -> Result<bool> {
    let ones = vec![1.0; x.m];
    Ok(match metric {
        Metric::Euclidean => euclidean(x, &ones, out),
        Metric::SqEuclidean => tiled(
            x,
            out,
            seq_sums(&ones, |a, _, u, v, _| (a + (u - v) * (u - v), 0.0)),
            |a, _, _, _| a,
        ),
        Metric::Cityblock => cityblock(x, &ones, out),
        Metric::Chebyshev => chebyshev(x, &ones, out),
        Metric::Minkowski { p, w } => {
            let p = *p;
            if p.is_nan() || p <= 0.0 {
                return Err(bad_param(metric, format!("p must be > 0, got {p}")));
            }
            let w = match w {
                Some(w) => {
                    check_len(metric, "w", w.len(), x.m)?;
                    if let Some(k) = w.iter().position(|v| !(*v >= 0.0 && v.is_finite())) {
                        return Err(bad_param(
                            metric,
                            format!("weight w[{k}] = {} must be finite and >= 0", w[k]),
                        ));
                    }
                    w.as_slice()
                }
                None => &ones,
            };
            minkowski(x, p, w, out)
        }
        Metric::SEuclidean { v } => {
            let var = match v {
                Some(v) => {
                    check_len(metric, "V", v.len(), x.m)?;
                    if let Some(k) = v.iter().position(|v| !(*v > 0.0 && v.is_finite())) {
                        return Err(bad_param(
                            metric,
                            format!("variance V[{k}] = {} must be finite and > 0", v[k]),
                        ));
                    }
                    v.clone()
                }
                None => {
                    let var = linalg::column_variances(x.data, x.n, x.m);
                    if let Some(k) = var.iter().position(|v| *v == 0.0) {
                        let reason = format!(
                            "column {k} is constant, so its variance is 0 and the distances \
                             would be undefined (scipy returns NaN); drop that column or pass V"
                        );
                        return Err(bad_param(metric, reason));
                    }
                    var
                }
            };
            tiled(
                x,
                out,
                split_sums(&var, |u, v, var| ((u - v) * (u - v)) / var),
                |s, _, _, _| s.sqrt(),
            )
        }
        Metric::Mahalanobis { vi } => {
            let vi = mahalanobis_vi(x, metric, vi.as_ref())?;
            mahalanobis(x, &vi, out)
        }
        Metric::Cosine => cosine(x.data, x.n, x.m, out),
        Metric::Correlation => {
            let centred: Vec<f64> = x
                .data
                .par_chunks(x.m.max(1))
                .flat_map_iter(|row| {
                    let mean = linalg::pairwise_sum(row) / x.m as f64;
                    row.iter().map(move |v| v - mean)
                })
                .collect();
            cosine(&centred, x.n, x.m, out)
        }
        Metric::Canberra => tiled(
            x,
            out,
            seq_sums(&ones, |a, _, u, v, _| {
                let denom = u.abs() + v.abs();
                let guard = if denom == 0.0 { 1.0 } else { 0.0 };
                (a + (u - v).abs() / (denom + guard), 0.0)
            }),
            |a, _, _, _| a,
        ),
        Metric::BrayCurtis => tiled(
            x,
            out,
            seq_sums(&ones, |a, b, u, v, _| {
                (a + (u - v).abs(), b + (u + v).abs())
            }),
            |a, b, _, _| a / b,
        ),
        Metric::JensenShannon => jensenshannon(x, out),
        Metric::Hamming => boolean::hamming(x, out),
        Metric::Jaccard => boolean::counted(x, boolean::Counted::Jaccard, out),
        Metric::Dice => boolean::dice(x, out),
        Metric::RogersTanimoto => boolean::counted(x, boolean::Counted::RogersTanimoto, out),
        Metric::RussellRao => boolean::counted(x, boolean::Counted::RussellRao, out),
        Metric::SokalSneath => boolean::counted(x, boolean::Counted::SokalSneath, out),
        Metric::Yule => boolean::counted(x, boolean::Counted::Yule, out),
        Metric::Custom(f) => pairwise(x.n, out, || (), |_, i, j| f.call(x.row(i), x.row(j))),
    })
}

/// Checks that a per-feature parameter has one entry per feature.
fn check_len(metric: &Metric, what: &str, got: usize, m: usize) -> Result<()> {
    if got == m {
        return Ok(());
    }
    Err(bad_param(
        metric,
        format!("{what} must have one entry per feature: expected {m}, got {got}"),
    ))
}

/// `sqrt(sum(w (u - v)^2))`.
fn euclidean<T: Real>(x: &Obs, w: &[f64], out: &mut [T]) -> bool {
    euclidean_with_minima(x, w, out, None)
}

/// [`euclidean`], with each row's minimum where `minima` is given (see
/// [`tiled_with_minima`]).
fn euclidean_with_minima<T: Real>(
    x: &Obs,
    w: &[f64],
    out: &mut [T],
    minima: Option<&mut [RowMin]>,
) -> bool {
    tiled_with_minima(
        x,
        out,
        minima,
        seq_sums(w, |a, _, u, v, w| (a + w * ((u - v) * (u - v)), 0.0)),
        |a, _, _, _| a.sqrt(),
    )
}

/// `sum(w |u - v|)`.
fn cityblock<T: Real>(x: &Obs, w: &[f64], out: &mut [T]) -> bool {
    tiled(
        x,
        out,
        seq_sums(w, |a, _, u, v, w| (a + w * (u - v).abs(), 0.0)),
        |a, _, _, _| a,
    )
}

/// `max(|u - v|)` over the features of positive weight.
fn chebyshev<T: Real>(x: &Obs, w: &[f64], out: &mut [T]) -> bool {
    tiled(
        x,
        out,
        seq_sums(w, |a, _, u, v, w| {
            let d = (u - v).abs();
            (if w > 0.0 && a < d { d } else { a }, 0.0)
        }),
        |a, _, _, _| a,
    )
}

/// scipy's minkowski: p = 1, 2 and infinity are cityblock, euclidean and
/// chebyshev (weighted where w is given), others `(sum(w |u - v|^p))^(1/p)`.
fn minkowski<T: Real>(x: &Obs, p: f64, w: &[f64], out: &mut [T]) -> bool {
    if p == 1.0 {
        cityblock(x, w, out)
    } else if p == 2.0 {
        euclidean(x, w, out)
    } else if p.is_infinite() {
        chebyshev(x, w, out)
    } else {
        let inv_p = 1.0 / p;
        pairwise(
            x.n,
            out,
            || (),
            |_, i, j| {
                let mut s = 0.0;
                for ((&a, &b), &wk) in x.row(i).iter().zip(x.row(j)).zip(w) {
                    s += wk * (a - b).abs().powf(p);
                }
                s.powf(inv_p)
            },
        )
    }
}

/// The mahalanobis VI: the given one, checked, or scipy's default
/// `inv(np.cov(X.T)).T`.
fn mahalanobis_vi(x: &Obs, metric: &Metric, vi: Option<&ndarray::Array2<f64>>) -> Result<Vec<f64>> {
    let m = x.m;
    if let Some(vi) = vi {
        if vi.dim() != (m, m) {
            let (r, c) = vi.dim();
            return Err(bad_param(
                metric,
                format!("VI must be {m} x {m} (features x features), got {r} x {c}"),
            ));
        }
        if let Some(((r, c), v)) = vi.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(bad_param(
                metric,
                format!("VI[{r}, {c}] = {v} is not finite"),
            ));
        }
        return Ok(vi.iter().copied().collect());
    }
    let fix = "pass VI (an inverse covariance) explicitly or use another metric such as seuclidean";
    if x.n <= m {
        let (n, need) = (x.n, m + 1);
        return Err(bad_param(
            metric,
            format!(
                "the number of observations ({n}) is too small: the covariance matrix of \
                 {m} features is singular unless there are at least {need}; {fix}"
            ),
        ));
    }
    let cov = linalg::covariance(x.data, x.n, m);
    let inv = linalg::invert_spd(&cov, m).map_err(|why| {
        let what = match why {
            linalg::Singular::ConstantColumn(k) => format!("column {k} is constant"),
            linalg::Singular::Dependent => "some columns are linearly dependent".to_string(),
        };
        bad_param(
            metric,
            format!("the covariance matrix is singular ({what}); {fix}"),
        )
    })?;
    // scipy passes inv(cov).T.
    Ok((0..m * m).map(|t| inv[(t % m) * m + t / m]).collect())
}

/// `sqrt((u - v) VI (u - v)^T)`, summed as scipy's C code does.
fn mahalanobis<T: Real>(x: &Obs, vi: &[f64], out: &mut [T]) -> bool {
    let m = x.m;
    pairwise(
        x.n,
        out,
        || (vec![0.0; m], vec![0.0; m]),
        |(diff, prod), i, j| {
            for ((d, &a), &b) in diff.iter_mut().zip(x.row(i)).zip(x.row(j)) {
                *d = a - b;
            }
            for (p, vi_row) in prod.iter_mut().zip(vi.chunks_exact(m.max(1))) {
                *p = split_sum(m, |k| diff[k] * vi_row[k]);
            }
            split_sum(m, |k| diff[k] * prod[k]).sqrt()
        },
    )
}

/// `1 - u.v / (|u| |v|)` with the cosine clipped to [-1, 1], as scipy.
fn cosine<T: Real>(data: &[f64], n: usize, m: usize, out: &mut [T]) -> bool {
    let x = Obs { data, n, m };
    let norms: Vec<f64> = (0..n)
        .map(|i| {
            let row = x.row(i);
            split_sum(m, |k| row[k] * row[k]).sqrt()
        })
        .collect();
    let ones = vec![1.0; m];
    tiled(&x, out, split_sums(&ones, |u, v, _| u * v), |a, _, i, j| {
        let c = a / (norms[i] * norms[j]);
        1.0 - if c.abs() > 1.0 { 1f64.copysign(c) } else { c }
    })
}

/// scipy's C jensenshannon: rows normalised to sum 1 (times the reciprocal
/// of the sum, as scipy's compiled code does), natural log,
/// `sqrt(divergence / 2)`; inf for a negative entry or a zero sum.
fn jensenshannon<T: Real>(x: &Obs, out: &mut [T]) -> bool {
    // Per row: the normalised row, or None when scipy returns inf.
    let rows: Vec<Option<Vec<f64>>> = (0..x.n)
        .into_par_iter()
        .map(|i| {
            let row = x.row(i);
            let sum = row.iter().fold(0.0, |s, v| s + v);
            // scipy's compiled loop multiplies by the reciprocal of the sum.
            let inv = 1.0 / sum;
            (sum != 0.0 && row.iter().all(|v| *v >= 0.0))
                .then(|| row.iter().map(|v| v * inv).collect())
        })
        .collect();
    pairwise(
        x.n,
        out,
        || (),
        |_, i, j| {
            let (Some(p), Some(q)) = (&rows[i], &rows[j]) else {
                return f64::INFINITY;
            };
            let mut s = 0.0;
            for (&p, &q) in p.iter().zip(q) {
                let mid = (p + q) / 2.0;
                if p > 0.0 {
                    s += p * (p / mid).ln();
                }
                if q > 0.0 {
                    s += q * (q / mid).ln();
                }
            }
            // A divergence rounded below 0 (nearly equal rows) is 0, not NaN.
            (s / 2.0).max(0.0).sqrt()
        },
    )
}

/// The error for a distance that came out NaN, infinite or negative,
/// explaining the cause where the metric makes it known.
fn bad_value(x: &Obs, metric: &Metric, i: usize, j: usize, value: f64) -> Error {
    if matches!(metric, Metric::Custom(_)) && !value.is_finite() {
        return Error::NonFinite {
            what: "the custom metric's result".into(),
            row: i,
            column: j,
            value,
        };
    }
    let name = metric.name();
    let pair = format!("observations {i} and {j}");
    let (u, v) = (x.row(i), x.row(j));
    let all_zero = |r: &[f64]| r.iter().all(|a| *a == 0.0);
    let which = |bad: &dyn Fn(&[f64]) -> bool| [(i, u), (j, v)].into_iter().find(|(_, r)| bad(r));
    let reason = match metric {
        Metric::Cosine => which(&all_zero).map(|(k, _)| {
            format!(
                "observation {k} is all zeros, so its cosine distances are undefined \
                 (scipy returns NaN); remove all-zero rows or use another metric"
            )
        }),
        Metric::Correlation => which(&|r| r.iter().all(|a| *a == r[0])).map(|(k, _)| {
            format!(
                "observation {k} is constant, so its correlation distances are undefined \
                 (scipy returns NaN); remove constant rows or use another metric"
            )
        }),
        Metric::JensenShannon => {
            let bad = |r: &[f64]| r.iter().any(|a| *a < 0.0) || r.iter().sum::<f64>() == 0.0;
            which(&bad).map(|(k, _)| {
                format!(
                    "observation {k} has a negative entry or sums to 0, but jensenshannon \
                     needs non-negative rows with a positive sum (scipy returns inf)"
                )
            })
        }
        Metric::SokalSneath | Metric::Dice if all_zero(u) && all_zero(v) => Some(format!(
            "{pair} are both all zero (all false), where the {name} dissimilarity is 0/0 \
             (scipy returns NaN); remove all-zero rows or use jaccard, which defines it as 0"
        )),
        Metric::Dice => Some(format!(
            "the dice dissimilarity of {pair} is {value}: scipy's dice counts u(1-v) + v(1-u) \
             and u v arithmetically, so it needs 0/1 data; convert the data to 0/1 first"
        )),
        Metric::BrayCurtis if u.iter().zip(v).all(|(a, b)| a + b == 0.0) => Some(format!(
            "sum |u + v| is 0 for {pair}, so their braycurtis distance is {value} (as in \
             scipy); braycurtis needs data that do not cancel out, typically non-negative"
        )),
        Metric::Mahalanobis { .. } if value.is_nan() => Some(format!(
            "(u - v) VI (u - v)^T is negative (or overflows) for {pair}: VI must be \
             positive semi-definite"
        )),
        _ => None,
    };
    match reason {
        Some(reason) => bad_param(metric, reason),
        None if value.is_finite() => Error::NegativeDistance { i, j, value },
        // Every observation is finite (checked before), so an infinite
        // distance is an overflow of the metric's arithmetic.
        None => Error::overflow(
            format!("the {name} distance between observations {i} and {j}"),
            value,
            "f64",
        ),
    }
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
