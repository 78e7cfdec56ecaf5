//! `hclust._hclust`: the native half of the Python package. Each function
//! converts its arrays, releases the GIL for the whole computation, calls
//! the library's entry points, and hands back numpy arrays. The scipy
//! signatures, argument checks and warnings live in the Python half
//! (`hclust/_hierarchy.py`); nothing here decides anything the library
//! does not decide itself.

use hclust::analysis::{self, Criterion, Cut};
use hclust::backend::BackendChoice;
use hclust::dendrogram::{dendrogram, DendrogramOptions, LeafSort, Orientation, TruncateMode};
use hclust::linkage::{
    linkage_condensed_with, linkage_with, LinkageOptions, LinkageReport, LinkageResult,
};
use hclust::render::{dendrogram_svg, DendrogramStyle};
use hclust::report::{build_report, write_report, CutChoice, ReportOptions};
use hclust::{Cancel, CondensedMatrix, Error, Method, Metric, Precision};
use ndarray::Array1;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::time::Duration;

/// hclust's errors as Python exceptions: memory errors as MemoryError,
/// GPU failures as RuntimeError, a cancelled run as KeyboardInterrupt,
/// everything else (bad input) as ValueError, each with the library's
/// message.
fn py_err(e: Error) -> PyErr {
    match e {
        Error::NotEnoughMemory { .. } => PyMemoryError::new_err(e.to_string()),
        Error::Gpu { .. } | Error::NoGpuAdapter { .. } => PyRuntimeError::new_err(e.to_string()),
        Error::Cancelled => PyKeyboardInterrupt::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn backend_choice(name: &str) -> PyResult<BackendChoice> {
    match name {
        "cpu" => Ok(BackendChoice::Cpu),
        "gpu" => Ok(BackendChoice::Gpu),
        "auto" => Ok(BackendChoice::Auto),
        _ => Err(PyValueError::new_err(format!(
            "backend '{name}': use 'cpu', 'gpu' or 'auto'"
        ))),
    }
}

fn precision(name: &str) -> PyResult<Precision> {
    match name {
        "f64" | "float64" => Ok(Precision::F64),
        "f32" | "float32" => Ok(Precision::F32),
        _ => Err(PyValueError::new_err(format!(
            "precision '{name}': use 'f64' or 'f32'"
        ))),
    }
}

/// The metric for scipy's name and parameters (already checked and
/// defaulted by the Python half).
fn metric(
    name: &str,
    p: Option<f64>,
    w: Option<Vec<f64>>,
    v: Option<Vec<f64>>,
    vi: Option<PyReadonlyArray2<'_, f64>>,
) -> PyResult<Metric> {
    let mut metric = Metric::from_name(name).map_err(py_err)?;
    match &mut metric {
        Metric::Minkowski { p: mp, w: mw } => {
            if let Some(p) = p {
                *mp = p;
            }
            *mw = w;
        }
        Metric::SEuclidean { v: mv } => *mv = v,
        Metric::Mahalanobis { vi: mvi } => *mvi = vi.map(|a| a.as_array().to_owned()),
        _ => {}
    }
    Ok(metric)
}

/// Runs `work` with the GIL released on a worker thread, while this
/// thread wakes every 50 ms to let Python handle its signals: on Ctrl-C
/// (a pending KeyboardInterrupt, or any error a signal handler raised)
/// the work's token is cancelled, the work stops at its next check (see
/// `hclust::cancel`), and the handler's exception is raised.
fn interruptible<T: Send>(
    py: Python<'_>,
    token: &Cancel,
    work: impl FnOnce() -> hclust::Result<T> + Send,
) -> PyResult<T> {
    let (out, signal) = py.detach(|| {
        std::thread::scope(|s| {
            let caller = std::thread::current();
            let worker = s.spawn(move || {
                let out = work();
                caller.unpark();
                out
            });
            let mut signal = None;
            while !worker.is_finished() {
                std::thread::park_timeout(Duration::from_millis(50));
                if signal.is_none() && !worker.is_finished() {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        token.cancel();
                        signal = Some(e);
                    }
                }
            }
            (worker.join(), signal)
        })
    });
    if let Some(e) = signal {
        return Err(e);
    }
    match out {
        Ok(r) => r.map_err(py_err),
        Err(_) => Err(PyRuntimeError::new_err(
            "hclust: internal error (a panic in the computation); please report it",
        )),
    }
}

/// What ran, as a dict: backend, backend_reason, algorithm, reason, notes.
fn report_dict<'py>(py: Python<'py>, r: &LinkageResult) -> PyResult<Bound<'py, PyDict>> {
    report_dict_of(py, &r.report)
}

