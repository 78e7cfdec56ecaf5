//! Flat clusters from Z (scipy's `fcluster` and `fclusterdata`).

use ndarray::{ArrayView1, ArrayView2};

use super::inconsistent::{inconsistent, max_rstat, maxdists};
use crate::distance::Metric;
use crate::error::{Error, Result};
use crate::linkage::{check_linkage, linkage, Method};

/// How `fcluster` decides where to cut.
#[derive(Debug, Clone, PartialEq)]
pub enum Criterion {
    /// Cut where the largest inconsistency coefficient in a subtree is <= t
    /// (scipy's default), with the statistics over `depth` levels.
    Inconsistent {
        /// Levels below each link that its statistics cover (scipy: 2).
        depth: usize,
    },
    /// Cut where the largest merge height in a subtree is <= t.
    Distance,
    /// At most t clusters: the lowest height cut that gives no more.
    MaxClust,
    /// Cut where a user value per link (monotone up the tree) is <= t.
    Monocrit(Vec<f64>),
    /// At most t clusters, cutting on a user value per link.
    MaxClustMonocrit(Vec<f64>),
}

impl Criterion {
    /// The criterion for scipy's name (`inconsistent`, `distance`,
    /// `maxclust`); the monocrit criteria need their values and are built
    /// directly.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] listing the valid names.
    pub fn from_name(name: &str, depth: usize) -> Result<Criterion> {
        match name {
            "inconsistent" => Ok(Criterion::Inconsistent { depth }),
            "distance" => Ok(Criterion::Distance),
            "maxclust" => Ok(Criterion::MaxClust),
            other => Err(Error::invalid_argument(
                "criterion",
                format!(
                    "'{other}' is not one of inconsistent, distance, maxclust \
                     (monocrit and maxclust_monocrit take a file of values)"
                ),
            )),
        }
    }
}

/// A walk state for the depth-first traversals below.
struct Walk {
    visited: Vec<bool>,
    stack: Vec<usize>,
}

impl Walk {
    fn new(n: usize) -> Self {
        Walk {
            visited: vec![false; 2 * n - 1],
            stack: Vec::with_capacity(64),
        }
    }
}

/// scipy's `cluster_monocrit`: labels from 1 in the order a depth-first
/// walk from the root discovers them. The first node on the walk whose
/// value is <= cutoff leads a flat cluster of all its leaves; leaves under
/// no leader become singletons, numbered as the walk assigns them (a
/// node's leaf children after both its subtrees).
fn cluster_monocrit(z: ArrayView2<f64>, mc: &[f64], cutoff: f64) -> Vec<usize> {
    let n = z.nrows() + 1;
    let mut t = vec![0usize; n];
    let mut walk = Walk::new(n);
    let mut n_cluster = 0usize;
    let mut leader: Option<usize> = None;
    walk.stack.push(2 * n - 2);
    while let Some(&top) = walk.stack.last() {
        let root = top - n;
        let (lc, rc) = (z[[root, 0]] as usize, z[[root, 1]] as usize);
        if leader.is_none() && mc[root] <= cutoff {
            leader = Some(root);
            n_cluster += 1;
        }
        if lc >= n && !walk.visited[lc] {
            walk.visited[lc] = true;
            walk.stack.push(lc);
            continue;
        }
        if rc >= n && !walk.visited[rc] {
            walk.visited[rc] = true;
            walk.stack.push(rc);
            continue;
        }
        for leaf in [lc, rc] {
            if leaf < n {
                if leader.is_none() {
                    n_cluster += 1;
                }
                t[leaf] = n_cluster;
            }
        }
        if leader == Some(root) {
            leader = None;
        }
        walk.stack.pop();
    }
    t
}

