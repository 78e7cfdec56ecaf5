//! The one entry point that decides: [`linkage_with`] (and
//! [`linkage_condensed_with`]) take the method, the metric, the backend,
//! the precision and the algorithm asked for, pick what runs (backend,
//! algorithm, fallbacks), and return Z with a [`LinkageReport`] of what
//! ran and why. The CLI and the Python package print or expose that
//! report; neither decides anything itself.
//!
//! The automatic choice ([`Algorithm::Auto`]), fastest exact path first:
//! - single linkage on a metric a kd-tree can bound (euclidean,
//!   sqeuclidean, cityblock, chebyshev, minkowski) with at most
//!   [`TREE_MAX_DIM`] features: Borůvka's algorithm over a kd-tree. When
//!   its minimum spanning tree has tied weights (several dendrograms are
//!   then equally valid) and n is at most [`TIE_EXACT_MAX_N`], the exact
//!   path runs instead, for scipy's own order of tied merges;
//! - ward on euclidean observations with at most [`TREE_MAX_DIM`]
//!   features: the nearest-neighbour chain over a kd-tree of centroids;
//!   with more features, the chain on centroids without an index;
//! - single linkage on euclidean observations with more features: Prim's
//!   algorithm without the matrix;
//! - centroid and median above [`VECTOR_MIN_N`] observations: the generic
//!   algorithm on centroids;
//! - everything else, and every problem below [`SMALL_N`] observations:
//!   the distance matrix, with scipy's algorithms and tie order.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array2, ArrayView2};

use super::{boruvka, finite, Method};
use crate::backend::{select_backend, Backend, BackendChoice, CpuBackend, Precision, SinglePath};
use crate::distance::{CondensedMatrix, Metric};
use crate::error::{Error, Result};
use crate::spatial::metric::TreeMetric;

/// Below this many observations every method uses the distance matrix
/// (milliseconds), which follows scipy's tie order exactly.
pub const SMALL_N: usize = 2_000;

/// The most features for which the kd-tree paths are chosen by
/// themselves: beyond about 16, boxes prune little and the tree visits
/// most points.
pub const TREE_MAX_DIM: usize = 16;

/// Up to this many observations, a tree with tied weights is recomputed by
/// the exact path (Prim's algorithm, or the matrix), for scipy's order of
/// tied merges; above, the tree's own order stands (the same flat clusters
/// at every height), with a note.
pub const TIE_EXACT_MAX_N: usize = 20_000;

/// From this many observations centroid and median run on centroids
/// rather than on the matrix (faster, and O(n m) memory).
pub const VECTOR_MIN_N: usize = 10_000;

/// Which family of algorithms computes Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// The fastest exact path for the method, metric, n and d (see the
    /// module documentation).
    #[default]
    Auto,
    /// A spatial index: Borůvka over a kd-tree (single), the
    /// nearest-neighbour chain over a kd-tree (ward).
    Tree,
    /// No matrix and no index: Prim (single), the chain on centroids
    /// (ward), the generic algorithm on centroids (centroid, median).
    Vector,
    /// The condensed distance matrix and scipy's algorithms.
    Matrix,
}

impl Algorithm {
    /// The names `FromStr` accepts.
    pub const NAMES: [&'static str; 4] = ["auto", "tree", "vector", "matrix"];

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Auto => "auto",
            Algorithm::Tree => "tree",
            Algorithm::Vector => "vector",
            Algorithm::Matrix => "matrix",
        }
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Algorithm> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Algorithm::Auto),
            "tree" => Ok(Algorithm::Tree),
            "vector" | "low" => Ok(Algorithm::Vector),
            "matrix" => Ok(Algorithm::Matrix),
            _ => Err(Error::invalid_argument(
                "algorithm",
                format!("'{s}': use one of {}", Algorithm::NAMES.join(", ")),
            )),
        }
    }
}

/// What to compute and where: the arguments of [`linkage_with`].
#[derive(Debug, Clone)]
pub struct LinkageOptions {
    /// The linkage method.
    pub method: Method,
    /// The metric (ignored for condensed input).
    pub metric: Metric,
    /// Where to compute.
    pub backend: BackendChoice,
    /// How to store the distance matrix (f32: half the memory).
    pub precision: Precision,
    /// Which family of algorithms.
    pub algorithm: Algorithm,
    /// A token that stops the computation with [`Error::Cancelled`] when
    /// triggered from another thread (see [`crate::cancel`]); `None`: it
    /// runs to the end.
    pub cancel: Option<crate::Cancel>,
    /// Measure the GPU's time in its kernels (timestamp queries, where the
    /// adapter has them) for [`LinkageReport::device`]; costs a read-back
    /// at each wait for the device.
    pub kernel_times: bool,
}

