//! Z to and from MATLAB's linkage format and R's `hclust` representation.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use super::validate::check_linkage;
use crate::error::{Error, Result};

/// Z in MATLAB's format: three columns, 1-based cluster ids, no counts
/// (scipy's `to_mlab_linkage`).
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn to_mlab_linkage(z: ArrayView2<f64>) -> Result<Array2<f64>> {
    check_linkage(z)?;
    let mut out = z.slice(ndarray::s![.., 0..3]).to_owned();
    out.slice_mut(ndarray::s![.., 0..2])
        .mapv_inplace(|v| v + 1.0);
    Ok(out)
}

/// Z from MATLAB's format (scipy's `from_mlab_linkage`): ids back to 0-based
/// and the counts recomputed.
///
/// # Errors
/// [`Error::InvalidLinkage`] when the matrix does not have 3 columns or its
/// ids are not 1..2n-2 as MATLAB numbers them.
pub fn from_mlab_linkage(m: ArrayView2<f64>) -> Result<Array2<f64>> {
    if m.ncols() != 3 {
        return Err(Error::invalid_linkage(format!(
            "a MATLAB linkage has 3 columns, this one has {}",
            m.ncols()
        )));
    }
    let rows = m.nrows();
    let ids = m.slice(ndarray::s![.., 0..2]);
    let min = ids.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ids.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if rows == 0 || min < 1.0 || max > (2 * rows) as f64 {
        return Err(Error::invalid_linkage(format!(
            "MATLAB ids run from 1 to {} for {} observations, these run from {min} to {max}",
            2 * rows,
            rows + 1
        )));
    }
    let n = rows + 1;
    let mut z = Array2::zeros((rows, 4));
    let mut count = vec![1.0; 2 * n - 1];
    for i in 0..rows {
        let (a, b) = (m[[i, 0]] - 1.0, m[[i, 1]] - 1.0);
        z[[i, 0]] = a;
        z[[i, 1]] = b;
        z[[i, 2]] = m[[i, 2]];
        let c = count.get(a as usize).copied().unwrap_or(0.0)
            + count.get(b as usize).copied().unwrap_or(0.0);
        z[[i, 3]] = c;
        count[n + i] = c;
    }
    check_linkage(z.view())?;
    Ok(z)
}

/// R's `hclust` representation of a clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct RHclust {
    /// (n-1) x 2: `-k` is observation k (1-based), `+j` the cluster formed at
    /// step j (1-based); in each row a singleton comes first, then the
    /// smaller number.
    pub merge: Array2<i64>,
    /// The merge heights.
    pub height: Array1<f64>,
    /// The leaves in dendrogram order, 1-based.
    pub order: Array1<i64>,
}

/// Z as R's `hclust` (`merge`, `height`, `order`).
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid.
pub fn to_r_hclust(z: ArrayView2<f64>) -> Result<RHclust> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    let to_r = |id: f64| -> i64 {
        let id = id as usize;
        if id < n {
            -(id as i64 + 1)
        } else {
            (id - n + 1) as i64
        }
    };
    let mut merge = Array2::zeros((n - 1, 2));
    for i in 0..n - 1 {
        let (mut a, mut b) = (to_r(z[[i, 0]]), to_r(z[[i, 1]]));
        let swap = match (a < 0, b < 0) {
            (true, true) => a < b, // -1 before -2
            (false, true) => true,
            (true, false) => false,
            (false, false) => a > b,
        };
        if swap {
            std::mem::swap(&mut a, &mut b);
        }
        merge[[i, 0]] = a;
        merge[[i, 1]] = b;
    }
    let order = leaf_order(z).into_iter().map(|l| l as i64 + 1).collect();
    Ok(RHclust {
        merge,
        height: z.column(2).to_owned(),
        order,
    })
}

/// Z from R's `hclust` `merge` and `height` (the order is not needed).
///
/// # Errors
/// [`Error::InvalidLinkage`] when the shapes disagree or the merge matrix
/// refers to observations or steps that do not exist.
pub fn from_r_hclust(merge: ArrayView2<i64>, height: ArrayView1<f64>) -> Result<Array2<f64>> {
    let rows = merge.nrows();
    if merge.ncols() != 2 || height.len() != rows || rows == 0 {
        return Err(Error::invalid_linkage(format!(
            "R's merge must be (n-1) x 2 and height n-1 long; got {} x {} and {}",
            rows,
            merge.ncols(),
            height.len()
        )));
    }
    let n = rows + 1;
    let mut z = Array2::zeros((rows, 4));
    let mut count = vec![1.0; 2 * n - 1];
    for i in 0..rows {
        let mut ids = [0usize; 2];
        for (c, id) in ids.iter_mut().enumerate() {
            let v = merge[[i, c]];
            *id = match v {
                v if v < 0 && (-v) as usize <= n => (-v - 1) as usize,
                v if v > 0 && (v as usize) <= i => n + v as usize - 1,
                _ => {
                    return Err(Error::invalid_linkage(format!(
                        "R merge row {} holds {v}: singletons are -1..-{n}, clusters 1..{}",
                        i + 1,
                        i
                    )))
                }
            };
        }
        ids.sort_unstable();
        z[[i, 0]] = ids[0] as f64;
        z[[i, 1]] = ids[1] as f64;
        z[[i, 2]] = height[i];
        let c = count[ids[0]] + count[ids[1]];
        z[[i, 3]] = c;
        count[n + i] = c;
    }
    check_linkage(z.view())?;
    Ok(z)
}

/// The leaves left to right (pre-order, left child first), without recursion.
pub(crate) fn leaf_order(z: ArrayView2<f64>) -> Vec<usize> {
    let n = z.nrows() + 1;
    let mut out = Vec::with_capacity(n);
    let mut stack = vec![2 * n - 2];
    while let Some(node) = stack.pop() {
        if node < n {
            out.push(node);
        } else {
            let r = node - n;
            stack.push(z[[r, 1]] as usize);
            stack.push(z[[r, 0]] as usize);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn z() -> Array2<f64> {
        // ((0, 1), (2, (3, 4)))
        array![
            [0.0, 1.0, 1.0, 2.0],
            [3.0, 4.0, 1.5, 2.0],
            [2.0, 6.0, 2.0, 3.0],
            [5.0, 7.0, 4.0, 5.0]
        ]
    }

    #[test]
    fn mlab_round_trip() {
        let m = to_mlab_linkage(z().view()).unwrap();
        assert_eq!(m.row(0).to_vec(), vec![1.0, 2.0, 1.0]);
        assert_eq!(from_mlab_linkage(m.view()).unwrap(), z());
        let e = from_mlab_linkage(array![[0.0, 1.0, 1.0]].view())
            .unwrap_err()
            .to_string();
        assert!(e.contains("MATLAB ids"), "{e}");
    }

    #[test]
    fn r_round_trip() {
        let r = to_r_hclust(z().view()).unwrap();
        assert_eq!(r.merge, array![[-1, -2], [-4, -5], [-3, 2], [1, 3]]);
        assert_eq!(r.order.to_vec(), vec![1, 2, 3, 4, 5]);
        assert_eq!(from_r_hclust(r.merge.view(), r.height.view()).unwrap(), z());
    }

    #[test]
    fn leaf_order_is_preorder_left_first() {
        let z = array![[0.0, 2.0, 1.0, 2.0], [1.0, 3.0, 2.0, 3.0]];
        assert_eq!(leaf_order(z.view()), vec![1, 0, 2]);
    }
}
