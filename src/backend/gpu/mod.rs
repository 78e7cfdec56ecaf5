//! The GPU backend, on wgpu (Vulkan, Metal, DX12, or Mesa's lavapipe on
//! the CPU).
//!
//! * **Distances**: a tiled kernel per metric (shaders/pdist_tiled.wgsl)
//!   for euclidean, sqeuclidean, cityblock, chebyshev, minkowski with p =
//!   1, 2 or infinity (weighted or not), seuclidean, cosine, correlation,
//!   canberra, braycurtis, hamming, jaccard, dice, rogerstanimoto,
//!   russellrao, sokalsneath and yule. Each pair sums over its features in
//!   the CPU code's order with the CPU code's operations, so in f64 the
//!   distances equal the CPU's bit for bit where the device rounds
//!   correctly (as lavapipe does; a driver that fuses a multiply and an add
//!   can differ in the last bit). Mahalanobis, jensenshannon, minkowski
//!   with other p and custom metrics run on the CPU, with a note on stderr.
//! * **Linkage**: single, complete, average, weighted and ward merge in
//!   rounds of reciprocal nearest neighbours (`src/linkage/rounds.rs`):
//!   the device keeps the distance matrix and finds nearest neighbours in
//!   batches (shaders/row_argmin.wgsl), the CPU merges with scipy's
//!   Lance-Williams arithmetic and writes each round's new rows back
//!   (shaders/scatter_columns.wgsl). On data without ties Z has the CPU
//!   path's ids and counts, and heights equal to the last bits (merges
//!   happen in another order). With ties (duplicate points, integer
//!   distances) several dendrograms are correct and the GPU may return
//!   another one than scipy's, whose tie-breaking follows the order of its
//!   nearest-neighbour chain: use the CPU backend where ties matter.
//!   Centroid and median are not reducible, so rounds would change the
//!   tree: they run the CPU's generic algorithm with its scans on the
//!   device (`src/linkage/sourced.rs`): all n - 1 neighbours in one batch,
//!   then one row per stale heap entry and per merge, each merge's new row
//!   written back first. The driver, the tie rule and the values are the
//!   CPU's, so in f64 Z is the CPU's to the bit, ties included.
//! * **Single linkage on euclidean observations** needs no distance
//!   matrix: Prim's algorithm runs on the device, two dispatches a step,
//!   many steps per submission (`prim.rs`), with the CPU's scan order, tie
//!   rule and arithmetic, so in f64 Z is the CPU's to the bit. In f32
//!   (`prim_exact.rs`) the device's f32 tree narrows the pairs down: one
//!   more pass lists every pair whose f32 distance is within a proven
//!   error bound of the tree's minimax distance between its points (they
//!   hold every exact minimum spanning tree), and the host runs Prim's
//!   algorithm over them in f64: the CPU's Z to the bit, ties included.
//!   Where the pairs pass their room (many exactly tied distances), the
//!   CPU's path runs instead, with a note.
//! * **Size**: every binding stays within the device's limit (work is cut
//!   into blocks of rows); a problem whose single row does not fit, or that
//!   runs the device out of memory, is refused with
//!   [`crate::Error::TooLargeForGpu`].
//! * **Precision**: f64 where the adapter has SHADER_F64 and f64 is asked
//!   for, else f32 (the kernels are the same WGSL with `real` switched to
//!   f32). The merges give the CPU's Z in both: the host keeps the exact
//!   f64 matrix and does every Lance-Williams update in f64, the device
//!   holds the matrix in its precision (in f32, the rounding of each exact
//!   value: half the device memory) and its reductions return every column
//!   at the row's held minimum, among which the host picks by the exact
//!   values with the CPU's tie rule (rounding is monotone, so the exact
//!   nearest neighbour is always among them; `Candidates` in
//!   src/linkage/rounds.rs). In f32 the distances of observations are
//!   computed on the host in f64 for that reason, and single linkage takes
//!   exact Prim (above).
//!   `pdist` alone on an f32 device returns f32 distances (1e-5
//!   relative).
//!
//! No wgpu type appears in this module's public items.