impl Default for LinkageOptions {
    fn default() -> Self {
        LinkageOptions {
            method: Method::Single,
            metric: Metric::Euclidean,
            backend: BackendChoice::Cpu,
            precision: Precision::F64,
            algorithm: Algorithm::Auto,
            cancel: None,
            kernel_times: false,
        }
    }
}

impl LinkageOptions {
    /// Options for `method` with every other choice at its default
    /// (euclidean, CPU, f64, automatic algorithm).
    pub fn new(method: Method) -> Self {
        LinkageOptions {
            method,
            ..LinkageOptions::default()
        }
    }
}

/// What ran and why, returned with Z.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkageReport {
    /// The backend, e.g. "cpu" or "gpu: NVIDIA H100 (Vulkan, f64)".
    pub backend: String,
    /// Why that backend.
    pub backend_reason: String,
    /// The algorithm that computed Z, e.g. "kd-tree Borůvka".
    pub algorithm: String,
    /// Why that algorithm.
    pub reason: String,
    /// Fallbacks and caveats, one sentence each (tied heights, a path
    /// that replaced the one asked for, ...).
    pub notes: Vec<String>,
    /// What the run did on the device (rounds, rows, bytes, dispatches,
    /// submissions, times), when it ran on a GPU.
    pub device: Option<crate::backend::DeviceStats>,
}

impl fmt::Display for LinkageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "backend: {} ({}); algorithm: {} ({})",
            self.backend, self.backend_reason, self.algorithm, self.reason
        )?;
        for note in &self.notes {
            write!(f, "\nnote: {note}")?;
        }
        Ok(())
    }
}

/// Z and the report of how it was computed.
#[derive(Debug, Clone)]
pub struct LinkageResult {
    /// scipy's linkage matrix.
    pub z: Array2<f64>,
    /// What ran and why.
    pub report: LinkageReport,
}

/// The concrete CPU path for observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Tree,
    /// Borůvka on blocks of points, for single linkage on euclidean data
    /// of many features.
    Blocked,
    Vector,
    Matrix,
}

/// Z for observations `x` (n x m) as `opts` asks: the library's one entry
/// point for observations. See the module documentation for the choice.
///
/// # Errors
/// [`Error::MethodNeedsEuclidean`]; [`Error::InvalidArgument`] naming
/// `algorithm` when the algorithm asked for cannot run this method or
/// metric; the errors of the observations' checks, of the metric, of the
/// memory check and of the backend; [`Error::Cancelled`] when
/// `opts.cancel` fires.
pub fn linkage_with(x: ArrayView2<f64>, opts: &LinkageOptions) -> Result<LinkageResult> {
    on_pool(|| crate::cancel::scope(opts.cancel.as_ref(), || observations(x, opts)))
}

/// Runs `f` on a thread of rayon's pool (where the caller is not one
/// already) and waits for it. The merge loops start a parallel scan or
/// update at every merge: from a thread outside the pool each of those is
/// handed to the pool while the caller sleeps (two context switches per
/// merge, a quarter of the time of average linkage at n = 10,000); from a
/// thread of the pool it is a local fork-join that the caller takes part
/// in.
fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

/// [`linkage_with`] under its token.
fn observations(x: ArrayView2<f64>, opts: &LinkageOptions) -> Result<LinkageResult> {
    let (method, metric) = (opts.method, &opts.metric);
    if method.needs_euclidean() && !metric.is_euclidean() {
        return Err(Error::MethodNeedsEuclidean {
            method: method.name().into(),
            metric: metric.name().into(),
        });
    }
    crate::distance::check_observations(x)?;
    let (n, m) = x.dim();
    let (path, reason) = choose_path(opts, n, m)?;
    // Ward, centroid and median do without the matrix when it would not
    // fit (the backends would fall back by themselves): decided here, so
    // that the report names what runs.
    let mut notes = Vec::new();
    let (path, reason) = if path == Path::Matrix
        && method.needs_euclidean()
        && crate::memory::check_condensed_fits(n, opts.precision).is_err()
    {
        notes.push(format!(
            "the distance matrix would not fit in memory; {method} was computed on cluster \
             centroids on the CPU instead (O(n m) memory)"
        ));
        (
            Path::Vector,
            "the distance matrix would not fit in memory: on centroids, O(n m)".to_string(),
        )
    } else {
        (path, reason)
    };
    if let Some(r) = on_backend(x, opts, path, &reason)? {
        return Ok(r);
    }
    let mut report = LinkageReport {
        backend: "cpu".into(),
        backend_reason: match opts.backend {
            BackendChoice::Cpu => "asked for".into(),
            _ => format!("the {} path runs on the CPU", path_name(method, path)),
        },
        algorithm: path_name(method, path).into(),
        reason,
        notes,
        device: None,
    };
    if opts.backend == BackendChoice::Gpu {
        report.notes.push(match path {
            Path::Tree => format!(
                "{method} over a kd-tree runs on the CPU (the GPU backend has no tree path)"
            ),
            _ => format!(
                "{method} without the distance matrix runs on the CPU (the GPU backend needs \
                 the matrix for it)"
            ),
        });
    }
    let z = match path {
        Path::Tree | Path::Blocked => tree(x, opts, path, &mut report)?,
        Path::Vector => super::low_memory(x, method)?,
        Path::Matrix => CpuBackend::new(opts.precision).linkage(x, method, metric)?,
    };
    Ok(LinkageResult { z, report })
}

