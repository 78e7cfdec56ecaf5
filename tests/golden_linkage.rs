//! hclust's linkage against scipy 1.17.1 on every fixture data set and
//! every method: identical ids and counts, heights within 1e-12 relative
//! (1e-9 for centroid and median).

mod common;

use common::{assert_same_linkage, fixture_names, matrix, read_json, vector};
use hclust::{linkage, linkage_condensed, CondensedMatrix, Method, Metric};

fn tolerance(method: Method) -> f64 {
    if method.is_monotone() {
        1e-12
    } else {
        1e-9
    }
}

fn check_file(name: &str) {
    let f = read_json(&format!("linkage/{name}.json"));
    for method in Method::ALL {
        let expected = matrix(&f["linkage"][method.name()]);
        let ours = match f["input"].as_str().unwrap() {
            "observations" => {
                let x = matrix(&f["X"]);
                let metric = Metric::from_name(f["metric"].as_str().unwrap()).unwrap();
                linkage(x.view(), method, &metric).unwrap()
            }
            "condensed" => {
                let y = CondensedMatrix::new(vector(&f["y"])).unwrap();
                linkage_condensed(&y, method).unwrap()
            }
            other => panic!("unknown input kind {other}"),
        };
        assert_same_linkage(
            &ours,
            &expected,
            tolerance(method),
            &format!("{name}/{method}"),
        );
    }
}

macro_rules! golden {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            check_file(stringify!($name));
        }
    )*};
}

golden!(
    tutorial2,
    tutorial5,
    random_d1,
    random_d2,
    random_d10,
    random_d100,
    grid_ties,
    int_ties,
    duplicates,
    n2,
    n3_scipy_ties,
    condensed_random,
    condensed_int_ties,
);

#[test]
fn every_fixture_file_has_a_test() {
    let names = fixture_names("linkage");
    assert_eq!(
        names.len(),
        13,
        "new fixture files need a golden!() entry: {names:?}"
    );
}

#[test]
fn tutorial_ward_first_merge() {
    let f = read_json("linkage/tutorial2.json");
    let x = matrix(&f["X"]);
    let z = linkage(x.view(), Method::Ward, &Metric::Euclidean).unwrap();
    assert_eq!((z[[0, 0]], z[[0, 1]], z[[0, 3]]), (52.0, 53.0, 2.0));
    assert!((z[[0, 2]] - 0.0415).abs() < 1e-4);
}
