//! Exact single linkage from Prim's algorithm in f32 (adapters without
//! f64): the device's f32 tree narrows the pairs down, the host decides
//! among them in f64.
//!
//! # Why the answer is exact
//! Write d for the CPU's f64 euclidean distance (pdist's arithmetic) and
//! d32 for any f32 evaluation of it on the device from the points as
//! uploaded (centred, scaled by a power of two, rounded to f32). The bound
//! of [`Bound`] gives, for every pair,
//!
//! ```text
//! |d32 - d| <= alpha d + beta.
//! ```
//!
//! Prim's algorithm in f32 ([`super::prim`]) visits the points in some
//! order with keys k_1, k_2, ... (the f32 distance at which each joined).
//! For positions a < b, r(a, b) = max(k_{a+1}, ..., k_b) is the f32 tree's
//! minimax distance between them: the largest f32 edge on the tree path
//! (the cut at the largest key's step is crossed by no f32 pair below it,
//! and every point between joined at most that far from the points
//! before it).
//!
//! Take any pair e = (u, v) of any exact minimum spanning tree. By the
//! cycle property, d(e) is at most the largest d on any path between u and
//! v, in particular the f32 tree's path P:
//!
//! ```text
//! d(e) <= max_{f in P} d(f) <= max_{f in P} (d32(f) + beta) / (1 - alpha) = (r + beta) / (1 - alpha)
//! d32(e) <= (1 + alpha) d(e) + beta <= (r + beta) (1 + alpha) / (1 - alpha) + beta.
//! ```
//!
//! shaders/prim_candidates.wgsl lists every pair whose d32 is at most that
//! bound (computed with rho = (1 + alpha) / (1 - alpha) raised by 8 f32
//! units of rounding, which covers the kernel's three roundings of the
//! bound itself). So the list holds every pair of every exact minimum
//! spanning tree, among them each step's smallest edge across the cut
//! between the CPU's tree and the rest, and Prim's algorithm over the list
//! in f64 ([`crate::linkage::mst::mst_single_sparse`]) takes the CPU's
//! steps: Z is the CPU's to the bit, ties included.
//!
//! When the list would pass its room (data with many exact ties, such as
//! large groups of identical points), or the points cannot be put in f32's
//! range, the caller runs the CPU's path instead and says so.

use super::context::GpuContext;
use super::prim::{feature_major, prim_edges, PrimKernels};
use crate::backend::stats::Count;
use crate::error::Result;
use crate::linkage::relabel::SlotMerge;
use crate::linkage::rows::squared_euclidean;

/// The kernel source.
pub(crate) const PRIM_CANDIDATES_WGSL: &str = include_str!("../../../shaders/prim_candidates.wgsl");

/// Threads per workgroup.
const WG: usize = 256;

/// Features times columns per thread and dispatch: keeps each dispatch
/// short on any device. (lavapipe cut threads short after about 72,000
/// iterations of the loops, silently; the count of pairs looked at, which
/// the host checks, catches that.)
const COLUMN_WORK: usize = 1 << 14;

/// Dispatches per wait (and per check of the cancel token).
const DISPATCHES_PER_WAIT: usize = 8;

/// f32's unit roundoff.
const U32: f64 = 1.0 / (1u64 << 24) as f64;

/// The uniform parameters of prim_candidates.wgsl.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    m: u32,
    b0: u32,
    b1: u32,
    cap: u32,
    groups_x: u32,
    rho: f32,
    beta: f32,
}

/// The candidate kernel and its layout, built once per backend.
pub(crate) struct CandidateKernel {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

impl CandidateKernel {
    /// Builds the kernel.
    ///
    /// # Errors
    /// [`crate::Error::Gpu`] when it does not build.
    pub fn new(ctx: &GpuContext) -> Result<Self> {
        // params, x, key, runmax (w), found (w), pairs (w)
        let layout = ctx.layout("prim candidates layout", 5, &[3, 4, 5]);
        let pipeline = ctx.pipeline("prim candidates", PRIM_CANDIDATES_WGSL, &layout, &[])?;
        Ok(CandidateKernel { layout, pipeline })
    }
}

/// The error bound of an f32 distance on points of norm at most `radius`
/// (after centring and scaling): `|d32 - d| <= alpha d + beta`, with d the
/// CPU's f64 distance of the same pair (in the same units).
///
/// ```text
/// alpha = gamma(m + 2) + 20 u          gamma(k) = k u / (1 - k u), u = 2^-24
/// beta  = 1.01 (2 u + 2^-51) radius + sqrt(m) 2^-62
/// ```
///
/// * The differences, squares and the sum of m non-negative terms round
///   each term at most m + 2 times: relative gamma(m + 2) on the sum, at
///   most that on its square root (a fused multiply-add only rounds less).
///   WGSL's f32 `sqrt` may be off by a few units (it is specified through
///   inverseSqrt): 16 u covers it. The CPU's own f64 arithmetic adds
///   (m + 3) 2^-53, under the remaining 4 u.
/// * Rounding the inputs to f32 moves each point by at most u times its
///   norm: 2 u radius on a distance; centring in f64 moves it by 2^-53 of
///   the norm at each end.
/// * Values below f32's normal range flushed to zero change the sum by at
///   most m 2^-126: sqrt(m) 2^-63 on the distance. The 1.01 covers the
///   products of small terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bound {
    /// Relative part.
    pub alpha: f64,
    /// Absolute part (in the scaled units).
    pub beta: f64,
}