/// The tree path: Borůvka for single (with the tie rule of the module
/// documentation), the kd-tree chain for ward.
fn tree(
    x: ArrayView2<f64>,
    opts: &LinkageOptions,
    path: Path,
    report: &mut LinkageReport,
) -> Result<Array2<f64>> {
    let (n, m) = x.dim();
    let standard = x.as_standard_layout();
    let data = standard.as_slice().expect("standard layout is contiguous");
    if opts.method == Method::Ward {
        return super::ward_tree::ward_tree(data, n, m);
    }
    let metric = TreeMetric::from_metric(&opts.metric).expect("checked by choose_path");
    let edges = if path == Path::Blocked {
        boruvka::boruvka_dense_mst(data, n, m)?
    } else {
        boruvka::boruvka_mst(data, n, m, metric)?
    };
    if let Some(bad) = edges.first_infinite() {
        return Err(finite::edge_overflow(&bad, metric.name(), "f64"));
    }
    let z = edges.into_z(n);
    if !has_tied_heights(&z) {
        return Ok(z);
    }
    if opts.algorithm == Algorithm::Auto && n <= TIE_EXACT_MAX_N {
        report.algorithm = if opts.metric.is_euclidean() {
            "Prim's algorithm without the matrix".into()
        } else {
            "minimum spanning tree on the distance matrix".into()
        };
        report.notes.push(format!(
            "the minimum spanning tree has tied weights, so several dendrograms are equally \
             valid; with {n} observations (at most {TIE_EXACT_MAX_N}) the exact path ran \
             instead of the kd-tree, for scipy's order of tied merges"
        ));
        return if opts.metric.is_euclidean() {
            super::single_euclidean(x)
        } else {
            CpuBackend::new(opts.precision).linkage(x, Method::Single, &opts.metric)
        };
    }
    report.notes.push(
        "the minimum spanning tree has tied weights: Z has scipy's flat clusters at every \
         height, but merges at one height may come in another order than scipy's (and so \
         carry other ids); --algorithm matrix follows scipy's order exactly"
            .into(),
    );
    Ok(z)
}

/// The path for `opts` on n observations of m features, and why.
fn choose_path(opts: &LinkageOptions, n: usize, m: usize) -> Result<(Path, String)> {
    let method = opts.method;
    let tree_metric = TreeMetric::from_metric(&opts.metric);
    let euclidean = opts.metric.is_euclidean();
    let tree_ok = match method {
        Method::Single => tree_metric.is_some(),
        Method::Ward => euclidean,
        _ => false,
    };
    let vector_ok = euclidean
        && matches!(
            method,
            Method::Single | Method::Ward | Method::Centroid | Method::Median
        );
    let refuse = |what: &str| {
        Err(Error::invalid_argument(
            "algorithm",
            format!(
                "{what} does not run {method} linkage on the {} metric; use auto or matrix",
                opts.metric.name()
            ),
        ))
    };
    match opts.algorithm {
        Algorithm::Tree if tree_ok => Ok((Path::Tree, "asked for".into())),
        Algorithm::Tree => refuse(
            "tree (single linkage on euclidean, sqeuclidean, cityblock, chebyshev or \
             minkowski; ward on euclidean)",
        ),
        Algorithm::Vector if vector_ok => Ok((Path::Vector, "asked for".into())),
        Algorithm::Vector if euclidean => Err(Error::invalid_argument(
            "algorithm",
            format!(
                "vector (no distance matrix) runs single, ward, centroid and median on \
                 euclidean observations; {method} needs the distance matrix"
            ),
        )),
        Algorithm::Vector => {
            refuse("vector (single, ward, centroid and median on euclidean observations)")
        }
        Algorithm::Matrix => Ok((Path::Matrix, "asked for".into())),
        // The GPU backend's own paths (the matrix's kernels, and Prim for
        // single linkage on euclidean observations).
        Algorithm::Auto if opts.backend == BackendChoice::Gpu => Ok((
            Path::Matrix,
            "the GPU backend was asked for, and it computes distances itself".into(),
        )),
        Algorithm::Auto => Ok(auto_path(opts, n, m, tree_ok, vector_ok)),
    }
}

