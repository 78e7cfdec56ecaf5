//! Pairwise distances on the GPU: the tiled kernel of
//! shaders/pdist_tiled.wgsl, one pipeline per metric, run over blocks of
//! rows so that no binding passes the device's limit.
//!
//! The condensed output is cut into blocks of consecutive rows (each a
//! contiguous range of scipy's layout) of at most the largest binding; each
//! block is one dispatch (16 x 16 pairs per workgroup, 2-D) and one read
//! back into its place in the result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::context::GpuContext;
use super::prep::KernelSpec;
use crate::error::{Error, Result};

/// The kernel source.
pub(crate) const PDIST_WGSL: &str = include_str!("../../../shaders/pdist_tiled.wgsl");

/// Pairs per tile side (the kernel's TILE).
const TILE: usize = 16;

/// At most this many distances per block (and per submission), so that
/// each submission stays short even on a slow device.
const MAX_BLOCK_ENTRIES: u64 = 1 << 24;

/// The bind group layout and the pipelines made so far, one per metric.
pub(crate) struct PdistKernels {
    layout: wgpu::BindGroupLayout,
    pipelines: Mutex<HashMap<(u32, bool), Arc<wgpu::ComputePipeline>>>,
}

impl PdistKernels {
    /// The layout: params, observations, per-feature, per-row, output.
    pub fn new(ctx: &GpuContext) -> Self {
        PdistKernels {
            layout: ctx.layout("pdist layout", 4, &[4]),
            pipelines: Mutex::new(HashMap::new()),
        }
    }

    /// The pipeline for a metric (built on first use).
    fn pipeline(&self, ctx: &GpuContext, spec: &KernelSpec) -> Result<Arc<wgpu::ComputePipeline>> {
        let key = (spec.metric, spec.weighted);
        let mut map = self.pipelines.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = map.get(&key) {
            return Ok(Arc::clone(p));
        }
        let constants = [
            ("METRIC", f64::from(spec.metric)),
            ("WEIGHTED", if spec.weighted { 1.0 } else { 0.0 }),
        ];
        let label = format!("pdist metric {} weighted {}", spec.metric, spec.weighted);
        let p = Arc::new(ctx.pipeline(&label, PDIST_WGSL, &self.layout, &constants)?);
        map.insert(key, Arc::clone(&p));
        Ok(p)
    }
}

/// The kernel's uniform parameters.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    m: u32,
    row0: u32,
    row1: u32,
}

/// The condensed index where row i starts.
fn row_start(n: usize, i: usize) -> usize {
    i * n - i * (i + 1) / 2
}

/// Consecutive row ranges `[i0, i1)` of the condensed matrix, each with at
/// most `max_entries` distances.
///
/// # Errors
/// [`Error::TooLargeForGpu`] when a single row does not fit.
pub(crate) fn row_blocks(n: usize, max_entries: u64, elem: u64) -> Result<Vec<(usize, usize)>> {
    if (n as u64 - 1) > max_entries {
        return Err(Error::TooLargeForGpu {
            needed_bytes: (n as u64 - 1) * elem,
            available_bytes: max_entries * elem,
        });
    }
    let mut blocks = Vec::new();
    let mut i0 = 0;
    while i0 + 1 < n {
        let mut i1 = i0;
        let mut entries = 0u64;
        while i1 + 1 < n && entries + (n - 1 - i1) as u64 <= max_entries {
            entries += (n - 1 - i1) as u64;
            i1 += 1;
        }
        blocks.push((i0, i1));
        i0 = i1;
    }
    Ok(blocks)
}

