//! Hierarchical agglomerative clustering: scipy's `linkage`.
//!
//! Each method runs the algorithm scipy runs, with scipy's tie-breaking and
//! arithmetic, so that Z is the same to the bit on the same input:
//! a minimum spanning tree for single, the nearest-neighbour chain for
//! complete, average, weighted and ward (both followed by a stable sort of
//! the merges and a union-find relabelling), and the generic algorithm for
//! centroid and median (rows in merge order).

pub(crate) mod argmin;
mod boruvka;
mod boruvka_dense;
mod boruvka_tree;
#[cfg(test)]
mod brute_source;
mod convert;
mod entry;
mod finite;
mod generic;
mod method;
pub(crate) mod mst;
mod nn_chain;
mod primitive;
pub(crate) mod relabel;
pub(crate) mod rounds;
pub(crate) mod rows;
pub(crate) mod sourced;
mod split;
mod team;
mod validate;
mod vector;
mod ward_tree;
mod working;

use ndarray::{Array2, ArrayView2};

pub use convert::{from_mlab_linkage, from_r_hclust, to_mlab_linkage, to_r_hclust, RHclust};
pub use entry::{
    linkage_condensed_with, linkage_with, Algorithm, LinkageOptions, LinkageReport, LinkageResult,
    SMALL_N, TIE_EXACT_MAX_N, TREE_MAX_DIM, VECTOR_MIN_N,
};
pub use method::Method;
pub use primitive::linkage_primitive;
pub use validate::{
    check_linkage, check_linkage_structure, is_monotonic, is_valid_linkage, num_obs_linkage,
};

use crate::distance::{CondensedMatrix, Metric};
use crate::error::{Error, Result};
use crate::precision::Real;
pub(crate) use finite::finite_heights;
use working::{Nearest, WorkingMatrix};

/// Z for observations `x` (n x m) under `metric`: scipy's
/// `linkage(X, method, metric)`.
///
/// # Errors
/// [`Error::MethodNeedsEuclidean`] for centroid, median or ward with any
/// metric but euclidean; the errors of [`pdist`] for bad observations.
///
/// # Example
/// ```
/// use hclust::{linkage, Method, Metric};
/// use ndarray::array;
///
/// let x = array![[-1.0, -1.0], [0.0, 0.0], [1.0, 1.0]];
/// let z = linkage(x.view(), Method::Ward, &Metric::Euclidean).unwrap();
/// assert_eq!(z.row(0).to_vec(), vec![0.0, 1.0, 2f64.sqrt(), 2.0]);
/// assert_eq!(z[[1, 1]], 3.0);
/// ```
pub fn linkage(x: ArrayView2<f64>, method: Method, metric: &Metric) -> Result<Array2<f64>> {
    linkage_as::<f64>(x, method, metric)
}

/// [`linkage()`] with the distance matrix stored in f32: half the memory
/// (n = 50,000 needs 5 GB instead of 10 GB). The distances and the
/// Lance-Williams updates are computed in f64 and rounded when stored, so
/// heights are within about 1e-6 relative of the f64 path's; merges whose
/// candidates differ by less than that can come in another order (see
/// [`crate::precision`]). Single linkage on euclidean observations and the
/// low-memory paths hold no matrix, so for them this is [`linkage()`].
///
/// # Errors
/// As [`linkage()`].
pub fn linkage_f32(x: ArrayView2<f64>, method: Method, metric: &Metric) -> Result<Array2<f64>> {
    linkage_as::<f32>(x, method, metric)
}

/// [`linkage()`] with the distance matrix stored in `T`.
///
/// # Errors
/// As [`linkage()`].
pub fn linkage_as<T: Real>(
    x: ArrayView2<f64>,
    method: Method,
    metric: &Metric,
) -> Result<Array2<f64>> {
    if method.needs_euclidean() && !metric.is_euclidean() {
        return Err(Error::MethodNeedsEuclidean {
            method: method.name().into(),
            metric: metric.name().into(),
        });
    }
    if method == Method::Single && metric.is_euclidean() {
        return single_euclidean(x);
    }
    if let Some(z) = low_memory_if_the_matrix_does_not_fit(x, method, T::PRECISION) {
        return z;
    }
    if matches!(method, Method::Centroid | Method::Median) {
        // (the metric is euclidean: checked above) the first neighbours
        // come with the distances, saving a pass over the whole matrix
        let (y, minima) = crate::distance::pdist_euclidean_with_row_minima::<T>(x)?;
        let first = minima
            .into_iter()
            .enumerate()
            .map(|(i, m)| Nearest::in_row(i, m))
            .collect();
        return linkage_condensed_seeded(y, method, Some(first));
    }
    let y = crate::distance::pdist_as::<T>(x, metric)?;
    linkage_condensed_owned(y, method)
}

