//! Every cut suggestion agrees with its own cut: fcluster on the cut it
//! names gives exactly the k it says, on many trees: continuous data, data
//! on a small integer grid (tied heights), identical points (all heights
//! equal), and centroid/median trees with inversions.

use hclust::analysis::suggest::{elbow, largest_gap, most_inconsistent, Suggestion};
use hclust::analysis::{fcluster, Criterion};
use hclust::{linkage, Method, Metric};
use ndarray::{array, Array2};
use proptest::prelude::*;

/// Points with n in 2..=30, m in 1..=3: continuous, or on a grid of 3
/// values per axis (many ties), or all identical.
fn points() -> impl Strategy<Value = Array2<f64>> {
    (2usize..=30, 1usize..=3, 0u8..3).prop_flat_map(|(n, m, kind)| {
        prop::collection::vec(-50.0f64..50.0, n * m).prop_map(move |v| {
            let v = match kind {
                0 => v,
                1 => v.iter().map(|x| (x / 34.0).round()).collect(),
                _ => vec![1.5; n * m],
            };
            Array2::from_shape_vec((n, m), v).unwrap()
        })
    })
}

fn distinct_labels(labels: &[usize]) -> usize {
    let mut l = labels.to_vec();
    l.sort_unstable();
    l.dedup();
    l.len()
}

/// The suggestion's k is what fcluster gives on the suggestion's cut, as
/// its criterion says, and as its own `clusters` gives.
fn check(z: &Array2<f64>, s: &Suggestion) {
    let labels = if s.criterion == "maxclust" {
        fcluster(z.view(), s.k as f64, &Criterion::MaxClust).unwrap()
    } else {
        assert_eq!(s.criterion, "distance");
        fcluster(z.view(), s.threshold, &Criterion::Distance).unwrap()
    };
    assert_eq!(distinct_labels(&labels), s.k, "{s:?} on {z:?}");
    assert_eq!(s.clusters(z.view()).unwrap(), labels);
}

fn all(z: &Array2<f64>) -> Vec<Suggestion> {
    let mut v: Vec<Suggestion> = elbow(z.view(), 10).unwrap().into_iter().collect();
    v.push(most_inconsistent(z.view(), 2, 10).unwrap());
    v.push(largest_gap(z.view()).unwrap());
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn every_suggestion_gives_its_k(x in points(), mi in 0usize..7) {
        let method = Method::ALL[mi];
        let z = linkage(x.view(), method, &Metric::Euclidean).unwrap();
        for s in all(&z) {
            check(&z, &s);
        }
    }
}

#[test]
fn identical_points_give_one_cluster_and_say_why() {
    let x = Array2::from_elem((6, 2), 3.0);
    let z = linkage(x.view(), Method::Ward, &Metric::Euclidean).unwrap();
    for s in all(&z) {
        check(&z, &s);
        assert_eq!(s.k, 1, "{s:?}");
        if let Some(note) = &s.note {
            assert!(
                note.contains("no evidence for more than one cluster"),
                "{note}"
            );
        }
    }
    let e = elbow(z.view(), 10).unwrap().unwrap();
    assert!(e
        .describe_cut()
        .contains("no evidence for more than one cluster"));
}

#[test]
fn an_inversion_is_cut_by_maxclust() {
    // The centroid Z: the second merge is lower than the first.
    let z = array![[0.0, 1.0, 2.0, 2.0], [2.0, 3.0, 1.8, 3.0]];
    for s in all(&z) {
        check(&z, &s);
        if s.k == 2 {
            assert_eq!(s.criterion, "maxclust", "{s:?}");
            assert!(
                s.describe_cut().contains("maxclust"),
                "{}",
                s.describe_cut()
            );
        }
    }
}
