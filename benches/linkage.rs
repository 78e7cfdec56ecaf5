//! Criterion benches: pdist and linkage on the CPU, per method and size.
//!
//! Data: 10 Gaussian blobs in d = 32 dimensions from a fixed seed, built
//! outside the timed closures. Run with `cargo bench --bench linkage`; the
//! comparison with scipy and fastcluster is `benches/compare.py`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hclust::datasets::blobs;
use hclust::{linkage_condensed, pdist, Method, Metric};

fn bench_pdist(c: &mut Criterion) {
    let mut group = c.benchmark_group("pdist");
    group.sample_size(10);
    for n in [1000usize, 4000] {
        let x = blobs(n, 32, 42);
        group.throughput(Throughput::Elements((n * (n - 1) / 2) as u64));
        group.bench_with_input(BenchmarkId::new("cpu/euclidean/d32", n), &x, |b, x| {
            b.iter(|| pdist(x.view(), &Metric::Euclidean).unwrap())
        });
    }
    group.finish();
}

fn bench_linkage(c: &mut Criterion) {
    let mut group = c.benchmark_group("linkage");
    group.sample_size(10);
    for n in [1000usize, 4000] {
        let y = pdist(blobs(n, 32, 7).view(), &Metric::Euclidean).unwrap();
        for method in Method::ALL {
            group.bench_with_input(BenchmarkId::new(format!("cpu/{method}"), n), &y, |b, y| {
                b.iter(|| linkage_condensed(y, method).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_pdist, bench_linkage);
criterion_main!(benches);