impl Bound {
    /// The bound for m features and points of norm at most `radius`.
    pub fn new(m: usize, radius: f64) -> Bound {
        let k = (m + 2) as f64 * U32;
        let alpha = k / (1.0 - k) + 20.0 * U32;
        let beta =
            1.01 * (2.0 * U32 + 2f64.powi(-51)) * radius + (m as f64).sqrt() * 2f64.powi(-62);
        Bound { alpha, beta }
    }

    /// (rho, beta) for the kernel, each rounded up to f32: the largest f32
    /// distance a pair of exact minimum spanning trees may have, for a
    /// tree minimax distance r, is at most `(r + beta) rho + beta` as the
    /// kernel computes it.
    pub fn kernel_terms(&self) -> (f32, f32) {
        let rho = (1.0 + self.alpha) / (1.0 - self.alpha) * (1.0 + 8.0 * U32);
        (up(rho), up(self.beta))
    }
}

/// The smallest f32 at least `v` (finite, non-negative `v`).
fn up(v: f64) -> f32 {
    let r = v as f32;
    if f64::from(r) >= v {
        r
    } else {
        f32::from_bits(r.to_bits() + 1)
    }
}

/// The points as the device gets them: centred on their bounding box's
/// middle and scaled by a power of two to norm at most 1 (so no f32
/// square or sum overflows).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    /// Row-major, `(x - centre) * scale`, in f64 (rounded to f32 on upload).
    pub y: Vec<f64>,
    /// The largest norm of a row of `y`.
    pub radius: f64,
    /// The power of two.
    pub scale: f64,
}

/// [`Prepared`] points, or None when their spread is beyond what a power
/// of two can bring into f32's range.
pub(crate) fn prepare(x: &[f64], n: usize, m: usize) -> Option<Prepared> {
    let m1 = m.max(1);
    let mut centre = vec![0.0; m];
    for (k, c) in centre.iter_mut().enumerate() {
        let (lo, hi) = (0..n).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), i| {
            (lo.min(x[i * m + k]), hi.max(x[i * m + k]))
        });
        *c = lo / 2.0 + hi / 2.0;
    }
    let mut y: Vec<f64> = x
        .chunks_exact(m1)
        .flat_map(|row| row.iter().zip(&centre).map(|(v, c)| v - c))
        .collect();
    let radius = y
        .chunks_exact(m1)
        .map(|row| row.iter().map(|v| v * v).sum::<f64>().sqrt())
        .fold(0.0, f64::max);
    if radius == 0.0 {
        // All points equal.
        return Some(Prepared {
            y,
            radius,
            scale: 1.0,
        });
    }
    if !(2f64.powi(-900)..=2f64.powi(900)).contains(&radius) {
        return None;
    }
    let scale = 2f64.powi(-(radius.log2().ceil() as i32));
    y.iter_mut().for_each(|v| *v *= scale);
    Some(Prepared {
        y,
        radius: radius * scale,
        scale,
    })
}

/// Why the exact f32 path gave way to the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Declined {
    /// The points' spread is beyond f32's range, even scaled.
    Range,
    /// More candidate pairs than `cap` (many exact ties).
    TooManyPairs(usize),
    /// The candidates left a point unreached (the device's f32 arithmetic
    /// broke its bound).
    Disconnected,
    /// The device did not look at every pair (a kernel cut short).
    Incomplete,
    /// A candidate's f64 distance is infinite (the CPU's path names the
    /// pair in its error).
    Overflow,
}

impl std::fmt::Display for Declined {
    /// Why the CPU ran instead, for the backend's note.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Declined::Range => f.write_str(
                "the points' spread is beyond the range that exact Prim's algorithm on this \
                 f32 adapter can hold",
            ),
            Declined::TooManyPairs(k) => write!(
                f,
                "exact Prim's algorithm on this f32 adapter found {k} pairs within f32's error \
                 of a tie, more than it has room for (data with many exactly tied distances, \
                 such as large groups of identical points)"
            ),
            Declined::Disconnected => f.write_str(
                "this f32 adapter's distances broke their error bound, so its tree could not \
                 be refined",
            ),
            Declined::Incomplete => f.write_str(
                "this f32 adapter did not run the search for candidate pairs to the end",
            ),
            Declined::Overflow => f.write_str("distances overflow f64"),
        }
    }
}

