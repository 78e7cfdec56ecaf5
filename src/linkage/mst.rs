//! Single linkage as a minimum spanning tree (Prim's algorithm), with
//! scipy's scan order and tie-breaking, on a distance matrix or straight
//! from the observations.

use rayon::prelude::*;

use super::relabel::SlotMerge;
use super::working::Nearest;
use crate::error::Result;

/// Rows shorter than this are scanned on one thread.
const PARALLEL_MIN: usize = 4096;
/// Chunk length of a scan (and of the distance scratch buffer).
const CHUNK: usize = 1024;

/// Prim's algorithm over `n` observations. `distances(x, idx, out)` fills
/// `out[k]` with the distance from x to `idx[k]` (from a condensed matrix,
/// or computed on the fly from the observations).
///
/// Starts at x = 0. Each step marks x done; for every not-done i in
/// ascending order lowers `best[i]` to `d(x, i)` when that is smaller;
/// the next x is the lowest i with the strictly smallest `best[i]`. Each
/// step records the edge (x, next, best[next]): the merges of single
/// linkage in discovery order, before sorting and relabelling.
///
/// # Errors
/// [`crate::Error::Cancelled`] when the run's token fires (checked at each
/// step).
pub(crate) fn mst_single<F>(n: usize, distances: F) -> Result<Vec<SlotMerge>>
where
    F: Fn(usize, &[usize], &mut [f64]) + Sync,
{
    let mut best = vec![f64::INFINITY; n];
    let mut remaining: Vec<usize> = (1..n).collect();
    let mut merges = Vec::with_capacity(n - 1);
    let mut x = 0usize;
    for _ in 0..n - 1 {
        crate::cancel::check()?;
        let scan = |(idx, b): (&[usize], &mut [f64])| -> Nearest {
            let mut d = [0.0f64; CHUNK];
            let d = &mut d[..idx.len()];
            distances(x, idx, d);
            let mut cur = Nearest::NONE;
            for ((&i, bi), &di) in idx.iter().zip(b.iter_mut()).zip(d.iter()) {
                if *bi > di {
                    *bi = di;
                }
                if *bi < cur.dist {
                    cur = Nearest {
                        dist: *bi,
                        index: i,
                    };
                }
            }
            cur
        };
        // `best` is kept aligned with `remaining`, position by position.
        let b = &mut best[..remaining.len()];
        let found = if remaining.len() < PARALLEL_MIN {
            remaining
                .chunks(CHUNK)
                .zip(b.chunks_mut(CHUNK))
                .map(scan)
                .fold(Nearest::NONE, Nearest::better)
        } else {
            remaining
                .par_chunks(CHUNK)
                .zip(b.par_chunks_mut(CHUNK))
                .map(scan)
                .reduce(|| Nearest::NONE, Nearest::better)
        };
        // Nothing below infinity happens only with non-finite input, which
        // callers reject; take the first remaining point then.
        let (d, y) = if found.index == usize::MAX {
            (found.dist, remaining[0])
        } else {
            (found.dist, found.index)
        };
        merges.push(SlotMerge {
            a: x,
            b: y,
            dist: d,
        });
        let pos = remaining.binary_search(&y).expect("y is remaining");
        remaining.remove(pos);
        best.remove(pos);
        x = y;
    }
    Ok(merges)
}