fn report_dict_of<'py>(py: Python<'py>, r: &LinkageReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("backend", &r.backend)?;
    d.set_item("backend_reason", &r.backend_reason)?;
    d.set_item("algorithm", &r.algorithm)?;
    d.set_item("reason", &r.reason)?;
    d.set_item("notes", r.notes.clone())?;
    Ok(d)
}

fn options(
    method: &str,
    metric: Metric,
    backend: &str,
    prec: &str,
    algorithm: &str,
) -> PyResult<LinkageOptions> {
    Ok(LinkageOptions {
        method: method.parse::<Method>().map_err(py_err)?,
        metric,
        backend: backend_choice(backend)?,
        precision: precision(prec)?,
        algorithm: algorithm.parse().map_err(py_err)?,
        cancel: Some(Cancel::new()),
        kernel_times: false,
    })
}

/// Z and the report for observations `x` (n x m, float64).
#[pyfunction]
#[pyo3(signature = (x, method, metric_name, p=None, w=None, v=None, vi=None, backend="cpu", prec="f64", algorithm="auto"))]
#[allow(clippy::too_many_arguments)]
fn linkage_observations<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    method: &str,
    metric_name: &str,
    p: Option<f64>,
    w: Option<Vec<f64>>,
    v: Option<Vec<f64>>,
    vi: Option<PyReadonlyArray2<'py, f64>>,
    backend: &str,
    prec: &str,
    algorithm: &str,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyDict>)> {
    let opts = options(
        method,
        metric(metric_name, p, w, v, vi)?,
        backend,
        prec,
        algorithm,
    )?;
    let view = x.as_array();
    let token = opts.cancel.clone().unwrap_or_default();
    let result = interruptible(py, &token, || linkage_with(view, &opts))?;
    let report = report_dict(py, &result)?;
    Ok((result.z.into_pyarray(py), report))
}

/// Z and the report for a condensed distance matrix `y`.
#[pyfunction]
#[pyo3(signature = (y, method, backend="cpu", prec="f64", algorithm="auto"))]
fn linkage_condensed<'py>(
    py: Python<'py>,
    y: PyReadonlyArray1<'py, f64>,
    method: &str,
    backend: &str,
    prec: &str,
    algorithm: &str,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyDict>)> {
    let opts = options(method, Metric::Euclidean, backend, prec, algorithm)?;
    // The merge loop updates the matrix in place: one working copy.
    let y = y.as_array();
    let y = match y.as_slice() {
        Some(values) => CondensedMatrix::copied_from(values),
        None => CondensedMatrix::new(y.to_vec()),
    };
    let token = opts.cancel.clone().unwrap_or_default();
    let result = interruptible(py, &token, || {
        y.and_then(|y| linkage_condensed_with(y, &opts))
    })?;
    let report = report_dict(py, &result)?;
    Ok((result.z.into_pyarray(py), report))
}

/// The condensed distance matrix of observations `x` under a metric.
#[pyfunction]
#[pyo3(signature = (x, metric_name, p=None, w=None, v=None, vi=None))]
fn pdist<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    metric_name: &str,
    p: Option<f64>,
    w: Option<Vec<f64>>,
    v: Option<Vec<f64>>,
    vi: Option<PyReadonlyArray2<'py, f64>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let metric = metric(metric_name, p, w, v, vi)?;
    let view = x.as_array();
    let token = Cancel::new();
    let y = interruptible(py, &token, || {
        hclust::cancel::scope(Some(&token), || hclust::pdist(view, &metric))
    })?;
    Ok(Array1::from(y.into_vec()).into_pyarray(py))
}

fn labels_i32(t: Vec<usize>) -> Array1<i32> {
    t.into_iter().map(|v| v as i32).collect()
}

