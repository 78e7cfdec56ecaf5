//! The first smallest value of a run of distances, several lanes at a time.
//!
//! A scalar scan with a strict `<` carries one dependency from each value
//! to the next (compare, then select), so it runs at the latency of that
//! pair rather than at the speed of the loads. Here each of [`LANES`]
//! lanes keeps its own minimum and the position where it first saw it
//! (strict `<`, so the earliest of equal values), and the lanes are then
//! combined by (value, position): the same answer as the scalar scan, NaN
//! never chosen, for every input.

use crate::precision::Real;

/// Independent minima kept side by side (two AVX2 registers of f64).
const LANES: usize = 8;

/// The smallest value of `values` below infinity and the first position
/// where it occurs; `None` when there is none (empty, or only infinities
/// and NaN).
pub(crate) fn first_min<T: Real>(values: &[T]) -> Option<(f64, usize)> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { first_min_avx2(values) };
    }
    first_min_body(values)
}

/// [`first_min_body`] compiled for AVX2 (the same operations, wider
/// registers).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn first_min_avx2<T: Real>(values: &[T]) -> Option<(f64, usize)> {
    first_min_body(values)
}

#[inline(always)]
fn first_min_body<T: Real>(values: &[T]) -> Option<(f64, usize)> {
    let mut min = [f64::INFINITY; LANES];
    let mut at = [usize::MAX; LANES];
    let chunks = values.chunks_exact(LANES);
    let tail = chunks.remainder();
    for (c, chunk) in chunks.enumerate() {
        for l in 0..LANES {
            let v = chunk[l].to_f64();
            if v < min[l] {
                min[l] = v;
                at[l] = c * LANES + l;
            }
        }
    }
    let mut best = (f64::INFINITY, usize::MAX);
    for l in 0..LANES {
        if min[l] < best.0 || (min[l] == best.0 && at[l] < best.1) {
            best = (min[l], at[l]);
        }
    }
    let start = values.len() - tail.len();
    for (k, v) in tail.iter().enumerate() {
        // after every lane's positions: only a strictly smaller value wins
        let v = v.to_f64();
        if v < best.0 {
            best = (v, start + k);
        }
    }
    (best.1 != usize::MAX).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scalar scan the lanes must agree with.
    fn scan(values: &[f64]) -> Option<(f64, usize)> {
        let mut best = (f64::INFINITY, usize::MAX);
        for (k, &v) in values.iter().enumerate() {
            if v < best.0 {
                best = (v, k);
            }
        }
        (best.1 != usize::MAX).then_some(best)
    }

    #[test]
    fn agrees_with_the_scalar_scan_ties_nan_and_infinity_included() {
        let mut rng = crate::test_rng::Lcg(9);
        for len in [0, 1, 2, 7, 8, 9, 16, 17, 63, 64, 65, 1000] {
            for levels in [1, 2, 5, 1000] {
                let mut v: Vec<f64> = (0..len).map(|_| (rng.high() % levels) as f64).collect();
                for k in (0..len).step_by(7) {
                    v[k] = f64::NAN;
                }
                for k in (3..len).step_by(11) {
                    v[k] = f64::INFINITY;
                }
                assert_eq!(first_min(&v), scan(&v), "len {len}, levels {levels}");
                let narrow: Vec<f32> = v.iter().map(|&x| x as f32).collect();
                assert_eq!(first_min(&narrow), scan(&v), "f32, len {len}");
            }
        }
        assert_eq!(first_min(&[f64::NAN, f64::INFINITY]), None);
        // the tail never wins a tie against an earlier lane
        let mut v = vec![5.0; 11];
        v[3] = 1.0;
        v[9] = 1.0;
        assert_eq!(first_min(&v), Some((1.0, 3)));
    }
}
