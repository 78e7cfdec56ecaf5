//! The commands that read Z and analyse it: fcluster, cophenet,
//! inconsistent, dendrogram, suggest, leaves, cut-tree, members.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::analysis::{self, Criterion, Cut};
use crate::dendrogram::layout::{
    dendrogram, DendrogramOptions, LeafSort, Orientation, TruncateMode,
};
use crate::distance::{pdist, Metric};
use crate::error::{Error, Result};
use crate::io;

use super::emit;

fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("serialisable") + "\n"
}

fn is_json(path: Option<&Path>) -> bool {
    path.and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Arguments of `hclust fcluster`.
#[derive(Debug, Args)]
pub struct FclusterArgs {
    /// Z as written by `hclust linkage` (.csv, .npy or .json).
    pub z: PathBuf,
    /// inconsistent (default), distance, maxclust, monocrit, maxclust_monocrit.
    #[arg(long, default_value = "inconsistent")]
    pub criterion: String,
    /// The threshold (or the largest number of clusters for maxclust).
    #[arg(short, long)]
    pub t: f64,
    /// Levels below each link for the inconsistent criterion.
    #[arg(long, default_value_t = 2)]
    pub depth: usize,
    /// The values for the monocrit criteria: one per row of Z.
    #[arg(long, value_name = "FILE")]
    pub monocrit: Option<PathBuf>,
    /// Write each cluster's members (with --data, also centroid and medoid).
    #[arg(long)]
    pub members: bool,
    /// The observations, for centroids and medoids with --members.
    #[arg(long, value_name = "INPUT")]
    pub data: Option<PathBuf>,
    /// One label per observation (a line each), carried into --members.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Output: .csv (one label per line) or .json; stdout when omitted.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Runs `hclust fcluster`.
///
/// # Errors
/// Bad files or arguments.
pub fn fcluster(args: FclusterArgs) -> Result<()> {
    let z = io::read_linkage(&args.z)?;
    let criterion = match args.criterion.as_str() {
        "monocrit" | "maxclust_monocrit" => {
            let path = args.monocrit.as_ref().ok_or_else(|| {
                Error::invalid_argument(
                    "--monocrit",
                    format!("criterion {} needs --monocrit FILE", args.criterion),
                )
            })?;
            let values = io::read_condensed(path)?;
            if args.criterion == "monocrit" {
                Criterion::Monocrit(values)
            } else {
                Criterion::MaxClustMonocrit(values)
            }
        }
        name => Criterion::from_name(name, args.depth)?,
    };
    let t = analysis::fcluster(z.view(), args.t, &criterion)?;
    let out = args.output.as_deref();
    if args.members {
        let x = args.data.as_deref().map(io::read_matrix).transpose()?;
        let labels = args.labels.as_deref().map(io::read_labels).transpose()?;
        let summary =
            analysis::cluster_members(&t, x.as_ref().map(|x| x.view()), labels.as_deref())?;
        return emit(out, &json_text(&summary));
    }
    if is_json(out) {
        return emit(out, &json_text(&serde_json::json!({ "labels": t })));
    }
    let text: String = t.iter().map(|l| format!("{l}\n")).collect();
    emit(out, &text)
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
}

/// Runs `hclust cophenet`.
///
/// # Errors
/// Bad files or arguments.
pub fn cophenet(args: CophenetArgs) -> Result<()> {
    let z = io::read_linkage(&args.z)?;
    let x = io::read_matrix(&args.data)?;
    let y = pdist(x.view(), &Metric::from_name(&args.metric)?)?;
    let (c, d) = analysis::cophenet_correlation(z.view(), &y)?;
    println!("{c}");
    if let Some(path) = &args.output {
        let col =
            ndarray::Array2::from_shape_vec((d.as_slice().len(), 1), d.into_vec()).expect("column");
        io::write_matrix(path, &col)?;
    }
    Ok(())
}

/// Arguments of `hclust inconsistent`.
#[derive(Debug, Args)]
pub struct InconsistentArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// Levels below each link.
    #[arg(long, default_value_t = 2)]
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
    let z = io::read_linkage(&args.z)?;
    let r = analysis::inconsistent(z.view(), args.depth)?;
    match &args.output {
        Some(p) => io::write_matrix(p, &r),
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
    /// Where to write the layout, with scipy's keys.
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// The picture: .svg or .png.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Draw a dashed cut-off line at this height.
    #[arg(long)]
    pub max_d: Option<f64>,
    /// Write the merge height at each link above this height.
    #[arg(long)]
    pub annotate_above: Option<f64>,
    /// The picture's title.
    #[arg(long, default_value = "Hierarchical Clustering Dendrogram")]
    pub title: String,
    /// lastp or level.
    #[arg(long)]
    pub truncate_mode: Option<String>,
    /// The p of the truncation.
    #[arg(short, default_value_t = 30)]
    pub p: usize,
    /// Links below this height get palette colours (default 0.7 x the top height).
    #[arg(long)]
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
    let z = io::read_linkage(&args.z)?;
    if args.no_plot && args.json.is_none() {
        return Err(Error::invalid_argument(
            "--no-plot",
            "needs --json OUT to write the layout to",
        ));
    }
    if !args.no_plot && args.output.is_none() {
        return Err(Error::invalid_argument(
            "--output",
            "give -o OUT.svg or OUT.png for the picture, or --no-plot --json OUT for the layout",
        ));
    }
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
        Some(name) => TruncateMode::from_name(name, args.p)?,
    };
    let sort = |v: &Option<String>| -> Result<LeafSort> {
        v.as_deref().map_or(Ok(LeafSort::None), str::parse)
    };
    let opts = DendrogramOptions {
        truncate_mode,
        color_threshold: args.color_threshold,
        above_threshold_color: args.above_threshold_color.clone(),
        labels: args.labels.as_deref().map(io::read_labels).transpose()?,
        count_sort: sort(&args.count_sort)?,
        distance_sort: sort(&args.distance_sort)?,
        show_leaf_counts: !args.no_leaf_counts,
        show_contracted: args.show_contracted,
        orientation: args.orientation.parse::<Orientation>()?,
        ..DendrogramOptions::default()
    };
    let layout = dendrogram(z.view(), &opts)?;
    if let Some(path) = &args.json {
        emit(Some(path), &json_text(&layout))?;
    }
    if let Some(path) = args.output.as_deref().filter(|_| !args.no_plot) {
        let style = crate::render::DendrogramStyle {
            title: args.title.clone(),
            max_d: args.max_d,
            annotate_above: args.annotate_above,
            note,
            ..crate::render::DendrogramStyle::default()
        };
        crate::render::write_picture(path, &crate::render::dendrogram_svg(&layout, &style))?;
    }
    Ok(())
}

/// Arguments of `hclust suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Z as written by `hclust linkage`.
    pub z: PathBuf,
    /// How many of the last merges the elbow and inconsistency look at.
    #[arg(long, default_value_t = 10)]
    pub window: usize,
    /// Levels below each link for the inconsistency.
    #[arg(long, default_value_t = 2)]
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
            "{}: {} clusters (cut at height {:.6})\n",
            s.method, s.k, s.threshold
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
    #[arg(long, num_args = 1.., conflicts_with = "height")]
    pub n_clusters: Vec<usize>,
    /// Heights, one column each.
    #[arg(long, num_args = 1..)]
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
    let groups = analysis::cut_tree(z.view(), &cut)?;
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
