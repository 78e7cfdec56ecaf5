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
