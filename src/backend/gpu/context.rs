//! The wgpu context, built once per backend: instance, adapter, device and
//! queue; the precision actually used; buffer, upload, read-back and
//! shader helpers; and the conversion of every wgpu failure (validation
//! error, out of memory, device lost, failed map, timed-out wait) into
//! [`Error`], never a panic or a hang.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::super::stats::{Count, Counters};
use super::super::Precision;
use crate::error::{Error, Result};

/// The line every kernel in shaders/ carries to select its precision.
pub(crate) const F64_ALIAS: &str = "alias real = f64;";

/// The longest a single submission may take before we call the device
/// stuck. Submissions are kept small (one block of rows, one round), so
/// even lavapipe finishes each in seconds.
const WAIT_TIMEOUT: Duration = Duration::from_secs(600);

/// The largest buffer we create (1 GiB), whatever the device allows:
/// element indices in the kernels are u32, and smaller buffers allocate
/// more reliably.
pub(crate) const MAX_BLOCK_BYTES: u64 = 1 << 30;

/// The device and everything needed to run kernels on it.
pub(crate) struct GpuContext {
    /// Kept alive for the device's lifetime.
    _instance: wgpu::Instance,
    pub info: wgpu::AdapterInfo,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// The precision of the kernels (f32 when f64 was asked for but the
    /// adapter lacks SHADER_F64).
    pub precision: Precision,
    /// Why the precision differs from the one asked for, if it does.
    pub precision_note: Option<String>,
    pub limits: wgpu::Limits,
    /// The first uncaptured error or device loss, recorded by wgpu's
    /// callbacks and turned into [`Error::Gpu`] by [`GpuContext::check`].
    failure: Arc<Mutex<Option<String>>>,
    /// What the runs did: bytes each way, dispatches, submissions, waits.
    pub counters: Counters,
    /// Timestamp queries around each compute pass, once
    /// [`GpuContext::time_kernels`] has turned them on.
    timer: Mutex<Option<Timer>>,
}

/// Queries at most between two waits (a pass takes two).
const TIMER_QUERIES: u32 = 4096;

/// Timestamp queries: written at the start and end of each compute pass,
/// resolved into `resolve` at each submission, copied to `readback`, and
/// read at the next wait (when every submission so far has finished).
struct Timer {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    /// Queries handed out since the last read.
    used: u32,
    /// Of those, the ones in submitted work.
    submitted: u32,
}

/// The instance, honouring `WGPU_BACKEND` (and wgpu's other variables).
pub(crate) fn instance() -> wgpu::Instance {
    wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env())
}

/// Records `message` as the context's failure unless one is already there.
fn record(slot: &Mutex<Option<String>>, message: String) {
    let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none() {
        *guard = Some(message);
    }
}

/// The error for a failed wait on the device.
pub(crate) fn poll_error(e: &wgpu::PollError) -> Error {
    Error::Gpu {
        reason: format!("waiting for the device failed: {e}"),
    }
}

/// The error for a buffer that could not be mapped for reading.
pub(crate) fn map_error(what: &str, e: Option<&wgpu::BufferAsyncError>) -> Error {
    let why = match e {
        Some(e) => e.to_string(),
        None => "the map callback never ran".to_string(),
    };
    Error::Gpu {
        reason: format!("reading back {what} failed: {why}"),
    }
}

/// The error for a wgpu error (validation, out of memory, internal).
pub(crate) fn wgpu_error(during: &str, e: &wgpu::Error) -> Error {
    let kind = match e {
        wgpu::Error::OutOfMemory { .. } => "out of memory",
        wgpu::Error::Validation { .. } => "validation error",
        _ => "internal error",
    };
    Error::Gpu {
        reason: format!("{kind} during {during}: {e}"),
    }
}

/// The rank of an adapter, lower first: native APIs (Vulkan, Metal, DX12)
/// before OpenGL and WebGPU, then discrete before integrated before
/// virtual before CPU devices (lavapipe), then the one with SHADER_F64.
///
/// A machine with Mesa's OpenGL and a Vulkan driver shows both; the GL
/// adapter has no f64 and is much slower, so it is used only when nothing
/// else exists.
pub(crate) fn adapter_rank(
    backend: wgpu::Backend,
    device_type: wgpu::DeviceType,
    shader_f64: bool,
) -> (u8, u8, u8) {
    let api = match backend {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
        wgpu::Backend::Gl => 1,
        _ => 2,
    };
    let device = match device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    };
    (api, device, u8::from(!shader_f64))
}

