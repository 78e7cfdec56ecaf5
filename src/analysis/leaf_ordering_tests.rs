//! Unit tests of leaf_ordering (beside the code, in their own file to keep
//! it short). Expected values are scipy 1.17.1's
//! `optimal_leaf_ordering(Z, y)` for the same Z and y.

use super::*;
use crate::{linkage_condensed, pdist, Method, Metric};
use ndarray::{array, Array2};

fn condensed(y: &[f64]) -> CondensedMatrix {
    CondensedMatrix::new(y.to_vec()).unwrap()
}

fn olo(z: &Array2<f64>, y: &CondensedMatrix) -> Array2<f64> {
    optimal_leaf_ordering(z.view(), y).unwrap()
}

#[test]
fn five_points_on_a_line() {
    let x = array![[0.0], [10.0], [1.0], [11.0], [5.0]];
    let y = pdist(x.view(), &Metric::Euclidean).unwrap();
    let z = linkage_condensed(&y, Method::Average).unwrap();
    assert_eq!(
        z,
        array![
            [0.0, 2.0, 1.0, 2.0],
            [1.0, 3.0, 1.0, 2.0],
            [4.0, 5.0, 4.5, 3.0],
            [6.0, 7.0, 8.5, 5.0]
        ]
    );
    let want = array![
        [2.0, 0.0, 1.0, 2.0],
        [3.0, 1.0, 1.0, 2.0],
        [4.0, 5.0, 4.5, 3.0],
        [6.0, 7.0, 8.5, 5.0]
    ];
    assert_eq!(olo(&z, &y), want);
}

#[test]
fn ties_in_a_square_with_its_centre() {
    // Points (0,0) (1,0) (0,1) (1,1) (0.5,0.5) (3,3): every point of
    // the square is 0.7071 from the centre, so single linkage and the
    // path costs are full of ties.
    let s = std::f64::consts::SQRT_2;
    let h = s / 2.0;
    let y = condensed(&[
        1.0,
        1.0,
        s,
        h,
        4.242640687119285,
        s,
        1.0,
        h,
        3.605551275463989,
        1.0,
        h,
        3.605551275463989,
        h,
        2.8284271247461903,
        3.5355339059327378,
    ]);
    let z = array![
        [0.0, 4.0, h, 2.0],
        [1.0, 6.0, h, 3.0],
        [2.0, 7.0, h, 4.0],
        [3.0, 8.0, h, 5.0],
        [5.0, 9.0, 2.8284271247461903, 6.0]
    ];
    let want = array![
        [4.0, 0.0, h, 2.0],
        [1.0, 6.0, h, 3.0],
        [7.0, 2.0, h, 4.0],
        [3.0, 8.0, h, 5.0],
        [5.0, 9.0, 2.8284271247461903, 6.0]
    ];
    assert_eq!(olo(&z, &y), want);
}

#[test]
fn all_distances_equal() {
    // Every ordering costs 0: scipy's first-found choices decide.
    let y = condensed(&[0.0; 10]);
    let z = array![
        [0.0, 1.0, 0.0, 2.0],
        [2.0, 5.0, 0.0, 3.0],
        [3.0, 6.0, 0.0, 4.0],
        [4.0, 7.0, 0.0, 5.0]
    ];
    let want = array![
        [1.0, 0.0, 0.0, 2.0],
        [2.0, 5.0, 0.0, 3.0],
        [6.0, 3.0, 0.0, 4.0],
        [4.0, 7.0, 0.0, 5.0]
    ];
    assert_eq!(olo(&z, &y), want);
}

#[test]
fn integer_grid_with_ties() {
    // (0,0) (0,1) (0,2) (1,0) (1,1) (2,2) (2,0), complete linkage.
    let (r2, r5, r8) = (
        std::f64::consts::SQRT_2,
        2.23606797749979,
        2.8284271247461903,
    );
    let y = condensed(&[
        1.0, 2.0, 1.0, r2, r8, 2.0, 1.0, r2, 1.0, r5, r5, r5, r2, 2.0, r8, 1.0, r5, 1.0, r2, r2,
        2.0,
    ]);
    let z = array![
        [0.0, 1.0, 1.0, 2.0],
        [3.0, 4.0, 1.0, 2.0],
        [7.0, 8.0, r2, 4.0],
        [2.0, 5.0, 2.0, 2.0],
        [6.0, 9.0, r5, 5.0],
        [10.0, 11.0, r8, 7.0]
    ];
    let want = array![
        [0.0, 1.0, 1.0, 2.0],
        [4.0, 3.0, 1.0, 2.0],
        [7.0, 8.0, r2, 4.0],
        [5.0, 2.0, 2.0, 2.0],
        [9.0, 6.0, r5, 5.0],
        [10.0, 11.0, r8, 7.0]
    ];
    assert_eq!(olo(&z, &y), want);
}

