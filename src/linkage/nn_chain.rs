//! The nearest-neighbour chain algorithm (complete, average, weighted,
//! ward), with scipy's tie-breaking.

use super::method::Method;
use super::relabel::SlotMerge;
use super::working::{remove_sorted, Top2, WorkingMatrix};

/// Runs the nearest-neighbour chain on `d` (consumed: it is updated in
/// place) and returns the merges in discovery order, as slot pairs.
///
/// The chain starts at the lowest active slot. For the chain's tip x, the
/// candidate is the previous chain element unless some active slot is
/// strictly nearer, in which case it is the lowest such slot at the smallest
/// distance (scipy's scan: running minimum initialised to the previous
/// element's distance, ascending, strict `<`). When the tip's nearest
/// neighbour is the previous element, the two merge: the lower slot is
/// dropped and the new cluster lives in the higher one.
///
/// Each slot's nearest neighbour is cached and kept exact through the
/// merges (see [`WorkingMatrix::update_row`]), so a full scan happens only
/// when a slot's neighbour was one of the merged pair: the answers are
/// those of scipy's scans, without most of the scanning.
///
/// Valid for methods whose distance update is reducible (complete, average,
/// weighted, ward; single works too but has a faster algorithm).
pub(crate) fn nn_chain(mut d: WorkingMatrix, method: Method) -> Vec<SlotMerge> {
    let n = d.n();
    let mut size = vec![1usize; n];
    let mut active: Vec<usize> = (0..n).collect();
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut merges = Vec::with_capacity(n - 1);
    let mut cache = vec![Top2::UNKNOWN; n];

    for _ in 0..n - 1 {
        if chain.is_empty() {
            chain.push(active[0]);
        }
        let (x, y, dist) = loop {
            let x = chain[chain.len() - 1];
            let prev = (chain.len() > 1).then(|| chain[chain.len() - 2]);
            let found = if cache[x].best.index != usize::MAX {
                cache[x].best
            } else {
                let t = d.nearest2(x, &active);
                cache[x] = t;
                t.best
            };
            let (y, dist) = match prev {
                // scipy keeps the previous element unless something is
                // strictly nearer (NaN compares false, so it keeps it then too).
                Some(p)
                    if found.dist.partial_cmp(&d.get(x, p)) != Some(std::cmp::Ordering::Less) =>
                {
                    (p, d.get(x, p))
                }
                _ if found.index != usize::MAX => (found.index, found.dist),
                // Nothing below infinity (only with NaN or infinite input,
                // which callers reject): take any other active slot.
                _ => {
                    let other = *active.iter().find(|&&i| i != x).expect("two active slots");
                    (other, d.get(x, other))
                }
            };
            if Some(y) == prev {
                break (x, y, dist);
            }
            chain.push(y);
        };
        chain.truncate(chain.len() - 2);

        let (x, y) = if x > y { (y, x) } else { (x, y) };
        let (nx, ny) = (size[x], size[y]);
        merges.push(SlotMerge { a: x, b: y, dist });
        size[x] = 0;
        size[y] = nx + ny;
        remove_sorted(&mut active, x);

        let pos = active.binary_search(&y).expect("y is active");
        let size_ref = &size;
        let update =
            |dxi: f64, dyi: f64, i: usize| method.update(dxi, dyi, dist, nx, ny, size_ref[i]);
        let (below, above) = active.split_at(pos);
        let lo = d.update_row(x, y, below, update, Some(&mut cache));
        let hi = d.update_row(x, y, &above[1..], update, Some(&mut cache));
        cache[y] = Top2 {
            best: lo.better(hi),
            second: Top2::UNKNOWN.second,
        };
    }
    merges
}