/// Flat cluster labels (1-based, int32) as scipy's fcluster gives them.
#[pyfunction]
#[pyo3(signature = (z, t, criterion, depth=2, r=None, monocrit=None))]
fn fcluster<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    t: f64,
    criterion: &str,
    depth: usize,
    r: Option<PyReadonlyArray2<'py, f64>>,
    monocrit: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyArray1<i32>>> {
    let z = z.as_array();
    let labels = match (criterion, r) {
        // With R given, inconsistent uses it instead of computing it.
        ("inconsistent", Some(r)) => {
            let r = r.as_array();
            let mc = py.detach(|| analysis::maxinconsts(z, r)).map_err(py_err)?;
            py.detach(|| analysis::fcluster(z, t, &Criterion::Monocrit(mc)))
        }
        ("monocrit", _) => py.detach(|| {
            analysis::fcluster(z, t, &Criterion::Monocrit(monocrit.unwrap_or_default()))
        }),
        ("maxclust_monocrit", _) => py.detach(|| {
            analysis::fcluster(
                z,
                t,
                &Criterion::MaxClustMonocrit(monocrit.unwrap_or_default()),
            )
        }),
        (name, _) => {
            let c = Criterion::from_name(name, depth).map_err(py_err)?;
            py.detach(|| analysis::fcluster(z, t, &c))
        }
    }
    .map_err(py_err)?;
    Ok(labels_i32(labels).into_pyarray(py))
}

/// The cophenetic distances of Z, condensed.
#[pyfunction]
fn cophenet<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let z = z.as_array();
    let c = py.detach(|| analysis::cophenet(z)).map_err(py_err)?;
    Ok(Array1::from(c.into_vec()).into_pyarray(py))
}

/// The inconsistency matrix of Z over `d` levels.
#[pyfunction]
fn inconsistent<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    d: usize,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let z = z.as_array();
    let r = py.detach(|| analysis::inconsistent(z, d)).map_err(py_err)?;
    Ok(r.into_pyarray(py))
}

/// The largest merge height below each link.
#[pyfunction]
fn maxdists<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let z = z.as_array();
    let v = py.detach(|| analysis::maxdists(z)).map_err(py_err)?;
    Ok(Array1::from(v).into_pyarray(py))
}

/// The largest inconsistency coefficient below each link.
#[pyfunction]
fn maxinconsts<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    r: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (z, r) = (z.as_array(), r.as_array());
    let v = py.detach(|| analysis::maxinconsts(z, r)).map_err(py_err)?;
    Ok(Array1::from(v).into_pyarray(py))
}

/// The largest value of column `i` of R below each link.
#[pyfunction]
fn max_rstat<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    r: PyReadonlyArray2<'py, f64>,
    i: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (z, r) = (z.as_array(), r.as_array());
    let v = py.detach(|| analysis::max_rstat(z, r, i)).map_err(py_err)?;
    Ok(Array1::from(v).into_pyarray(py))
}

/// The root node of each flat cluster: (L, M), int32.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn leaders<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    t: Vec<i64>,
) -> PyResult<(Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i32>>)> {
    let z = z.as_array();
    if t.iter().any(|&v| v < 0) {
        return Err(PyValueError::new_err("T holds a negative cluster label"));
    }
    let t: Vec<usize> = t.into_iter().map(|v| v as usize).collect();
    let (l, m) = py.detach(|| analysis::leaders(z, &t)).map_err(py_err)?;
    Ok((
        labels_i32(l).into_pyarray(py),
        labels_i32(m).into_pyarray(py),
    ))
}

/// scipy's cut_tree: one column of cluster ids per number of clusters or
/// height (all numbers of clusters when neither is given).
#[pyfunction]
#[pyo3(signature = (z, n_clusters=None, height=None))]
fn cut_tree<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    n_clusters: Option<Vec<usize>>,
    height: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    let z = z.as_array();
    let cut = match (n_clusters, height) {
        (Some(k), _) => Cut::NClusters(k),
        (None, Some(h)) => Cut::Heights(h),
        (None, None) => Cut::All,
    };
    let c = py.detach(|| analysis::cut_tree(z, &cut)).map_err(py_err)?;
    Ok(c.mapv(|v| v as i64).into_pyarray(py))
}

/// The leaf ids left to right (int32).
#[pyfunction]
fn leaves_list<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<i32>>> {
    let z = z.as_array();
    let l = py.detach(|| analysis::leaves_list(z)).map_err(py_err)?;
    Ok(labels_i32(l).into_pyarray(py))
}

/// Z with its leaves in the optimal order for the condensed matrix y.
#[pyfunction]
fn optimal_leaf_ordering<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let z = z.as_array();
    let values = y.as_array().to_vec();
    let out = py
        .detach(|| {
            CondensedMatrix::new(values).and_then(|y| analysis::optimal_leaf_ordering(z, &y))
        })
        .map_err(py_err)?;
    Ok(out.into_pyarray(py))
}

/// The observations under node `node` of Z, ascending.
#[pyfunction]
fn node_members(py: Python<'_>, z: PyReadonlyArray2<'_, f64>, node: usize) -> PyResult<Vec<usize>> {
    let z = z.as_array();
    py.detach(|| analysis::node_members(z, node))
        .map_err(py_err)
}

