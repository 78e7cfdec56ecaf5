//! Criterion benches, CPU against GPU: the distance matrix and linkage at
//! n = 2,000, 10,000 and 20,000 with d = 32 and 256 (override the sizes
//! with HCLUST_BENCH_N=2000,5000 and the dimensions with HCLUST_BENCH_D=32).
//! Without a GPU adapter only the CPU is timed, and it says so.
//!
//! A chain (points on a line with growing gaps, where rounds merge one
//! pair at a time) is timed at n = 2,000 and 10,000
//! (HCLUST_BENCH_CHAIN_N) for single, average, ward and centroid.
//!
//! `cargo bench --bench gpu`. On lavapipe (a CPU Vulkan driver) the GPU
//! figures prove nothing about speed; run it on a real GPU.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hclust::backend::{select_backend, Backend, BackendChoice, CpuBackend, Precision};
use hclust::datasets::blobs;
use hclust::{Method, Metric};

fn sizes(var: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(var)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

fn backends() -> Vec<(String, Box<dyn Backend>)> {
    let mut out: Vec<(String, Box<dyn Backend>)> =
        vec![("cpu".into(), Box::new(CpuBackend::default()))];
    for (name, p) in [("gpu-f64", Precision::F64), ("gpu-f32", Precision::F32)] {
        match select_backend(BackendChoice::Gpu, p, usize::MAX) {
            Ok((b, _)) => out.push((name.into(), b)),
            Err(e) => eprintln!("{name}: skipped: {e}"),
        }
    }
    out
}

fn cpu_vs_gpu(c: &mut Criterion) {
    let backends = backends();
    let mut group = c.benchmark_group("cpu_vs_gpu");
    group.sample_size(10);
    for d in sizes("HCLUST_BENCH_D", &[32, 256]) {
        for n in sizes("HCLUST_BENCH_N", &[2000, 10_000, 20_000]) {
            let x = blobs(n, d, 3);
            for (name, b) in &backends {
                group.bench_with_input(
                    BenchmarkId::new(format!("{name}/pdist/d{d}"), n),
                    &x,
                    |bench, x| bench.iter(|| b.pdist(x.view(), &Metric::Euclidean).unwrap()),
                );
                for method in [Method::Single, Method::Average, Method::Ward] {
                    group.bench_with_input(
                        BenchmarkId::new(format!("{name}/{method}/d{d}"), n),
                        &x,
                        |bench, x| {
                            bench.iter(|| b.linkage(x.view(), method, &Metric::Euclidean).unwrap())
                        },
                    );
                }
            }
        }
    }
    group.finish();
}

fn chain(c: &mut Criterion) {
    let backends = backends();
    let mut group = c.benchmark_group("chain");
    group.sample_size(10);
    for n in sizes("HCLUST_BENCH_CHAIN_N", &[2000, 10_000]) {
        let x = hclust::datasets::chain(n);
        for (name, b) in &backends {
            for method in [
                Method::Single,
                Method::Average,
                Method::Ward,
                Method::Centroid,
            ] {
                group.bench_with_input(
                    BenchmarkId::new(format!("{name}/{method}"), n),
                    &x,
                    |bench, x| {
                        bench.iter(|| b.linkage(x.view(), method, &Metric::Euclidean).unwrap())
                    },
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, cpu_vs_gpu, chain);
criterion_main!(benches);