#[test]
fn tree_not_built_from_the_distances_and_larger_id_first() {
    let y = condensed(&[4.0, 1.0, 7.0, 2.5, 3.0, 3.0, 1.5, 6.0, 1.5, 4.5]);
    let z = array![
        [4.0, 0.0, 1.0, 2.0],
        [3.0, 5.0, 2.0, 3.0],
        [6.0, 2.0, 3.0, 4.0],
        [1.0, 7.0, 4.0, 5.0]
    ];
    let want = array![
        [0.0, 4.0, 1.0, 2.0],
        [5.0, 3.0, 2.0, 3.0],
        [2.0, 6.0, 3.0, 4.0],
        [1.0, 7.0, 4.0, 5.0]
    ];
    assert_eq!(olo(&z, &y), want);
}

#[test]
fn costs_beyond_scipys_cap_of_two_to_the_thirty() {
    // Distances above 2^30: at the root no cost is recorded and scipy
    // reuses the previous merge's choice, which flips row 1.
    let y = condensed(&[
        4433883199.0,
        183773109.0,
        618604853.0,
        4250110090.0,
        3815278346.0,
        434831744.0,
    ]);
    let z = linkage_condensed(&y, Method::Single).unwrap();
    let want = array![
        [0.0, 2.0, 183773109.0, 2.0],
        [4.0, 3.0, 434831744.0, 3.0],
        [1.0, 5.0, 3815278346.0, 4.0]
    ];
    assert_eq!(olo(&z, &y), want);
}

#[test]
fn two_observations_are_left_alone() {
    let y = condensed(&[3.0]);
    let z = array![[0.0, 1.0, 3.0, 2.0]];
    assert_eq!(olo(&z, &y), z);
}

#[test]
fn quicksort_leaves_ties_where_scipy_does() {
    // Expected orders worked through scipy's `_simultaneous_sort` by
    // hand: it is not stable (3 comes before 1 below).
    fn order(keys: &[f32]) -> Vec<u32> {
        let mut v: Vec<(f32, u32)> = keys.iter().zip(0..).map(|(&k, i)| (k, i)).collect();
        scipy_quicksort(&mut v);
        assert!(v.windows(2).all(|p| p[0].0 <= p[1].0));
        v.iter().map(|p| p.1).collect()
    }
    assert_eq!(
        order(&[3.0, 1.0, 2.0, 1.0, 3.0, 0.0, 1.0]),
        [5, 3, 1, 6, 2, 0, 4]
    );
    assert_eq!(
        order(&[2.0, 2.0, 1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0, 2.0, 2.0, 1.0]),
        [8, 11, 2, 5, 7, 3, 0, 6, 4, 9, 10, 1]
    );
    // Many equal keys: 3000 levels of partitions (scipy recursed there).
    let mut all_equal: Vec<(f32, u32)> = (0..3000).map(|i| (1.0, i)).collect();
    scipy_quicksort(&mut all_equal);
    assert!(all_equal.iter().all(|p| p.0 == 1.0));
}

#[test]
fn rejects_mismatched_sizes() {
    let y = condensed(&[1.0, 2.0, 3.0]);
    let z = array![[0.0, 1.0, 1.0, 2.0]];
    let err = optimal_leaf_ordering(z.view(), &y).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("3 observations") && msg.contains("2 observations"));
}

#[test]
fn rejects_invalid_linkage() {
    let y = condensed(&[1.0, 2.0, 3.0]);
    let z = array![[0.0, 1.0, 1.0, 2.0], [0.0, 2.0, 2.0, 3.0]];
    let err = optimal_leaf_ordering(z.view(), &y).unwrap_err();
    assert!(matches!(err, Error::InvalidLinkage { .. }), "{err}");
}
