//! The cophenetic correlation without the distance matrix: exact by
//! streaming every pair once (O(n^2 m) time, O(n) memory), or estimated
//! from uniformly sampled pairs with a standard error, for data sets whose
//! n(n-1)/2 pairs cannot be afforded.
//!
//! Streaming walks the merges: every pair of observations is joined by
//! exactly one merge, whose height is their cophenetic distance, and the
//! observations under each side of a merge are one run of the leaf order.
//! So the sums Pearson's r needs (of the distances, their squares, and
//! their products with the heights) add up merge by merge, while the sums
//! of the heights and their squares follow from the merges' sizes alone.
//! Sampling looks the cophenetic distance of a pair up as the highest
//! merge between the two leaves in the leaf order (a range maximum of the
//! merge that joins each pair of neighbouring leaves: the later a merge,
//! the higher its id).

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::leaves_list;
use crate::distance::Metric;
use crate::error::{Error, Result};
use crate::linkage::check_linkage;
use crate::spatial::metric::{Kernel, TreeMetric};

/// Pairs up to which [`cophenet_correlation_auto`] streams every pair
/// (about 10 s on two cores for low-dimensional data): n up to about
/// 44,700.
pub const EXACT_MAX_PAIRS: u64 = 1_000_000_000;

/// Pairs [`cophenet_correlation_auto`] samples above [`EXACT_MAX_PAIRS`].
pub const SAMPLED_PAIRS: usize = 2_000_000;

/// A cophenetic correlation, exact or estimated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CophenetCorrelation {
    /// Pearson's r between the data's distances and the cophenetic ones
    /// (NaN when either is constant).
    pub r: f64,
    /// The pairs it rests on: all n(n-1)/2, or the sample's size.
    pub pairs: u64,
    /// None when exact; the standard error of the estimate when sampled
    /// (from 20 batches of the sample: their spread over sqrt(20)).
    pub std_error: Option<f64>,
}

impl std::fmt::Display for CophenetCorrelation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.std_error {
            None => write!(f, "{:.4}", self.r),
            Some(se) => write!(
                f,
                "{:.4} (an estimate from {} sampled pairs, standard error {:.1e})",
                self.r, self.pairs, se
            ),
        }
    }
}

/// The distance of one pair of rows.
type PairDistance<'a> = Box<dyn Fn(&[f64], &[f64]) -> Result<f64> + Sync + 'a>;

/// The distance of one pair under `metric`, with pdist's arithmetic.
fn distance_fn(metric: &Metric) -> PairDistance<'_> {
    match TreeMetric::from_metric(metric) {
        Some(tm) => Box::new(move |u, v| Ok(tm.finish(tm.key(u, v)))),
        None => Box::new(move |u, v| {
            let pair = ndarray::Array2::from_shape_vec((2, u.len()), [u, v].concat())
                .expect("two rows of m values");
            Ok(crate::pdist(pair.view(), metric)?.as_slice()[0])
        }),
    }
}

fn check_sizes(z: ArrayView2<f64>, x: ArrayView2<f64>) -> Result<usize> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    if x.nrows() != n {
        return Err(Error::invalid_argument(
            "data",
            format!(
                "Z has {n} observations but the data have {} rows",
                x.nrows()
            ),
        ));
    }
    Ok(n)
}

/// Pearson's r from shifted sums (the shift keeps the sums of squares
/// from cancelling).
fn pearson(count: f64, sx: f64, sxx: f64, sy: f64, syy: f64, sxy: f64) -> f64 {
    let cov = sxy - sx * sy / count;
    let vx = sxx - sx * sx / count;
    let vy = syy - sy * sy / count;
    cov / (vx * vy).sqrt()
}

