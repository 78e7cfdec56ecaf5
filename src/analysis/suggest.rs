//! Choosing where to cut: the elbow of the merge heights, the most
//! inconsistent link, and the largest gap between heights.
//!
//! Each suggestion comes with its evidence and the caveats the scipy
//! tutorial gives: the elbow can never suggest a single cluster;
//! consecutive heights may come from different branches of the tree, so
//! clusters of very different spread fool all three methods. Look at the
//! dendrogram before trusting any of them.

use ndarray::ArrayView2;
use serde::Serialize;

use super::inconsistent::inconsistent;
use crate::error::Result;
use crate::linkage::check_linkage;

/// One suggested cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// "elbow", "inconsistency" or "gap".
    pub method: &'static str,
    /// The suggested number of clusters.
    pub k: usize,
    /// A height to cut at (fcluster criterion distance) that gives exactly
    /// k clusters: halfway between the merges around the cut. On a Z whose
    /// heights are not monotone (centroid, median) no height need give k
    /// clusters: there `criterion` is "maxclust" and this is the height of
    /// the highest merge below the cut, for information only.
    pub threshold: f64,
    /// How to reproduce the cut with fcluster: "distance" (at `threshold`)
    /// or "maxclust" (with t = k), so that fcluster gives k clusters.
    pub criterion: &'static str,
    /// Why k differs from what the heuristic read, when it does: tied
    /// heights at the cut, all heights equal, or heights that are not
    /// monotone.
    pub note: Option<String>,
    /// What the suggestion rests on, as (what, value) pairs.
    pub evidence: Vec<(String, f64)>,
    /// What can make it wrong.
    pub caveat: &'static str,
}

/// The merge heights sorted ascending (centroid and median can be out of
/// order).
fn sorted_heights(z: ArrayView2<f64>) -> Vec<f64> {
    let mut h: Vec<f64> = z.column(2).to_vec();
    h.sort_by(f64::total_cmp);
    h
}

/// A cut between the (k-1)-th and k-th merge from the top gives k clusters
/// (when those two heights differ).
fn threshold_for(h: &[f64], k: usize) -> f64 {
    let m = h.len();
    if k > m {
        return 0.0;
    }
    let below = h[m - k];
    let above = h.get(m - k + 1).copied().unwrap_or(below);
    (below + above) / 2.0
}

/// The cut a heuristic asked for (k clusters), made real: the number of
/// clusters that fcluster gives on the cut, the threshold, the criterion
/// and why k changed.
///
/// - All heights equal: one cluster, since no height separates any merge
///   from another; there is no evidence for more.
/// - Monotone heights: the distance cut halfway between the merges around
///   the cut. Where they tie, the cut cannot fall between them, and k is
///   what the cut at the tied height gives: `1 + #(heights > t)`, which
///   is fcluster's count for monotone Z.
/// - Heights not monotone: fcluster's maxclust with t = k (no single height
///   need give k clusters), and k is the number of clusters it gives.
fn settle(
    z: ArrayView2<f64>,
    h: &[f64],
    wanted: usize,
) -> (usize, f64, &'static str, Option<String>) {
    let n = z.nrows() + 1;
    let wanted = wanted.clamp(1, n);
    if h.first() == h.last() {
        let note = (wanted > 1).then(|| {
            "all merge heights are equal: no cut separates any clusters, so there is no \
             evidence for more than one cluster"
                .to_string()
        });
        return (1, h.last().copied().unwrap_or(0.0), "distance", note);
    }
    if !crate::linkage::is_monotonic(z) {
        let got = super::fcluster(z, wanted as f64, &super::Criterion::MaxClust)
            .map(|l| l.into_iter().max().unwrap_or(1))
            .unwrap_or(wanted);
        let note = format!(
            "the merge heights are not monotone (an inversion, as centroid and median \
             can give), so no single height need give {wanted} clusters: cut by maxclust \
             (fcluster -t {wanted} --criterion maxclust){}",
            if got == wanted {
                String::new()
            } else {
                format!(", which gives {got}")
            }
        );
        return (got, threshold_for(h, wanted), "maxclust", Some(note));
    }
    let t = threshold_for(h, wanted);
    let got = 1 + h.iter().filter(|&&v| v > t).count();
    let note = (got != wanted).then(|| {
        format!(
            "merge heights tie at the cut for {wanted} clusters ({t}), so no height gives \
             exactly {wanted}: cutting at {t} gives {got}"
        )
    });
    (got, t, "distance", note)
}

impl Suggestion {
    /// The cut in words: "cut at height 1.234567" or, on heights that are
    /// not monotone, "cut by maxclust into 3 clusters", then the note if
    /// there is one.
    pub fn describe_cut(&self) -> String {
        let cut = if self.criterion == "maxclust" {
            format!("cut by maxclust into {} clusters", self.k)
        } else {
            format!("cut at height {:.6}", self.threshold)
        };
        match &self.note {
            Some(note) => format!("{cut}; {note}"),
            None => cut,
        }
    }

    /// The flat clusters of this cut, as fcluster gives them: exactly
    /// [`Suggestion::k`] distinct labels.
    ///
    /// # Errors
    /// [`crate::Error::InvalidLinkage`] when Z is not valid.
    pub fn clusters(&self, z: ArrayView2<f64>) -> Result<Vec<usize>> {
        if self.criterion == "maxclust" {
            super::fcluster(z, self.k as f64, &super::Criterion::MaxClust)
        } else {
            super::fcluster(z, self.threshold, &super::Criterion::Distance)
        }
    }
}

