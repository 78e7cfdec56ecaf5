//! The members of each flat cluster, with size, centroid and medoid.

use ndarray::{Array1, ArrayView2};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

/// One flat cluster and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSummary {
    /// The cluster's label (as `fcluster` numbers it).
    pub label: usize,
    /// The number of members.
    pub size: usize,
    /// The observations in the cluster, ascending.
    pub members: Vec<usize>,
    /// The members' row labels (ids, tickers, ...), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_labels: Option<Vec<String>>,
    /// The mean of the members' rows, when the data are given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub centroid: Option<Vec<f64>>,
    /// The member with the smallest sum of euclidean distances to the other
    /// members (lowest index on ties), when the data are given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medoid: Option<usize>,
}

/// Groups observations by flat-cluster label, ascending by label.
///
/// With the observations `x`, each cluster also gets its centroid and
/// medoid (euclidean; the medoid costs O(s^2 m) for a cluster of s
/// members, computed on all cores). With `row_labels`, each cluster lists
/// its members' labels too.
///
/// # Errors
/// [`Error::InvalidArgument`] when `x` or `row_labels` does not have one row
/// per label in `t`.
pub fn cluster_members(
    t: &[usize],
    x: Option<ArrayView2<f64>>,
    row_labels: Option<&[String]>,
) -> Result<Vec<ClusterSummary>> {
    if let Some(x) = x {
        if x.nrows() != t.len() {
            return Err(Error::invalid_argument(
                "data",
                format!(
                    "has {} rows but there are {} cluster labels",
                    x.nrows(),
                    t.len()
                ),
            ));
        }
    }
    if let Some(l) = row_labels {
        if l.len() != t.len() {
            return Err(Error::invalid_argument(
                "labels",
                format!(
                    "has {} entries but there are {} observations",
                    l.len(),
                    t.len()
                ),
            ));
        }
    }
    let mut by_label: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, &l) in t.iter().enumerate() {
        by_label.entry(l).or_default().push(i);
    }
    Ok(by_label
        .into_iter()
        .map(|(label, members)| {
            let (centroid, medoid) = match x {
                Some(x) => (
                    Some(centroid(x, &members).to_vec()),
                    Some(medoid(x, &members)),
                ),
                None => (None, None),
            };
            ClusterSummary {
                label,
                size: members.len(),
                member_labels: row_labels.map(|l| members.iter().map(|&i| l[i].clone()).collect()),
                members,
                centroid,
                medoid,
            }
        })
        .collect())
}

fn centroid(x: ArrayView2<f64>, members: &[usize]) -> Array1<f64> {
    let mut c = Array1::zeros(x.ncols());
    for &i in members {
        c += &x.row(i);
    }
    c / members.len() as f64
}

fn medoid(x: ArrayView2<f64>, members: &[usize]) -> usize {
    let cost = |&i: &usize| -> (f64, usize) {
        let s = members
            .iter()
            .map(|&j| {
                x.row(i)
                    .iter()
                    .zip(x.row(j).iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt()
            })
            .sum();
        (s, i)
    };
    members
        .par_iter()
        .map(cost)
        .reduce(
            || (f64::INFINITY, usize::MAX),
            |a, b| {
                if b.0 < a.0 || (b.0 == a.0 && b.1 < a.1) {
                    b
                } else {
                    a
                }
            },
        )
        .1
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn summaries_with_centroid_medoid_and_labels() {
        let x = array![[0.0, 0.0], [10.0, 10.0], [1.0, 0.0], [5.0, 0.0]];
        let labels: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let s = cluster_members(&[1, 2, 1, 1], Some(x.view()), Some(&labels)).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].members, vec![0, 2, 3]);
        assert_eq!(s[0].centroid.as_ref().unwrap(), &vec![2.0, 0.0]);
        assert_eq!(s[0].medoid, Some(2));
        assert_eq!(s[0].member_labels.as_ref().unwrap(), &vec!["a", "c", "d"]);
        assert_eq!((s[1].label, s[1].size), (2, 1));
        assert!(cluster_members(&[1, 2], Some(x.view()), None).is_err());
    }
}