fn leaf_sort(name: &str) -> PyResult<LeafSort> {
    name.parse().map_err(py_err)
}

/// scipy's dendrogram(Z, no_plot=True) layout, plus the node of each link
/// and the contraction marks.
#[pyfunction]
#[pyo3(signature = (z, truncate_mode, p, color_threshold, above_threshold_color, palette, labels, count_sort, distance_sort, show_leaf_counts, show_contracted, orientation))]
#[allow(clippy::too_many_arguments)]
fn dendrogram_layout<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    truncate_mode: &str,
    p: usize,
    color_threshold: Option<f64>,
    above_threshold_color: String,
    palette: Vec<String>,
    labels: Option<Vec<String>>,
    count_sort: &str,
    distance_sort: &str,
    show_leaf_counts: bool,
    show_contracted: bool,
    orientation: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = DendrogramOptions {
        truncate_mode: TruncateMode::from_name(truncate_mode, p).map_err(py_err)?,
        color_threshold,
        above_threshold_color,
        palette,
        labels,
        count_sort: leaf_sort(count_sort)?,
        distance_sort: leaf_sort(distance_sort)?,
        show_leaf_counts,
        show_contracted,
        orientation: orientation.parse::<Orientation>().map_err(py_err)?,
    };
    let z = z.as_array();
    let d = py.detach(|| dendrogram(z, &opts)).map_err(py_err)?;
    let out = PyDict::new(py);
    let rows = |v: &[[f64; 4]]| v.iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    out.set_item("icoord", rows(&d.icoord))?;
    out.set_item("dcoord", rows(&d.dcoord))?;
    out.set_item("ivl", d.ivl)?;
    out.set_item("leaves", d.leaves)?;
    out.set_item("color_list", d.color_list)?;
    out.set_item("leaves_color_list", d.leaves_color_list)?;
    out.set_item("link_nodes", d.link_nodes)?;
    out.set_item(
        "contraction_marks",
        d.contraction_marks
            .iter()
            .map(|m| m.to_vec())
            .collect::<Vec<_>>(),
    )?;
    Ok(out)
}

/// A cluster summary per flat cluster: label, members, and with `x` the
/// centroid and medoid.
#[pyfunction]
#[pyo3(signature = (t, x=None))]
fn cluster_summaries<'py>(
    py: Python<'py>,
    t: Vec<usize>,
    x: Option<PyReadonlyArray2<'py, f64>>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let view = x.as_ref().map(|a| a.as_array());
    let summaries = py
        .detach(|| analysis::cluster_members(&t, view, None))
        .map_err(py_err)?;
    summaries
        .into_iter()
        .map(|s| {
            let d = PyDict::new(py);
            d.set_item("label", s.label)?;
            d.set_item("members", s.members)?;
            d.set_item("centroid", s.centroid)?;
            d.set_item("medoid", s.medoid)?;
            Ok(d)
        })
        .collect()
}

/// Cut suggestions for Z: (method, threshold, k, description) for the
/// elbow of the merge heights, the largest gap, and the most
/// inconsistent link.
#[pyfunction]
fn suggest_cuts(
    py: Python<'_>,
    z: PyReadonlyArray2<'_, f64>,
) -> PyResult<Vec<(String, f64, usize, String)>> {
    let z = z.as_array();
    let list = py
        .detach(|| -> hclust::Result<Vec<analysis::suggest::Suggestion>> {
            let mut out = Vec::new();
            if let Some(s) = analysis::suggest::elbow(z, 10)? {
                out.push(s);
            }
            out.push(analysis::suggest::largest_gap(z)?);
            out.push(analysis::suggest::most_inconsistent(z, 2, 10)?);
            Ok(out)
        })
        .map_err(py_err)?;
    Ok(list
        .into_iter()
        .map(|s| {
            let d = s.describe_cut();
            (s.method.to_string(), s.threshold, s.k, d)
        })
        .collect())
}