mod context;
mod distance;
mod merge;
mod prep;
mod prim;
mod prim_exact;
mod reduce;

use std::fmt;

use ndarray::{Array2, ArrayView2};

use super::stats::Count;
use super::{Backend, DeviceStats, Precision, SinglePath};
use crate::distance::{check_observations, CondensedMatrix, Metric};
use crate::error::Result;
use crate::linkage::rounds::linkage_rounds;
use crate::linkage::sourced::generic_with_source;
use crate::linkage::Method;
use context::GpuContext;
use distance::PdistKernels;
use merge::{GpuMatrix, MergeKernels};
use prep::Plan;
use prim::PrimKernels;
use prim_exact::CandidateKernel;

/// Room for exact Prim's candidate pairs in f32: this many per point, and
/// [`PAIR_ROOM_BASE`] more (8 bytes each, on the device and the host). On
/// data without ties there are about n - 1 (the f32 tree's own edges) and
/// a few near-ties.
const PAIR_ROOM_PER_POINT: usize = 8;
/// See [`PAIR_ROOM_PER_POINT`].
const PAIR_ROOM_BASE: usize = 1 << 16;

/// The GPU backend: a device, its queue and the compiled kernels, built
/// once and reused for every call.
pub struct GpuBackend {
    ctx: GpuContext,
    pdist: PdistKernels,
    merge: MergeKernels,
    prim: PrimKernels,
    candidates: CandidateKernel,
    max_block_bytes: u64,
    /// Room for the candidate pairs of exact Prim in f32 in place of
    /// [`PAIR_ROOM_PER_POINT`]'s (for tests).
    pair_room: Option<usize>,
    /// What the runs did that the caller should hear of (distances
    /// computed on the CPU, and why), drained by [`Backend::take_notes`].
    notes: std::sync::Mutex<Vec<String>>,
}

impl fmt::Debug for GpuBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuBackend")
            .field("name", &self.name())
            .finish()
    }
}