/// The number of flat clusters cutting at `thresh` would give, stopping
/// early once it exceeds `max_nc` (scipy's counting walk).
fn count_clusters(
    z: ArrayView2<f64>,
    mc: &[f64],
    thresh: f64,
    max_nc: usize,
    walk: &mut Walk,
) -> usize {
    let n = z.nrows() + 1;
    walk.visited.iter_mut().for_each(|v| *v = false);
    walk.stack.clear();
    walk.stack.push(2 * n - 2);
    let mut nc = 0usize;
    'walk: while let Some(&top) = walk.stack.last() {
        let root = top - n;
        let (lc, rc) = (z[[root, 0]] as usize, z[[root, 1]] as usize);
        if mc[root] <= thresh {
            nc += 1;
            if nc > max_nc {
                break;
            }
            walk.stack.pop();
            walk.visited[lc] = true;
            walk.visited[rc] = true;
            continue;
        }
        for child in [lc, rc] {
            if !walk.visited[child] {
                walk.visited[child] = true;
                if child >= n {
                    walk.stack.push(child);
                    continue 'walk;
                }
                nc += 1;
                if nc > max_nc {
                    break 'walk;
                }
            }
        }
        walk.stack.pop();
    }
    nc
}

/// scipy's `cluster_maxclust_monocrit`: a binary search over the values
/// `mc` (by position, as scipy does) for the smallest threshold giving at
/// most `max_nc` clusters, then [`cluster_monocrit`] at that threshold.
fn cluster_maxclust_monocrit(z: ArrayView2<f64>, mc: &[f64], max_nc: usize) -> Vec<usize> {
    let n = z.nrows() + 1;
    if max_nc >= n {
        return (1..=n).collect();
    }
    let mut walk = Walk::new(n);
    let (mut lower, mut upper) = (-1isize, n as isize - 1);
    while upper - lower > 1 {
        let i = (lower + upper) >> 1;
        let nc = count_clusters(z, mc, mc[i as usize], max_nc, &mut walk);
        if nc > max_nc {
            lower = i;
        } else {
            upper = i;
        }
    }
    // scipy reads one past the end when no tested value gives few enough
    // clusters (possible only for values that are not monotone up the
    // tree); every threshold is then too low, so take them all.
    let cutoff = mc.get(upper as usize).copied().unwrap_or(f64::INFINITY);
    cluster_monocrit(z, mc, cutoff)
}

fn check_monocrit(values: &[f64], rows: usize) -> Result<()> {
    if values.len() != rows {
        return Err(Error::invalid_argument(
            "monocrit",
            format!(
                "needs one value per link of Z ({rows}), got {}",
                values.len()
            ),
        ));
    }
    if let Some(k) = values.iter().position(|v| v.is_nan()) {
        return Err(Error::invalid_argument(
            "monocrit",
            format!("value {k} is NaN"),
        ));
    }
    Ok(())
}

/// Flat cluster labels (1, 2, ...) for each observation, numbered exactly as
/// scipy's `fcluster(Z, t, criterion, depth)` numbers them.
///
/// `t` is the threshold, or for the maxclust criteria the largest number
/// of clusters (t >= n gives every observation its own cluster).
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not valid; [`Error::InvalidArgument`]
/// for a NaN t, a maxclust t below 1 or not a whole number, or monocrit
/// values of the wrong length. A negative threshold is scipy's too: below
/// every height, it leaves every observation alone.
pub fn fcluster(z: ArrayView2<f64>, t: f64, criterion: &Criterion) -> Result<Vec<usize>> {
    check_linkage(z)?;
    if t.is_nan() {
        return Err(Error::invalid_argument("t", "NaN is not a threshold"));
    }
    let max_nc = || -> Result<usize> {
        if t < 1.0 || t.fract() != 0.0 {
            return Err(Error::invalid_argument(
                "t",
                format!("{t}: maxclust needs a whole number of clusters >= 1"),
            ));
        }
        Ok(t.min(usize::MAX as f64) as usize)
    };
    Ok(match criterion {
        Criterion::Inconsistent { depth } => {
            let r = inconsistent(z, *depth)?;
            let mc = max_rstat(z, r.view(), 3)?;
            cluster_monocrit(z, &mc, t)
        }
        Criterion::Distance => cluster_monocrit(z, &maxdists(z)?, t),
        Criterion::MaxClust => cluster_maxclust_monocrit(z, &maxdists(z)?, max_nc()?),
        Criterion::Monocrit(mc) => {
            check_monocrit(mc, z.nrows())?;
            cluster_monocrit(z, mc, t)
        }
        Criterion::MaxClustMonocrit(mc) => {
            check_monocrit(mc, z.nrows())?;
            cluster_maxclust_monocrit(z, mc, max_nc()?)
        }
    })
}

