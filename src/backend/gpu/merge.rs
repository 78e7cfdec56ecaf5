//! The merge loop's GPU side: the full square distance matrix kept on the
//! device in blocks of rows, the batched write-back of each round's new
//! rows and columns (shaders/scatter_columns.wgsl plus buffer copies), and
//! the nearest-neighbour reduction for a batch of rows
//! (shaders/row_argmin.wgsl). The CPU side, which finds the reciprocal
//! pairs and merges them with scipy's arithmetic, is
//! [`crate::linkage::rounds`].
//!
//! A square matrix costs twice the memory of a condensed one but makes
//! every row one contiguous run, so the reduction reads it with coalesced
//! loads and each block of rows is one binding.

use super::context::GpuContext;
use super::reduce::{ArgminJob, ArgminKernel, STRIDE};
use crate::backend::stats::Count;
use crate::error::{Error, Result};
use crate::linkage::rounds::{Candidates, NeighbourSource};

/// The kernel source.
pub(crate) const SCATTER_WGSL: &str = include_str!("../../../shaders/scatter_columns.wgsl");

/// Bytes of new rows staged per submission (at most): big rounds are
/// written back in a few chunks.
const STAGING_BYTES: u64 = 64 << 20;

/// Threads per workgroup of the scatter kernel.
const SCATTER_WG: u32 = 64;

/// The scatter kernel's uniform parameters.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct ScatterParams {
    n: u32,
    row0: u32,
    rows: u32,
    count: u32,
}

/// The kernels of the merge loop, built once per backend.
pub(crate) struct MergeKernels {
    pub argmin: ArgminKernel,
    scatter_layout: wgpu::BindGroupLayout,
    scatter: wgpu::ComputePipeline,
}

impl MergeKernels {
    /// Builds both kernels.
    ///
    /// # Errors
    /// [`Error::Gpu`] when a kernel does not build.
    pub fn new(ctx: &GpuContext) -> Result<Self> {
        let scatter_layout = ctx.layout("scatter columns layout", 3, &[1]);
        let scatter = ctx.pipeline("scatter columns", SCATTER_WGSL, &scatter_layout, &[])?;
        Ok(MergeKernels {
            argmin: ArgminKernel::new(ctx)?,
            scatter_layout,
            scatter,
        })
    }
}

/// Rows `[row0, row0 + rows)` of the square matrix, with the bind groups
/// and uniforms of both kernels for this block.
struct Block {
    buffer: wgpu::Buffer,
    row0: usize,
    rows: usize,
    argmin_params: wgpu::Buffer,
    argmin_group: wgpu::BindGroup,
    scatter_params: wgpu::Buffer,
    scatter_group: wgpu::BindGroup,
}

/// The bytes the merge loop needs on the device for n observations, and
/// the rows per block, for blocks of at most `max_bytes`.
///
/// # Errors
/// [`Error::TooLargeForGpu`] when one row does not fit a block.
pub(crate) fn plan_memory(n: usize, elem: u64, max_bytes: u64) -> Result<(u64, usize, usize)> {
    let row_bytes = n as u64 * elem;
    if row_bytes > max_bytes {
        return Err(Error::TooLargeForGpu {
            needed_bytes: row_bytes,
            available_bytes: max_bytes,
        });
    }
    let rows_per_block = ((max_bytes / row_bytes) as usize).min(n);
    let staged_rows = ((STAGING_BYTES.min(max_bytes) / row_bytes) as usize)
        .clamp(1, n.div_ceil(2))
        .min(65_535);
    let matrix = n as u64 * row_bytes;
    let small = 4 * 3 * n as u64 + 4 * staged_rows as u64;
    Ok((
        matrix + staged_rows as u64 * row_bytes + small,
        rows_per_block,
        staged_rows,
    ))
}

/// The square distance matrix on the device, kept in step with the CPU's
/// copy by [`crate::linkage::rounds::linkage_rounds`].
pub(crate) struct GpuMatrix<'a> {
    ctx: &'a GpuContext,
    kernels: &'a MergeKernels,
    n: usize,
    blocks: Vec<Block>,
    rows_per_block: usize,
    active: wgpu::Buffer,
    active_dirty: Option<Vec<u32>>,
    row_list: wgpu::Buffer,
    nearest: wgpu::Buffer,
    nearest_staging: wgpu::Buffer,
    staged: wgpu::Buffer,
    slots: wgpu::Buffer,
    staged_rows: usize,
    /// Nearest-neighbour queries answered (one batch of rows each).
    pub queries: u64,
}

