//! Tests of the metrics. Every expected value was computed with scipy 1.17.1
//! (`scipy.spatial.distance.pdist`, numpy 2.4) and printed with `repr`; the
//! results are compared exactly where we reproduce scipy's arithmetic bit for
//! bit, and to 1e-12 where scipy calls LAPACK (default mahalanobis).

use ndarray::{array, Array2};

use crate::distance::{pdist, CustomMetric, Metric};
use crate::error::Error;

/// The small non-negative matrix most tests use (no zero or constant row).
fn x5() -> Array2<f64> {
    array![
        [1., 0., 2., 1.],
        [0., 3., 1., 2.],
        [2., 2., 5., 1.],
        [0., 1., 1., 4.],
        [3., 0., 0., 1.]
    ]
}

/// A 0/1 matrix with one all-zero row.
fn b5() -> Array2<f64> {
    array![
        [1., 0., 1., 1., 0., 0.],
        [0., 1., 1., 0., 0., 1.],
        [1., 1., 1., 1., 1., 0.],
        [0., 0., 0., 0., 0., 0.],
        [1., 0., 0., 0., 0., 1.]
    ]
}

/// Non-binary data for the boolean metrics; rows 2 and 3 are all zero.
fn nb4() -> Array2<f64> {
    array![
        [2., 0., -1., 0.5],
        [1., 0., 3., 0.],
        [0., 0., 0., 0.],
        [0., 0., 0., 0.]
    ]
}

fn run(x: &Array2<f64>, metric: Metric) -> Vec<f64> {
    pdist(x.view(), &metric)
        .unwrap_or_else(|e| panic!("{metric}: {e}"))
        .into_vec()
}

fn err(x: &Array2<f64>, metric: Metric) -> String {
    pdist(x.view(), &metric).unwrap_err().to_string()
}

#[test]
fn plain_metrics_match_scipy_exactly() {
    let x = x5();
    let cases: [(&str, [f64; 10]); 14] = [
        (
            "euclidean",
            [
                3.4641016151377544,
                3.7416573867739413,
                3.4641016151377544,
                2.8284271247461903,
                4.69041575982343,
                2.8284271247461903,
                4.47213595499958,
                5.477225575051661,
                5.477225575051661,
                4.47213595499958,
            ],
        ),
        (
            "sqeuclidean",
            [12.0, 14.0, 12.0, 8.0, 22.0, 8.0, 20.0, 30.0, 30.0, 20.0],
        ),
        (
            "cityblock",
            [6.0, 6.0, 6.0, 4.0, 8.0, 4.0, 8.0, 10.0, 8.0, 8.0],
        ),
        (
            "chebyshev",
            [3.0, 3.0, 3.0, 2.0, 4.0, 2.0, 3.0, 4.0, 5.0, 3.0],
        ),
        (
            "minkowski",
            [
                3.4641016151377544,
                3.7416573867739413,
                3.4641016151377544,
                2.8284271247461903,
                4.69041575982343,
                2.8284271247461903,
                4.47213595499958,
                5.477225575051661,
                5.477225575051661,
                4.47213595499958,
            ],
        ),
        (
            "seuclidean",
            [
                2.5963163338785176,
                2.3181045927698487,
                2.5963163338785176,
                1.8531115070474493,
                2.8024517995908877,
                2.1693045781865616,
                3.3833032466076056,
                3.5439551975118677,
                3.114150482450228,
                3.3833032466076056,
            ],
        ),
        (
            "cosine",
            [
                0.5635642195280153,
                0.08981794538179355,
                0.42264973081037416,
                0.4836022205056777,
                0.40414597693166276,
                0.2440710539815455,
                0.8309691490542968,
                0.5553513541000562,
                0.6203716988173518,
                0.7018576030000281,
            ],
        ),
        (
            "correlation",
            [
                1.632455532033676,
                0.29289321881345254,
                1.0,
                1.0,
                1.298142396999972,
                0.5527864045000421,
                1.7302967433402214,
                1.4444444444444444,
                1.4082482904638631,
                1.2721655269759087,
            ],
        ),
        (
            "canberra",
            [
                2.666666666666667,
                1.7619047619047619,
                2.9333333333333336,
                1.5,
                2.2,
                0.8333333333333333,
                3.3333333333333335,
                2.6,
                2.2,
                3.6,
            ],
        ),
        (
            "braycurtis",
            [
                0.6,
                0.42857142857142855,
                0.6,
                0.5,
                0.5,
                0.3333333333333333,
                0.8,
                0.625,
                0.5714285714285714,
                0.8,
            ],
        ),
        (
            "jensenshannon",
            [
                0.5536430274247462,
                0.295482753376834,
                0.4869707543900507,
                0.48856198492162156,
                0.42339525918214527,
                0.26818001065132574,
                0.7028268990457806,
                0.4805750321002783,
                0.5865063929564485,
                0.6516023049663686,
            ],
        ),
        (
            "hamming",
            [1.0, 0.75, 1.0, 0.5, 1.0, 0.5, 1.0, 1.0, 0.75, 1.0],
        ),
        (
            "jaccard",
            [
                0.5,
                0.25,
                0.5,
                0.3333333333333333,
                0.25,
                0.0,
                0.75,
                0.25,
                0.5,
                0.75,
            ],
        ),
        ("yule", [2.0, 0.0, 2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 2.0]),
    ];
    for (name, want) in cases {
        assert_eq!(run(&x, Metric::from_name(name).unwrap()), want, "{name}");
    }
}

