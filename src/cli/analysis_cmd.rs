//! The commands that read Z and analyse it: cophenet, inconsistent,
//! dendrogram, suggest, leaves, cut-tree, members (fcluster has its own
//! file).

use std::path::PathBuf;

use clap::Args;

use crate::analysis::{self, Cut};
use crate::dendrogram::layout::{
    dendrogram, DendrogramOptions, LeafSort, Orientation, TruncateMode,
};
use crate::distance::{pdist, Metric};
use crate::error::{Error, Result};
use crate::io::{self, OutputKind, OutputPlan};

use super::emit;
use super::values::{self, with_flag_names};

pub(super) fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("serialisable") + "\n"
}

/// Arguments of `hclust cophenet`.
#[derive(Debug, Args)]
pub struct CophenetArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// The observations Z was built from.
    #[arg(long, value_name = "INPUT")]
    pub data: PathBuf,
    /// The metric Z was built with.
    #[arg(long, default_value = "euclidean")]
    pub metric: String,
    /// Write the cophenetic distances (condensed, one per line, or .npy).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Estimate the correlation from this many sampled pairs (with its
    /// standard error, on stderr) instead of from every pair; the default
    /// samples 2,000,000 pairs only where n(n-1)/2 exceeds 10^9.
    #[arg(long, value_name = "PAIRS", allow_negative_numbers = true, value_parser = values::pairs)]
    pub sample: Option<usize>,
}

/// Runs `hclust cophenet`.
///
/// # Errors
/// Bad files or arguments.
pub fn cophenet(args: CophenetArgs) -> Result<()> {
    OutputPlan::new()
        .input("Z", Some(&args.z))
        .input("--data", Some(&args.data))
        .output("-o", args.output.as_deref(), OutputKind::Matrix)
        .check()?;
    let z = io::read_linkage(&args.z)?;
    let x = io::read_matrix(&args.data)?;
    let metric = Metric::from_name(&args.metric)?;
    let n = x.nrows();
    // The matrix where it is small (scipy's arithmetic, and the distances
    // for -o); without it, every pair streamed, or a sample.
    let matrix_ok = args.sample.is_none()
        && (args.output.is_some()
            || (n <= 20_000
                && crate::memory::check_condensed_fits(n, crate::Precision::F64).is_ok()));
    if !matrix_ok {
        let c = match args.sample {
            Some(pairs) => {
                analysis::cophenet_correlation_sampled(z.view(), x.view(), &metric, pairs, 0)
            }
            None => analysis::cophenet_correlation_auto(z.view(), x.view(), &metric),
        }
        .map_err(|e| with_flag_names(e, &[("pairs", "--sample"), ("data", "--data")]))?;
        println!("{}", c.r);
        if let Some(se) = c.std_error {
            eprintln!(
                "note: an estimate from {} sampled pairs, standard error {se:.1e}",
                c.pairs
            );
        }
        return Ok(());
    }
    if args.output.is_some() {
        crate::memory::check_condensed_fits(n, crate::Precision::F64).map_err(|e| {
            Error::invalid_argument(
                "-o",
                format!("the cophenetic distances are n(n-1)/2 values: {e}; drop -o for the correlation alone"),
            )
        })?;
    }
    let y = pdist(x.view(), &metric)?;
    let (c, d) = analysis::cophenet_correlation(z.view(), &y)?;
    println!("{c}");
    if let Some(path) = &args.output {
        let col =
            ndarray::Array2::from_shape_vec((d.as_slice().len(), 1), d.into_vec()).expect("column");
        io::write_with(path, |tmp| io::write_matrix(tmp, &col))?;
    }
    Ok(())
}

/// Arguments of `hclust inconsistent`.
#[derive(Debug, Args)]
pub struct InconsistentArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// Levels below each link.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true, value_parser = values::levels)]
    pub depth: usize,
    /// Output (.csv or .npy); CSV on stdout when omitted.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Runs `hclust inconsistent`.
///
/// # Errors
/// Bad files or arguments.
pub fn inconsistent(args: InconsistentArgs) -> Result<()> {
    OutputPlan::new()
        .input("Z", Some(&args.z))
        .output("-o", args.output.as_deref(), OutputKind::Matrix)
        .check()?;
    let z = io::read_linkage(&args.z)?;
    let r = analysis::inconsistent(z.view(), args.depth)?;
    match &args.output {
        Some(p) => io::write_with(p, |tmp| io::write_matrix(tmp, &r)),
        None => emit(None, &io::matrix_csv(&r)),
    }
}

