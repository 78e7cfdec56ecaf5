//! Criterion benches: pdist and linkage on the CPU, per method and size.
//!
//! Data: 10 Gaussian blobs in d = 32 dimensions from a fixed seed, built
//! outside the timed closures. Run with `cargo bench --bench linkage`; the
//! comparison with scipy and fastcluster is `benches/compare.py`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hclust::{linkage_condensed, pdist, Method, Metric};
use ndarray::Array2;

/// A small deterministic generator (xorshift64*), so the benches need no
/// random-number crate.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next_f64().max(1e-300), self.next_f64());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// n points around 10 random centres in d dimensions.
fn blobs(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut rng = Rng(seed | 1);
    let centres: Vec<f64> = (0..10 * d).map(|_| rng.normal() * 10.0).collect();
    Array2::from_shape_fn((n, d), |(i, j)| centres[(i % 10) * d + j] + rng.normal())
}

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