#[test]
fn default_mahalanobis_matches_scipy_to_rounding() {
    // With n = m + 1 observations every distance is sqrt(8); scipy's values
    // differ from it in the last bits (LAPACK), so compare to 1e-12.
    let got = run(&x5(), Metric::Mahalanobis { vi: None });
    for (g, w) in got
        .iter()
        .zip([2.8284271247461903, 2.8284271247461907, 2.828427124746191])
    {
        assert!((g - w).abs() < 1e-12 * w, "{g} vs {w}");
    }
    // A better-posed case: 300 pseudo-random points in 3-D (checked against
    // a direct computation of sqrt(d^T inv(cov) d)).
    let mut rng = crate::test_rng::Lcg(7);
    let x = Array2::from_shape_fn((300, 3), |(_, k)| rng.uniform() * (k + 1) as f64);
    let got = run(&x, Metric::Mahalanobis { vi: None });
    let cov = super::linalg::covariance(x.as_slice().unwrap(), 300, 3);
    let inv = super::linalg::invert_spd(&cov, 3).unwrap();
    let d: Vec<f64> = (0..3).map(|k| x[[0, k]] - x[[1, k]]).collect();
    let q: f64 = (0..9).map(|t| d[t / 3] * inv[t] * d[t % 3]).sum();
    assert!((got[0] - q.sqrt()).abs() < 1e-12 * q.sqrt());
    // Identity check: inv(cov) * cov = I.
    for a in 0..3 {
        for b in 0..3 {
            let v: f64 = (0..3).map(|k| inv[a * 3 + k] * cov[k * 3 + b]).sum();
            assert!((v - f64::from(u8::from(a == b))).abs() < 1e-12);
        }
    }
}

