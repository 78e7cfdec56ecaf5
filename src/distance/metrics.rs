//! scipy 1.17's `pdist` metrics, computed on all cores.
//!
//! Each distance is summed over the features in order, with the same
//! operations as scipy's C/C++ kernels, so results agree with scipy bit for
//! bit except where scipy calls BLAS/LAPACK (the default covariance of
//! mahalanobis). The vectorised kernels gain their speed by computing
//! [`LANES`] pairs at once (one row against a tile of rows stored feature by
//! feature), never by reordering a sum.
//!
//! Where scipy returns NaN, inf or a negative value (an all-zero row for
//! cosine, two all-false rows for sokalsneath, ...), we return an error that
//! names the pair and says why, instead of a value that would poison the
//! clustering. The one exception: jensenshannon of two nearly equal rows,
//! where scipy takes the square root of a divergence rounded to a tiny
//! negative number and gets NaN, gives 0 here.

#[path = "boolean.rs"]
mod boolean;
#[path = "linalg.rs"]
mod linalg;

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::{CondensedMatrix, Metric};
use crate::error::{Error, Result};

/// Pairs computed at once by the vectorised kernels.
const LANES: usize = 8;

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

/// Computes the condensed matrix for observations already checked finite.
pub(super) fn pdist_checked(x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix> {
    let (n, m) = x.dim();
    let standard = x.as_standard_layout();
    let data = standard.as_slice().expect("standard layout is contiguous");
    let obs = Obs { data, n, m };
    let mut out = vec![0.0; n * (n - 1) / 2];
    if !compute(&obs, metric, &mut out)? {
        // Rare: find the first bad value again, sequentially.
        let k = out
            .iter()
            .position(|v| !(*v >= 0.0 && v.is_finite()))
            .expect("a bad value was seen");
        let (i, j) = pair_of(n, k);
        return Err(bad_value(&obs, metric, i, j, out[k]));
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
fn compute(x: &Obs, metric: &Metric, out: &mut [f64]) -> Result<bool> {
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
                        return Err(bad_param(metric, format!(
                            "column {k} is constant, so its variance is 0 and the distances would be \
                             undefined (scipy returns NaN); drop that column or pass V explicitly"
                        )));
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
fn euclidean(x: &Obs, w: &[f64], out: &mut [f64]) -> bool {
    tiled(
        x,
        out,
        seq_sums(w, |a, _, u, v, w| (a + w * ((u - v) * (u - v)), 0.0)),
        |a, _, _, _| a.sqrt(),
    )
}

/// `sum(w |u - v|)`.
fn cityblock(x: &Obs, w: &[f64], out: &mut [f64]) -> bool {
    tiled(
        x,
        out,
        seq_sums(w, |a, _, u, v, w| (a + w * (u - v).abs(), 0.0)),
        |a, _, _, _| a,
    )
}

/// `max(|u - v|)` over the features of positive weight.
fn chebyshev(x: &Obs, w: &[f64], out: &mut [f64]) -> bool {
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
fn minkowski(x: &Obs, p: f64, w: &[f64], out: &mut [f64]) -> bool {
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
        return Err(bad_param(
            metric,
            format!(
            "the number of observations ({}) is too small: the covariance matrix of {m} features \
             is singular unless there are at least {} observations; {fix}",
            x.n,
            m + 1
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
fn mahalanobis(x: &Obs, vi: &[f64], out: &mut [f64]) -> bool {
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
fn cosine(data: &[f64], n: usize, m: usize, out: &mut [f64]) -> bool {
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
fn jensenshannon(x: &Obs, out: &mut [f64]) -> bool {
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

/// The start of row i (the pairs (i, j), j > i) in the condensed vector.
#[inline]
fn row_start(n: usize, i: usize) -> usize {
    i * n - i * (i + 1) / 2
}

/// The pair (i, j) at condensed index k.
fn pair_of(n: usize, k: usize) -> (usize, usize) {
    let i = (0..n - 1).rfind(|&i| row_start(n, i) <= k).unwrap_or(0);
    (i, k - row_start(n, i) + i + 1)
}

/// The condensed vector cut into groups of consecutive rows `[i0, i1)`,
/// each with its part of `out`, small enough to balance across threads.
fn row_groups(n: usize, out: &mut [f64]) -> Vec<(usize, usize, &mut [f64])> {
    let size = (n / (4 * rayon::current_num_threads())).clamp(1, 16);
    let mut groups = Vec::with_capacity(n / size + 1);
    let mut rest = out;
    let mut i0 = 0;
    while i0 + 1 < n {
        let i1 = (i0 + size).min(n - 1);
        let (head, tail) =
            std::mem::take(&mut rest).split_at_mut(row_start(n, i1) - row_start(n, i0));
        groups.push((i0, i1, head));
        rest = tail;
        i0 = i1;
    }
    groups
}

/// Fills `out` with `f(scratch, i, j)` for every pair, in parallel; each
/// task makes its scratch space with `init`.
fn pairwise<S, I, F>(n: usize, out: &mut [f64], init: I, f: F) -> bool
where
    I: Fn() -> S + Sync,
    F: Fn(&mut S, usize, usize) -> f64 + Sync,
{
    row_groups(n, out)
        .into_par_iter()
        .map(|(i0, i1, chunk)| {
            let mut scratch = init();
            let mut slots = chunk.iter_mut();
            for i in i0..i1 {
                for (j, slot) in (i + 1..n).zip(&mut slots) {
                    *slot = f(&mut scratch, i, j);
                }
            }
            all_valid(chunk)
        })
        .reduce(|| true, |a, b| a & b)
}

/// Whether every value is finite and non-negative (checked while the
/// values are still in cache, without branches).
fn all_valid(values: &[f64]) -> bool {
    values
        .iter()
        .fold(true, |ok, &v| ok & (v >= 0.0) & (v < f64::INFINITY))
}

/// Sums for [`LANES`] pairs at once: one per lane, two sums each.
type LaneSums = ([f64; LANES], [f64; LANES]);

/// The sums of the pybind (C++) kernels: `(a, b) = step(a, b, u[k], v[k],
/// param[k])` from 0, over the features in order.
fn seq_sums<'a, S>(param: &'a [f64], step: S) -> impl Fn(&[f64], &[f64]) -> LaneSums + Sync + 'a
where
    S: Fn(f64, f64, f64, f64, f64) -> (f64, f64) + Sync + 'a,
{
    move |u, tile| {
        let (mut a, mut b) = ([0.0; LANES], [0.0; LANES]);
        for ((&uk, col), &p) in u.iter().zip(tile.chunks_exact(LANES)).zip(param) {
            for l in 0..LANES {
                (a[l], b[l]) = step(a[l], b[l], uk, col[l], p);
            }
        }
        (a, b)
    }
}

/// The sum of `term(u[k], v[k], param[k])` as scipy's C kernels, compiled
/// with reassociation into 2-wide vector loops, compute it: the even and the
/// odd terms summed apart, then together, then the last term when m is odd
/// (see [`split_sum`]).
fn split_sums<'a, T>(param: &'a [f64], term: T) -> impl Fn(&[f64], &[f64]) -> LaneSums + Sync + 'a
where
    T: Fn(f64, f64, f64) -> f64 + Sync + 'a,
{
    move |u, tile| {
        let (mut even, mut odd) = ([0.0; LANES], [0.0; LANES]);
        let pairs = u
            .chunks_exact(2)
            .zip(tile.chunks_exact(2 * LANES))
            .zip(param.chunks_exact(2));
        for ((uk, cols), p) in pairs {
            let (c0, c1) = cols.split_at(LANES);
            for l in 0..LANES {
                even[l] += term(uk[0], c0[l], p[0]);
                odd[l] += term(uk[1], c1[l], p[1]);
            }
        }
        let mut s = [0.0; LANES];
        for l in 0..LANES {
            s[l] = even[l] + odd[l];
        }
        if u.len() % 2 == 1 {
            let k = u.len() - 1;
            for l in 0..LANES {
                s[l] += term(u[k], tile[k * LANES + l], param[k]);
            }
        }
        (s, [0.0; LANES])
    }
}

/// `sum(f(k))` for k < m in the order of scipy's vectorised C loops: even and
/// odd terms apart, `(even + odd) + last` (the last term only when m is odd).
#[inline]
fn split_sum(m: usize, f: impl Fn(usize) -> f64) -> f64 {
    let (mut even, mut odd) = (0.0, 0.0);
    for q in 0..m / 2 {
        even += f(2 * q);
        odd += f(2 * q + 1);
    }
    let s = even + odd;
    if m % 2 == 1 {
        s + f(m - 1)
    } else {
        s
    }
}

/// The vectorised kernel: `sums(u, tile)` gives the running sums of one row
/// against the [`LANES`] rows of a tile, and `finish(a, b, i, j)` the
/// distance from pair (i, j)'s sums.
///
/// The tiles hold [`LANES`] rows each, stored feature by feature, so that
/// one row is compared with [`LANES`] rows in vector registers while each
/// pair's sums still run over the features in scipy's order. Each task
/// handles a few consecutive rows against one tile at a time, so the tile
/// stays in the L1 cache.
fn tiled<S, F>(x: &Obs, out: &mut [f64], sums: S, finish: F) -> bool
where
    S: Fn(&[f64], &[f64]) -> LaneSums + Sync,
    F: Fn(f64, f64, usize, usize) -> f64 + Sync,
{
    let (n, m) = (x.n, x.m);
    let tile_len = m * LANES;
    let mut tiles = vec![0.0; n.div_ceil(LANES) * tile_len];
    if tile_len > 0 {
        tiles
            .par_chunks_mut(tile_len)
            .enumerate()
            .for_each(|(b, tile)| {
                for j in b * LANES..((b + 1) * LANES).min(n) {
                    for (k, &v) in x.row(j).iter().enumerate() {
                        tile[k * LANES + j % LANES] = v;
                    }
                }
            });
    }
    let job = TileJob {
        x,
        tiles: &tiles,
        sums,
        finish,
    };
    #[cfg(target_arch = "x86_64")]
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    row_groups(n, out)
        .into_par_iter()
        .map(|(i0, i1, chunk)| {
            #[cfg(target_arch = "x86_64")]
            if avx2 {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { job.group_avx2(i0, i1, chunk) };
            }
            job.group(i0, i1, chunk)
        })
        .reduce(|| true, |a, b| a & b)
}

/// The data of one [`tiled`] computation.
struct TileJob<'a, S, F> {
    x: &'a Obs<'a>,
    tiles: &'a [f64],
    sums: S,
    finish: F,
}

impl<S, F> TileJob<'_, S, F>
where
    S: Fn(&[f64], &[f64]) -> LaneSums,
    F: Fn(f64, f64, usize, usize) -> f64,
{
    /// Fills `chunk`, rows `[i0, i1)` of the condensed matrix; returns
    /// whether all its values are valid.
    #[inline(always)]
    fn group(&self, i0: usize, i1: usize, chunk: &mut [f64]) -> bool {
        let (n, m) = (self.x.n, self.x.m);
        let tile_len = m * LANES;
        let base = row_start(n, i0);
        for b in (i0 + 1) / LANES..n.div_ceil(LANES) {
            let tile = &self.tiles[b * tile_len..(b + 1) * tile_len];
            let j0 = b * LANES;
            for i in i0..(i1.min(j0 + LANES - 1)) {
                let (a, c) = (self.sums)(self.x.row(i), tile);
                let row = row_start(n, i) - base;
                for l in 0..LANES {
                    let j = j0 + l;
                    if j > i && j < n {
                        chunk[row + j - i - 1] = (self.finish)(a[l], c[l], i, j);
                    }
                }
            }
        }
        all_valid(chunk)
    }

    /// [`Self::group`] compiled for AVX2: the same operations, 4 lanes wide
    /// (no FMA, so every result is identical).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn group_avx2(&self, i0: usize, i1: usize, chunk: &mut [f64]) -> bool {
        self.group(i0, i1, chunk)
    }
}

/// The error for a distance that came out NaN, infinite or negative,
/// explaining the cause where the metric makes it known.
fn bad_value(x: &Obs, metric: &Metric, i: usize, j: usize, value: f64) -> Error {
    let all_zero = |k: usize| x.row(k).iter().all(|v| *v == 0.0);
    let first = |pred: &dyn Fn(usize) -> bool| [i, j].into_iter().find(|&k| pred(k));
    let pair = format!("observations {i} and {j}");
    let reason = match metric {
        Metric::Custom(_) if !value.is_finite() => {
            return Error::NonFinite { what: "the custom metric's result".into(), row: i, column: j, value }
        }
        Metric::Cosine => first(&all_zero).map(|k| format!(
            "observation {k} is all zeros, so its cosine distances are undefined (scipy returns NaN); \
             remove all-zero rows or use another metric"
        )),
        Metric::Correlation => first(&|k| x.row(k).iter().all(|v| *v == x.row(k)[0])).map(|k| format!(
            "observation {k} is constant, so its correlation distances are undefined (scipy returns NaN); \
             remove constant rows or use another metric"
        )),
        Metric::JensenShannon => first(&|k| x.row(k).iter().any(|v| *v < 0.0) || x.row(k).iter().sum::<f64>() == 0.0)
            .map(|k| format!(
                "observation {k} has a negative entry or sums to 0, but jensenshannon needs \
                 non-negative rows with a positive sum (scipy returns inf)"
            )),
        Metric::SokalSneath | Metric::Dice if all_zero(i) && all_zero(j) => Some(format!(
            "{pair} are both all zero (all false), where the {} dissimilarity is 0/0 (scipy returns NaN); \
             remove all-zero rows or use jaccard, which defines it as 0",
            metric.name()
        )),
        Metric::Dice => Some(format!(
            "the dice dissimilarity of {pair} is {value}: scipy's dice counts u(1-v) + v(1-u) and u v \
             arithmetically, so it needs 0/1 data; convert the data to 0/1 first"
        )),
        Metric::BrayCurtis => Some(format!(
            "sum |u + v| is 0 for {pair}, so their braycurtis distance is {value} (as in scipy); \
             braycurtis needs data that do not cancel out, typically non-negative"
        )),
        Metric::Mahalanobis { .. } if value.is_nan() => Some(format!(
            "(u - v) VI (u - v)^T is negative for {pair}: VI is not positive semi-definite"
        )),
        _ => None,
    };
    match reason {
        Some(reason) => bad_param(metric, reason),
        None if value.is_finite() => Error::NegativeDistance { i, j, value },
        None => Error::NonFinite {
            what: format!(
                "the {} distances (row and column are the pair of observations)",
                metric.name()
            ),
            row: i,
            column: j,
            value,
        },
    }
}