impl GpuBackend {
    /// Acquires an adapter (honouring `WGPU_BACKEND` and
    /// `WGPU_POWER_PREF`), opens a device with the adapter's own limits and
    /// builds the kernels. When f64 is asked for but the adapter lacks
    /// SHADER_F64, the backend runs in f32 and [`Backend::name`] says so.
    ///
    /// # Errors
    /// [`crate::Error::NoGpuAdapter`] with wgpu's reason when there is no adapter;
    /// [`crate::Error::Gpu`] when the device cannot be opened or a kernel does not
    /// build.
    pub fn new(precision: Precision) -> Result<Self> {
        let ctx = GpuContext::new(precision)?;
        let pdist = PdistKernels::new(&ctx);
        let merge = MergeKernels::new(&ctx)?;
        let prim = PrimKernels::new(&ctx)?;
        let candidates = CandidateKernel::new(&ctx)?;
        let max_block_bytes = ctx.max_binding_bytes();
        Ok(GpuBackend {
            ctx,
            pdist,
            merge,
            prim,
            candidates,
            max_block_bytes,
            pair_room: None,
            notes: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Caps every distance buffer at `bytes` (at least one row must still
    /// fit), so that work is cut into more blocks. The device's binding
    /// limit is the default; a smaller cap exercises the tiling on small
    /// problems in tests.
    pub fn with_max_block_bytes(mut self, bytes: u64) -> Self {
        self.max_block_bytes = bytes.min(self.ctx.max_binding_bytes());
        self
    }

    /// The precision the kernels run in (f32 when f64 was asked for but is
    /// not available).
    pub fn precision(&self) -> Precision {
        self.ctx.precision
    }

    /// Whether `metric` has a GPU kernel (others run on the CPU).
    pub fn has_kernel(metric: &Metric) -> bool {
        let x = [1.0, 2.0, 3.0, 5.0];
        matches!(prep::plan(&x, 2, 2, metric), Plan::Gpu(_) | Plan::Invalid)
    }
}

impl GpuBackend {
    /// [`Backend::pdist`]'s work (the caller times it).
    fn pdist_timed(&self, x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix> {
        check_observations(x)?;
        crate::memory::check_condensed_fits(x.nrows(), Precision::F64)?;
        let (n, m) = x.dim();
        let standard = x.as_standard_layout();
        let data = standard.as_slice().expect("standard layout is contiguous");
        let spec = match prep::plan(data, n, m, metric) {
            // 1 - u.v / (|u| |v|) cancels for nearly parallel rows: in f32
            // the small distances lose most of their digits (2e-4 relative
            // on 300 Gaussian points), beyond the f32 promise of 1e-5.
            Plan::Gpu(_)
                if self.ctx.precision == Precision::F32
                    && matches!(metric, Metric::Cosine | Metric::Correlation) =>
            {
                self.note(format!(
                    "{metric} in f32 loses digits to cancellation; the distances were \
                     computed on the CPU in f64 (the merges still ran on the GPU)"
                ));
                return crate::distance::pdist(x, metric);
            }
            Plan::Gpu(spec) => spec,
            Plan::Cpu(why) => {
                self.note(format!(
                    "{why}; the {metric} distances were computed on the CPU"
                ));
                return crate::distance::pdist(x, metric);
            }
            Plan::Invalid => return crate::distance::pdist(x, metric),
        };
        let d = distance::pdist_gpu(
            &self.ctx,
            &self.pdist,
            data,
            n,
            m,
            &spec,
            self.max_block_bytes,
        )?;
        if d.iter().all(|v| *v >= 0.0 && v.is_finite()) {
            Ok(CondensedMatrix::from_parts_unchecked(n, d))
        } else {
            // A NaN, infinite or negative distance: the CPU finds the pair
            // and explains it with the same message as the CPU backend (or,
            // for an f32 overflow, computes the distances in f64).
            crate::distance::pdist(x, metric)
        }
    }

    fn note(&self, note: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note);
        }
    }
}

impl Backend for GpuBackend {
    fn take_notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    /// Prim on the device, in either precision: in f32 the device's tree
    /// narrows the pairs down and the host decides among them in f64
    /// (`prim_exact.rs`), so Z is the CPU's either way.
    fn single_path(&self, _n: usize) -> SinglePath {
        SinglePath::Device
    }

    /// Where the device has TIMESTAMP_QUERY.
    fn time_kernels(&self) -> Result<bool> {
        self.ctx.time_kernels()
    }

    /// The device's counts since the last call (and zero from here on).
    fn take_stats(&self) -> Option<DeviceStats> {
        Some(self.ctx.counters.take())
    }

    /// The adapter, its backend and device type, and the precision, e.g.
    /// `gpu: llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu, f64)`.
    fn name(&self) -> String {
        let info = &self.ctx.info;
        let precision = match (&self.ctx.precision_note, self.ctx.precision) {
            (Some(note), _) => note.clone(),
            (None, Precision::F64) => "f64".to_string(),
            (None, Precision::F32) => "f32".to_string(),
        };
        format!(
            "gpu: {} ({:?}, {:?}, {precision})",
            info.name, info.backend, info.device_type
        )
    }

    /// Pairwise distances on the device for the metrics with a kernel, on
    /// the CPU for the others (saying so on stderr).
    ///
    /// # Errors
    /// As [`crate::pdist`]; [`crate::Error::TooLargeForGpu`] when the observations
    /// do not fit one binding or one row of distances does not fit a block;
    /// [`crate::Error::Gpu`] on device failures.
    fn pdist(&self, x: ArrayView2<f64>, metric: &Metric) -> Result<CondensedMatrix> {
        self.ctx
            .counters
            .timed(Count::DistanceNanos, || self.pdist_timed(x, metric))
    }

    /// Z for observations: single linkage under the euclidean metric runs
    /// Prim's algorithm on the device without the distance matrix (O(n m)
    /// device memory); every other case computes the distance matrix on
    /// the device and merges as [`Backend::linkage_condensed`].
    ///
    /// # Errors
    /// As [`Backend::pdist`] and [`Backend::linkage_condensed`].
    fn linkage(&self, x: ArrayView2<f64>, method: Method, metric: &Metric) -> Result<Array2<f64>> {
        if method.needs_euclidean() && !metric.is_euclidean() {
            return Err(crate::Error::MethodNeedsEuclidean {
                method: method.name().into(),
                metric: metric.name().into(),
            });
        }
        let single = method == Method::Single && metric.is_euclidean();
        let path = single.then(|| self.single_path(x.nrows()));
        if path == Some(SinglePath::Device) {
            check_observations(x)?;
            let (n, m) = x.dim();
            let standard = x.as_standard_layout();
            let data = standard.as_slice().expect("standard layout is contiguous");
            // Prim's loop is all device calls.
            let counters = &self.ctx.counters;
            let edges = counters.timed(Count::MergeNanos, || {
                if self.ctx.precision == Precision::F64 {
                    counters
                        .timed(Count::DeviceCallNanos, || {
                            prim::prim_edges(&self.ctx, &self.prim, data, n, m)
                        })
                        .map(Ok)
                } else {
                    let room = self.pair_room.unwrap_or_else(|| {
                        n.saturating_mul(PAIR_ROOM_PER_POINT)
                            .saturating_add(PAIR_ROOM_BASE)
                    });
                    prim_exact::prim_edges_exact(
                        &self.ctx,
                        &self.prim,
                        &self.candidates,
                        data,
                        n,
                        m,
                        room,
                    )
                }
            })?;
            let edges = match edges {
                Ok(edges) => edges,
                Err(why) => {
                    self.note(format!(
                        "single linkage ran on the CPU without the distance matrix: {why}"
                    ));
                    return crate::linkage::single_euclidean(x);
                }
            };
            return crate::linkage::single_from_edges(n, edges, Precision::F64);
        }
        // The host holds the matrix too: without it when it would not fit.
        if let Some(z) =
            crate::linkage::low_memory_if_the_matrix_does_not_fit(x, method, Precision::F64)
        {
            return z;
        }
        // In f32 the merges need the exact distances on the host (the
        // device holds their roundings; see `linkage_condensed`): computed
        // there in f64, as the CPU backend computes them.
        let y = if self.ctx.precision == Precision::F32 {
            self.ctx
                .counters
                .timed(Count::DistanceNanos, || crate::distance::pdist(x, metric))?
        } else {
            self.pdist(x, metric)?
        };
        self.linkage_condensed(y, method)
    }

    /// Z for a condensed matrix: rounds of reciprocal nearest neighbours on
    /// the device for single, complete, average, weighted and ward; for
    /// centroid and median, the CPU's generic algorithm with its scans on
    /// the device.
    ///
    /// # Errors
    /// [`crate::Error::TooLargeForGpu`] when a row of the n x n matrix does not
    /// fit a block or the device runs out of memory; [`crate::Error::Gpu`] on
    /// device failures; as [`crate::linkage::linkage_condensed_owned`] for
    /// centroid and median.
    fn linkage_condensed(&self, y: CondensedMatrix, method: Method) -> Result<Array2<f64>> {
        let n = y.n();
        // The host keeps the exact matrix and does every update in f64;
        // the device holds it in its precision (in f32, the roundings) and
        // returns candidates that the host decides among with the exact
        // values (`Candidates` in src/linkage/rounds.rs): the CPU's choices,
        // in f32 as in f64.
        let d = y.into_vec();
        let counters = &self.ctx.counters;
        let (z, rounds) = counters.timed(Count::MergeNanos, || {
            // The upload is a device call too.
            let mut matrix = counters.timed(Count::DeviceCallNanos, || {
                GpuMatrix::new(&self.ctx, &self.merge, n, &d, self.max_block_bytes)
            })?;
            if method.is_monotone() {
                linkage_rounds(n, d, method, &mut matrix).map(|(z, s)| (z, s.rounds as u64))
            } else {
                generic_with_source(n, d, method, &mut matrix).map(|z| (z, matrix.queries))
            }
        })?;
        counters.add(Count::Rounds, rounds);
        crate::linkage::finite_heights(z, method, "f64")
    }
}

/// One adapter as wgpu sees it, for `hclust info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterReport {
    /// The adapter's name, e.g. "NVIDIA GeForce RTX 4090" or "llvmpipe (...)".
    pub name: String,
    /// The API: Vulkan, Metal, Dx12 or Gl.
    pub backend: String,
    /// DiscreteGpu, IntegratedGpu, VirtualGpu, Cpu or Other.
    pub device_type: String,
    /// The driver and its version, where reported.
    pub driver: String,
    /// Whether the adapter has SHADER_F64 (f64 kernels).
    pub shader_f64: bool,
    /// Whether the adapter has TIMESTAMP_QUERY (kernel times on the
    /// device's own clock).
    pub timestamp_query: bool,
    /// The largest storage binding, in bytes.
    pub max_storage_buffer_binding_size: u64,
    /// The largest buffer, in bytes.
    pub max_buffer_size: u64,
    /// Whether hclust would use this adapter (native APIs before OpenGL,
    /// discrete GPUs before CPU drivers).
    pub used: bool,
}

impl fmt::Display for AdapterReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
        write!(
            f,
            "{} ({}, {}; driver {}): f64 {}, timestamp queries {}, max storage binding {:.0} MiB, max buffer {:.0} MiB{}",
            self.name,
            self.backend,
            self.device_type,
            if self.driver.is_empty() {
                "unknown"
            } else {
                &self.driver
            },
            if self.shader_f64 { "yes" } else { "no" },
            if self.timestamp_query { "yes" } else { "no" },
            mib(self.max_storage_buffer_binding_size),
            mib(self.max_buffer_size),
            if self.used { " (used)" } else { "" },
        )
    }
}

