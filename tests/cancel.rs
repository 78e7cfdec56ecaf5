//! A run stopped through its `Cancel` token returns `Error::Cancelled`
//! promptly on every CPU path, and a token never fired changes nothing.

use std::time::{Duration, Instant};

use hclust::{linkage_with, Algorithm, Cancel, Error, LinkageOptions, Method};
use ndarray::Array2;

mod common;

/// Uniform points: enough spread for distinct distances.
fn points(n: usize, m: usize, seed: u64) -> Array2<f64> {
    common::Lcg(seed).matrix(n, m, |u| u)
}

/// Starts the run, fires the token after `delay`, and returns the result
/// with the time from the firing to the return.
fn cancel_after(
    x: &Array2<f64>,
    opts: LinkageOptions,
    delay: Duration,
) -> (Result<(), Error>, Duration) {
    let token = Cancel::new();
    let opts = LinkageOptions {
        cancel: Some(token.clone()),
        ..opts
    };
    std::thread::scope(|s| {
        let run = s.spawn(|| linkage_with(x.view(), &opts).map(|_| ()));
        std::thread::sleep(delay);
        token.cancel();
        let fired = Instant::now();
        let out = run.join().expect("no panic");
        (out, fired.elapsed())
    })
}

#[test]
fn every_cpu_path_stops_when_its_token_fires() {
    // Each run takes far longer than the delay (seconds in a release
    // build, minutes in a debug one), so an Ok would mean the token was
    // ignored.
    let cases = [
        (
            "matrix average",
            points(14000, 8, 1),
            Method::Average,
            Algorithm::Matrix,
        ),
        (
            "matrix centroid",
            points(14000, 8, 2),
            Method::Centroid,
            Algorithm::Matrix,
        ),
        (
            "vector ward",
            points(30000, 8, 3),
            Method::Ward,
            Algorithm::Vector,
        ),
        (
            "vector single",
            points(30000, 8, 4),
            Method::Single,
            Algorithm::Vector,
        ),
        (
            "vector centroid",
            points(30000, 8, 5),
            Method::Centroid,
            Algorithm::Vector,
        ),
        (
            "tree single",
            points(2_000_000, 2, 6),
            Method::Single,
            Algorithm::Tree,
        ),
        (
            "tree ward",
            points(1_000_000, 2, 7),
            Method::Ward,
            Algorithm::Tree,
        ),
    ];
    for (what, x, method, algorithm) in cases {
        let opts = LinkageOptions {
            algorithm,
            ..LinkageOptions::new(method)
        };
        let (out, after) = cancel_after(&x, opts, Duration::from_millis(300));
        assert!(matches!(out, Err(Error::Cancelled)), "{what}: {out:?}");
        // "Promptly": each check is one merge, one round or a few rows
        // apart; the bound is loose for a loaded debug build.
        assert!(
            after < Duration::from_secs(5),
            "{what}: stopped {after:?} after the token"
        );
    }
}

#[test]
fn a_token_that_never_fires_changes_nothing() {
    let x = points(300, 3, 9);
    for method in [
        Method::Single,
        Method::Average,
        Method::Ward,
        Method::Median,
    ] {
        let plain = linkage_with(x.view(), &LinkageOptions::new(method)).unwrap();
        let opts = LinkageOptions {
            cancel: Some(Cancel::new()),
            ..LinkageOptions::new(method)
        };
        let with = linkage_with(x.view(), &opts).unwrap();
        assert_eq!(plain.z, with.z, "{method}");
    }
    let err = Error::Cancelled.to_string();
    assert!(err.contains("cancelled"), "{err}");
}

#[test]
fn a_token_fired_before_the_start_is_a_cancellation_on_every_matrix_method() {
    // pdist then fills nothing; the run must say it was cancelled (and not,
    // for instance, that the unfilled rows had no neighbour)
    let x = points(3000, 2, 10);
    for method in Method::ALL {
        let token = Cancel::new();
        token.cancel();
        let opts = LinkageOptions {
            cancel: Some(token),
            algorithm: Algorithm::Matrix,
            ..LinkageOptions::new(method)
        };
        match linkage_with(x.view(), &opts) {
            Err(Error::Cancelled) => {}
            other => panic!("{method}: {:?}", other.map(|r| r.z.nrows())),
        }
    }
}
