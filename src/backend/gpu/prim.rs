//! Single linkage on euclidean observations without the distance matrix:
//! Prim's algorithm on the device (shaders/prim_update.wgsl and
//! shaders/prim_select.wgsl), in O(n m) device memory.
//!
//! Each step is two dispatches: every point not yet in the tree lowers its
//! distance to the tree by its distance to the point added last, and each
//! workgroup proposes its nearest point; then one workgroup picks the
//! nearest of all (ties to the lowest point), records the edge and adds
//! that point. The current point stays on the device, so the steps follow
//! one another in the same command buffer, many per submission, with no
//! round trip; the edges come back once at the end. The scan order, the tie
//! rule and the arithmetic are the CPU's ([`crate::linkage::single_euclidean`]),
//! so in f64 the edges, and so Z, are the CPU's to the bit.

use super::context::GpuContext;
use crate::backend::stats::Count;
use crate::error::{Error, Result};
use crate::linkage::relabel::SlotMerge;

/// The kernel sources.
pub(crate) const PRIM_UPDATE_WGSL: &str = include_str!("../../../shaders/prim_update.wgsl");
/// See [`PRIM_UPDATE_WGSL`].
pub(crate) const PRIM_SELECT_WGSL: &str = include_str!("../../../shaders/prim_select.wgsl");

/// Threads per workgroup of both kernels.
const WG: usize = 256;

/// Steps recorded per submission: enough to keep the device busy, few
/// enough that one submission stays short on a slow device.
const STEPS_PER_SUBMIT: usize = 512;

/// The uniform parameters (the f64 layout, 32 bytes; see [`params_bytes`]).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params64 {
    n: u32,
    m: u32,
    groups_x: u32,
    groups: u32,
    inf: f64,
    pad: f64,
}

/// The same for f32 kernels.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params32 {
    n: u32,
    m: u32,
    groups_x: u32,
    groups: u32,
    inf: f32,
    pad: [u32; 3],
}

/// Both pipelines and their layouts, built once per backend.
pub(crate) struct PrimKernels {
    update_layout: wgpu::BindGroupLayout,
    update: wgpu::ComputePipeline,
    select_layout: wgpu::BindGroupLayout,
    select: wgpu::ComputePipeline,
}

impl PrimKernels {
    /// Builds both kernels.
    ///
    /// # Errors
    /// [`Error::Gpu`] when a kernel does not build.
    pub fn new(ctx: &GpuContext) -> Result<Self> {
        // update: params, x, done, state, best (w), cand_d (w), cand_i (w)
        let update_layout = ctx.layout("prim update layout", 6, &[4, 5, 6]);
        let update = ctx.pipeline("prim update", PRIM_UPDATE_WGSL, &update_layout, &[])?;
        // select: params, cand_d, cand_i, done (w), state (w), edges (w)
        let select_layout = ctx.layout("prim select layout", 7, &[3, 4, 5, 6, 7]);
        let select = ctx.pipeline("prim select", PRIM_SELECT_WGSL, &select_layout, &[])?;
        Ok(PrimKernels {
            update_layout,
            update,
            select_layout,
            select,
        })
    }
}

/// The uniform bytes for n points of m features in `groups` workgroups.
fn params_bytes(ctx: &GpuContext, n: usize, m: usize, groups: (u32, u32), count: u32) -> Vec<u8> {
    match ctx.precision {
        crate::Precision::F64 => bytemuck::bytes_of(&Params64 {
            n: n as u32,
            m: m as u32,
            groups_x: groups.0,
            groups: count,
            inf: f64::INFINITY,
            pad: 0.0,
        })
        .to_vec(),
        crate::Precision::F32 => bytemuck::bytes_of(&Params32 {
            n: n as u32,
            m: m as u32,
            groups_x: groups.0,
            groups: count,
            inf: f32::INFINITY,
            pad: [0; 3],
        })
        .to_vec(),
    }
}

/// The rows `order` of the row-major `x` (m features), feature-major
/// (`out[k * order.len() + p] = x[order[p]][k]`), so that neighbouring
/// threads of a kernel read neighbouring values.
pub(crate) fn feature_major(x: &[f64], m: usize, order: &[usize]) -> Vec<f64> {
    let n = order.len();
    let mut out = vec![0.0; n * m.max(1)];
    for (p, &i) in order.iter().enumerate() {
        for k in 0..m {
            out[k * n + p] = x[i * m + k];
        }
    }
    out
}