/// Every adapter wgpu finds (honouring `WGPU_BACKEND`), for `hclust info`,
/// with the one hclust would use marked; empty when there is none.
pub fn adapters_report() -> Vec<AdapterReport> {
    let instance = context::instance();
    let adapters = context::all_adapters(&instance);
    let used = context::preferred(&adapters);
    adapters
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let info = a.get_info();
            let limits = a.limits();
            let driver = format!("{} {}", info.driver, info.driver_info)
                .trim()
                .to_string();
            AdapterReport {
                name: info.name,
                backend: format!("{:?}", info.backend),
                device_type: format!("{:?}", info.device_type),
                driver,
                shader_f64: a.features().contains(wgpu::Features::SHADER_F64),
                timestamp_query: a.features().contains(wgpu::Features::TIMESTAMP_QUERY),
                max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
                max_buffer_size: limits.max_buffer_size,
                used: used == Some(i),
            }
        })
        .collect()
}

/// The WGSL of every kernel as the backend loads it in `precision`:
/// (file name in shaders/, source). For shader validation tools and tests.
pub fn shader_sources(precision: Precision) -> Vec<(&'static str, String)> {
    [
        ("pdist_tiled.wgsl", distance::PDIST_WGSL),
        ("row_argmin.wgsl", reduce::ROW_ARGMIN_WGSL),
        ("scatter_columns.wgsl", merge::SCATTER_WGSL),
        ("prim_update.wgsl", prim::PRIM_UPDATE_WGSL),
        ("prim_select.wgsl", prim::PRIM_SELECT_WGSL),
        ("prim_candidates.wgsl", prim_exact::PRIM_CANDIDATES_WGSL),
    ]
    .into_iter()
    .map(|(name, src)| (name, context::for_precision(src, precision)))
    .collect()
}

#[cfg(test)]
mod tests;