#[test]
fn parameters_match_scipy() {
    let x = x5();
    let w = Some(vec![1.0, 0.5, 2.0, 0.0]);
    let mk = |p: f64, w: &Option<Vec<f64>>| Metric::Minkowski { p, w: w.clone() };
    assert_eq!(
        run(&x, mk(3.0, &None)),
        [
            3.1072325059538586,
            3.3019272488946263,
            3.1072325059538586,
            2.5198420997897464,
            4.198336453808407,
            2.5198420997897464,
            3.825862365544778,
            4.641588833612778,
            5.117229946912048,
            3.825862365544778
        ]
    );
    assert_eq!(
        run(&x, mk(1.5, &w)),
        [
            3.152771802922661,
            5.473780591814476,
            2.3052181460292234,
            4.160167646103808,
            7.202186161736292,
            1.2599210498948732,
            4.577694703392682,
            7.202186161736292,
            8.498478804492352,
            3.8980652712167925
        ]
    );
    // p = inf ignores the zero-weight feature, as scipy.
    assert_eq!(
        run(&x, mk(f64::INFINITY, &w)),
        [3.0, 3.0, 1.0, 2.0, 4.0, 2.0, 3.0, 4.0, 5.0, 3.0]
    );
    assert_eq!(
        run(&x, mk(2.0, &w)),
        [
            2.7386127875258306,
            4.58257569495584,
            1.8708286933869707,
            3.4641016151377544,
            6.041522986797286,
            std::f64::consts::SQRT_2,
            3.9370039370059056,
            6.041522986797286,
            7.280109889280518,
            3.391164991562634
        ]
    );
    assert_eq!(
        run(
            &x,
            Metric::SEuclidean {
                v: Some(vec![1.0, 2.0, 3.0, 4.0])
            }
        ),
        [
            2.4664414311581235,
            2.449489742783178,
            2.0207259421636903,
            2.309401076758503,
            3.1754264805429413,
            1.7320508075688772,
            3.7527767497325675,
            3.4761089357690347,
            3.366501646120693,
            3.476108935769035
        ]
    );
    let vi = array![
        [2., 0.5, 0., 0.],
        [0.5, 1., 0., 0.],
        [0., 0., 1., 0.2],
        [0., 0., 0.2, 3.]
    ];
    assert_eq!(
        run(&x, Metric::Mahalanobis { vi: Some(vi) }),
        [
            3.4058772731852804,
            4.123105625617661,
            5.366563145999495,
            3.4641016151377544,
            4.9396356140913875,
            4.0,
            4.732863826479693,
            7.014271166700073,
            5.385164807134504,
            6.723094525588644
        ]
    );
}

#[test]
fn boolean_metrics_match_scipy() {
    let b = b5();
    let cases: [(&str, [f64; 10]); 7] = [
        (
            "dice",
            [
                0.6666666666666666,
                0.25,
                1.0,
                0.6,
                0.5,
                1.0,
                0.6,
                1.0,
                0.7142857142857143,
                1.0,
            ],
        ),
        (
            "hamming",
            [
                0.6666666666666666,
                0.3333333333333333,
                0.5,
                0.5,
                0.6666666666666666,
                0.5,
                0.5,
                0.8333333333333334,
                0.8333333333333334,
                0.3333333333333333,
            ],
        ),
        (
            "jaccard",
            [
                0.8,
                0.4,
                1.0,
                0.75,
                0.6666666666666666,
                1.0,
                0.75,
                1.0,
                0.8333333333333334,
                1.0,
            ],
        ),
        (
            "rogerstanimoto",
            [
                0.8,
                0.5,
                0.6666666666666666,
                0.6666666666666666,
                0.8,
                0.6666666666666666,
                0.6666666666666666,
                0.9090909090909091,
                0.9090909090909091,
                0.5,
            ],
        ),
        (
            "russellrao",
            [
                0.8333333333333334,
                0.5,
                1.0,
                0.8333333333333334,
                0.6666666666666666,
                1.0,
                0.8333333333333334,
                1.0,
                0.8333333333333334,
                1.0,
            ],
        ),
        (
            "sokalsneath",
            [
                0.8888888888888888,
                0.5714285714285714,
                1.0,
                0.8571428571428571,
                0.8,
                1.0,
                0.8571428571428571,
                1.0,
                0.9090909090909091,
                1.0,
            ],
        ),
        ("yule", [1.6, 0.0, 0.0, 1.0, 2.0, 0.0, 1.0, 0.0, 2.0, 0.0]),
    ];
    for (name, want) in cases {
        assert_eq!(run(&b, Metric::from_name(name).unwrap()), want, "{name}");
    }
    // yule is 0, not 0/0, when ntf * nft = 0.
    assert_eq!(
        run(
            &array![[1., 1., 0.], [1., 1., 0.], [0., 0., 0.]],
            Metric::Yule
        ),
        [0.0; 3]
    );
}

