//! The two floating-point precisions a distance matrix can be stored in.
//!
//! Results (Z, heights) are f64 at the API either way. f32 storage halves
//! the memory of the condensed matrix (n(n-1)/2 values) on the CPU and the
//! GPU; every distance is computed in f64 and rounded once to f32 when
//! stored, and every Lance-Williams update is computed in f64 from the
//! stored f32 values and rounded again when stored. Each stored value is
//! therefore within 2^-24 (6e-8) relative of the f64 value it came from,
//! and merge heights stay within about 1e-6 relative of the f64 path's on
//! ordinary data. Merges whose candidate distances differ by less than that
//! rounding can come in another order than scipy's: f32 is for data too
//! large for f64, not for reproducing scipy to the bit.

/// The floating-point precision of stored distances (results are f64 at the
/// API either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// f64: scipy's arithmetic and results (the default).
    #[default]
    F64,
    /// f32: half the memory for the distance matrix, heights within about
    /// 1e-6 relative on the CPU (1e-5 with the GPU's f32 kernels).
    F32,
}

impl Precision {
    /// Bytes per stored value.
    pub fn bytes(self) -> usize {
        match self {
            Precision::F64 => 8,
            Precision::F32 => 4,
        }
    }

    /// "f64" or "f32".
    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    /// Only f32 and f64 are storage types.
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A type distances are stored in: f64 or f32. Arithmetic happens in f64;
/// a value is rounded when stored and widened (exactly) when loaded.
pub trait Real:
    sealed::Sealed + Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static
{
    /// The precision this type stores.
    const PRECISION: Precision;

    /// Rounds an f64 to this type (round to nearest; beyond f32's range,
    /// infinity).
    fn from_f64(v: f64) -> Self;

    /// Widens to f64 (exact).
    fn to_f64(self) -> f64;
}

impl Real for f64 {
    const PRECISION: Precision = Precision::F64;

    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}

impl Real for f32 {
    const PRECISION: Precision = Precision::F32;

    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_rounds_to_nearest_and_widens_exactly() {
        let v = 0.1f64;
        let s = f32::from_f64(v);
        assert_eq!(s, 0.1f32);
        assert!((s.to_f64() - v).abs() <= v * 2f64.powi(-24));
        assert_eq!(f32::from_f64(1e39), f32::INFINITY);
        assert_eq!(f64::from_f64(v).to_f64(), v);
        assert_eq!(Precision::F32.bytes() * 2, Precision::F64.bytes());
    }
}
