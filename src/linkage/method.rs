//! The seven linkage methods and their Lance-Williams distance updates.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A linkage method: how the distance from a merged cluster to the others is
/// defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Nearest point: `min(d(x,i), d(y,i))`.
    Single,
    /// Farthest point: `max(d(x,i), d(y,i))`.
    Complete,
    /// UPGMA: the mean of all pairwise distances.
    Average,
    /// WPGMA: `(d(x,i) + d(y,i)) / 2`.
    Weighted,
    /// UPGMC: the distance between centroids (euclidean only).
    Centroid,
    /// WPGMC: the distance between the midpoints of merged clusters (euclidean only).
    Median,
    /// Ward's minimum variance method (euclidean only).
    Ward,
}

impl Method {
    /// All methods, in scipy's documentation order.
    pub const ALL: [Method; 7] = [
        Method::Single,
        Method::Complete,
        Method::Average,
        Method::Weighted,
        Method::Centroid,
        Method::Median,
        Method::Ward,
    ];

    /// scipy's name of the method.
    pub fn name(self) -> &'static str {
        match self {
            Method::Single => "single",
            Method::Complete => "complete",
            Method::Average => "average",
            Method::Weighted => "weighted",
            Method::Centroid => "centroid",
            Method::Median => "median",
            Method::Ward => "ward",
        }
    }

    /// Whether scipy requires the euclidean metric for this method when it is
    /// given observations (centroid, median, ward).
    pub fn needs_euclidean(self) -> bool {
        matches!(self, Method::Centroid | Method::Median | Method::Ward)
    }

    /// Whether merge heights never decrease (all but centroid and median,
    /// which can produce inversions).
    pub fn is_monotone(self) -> bool {
        !matches!(self, Method::Centroid | Method::Median)
    }

    /// The Lance-Williams update: the distance from the cluster formed by
    /// merging x and y to another cluster i, computed with scipy's arithmetic
    /// (same operations in the same order, so results agree to the bit).
    ///
    /// ```text
    /// single    min(dxi, dyi)
    /// complete  max(dxi, dyi)
    /// average   (nx*dxi + ny*dyi) / (nx + ny)
    /// weighted  0.5 * (dxi + dyi)
    /// centroid  sqrt(((nx*dxi*dxi + ny*dyi*dyi) - nx*ny*dxy*dxy/(nx+ny)) / (nx+ny))
    /// median    sqrt(0.5*(dxi*dxi + dyi*dyi) - 0.25*dxy*dxy)
    /// ward      t = 1/(nx+ny+ni);
    ///           sqrt((ni+nx)*t*dxi*dxi + (ni+ny)*t*dyi*dyi - ni*t*dxy*dxy)
    /// ```
    #[inline(always)]
    pub fn update(self, dxi: f64, dyi: f64, dxy: f64, nx: usize, ny: usize, ni: usize) -> f64 {
        match self {
            Method::Single => dxi.min(dyi),
            Method::Complete => dxi.max(dyi),
            Method::Average => (nx as f64 * dxi + ny as f64 * dyi) / ((nx + ny) as f64),
            Method::Weighted => 0.5 * (dxi + dyi),
            Method::Centroid => {
                let (fx, fy) = (nx as f64, ny as f64);
                let nxy = (nx + ny) as f64;
                ((((fx * dxi * dxi) + (fy * dyi * dyi)) - ((nx * ny) as f64 * dxy * dxy) / nxy)
                    / nxy)
                    .sqrt()
            }
            Method::Median => (0.5 * (dxi * dxi + dyi * dyi) - 0.25 * dxy * dxy).sqrt(),
            Method::Ward => {
                let t = 1.0 / ((nx + ny + ni) as f64);
                ((ni + nx) as f64 * t * dxi * dxi + (ni + ny) as f64 * t * dyi * dyi
                    - ni as f64 * t * dxy * dxy)
                    .sqrt()
            }
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = Error;

    /// Parses scipy's method names, case-insensitively.
    fn from_str(s: &str) -> Result<Method> {
        let lower = s.trim().to_ascii_lowercase();
        Method::ALL
            .into_iter()
            .find(|m| m.name() == lower)
            .ok_or_else(|| Error::UnknownMethod {
                given: s.to_string(),
                valid: Method::ALL.map(Method::name).join(", "),
            })
    }
}

/// Runs `$body` with `$m` bound to a constant copy of `$method`, once per
/// method, so that the Lance-Williams formula a closure in `$body` calls
/// (`$m.update(...)`) is resolved when the merge loop is compiled rather
/// than matched at every entry of every row.
macro_rules! with_constant_method {
    ($method:expr, |$m:ident| $body:expr) => {
        $crate::linkage::method::with_constant_method!(
            @arms $method, $m, $body,
            Single, Complete, Average, Weighted, Centroid, Median, Ward
        )
    };
    (@arms $method:expr, $m:ident, $body:expr, $($variant:ident),*) => {
        match $method {
            $($crate::linkage::Method::$variant => {
                const $m: $crate::linkage::Method = $crate::linkage::Method::$variant;
                $body
            })*
        }
    };
}
pub(crate) use with_constant_method;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_rejects_others() {
        for m in Method::ALL {
            assert_eq!(m.name().parse::<Method>().unwrap(), m);
        }
        assert_eq!("WARD".parse::<Method>().unwrap(), Method::Ward);
        let e = "wards".parse::<Method>().unwrap_err().to_string();
        assert!(
            e.contains("'wards'") && e.contains("single, complete"),
            "{e}"
        );
    }

    #[test]
    fn updates_match_hand_computation() {
        // x and y at distance 2, i at 3 from x and 4 from y.
        let (dxi, dyi, dxy) = (3.0, 4.0, 2.0);
        assert_eq!(Method::Single.update(dxi, dyi, dxy, 1, 1, 1), 3.0);
        assert_eq!(Method::Complete.update(dxi, dyi, dxy, 1, 1, 1), 4.0);
        assert_eq!(Method::Average.update(dxi, dyi, dxy, 1, 3, 1), 3.75);
        assert_eq!(Method::Weighted.update(dxi, dyi, dxy, 1, 3, 1), 3.5);
        // median: sqrt(0.5*(9+16) - 0.25*4) = sqrt(11.5)
        assert_eq!(
            Method::Median.update(dxi, dyi, dxy, 1, 1, 1),
            11.5f64.sqrt()
        );
        // centroid, nx=ny=1: sqrt((9 + 16 - 4/2)/2) = sqrt(11.5), the same as median
        assert!((Method::Centroid.update(dxi, dyi, dxy, 1, 1, 1) - 11.5f64.sqrt()).abs() < 1e-15);
        // ward, all singletons: sqrt((2*9 + 2*16 - 4)/3)
        assert!(
            (Method::Ward.update(dxi, dyi, dxy, 1, 1, 1) - (46.0f64 / 3.0).sqrt()).abs() < 1e-14
        );
    }
}
