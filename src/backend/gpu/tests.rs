//! Unit tests of the GPU internals that the public API cannot reach: the
//! reduction's tie and NaN rules, the write-back of a round, and wgpu
//! failures (a failed map, a lost device) turning into [`Error::Gpu`].
//! Skipped (with a note) without an adapter unless HCLUST_REQUIRE_GPU=1.

use super::*;
use crate::error::Error;
use crate::linkage::rounds::NeighbourSource;
use prim_exact::Declined;

/// The backend, or None (test skipped) when there is no adapter.
fn backend(precision: Precision) -> Option<GpuBackend> {
    match GpuBackend::new(precision) {
        Ok(b) if b.precision() != precision => {
            eprintln!("skipped: the GPU adapter has no {precision:?}");
            None
        }
        Ok(b) => Some(b),
        Err(Error::NoGpuAdapter { reason }) => {
            assert!(
                std::env::var("HCLUST_REQUIRE_GPU").as_deref() != Ok("1"),
                "HCLUST_REQUIRE_GPU=1 but there is no GPU adapter: {reason}"
            );
            eprintln!("skipped: no GPU adapter");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// The nearest active neighbour by brute force (strict `<` from infinity).
fn brute(n: usize, sq: &[f64], active: &[bool], r: usize) -> Option<usize> {
    brute_from(n, sq, active, r, 0)
}

/// The same among the columns `from..n`.
fn brute_from(n: usize, sq: &[f64], active: &[bool], r: usize, from: usize) -> Option<usize> {
    let mut best = (f64::INFINITY, None);
    for j in (from..n).filter(|&j| j != r && active[j]) {
        if sq[r * n + j] < best.0 {
            best = (sq[r * n + j], Some(j));
        }
    }
    best.1
}

fn condensed_of(n: usize, sq: &[f64]) -> Vec<f64> {
    let mut d = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            d.push(sq[i * n + j]);
        }
    }
    d
}

/// What the reduction must list for row r among the columns `from..n`:
/// every active column at the row's held minimum (the values as the
/// device holds them), when there are at most CANDIDATES of them.
fn expected_candidates(
    n: usize,
    sq: &[f64],
    active: &[bool],
    r: usize,
    from: usize,
    precision: Precision,
) -> Option<Vec<u32>> {
    let held = |v: f64| match precision {
        Precision::F64 => v,
        Precision::F32 => v as f32 as f64,
    };
    let cols = (from..n).filter(|&j| j != r && active[j]);
    let min = cols
        .clone()
        .map(|j| held(sq[r * n + j]))
        .fold(f64::INFINITY, |m, v| if v < m { v } else { m });
    if min == f64::INFINITY {
        return None;
    }
    let all: Vec<u32> = cols
        .filter(|&j| held(sq[r * n + j]) == min)
        .map(|j| j as u32)
        .collect();
    (all.len() <= crate::linkage::rounds::CANDIDATES).then_some(all)
}

#[test]
fn argmin_takes_the_lowest_index_on_ties_and_never_nan_or_inf() {
    for precision in [Precision::F64, Precision::F32] {
        let Some(b) = backend(precision) else {
            continue;
        };
        let n = 600;
        let mut sq = vec![0.0; n * n];
        for i in 0..n {
            for j in i + 1..n {
                // Many ties (values 1..7), some NaN and infinite entries.
                let v = match (i * 31 + j * 17) % 23 {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    k => 1.0 + (k % 7) as f64,
                };
                sq[i * n + j] = v;
                sq[j * n + i] = v;
            }
        }
        // Row 5 sees only NaN and infinity.
        for j in 0..n {
            if j != 5 {
                let v = if j % 2 == 0 { f64::NAN } else { f64::INFINITY };
                sq[5 * n + j] = v;
                sq[j * n + 5] = v;
            }
        }
        let d = condensed_of(n, &sq);
        // Small blocks: several buffers and dispatches.
        let mut m = GpuMatrix::new(&b.ctx, &b.merge, n, &d, 64 * 1024).unwrap();
        let rows: Vec<usize> = (0..n).collect();
        let mut active = vec![true; n];
        let got = m.nearest(&rows).unwrap();
        for &r in &rows {
            let want = expected_candidates(n, &sq, &active, r, 0, precision);
            assert_eq!(got[r].all_listed(), want, "{precision:?} row {r}");
            let exact = |j: usize| sq[r * n + j];
            assert_eq!(
                got[r].resolve(exact, || brute(n, &sq, &active, r)),
                brute(n, &sq, &active, r),
                "{precision:?} row {r}"
            );
        }
        assert_eq!(got[5].resolve(|_| 0.0, || None), None);

        // Deactivate some slots and rewrite two rows and columns.
        for k in (0..n).step_by(3) {
            active[k] = false;
        }
        let slots = [7, 400];
        let mut staged = vec![0.0; 2 * n];
        for (t, &s) in slots.iter().enumerate() {
            for j in 0..n {
                if j != s {
                    let v = 0.5 + ((s + j) % 5) as f64;
                    staged[t * n + j] = v;
                    sq[s * n + j] = v;
                    sq[j * n + s] = v;
                }
            }
        }
        // Both rows hold d(7, 400): make them agree.
        sq[7 * n + 400] = staged[400];
        sq[400 * n + 7] = staged[400];
        staged[n + 7] = staged[400];
        m.update(&slots, &staged, &active).unwrap();
        let rows: Vec<usize> = (0..n).filter(|&r| active[r]).collect();
        let got = m.nearest(&rows).unwrap();
        for (k, &r) in rows.iter().enumerate() {
            assert_eq!(
                got[k].all_listed(),
                expected_candidates(n, &sq, &active, r, 0, precision),
                "{precision:?} after update, row {r}"
            );
        }
        // Only the columns above each row (the generic algorithm's scan).
        let above = m.nearest_above(&rows).unwrap();
        for (k, &r) in rows.iter().enumerate() {
            assert_eq!(
                above[k].all_listed(),
                expected_candidates(n, &sq, &active, r, r + 1, precision),
                "{precision:?} above, row {r}"
            );
            let exact = |j: usize| sq[r * n + j];
            let scan = || brute_from(n, &sq, &active, r, r + 1);
            assert_eq!(
                above[k].resolve(exact, scan),
                scan(),
                "{precision:?} above, row {r}"
            );
        }
        assert_eq!(
            above[rows.len() - 1].resolve(|_| 0.0, || None),
            None,
            "nothing above the last row"
        );
    }
}

#[test]
fn a_failed_map_is_a_gpu_error() {
    let Some(b) = backend(Precision::F64) else {
        return;
    };
    let staging = b.ctx.staging("test read-back", 16).unwrap();
    // Map it once and leave it mapped: mapping it again must fail.
    staging.slice(..16).map_async(wgpu::MapMode::Read, |_| {});
    b.ctx
        .device
        .poll(wgpu::PollType::wait_indefinitely())
        .unwrap();
    let e = b
        .ctx
        .map_read("the test buffer", &staging, 16, 16)
        .unwrap_err();
    assert!(matches!(e, Error::Gpu { .. }), "{e}");
    assert!(
        e.to_string().contains("reading back the test buffer"),
        "{e}"
    );
}

#[test]
fn a_lost_device_is_a_gpu_error_not_a_panic() {
    let Some(b) = backend(Precision::F64) else {
        return;
    };
    b.ctx.device.destroy();
    let x = ndarray::array![[0.0, 1.0], [2.0, 3.0], [4.0, 7.0]];
    let e = b.pdist(x.view(), &Metric::Euclidean).unwrap_err();
    assert!(matches!(e, Error::Gpu { .. }), "{e}");
    let y = CondensedMatrix::new(vec![1.0, 2.0, 3.0]).unwrap();
    let e = b.linkage_condensed(y, Method::Ward).unwrap_err();
    assert!(matches!(e, Error::Gpu { .. }), "{e}");
}

/// Points from a fixed generator: uniform in [0, 1), or on a small integer
/// grid (many exactly tied distances and some identical points).
fn points(n: usize, m: usize, seed: u64, f: impl Fn(f64) -> f64) -> Array2<f64> {
    let mut rng = crate::test_rng::Lcg(seed);
    Array2::from_shape_fn((n, m), |_| f(rng.uniform()))
}

#[test]
fn exact_prim_in_f32_gives_the_cpus_z_to_the_bit_ties_included() {
    let Some(b) = backend(Precision::F32) else {
        return;
    };
    assert_eq!(b.single_path(1000), SinglePath::Device);
    let cases = [
        ("uniform", points(300, 3, 1, |u| u)),
        ("grid", points(300, 2, 2, |u| (u * 8.0).floor())),
        ("far from the origin", points(200, 4, 3, |u| 1e6 + u)),
        (
            "close pairs",
            points(200, 2, 4, |u| (u * 10.0).floor() + u * 1e-6),
        ),
        ("many features", points(120, 64, 5, |u| u - 0.5)),
        ("several workgroups", points(600, 1, 6, |u| u)),
        // 2048 features: columns in two dispatches.
        ("two dispatches", points(520, 2048, 7, |u| u)),
        ("two points", points(2, 3, 8, |u| u)),
    ];
    for (what, x) in cases {
        let g = b
            .linkage(x.view(), Method::Single, &Metric::Euclidean)
            .unwrap();
        let c = crate::linkage::single_euclidean(x.view()).unwrap();
        assert_eq!(g, c, "{what}");
        assert_eq!(b.take_notes(), Vec::<String>::new(), "{what}: no fallback");
    }
}

#[test]
fn exact_prim_in_f32_lists_few_pairs_beyond_the_trees_own() {
    let Some(b) = backend(Precision::F32) else {
        return;
    };
    let x = points(400, 3, 9, |u| u);
    let data = x.as_slice().unwrap();
    // Room for the tree's n - 1 edges and 10% more is enough.
    let merges =
        prim_exact::prim_edges_exact(&b.ctx, &b.prim, &b.candidates, data, 400, 3, 439).unwrap();
    assert!(merges.is_ok(), "{merges:?}");
    let declined =
        prim_exact::prim_edges_exact(&b.ctx, &b.prim, &b.candidates, data, 400, 3, 398).unwrap();
    assert!(
        matches!(declined, Err(Declined::TooManyPairs(k)) if (399..=439).contains(&k)),
        "{declined:?}"
    );
}

#[test]
fn exact_prim_in_f32_falls_back_to_the_cpu_on_too_many_ties_saying_so() {
    let Some(mut b) = backend(Precision::F32) else {
        return;
    };
    // 3 points with 60 copies each: 3 x 1770 pairs at distance 0.
    let x = Array2::from_shape_fn((180, 2), |(i, k)| ((i % 3) * (k + 1)) as f64);
    b.pair_room = Some(1000);
    let g = b
        .linkage(x.view(), Method::Single, &Metric::Euclidean)
        .unwrap();
    assert_eq!(g, crate::linkage::single_euclidean(x.view()).unwrap());
    let notes = b.take_notes();
    assert!(
        notes.len() == 1
            && notes[0].contains("ran on the CPU")
            && notes[0].contains("more than it has room for"),
        "{notes:?}"
    );
    // With room, the device's answer is the same.
    b.pair_room = None;
    let g = b
        .linkage(x.view(), Method::Single, &Metric::Euclidean)
        .unwrap();
    assert_eq!(g, crate::linkage::single_euclidean(x.view()).unwrap());
    assert_eq!(b.take_notes(), Vec::<String>::new());
}
