//! f32 storage of the distance matrix on the CPU against f64: every stored
//! distance is the f64 one rounded once, and on data without near-ties the
//! merges are scipy's with heights within 1e-6 relative.

mod common;

use common::TIE_FREE_OBSERVATIONS as TIE_FREE;
use common::{assert_same_linkage, matrix, read_json};
use hclust::backend::{Backend, CpuBackend, Precision};
use hclust::linkage::linkage_condensed_owned;
use hclust::{linkage, linkage_f32, pdist, pdist_f32, CondensedMatrix, Method, Metric};

#[test]
fn each_f32_distance_is_the_f64_distance_rounded_once() {
    let f = read_json("linkage/random_d10.json");
    let x = matrix(&f["X"]);
    for metric in ["euclidean", "cityblock", "cosine", "canberra", "chebyshev"] {
        let metric = Metric::from_name(metric).unwrap();
        let wide = pdist(x.view(), &metric).unwrap();
        let narrow = pdist_f32(x.view(), &metric).unwrap();
        assert_eq!(narrow.n(), wide.n());
        for (k, (&s, &d)) in narrow.as_slice().iter().zip(wide.as_slice()).enumerate() {
            assert_eq!(s, d as f32, "{} value {k}", metric.name());
        }
    }
}

#[test]
fn f32_storage_gives_scipys_merges_on_tie_free_fixtures() {
    for name in TIE_FREE {
        let f = read_json(&format!("linkage/{name}.json"));
        let x = matrix(&f["X"]);
        for method in Method::ALL {
            let z = linkage_f32(x.view(), method, &Metric::Euclidean).unwrap();
            let scipy = matrix(&f["linkage"][method.name()]);
            assert_same_linkage(&z, &scipy, 1e-6, &format!("{name}/{method}"));
        }
    }
}

#[test]
fn f32_condensed_input_and_the_cpu_backend_agree_with_f64() {
    let x = hclust::datasets::blobs(400, 8, 11);
    let y = pdist(x.view(), &Metric::Euclidean).unwrap();
    let f32_backend = CpuBackend::new(Precision::F32);
    assert!(f32_backend.name().contains("f32"));
    for method in Method::ALL {
        let wide = linkage(x.view(), method, &Metric::Euclidean).unwrap();
        let from_condensed =
            linkage_condensed_owned(y.clone().into_f32().unwrap(), method).unwrap();
        assert_same_linkage(&from_condensed, &wide, 1e-6, &format!("condensed/{method}"));
        let via_backend = f32_backend
            .linkage(x.view(), method, &Metric::Euclidean)
            .unwrap();
        assert_same_linkage(&via_backend, &wide, 1e-6, &format!("backend/{method}"));
    }
}

#[test]
fn heights_differ_from_f64_only_by_rounding() {
    // The f32 path must not be the f64 path in disguise: on data whose
    // distances are not f32 numbers, some heights differ, all by little.
    let x = hclust::datasets::blobs(300, 5, 3);
    let wide = linkage(x.view(), Method::Average, &Metric::Euclidean).unwrap();
    let narrow = linkage_f32(x.view(), Method::Average, &Metric::Euclidean).unwrap();
    let mut differ = 0;
    for (a, b) in narrow.column(2).iter().zip(wide.column(2)) {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
        differ += usize::from(a != b);
    }
    assert!(differ > 0, "f32 heights are all equal to the f64 ones");
}

#[test]
fn a_distance_beyond_f32_range_is_an_error_not_infinity() {
    let x = ndarray::array![[0.0, 0.0], [1e30, 1e30], [1.0, 1.0]];
    let e = pdist_f32(x.view(), &Metric::SqEuclidean)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("between observations 0 and 1") && e.contains("f64 storage holds it"),
        "{e}"
    );
    // f64 storage handles it
    assert!(pdist(x.view(), &Metric::SqEuclidean).is_ok());
}

#[test]
fn an_f32_condensed_matrix_validates_like_f64() {
    let e = CondensedMatrix::<f32>::new(vec![1.0, f32::NAN, 2.0]).unwrap_err();
    assert!(
        e.to_string().contains("not finite") || e.to_string().contains("NaN"),
        "{e}"
    );
    let e = CondensedMatrix::<f32>::new(vec![1.0, -1.0, 2.0]).unwrap_err();
    assert!(e.to_string().contains("negative"), "{e}");
}