#[test]
fn non_binary_input_follows_scipy() {
    let x = nb4();
    // hamming compares values; jaccard & co. treat non-zero as true, and two
    // all-zero rows have jaccard 0.
    assert_eq!(run(&x, Metric::Hamming), [0.75, 0.75, 0.75, 0.5, 0.5, 0.0]);
    assert_eq!(
        run(&x, Metric::Jaccard),
        [0.3333333333333333, 1.0, 1.0, 1.0, 1.0, 0.0]
    );
    assert_eq!(
        run(&x, Metric::RogersTanimoto),
        [
            0.4,
            0.8571428571428571,
            0.8571428571428571,
            0.6666666666666666,
            0.6666666666666666,
            0.0
        ]
    );
    assert_eq!(run(&x, Metric::RussellRao), [0.5, 1.0, 1.0, 1.0, 1.0, 1.0]);
    assert_eq!(run(&x, Metric::Yule), [0.0; 6]);
    assert_eq!(
        run(&x, Metric::Canberra),
        [2.333333333333333, 3.0, 3.0, 2.0, 2.0, 0.0]
    );
    // scipy returns NaN for the two all-zero rows: an error naming them.
    for metric in [Metric::SokalSneath, Metric::Dice] {
        let e = err(&x, metric);
        assert!(e.contains("observations 2 and 3 are both all zero"), "{e}");
    }
    let e = err(&x, Metric::BrayCurtis);
    assert!(e.contains("observations 2 and 3"), "{e}");
    // scipy's dice is arithmetic: non-0/1 data can give negative values.
    let e = err(&array![[1., 0., 2., 0.], [2., 0., 1., 0.]], Metric::Dice);
    assert!(e.contains("-0.333") && e.contains("0/1"), "{e}");
}

#[test]
fn degenerate_rows_are_errors_not_nan() {
    let e = err(&array![[1., 2.], [0., 0.], [3., 1.]], Metric::Cosine);
    assert!(e.contains("observation 1 is all zeros"), "{e}");
    let e = err(&array![[1., 1., 1.], [1., 2., 3.]], Metric::Correlation);
    assert!(e.contains("observation 0 is constant"), "{e}");
    let e = err(
        &array![[0.1, -0.2, 0.7], [0.1, 0.2, 0.7]],
        Metric::JensenShannon,
    );
    assert!(e.contains("observation 0 has a negative entry"), "{e}");
    let e = err(&array![[1., -2.], [-1., 2.]], Metric::BrayCurtis);
    assert!(e.contains("sum |u + v| is 0") && e.contains("inf"), "{e}");
    let e = err(
        &array![[1., 1.], [2., 1.], [3., 1.]],
        Metric::SEuclidean { v: None },
    );
    assert!(e.contains("column 1 is constant"), "{e}");
    let big = array![[1e200, 0.], [-1e200, 0.]];
    let e = pdist(big.view(), &Metric::Euclidean).unwrap_err();
    assert!(matches!(e, Error::Overflow { .. }), "{e}");
    let e = e.to_string();
    assert!(
        e.contains("euclidean distance between observations 0 and 1 overflows f64")
            && e.contains("rescale the data"),
        "{e}"
    );
}

#[test]
fn jensenshannon_rounding_below_zero_gives_zero() {
    // scipy: 8.815645848363066e-09 for the first pair, NaN for the second
    // (its divergence rounds to a tiny negative number); we give 0 there.
    let x = array![[0.1, 0.2, 0.7], [0.1, 0.2, 0.7000000000000001]];
    assert_eq!(run(&x, Metric::JensenShannon), [8.815645848363066e-09]);
    let x = array![[1., 2., 3.], [1.0000000000000002, 2., 3.]];
    assert_eq!(run(&x, Metric::JensenShannon), [0.0]);
}

