//! Single linkage as a minimum spanning tree (Prim's algorithm), with
//! scipy's scan order and tie-breaking.

use rayon::prelude::*;

use super::relabel::SlotMerge;

/// Rows shorter than this are scanned on one thread.
const PARALLEL_MIN: usize = 4096;
/// Chunk length of the parallel scan.
const CHUNK: usize = 2048;

/// Prim's algorithm over `n` observations whose distances `dist(x, i)`
/// are given by a function (a condensed matrix, or distances computed on
/// the fly).
///
/// Starts at x = 0. Each step marks x done; for every not-done i in
/// ascending order lowers `best[i]` to `dist(x, i)` when that is smaller;
/// the next x is the lowest i with the strictly smallest `best[i]`. Each
/// step records the edge (x, next, best[next]): the merges of single
/// linkage in discovery order, before sorting and relabelling.
pub(crate) fn mst_single<F>(n: usize, dist: F) -> Vec<SlotMerge>
where
    F: Fn(usize, usize) -> f64 + Sync,
{
    let mut best = vec![f64::INFINITY; n];
    let mut remaining: Vec<usize> = (1..n).collect();
    let mut merges = Vec::with_capacity(n - 1);
    let mut x = 0usize;
    for _ in 0..n - 1 {
        let scan = |(idx, b): (&[usize], &mut [f64])| -> (f64, usize) {
            let mut cur = (f64::INFINITY, usize::MAX);
            for (&i, bi) in idx.iter().zip(b.iter_mut()) {
                let d = dist(x, i);
                if *bi > d {
                    *bi = d;
                }
                if *bi < cur.0 {
                    cur = (*bi, i);
                }
            }
            cur
        };
        // `best` is kept aligned with `remaining`, position by position.
        let b = &mut best[..remaining.len()];
        let (d, y) = if remaining.len() < PARALLEL_MIN {
            scan((&remaining, b))
        } else {
            remaining
                .par_chunks(CHUNK)
                .zip(b.par_chunks_mut(CHUNK))
                .map(scan)
                .reduce(
                    || (f64::INFINITY, usize::MAX),
                    |p, q| {
                        if q.0 < p.0 || (q.0 == p.0 && q.1 < p.1) {
                            q
                        } else {
                            p
                        }
                    },
                )
        };
        // Nothing below infinity happens only with non-finite input, which
        // callers reject; take the first remaining point then.
        let (d, y) = if y == usize::MAX {
            (d, remaining[0])
        } else {
            (d, y)
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
    merges
}
