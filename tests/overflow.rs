//! Never a non-finite height: data whose distances or Lance-Williams
//! updates overflow give an error that names the pair or the merge and
//! says to rescale, on every method and path (matrix in f64 and f32,
//! condensed input, without the matrix); data just inside the range give
//! a finite Z.

use hclust::linkage::{linkage_condensed_owned, low_memory};
use hclust::{linkage, linkage_f32, CondensedMatrix, Error, Method, Metric};
use ndarray::{array, Array2};

/// Ok with every height finite, or an error that tells the user to
/// rescale; never Ok with an infinite or NaN height. Returns whether it
/// was an error.
fn refused_or_finite(r: hclust::Result<Array2<f64>>, what: &str) -> bool {
    match r {
        Ok(z) => {
            assert!(
                z.column(2).iter().all(|h| h.is_finite()),
                "{what}: non-finite height in {z:?}"
            );
            false
        }
        Err(e) => {
            let s = e.to_string();
            assert!(s.contains("rescale the data"), "{what}: {s}");
            true
        }
    }
}

/// Every path that takes observations: the matrix in f64 and f32 and,
/// where the method allows it, the path without the matrix.
fn all_paths(x: &Array2<f64>, method: Method) -> Vec<(String, hclust::Result<Array2<f64>>)> {
    let mut out = vec![
        (
            format!("{method} f64"),
            linkage(x.view(), method, &Metric::Euclidean),
        ),
        (
            format!("{method} f32"),
            linkage_f32(x.view(), method, &Metric::Euclidean),
        ),
    ];
    if matches!(
        method,
        Method::Single | Method::Ward | Method::Centroid | Method::Median
    ) {
        out.push((format!("{method} low memory"), low_memory(x.view(), method)));
    }
    out
}

#[test]
fn huge_coordinates_are_refused_on_every_method_and_path() {
    // The cases: distances that overflow, a ward update that
    // overflows, and coordinates near 1e160.
    let cases = [
        array![[1e308, 0.0], [-1e308, 0.0], [0.0, 1.0]],
        array![[0.0, 0.0], [1.2e154, 0.0], [0.6e154, 1.04e154], [5.0, 5.0]],
        array![[1e160, 0.0], [-1e160, 0.0], [1e160, 1.0], [0.0, 0.0]],
    ];
    for (c, x) in cases.iter().enumerate() {
        for method in Method::ALL {
            for (what, r) in all_paths(x, method) {
                let refused = refused_or_finite(r, &format!("case {c}: {what}"));
                // Case 0 overflows in every distance to observation 2 and
                // between 0 and 1: every method must refuse.
                if c == 0 {
                    assert!(refused, "case {c}: {what} was accepted");
                }
            }
        }
    }
}

#[test]
fn ward_overflowing_in_its_update_names_the_merge() {
    let x = array![[0.0, 0.0], [1.2e154, 0.0], [0.6e154, 1.04e154], [5.0, 5.0]];
    for r in [
        linkage(x.view(), Method::Ward, &Metric::Euclidean),
        low_memory(x.view(), Method::Ward),
    ] {
        let e = r.unwrap_err();
        assert!(matches!(e, Error::Overflow { .. }), "{e}");
        assert!(e.to_string().contains("merge 2 of ward linkage"), "{e}");
    }
}

#[test]
fn single_linkage_names_the_pair_whose_distance_overflows() {
    let x = array![[1e308, 0.0], [-1e308, 0.0], [0.0, 1.0]];
    let e = linkage(x.view(), Method::Single, &Metric::Euclidean)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("euclidean distance between observations 0 and 1 overflows f64"),
        "{e}"
    );
}

#[test]
fn condensed_distances_that_overflow_in_the_update_are_refused() {
    let y = CondensedMatrix::new(vec![1e308, 1e308, 1e308]).unwrap();
    for method in Method::ALL {
        let what = format!("condensed {method}");
        let r = linkage_condensed_owned(y.clone(), method);
        let refused = refused_or_finite(r, &what);
        // Single and complete take minima and maxima: no overflow there.
        let expected = !matches!(method, Method::Single | Method::Complete);
        assert_eq!(refused, expected, "{what}");
    }
    // f32 storage: a distance beyond f32's range names its pair.
    let y = CondensedMatrix::new(vec![1.0, 1e300, 2.0]).unwrap();
    let e = y.into_f32().unwrap_err().to_string();
    assert!(
        e.contains("between observations 0 and 2, stored in f32") && e.contains("overflows f32"),
        "{e}"
    );
}

#[test]
fn data_inside_the_range_still_cluster() {
    // Large but safe in f64 (squared distances about 1e300; f32 storage
    // refuses them, as the first test shows).
    let x = array![[1e150, 0.0], [-1e150, 0.0], [0.0, 3e149], [1.0, 2.0]];
    for method in Method::ALL {
        for (what, r) in all_paths(&x, method) {
            if what.ends_with("f32") {
                refused_or_finite(r, &what);
                continue;
            }
            let z = r.unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(z.column(2).iter().all(|h| h.is_finite()), "{what}");
        }
    }
}

#[test]
fn centroid_and_median_without_the_matrix_blame_the_overflow_not_the_metric() {
    let x = array![[1e160, 0.0], [-1e160, 0.0], [1e160, 1.0], [0.0, 0.0]];
    for method in [Method::Centroid, Method::Median] {
        let e = low_memory(x.view(), method).unwrap_err();
        assert!(matches!(e, Error::Overflow { .. }), "{method}: {e}");
        assert!(!e.to_string().contains("not euclidean"), "{method}: {e}");
    }
}