/// [`Algorithm::Auto`]'s choice (see the module documentation).
fn auto_path(
    opts: &LinkageOptions,
    n: usize,
    m: usize,
    tree_ok: bool,
    vector_ok: bool,
) -> (Path, String) {
    let method = opts.method;
    if n < SMALL_N {
        // Single linkage on euclidean observations never needs the matrix.
        if method == Method::Single && opts.metric.is_euclidean() {
            return (
                Path::Vector,
                format!("{n} observations: Prim's algorithm with scipy's tie order"),
            );
        }
        return (
            Path::Matrix,
            format!("{n} observations (below {SMALL_N}): the matrix, with scipy's tie order"),
        );
    }
    if tree_ok && m <= TREE_MAX_DIM {
        return (
            Path::Tree,
            format!("{m} features (at most {TREE_MAX_DIM}): a kd-tree prunes well"),
        );
    }
    let fits = crate::memory::check_condensed_fits(n, opts.precision).is_ok();
    if method == Method::Single && opts.metric.is_euclidean() {
        return (
            Path::Blocked,
            format!(
                "{m} features (more than {TREE_MAX_DIM}): every pair once, block against \
                 block, without the matrix"
            ),
        );
    }
    if vector_ok && matches!(method, Method::Single | Method::Ward) {
        return (
            Path::Vector,
            format!("{m} features: without the matrix, which is faster for {method} and O(n m) in memory"),
        );
    }
    if vector_ok && (n >= VECTOR_MIN_N || !fits) {
        return (
            Path::Vector,
            if fits {
                format!(
                    "{n} observations (from {VECTOR_MIN_N}): on centroids, faster than the matrix"
                )
            } else {
                "the distance matrix would not fit in memory: on centroids, O(n m)".into()
            },
        );
    }
    (
        Path::Matrix,
        format!("{method} linkage needs the distance matrix"),
    )
}

/// What a path is called in the report.
fn path_name(method: Method, path: Path) -> &'static str {
    match (path, method) {
        (Path::Tree, Method::Single) => "kd-tree Borůvka",
        (Path::Blocked, _) => "blocked Borůvka",
        (Path::Tree, _) => "nearest-neighbour chain over a kd-tree",
        (Path::Vector, Method::Single) => "Prim's algorithm without the matrix",
        (Path::Vector, Method::Ward) => "nearest-neighbour chain on centroids",
        (Path::Vector, _) => "generic algorithm on centroids",
        (Path::Matrix, Method::Single) => "minimum spanning tree on the distance matrix",
        (Path::Matrix, Method::Centroid | Method::Median) => {
            "generic algorithm on the distance matrix"
        }
        (Path::Matrix, _) => "nearest-neighbour chain on the distance matrix",
    }
}

/// Runs the matrix path (or, on an explicit GPU, the GPU's own paths) on
/// the backend `opts` selects; None when the CPU's own paths should run
/// (the CPU backend was selected and the path is not the matrix).
fn on_backend(
    x: ArrayView2<f64>,
    opts: &LinkageOptions,
    path: Path,
    reason: &str,
) -> Result<Option<LinkageResult>> {
    let (method, n) = (opts.method, x.nrows());
    let gpu_single = method == Method::Single && opts.metric.is_euclidean();
    let gpu_prim = path == Path::Vector && gpu_single && opts.backend == BackendChoice::Gpu;
    if path != Path::Matrix && !gpu_prim {
        return Ok(None);
    }
    let (backend, why) = backend_for(opts, n)?;
    let mut notes = Vec::new();
    let z = match backend.linkage(x, method, &opts.metric) {
        Ok(z) => z,
        Err(e @ Error::TooLargeForGpu { .. }) if opts.backend == BackendChoice::Auto => {
            notes.push(format!("fell back to the CPU: {e}"));
            CpuBackend::new(opts.precision).linkage(x, method, &opts.metric)?
        }
        Err(e) => return Err(e),
    };
    notes.extend(backend.take_notes());
    let device = backend.take_stats();
    let on_gpu = !backend.name().starts_with("cpu");
    if on_gpu && method.is_monotone() && has_tied_heights(&z) && !gpu_single {
        notes.push(
            "Z has tied merge heights; with ties several dendrograms are equally valid, and \
             only --backend cpu follows scipy's tie order exactly"
                .into(),
        );
    }
    let (backend_name, backend_reason) = split_why(&why);
    Ok(Some(LinkageResult {
        z,
        report: LinkageReport {
            backend: backend_name,
            backend_reason,
            algorithm: match (on_gpu && gpu_single).then(|| backend.single_path(n)) {
                // Where f32 Prim declines, the backend's note says so.
                Some(SinglePath::Device) => "Prim's algorithm on the GPU".into(),
                _ => path_name(method, Path::Matrix).into(),
            },
            reason: reason.into(),
            notes,
            device,
        },
    }))
}

