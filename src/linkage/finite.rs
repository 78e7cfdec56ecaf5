//! The last guard of every linkage path: Z never holds an infinite or NaN
//! height. Every input value is checked to be finite before the work
//! starts, so a non-finite height can only come from an overflow, of a
//! distance (the sum of squared differences beyond 1.8e308) or of a
//! Lance-Williams update (ward squares its distances). Such an overflow
//! always reaches Z: the updates of every method are sums with positive
//! weights, maxima or minima of their inputs, so an infinite entry stays
//! infinite (or turns NaN) until the two clusters it separates merge, and
//! they merge at the latest in the last row. Checking the heights is
//! therefore enough to refuse every overflowed tree.

use ndarray::Array2;

use super::relabel::SlotMerge;
use super::Method;
use crate::error::{Error, Result};

/// Z when all its heights are finite.
///
/// # Errors
/// [`Error::Overflow`] naming the first merge (its row, the two clusters
/// and the method) whose height is infinite or NaN, computed in
/// `precision` ("f64" or "f32").
pub(crate) fn finite_heights(
    z: Array2<f64>,
    method: Method,
    precision: &'static str,
) -> Result<Array2<f64>> {
    match z.outer_iter().position(|row| !row[2].is_finite()) {
        None => Ok(z),
        Some(i) => Err(Error::overflow(
            format!(
                "the height of merge {i} of {method} linkage (row {i} of Z, joining \
                 clusters {} and {})",
                z[[i, 0]],
                z[[i, 1]]
            ),
            z[[i, 2]],
            precision,
        )),
    }
}

/// The edges of a minimum spanning tree of observations when all are
/// finite. An infinite distance between two observations that is not an
/// edge cannot change single linkage (a tree edge is never longer than
/// any other edge across the same cut), so only the edges are checked.
///
/// # Errors
/// [`Error::Overflow`] naming the pair of observations of the first
/// infinite edge.
pub(crate) fn finite_edges(
    edges: Vec<SlotMerge>,
    metric: &str,
    precision: &'static str,
) -> Result<Vec<SlotMerge>> {
    match edges.iter().find(|e| !e.dist.is_finite()) {
        None => Ok(edges),
        Some(e) => Err(edge_overflow(e, metric, precision)),
    }
}

/// The overflow error of an infinite edge between two observations.
pub(crate) fn edge_overflow(e: &SlotMerge, metric: &str, precision: &'static str) -> Error {
    Error::overflow(
        format!(
            "the {metric} distance between observations {} and {}",
            e.a.min(e.b),
            e.a.max(e.b)
        ),
        e.dist,
        precision,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_finite_z_passes_and_the_first_bad_row_is_named() {
        let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]];
        assert_eq!(finite_heights(z.clone(), Method::Ward, "f64").unwrap(), z);
        let bad = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, f64::NAN, 3.0]];
        let e = finite_heights(bad, Method::Ward, "f64")
            .unwrap_err()
            .to_string();
        assert!(e.contains("merge 1 of ward linkage") && e.contains("clusters 2 and 3"));
        assert!(e.contains("rescale the data"), "{e}");
    }

    #[test]
    fn an_infinite_edge_names_its_observations() {
        let edges = vec![
            SlotMerge {
                a: 0,
                b: 2,
                dist: 1.0,
            },
            SlotMerge {
                a: 2,
                b: 1,
                dist: f64::INFINITY,
            },
        ];
        let e = finite_edges(edges, "euclidean", "f32")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("between observations 1 and 2 overflows f32"),
            "{e}"
        );
    }
}