/// Arguments of `hclust dendrogram`.
#[derive(Debug, Args)]
pub struct DendrogramArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// Compute the layout only, no picture (needs --json).
    #[arg(long)]
    pub no_plot: bool,
    /// Where to write the layout (.json), with scipy's keys.
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// The picture: .svg or .png.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Draw a dashed cut-off line at this height.
    #[arg(long, allow_negative_numbers = true)]
    pub max_d: Option<f64>,
    /// Write the merge height at each link above this height.
    #[arg(long, allow_negative_numbers = true)]
    pub annotate_above: Option<f64>,
    /// The picture's title.
    #[arg(long, default_value = "Hierarchical Clustering Dendrogram")]
    pub title: String,
    /// lastp or level.
    #[arg(long)]
    pub truncate_mode: Option<String>,
    /// The p of the truncation.
    #[arg(short, default_value_t = 30, allow_negative_numbers = true, value_parser = values::truncation_p)]
    pub p: usize,
    /// Links below this height get palette colours (default 0.7 x the top height).
    #[arg(long, allow_negative_numbers = true)]
    pub color_threshold: Option<f64>,
    /// The colour of links at or above the threshold.
    #[arg(long, default_value = "C0")]
    pub above_threshold_color: String,
    /// One label per observation (a line each).
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// ascending or descending: the child with fewer (more) leaves goes left.
    #[arg(long)]
    pub count_sort: Option<String>,
    /// ascending or descending: the child with the lower (higher) height goes left.
    #[arg(long)]
    pub distance_sort: Option<String>,
    /// Label contracted leaves with "" instead of "(count)".
    #[arg(long)]
    pub no_leaf_counts: bool,
    /// Give the coordinates of the contraction marks.
    #[arg(long)]
    pub show_contracted: bool,
    /// top, bottom, left or right.
    #[arg(long, default_value = "top")]
    pub orientation: String,
}

/// Runs `hclust dendrogram`.
///
/// # Errors
/// Bad files or arguments.
pub fn dendrogram_cmd(args: DendrogramArgs) -> Result<()> {
    if args.no_plot && args.json.is_none() {
        return Err(Error::invalid_argument(
            "--no-plot",
            "needs --json OUT to write the layout to",
        ));
    }
    if args.no_plot && args.output.is_some() {
        return Err(Error::invalid_argument(
            "--no-plot",
            "draws no picture, so -o has nothing to write; drop -o, or drop --no-plot",
        ));
    }
    if !args.no_plot && args.output.is_none() {
        return Err(Error::invalid_argument(
            "--output",
            "give -o OUT.svg or OUT.png for the picture, or --no-plot --json OUT for the layout",
        ));
    }
    OutputPlan::new()
        .input("Z", Some(&args.z))
        .input("--labels", args.labels.as_deref())
        .output("--json", args.json.as_deref(), OutputKind::Json)
        .output("-o", args.output.as_deref(), OutputKind::Picture)
        .check()?;
    let flags = |e| {
        with_flag_names(
            e,
            &[
                ("labels", "--labels"),
                ("truncate_mode", "--truncate-mode"),
                ("count_sort/distance_sort", "--count-sort/--distance-sort"),
                ("orientation", "--orientation"),
                ("palette", "--above-threshold-color"),
            ],
        )
    };
    let z = io::read_linkage(&args.z)?;
    let n = z.nrows() + 1;
    let mut note = None;
    let truncate_mode = match args.truncate_mode.as_deref() {
        None if !args.no_plot => match crate::render::auto_truncate(n) {
            Some(p) => {
                let text = crate::render::truncation_note(p, n);
                eprintln!("note: {text}; pass --truncate-mode none to draw every leaf");
                note = Some(text);
                TruncateMode::LastP(p)
            }
            None => TruncateMode::None,
        },
        None | Some("none") => TruncateMode::None,
        Some(name) => TruncateMode::from_name(name, args.p).map_err(flags)?,
    };
    let sort = |v: &Option<String>| -> Result<LeafSort> {
        v.as_deref().map_or(Ok(LeafSort::None), str::parse)
    };
    let opts = DendrogramOptions {
        truncate_mode,
        color_threshold: args.color_threshold,
        above_threshold_color: args.above_threshold_color.clone(),
        labels: args.labels.as_deref().map(io::read_labels).transpose()?,
        count_sort: sort(&args.count_sort).map_err(flags)?,
        distance_sort: sort(&args.distance_sort).map_err(flags)?,
        show_leaf_counts: !args.no_leaf_counts,
        show_contracted: args.show_contracted,
        orientation: args.orientation.parse::<Orientation>().map_err(flags)?,
        ..DendrogramOptions::default()
    };
    let layout = dendrogram(z.view(), &opts).map_err(flags)?;
    // The picture first: rendering it is what can fail after the checks.
    if let Some(path) = args.output.as_deref() {
        let style = crate::render::DendrogramStyle {
            title: args.title.clone(),
            max_d: args.max_d,
            annotate_above: args.annotate_above,
            note,
            ..crate::render::DendrogramStyle::default()
        };
        let svg = crate::render::dendrogram_svg(&layout, &style);
        io::write_with(path, |tmp| crate::render::write_picture(tmp, &svg))?;
    }
    if let Some(path) = &args.json {
        emit(Some(path), &json_text(&layout))?;
    }
    Ok(())
}