/// Ward, centroid and median on euclidean observations when the distance
/// matrix in `precision` would not fit in memory: Z from the paths on
/// cluster centroids (O(n m) memory, on the CPU). The library prints
/// nothing: [`crate::linkage_with`] says so in its report.
/// `None` for other methods, or when the matrix fits. Callers have checked
/// that the metric is euclidean.
pub(crate) fn low_memory_if_the_matrix_does_not_fit(
    x: ArrayView2<f64>,
    method: Method,
    precision: crate::Precision,
) -> Option<Result<Array2<f64>>> {
    if !method.needs_euclidean()
        || crate::memory::check_condensed_fits(x.nrows(), precision).is_ok()
    {
        return None;
    }
    Some(low_memory(x, method))
}

/// Single linkage of observations under the euclidean metric without the
/// distance matrix: Prim's algorithm computes each distance when it needs
/// it (with pdist's arithmetic, so Z is the matrix path's to the bit).
/// Memory O(n m); time O(n^2 m) on all cores.
///
/// # Errors
/// The errors of [`crate::distance::check_observations`].
pub fn single_euclidean(x: ArrayView2<f64>) -> Result<Array2<f64>> {
    crate::distance::check_observations(x)?;
    let (n, m) = x.dim();
    let standard = x.as_standard_layout();
    let data = standard.as_slice().expect("standard layout is contiguous");
    let merges = mst::mst_single(n, |a, idx, out| rows::euclidean_from(data, m, a, idx, out))?;
    let merges = finite::finite_edges(merges, "euclidean", "f64")?;
    Ok(relabel::sort_and_label(merges, n))
}

/// Z of single linkage from the edges of a minimum spanning tree in the
/// order Prim's algorithm found them, (point in the tree, new point,
/// distance): the stable sort by distance and the relabelling of
/// [`single_euclidean`] (for a backend that runs Prim elsewhere, in
/// `precision`).
///
/// # Errors
/// [`Error::Overflow`] naming the pair of an infinite edge.
pub(crate) fn single_from_edges(
    n: usize,
    merges: Vec<relabel::SlotMerge>,
    precision: crate::Precision,
) -> Result<Array2<f64>> {
    let merges = finite::finite_edges(merges, "euclidean", precision.name())?;
    Ok(relabel::sort_and_label(merges, n))
}

/// Ward linkage of observations under the euclidean metric without the
/// distance matrix: the nearest-neighbour chain on cluster centroids and
/// sizes (as fastcluster's `linkage_vector`). Memory O(n m), time
/// O(n^2 m). The same tree as the matrix path on data without ties; heights
/// agree to rounding (about 1e-12 relative), since they come from
/// centroids rather than from the Lance-Williams recurrence.
///
/// # Errors
/// The errors of [`crate::distance::check_observations`].
pub fn ward_euclidean_low_memory(x: ArrayView2<f64>) -> Result<Array2<f64>> {
    crate::distance::check_observations(x)?;
    let (n, m) = x.dim();
    let standard = x.as_standard_layout();
    let data = standard.as_slice().expect("standard layout is contiguous");
    let mut store = vector::WardCentroids::new(data, n, m);
    let z = relabel::sort_and_label(
        vector::WardCentroids::heights(nn_chain::nn_chain(&mut store, n)?),
        n,
    );
    finite_heights(z, Method::Ward, "f64")
}

