//! Pairwise distances: scipy's `pdist` metrics, the condensed matrix and
//! `squareform`.

mod condensed;
mod metrics;

use std::fmt;
use std::sync::Arc;

use ndarray::{Array2, ArrayView2};

pub use condensed::{condensed_index, num_obs_condensed, CondensedMatrix};

use crate::precision::Real;
pub(crate) use metrics::shared;

use crate::error::{Error, Result};

/// A user-supplied distance function, with a name for messages and output.
#[derive(Clone)]
pub struct CustomMetric {
    name: String,
    func: Arc<DistanceFn>,
}

/// The signature of a user distance function.
type DistanceFn = dyn Fn(&[f64], &[f64]) -> f64 + Send + Sync;

impl CustomMetric {
    /// Wraps `func(u, v)`, which must return a finite, non-negative distance.
    pub fn new(
        name: impl Into<String>,
        func: impl Fn(&[f64], &[f64]) -> f64 + Send + Sync + 'static,
    ) -> Self {
        CustomMetric {
            name: name.into(),
            func: Arc::new(func),
        }
    }

    /// The name given at construction.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls the function.
    pub fn call(&self, u: &[f64], v: &[f64]) -> f64 {
        (self.func)(u, v)
    }
}

impl fmt::Debug for CustomMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomMetric({:?})", self.name)
    }
}

/// A distance metric, with scipy's `pdist` definitions and defaults.
///
/// Parameters that scipy computes from the data when omitted (`V` of
/// seuclidean, `VI` of mahalanobis) are `None` here and computed the same way.
/// As in scipy, jaccard, rogerstanimoto, russellrao, sokalsneath and yule
/// treat every non-zero value as true; hamming compares values; dice uses
/// the values arithmetically (meant for 0/1 data).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Metric {
    /// `sqrt(sum((u - v)^2))`
    Euclidean,
    /// `sum((u - v)^2)`
    SqEuclidean,
    /// `sum(|u - v|)`
    Cityblock,
    /// `max(|u - v|)`
    Chebyshev,
    /// `(sum(w * |u - v|^p))^(1/p)`; p defaults to 2, w to all ones.
    Minkowski {
        /// The order p (>= 1 in scipy; any p > 0 is accepted).
        p: f64,
        /// Optional non-negative weights, one per feature.
        w: Option<Vec<f64>>,
    },
    /// `sqrt(sum((u - v)^2 / V))`; V defaults to each column's variance with ddof = 1.
    SEuclidean {
        /// Per-feature variances.
        v: Option<Vec<f64>>,
    },
    /// `sqrt((u - v) VI (u - v)^T)`; VI defaults to the inverse of the sample covariance.
    Mahalanobis {
        /// The inverse covariance matrix (m x m).
        vi: Option<Array2<f64>>,
    },
    /// `1 - u.v / (|u| |v|)`
    Cosine,
    /// cosine distance of the mean-centred vectors
    Correlation,
    /// `sum(|u - v| / (|u| + |v|))`, terms with a zero denominator left out
    Canberra,
    /// `sum(|u - v|) / sum(|u + v|)`
    BrayCurtis,
    /// the square root of the Jensen-Shannon divergence of u and v, each normalised to sum 1
    JensenShannon,
    /// the fraction of features that differ
    Hamming,
    /// the fraction of features, among those non-zero in u or v, that differ
    Jaccard,
    /// boolean: `(ctf + cft) / (2 ctt + ctf + cft)`
    Dice,
    /// boolean: `2 (ctf + cft) / (ctt + cff + 2 (ctf + cft))`
    RogersTanimoto,
    /// boolean: `(m - ctt) / m`
    RussellRao,
    /// boolean: `2 (ctf + cft) / (ctt + 2 (ctf + cft))`
    SokalSneath,
    /// boolean: `2 ctf cft / (ctt cff + ctf cft)`
    Yule,
    /// A user function.
    Custom(CustomMetric),
}

/// Every metric name accepted by [`Metric::from_name`], aliases included.
pub const METRIC_NAMES: &[&str] = &[
    "braycurtis",
    "canberra",
    "chebyshev",
    "cityblock",
    "correlation",
    "cosine",
    "dice",
    "euclidean",
    "hamming",
    "jaccard",
    "jensenshannon",
    "mahalanobis",
    "minkowski",
    "rogerstanimoto",
    "russellrao",
    "seuclidean",
    "sokalsneath",
    "sqeuclidean",
    "yule",
];