/// Writes a dendrogram picture (SVG or PNG by extension) of Z.
#[pyfunction]
#[pyo3(signature = (z, path, labels=None, truncate_mode="none", p=30, color_threshold=None, max_d=None, title=None))]
#[allow(clippy::too_many_arguments)]
fn save_dendrogram(
    py: Python<'_>,
    z: PyReadonlyArray2<'_, f64>,
    path: std::path::PathBuf,
    labels: Option<Vec<String>>,
    truncate_mode: &str,
    p: usize,
    color_threshold: Option<f64>,
    max_d: Option<f64>,
    title: Option<String>,
) -> PyResult<()> {
    let opts = DendrogramOptions {
        truncate_mode: TruncateMode::from_name(truncate_mode, p).map_err(py_err)?,
        color_threshold,
        labels,
        ..DendrogramOptions::default()
    };
    let z = z.as_array();
    py.detach(|| -> hclust::Result<()> {
        let layout = dendrogram(z, &opts)?;
        let mut style = DendrogramStyle {
            max_d,
            ..DendrogramStyle::default()
        };
        if let Some(title) = title {
            style.title = title;
        }
        hclust::render::write_picture(&path, &dendrogram_svg(&layout, &style))
    })
    .map_err(py_err)
}

/// Builds the HTML report of observations `x` (the tutorial in one call:
/// linkage, cophenetic correlation, cut suggestions, the cut, pictures)
/// and writes its files into `out_dir`; returns its key figures.
#[pyfunction]
#[pyo3(signature = (x, out_dir, method, metric_name, max_d=None, k=None, title=None, labels=None, backend="cpu", prec="f64", algorithm="auto", cophenet_sample=None))]
#[allow(clippy::too_many_arguments)]
fn report<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    out_dir: std::path::PathBuf,
    method: &str,
    metric_name: &str,
    max_d: Option<f64>,
    k: Option<usize>,
    title: Option<String>,
    labels: Option<Vec<String>>,
    backend: &str,
    prec: &str,
    algorithm: &str,
    cophenet_sample: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let token = Cancel::new();
    let mut opts = ReportOptions {
        method: method.parse::<Method>().map_err(py_err)?,
        metric: Metric::from_name(metric_name).map_err(py_err)?,
        max_d,
        k,
        row_labels: labels,
        backend: backend_choice(backend)?,
        precision: precision(prec)?,
        algorithm: algorithm.parse().map_err(py_err)?,
        cophenet_sample,
        cancel: Some(token.clone()),
        ..ReportOptions::default()
    };
    if let Some(title) = title {
        opts.title = title;
    }
    let view = x.as_array();
    let r = interruptible(py, &token, || {
        let r = build_report(view, &opts, &|_| {})?;
        write_report(&out_dir, &r)?;
        Ok(r)
    })?;
    let d = PyDict::new(py);
    let files: Vec<std::path::PathBuf> =
        r.files.iter().map(|(name, _)| out_dir.join(name)).collect();
    d.set_item("files", files)?;
    d.set_item("html", out_dir.join("report.html"))?;
    d.set_item("cophenetic", r.cophenetic)?;
    d.set_item("cophenetic_text", r.cophenetic_text(4))?;
    let (how, value): (&str, f64) = match r.cut {
        CutChoice::MaxD(h) => ("max_d", h),
        CutChoice::K(k) => ("k", k as f64),
        CutChoice::Suggested(k) => ("suggested", k as f64),
    };
    d.set_item("cut", (how, value))?;
    d.set_item("clusters", labels_i32(r.clusters.clone()).into_pyarray(py))?;
    d.set_item("linkage", report_dict_of(py, &r.linkage)?)?;
    d.set_item("Z", r.z.clone().into_pyarray(py))?;
    Ok(d)
}

/// The native module.
#[pymodule]
fn _hclust(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(linkage_observations, m)?)?;
    m.add_function(wrap_pyfunction!(linkage_condensed, m)?)?;
    m.add_function(wrap_pyfunction!(pdist, m)?)?;
    m.add_function(wrap_pyfunction!(fcluster, m)?)?;
    m.add_function(wrap_pyfunction!(cophenet, m)?)?;
    m.add_function(wrap_pyfunction!(inconsistent, m)?)?;
    m.add_function(wrap_pyfunction!(maxdists, m)?)?;
    m.add_function(wrap_pyfunction!(maxinconsts, m)?)?;
    m.add_function(wrap_pyfunction!(max_rstat, m)?)?;
    m.add_function(wrap_pyfunction!(leaders, m)?)?;
    m.add_function(wrap_pyfunction!(cut_tree, m)?)?;
    m.add_function(wrap_pyfunction!(leaves_list, m)?)?;
    m.add_function(wrap_pyfunction!(optimal_leaf_ordering, m)?)?;
    m.add_function(wrap_pyfunction!(node_members, m)?)?;
    m.add_function(wrap_pyfunction!(dendrogram_layout, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_summaries, m)?)?;
    m.add_function(wrap_pyfunction!(suggest_cuts, m)?)?;
    m.add_function(wrap_pyfunction!(save_dendrogram, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    Ok(())
}