/// [`mst_single`] on a graph that holds only some of the pairs:
/// `neighbours[i]` lists `(j, d(i, j))` for the pairs (i, j) present, both
/// ways round, with the distances that [`mst_single`] would compute.
///
/// The steps are [`mst_single`]'s whenever the graph holds, at every step,
/// a pair of smallest distance between the tree and the rest (the edge
/// that step takes): then every point's key (its smallest distance to the
/// tree over the graph's pairs) is at least its key over all pairs, and
/// equal for the point that [`mst_single`] takes next, so the smallest key,
/// ties to the lowest point, is the same point at the same distance, and
/// the recorded edge (last point, next point, distance) is the same. A
/// graph that holds every pair of some minimum spanning tree of every
/// such cut does; `backend::gpu` builds one from f32 distances with a
/// proven error bound. Heap entries are (key, point), popped smallest
/// first, stale ones skipped: O((n + pairs) log n).
///
/// Returns None when the graph is not connected (a point left without a
/// pair to the tree).
///
/// # Errors
/// [`crate::Error::Cancelled`] when the run's token fires.
pub(crate) fn mst_single_sparse(
    neighbours: &[Vec<(usize, f64)>],
) -> Result<Option<Vec<SlotMerge>>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    /// A key that orders as an f64 (keys are finite and non-negative, so
    /// `total_cmp` is the usual order), ties to the lower point.
    #[derive(PartialEq)]
    struct Key(f64, usize);
    impl Eq for Key {}
    impl PartialOrd for Key {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Key {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
        }
    }

    let n = neighbours.len();
    let mut best = vec![f64::INFINITY; n];
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    let mut x = 0usize;
    for step in 0..n.saturating_sub(1) {
        if step % 4096 == 0 {
            crate::cancel::check()?;
        }
        done[x] = true;
        for &(i, d) in &neighbours[x] {
            if !done[i] && best[i] > d {
                best[i] = d;
                heap.push(Reverse(Key(d, i)));
            }
        }
        let next = loop {
            match heap.pop() {
                None => return Ok(None),
                Some(Reverse(Key(d, i))) if !done[i] && d == best[i] => break i,
                Some(_) => {}
            }
        };
        merges.push(SlotMerge {
            a: x,
            b: next,
            dist: best[next],
        });
        x = next;
    }
    Ok(Some(merges))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::rows::squared_euclidean;

    fn observations(n: usize, m: usize, seed: u64, grid: bool) -> Vec<f64> {
        let mut rng = crate::test_rng::Lcg(seed);
        (0..n * m)
            .map(|_| {
                let u = rng.uniform();
                if grid {
                    (u * 4.0).floor()
                } else {
                    u
                }
            })
            .collect()
    }

    fn dist(x: &[f64], m: usize, i: usize, j: usize) -> f64 {
        squared_euclidean(&x[i * m..(i + 1) * m], &x[j * m..(j + 1) * m]).sqrt()
    }

    fn full(x: &[f64], n: usize, m: usize) -> Vec<SlotMerge> {
        mst_single(n, |a, idx, out| {
            for (o, &j) in out.iter_mut().zip(idx) {
                *o = dist(x, m, a, j);
            }
        })
        .unwrap()
    }

    fn same(a: &[SlotMerge], b: &[SlotMerge]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(p, q)| (p.a, p.b, p.dist.to_bits()) == (q.a, q.b, q.dist.to_bits()))
    }

    /// The graph of the pairs at most `slack` above their minimax distance
    /// (the largest edge on the tree path between them): it holds every
    /// minimum spanning tree.
    fn near_minimax(x: &[f64], n: usize, m: usize, slack: f64) -> Vec<Vec<(usize, f64)>> {
        let merges = full(x, n, m);
        // Prim's order: the minimax distance of the points at positions
        // a < b is the largest key of positions a + 1 ..= b.
        let order: Vec<usize> = std::iter::once(0)
            .chain(merges.iter().map(|e| e.b))
            .collect();
        let keys: Vec<f64> = std::iter::once(0.0)
            .chain(merges.iter().map(|e| e.dist))
            .collect();
        let mut g = vec![Vec::new(); n];
        for a in 0..n {
            let mut minimax = 0.0f64;
            for b in a + 1..n {
                minimax = minimax.max(keys[b]);
                let (i, j) = (order[a], order[b]);
                let d = dist(x, m, i, j);
                if d <= minimax + slack {
                    g[i].push((j, d));
                    g[j].push((i, d));
                }
            }
        }
        g
    }

    #[test]
    fn the_complete_graph_gives_prims_steps_ties_included() {
        for (grid, seed) in [(false, 1), (true, 2), (true, 3)] {
            let (n, m) = (60, 2);
            let x = observations(n, m, seed, grid);
            let g: Vec<Vec<(usize, f64)>> = (0..n)
                .map(|i| {
                    (0..n)
                        .rev()
                        .filter(|&j| j != i)
                        .map(|j| (j, dist(&x, m, i, j)))
                        .collect()
                })
                .collect();
            let sparse = mst_single_sparse(&g).unwrap().unwrap();
            assert!(same(&sparse, &full(&x, n, m)), "grid {grid}");
        }
    }

    #[test]
    fn the_pairs_near_their_minimax_distance_give_prims_steps_ties_included() {
        for (grid, seed) in [(false, 4), (true, 5), (true, 6)] {
            let (n, m) = (80, 3);
            let x = observations(n, m, seed, grid);
            let g = near_minimax(&x, n, m, 0.0);
            let pairs: usize = g.iter().map(Vec::len).sum::<usize>() / 2;
            assert!(pairs < n * (n - 1) / 2, "the graph is sparse: {pairs}");
            let sparse = mst_single_sparse(&g).unwrap().unwrap();
            assert!(same(&sparse, &full(&x, n, m)), "grid {grid}");
        }
    }

    #[test]
    fn a_graph_that_leaves_a_point_unreached_gives_none() {
        let (n, m) = (40, 2);
        let x = observations(n, m, 7, false);
        let mut g = near_minimax(&x, n, m, 0.0);
        // Without point 0's pairs nothing reaches past it.
        g[0].clear();
        for l in g.iter_mut() {
            l.retain(|&(j, _)| j != 0);
        }
        assert!(mst_single_sparse(&g).unwrap().is_none());
    }
}
