//! The nearest-neighbour reduction (shaders/row_argmin.wgsl): for a list
//! of rows of the square distance matrix, each row's candidates for its
//! nearest active column (every column at the row's minimum, for the CPU
//! to decide among with its exact values), one workgroup per row.

use super::context::GpuContext;
use crate::backend::Precision;
use crate::error::Result;

/// The kernel source.
pub(crate) const ROW_ARGMIN_WGSL: &str = include_str!("../../../shaders/row_argmin.wgsl");

/// Words per row in the kernel's answers: the number of candidates, then
/// up to [`crate::linkage::rounds::CANDIDATES`] of them (the kernel's
/// `STRIDE` and `CANDS`).
pub(crate) const STRIDE: usize = 1 + crate::linkage::rounds::CANDIDATES;

/// The kernel's uniform parameters (the f64 layout: `inf` is 8-aligned).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params64 {
    n: u32,
    row0: u32,
    base: u32,
    count: u32,
    groups_x: u32,
    above: u32,
    inf: f64,
}

/// The same for f32 (padded to 32 bytes, a multiple of 16 for uniforms).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params32 {
    n: u32,
    row0: u32,
    base: u32,
    count: u32,
    groups_x: u32,
    above: u32,
    inf: f32,
    pad2: u32,
}

/// The argmin pipeline and its bind group layout.
pub(crate) struct ArgminKernel {
    pub layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

/// One dispatch: rows `base..base + count` of the row list, all inside the
/// block whose first row is `row0`; with `above`, each row looks only at
/// the columns above it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArgminJob {
    pub n: u32,
    pub row0: u32,
    pub base: u32,
    pub count: u32,
    pub above: bool,
}

impl ArgminKernel {
    /// Layout: params, block rows, active flags, row list, answers (written).
    ///
    /// # Errors
    /// [`crate::Error::Gpu`] when the kernel does not build.
    pub fn new(ctx: &GpuContext) -> Result<Self> {
        let layout = ctx.layout("row argmin layout", 4, &[4]);
        let pipeline = ctx.pipeline("row argmin", ROW_ARGMIN_WGSL, &layout, &[])?;
        Ok(ArgminKernel { layout, pipeline })
    }

    /// The uniform bytes of a job, and its workgroup counts.
    pub fn params(&self, ctx: &GpuContext, job: ArgminJob) -> (Vec<u8>, (u32, u32)) {
        let (gx, gy) = ctx.groups_2d(job.count);
        let bytes = match ctx.precision {
            Precision::F64 => bytemuck::bytes_of(&Params64 {
                n: job.n,
                row0: job.row0,
                base: job.base,
                count: job.count,
                groups_x: gx,
                above: u32::from(job.above),
                inf: f64::INFINITY,
            })
            .to_vec(),
            Precision::F32 => bytemuck::bytes_of(&Params32 {
                n: job.n,
                row0: job.row0,
                base: job.base,
                count: job.count,
                groups_x: gx,
                above: u32::from(job.above),
                inf: f32::INFINITY,
                pad2: 0,
            })
            .to_vec(),
        };
        (bytes, (gx, gy))
    }

    /// The size of the uniform buffer a job needs.
    pub fn params_bytes() -> u64 {
        std::mem::size_of::<Params64>() as u64
    }

    /// Records one dispatch.
    pub fn encode(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        bind_group: &wgpu::BindGroup,
        groups: (u32, u32),
    ) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        ctx.dispatch(pass, groups.0, groups.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::rounds::CANDIDATES;

    #[test]
    fn the_kernel_lists_as_many_candidates_as_the_host_reads() {
        let cands = format!("const CANDS: u32 = {CANDIDATES}u;");
        let stride = format!("const STRIDE: u32 = {STRIDE}u;");
        assert!(ROW_ARGMIN_WGSL.contains(&cands), "{cands}");
        assert!(ROW_ARGMIN_WGSL.contains(&stride), "{stride}");
    }
}