#[test]
fn mahalanobis_singular_covariance_is_an_error() {
    let e = err(
        &x5().slice(ndarray::s![..4, ..]).to_owned(),
        Metric::Mahalanobis { vi: None },
    );
    assert!(
        e.contains("observations (4) is too small") && e.contains("pass VI"),
        "{e}"
    );
    // The third column repeats the second: scipy raises LinAlgError.
    let x = array![
        [1., 2., 2.],
        [2., 4.1, 4.1],
        [3., 6., 6.],
        [0., 0.5, 0.5],
        [1., 1., 1.]
    ];
    let e = err(&x, Metric::Mahalanobis { vi: None });
    assert!(
        e.contains("singular") && e.contains("linearly dependent"),
        "{e}"
    );
    let x = array![
        [1., 2., 5.],
        [2., 4.1, 5.],
        [3., 6., 5.],
        [0., 0.5, 5.],
        [1., 1., 5.]
    ];
    let e = err(&x, Metric::Mahalanobis { vi: None });
    assert!(e.contains("column 2 is constant"), "{e}");
}

#[test]
fn bad_parameters_are_rejected_with_the_reason() {
    let x = x5();
    let cases = [
        (
            Metric::Minkowski { p: 0.0, w: None },
            "p must be > 0, got 0",
        ),
        (
            Metric::Minkowski {
                p: f64::NAN,
                w: None,
            },
            "p must be > 0",
        ),
        (
            Metric::Minkowski {
                p: 2.0,
                w: Some(vec![1.0; 3]),
            },
            "expected 4, got 3",
        ),
        (
            Metric::Minkowski {
                p: 2.0,
                w: Some(vec![1.0, -1.0, 1.0, 1.0]),
            },
            "w[1] = -1",
        ),
        (
            Metric::SEuclidean {
                v: Some(vec![1.0; 5]),
            },
            "expected 4, got 5",
        ),
        (
            Metric::SEuclidean {
                v: Some(vec![1.0, 1.0, 0.0, 1.0]),
            },
            "V[2] = 0",
        ),
        (
            Metric::Mahalanobis {
                vi: Some(Array2::eye(3)),
            },
            "must be 4 x 4 (features x features), got 3 x 3",
        ),
    ];
    for (metric, want) in cases {
        let e = pdist(x.view(), &metric).unwrap_err();
        assert!(matches!(e, Error::BadMetricParameter { .. }), "{e}");
        assert!(e.to_string().contains(want), "{e}");
    }
}

#[test]
fn custom_metric_results_are_checked() {
    let x = x5();
    let l1 = CustomMetric::new("l1", |u, v| {
        u.iter().zip(v).map(|(a, b)| (a - b).abs()).sum()
    });
    assert_eq!(run(&x, Metric::Custom(l1)), run(&x, Metric::Cityblock));
    let nan = CustomMetric::new("nan", |u, _| if u[0] == 2.0 { f64::NAN } else { 1.0 });
    match pdist(x.view(), &Metric::Custom(nan)).unwrap_err() {
        Error::NonFinite {
            what, row, column, ..
        } => {
            assert_eq!(
                (what.as_str(), row, column),
                ("the custom metric's result", 2, 3)
            );
        }
        e => panic!("{e}"),
    }
    let neg = CustomMetric::new("neg", |u, v| u[1] - v[1]);
    match pdist(x.view(), &Metric::Custom(neg)).unwrap_err() {
        Error::NegativeDistance { i, j, value } => assert_eq!((i, j, value), (0, 1, -3.0)),
        e => panic!("{e}"),
    }
}

/// A pseudo-random n x m matrix.
fn noise(n: usize, m: usize, seed: u64) -> Array2<f64> {
    let mut rng = crate::test_rng::Lcg(seed);
    Array2::from_shape_fn((n, m), |_| rng.uniform() - 0.3)
}

