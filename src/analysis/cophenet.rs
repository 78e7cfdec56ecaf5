//! Cophenetic distances and the cophenetic correlation (scipy's `cophenet`).

use ndarray::ArrayView2;

use crate::distance::{condensed_index, CondensedMatrix};
use crate::error::{Error, Result};
use crate::linkage::check_linkage;

/// The cophenetic distances of Z: for each pair of observations, the height
/// of the merge that first joins them, in condensed form.
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn cophenet(z: ArrayView2<f64>) -> Result<CondensedMatrix> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    let mut d = vec![0.0; n * (n - 1) / 2];
    // members[id] holds the observations of cluster id until it is merged.
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    members.resize(2 * n - 1, Vec::new());
    for (k, r) in z.rows().into_iter().enumerate() {
        let (a, b, h) = (r[0] as usize, r[1] as usize, r[2]);
        let left = std::mem::take(&mut members[a]);
        let right = std::mem::take(&mut members[b]);
        for &i in &left {
            for &j in &right {
                let (lo, hi) = if i < j { (i, j) } else { (j, i) };
                d[condensed_index(n, lo, hi)] = h;
            }
        }
        let mut joined = left;
        joined.extend(right);
        members[n + k] = joined;
    }
    Ok(CondensedMatrix::from_parts_unchecked(n, d))
}

/// The cophenetic correlation coefficient of Z with the distances `y` it was
/// built from (Pearson's r), and the cophenetic distances.
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid; [`Error::InvalidArgument`]
/// when `y` has another number of observations than Z.
pub fn cophenet_correlation(
    z: ArrayView2<f64>,
    y: &CondensedMatrix,
) -> Result<(f64, CondensedMatrix)> {
    let c = cophenet(z)?;
    if c.n() != y.n() {
        return Err(Error::invalid_argument(
            "distances",
            format!(
                "Z has {} observations but the distance matrix has {}",
                c.n(),
                y.n()
            ),
        ));
    }
    let (a, b) = (y.as_slice(), c.as_slice());
    let len = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / len, b.iter().sum::<f64>() / len);
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for (&u, &v) in a.iter().zip(b) {
        let (u, v) = (u - ma, v - mb);
        num += u * v;
        da += u * u;
        db += v * v;
    }
    Ok((num / (da * db).sqrt(), c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn cophenetic_distances_are_merge_heights() {
        let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 5.0, 3.0]];
        let c = cophenet(z.view()).unwrap();
        assert_eq!(c.as_slice(), &[1.0, 5.0, 5.0]);
        let y = CondensedMatrix::new(vec![1.0, 4.0, 6.0]).unwrap();
        let (r, _) = cophenet_correlation(z.view(), &y).unwrap();
        // y = (1, 4, 6), c = (1, 5, 5): r = 13 / sqrt(38/3 * 32/3 * ...) computed by hand below
        let (ym, cm) = (11.0 / 3.0, 11.0 / 3.0);
        let num: f64 = [
            (1.0 - ym) * (1.0 - cm),
            (4.0 - ym) * (5.0 - cm),
            (6.0 - ym) * (5.0 - cm),
        ]
        .iter()
        .sum();
        let da: f64 = [1.0f64, 4.0, 6.0].iter().map(|v| (v - ym).powi(2)).sum();
        let db: f64 = [1.0f64, 5.0, 5.0].iter().map(|v| (v - cm).powi(2)).sum();
        assert!((r - num / (da * db).sqrt()).abs() < 1e-15);
    }
}