/// The tutorial's elbow: the second difference ("acceleration") of the last
/// `window` merge heights; k is where it peaks, counted from the top, plus 2.
///
/// Returns None when Z has fewer than 3 merges.
///
/// # Errors
/// [`crate::Error::InvalidLinkage`] when Z is not valid.
pub fn elbow(z: ArrayView2<f64>, window: usize) -> Result<Option<Suggestion>> {
    check_linkage(z)?;
    let h = sorted_heights(z);
    let last = &h[h.len().saturating_sub(window.max(3))..];
    if last.len() < 3 {
        return Ok(None);
    }
    // acceleration[j] for j counted from the top merge down
    let accel: Vec<f64> = (0..last.len() - 2)
        .rev()
        .map(|i| last[i + 2] - 2.0 * last[i + 1] + last[i])
        .collect();
    let (j, _) =
        accel.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |b, (j, &a)| if a > b.1 { (j, a) } else { b },
        );
    let (k, threshold, criterion, note) = settle(z, &h, j + 2);
    let mut evidence: Vec<(String, f64)> = last
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &v)| (format!("height of merge {} from the top", i + 1), v))
        .collect();
    evidence.extend(
        accel
            .iter()
            .enumerate()
            .map(|(j, &a)| (format!("acceleration at k = {}", j + 2), a)),
    );
    Ok(Some(Suggestion {
        method: "elbow",
        k,
        threshold,
        criterion,
        note,
        evidence,
        caveat: "the elbow can never suggest a single cluster, and it reads consecutive heights \
                 that may come from different branches: clusters of very different spread fool it",
    }))
}

/// The most inconsistent of the last `window` links (inconsistency over
/// `depth` levels): cutting just below it gives k clusters.
///
/// # Errors
/// [`crate::Error::InvalidLinkage`] when Z is not valid.
pub fn most_inconsistent(z: ArrayView2<f64>, depth: usize, window: usize) -> Result<Suggestion> {
    let r = inconsistent(z, depth)?;
    let h = sorted_heights(z);
    let rows = z.nrows();
    // rows from the top, by height
    let mut by_height: Vec<usize> = (0..rows).collect();
    by_height.sort_by(|&a, &b| z[[b, 2]].total_cmp(&z[[a, 2]]).then(b.cmp(&a)));
    let top: Vec<usize> = by_height.into_iter().take(window.max(1)).collect();
    let (j, &row) = top.iter().enumerate().fold((0, &top[0]), |b, (j, r_)| {
        if r[[*r_, 3]] > r[[*b.1, 3]] {
            (j, r_)
        } else {
            b
        }
    });
    let k = j + 2;
    let evidence = top
        .iter()
        .enumerate()
        .map(|(j, &row)| {
            (
                format!(
                    "inconsistency of merge {} from the top (height {})",
                    j + 1,
                    z[[row, 2]]
                ),
                r[[row, 3]],
            )
        })
        .collect();
    let _ = row;
    let (k, threshold, criterion, note) = settle(z, &h, k);
    Ok(Suggestion {
        method: "inconsistency",
        k,
        threshold,
        criterion,
        note,
        evidence,
        caveat: "the coefficient compares a link only with the links a few levels below it, \
                 so its values depend on the depth and are hard to compare across data sets",
    })
}

/// The largest gap between consecutive merge heights: cutting inside it.
///
/// # Errors
/// [`crate::Error::InvalidLinkage`] when Z is not valid.
pub fn largest_gap(z: ArrayView2<f64>) -> Result<Suggestion> {
    check_linkage(z)?;
    let h = sorted_heights(z);
    let m = h.len();
    let (i, gap) = (0..m.saturating_sub(1)).map(|i| (i, h[i + 1] - h[i])).fold(
        (m.saturating_sub(1), f64::NEG_INFINITY),
        |b, (i, g)| if g >= b.1 { (i, g) } else { b },
    );
    // merges 0..=i applied leaves n - (i + 1) = m - i clusters
    let wanted = if gap.is_finite() { m - i } else { 1 };
    let (k, threshold, criterion, note) = settle(z, &h, wanted);
    Ok(Suggestion {
        method: "gap",
        k,
        threshold,
        criterion,
        note,
        evidence: vec![
            ("gap".into(), gap.max(0.0)),
            ("height below the gap".into(), h[i.min(m - 1)]),
            ("height above the gap".into(), h[(i + 1).min(m - 1)]),
        ],
        caveat: "a single wide gap can come from one loose cluster merging late; \
                 consecutive heights may belong to different branches",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::{linkage, Method};
    use crate::Metric;

    /// Three tight blobs far apart: every heuristic should say 3.
    fn three_blobs() -> ndarray::Array2<f64> {
        let mut rows = Vec::new();
        for (c, centre) in [0.0, 100.0, 200.0].iter().enumerate() {
            for i in 0..8 {
                rows.push(vec![
                    centre + (i as f64) * 0.1 + c as f64 * 0.01,
                    (i % 3) as f64 * 0.2,
                ]);
            }
        }
        ndarray::Array2::from_shape_vec((24, 2), rows.concat()).unwrap()
    }

    #[test]
    fn all_three_find_three_blobs() {
        let x = three_blobs();
        let z = linkage(x.view(), Method::Ward, &Metric::Euclidean).unwrap();
        assert_eq!(elbow(z.view(), 10).unwrap().unwrap().k, 3);
        assert_eq!(largest_gap(z.view()).unwrap().k, 3);
        let s = most_inconsistent(z.view(), 2, 10).unwrap();
        assert!(s.k >= 2, "{s:?}");
        let g = largest_gap(z.view()).unwrap();
        let t =
            crate::analysis::fcluster(z.view(), g.threshold, &crate::analysis::Criterion::Distance)
                .unwrap();
        assert_eq!(t.iter().max(), Some(&3));
    }
}