/// The exact cophenetic correlation of Z with the observations `x` under
/// `metric`, every pair streamed once, nothing stored but Z's walk.
///
/// # Errors
/// [`Error::InvalidLinkage`]; [`Error::InvalidArgument`] when `x` has
/// another number of rows than Z has observations; the metric's errors.
pub fn cophenet_correlation_streamed(
    z: ArrayView2<f64>,
    x: ArrayView2<f64>,
    metric: &Metric,
) -> Result<CophenetCorrelation> {
    let n = check_sizes(z, x)?;
    let order = leaves_list(z)?;
    let m = x.ncols();
    // Rows in leaf order, so that each side of a merge is one run.
    let rows: Vec<f64> = order.iter().flat_map(|&i| x.row(i).to_vec()).collect();
    let row = |p: usize| &rows[p * m..(p + 1) * m];
    // Each node's run [start, end) in the leaf order.
    let mut start = vec![0usize; 2 * n - 1];
    let mut len = vec![1usize; 2 * n - 1];
    for (p, &leaf) in order.iter().enumerate() {
        start[leaf] = p;
    }
    for k in 0..n - 1 {
        let (a, b) = (z[[k, 0]] as usize, z[[k, 1]] as usize);
        start[n + k] = start[a].min(start[b]);
        len[n + k] = len[a] + len[b];
    }
    let dist = distance_fn(metric);
    let heights: Vec<f64> = z.column(2).to_vec();
    // Shifts: the mean height, and a distance of the data.
    let hy = heights.iter().sum::<f64>() / heights.len() as f64;
    let hx = dist(row(0), row(n - 1))?;
    // Per merge: sums over its pairs of (d - hx) and (d - hx)^2.
    let cross = |k: usize| -> Result<(f64, f64)> {
        let (a, b) = (z[[k, 0]] as usize, z[[k, 1]] as usize);
        let (l, r) = if start[a] < start[b] { (a, b) } else { (b, a) };
        let (ls, ll, rs, rl) = (start[l], len[l], start[r], len[r]);
        let one = |p: usize| -> Result<(f64, f64)> {
            let mut s = (0.0, 0.0);
            for q in rs..rs + rl {
                let d = dist(row(p), row(q))? - hx;
                s.0 += d;
                s.1 += d * d;
            }
            Ok(s)
        };
        let add = |a: (f64, f64), b: (f64, f64)| (a.0 + b.0, a.1 + b.1);
        if ll * rl > 1 << 16 {
            (ls..ls + ll)
                .into_par_iter()
                .map(one)
                .try_reduce(|| (0.0, 0.0), |a, b| Ok(add(a, b)))
        } else {
            (ls..ls + ll)
                .map(one)
                .try_fold((0.0, 0.0), |a, b| Ok(add(a, b?)))
        }
    };
    let sums = (0..n - 1)
        .into_par_iter()
        .map(|k| -> Result<[f64; 6]> {
            let (sx, sxx) = cross(k)?;
            let c = {
                let (a, b) = (z[[k, 0]] as usize, z[[k, 1]] as usize);
                (len[a] * len[b]) as f64
            };
            let y = heights[k] - hy;
            Ok([c, sx, sxx, c * y, c * y * y, y * sx])
        })
        .try_reduce(|| [0.0; 6], |a, b| Ok(std::array::from_fn(|i| a[i] + b[i])))?;
    let [count, sx, sxx, sy, syy, sxy] = sums;
    Ok(CophenetCorrelation {
        r: pearson(count, sx, sxx, sy, syy, sxy),
        pairs: count as u64,
        std_error: None,
    })
}

/// A SplitMix64 stream: fast, and the same on every machine for a seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
}