/// Clusters observations in one call (scipy's `fclusterdata`): linkage with
/// `method` and `metric`, then [`fcluster`].
///
/// # Errors
/// Those of [`linkage`] and [`fcluster`].
pub fn fclusterdata(
    x: ArrayView2<f64>,
    t: f64,
    criterion: &Criterion,
    method: Method,
    metric: &Metric,
) -> Result<Vec<usize>> {
    let z = linkage(x, method, metric)?;
    fcluster(z.view(), t, criterion)
}

/// Whether two flat clusterings are the same up to renaming the clusters
/// (scipy's `is_isomorphic`).
///
/// # Errors
/// [`Error::InvalidArgument`] when the lengths differ.
pub fn is_isomorphic(t1: ArrayView1<usize>, t2: ArrayView1<usize>) -> Result<bool> {
    if t1.len() != t2.len() {
        return Err(Error::invalid_argument(
            "T2",
            format!("has {} labels but T1 has {}", t2.len(), t1.len()),
        ));
    }
    let mut forward = std::collections::HashMap::new();
    let mut backward = std::collections::HashMap::new();
    for (&a, &b) in t1.iter().zip(t2) {
        let fa = *forward.entry(a).or_insert(b);
        let bb = *backward.entry(b).or_insert(a);
        if fa != b || bb != a {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn z() -> ndarray::Array2<f64> {
        // ((0, 1) at 1, (2, 3) at 2) at 10, then 4 joins at 20.
        array![
            [0.0, 1.0, 1.0, 2.0],
            [2.0, 3.0, 2.0, 2.0],
            [5.0, 6.0, 10.0, 4.0],
            [4.0, 7.0, 20.0, 5.0]
        ]
    }

    #[test]
    fn distance_and_maxclust() {
        let z = z();
        assert_eq!(
            fcluster(z.view(), 5.0, &Criterion::Distance).unwrap(),
            vec![1, 1, 2, 2, 3]
        );
        assert_eq!(
            fcluster(z.view(), 2.0, &Criterion::MaxClust).unwrap(),
            vec![1, 1, 1, 1, 2]
        );
        assert_eq!(
            fcluster(z.view(), 9.0, &Criterion::MaxClust).unwrap(),
            vec![1, 2, 3, 4, 5]
        );
        assert_eq!(
            fcluster(z.view(), 1.0, &Criterion::MaxClust).unwrap(),
            vec![1; 5]
        );
    }

    #[test]
    fn bad_thresholds_are_errors() {
        let z = z();
        for (t, c) in [
            (0.0, Criterion::MaxClust),
            (f64::NAN, Criterion::Distance),
            (-1.0, Criterion::MaxClust),
            (2.5, Criterion::MaxClust),
        ] {
            assert!(fcluster(z.view(), t, &c).is_err(), "{t} {c:?}");
        }
        // scipy's fcluster(Z, -1, 'distance'): every observation alone.
        let n = z.nrows() + 1;
        for c in [Criterion::Distance, Criterion::Inconsistent { depth: 2 }] {
            let mut l = fcluster(z.view(), -1.0, &c).unwrap();
            l.sort_unstable();
            assert_eq!(l, (1..=n).collect::<Vec<_>>(), "{c:?}");
        }
        let e = fcluster(z.view(), 1.0, &Criterion::Monocrit(vec![1.0]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("one value per link"), "{e}");
    }

    #[test]
    fn isomorphism() {
        assert!(is_isomorphic(array![1, 1, 2].view(), array![5, 5, 3].view()).unwrap());
        assert!(!is_isomorphic(array![1, 1, 2].view(), array![5, 3, 3].view()).unwrap());
        assert!(!is_isomorphic(array![1, 2, 2].view(), array![5, 5, 5].view()).unwrap());
    }
}
