//! The condensed distance matrix in scipy's layout, and `squareform`.

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};
use crate::precision::Real;

/// The index of the pair (i, j), i < j, in a condensed matrix of n observations.
///
/// ```text
/// index(i, j) = n*i + j - ((i + 2) * (i + 1)) / 2
/// ```
///
/// This is scipy's formula: row 0 holds d(0,1), d(0,2), ..., d(0,n-1), then
/// row 1 holds d(1,2), ..., and so on.
#[inline]
pub fn condensed_index(n: usize, i: usize, j: usize) -> usize {
    debug_assert!(i < j && j < n);
    n * i + j - ((i + 2) * (i + 1)) / 2
}

/// The number of observations n of a condensed vector of length `len`, when
/// `len == n(n-1)/2` for some n >= 2.
///
/// # Errors
/// [`Error::BadCondensedLength`] when no n fits (including `len == 0`, which
/// would be n = 1 or n = 0: too few to cluster).
pub fn num_obs_condensed(len: usize) -> Result<usize> {
    // n = (1 + sqrt(1 + 8 len)) / 2, corrected for rounding.
    let mut n = ((1.0 + (1.0 + 8.0 * len as f64).sqrt()) / 2.0).round() as usize;
    while n > 1 && n * (n - 1) / 2 > len {
        n -= 1;
    }
    while (n + 1) * n / 2 <= len {
        n += 1;
    }
    if n * (n - 1) / 2 == len && n >= 2 {
        return Ok(n);
    }
    let n_below = n.max(2);
    let n_below = if n_below * (n_below - 1) / 2 > len && n_below > 2 {
        n_below - 1
    } else {
        n_below
    };
    let n_above = n_below + 1;
    Err(Error::BadCondensedLength {
        len,
        below: n_below * (n_below - 1) / 2,
        n_below,
        above: n_above * (n_above - 1) / 2,
        n_above,
    })
}

/// A condensed distance matrix: the upper triangle of a symmetric n x n
/// distance matrix, row by row, without the diagonal (scipy's `pdist` output).
///
/// Stored in f64 (the default, scipy's) or f32 (half the memory: see
/// [`crate::precision`]); values are f64 when read.
#[derive(Debug, Clone, PartialEq)]
pub struct CondensedMatrix<T: Real = f64> {
    n: usize,
    data: Vec<T>,
}

impl<T: Real> CondensedMatrix<T> {
    /// Wraps a condensed vector, checking its length, that every value is
    /// finite and that none is negative.
    ///
    /// # Errors
    /// [`Error::BadCondensedLength`], [`Error::NonFinite`] (row and column
    /// name the pair of observations), [`Error::NegativeDistance`].
    pub fn new(data: Vec<T>) -> Result<Self> {
        let n = num_obs_condensed(data.len())?;
        let m = CondensedMatrix { n, data };
        m.validate()?;
        Ok(m)
    }

    /// A working copy of the condensed vector `values`, checked as
    /// [`Self::new`] checks it, in a buffer laid out for the merge loops
    /// (transparent huge pages where Linux has them: the loops read the
    /// matrix down its columns). Use it where the caller keeps its own
    /// `values` (a NumPy array, say) and the linkage needs a copy to update
    /// in place.
    ///
    /// # Errors
    /// As [`Self::new`].
    pub fn copied_from(values: &[T]) -> Result<Self> {
        let mut data = vec![T::from_f64(0.0); values.len()];
        crate::memory::advise_huge_pages(&mut data);
        data.copy_from_slice(values);
        Self::new(data)
    }

    /// Wraps a condensed vector of `n` observations without validation.
    ///
    /// Internal callers that produced the values themselves use this.
    pub(crate) fn from_parts_unchecked(n: usize, data: Vec<T>) -> Self {
        debug_assert_eq!(data.len(), n * (n.saturating_sub(1)) / 2);
        CondensedMatrix { n, data }
    }

    fn validate(&self) -> Result<()> {
        let bad = self
            .data
            .iter()
            .position(|v| !v.to_f64().is_finite() || v.to_f64() < 0.0);
        if let Some(k) = bad {
            let (i, j) = self.pair_of(k);
            let value = self.data[k].to_f64();
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    what: "the condensed distance matrix (row and column are the pair of observations)"
                        .into(),
                    row: i,
                    column: j,
                    value,
                });
            }
            return Err(Error::NegativeDistance { i, j, value });
        }
        Ok(())
    }

    /// The number of observations.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The condensed values, scipy's layout.
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// Consumes the matrix and returns its condensed vector.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// The distance between observations i and j (0 when i == j).
    ///
    /// # Panics
    /// When i or j is out of range (an internal invariant: callers index
    /// observations they know exist).
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(i < self.n && j < self.n, "index out of range");
        match i.cmp(&j) {
            std::cmp::Ordering::Less => self.data[condensed_index(self.n, i, j)].to_f64(),
            std::cmp::Ordering::Greater => self.data[condensed_index(self.n, j, i)].to_f64(),
            std::cmp::Ordering::Equal => 0.0,
        }
    }

    /// The pair (i, j), i < j, stored at condensed index k.
    pub fn pair_of(&self, k: usize) -> (usize, usize) {
        let n = self.n;
        // Row i starts at n*i - i(i+1)/2; find the last start <= k.
        let mut i = {
            let nf = n as f64;
            let disc = (2.0 * nf - 1.0).powi(2) - 8.0 * k as f64;
            (((2.0 * nf - 1.0) - disc.max(0.0).sqrt()) / 2.0).floor() as usize
        };
        let start = |i: usize| n * i - i * (i + 1) / 2;
        while i > 0 && start(i) > k {
            i -= 1;
        }
        while i + 1 < n && start(i + 1) <= k {
            i += 1;
        }
        (i, k - start(i) + i + 1)
    }

    /// The full symmetric n x n matrix with a zero diagonal (scipy's
    /// `squareform(y)`).
    pub fn to_square(&self) -> Array2<f64> {
        let n = self.n;
        let mut out = Array2::zeros((n, n));
        let mut k = 0;
        for i in 0..n {
            for j in (i + 1)..n {
                out[[i, j]] = self.data[k].to_f64();
                out[[j, i]] = self.data[k].to_f64();
                k += 1;
            }
        }
        out
    }
}