/// Every adapter the instance finds (honouring `WGPU_BACKEND`), in wgpu's
/// order.
pub(crate) fn all_adapters(instance: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    pollster::block_on(instance.enumerate_adapters(backends))
}

/// The index in `adapters` of the one hclust uses: the first of the lowest
/// [`adapter_rank`].
pub(crate) fn preferred(adapters: &[wgpu::Adapter]) -> Option<usize> {
    (0..adapters.len()).min_by_key(|&i| {
        let (a, info) = (&adapters[i], adapters[i].get_info());
        let f64 = a.features().contains(wgpu::Features::SHADER_F64);
        adapter_rank(info.backend, info.device_type, f64)
    })
}

/// The adapter hclust uses: of all the adapters found, the first of the
/// lowest [`adapter_rank`].
///
/// # Errors
/// [`Error::NoGpuAdapter`] when there is none.
pub(crate) fn choose_adapter(instance: &wgpu::Instance) -> Result<wgpu::Adapter> {
    let mut adapters = all_adapters(instance);
    match preferred(&adapters) {
        Some(i) => Ok(adapters.swap_remove(i)),
        None => Err(Error::NoGpuAdapter {
            reason: "wgpu found no Vulkan, Metal, DX12 or OpenGL adapter".to_string(),
        }),
    }
}

