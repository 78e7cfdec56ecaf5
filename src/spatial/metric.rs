//! The metrics a kd-tree can prune for, with pdist's arithmetic.
//!
//! Each distance is split into a *key*, the sum (or maximum) over the
//! features in feature order exactly as pdist computes it, and a monotone
//! *finish* (the square root for euclidean, the p-th root for minkowski),
//! so that comparing keys orders the pairs as their distances do and the
//! finished key is pdist's value to the bit.
//!
//! The lower bound of the key from a point to a box sums (or maximises)
//! the same terms of the gaps `max(0, lo - x, x - hi)`. Rounding is
//! monotone, so for any point q in the box each rounded gap is at most the
//! rounded `|x - q|`, each term at most q's term, and each partial sum at
//! most q's: the bound never exceeds the key, and pruning on `bound > best`
//! is exact.

use crate::distance::Metric;

/// A metric with box bounds (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TreeMetric {
    /// sqrt(sum (u - v)^2).
    Euclidean,
    /// sum (u - v)^2.
    SqEuclidean,
    /// sum |u - v|.
    Cityblock,
    /// max |u - v|.
    Chebyshev,
    /// (sum |u - v|^p)^(1/p), p not 1, 2 or infinity.
    Minkowski(f64),
}

impl TreeMetric {
    /// The tree metric for `metric`, or None when a kd-tree cannot bound it
    /// (weights, variances, and every other metric).
    pub fn from_metric(metric: &Metric) -> Option<TreeMetric> {
        match metric {
            Metric::Euclidean => Some(TreeMetric::Euclidean),
            Metric::SqEuclidean => Some(TreeMetric::SqEuclidean),
            Metric::Cityblock => Some(TreeMetric::Cityblock),
            Metric::Chebyshev => Some(TreeMetric::Chebyshev),
            Metric::Minkowski { p, w: None } if *p == 1.0 => Some(TreeMetric::Cityblock),
            Metric::Minkowski { p, w: None } if *p == 2.0 => Some(TreeMetric::Euclidean),
            Metric::Minkowski { p, w: None } if p.is_infinite() && *p > 0.0 => {
                Some(TreeMetric::Chebyshev)
            }
            Metric::Minkowski { p, w: None } if *p > 0.0 && p.is_finite() => {
                Some(TreeMetric::Minkowski(*p))
            }
            _ => None,
        }
    }

    /// One feature's term of the key from a difference `t` (for
    /// chebyshev the term itself; [`TreeMetric::accumulate`] takes the
    /// maximum).
    #[inline(always)]
    fn term(self, t: f64) -> f64 {
        match self {
            TreeMetric::Euclidean | TreeMetric::SqEuclidean => t * t,
            TreeMetric::Cityblock | TreeMetric::Chebyshev => t.abs(),
            TreeMetric::Minkowski(p) => t.abs().powf(p),
        }
    }

    /// Adds one term to the running key, as pdist does.
    #[inline(always)]
    fn accumulate(self, acc: f64, term: f64) -> f64 {
        match self {
            TreeMetric::Chebyshev => {
                if acc < term {
                    term
                } else {
                    acc
                }
            }
            _ => acc + term,
        }
    }

    /// The distance from its key: pdist's value to the bit.
    #[inline]
    pub fn finish(self, key: f64) -> f64 {
        match self {
            TreeMetric::Euclidean => key.sqrt(),
            TreeMetric::Minkowski(p) => key.powf(1.0 / p),
            _ => key,
        }
    }

    /// scipy's name of the metric.
    pub fn name(self) -> &'static str {
        match self {
            TreeMetric::Euclidean => "euclidean",
            TreeMetric::SqEuclidean => "sqeuclidean",
            TreeMetric::Cityblock => "cityblock",
            TreeMetric::Chebyshev => "chebyshev",
            TreeMetric::Minkowski(_) => "minkowski",
        }
    }
}

/// One metric's arithmetic as a type, so that the tree walks are compiled
/// once per metric with the metric's terms inlined (the [`TreeMetric`]
/// enum dispatches to these).
pub(crate) trait Kernel: Copy + Send + Sync {
    /// One feature's term from a difference.
    fn term(self, t: f64) -> f64;

