//! Every WGSL kernel in shaders/ parses and validates with naga (the
//! compiler wgpu runs), in both precisions: as written (f64) and with the
//! `alias real = f64;` line switched to f32, which is how the GPU backend
//! loads it on devices without SHADER_F64. Kernels with pipeline-overridable
//! constants are also validated once per value the backend uses. No GPU
//! needed.

use std::path::{Path, PathBuf};

use naga::valid::{Capabilities, ValidationFlags, Validator};

/// The line that selects the precision of every kernel.
const F64_ALIAS: &str = "alias real = f64;";

fn shaders_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders")
}

/// (file name, source) of every .wgsl file in shaders/, sorted by name.
fn shader_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(shaders_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wgsl"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Parses and validates `source`, panicking with naga's report.
fn validate(what: &str, source: &str, capabilities: Capabilities) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{what}: parse error:\n{}", e.emit_to_string(source)));
    Validator::new(ValidationFlags::all(), capabilities)
        .validate(&module)
        .unwrap_or_else(|e| panic!("{what}: validation error:\n{}", e.emit_to_string(source)));
}

/// The f32 variant, made the way the backend makes it.
fn f32_variant(source: &str) -> String {
    source.replace(F64_ALIAS, "alias real = f32;")
}

#[test]
fn there_are_shaders_and_each_selects_its_precision_once() {
    let files = shader_files();
    assert!(files.len() >= 3, "expected the GPU kernels in shaders/");
    for (name, source) in &files {
        // A kernel that only ever runs in f32 says so, and has no alias.
        let f32_only = source.lines().any(|l| l.trim() == "// precision: f32 only");
        assert_eq!(
            source.matches(F64_ALIAS).count(),
            usize::from(!f32_only),
            "{name}: must contain the line `{F64_ALIAS}` exactly once (or say \
             `// precision: f32 only`)"
        );
        let code: String = source
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .filter(|l| l.trim() != F64_ALIAS)
            .collect();
        let other_f64 = code.matches("f64").count();
        assert_eq!(
            other_f64, 0,
            "{name}: uses f64 outside the alias line, so the f32 variant would still need it"
        );
    }
}

#[test]
fn every_shader_validates_in_f64() {
    for (name, source) in shader_files() {
        validate(&format!("{name} (f64)"), &source, Capabilities::FLOAT64);
    }
}

#[test]
fn every_shader_validates_in_f32_without_float64() {
    for (name, source) in shader_files() {
        validate(
            &format!("{name} (f32)"),
            &f32_variant(&source),
            Capabilities::empty(),
        );
    }
}

#[test]
fn pdist_validates_for_every_metric_constant() {
    let source = std::fs::read_to_string(shaders_dir().join("pdist_tiled.wgsl")).unwrap();
    let decl = "override METRIC: u32 = 0u;";
    assert!(source.contains(decl));
    let wdecl = "override WEIGHTED: bool = false;";
    assert!(source.contains(wdecl));
    for metric in 0..=14 {
        for weighted in [false, true] {
            let s = source
                .replace(decl, &format!("const METRIC: u32 = {metric}u;"))
                .replace(wdecl, &format!("const WEIGHTED: bool = {weighted};"));
            validate(
                &format!("pdist metric {metric}, weighted {weighted} (f64)"),
                &s,
                Capabilities::FLOAT64,
            );
            validate(
                &format!("pdist metric {metric}, weighted {weighted} (f32)"),
                &f32_variant(&s),
                Capabilities::empty(),
            );
        }
    }
}

#[cfg(feature = "gpu")]
#[test]
fn the_backend_loads_exactly_these_files() {
    use hclust::backend::gpu::shader_sources;
    use hclust::backend::Precision;

    let files = shader_files();
    for precision in [Precision::F64, Precision::F32] {
        let loaded = shader_sources(precision);
        let mut names: Vec<&str> = loaded.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let on_disk: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names, on_disk,
            "the backend must load every file in shaders/"
        );
        for (name, source) in loaded {
            let (_, disk) = files.iter().find(|(n, _)| n == name).unwrap();
            let expected = match precision {
                Precision::F64 => disk.clone(),
                Precision::F32 => f32_variant(disk),
            };
            assert_eq!(source, expected, "{name} ({precision:?})");
        }
    }
}
