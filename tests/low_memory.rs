//! The paths without a distance matrix against the matrix paths on the
//! fixtures: identical trees on data without ties.

mod common;

use common::TIE_FREE_OBSERVATIONS as TIE_FREE;
use common::{assert_same_linkage, matrix, read_json};
use hclust::linkage::{centroid_euclidean_low_memory, single_euclidean, ward_euclidean_low_memory};
use hclust::{linkage_condensed, pdist, Method, Metric};

#[test]
fn ward_on_centroids_equals_the_matrix_path() {
    for name in TIE_FREE {
        let f = read_json(&format!("linkage/{name}.json"));
        let x = matrix(&f["X"]);
        let z = ward_euclidean_low_memory(x.view()).unwrap();
        assert_same_linkage(&z, &matrix(&f["linkage"]["ward"]), 1e-10, name);
    }
}

#[test]
fn single_without_the_matrix_is_bit_identical() {
    for name in TIE_FREE {
        let f = read_json(&format!("linkage/{name}.json"));
        let x = matrix(&f["X"]);
        let y = pdist(x.view(), &Metric::Euclidean).unwrap();
        assert_eq!(
            single_euclidean(x.view()).unwrap(),
            linkage_condensed(&y, Method::Single).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn centroid_and_median_on_centroids_equal_the_matrix_path() {
    for name in TIE_FREE {
        let f = read_json(&format!("linkage/{name}.json"));
        let x = matrix(&f["X"]);
        for method in [Method::Centroid, Method::Median] {
            let z = centroid_euclidean_low_memory(x.view(), method).unwrap();
            assert_same_linkage(
                &z,
                &matrix(&f["linkage"][method.name()]),
                1e-9,
                &format!("{name}/{method}"),
            );
        }
    }
}
