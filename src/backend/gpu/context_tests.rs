//! Unit tests of the GPU context (beside the code, in their own file to
//! keep it short).

use super::*;

#[test]
fn wgpu_failures_become_gpu_errors() {
    let e = poll_error(&wgpu::PollError::Timeout);
    assert!(matches!(e, Error::Gpu { .. }), "{e}");
    assert!(
        e.to_string().contains("waiting for the device failed"),
        "{e}"
    );
    let e = map_error("the distances", Some(&wgpu::BufferAsyncError));
    assert!(matches!(e, Error::Gpu { .. }), "{e}");
    assert!(
        e.to_string().contains("reading back the distances failed"),
        "{e}"
    );
    let e = map_error("the distances", None);
    assert!(e.to_string().contains("never ran"), "{e}");
}

#[test]
fn f32_variant_switches_only_the_alias() {
    let src = "alias real = f64;\nvar<private> x: real;";
    assert_eq!(for_precision(src, Precision::F64), src);
    assert_eq!(
        for_precision(src, Precision::F32),
        "alias real = f32;\nvar<private> x: real;"
    );
}

#[test]
fn native_apis_come_before_gl_and_gpus_before_cpu_drivers() {
    use wgpu::{Backend, DeviceType};
    let lavapipe = adapter_rank(Backend::Vulkan, DeviceType::Cpu, true);
    let gl = adapter_rank(Backend::Gl, DeviceType::Cpu, false);
    let gl_gpu = adapter_rank(Backend::Gl, DeviceType::DiscreteGpu, true);
    let metal = adapter_rank(Backend::Metal, DeviceType::IntegratedGpu, false);
    let nvidia = adapter_rank(Backend::Vulkan, DeviceType::DiscreteGpu, true);
    let dx12 = adapter_rank(Backend::Dx12, DeviceType::DiscreteGpu, false);
    assert!(lavapipe < gl, "Vulkan's lavapipe before Mesa's GL");
    assert!(lavapipe < gl_gpu, "any native API before GL");
    assert!(nvidia < metal && metal < lavapipe);
    assert!(nvidia < dx12, "f64 breaks the tie");
}
