//! The fixed pseudo-random generator of the unit tests: a 64-bit linear
//! congruential generator (Knuth's MMIX constants), so that every test's
//! data is the same on every machine and every run, without a crate.

/// A seeded stream of pseudo-random numbers.
pub(crate) struct Lcg(pub u64);

impl Lcg {
    /// The next 64-bit state.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }

    /// A uniform f64 in [0, 1) from the state's top 53 bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The state's top 31 bits (the better half of an LCG's bits).
    pub fn high(&mut self) -> u64 {
        self.next_u64() >> 33
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_fixed_and_in_range() {
        let mut a = Lcg(11);
        let mut b = Lcg(11);
        let xs: Vec<f64> = (0..1000).map(|_| a.uniform()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.iter().zip(&xs[1..]).any(|(p, q)| p != q));
        assert_eq!(xs, (0..1000).map(|_| b.uniform()).collect::<Vec<_>>());
        // the first state from seed 0 is the increment
        assert_eq!(Lcg(0).next_u64(), 1442695040888963407);
        assert!(Lcg(5).high() < 1 << 31);
    }
}
