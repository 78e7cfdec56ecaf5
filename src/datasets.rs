//! Synthetic data for benchmarks and examples: Gaussian blobs from a fixed
//! seed, the same on every machine.

use ndarray::Array2;

/// A small deterministic generator (xorshift64*), so results do not depend
/// on a random-number crate's version.
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

/// `n` points in `d` dimensions around 10 centres drawn with standard
/// deviation 10; each point is its centre plus standard normal noise.
pub fn blobs(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let centres: Vec<f64> = (0..10 * d).map(|_| rng.normal() * 10.0).collect();
    Array2::from_shape_fn((n, d), |(i, j)| centres[(i % 10) * d + j] + rng.normal())
}

/// `n` points on a line whose gaps grow (1 + k/1000 before point k): the
/// worst case for merging in rounds, since only one reciprocal pair exists
/// at a time, and a nearest-neighbour chain as long as the data.
pub fn chain(n: usize) -> Array2<f64> {
    let mut x = Array2::zeros((n, 1));
    for k in 1..n {
        x[[k, 0]] = x[[k - 1, 0]] + 1.0 + k as f64 * 1e-3;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_deterministic_and_spread() {
        let a = blobs(100, 3, 1);
        assert_eq!(a, blobs(100, 3, 1));
        assert_ne!(a, blobs(100, 3, 2));
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        assert!(mean.abs() < 10.0 && a.iter().all(|v| v.is_finite()));
    }
}