/// The backend `opts` asks for, for `n` observations (with its kernels
/// timed when `opts.kernel_times`), and why it was chosen.
fn backend_for(opts: &LinkageOptions, n: usize) -> Result<(Box<dyn Backend>, String)> {
    let (backend, why) = select_backend(opts.backend, opts.precision, n)?;
    if opts.kernel_times {
        backend.time_kernels()?;
    }
    Ok((backend, why))
}

/// Splits `select_backend`'s "gpu: reason" into ("gpu", "reason").
fn split_why(why: &str) -> (String, String) {
    match why.split_once(": ") {
        Some((b, r)) => (b.to_string(), r.to_string()),
        None => (why.to_string(), String::new()),
    }
}

/// Z for a condensed distance matrix as `opts` asks (the metric and the
/// algorithm do not apply: a condensed matrix always takes the matrix
/// path). Under [`BackendChoice::Auto`] a problem too large for the GPU
/// falls back to the CPU, with a note.
///
/// # Errors
/// As [`crate::linkage::linkage_condensed_owned`], plus the backend's;
/// [`Error::Cancelled`] when `opts.cancel` fires.
pub fn linkage_condensed_with(y: CondensedMatrix, opts: &LinkageOptions) -> Result<LinkageResult> {
    on_pool(|| crate::cancel::scope(opts.cancel.as_ref(), || condensed(y, opts)))
}

/// [`linkage_condensed_with`] under its token.
fn condensed(y: CondensedMatrix, opts: &LinkageOptions) -> Result<LinkageResult> {
    let method = opts.method;
    if matches!(opts.algorithm, Algorithm::Tree | Algorithm::Vector) {
        return Err(Error::invalid_argument(
            "algorithm",
            format!(
                "{}: a condensed matrix holds distances, not observations, so only the matrix \
                 path applies; use auto or matrix",
                opts.algorithm.name()
            ),
        ));
    }
    let (backend, why) = backend_for(opts, y.n())?;
    let on_gpu = !backend.name().starts_with("cpu");
    let mut notes = Vec::new();
    let z = if opts.backend == BackendChoice::Auto && on_gpu {
        match backend.linkage_condensed(y.clone(), method) {
            Ok(z) => z,
            Err(e @ Error::TooLargeForGpu { .. }) => {
                notes.push(format!("fell back to the CPU: {e}"));
                CpuBackend::new(opts.precision).linkage_condensed(y, method)?
            }
            Err(e) => return Err(e),
        }
    } else {
        backend.linkage_condensed(y, method)?
    };
    notes.extend(backend.take_notes());
    let device = backend.take_stats();
    if on_gpu && method.is_monotone() && has_tied_heights(&z) {
        notes.push(
            "Z has tied merge heights; with ties several dendrograms are equally valid, and \
             only --backend cpu follows scipy's tie order exactly"
                .into(),
        );
    }
    let (backend_name, backend_reason) = split_why(&why);
    Ok(LinkageResult {
        z,
        report: LinkageReport {
            backend: backend_name,
            backend_reason,
            algorithm: path_name(method, Path::Matrix).into(),
            reason: "a condensed matrix".into(),
            notes,
            device,
        },
    })
}

/// Whether two merges share a height.
pub(crate) fn has_tied_heights(z: &Array2<f64>) -> bool {
    let column = z.column(2);
    if super::is_monotonic(z.view()) {
        return column.windows(2).into_iter().any(|w| w[0] == w[1]);
    }
    let mut h: Vec<f64> = column.to_vec();
    h.sort_by(f64::total_cmp);
    h.windows(2).any(|w| w[0] == w[1])
}