impl CondensedMatrix<f64> {
    /// The same distances rounded to f32 storage (half the memory; see
    /// [`crate::precision`]), consuming this matrix. While converting, both
    /// exist: the peak is 1.5 times the f64 matrix.
    ///
    /// # Errors
    /// [`Error::Overflow`] naming the pair of the first distance beyond
    /// f32's range (3.4e38), which f32 would hold as infinity.
    pub fn into_f32(self) -> Result<CondensedMatrix<f32>> {
        if let Some(k) = self.data.iter().position(|&v| (v as f32).is_infinite()) {
            let (i, j) = self.pair_of(k);
            return Err(Error::overflow(
                format!(
                    "the distance between observations {i} and {j}, stored in f32 \
                     (f64 storage holds it)"
                ),
                self.data[k] as f32 as f64,
                "f32",
            ));
        }
        let data = self.data.into_iter().map(|v| v as f32).collect();
        Ok(CondensedMatrix { n: self.n, data })
    }

    /// The condensed form of a square distance matrix (scipy's
    /// `squareform(X)` with `checks=True`).
    ///
    /// # Errors
    /// [`Error::InvalidSquareForm`] when the matrix is not square, not
    /// symmetric (exactly, as scipy checks), or has a non-zero diagonal;
    /// [`Error::NonFinite`] and [`Error::NegativeDistance`] as [`Self::new`].
    pub fn from_square(square: ArrayView2<f64>) -> Result<Self> {
        let (r, c) = square.dim();
        if r != c {
            return Err(Error::InvalidSquareForm {
                reason: format!("it has {r} rows and {c} columns; it must be square"),
            });
        }
        if r < 2 {
            return Err(Error::TooFewObservations {
                what: "the square distance matrix".into(),
                n: r,
            });
        }
        for i in 0..r {
            if square[[i, i]] != 0.0 {
                return Err(Error::InvalidSquareForm {
                    reason: format!(
                        "diagonal entry ({i}, {i}) is {}; it must be 0",
                        square[[i, i]]
                    ),
                });
            }
        }
        let mut data = Vec::with_capacity(r * (r - 1) / 2);
        for i in 0..r {
            for j in (i + 1)..r {
                let (a, b) = (square[[i, j]], square[[j, i]]);
                if a != b && !(a.is_nan() && b.is_nan()) {
                    return Err(Error::InvalidSquareForm {
                        reason: format!(
                            "it is not symmetric: entry ({i}, {j}) is {a} but ({j}, {i}) is {b}"
                        ),
                    });
                }
                data.push(a);
            }
        }
        CondensedMatrix::new(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_working_copy_is_checked_as_new_checks() {
        let y = CondensedMatrix::copied_from(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((y.n(), y.into_vec()), (3, vec![1.0, 2.0, 3.0]));
        assert!(CondensedMatrix::copied_from(&[1.0, 2.0]).is_err());
        assert!(CondensedMatrix::<f64>::copied_from(&[1.0, -2.0, 3.0]).is_err());
    }

    #[test]
    fn index_formula_matches_row_major_walk() {
        let n = 7;
        let mut k = 0;
        for i in 0..n {
            for j in (i + 1)..n {
                assert_eq!(condensed_index(n, i, j), k);
                let m = CondensedMatrix::from_parts_unchecked(n, vec![0.0; n * (n - 1) / 2]);
                assert_eq!(m.pair_of(k), (i, j));
                k += 1;
            }
        }
    }

    #[test]
    fn num_obs_accepts_triangular_numbers_only() {
        assert_eq!(num_obs_condensed(1).unwrap(), 2);
        assert_eq!(num_obs_condensed(3).unwrap(), 3);
        assert_eq!(num_obs_condensed(4950).unwrap(), 100);
        assert!(num_obs_condensed(0).is_err());
        let e = num_obs_condensed(5).unwrap_err().to_string();
        assert!(e.contains("length 5"), "{e}");
        assert!(
            e.contains("3 for n = 3") && e.contains("6 for n = 4"),
            "{e}"
        );
    }

    #[test]
    fn squareform_round_trip() {
        let y = CondensedMatrix::new(vec![1.0, 2.0, 3.0]).unwrap();
        let sq = y.to_square();
        assert_eq!(
            sq,
            array![[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]]
        );
        assert_eq!(CondensedMatrix::from_square(sq.view()).unwrap(), y);
    }

    #[test]
    fn squareform_rejects_asymmetry_and_diagonal() {
        let bad = array![[0.0, 1.0], [2.0, 0.0]];
        let e = CondensedMatrix::from_square(bad.view())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not symmetric"), "{e}");
        let bad = array![[1.0, 1.0], [1.0, 0.0]];
        let e = CondensedMatrix::from_square(bad.view())
            .unwrap_err()
            .to_string();
        assert!(e.contains("diagonal"), "{e}");
    }

    #[test]
    fn rejects_nan_and_negative_with_pair() {
        let e = CondensedMatrix::new(vec![1.0, f64::NAN, 3.0])
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 0, column 2"), "{e}");
        let e = CondensedMatrix::new(vec![1.0, 2.0, -3.0])
            .unwrap_err()
            .to_string();
        assert!(e.contains("observations 1 and 2"), "{e}");
    }
}