impl<'a> GpuMatrix<'a> {
    /// Uploads the condensed matrix `d` of n observations as a square
    /// matrix in blocks of at most `max_bytes`.
    ///
    /// # Errors
    /// [`Error::TooLargeForGpu`] when a row does not fit a block or the
    /// device runs out of memory (then `available_bytes` is what could be
    /// allocated); [`Error::Gpu`] on device failures.
    pub fn new(
        ctx: &'a GpuContext,
        kernels: &'a MergeKernels,
        n: usize,
        d: &[f64],
        max_bytes: u64,
    ) -> Result<Self> {
        let elem = ctx.elem_bytes();
        let (needed, rows_per_block, staged_rows) = plan_memory(n, elem, max_bytes)?;
        let row_bytes = n as u64 * elem;
        let mut allocated = 0u64;
        let mut alloc = |label: &str, bytes: u64, staging: bool| -> Result<wgpu::Buffer> {
            let b = if staging {
                ctx.staging(label, bytes)
            } else {
                ctx.storage(label, bytes)
            };
            match b {
                Ok(b) => {
                    allocated += bytes;
                    Ok(b)
                }
                Err(Error::TooLargeForGpu { .. }) => Err(Error::TooLargeForGpu {
                    needed_bytes: needed,
                    available_bytes: allocated,
                }),
                Err(e) => Err(e),
            }
        };
        let active = alloc("active slots", 4 * n as u64, false)?;
        let row_list = alloc("argmin rows", 4 * n as u64, false)?;
        let answers = (4 * STRIDE * n) as u64;
        let nearest = alloc("argmin answers", answers, false)?;
        let nearest_staging = alloc("argmin read-back", answers, true)?;
        let staged = alloc("staged rows", staged_rows as u64 * row_bytes, false)?;
        let slots = alloc("staged slots", 4 * staged_rows as u64, false)?;
        let mut buffers = Vec::new();
        for row0 in (0..n).step_by(rows_per_block) {
            let rows = rows_per_block.min(n - row0);
            buffers.push((
                row0,
                rows,
                alloc("distance rows", rows as u64 * row_bytes, false)?,
            ));
        }
        let argmin_bytes = ArgminKernel::params_bytes();
        let scatter_init = ScatterParams {
            n: 0,
            row0: 0,
            rows: 0,
            count: 0,
        };
        let mut blocks = Vec::with_capacity(buffers.len());
        for (row0, rows, buffer) in buffers {
            let argmin_params = ctx.uniform("argmin params", &vec![0u8; argmin_bytes as usize])?;
            let argmin_group = ctx.bind_group(
                "argmin bind group",
                &kernels.argmin.layout,
                &[&argmin_params, &buffer, &active, &row_list, &nearest],
            );
            let scatter_params =
                ctx.uniform("scatter params", bytemuck::bytes_of(&scatter_init))?;
            let scatter_group = ctx.bind_group(
                "scatter bind group",
                &kernels.scatter_layout,
                &[&scatter_params, &buffer, &staged, &slots],
            );
            blocks.push(Block {
                buffer,
                row0,
                rows,
                argmin_params,
                argmin_group,
                scatter_params,
                scatter_group,
            });
        }
        let m = GpuMatrix {
            ctx,
            kernels,
            n,
            blocks,
            rows_per_block,
            active,
            active_dirty: Some(vec![1; n]),
            row_list,
            nearest,
            nearest_staging,
            staged,
            slots,
            staged_rows,
            queries: 0,
        };
        m.upload(d)?;
        Ok(m)
    }

    /// Writes the square matrix of the condensed `d`, a few rows at a time.
    fn upload(&self, d: &[f64]) -> Result<()> {
        let n = self.n;
        let chunk_rows = self.staged_rows.max(1);
        let index = |i: usize, j: usize| n * i + j - (i + 2) * (i + 1) / 2;
        for block in &self.blocks {
            let mut r = 0;
            while r < block.rows {
                let take = chunk_rows.min(block.rows - r);
                let mut rows = vec![0.0; take * n];
                for (k, row) in rows.chunks_exact_mut(n).enumerate() {
                    let i = block.row0 + r + k;
                    for (j, v) in row.iter_mut().enumerate() {
                        *v = match i.cmp(&j) {
                            std::cmp::Ordering::Less => d[index(i, j)],
                            std::cmp::Ordering::Greater => d[index(j, i)],
                            std::cmp::Ordering::Equal => 0.0,
                        };
                    }
                }
                self.ctx.write_real(&block.buffer, (r * n) as u64, &rows);
                // Submit so that the queued write's memory is released.
                self.ctx.submit(self.ctx.encoder("upload distances"));
                r += take;
            }
        }
        self.ctx.check()
    }

    /// The block holding row `i`.
    fn block_of(&self, i: usize) -> &Block {
        &self.blocks[i / self.rows_per_block]
    }
}

impl NeighbourSource for GpuMatrix<'_> {
    fn update(&mut self, slots: &[usize], rows: &[f64], active: &[bool]) -> Result<()> {
        let ctx = self.ctx;
        ctx.counters.timed(Count::DeviceCallNanos, || {
            self.write_rows(slots, rows, active)
        })
    }

    fn nearest(&mut self, rows: &[usize]) -> Result<Vec<Candidates>> {
        self.argmin(rows, false)
    }

    fn nearest_above(&mut self, rows: &[usize]) -> Result<Vec<Candidates>> {
        self.argmin(rows, true)
    }
}