/// The distances of the row-major observations `x` (n x m) under the
/// kernel `spec`, in scipy's condensed layout, computed in the context's
/// precision.
///
/// # Errors
/// [`Error::TooLargeForGpu`] when the observations do not fit one binding
/// or a row of distances does not fit a block of `max_block_bytes`; [`Error::Gpu`] on device
/// failures.
pub(crate) fn pdist_gpu(
    ctx: &GpuContext,
    kernels: &PdistKernels,
    x: &[f64],
    n: usize,
    m: usize,
    spec: &KernelSpec,
    max_block_bytes: u64,
) -> Result<Vec<f64>> {
    let elem = ctx.elem_bytes();
    let x_bytes = (n * m) as u64 * elem;
    if x_bytes > ctx.max_binding_bytes() {
        return Err(Error::TooLargeForGpu {
            needed_bytes: x_bytes,
            available_bytes: ctx.max_binding_bytes(),
        });
    }
    let max_bytes = ctx.max_binding_bytes().min(max_block_bytes);
    let max_entries = (max_bytes / elem).min(MAX_BLOCK_ENTRIES);
    let blocks = row_blocks(n, max_entries, elem)?;
    let block_entries = blocks
        .iter()
        .map(|&(i0, i1)| (row_start(n, i1) - row_start(n, i0)) as u64)
        .max()
        .unwrap_or(1);
    let groups_x = n.div_ceil(TILE) as u32;
    if groups_x > ctx.limits.max_compute_workgroups_per_dimension {
        return Err(Error::TooLargeForGpu {
            needed_bytes: (n * (n - 1) / 2) as u64 * elem,
            available_bytes: 0,
        });
    }

    let pipeline = kernels.pipeline(ctx, spec)?;
    let data = spec.data.as_deref().unwrap_or(x);
    let x_buf = ctx.storage("pdist observations", x_bytes)?;
    ctx.write_real(&x_buf, 0, data);
    let feature = non_empty(&spec.feature);
    let feature_buf = ctx.storage("pdist per-feature values", feature.len() as u64 * elem)?;
    ctx.write_real(&feature_buf, 0, &feature);
    let row_value = non_empty(&spec.row_value);
    let row_buf = ctx.storage("pdist per-row values", row_value.len() as u64 * elem)?;
    ctx.write_real(&row_buf, 0, &row_value);
    let out_buf = ctx.storage("pdist block output", block_entries * elem)?;
    let staging = ctx.staging("pdist read-back", block_entries * elem)?;
    let params_buf = ctx.uniform(
        "pdist params",
        bytemuck::bytes_of(&Params {
            n: 0,
            m: 0,
            row0: 0,
            row1: 0,
        }),
    )?;
    let bind_group = ctx.bind_group(
        "pdist bind group",
        &kernels.layout,
        &[&params_buf, &x_buf, &feature_buf, &row_buf, &out_buf],
    );

    let mut out = vec![0.0; n * (n - 1) / 2];
    for &(i0, i1) in &blocks {
        let params = Params {
            n: n as u32,
            m: m as u32,
            row0: i0 as u32,
            row1: i1 as u32,
        };
        ctx.write_bytes(&params_buf, 0, bytemuck::bytes_of(&params));
        let mut encoder = ctx.encoder("pdist block");
        {
            let mut pass = ctx.compute_pass(&mut encoder, "pdist block");
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            ctx.dispatch(&mut pass, groups_x, (i1 - i0).div_ceil(TILE) as u32);
        }
        let (s0, s1) = (row_start(n, i0), row_start(n, i1));
        let bytes = (s1 - s0) as u64 * elem;
        let raw = ctx.read_back("the distances", encoder, &out_buf, 0, bytes, &staging)?;
        ctx.reals_from_bytes(&raw, &mut out[s0..s1]);
    }
    Ok(out)
}

/// `v`, or `[1.0]` when empty (a binding cannot be empty).
fn non_empty(v: &[f64]) -> Vec<f64> {
    if v.is_empty() {
        vec![1.0]
    } else {
        v.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_blocks_cover_the_matrix_within_the_limit() {
        for n in [2usize, 3, 10, 101] {
            for max in [n as u64 - 1, n as u64, 3 * n as u64, u64::MAX / 2] {
                let blocks = row_blocks(n, max, 8).unwrap();
                assert_eq!(blocks[0].0, 0);
                assert_eq!(blocks.last().unwrap().1, n - 1);
                for w in blocks.windows(2) {
                    assert_eq!(w[0].1, w[1].0);
                }
                for &(i0, i1) in &blocks {
                    assert!(i1 > i0);
                    assert!((row_start(n, i1) - row_start(n, i0)) as u64 <= max);
                }
            }
        }
        let e = row_blocks(100, 50, 8).unwrap_err();
        assert!(matches!(
            e,
            Error::TooLargeForGpu {
                needed_bytes: 792,
                available_bytes: 400
            }
        ));
    }
}