/// Prim's tree of the row-major observations `x` (n x m, n >= 2) in f64
/// from an f32 device: the edges [`crate::linkage::single_euclidean`]
/// records, to the bit (see the module's proof), or why not.
///
/// # Errors
/// As [`prim_edges`]; [`crate::Error::Cancelled`].
pub(crate) fn prim_edges_exact(
    ctx: &GpuContext,
    prim: &PrimKernels,
    kernel: &CandidateKernel,
    x: &[f64],
    n: usize,
    m: usize,
    cap: usize,
) -> Result<std::result::Result<Vec<SlotMerge>, Declined>> {
    let Some(Prepared { y, radius, .. }) = prepare(x, n, m) else {
        return Ok(Err(Declined::Range));
    };
    let counters = &ctx.counters;
    let edges = counters.timed(Count::DeviceCallNanos, || prim_edges(ctx, prim, &y, n, m))?;
    let mut order = Vec::with_capacity(n);
    order.push(0);
    order.extend(edges.iter().map(|e| e.b));
    let mut keys = Vec::with_capacity(n);
    keys.push(0.0);
    keys.extend(edges.iter().map(|e| e.dist));
    drop(edges);

    let pairs = counters.timed(Count::DeviceCallNanos, || {
        candidate_pairs(
            ctx,
            kernel,
            &y,
            &order,
            &keys,
            m,
            Bound::new(m, radius),
            cap,
        )
    })?;
    drop(y);
    let pairs = match pairs {
        Ok(p) => p,
        Err(why) => return Ok(Err(why)),
    };
    crate::cancel::check()?;
    let mut neighbours = vec![Vec::new(); n];
    for (a, b) in pairs {
        let (i, j) = (order[a], order[b]);
        let d = squared_euclidean(&x[i * m..(i + 1) * m], &x[j * m..(j + 1) * m]).sqrt();
        if d == f64::INFINITY {
            return Ok(Err(Declined::Overflow));
        }
        neighbours[i].push((j, d));
        neighbours[j].push((i, d));
    }
    Ok(crate::linkage::mst::mst_single_sparse(&neighbours)?.ok_or(Declined::Disconnected))
}