impl GpuMatrix<'_> {
    /// Writes the merged clusters' new rows (and, by the scatter kernel,
    /// columns) and the active flags.
    fn write_rows(&mut self, slots: &[usize], rows: &[f64], active: &[bool]) -> Result<()> {
        let n = self.n;
        let elem = self.ctx.elem_bytes();
        self.active_dirty = Some(active.iter().map(|&a| u32::from(a)).collect());
        for (chunk_slots, chunk_rows) in slots
            .chunks(self.staged_rows)
            .zip(rows.chunks(self.staged_rows * n))
        {
            let count = chunk_slots.len();
            self.ctx.write_real(&self.staged, 0, chunk_rows);
            let list: Vec<u32> = chunk_slots.iter().map(|&s| s as u32).collect();
            self.ctx
                .write_bytes(&self.slots, 0, bytemuck::cast_slice(&list));
            let mut encoder = self.ctx.encoder("merge write-back");
            // Whole rows: one copy each.
            for (t, &s) in chunk_slots.iter().enumerate() {
                let block = self.block_of(s);
                encoder.copy_buffer_to_buffer(
                    &self.staged,
                    (t * n) as u64 * elem,
                    &block.buffer,
                    ((s - block.row0) * n) as u64 * elem,
                    n as u64 * elem,
                );
            }
            // Columns: the scatter kernel, once per block.
            for block in &self.blocks {
                let params = ScatterParams {
                    n: n as u32,
                    row0: block.row0 as u32,
                    rows: block.rows as u32,
                    count: count as u32,
                };
                self.ctx
                    .write_bytes(&block.scatter_params, 0, bytemuck::bytes_of(&params));
            }
            {
                let mut pass = self.ctx.compute_pass(&mut encoder, "scatter columns");
                pass.set_pipeline(&self.kernels.scatter);
                for block in &self.blocks {
                    pass.set_bind_group(0, &block.scatter_group, &[]);
                    self.ctx.dispatch(
                        &mut pass,
                        (block.rows as u32).div_ceil(SCATTER_WG),
                        count as u32,
                    );
                }
            }
            self.ctx.submit(encoder);
        }
        self.ctx.check()
    }

    /// The candidates for the nearest active column of each of `rows`
    /// (ascending): among all columns, or with `above` among those above
    /// the row. Counted: one query, `rows.len()` rows, and its time as a
    /// device call.
    fn argmin(&mut self, rows: &[usize], above: bool) -> Result<Vec<Candidates>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        self.queries += 1;
        let ctx = self.ctx;
        ctx.counters.add(Count::Rows, rows.len() as u64);
        ctx.counters
            .timed(Count::DeviceCallNanos, || self.reduce_rows(rows, above))
    }

    /// [`GpuMatrix::argmin`]'s work.
    fn reduce_rows(&mut self, rows: &[usize], above: bool) -> Result<Vec<Candidates>> {
        debug_assert!(rows.windows(2).all(|w| w[0] < w[1]), "rows must ascend");
        if let Some(flags) = self.active_dirty.take() {
            self.ctx
                .write_bytes(&self.active, 0, bytemuck::cast_slice(&flags));
        }
        let list: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
        self.ctx
            .write_bytes(&self.row_list, 0, bytemuck::cast_slice(&list));
        let mut encoder = self.ctx.encoder("nearest neighbours");
        {
            let mut pass = self.ctx.compute_pass(&mut encoder, "row argmin");
            // The rows ascend, so each block's rows are one run of the list.
            let mut base = 0;
            while base < rows.len() {
                let b = rows[base] / self.rows_per_block;
                let block = &self.blocks[b];
                let end = block.row0 + block.rows;
                let count = rows[base..].partition_point(|&r| r < end);
                let job = ArgminJob {
                    n: self.n as u32,
                    row0: block.row0 as u32,
                    base: base as u32,
                    count: count as u32,
                    above,
                };
                let (bytes, groups) = self.kernels.argmin.params(self.ctx, job);
                self.ctx.write_bytes(&block.argmin_params, 0, &bytes);
                self.kernels
                    .argmin
                    .encode(self.ctx, &mut pass, &block.argmin_group, groups);
                base += count;
            }
        }
        let bytes = (4 * STRIDE * rows.len()) as u64;
        let raw = self.ctx.read_back(
            "the nearest neighbours",
            encoder,
            &self.nearest,
            0,
            bytes,
            &self.nearest_staging,
        )?;
        let found: &[u32] = bytemuck::cast_slice(&raw);
        Ok(found
            .chunks_exact(STRIDE)
            .map(|a| {
                let total = a[0] as usize;
                Candidates::listed(&a[1..1 + total.min(STRIDE - 1)], total)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_plan_counts_the_matrix_and_refuses_a_row_too_long() {
        let (bytes, rows, staged) = plan_memory(1000, 8, 1 << 20).unwrap();
        assert!(bytes >= 8_000_000);
        assert_eq!(rows, (1 << 20) / 8000);
        assert!(staged >= 1);
        let e = plan_memory(1000, 8, 4000).unwrap_err();
        assert!(matches!(
            e,
            Error::TooLargeForGpu {
                needed_bytes: 8000,
                available_bytes: 4000
            }
        ));
    }
}