/// Arguments of `hclust suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// How many of the last merges the elbow and inconsistency look at.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true, value_parser = values::merges)]
    pub window: usize,
    /// Levels below each link for the inconsistency.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true, value_parser = values::levels)]
    pub depth: usize,
    /// Print JSON for scripts instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `hclust suggest`.
///
/// # Errors
/// Bad files or arguments.
pub fn suggest(args: SuggestArgs) -> Result<()> {
    use crate::analysis::suggest::{elbow, largest_gap, most_inconsistent};
    let z = io::read_linkage(&args.z)?;
    let mut all = Vec::new();
    all.extend(elbow(z.view(), args.window)?);
    all.push(most_inconsistent(z.view(), args.depth, args.window)?);
    all.push(largest_gap(z.view())?);
    if args.json {
        return emit(None, &json_text(&all));
    }
    let mut text = String::new();
    for s in &all {
        text.push_str(&format!(
            "{}: {} cluster{} ({})\n",
            s.method,
            s.k,
            if s.k == 1 { "" } else { "s" },
            s.describe_cut()
        ));
        for (what, v) in &s.evidence {
            text.push_str(&format!("    {what}: {v:.6}\n"));
        }
        text.push_str(&format!("  caveat: {}\n\n", s.caveat));
    }
    text.push_str("Look at the dendrogram before trusting any of these.\n");
    emit(None, &text)
}

/// Arguments of `hclust leaves`.
#[derive(Debug, Args)]
pub struct LeavesArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
}

/// Runs `hclust leaves`: the leaf order, one per line.
///
/// # Errors
/// Bad files.
pub fn leaves(args: LeavesArgs) -> Result<()> {
    let z = io::read_linkage(&args.z)?;
    let text: String = analysis::leaves_list(z.view())?
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    emit(None, &text)
}

/// Arguments of `hclust cut-tree`.
#[derive(Debug, Args)]
pub struct CutTreeArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// Numbers of clusters, one column each.
    #[arg(long, num_args = 1.., conflicts_with = "height", allow_negative_numbers = true, value_parser = values::clusters)]
    pub n_clusters: Vec<usize>,
    /// Heights, one column each (below every merge: each observation alone).
    #[arg(long, num_args = 1.., allow_negative_numbers = true)]
    pub height: Vec<f64>,
}

/// Runs `hclust cut-tree`: one row per observation, one column per cut.
///
/// # Errors
/// Bad files or arguments.
pub fn cut_tree(args: CutTreeArgs) -> Result<()> {
    let z = io::read_linkage(&args.z)?;
    let cut = if !args.n_clusters.is_empty() {
        Cut::NClusters(args.n_clusters)
    } else if !args.height.is_empty() {
        Cut::Heights(args.height)
    } else {
        Cut::All
    };
    let groups = analysis::cut_tree(z.view(), &cut).map_err(|e| {
        with_flag_names(e, &[("n_clusters", "--n-clusters"), ("height", "--height")])
    })?;
    let mut text = String::new();
    for row in groups.rows() {
        let cells: Vec<String> = row.iter().map(|g| g.to_string()).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    emit(None, &text)
}

/// Arguments of `hclust members`.
#[derive(Debug, Args)]
pub struct MembersArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// A node id: an observation (below n) or the cluster of row id - n, as
    /// the dendrogram's `leaves` names a truncated leaf.
    #[arg(allow_negative_numbers = true, value_parser = values::node)]
    pub node: usize,
    /// One label per observation, printed instead of indices.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
}

/// Runs `hclust members`: the observations under a node, one per line.
///
/// # Errors
/// Bad files or a node that does not exist.
pub fn members(args: MembersArgs) -> Result<()> {
    let z = io::read_linkage(&args.z)?;
    let m = analysis::node_members(z.view(), args.node)?;
    let labels = args.labels.as_deref().map(io::read_labels).transpose()?;
    if let Some(l) = &labels {
        if l.len() != z.nrows() + 1 {
            return Err(Error::invalid_argument(
                "--labels",
                format!(
                    "has {} labels but Z has {} observations",
                    l.len(),
                    z.nrows() + 1
                ),
            ));
        }
    }
    let text: String = m
        .iter()
        .map(|&i| match &labels {
            Some(l) => format!("{}\n", l[i]),
            None => format!("{i}\n"),
        })
        .collect();
    emit(None, &text)
}
