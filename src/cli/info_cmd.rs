//! `hclust info`: the machine as hclust sees it.

use crate::error::Result;

/// Runs `hclust info`: version, CPU threads, and every GPU adapter with its
/// backend, limits and f64 support.
///
/// # Errors
/// None today; kept fallible like every command.
pub fn info() -> Result<()> {
    println!("hclust {}", env!("CARGO_PKG_VERSION"));
    println!("cpu: {} threads", rayon::current_num_threads());
    #[cfg(feature = "gpu")]
    {
        let adapters = crate::backend::gpu::adapters_report();
        if adapters.is_empty() {
            println!(
                "gpu: no adapter found; install a Vulkan driver (on Linux without a GPU: \
                 apt-get install libvulkan1 mesa-vulkan-drivers)"
            );
        }
        for a in adapters {
            println!(
                "gpu: {} [{} {}] driver {}; f64 {}; timestamp queries {}; max storage binding {} MiB; max buffer {} MiB{}",
                a.name,
                a.backend,
                a.device_type,
                if a.driver.is_empty() { "?" } else { &a.driver },
                if a.shader_f64 { "yes" } else { "no" },
                if a.timestamp_query { "yes" } else { "no" },
                a.max_storage_buffer_binding_size >> 20,
                a.max_buffer_size >> 20,
                if a.used { " (used)" } else { "" }
            );
        }
    }
    #[cfg(not(feature = "gpu"))]
    println!("gpu: this build has no GPU support (the `gpu` feature is off)");
    Ok(())
}