/// The cophenetic correlation estimated from `pairs` pairs of distinct
/// observations drawn uniformly (with replacement) with `seed`, with its
/// standard error. O(n log n) memory for the range-maximum table, plus
/// the sample.
///
/// # Errors
/// As [`cophenet_correlation_streamed`]; [`Error::InvalidArgument`] for
/// fewer than 40 pairs.
pub fn cophenet_correlation_sampled(
    z: ArrayView2<f64>,
    x: ArrayView2<f64>,
    metric: &Metric,
    pairs: usize,
    seed: u64,
) -> Result<CophenetCorrelation> {
    let n = check_sizes(z, x)?;
    const BATCHES: usize = 20;
    if pairs < 2 * BATCHES {
        return Err(Error::invalid_argument(
            "pairs",
            format!("{pairs}: sample at least {} pairs", 2 * BATCHES),
        ));
    }
    let order = leaves_list(z)?;
    let mut pos = vec![0usize; n];
    for (p, &leaf) in order.iter().enumerate() {
        pos[leaf] = p;
    }
    // join[p]: the merge (row) joining the leaves at p and p + 1 = the
    // highest-numbered merge on the path between them.
    let mut parent = vec![usize::MAX; 2 * n - 1];
    for k in 0..n - 1 {
        parent[z[[k, 0]] as usize] = n + k;
        parent[z[[k, 1]] as usize] = n + k;
    }
    let join = adjacent_joins(&order, &parent, n);
    let table = RangeMax::new(join);
    let dist = distance_fn(metric);
    let m = x.ncols();
    let standard = x.as_standard_layout();
    let data = standard.as_slice().expect("standard layout is contiguous");
    let row = |i: usize| &data[i * m..(i + 1) * m];
    let mut rng = SplitMix(seed);
    let picks: Vec<(usize, usize)> = (0..pairs)
        .map(|_| {
            let i = rng.below(n);
            let j = (i + 1 + rng.below(n - 1)) % n;
            (i, j)
        })
        .collect();
    let values: Vec<(f64, f64)> = picks
        .par_iter()
        .map(|&(i, j)| -> Result<(f64, f64)> {
            let d = dist(row(i), row(j))?;
            let (a, b) = (pos[i].min(pos[j]), pos[i].max(pos[j]));
            let k = table.max(a, b);
            Ok((d, z[[k - n, 2]]))
        })
        .collect::<Result<_>>()?;
    let r_of = |v: &[(f64, f64)]| {
        let (hx, hy) = v[0];
        let mut s = [0.0f64; 5];
        for &(d, h) in v {
            let (a, b) = (d - hx, h - hy);
            s[0] += a;
            s[1] += a * a;
            s[2] += b;
            s[3] += b * b;
            s[4] += a * b;
        }
        pearson(v.len() as f64, s[0], s[1], s[2], s[3], s[4])
    };
    let r = r_of(&values);
    let per = values.len() / BATCHES;
    let rs: Vec<f64> = values.chunks_exact(per).take(BATCHES).map(r_of).collect();
    let mean = rs.iter().sum::<f64>() / BATCHES as f64;
    let var = rs.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (BATCHES - 1) as f64;
    Ok(CophenetCorrelation {
        r,
        pairs: pairs as u64,
        std_error: Some((var / BATCHES as f64).sqrt()),
    })
}

/// For each p < n - 1, the merge id joining leaves `order[p]` and
/// `order[p + 1]`: walking up from the left leaf, the first ancestor that
/// also holds the right one. Done in one pass with a stack of the open
/// ancestors of the leaf order (each node opens at its first leaf and
/// closes at its last).
fn adjacent_joins(order: &[usize], parent: &[usize], n: usize) -> Vec<usize> {
    // depth-first: the ancestors of leaf p not yet closed; the join of p and
    // p + 1 is the lowest ancestor of p + 1 that is also an ancestor of p.
    let mut mark = vec![usize::MAX; 2 * n - 1];
    let mut out = Vec::with_capacity(n.saturating_sub(1));
    for p in 0..n.saturating_sub(1) {
        let mut v = order[p];
        while v != usize::MAX && mark[v] != p {
            mark[v] = p;
            v = parent[v];
        }
        let mut w = order[p + 1];
        while mark[w] != p {
            w = parent[w];
        }
        out.push(w);
    }
    out
}

/// A sparse table for range maxima over a fixed array.
struct RangeMax {
    levels: Vec<Vec<usize>>,
}

impl RangeMax {
    fn new(values: Vec<usize>) -> Self {
        let mut levels = vec![values];
        let mut width = 1;
        while 2 * width <= levels[0].len() {
            let prev = levels.last().expect("a level");
            let next: Vec<usize> = (0..prev.len() - width)
                .map(|i| prev[i].max(prev[i + width]))
                .collect();
            levels.push(next);
            width *= 2;
        }
        RangeMax { levels }
    }

    /// The maximum of `values[a..b]` (a < b).
    fn max(&self, a: usize, b: usize) -> usize {
        let len = b - a;
        let k = usize::BITS as usize - 1 - len.leading_zeros() as usize;
        self.levels[k][a].max(self.levels[k][b - (1 << k)])
    }
}