#[test]
fn tiles_cover_every_pair_for_any_size() {
    // The tiled kernel against a plain loop in scipy's order, for sizes
    // around the tile width, odd and even feature counts, and a
    // non-contiguous (transposed) input.
    for (n, m) in [
        (2, 1),
        (3, 2),
        (7, 3),
        (8, 4),
        (9, 5),
        (16, 1),
        (17, 6),
        (40, 9),
    ] {
        let x = noise(n, m, (n * 31 + m) as u64);
        let mut want = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                let s = (0..m).fold(0.0, |s, k| s + (x[[i, k]] - x[[j, k]]).powi(2));
                want.push(s.sqrt());
            }
        }
        assert_eq!(run(&x, Metric::Euclidean), want, "n = {n}, m = {m}");
        let xt = x.t().to_owned();
        assert_eq!(pdist(xt.t(), &Metric::Euclidean).unwrap().into_vec(), want);
        let cos = run(&x, Metric::Cosine);
        for (k, (i, j)) in (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .enumerate()
        {
            let sum = |f: &dyn Fn(usize) -> f64| super::split_sum(m, f);
            let dot = sum(&|k| x[[i, k]] * x[[j, k]]);
            let c = dot
                / (sum(&|k| x[[i, k]] * x[[i, k]]).sqrt() * sum(&|k| x[[j, k]] * x[[j, k]]).sqrt());
            assert_eq!(cos[k], 1.0 - c.clamp(-1.0, 1.0), "cosine n = {n}, m = {m}");
        }
    }
}

#[test]
fn split_sum_is_scipy_order() {
    // (even + odd) + last: with these values sequential summation gives a
    // different result.
    let v = [1e16, 1.0, -1e16, 1.0, 1.0];
    assert_eq!(super::split_sum(5, |k| v[k]), 3.0);
    assert_eq!(v.iter().fold(0.0, |s, x| s + x), 2.0);
    assert_eq!(super::split_sum(1, |_| 4.0), 4.0);
    assert_eq!(super::split_sum(0, |_| 4.0), 0.0);
}

#[test]
fn numpy_helpers() {
    // np.var(X, axis=0, ddof=1) and np.add.reduce of 300 values.
    let x = x5();
    assert_eq!(
        super::linalg::column_variances(x.as_slice().unwrap(), 5, 4),
        [
            1.7000000000000002,
            1.7000000000000002,
            3.7000000000000006,
            1.7000000000000002
        ]
    );
    let v: Vec<f64> = (0..300).map(|k| 1.0 / (k + 1) as f64).collect();
    // Sequential summation gives 6.282663880299502.
    assert_eq!(super::linalg::pairwise_sum(&v), 6.282663880299504);
}

#[test]
fn euclidean_row_minima_agree_with_a_scan_of_each_row() {
    // integer points on a small grid: many tied distances, and duplicates
    // (distance 0); sizes below, at and across the row groups and tiles
    for n in [2usize, 3, 9, 17, 70, 301] {
        let mut rng = crate::test_rng::Lcg(11 + n as u64);
        let x = Array2::from_shape_fn((n, 3), |_| (rng.high() % 4) as f64);
        let plain = pdist(x.view(), &Metric::Euclidean).unwrap();
        let (y, minima) =
            crate::distance::pdist_euclidean_with_row_minima::<f64>(x.view()).unwrap();
        assert_eq!(y.as_slice(), plain.as_slice(), "n = {n}: the distances");
        assert_eq!(minima.len(), n - 1);
        for (i, got) in minima.iter().enumerate() {
            let row: Vec<f64> = (i + 1..n).map(|j| y.get(i, j)).collect();
            // the first of the smallest, by a plain scan
            let mut want = None;
            for (k, &v) in row.iter().enumerate() {
                if want.is_none_or(|(best, _)| v < best) {
                    want = Some((v, k));
                }
            }
            assert_eq!(*got, want, "n = {n}, row {i}");
        }
    }
}