/// The pairs of positions (a, b), a < b, that prim_candidates.wgsl lists
/// for the points `y` (row-major, visited in `order` with `keys`), or why
/// not: more than `cap` of them, or a device that did not run every
/// thread's columns to the end.
#[allow(clippy::too_many_arguments)]
fn candidate_pairs(
    ctx: &GpuContext,
    kernel: &CandidateKernel,
    y: &[f64],
    order: &[usize],
    keys: &[f64],
    m: usize,
    bound: Bound,
    cap: usize,
) -> Result<std::result::Result<Vec<(usize, usize)>, Declined>> {
    let n = order.len();
    let cap = cap
        .min((ctx.max_binding_bytes() / 8) as usize)
        .min(u32::MAX as usize - 1);
    let by_feature = feature_major(y, m, order);
    let x_buf = ctx.storage("prim candidates observations", by_feature.len() as u64 * 4)?;
    ctx.write_real(&x_buf, 0, &by_feature);
    drop(by_feature);
    let key_buf = ctx.storage("prim candidates keys", n as u64 * 4)?;
    ctx.write_real(&key_buf, 0, keys);
    let runmax = ctx.storage("prim candidates running maxima", n as u64 * 4)?;
    ctx.write_bytes(&runmax, 0, bytemuck::cast_slice(&vec![0f32; n]));
    let found = ctx.storage("prim candidates count", 8)?;
    ctx.write_bytes(&found, 0, bytemuck::cast_slice(&[0u32, 0]));
    let pairs = ctx.storage("prim candidate pairs", 8 * cap.max(1) as u64)?;
    let (rho, beta) = bound.kernel_terms();
    let params = |b0: usize, b1: usize, groups_x: u32| Params {
        n: n as u32,
        m: m as u32,
        b0: b0 as u32,
        b1: b1 as u32,
        cap: cap as u32,
        groups_x,
        rho,
        beta,
    };
    let params_buf = ctx.uniform(
        "prim candidates params",
        bytemuck::bytes_of(&params(0, 0, 1)),
    )?;
    let group = ctx.bind_group(
        "prim candidates bind group",
        &kernel.layout,
        &[&params_buf, &x_buf, &key_buf, &runmax, &found, &pairs],
    );

    let width = (COLUMN_WORK / m.max(1)).max(1);
    let mut b0 = 1;
    let mut dispatched = 0;
    while b0 < n {
        let b1 = (b0 + width).min(n);
        // Positions a < b1 - 1 have columns here.
        let groups = ctx.groups_2d((b1 - 1).div_ceil(WG) as u32);
        ctx.write_bytes(
            &params_buf,
            0,
            bytemuck::bytes_of(&params(b0, b1, groups.0)),
        );
        let mut encoder = ctx.encoder("prim candidates");
        {
            let mut pass = ctx.compute_pass(&mut encoder, "prim candidates");
            pass.set_pipeline(&kernel.pipeline);
            pass.set_bind_group(0, &group, &[]);
            ctx.dispatch(&mut pass, groups.0, groups.1);
        }
        dispatched += 1;
        if dispatched % DISPATCHES_PER_WAIT == 0 {
            ctx.submit_and_wait(encoder)?;
            crate::cancel::check()?;
        } else {
            ctx.submit(encoder);
        }
        b0 = b1;
    }

    let counts = ctx.read_back(
        "the candidate count",
        ctx.encoder("prim count"),
        &found,
        0,
        8,
        &ctx.staging("prim candidates count read-back", 8)?,
    )?;
    let word = |c: &[u8]| u32::from_le_bytes(c.try_into().expect("4 bytes")) as usize;
    let (count, looked_at) = (word(&counts[..4]), word(&counts[4..8]) as u32);
    if u64::from(looked_at) != (n as u64 * (n as u64 - 1) / 2) % (1 << 32) {
        return Ok(Err(Declined::Incomplete));
    }
    if count > cap {
        return Ok(Err(Declined::TooManyPairs(count)));
    }
    if count == 0 {
        return Ok(Ok(Vec::new()));
    }
    let raw = ctx.read_back(
        "the candidate pairs",
        ctx.encoder("prim pairs"),
        &pairs,
        0,
        8 * count as u64,
        &ctx.staging("prim candidates read-back", 8 * count as u64)?,
    )?;
    Ok(Ok(raw
        .chunks_exact(8)
        .map(|c| (word(&c[..4]), word(&c[4..])))
        .collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The f32 distance as a device without fused operations computes it.
    fn d32(a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0f32;
        for (u, v) in a.iter().zip(b) {
            let t = *u as f32 - *v as f32;
            s += t * t;
        }
        f64::from(s.sqrt())
    }

    #[test]
    fn the_bound_holds_for_f32_distances_of_awkward_data() {
        let mut rng = crate::test_rng::Lcg(11);
        // (n, m, offset, spread): far from the origin, tiny differences,
        // many features.
        for (n, m, offset, spread) in [
            (60, 2, 0.0, 1.0),
            (60, 3, 1e6, 1.0),
            (40, 128, 5.0, 1e-3),
            (50, 7, -3e12, 1e4),
            (30, 1, 0.0, 1e-200),
        ] {
            let x: Vec<f64> = (0..n * m)
                .map(|_| offset + spread * (rng.uniform() - 0.5))
                .collect();
            let Prepared { y, radius, scale } = prepare(&x, n, m).expect("in range");
            assert!(radius <= 1.0, "{radius}");
            let bound = Bound::new(m, radius);
            for i in 0..n {
                for j in i + 1..n {
                    let d = scale
                        * squared_euclidean(&x[i * m..(i + 1) * m], &x[j * m..(j + 1) * m]).sqrt();
                    let e = d32(&y[i * m..(i + 1) * m], &y[j * m..(j + 1) * m]);
                    assert!(
                        (e - d).abs() <= bound.alpha * d + bound.beta,
                        "n {n} m {m}: |{e} - {d}| > {bound:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_kernel_terms_round_up() {
        let b = Bound::new(3, 0.75);
        let (rho, beta) = b.kernel_terms();
        assert!(f64::from(rho) >= (1.0 + b.alpha) / (1.0 - b.alpha));
        assert!(f64::from(beta) >= b.beta);
        assert_eq!(up(1.0), 1.0);
        assert!(f64::from(up(0.1)) >= 0.1);
    }

    #[test]
    fn prepare_centres_scales_and_declines_what_f32_cannot_hold() {
        let x = [10.0, 20.0, 14.0, 20.0, 12.0, 23.0];
        let p = prepare(&x, 3, 2).unwrap();
        // centre (12, 21.5); largest norm 2.5; scale 1/4
        assert_eq!(p.y, vec![-0.5, -0.375, 0.5, -0.375, 0.0, 0.375]);
        assert_eq!((p.radius, p.scale), (0.625, 0.25));
        assert_eq!(prepare(&[1.0, 1.0], 2, 1).unwrap().y, vec![0.0, 0.0]);
        assert_eq!(prepare(&[-1e300, 1e300], 2, 1), None);
    }
}