impl Metric {
    /// The metric for a scipy name or alias, with default parameters.
    ///
    /// Accepts scipy's aliases: `matching` (hamming), `cblock`, `manhattan`
    /// and `cityblock`, `chebychev`, `sqe`/`sqeuclid`, `eu`/`euclid`, and the
    /// `minkowski` spellings; case-insensitive.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] listing the valid names.
    pub fn from_name(name: &str) -> Result<Metric> {
        let lower = name.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "euclidean" | "euclid" | "eu" | "e" => Metric::Euclidean,
            "sqeuclidean" | "sqe" | "sqeuclid" => Metric::SqEuclidean,
            "cityblock" | "cblock" | "cb" | "c" | "manhattan" => Metric::Cityblock,
            "chebyshev" | "chebychev" | "cheby" | "cheb" | "ch" => Metric::Chebyshev,
            "minkowski" | "mi" | "m" | "pnorm" => Metric::Minkowski { p: 2.0, w: None },
            "seuclidean" | "se" | "s" => Metric::SEuclidean { v: None },
            "mahalanobis" | "mahal" | "mah" => Metric::Mahalanobis { vi: None },
            "cosine" | "cos" => Metric::Cosine,
            "correlation" | "co" => Metric::Correlation,
            "canberra" => Metric::Canberra,
            "braycurtis" => Metric::BrayCurtis,
            "jensenshannon" | "js" => Metric::JensenShannon,
            "hamming" | "matching" | "hamm" | "ha" | "h" => Metric::Hamming,
            "jaccard" | "jacc" | "ja" | "j" => Metric::Jaccard,
            "dice" => Metric::Dice,
            "rogerstanimoto" => Metric::RogersTanimoto,
            "russellrao" => Metric::RussellRao,
            "sokalsneath" => Metric::SokalSneath,
            "yule" => Metric::Yule,
            _ => {
                return Err(Error::UnknownMetric {
                    given: name.to_string(),
                    valid: METRIC_NAMES.join(", "),
                })
            }
        })
    }

    /// scipy's canonical name of the metric (a custom metric's own name).
    pub fn name(&self) -> &str {
        match self {
            Metric::Euclidean => "euclidean",
            Metric::SqEuclidean => "sqeuclidean",
            Metric::Cityblock => "cityblock",
            Metric::Chebyshev => "chebyshev",
            Metric::Minkowski { .. } => "minkowski",
            Metric::SEuclidean { .. } => "seuclidean",
            Metric::Mahalanobis { .. } => "mahalanobis",
            Metric::Cosine => "cosine",
            Metric::Correlation => "correlation",
            Metric::Canberra => "canberra",
            Metric::BrayCurtis => "braycurtis",
            Metric::JensenShannon => "jensenshannon",
            Metric::Hamming => "hamming",
            Metric::Jaccard => "jaccard",
            Metric::Dice => "dice",
            Metric::RogersTanimoto => "rogerstanimoto",
            Metric::RussellRao => "russellrao",
            Metric::SokalSneath => "sokalsneath",
            Metric::Yule => "yule",
            Metric::Custom(c) => c.name(),
        }
    }

    /// Whether this is the euclidean metric (minkowski with p = 2 and no
    /// weights does not count, as in scipy).
    pub fn is_euclidean(&self) -> bool {
        matches!(self, Metric::Euclidean)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks that every value of an observation matrix is finite and that
/// there are at least two rows.
///
/// # Errors
/// [`Error::NonFinite`] naming the first bad row and column;
/// [`Error::TooFewObservations`].
pub fn check_observations(x: ArrayView2<f64>) -> Result<()> {
    if x.nrows() < 2 {
        return Err(Error::TooFewObservations {
            what: "the observation matrix".into(),
            n: x.nrows(),
        });
    }
    for ((row, column), &value) in x.indexed_iter() {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                what: "the observation matrix".into(),
                row,
                column,
                value,
            });
        }
    }
    Ok(())
}

/// Pairwise distances between the rows of `x` (scipy's `pdist(X, metric)`),
/// computed on all cores.
///
/// # Errors
/// [`Error::NonFinite`] and [`Error::TooFewObservations`] for bad
/// observations; [`Error::BadMetricParameter`] for a parameter of the wrong
/// size or value (or a singular covariance for mahalanobis); a custom metric
/// that returns a non-finite or negative value gives [`Error::NonFinite`] or
/// [`Error::NegativeDistance`]; [`Error::NotEnoughMemory`] when the matrix
/// would not fit in the available memory (checked before allocating).
pub fn pdist(x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix> {
    pdist_as(x, metric)
}

/// [`pdist`] stored in f32: half the memory. Each distance is computed in
/// f64 with scipy's arithmetic and rounded once (within 6e-8 relative).
///
/// # Errors
/// As [`pdist`] (the memory check counts 4 bytes per value), plus
/// [`Error::NonFinite`] for a distance beyond f32's range (3.4e38).
pub fn pdist_f32(x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix<f32>> {
    pdist_as(x, metric)
}

/// A row of a condensed matrix: its first smallest value below infinity
/// and that value's position in the row, `None` where it has none.
pub(crate) type RowMin = Option<(f64, usize)>;

/// [`pdist_as`] under the euclidean metric, and for every row i < n - 1 of
/// the condensed matrix (the pairs (i, j), j > i) its first smallest value
/// below infinity and that value's position in the row, `None` where the
/// row has none: [`crate::linkage`]'s first neighbours, found while each
/// group of rows is still in cache instead of in a second pass over the
/// whole matrix.
///
/// # Errors
/// As [`pdist_as`]; [`Error::Cancelled`] when the run's token fired (the
/// rows it left unfilled have no minima).
pub(crate) fn pdist_euclidean_with_row_minima<T: Real>(
    x: ArrayView2<f64>,
) -> Result<(CondensedMatrix<T>, Vec<RowMin>)> {
    check_pdist_input::<T>(x)?;
    let out = metrics::pdist_euclidean_checked(x)?;
    crate::cancel::check()?;
    Ok(out)
}

/// The checks before a pdist: finite observations, and room for the matrix
/// in `T`.
fn check_pdist_input<T: Real>(x: ArrayView2<f64>) -> Result<()> {
    check_observations(x)?;
    crate::memory::check_condensed_fits(x.nrows(), T::PRECISION)
}

/// [`pdist`] stored in `T`.
///
/// # Errors
/// As [`pdist`].
pub fn pdist_as<T: Real>(x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix<T>> {
    check_pdist_input::<T>(x)?;
    metrics::pdist_checked(x, metric)
}