impl GpuContext {
    /// Acquires the adapter [`choose_adapter`] ranks first and a
    /// device with the adapter's own limits, and SHADER_F64 when f64 is
    /// asked for and available.
    ///
    /// # Errors
    /// [`Error::NoGpuAdapter`] with wgpu's reason; [`Error::Gpu`] when the
    /// device cannot be created.
    pub fn new(precision: Precision) -> Result<Self> {
        let instance = instance();
        let adapter = choose_adapter(&instance)?;
        let info = adapter.get_info();
        let has_f64 = adapter.features().contains(wgpu::Features::SHADER_F64);
        let (precision, precision_note, mut features) = match precision {
            Precision::F64 if has_f64 => (Precision::F64, None, wgpu::Features::SHADER_F64),
            Precision::F64 => (
                Precision::F32,
                Some("f32: f64 was asked for but the adapter has no SHADER_F64".to_string()),
                wgpu::Features::empty(),
            ),
            Precision::F32 => (Precision::F32, None, wgpu::Features::empty()),
        };
        // Asked for where the adapter has it: free until used.
        features |= adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
        let limits = adapter.limits();
        let desc = wgpu::DeviceDescriptor {
            label: Some("hclust device"),
            required_features: features,
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&desc)).map_err(|e| Error::Gpu {
                reason: format!("could not open a device on {}: {e}", info.name),
            })?;
        let failure = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&failure);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            record(&slot, wgpu_error("GPU work", &e).to_string());
        }));
        let slot = Arc::clone(&failure);
        device.set_device_lost_callback(move |reason, message| {
            record(&slot, format!("device lost ({reason:?}): {message}"));
        });
        Ok(GpuContext {
            _instance: instance,
            info,
            device,
            queue,
            precision,
            precision_note,
            limits,
            failure,
            counters: Counters::default(),
            timer: Mutex::new(None),
        })
    }

    /// Bytes per matrix element on the device.
    pub fn elem_bytes(&self) -> u64 {
        match self.precision {
            Precision::F64 => 8,
            Precision::F32 => 4,
        }
    }

    /// The largest storage buffer we bind: the device's binding limit, its
    /// buffer limit and [`MAX_BLOCK_BYTES`], whichever is smallest.
    pub fn max_binding_bytes(&self) -> u64 {
        self.limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size)
            .min(MAX_BLOCK_BYTES)
    }

    /// [`Error::Gpu`] if wgpu has reported an error or lost the device.
    pub fn check(&self) -> Result<()> {
        let guard = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(reason) => Err(Error::Gpu {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// A compute pipeline from WGSL in the context's precision, with an
    /// explicit layout.
    ///
    /// # Errors
    /// [`Error::Gpu`] when the shader or pipeline does not validate.
    pub fn pipeline(
        &self,
        label: &str,
        source: &str,
        layout: &wgpu::BindGroupLayout,
        constants: &[(&str, f64)],
    ) -> Result<wgpu::ComputePipeline> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(for_precision(source, self.precision).into()),
            });
        let pipeline_layout = self
            .device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(layout)],
                immediate_size: 0,
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(label),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some("main"),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants,
                    zero_initialize_workgroup_memory: false,
                },
                cache: None,
            });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(wgpu_error(&format!("building the {label} pipeline"), &e));
        }
        self.check()?;
        Ok(pipeline)
    }

    /// A bind group layout of `entries` storage buffers after one uniform
    /// buffer at binding 0; `writable` lists the read-write bindings.
    pub fn layout(&self, label: &str, storage: u32, writable: &[u32]) -> wgpu::BindGroupLayout {
        let mut entries = vec![wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }];
        for binding in 1..=storage {
            entries.push(wgpu::BindGroupLayoutEntry {
                binding,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage {
                        read_only: !writable.contains(&binding),
                    },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            });
        }
        self.device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries: &entries,
            })
    }

    /// A bind group binding `buffers` in order (binding 0 first).
    pub fn bind_group(
        &self,
        label: &str,
        layout: &wgpu::BindGroupLayout,
        buffers: &[&wgpu::Buffer],
    ) -> wgpu::BindGroup {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(k, b)| wgpu::BindGroupEntry {
                binding: k as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout,
            entries: &entries,
        })
    }

    /// A buffer of `bytes` bytes (rounded up to a multiple of 8, at least 8).
    ///
    /// # Errors
    /// [`Error::TooLargeForGpu`] when the device is out of memory
    /// (`available_bytes` is then 0: wgpu cannot say how much is free);
    /// [`Error::Gpu`] for other failures.
    pub fn buffer(
        &self,
        label: &str,
        bytes: u64,
        usage: wgpu::BufferUsages,
    ) -> Result<wgpu::Buffer> {
        let size = bytes.div_ceil(8).max(1) * 8;
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage,
            mapped_at_creation: false,
        });
        if pollster::block_on(scope.pop()).is_some() {
            return Err(Error::TooLargeForGpu {
                needed_bytes: size,
                available_bytes: 0,
            });
        }
        self.check()?;
        Ok(buffer)
    }

    /// A storage buffer (also a copy source and destination).
    pub fn storage(&self, label: &str, bytes: u64) -> Result<wgpu::Buffer> {
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        self.buffer(label, bytes, usage)
    }

    /// A uniform buffer holding `bytes`.
    pub fn uniform(&self, label: &str, bytes: &[u8]) -> Result<wgpu::Buffer> {
        let usage = wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST;
        let buffer = self.buffer(label, bytes.len() as u64, usage)?;
        self.write_bytes(&buffer, 0, bytes);
        Ok(buffer)
    }

    /// The bytes of `values` in the context's precision (f32 rounds).
    pub fn real_bytes(&self, values: &[f64]) -> Vec<u8> {
        match self.precision {
            Precision::F64 => bytemuck::cast_slice(values).to_vec(),
            Precision::F32 => {
                let v: Vec<f32> = values.iter().map(|&x| x as f32).collect();
                bytemuck::cast_slice(&v).to_vec()
            }
        }
    }

    /// Queues a write of `values` (converted to the context's precision)
    /// at element `offset` of `buffer`.
    pub fn write_real(&self, buffer: &wgpu::Buffer, offset: u64, values: &[f64]) {
        let bytes = self.real_bytes(values);
        self.write_bytes(buffer, offset * self.elem_bytes(), &bytes);
    }

    /// Queues a write of `bytes` at byte `offset`, padded to 4 bytes.
    pub fn write_bytes(&self, buffer: &wgpu::Buffer, offset: u64, bytes: &[u8]) {
        self.counters.add(Count::BytesUp, bytes.len() as u64);
        if bytes.len() % 4 == 0 {
            self.queue.write_buffer(buffer, offset, bytes);
        } else {
            let mut padded = bytes.to_vec();
            padded.resize(bytes.len().next_multiple_of(4), 0);
            self.queue.write_buffer(buffer, offset, &padded);
        }
    }

    /// Submits `encoder` and waits until the device has finished it.
    ///
    /// # Errors
    /// [`Error::Gpu`] on a timeout, a lost device or a validation error.
    pub fn submit_and_wait(&self, mut encoder: wgpu::CommandEncoder) -> Result<()> {
        self.counters.add(Count::Submissions, 1);
        self.resolve_timestamps(&mut encoder);
        let index = self.queue.submit([encoder.finish()]);
        self.wait(index)?;
        self.read_timestamps()
    }

    /// Submits `encoder` without waiting.
    pub fn submit(&self, mut encoder: wgpu::CommandEncoder) {
        self.counters.add(Count::Submissions, 1);
        self.resolve_timestamps(&mut encoder);
        self.queue.submit([encoder.finish()]);
    }

    /// Turns on timestamp queries around every compute pass from now on,
    /// where the device has them; the kernel time then appears in the
    /// counts. Costs one more read-back at each wait. Returns whether the
    /// device has them.
    ///
    /// # Errors
    /// [`Error::Gpu`] when the query set or its buffers cannot be made.
    pub fn time_kernels(&self) -> Result<bool> {
        if !self
            .device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
        {
            return Ok(false);
        }
        let mut timer = self.timer.lock().unwrap_or_else(|e| e.into_inner());
        if timer.is_none() {
            let bytes = u64::from(TIMER_QUERIES) * wgpu::QUERY_SIZE as u64;
            let set = self.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("kernel times"),
                ty: wgpu::QueryType::Timestamp,
                count: TIMER_QUERIES,
            });
            let resolve = self.buffer(
                "kernel times",
                bytes,
                wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            )?;
            let readback = self.staging("kernel times read-back", bytes)?;
            *timer = Some(Timer {
                set,
                resolve,
                readback,
                used: 0,
                submitted: 0,
            });
            self.counters.set_timed();
        }
        Ok(true)
    }

    /// Begins a compute pass in `encoder`, timed when timestamps are on
    /// (and the queries between two waits are not used up).
    pub fn compute_pass<'e>(
        &self,
        encoder: &'e mut wgpu::CommandEncoder,
        label: &str,
    ) -> wgpu::ComputePass<'e> {
        let mut timer = self.timer.lock().unwrap_or_else(|e| e.into_inner());
        let slot = timer.as_mut().and_then(|t| {
            (t.used + 2 <= TIMER_QUERIES).then(|| {
                t.used += 2;
                (t.set.clone(), t.used - 2)
            })
        });
        drop(timer);
        encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(label),
            timestamp_writes: slot
                .as_ref()
                .map(|(set, i)| wgpu::ComputePassTimestampWrites {
                    query_set: set,
                    beginning_of_pass_write_index: Some(*i),
                    end_of_pass_write_index: Some(*i + 1),
                }),
        })
    }

    /// Resolves the queries written so far into the read-back buffer, at
    /// the end of `encoder` (before it is submitted).
    fn resolve_timestamps(&self, encoder: &mut wgpu::CommandEncoder) {
        let mut timer = self.timer.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = timer.as_mut().filter(|t| t.used > t.submitted) {
            // From 0 each time: the offset must be 256-byte aligned, and
            // resolving a query again gives its value again.
            encoder.resolve_query_set(&t.set, 0..t.used, &t.resolve, 0);
            let bytes = u64::from(t.used) * wgpu::QUERY_SIZE as u64;
            encoder.copy_buffer_to_buffer(&t.resolve, 0, &t.readback, 0, bytes);
            t.submitted = t.used;
        }
    }

    /// After a wait for the latest submission: adds the passes' times to
    /// the counts and frees the queries.
    fn read_timestamps(&self) -> Result<()> {
        let mut timer = self.timer.lock().unwrap_or_else(|e| e.into_inner());
        let Some(t) = timer.as_mut() else {
            return Ok(());
        };
        // Queries of an encoder not yet submitted stay until the next wait.
        if t.submitted == 0 || t.used != t.submitted {
            return Ok(());
        }
        let bytes = u64::from(t.submitted) * wgpu::QUERY_SIZE as u64;
        let raw = self.map_read("the kernel times", &t.readback, bytes, bytes)?;
        let tick = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let period = f64::from(self.queue.get_timestamp_period());
        let nanos: f64 = raw
            .chunks_exact(16)
            .map(|p| tick(&p[8..]).saturating_sub(tick(&p[..8])) as f64 * period)
            .sum();
        self.counters.add(Count::KernelNanos, nanos as u64);
        t.used = 0;
        t.submitted = 0;
        Ok(())
    }

    /// Records a dispatch of `x` by `y` workgroups in `pass`.
    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>, x: u32, y: u32) {
        self.counters.add(Count::Dispatches, 1);
        pass.dispatch_workgroups(x, y, 1);
    }

    /// Waits for submission `index`.
    ///
    /// # Errors
    /// [`Error::Gpu`] on a timeout, a lost device or a recorded error.
    pub fn wait(&self, index: wgpu::SubmissionIndex) -> Result<()> {
        self.check()?;
        self.counters
            .timed(Count::WaitNanos, || {
                self.device.poll(wgpu::PollType::Wait {
                    submission_index: Some(index),
                    timeout: Some(WAIT_TIMEOUT),
                })
            })
            .map_err(|e| poll_error(&e))?;
        self.check()
    }

    /// A command encoder.
    pub fn encoder(&self, label: &str) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
    }

    /// Copies `bytes` bytes at byte `offset` of `source` back to the host,
    /// through `staging` (MAP_READ | COPY_DST, at least `bytes` long), after
    /// the commands already in `encoder`.
    ///
    /// # Errors
    /// [`Error::Gpu`] when the wait or the map fails.
    pub fn read_back(
        &self,
        what: &str,
        mut encoder: wgpu::CommandEncoder,
        source: &wgpu::Buffer,
        offset: u64,
        bytes: u64,
        staging: &wgpu::Buffer,
    ) -> Result<Vec<u8>> {
        let size = bytes.next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT);
        encoder.copy_buffer_to_buffer(source, offset, staging, 0, size);
        self.submit_and_wait(encoder)?;
        self.map_read(what, staging, size, bytes)
    }

    /// Maps the first `size` bytes of `staging` and returns the first
    /// `bytes` of them; unmaps before returning.
    ///
    /// # Errors
    /// [`Error::Gpu`] when the map fails or never completes.
    pub fn map_read(
        &self,
        what: &str,
        staging: &wgpu::Buffer,
        size: u64,
        bytes: u64,
    ) -> Result<Vec<u8>> {
        let slice = staging.slice(..size);
        let (tx, rx) = mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            // The receiver outlives the poll below; a failed send only means
            // we already gave up.
            let _ = tx.send(r);
        });
        self.counters.add(Count::BytesDown, bytes);
        self.counters
            .timed(Count::WaitNanos, || {
                self.device.poll(wgpu::PollType::Wait {
                    submission_index: None,
                    timeout: Some(WAIT_TIMEOUT),
                })
            })
            .map_err(|e| poll_error(&e))?;
        match rx.try_recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(map_error(what, Some(&e))),
            Err(_) => return Err(map_error(what, None)),
        }
        let out = {
            let view = slice.get_mapped_range().map_err(|e| Error::Gpu {
                reason: format!("reading back {what} failed: {e}"),
            })?;
            view[..bytes as usize].to_vec()
        };
        staging.unmap();
        self.check()?;
        Ok(out)
    }

    /// Element bytes as f64 values (from the context's precision).
    pub fn reals_from_bytes(&self, bytes: &[u8], out: &mut [f64]) {
        match self.precision {
            Precision::F64 => {
                for (o, c) in out.iter_mut().zip(bytes.chunks_exact(8)) {
                    *o = f64::from_le_bytes(c.try_into().expect("8 bytes"));
                }
            }
            Precision::F32 => {
                for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                    *o = f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes")));
                }
            }
        }
    }

    /// A read-back buffer of `bytes` bytes.
    pub fn staging(&self, label: &str, bytes: u64) -> Result<wgpu::Buffer> {
        let usage = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
        self.buffer(label, bytes, usage)
    }

    /// The workgroup counts (x, y) for `count` workgroups in a line: 2-D
    /// when `count` passes the device's per-dimension limit.
    pub fn groups_2d(&self, count: u32) -> (u32, u32) {
        let max = self.limits.max_compute_workgroups_per_dimension.max(1);
        if count <= max {
            (count.max(1), 1)
        } else {
            (max, count.div_ceil(max))
        }
    }
}

/// The WGSL of a kernel in `precision`: the source as written for f64, with
/// its `alias real = f64;` line switched to f32 otherwise.
pub(crate) fn for_precision(source: &str, precision: Precision) -> String {
    match precision {
        Precision::F64 => source.to_string(),
        Precision::F32 => source.replace(F64_ALIAS, "alias real = f32;"),
    }
}

#[cfg(test)]
#[path = "context_tests.rs"]
mod tests;