    /// The running key with one more term.
    fn accumulate(self, acc: f64, term: f64) -> f64 {
        acc + term
    }

    /// The distance from its key.
    fn finish(self, key: f64) -> f64;

    /// The key of (u, v): pdist's sum before its finish.
    #[inline(always)]
    fn key(self, u: &[f64], v: &[f64]) -> f64 {
        let mut acc = 0.0f64;
        for (a, b) in u.iter().zip(v) {
            acc = self.accumulate(acc, self.term(a - b));
        }
        acc
    }

    /// A lower bound of the key from `x` to any point of the box
    /// `[lo, hi]`.
    #[inline(always)]
    fn box_key(self, x: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
        let mut acc = 0.0f64;
        for ((&v, &l), &h) in x.iter().zip(lo).zip(hi) {
            let gap = if v < l {
                l - v
            } else if v > h {
                v - h
            } else {
                0.0
            };
            acc = self.accumulate(acc, self.term(gap));
        }
        acc
    }

    /// A lower bound of the key between any point of the box
    /// `[alo, ahi]` and any point of the box `[blo, bhi]`.
    #[inline(always)]
    fn boxes_key(self, alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64 {
        let mut acc = 0.0f64;
        for k in 0..alo.len() {
            let gap = if bhi[k] < alo[k] {
                alo[k] - bhi[k]
            } else if blo[k] > ahi[k] {
                blo[k] - ahi[k]
            } else {
                0.0
            };
            acc = self.accumulate(acc, self.term(gap));
        }
        acc
    }
}

/// Euclidean: squares summed, then the root.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EuclideanKernel;

impl Kernel for EuclideanKernel {
    #[inline(always)]
    fn term(self, t: f64) -> f64 {
        t * t
    }
    #[inline(always)]
    fn finish(self, key: f64) -> f64 {
        key.sqrt()
    }
}

/// Any other [`TreeMetric`], dispatched per term (the enum itself).
impl Kernel for TreeMetric {
    #[inline(always)]
    fn term(self, t: f64) -> f64 {
        TreeMetric::term(self, t)
    }
    #[inline(always)]
    fn accumulate(self, acc: f64, term: f64) -> f64 {
        TreeMetric::accumulate(self, acc, term)
    }
    #[inline(always)]
    fn finish(self, key: f64) -> f64 {
        TreeMetric::finish(self, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::metric::Kernel;
    use ndarray::array;

    #[test]
    fn finished_keys_are_pdists_values_to_the_bit() {
        let x = array![
            [0.1, 2.7, -3.3],
            [1.9, -0.4, 8.25],
            [-7.0, 0.3, 0.0001],
            [3.0, 3.0, 3.0]
        ];
        for metric in [
            Metric::Euclidean,
            Metric::SqEuclidean,
            Metric::Cityblock,
            Metric::Chebyshev,
            Metric::Minkowski { p: 3.0, w: None },
            Metric::Minkowski { p: 0.5, w: None },
        ] {
            let tm = TreeMetric::from_metric(&metric).unwrap();
            let y = crate::pdist(x.view(), &metric).unwrap();
            for i in 0..4 {
                for j in i + 1..4 {
                    let u = x.row(i).to_vec();
                    let v = x.row(j).to_vec();
                    assert_eq!(tm.finish(tm.key(&u, &v)), y.get(i, j), "{metric} {i} {j}");
                }
            }
        }
    }

    #[test]
    fn box_keys_never_exceed_keys() {
        let lo = [0.0, -1.0];
        let hi = [1.0, 2.0];
        let x = [3.3, -5.0];
        for tm in [
            TreeMetric::Euclidean,
            TreeMetric::Cityblock,
            TreeMetric::Chebyshev,
            TreeMetric::Minkowski(1.5),
        ] {
            let b = tm.box_key(&x, &lo, &hi);
            for q in [[0.0, -1.0], [1.0, 2.0], [0.5, 0.5], [1.0, -1.0]] {
                assert!(b <= tm.key(&x, &q), "{tm:?}");
            }
            assert_eq!(tm.box_key(&[0.5, 0.5], &lo, &hi), 0.0);
        }
        assert!(TreeMetric::from_metric(&Metric::Cosine).is_none());
    }
}