/// Centroid or median linkage of observations under the euclidean metric
/// without the distance matrix: the generic algorithm on cluster centroids
/// (for median, on the midpoints its merges define). Memory O(n m). The
/// same tree as the matrix path on data without ties; heights agree to
/// rounding, since they come from centroids rather than from the
/// Lance-Williams recurrence.
///
/// # Errors
/// The errors of [`crate::distance::check_observations`];
/// [`Error::InvalidArgument`] for another method.
pub fn centroid_euclidean_low_memory(x: ArrayView2<f64>, method: Method) -> Result<Array2<f64>> {
    if !matches!(method, Method::Centroid | Method::Median) {
        return Err(Error::invalid_argument(
            "method",
            format!("{method}: only centroid and median run on centroids"),
        ));
    }
    crate::distance::check_observations(x)?;
    let (n, m) = x.dim();
    let data = x
        .as_standard_layout()
        .as_slice()
        .expect("contiguous")
        .to_vec();
    // The store works with squared distances (see generic::Centroids). On
    // finite observations no distance is NaN: a neighbour that cannot be
    // found is an overflow of the squared distances.
    let mut z =
        generic::generic(generic::Centroids { data, m }, n, method, None).map_err(|e| match e {
            Error::InvalidArgument { name, .. } if name == "distances" => Error::overflow(
                format!("a squared distance between the centroids of {method} linkage"),
                f64::INFINITY,
                "f64",
            ),
            e => e,
        })?;
    z.column_mut(2).mapv_inplace(f64::sqrt);
    finite_heights(z, method, "f64")
}

/// Z without the distance matrix for the methods that allow it on
/// euclidean observations: single, ward, centroid, median.
///
/// # Errors
/// [`Error::InvalidArgument`] for complete, average and weighted, which
/// need the matrix; the errors of the observations' checks.
pub fn low_memory(x: ArrayView2<f64>, method: Method) -> Result<Array2<f64>> {
    match method {
        Method::Single => single_euclidean(x),
        Method::Ward => ward_euclidean_low_memory(x),
        Method::Centroid | Method::Median => centroid_euclidean_low_memory(x, method),
        _ => Err(Error::invalid_argument(
            "--memory low",
            format!(
                "works for single, ward, centroid and median on euclidean observations; \
                 {method} needs the distance matrix"
            ),
        )),
    }
}

/// Z for a condensed distance matrix: scipy's `linkage(y, method)`.
///
/// Copies `y`; [`linkage_condensed_owned`] works in place instead.
///
/// # Errors
/// Only for centroid and median on distances that are not euclidean, when
/// the update produces NaN ([`Error::InvalidArgument`]).
pub fn linkage_condensed<T: Real>(y: &CondensedMatrix<T>, method: Method) -> Result<Array2<f64>> {
    linkage_condensed_owned(y.clone(), method)
}

/// Z for a condensed distance matrix, consuming it (no copy: peak memory is
/// one condensed matrix plus O(n)). An f32 matrix is merged in f32 storage
/// (see [`linkage_f32`]).
///
/// # Errors
/// As [`linkage_condensed`].
pub fn linkage_condensed_owned<T: Real>(
    y: CondensedMatrix<T>,
    method: Method,
) -> Result<Array2<f64>> {
    linkage_condensed_seeded(y, method, None)
}

/// [`linkage_condensed_owned`], with the generic algorithm's first
/// neighbours where the caller found them already (see
/// [`generic::generic`]).
fn linkage_condensed_seeded<T: Real>(
    y: CondensedMatrix<T>,
    method: Method,
    first: Option<Vec<Nearest>>,
) -> Result<Array2<f64>> {
    let n = y.n();
    let z = match method {
        Method::Single => {
            let w = WorkingMatrix::new(n, y.into_vec());
            let merges = mst::mst_single(n, |a, idx, out| {
                for (o, &b) in out.iter_mut().zip(idx) {
                    *o = w.get(a, b);
                }
            })?;
            Ok(relabel::sort_and_label(merges, n))
        }
        Method::Complete | Method::Average | Method::Weighted | Method::Ward => {
            let mut store = nn_chain::MatrixChain::new(WorkingMatrix::new(n, y.into_vec()), method);
            let merges = nn_chain::nn_chain(&mut store, n)?;
            Ok(relabel::sort_and_label(merges, n))
        }
        Method::Centroid | Method::Median => {
            generic::generic(WorkingMatrix::new(n, y.into_vec()), n, method, first)
        }
    }?;
    finite_heights(z, method, T::PRECISION.name())
}