/// Exact up to [`EXACT_MAX_PAIRS`] pairs (streamed; through the distance
/// matrix for metrics without a pair kernel, where it fits), estimated
/// from [`SAMPLED_PAIRS`] sampled pairs (seed 0) above.
///
/// # Errors
/// As [`cophenet_correlation_streamed`].
pub fn cophenet_correlation_auto(
    z: ArrayView2<f64>,
    x: ArrayView2<f64>,
    metric: &Metric,
) -> Result<CophenetCorrelation> {
    let n = x.nrows() as u64;
    if n * n.saturating_sub(1) / 2 <= EXACT_MAX_PAIRS {
        // Metrics without a pair kernel here go through pdist: one matrix
        // where it fits rather than one small pdist per pair.
        if TreeMetric::from_metric(metric).is_none()
            && crate::memory::check_condensed_fits(x.nrows(), crate::Precision::F64).is_ok()
        {
            let y = crate::pdist(x, metric)?;
            let (r, _) = super::cophenet_correlation(z, &y)?;
            return Ok(CophenetCorrelation {
                r,
                pairs: n * (n - 1) / 2,
                std_error: None,
            });
        }
        cophenet_correlation_streamed(z, x, metric)
    } else {
        cophenet_correlation_sampled(z, x, metric, SAMPLED_PAIRS, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cophenet_correlation;
    use crate::{linkage, pdist, Method};

    fn data(n: usize) -> ndarray::Array2<f64> {
        ndarray::Array2::from_shape_fn((n, 3), |(i, j)| {
            ((i as f64 * 12.9898 + j as f64 * 78.233).sin() * 43758.5453).fract()
        })
    }

    #[test]
    fn streaming_equals_the_matrix_and_sampling_is_close() {
        let x = data(300);
        for method in [Method::Ward, Method::Average, Method::Centroid] {
            let z = linkage(x.view(), method, &Metric::Euclidean).unwrap();
            let y = pdist(x.view(), &Metric::Euclidean).unwrap();
            let (exact, _) = cophenet_correlation(z.view(), &y).unwrap();
            let s = cophenet_correlation_streamed(z.view(), x.view(), &Metric::Euclidean).unwrap();
            assert!((s.r - exact).abs() < 1e-12, "{method}: {} vs {exact}", s.r);
            assert_eq!(s.pairs, 300 * 299 / 2);
            let e =
                cophenet_correlation_sampled(z.view(), x.view(), &Metric::Euclidean, 200_000, 1)
                    .unwrap();
            let se = e.std_error.unwrap();
            assert!(se > 0.0 && se < 0.01, "{se}");
            assert!(
                (e.r - exact).abs() < 5.0 * se + 1e-3,
                "{method}: {} vs {exact} ({se})",
                e.r
            );
            assert!(e.to_string().contains("estimate from 200000 sampled pairs"));
        }
        // A metric without a kd-tree kernel goes through pdist pair by pair.
        let z = linkage(x.view(), Method::Average, &Metric::Cosine).unwrap();
        let y = pdist(x.view(), &Metric::Cosine).unwrap();
        let (exact, _) = cophenet_correlation(z.view(), &y).unwrap();
        let s = cophenet_correlation_streamed(z.view(), x.view(), &Metric::Cosine).unwrap();
        assert!((s.r - exact).abs() < 1e-12);
    }

    #[test]
    fn the_range_maximum_finds_each_pairs_merge() {
        let x = data(60);
        let z = linkage(x.view(), Method::Centroid, &Metric::Euclidean).unwrap();
        let c = crate::analysis::cophenet(z.view()).unwrap();
        let order = leaves_list(z.view()).unwrap();
        let n = 60;
        let mut parent = vec![usize::MAX; 2 * n - 1];
        for k in 0..n - 1 {
            parent[z[[k, 0]] as usize] = n + k;
            parent[z[[k, 1]] as usize] = n + k;
        }
        let t = RangeMax::new(adjacent_joins(&order, &parent, n));
        for a in 0..n {
            for b in a + 1..n {
                let k = t.max(a, b);
                let (i, j) = (order[a], order[b]);
                assert_eq!(z[[k - n, 2]], c.get(i, j), "{i} {j}");
            }
        }
    }
}