/// The edges of Prim's tree over the row-major observations `x` (n x m),
/// starting at point 0, in the order they were found: (point added last,
/// new point, distance), in the device's precision.
///
/// # Errors
/// [`Error::TooLargeForGpu`] when the observations do not fit one binding
/// or n does not fit the kernels' 32-bit indices; [`Error::Gpu`] on device
/// failures.
pub(crate) fn prim_edges(
    ctx: &GpuContext,
    kernels: &PrimKernels,
    x: &[f64],
    n: usize,
    m: usize,
) -> Result<Vec<SlotMerge>> {
    let elem = ctx.elem_bytes();
    let x_bytes = (n * m.max(1)) as u64 * elem;
    if x_bytes > ctx.max_binding_bytes() || n >= u32::MAX as usize {
        return Err(Error::TooLargeForGpu {
            needed_bytes: x_bytes,
            available_bytes: ctx.max_binding_bytes(),
        });
    }
    let count = n.div_ceil(WG) as u32;
    let groups = ctx.groups_2d(count);

    let all: Vec<usize> = (0..n).collect();
    let by_feature = feature_major(x, m, &all);
    let x_buf = ctx.storage("prim observations", x_bytes)?;
    ctx.write_real(&x_buf, 0, &by_feature);
    drop(by_feature);
    let mut done = vec![0u32; n];
    done[0] = 1;
    let done_buf = ctx.storage("prim done flags", 4 * n as u64)?;
    ctx.write_bytes(&done_buf, 0, bytemuck::cast_slice(&done));
    let state_buf = ctx.storage("prim state", 8)?;
    ctx.write_bytes(&state_buf, 0, bytemuck::cast_slice(&[0u32, 0u32]));
    let best_buf = ctx.storage("prim best distances", n as u64 * elem)?;
    ctx.write_real(&best_buf, 0, &vec![f64::INFINITY; n]);
    let cand_d = ctx.storage("prim candidate distances", u64::from(count) * elem)?;
    let cand_i = ctx.storage("prim candidate points", 4 * u64::from(count))?;
    let edges = n - 1;
    let edge_a = ctx.storage("prim edge ends", 4 * edges as u64)?;
    let edge_b = ctx.storage("prim edge ends", 4 * edges as u64)?;
    let edge_d = ctx.storage("prim edge distances", edges as u64 * elem)?;
    let params = ctx.uniform("prim params", &params_bytes(ctx, n, m, groups, count))?;
    let update_group = ctx.bind_group(
        "prim update bind group",
        &kernels.update_layout,
        &[
            &params, &x_buf, &done_buf, &state_buf, &best_buf, &cand_d, &cand_i,
        ],
    );
    let select_group = ctx.bind_group(
        "prim select bind group",
        &kernels.select_layout,
        &[
            &params, &cand_d, &cand_i, &done_buf, &state_buf, &edge_a, &edge_b, &edge_d,
        ],
    );

    let mut step = 0;
    while step < edges {
        crate::cancel::check()?;
        let take = STEPS_PER_SUBMIT.min(edges - step);
        let mut encoder = ctx.encoder("prim steps");
        {
            let mut pass = ctx.compute_pass(&mut encoder, "prim steps");
            for _ in 0..take {
                pass.set_pipeline(&kernels.update);
                pass.set_bind_group(0, &update_group, &[]);
                ctx.dispatch(&mut pass, groups.0, groups.1);
                pass.set_pipeline(&kernels.select);
                pass.set_bind_group(0, &select_group, &[]);
                ctx.dispatch(&mut pass, 1, 1);
            }
        }
        ctx.submit_and_wait(encoder)?;
        ctx.counters.add(Count::Rounds, 1);
        ctx.counters.add(Count::Rows, take as u64);
        step += take;
    }

    let ends_staging = ctx.staging("prim edges read-back", 4 * edges as u64)?;
    let a = ctx.read_back(
        "the tree's edges",
        ctx.encoder("prim edges"),
        &edge_a,
        0,
        4 * edges as u64,
        &ends_staging,
    )?;
    let b = ctx.read_back(
        "the tree's edges",
        ctx.encoder("prim edges"),
        &edge_b,
        0,
        4 * edges as u64,
        &ends_staging,
    )?;
    let d_staging = ctx.staging("prim distances read-back", edges as u64 * elem)?;
    let raw = ctx.read_back(
        "the tree's distances",
        ctx.encoder("prim distances"),
        &edge_d,
        0,
        edges as u64 * elem,
        &d_staging,
    )?;
    let mut d = vec![0.0; edges];
    ctx.reals_from_bytes(&raw, &mut d);
    let point = |bytes: &[u8]| u32::from_le_bytes(bytes.try_into().expect("4 bytes")) as usize;
    Ok(a.chunks_exact(4)
        .zip(b.chunks_exact(4))
        .zip(d)
        .map(|((a, b), dist)| SlotMerge {
            a: point(a),
            b: point(b),
            dist,
        })
        .collect())
}
