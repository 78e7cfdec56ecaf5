//! `hclust fcluster`: flat clusters from Z.

use std::path::{Path, PathBuf};

use clap::Args;
use ndarray::ArrayView2;

use crate::analysis::{self, Criterion};
use crate::error::{Error, Result};
use crate::io::{self, OutputKind, OutputPlan};

use super::analysis_cmd::json_text;
use super::emit;
use super::values::{self, with_flag_names};

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
    /// The threshold (or the largest number of clusters for maxclust); as
    /// in scipy, a threshold below every value gives each observation its
    /// own cluster.
    #[arg(short, long, allow_negative_numbers = true)]
    pub t: f64,
    /// Levels below each link for the inconsistent criterion.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true, value_parser = values::levels)]
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
    /// Output: .csv (one label per line) or .json (with --members, .json);
    /// stdout when omitted.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// The library's names of fcluster's parameters, and the flags that set them.
const FCLUSTER_FLAGS: [(&str, &str); 5] = [
    ("t", "-t"),
    ("criterion", "--criterion"),
    ("monocrit", "--monocrit"),
    ("data", "--data"),
    ("labels", "--labels"),
];

/// scipy's fcluster at any threshold (the library's; a negative number
/// of clusters for maxclust gets the flag's own words).
fn fcluster_at(z: ArrayView2<f64>, t: f64, criterion: &Criterion) -> Result<Vec<usize>> {
    if t < 0.0
        && matches!(
            criterion,
            Criterion::MaxClust | Criterion::MaxClustMonocrit(_)
        )
    {
        return Err(Error::invalid_argument(
            "t",
            format!("{t}: maxclust's t is a number of clusters, so it cannot be negative"),
        ));
    }
    analysis::fcluster(z, t, criterion)
}

/// Runs `hclust fcluster`.
///
/// # Errors
/// Bad files or arguments.
pub fn fcluster(args: FclusterArgs) -> Result<()> {
    if !args.members {
        if args.labels.is_some() {
            return Err(Error::invalid_argument(
                "--labels",
                "only applies with --members, which names each cluster's members by \
                 these labels; add --members, or drop --labels",
            ));
        }
        if args.data.is_some() {
            return Err(Error::invalid_argument(
                "--data",
                "only applies with --members, which gives each cluster's centroid and \
                 medoid from these observations; add --members, or drop --data",
            ));
        }
    }
    let kind = if args.members {
        OutputKind::Json
    } else {
        OutputKind::Labels
    };
    OutputPlan::new()
        .input("Z", Some(&args.z))
        .input("--monocrit", args.monocrit.as_deref())
        .input("--data", args.data.as_deref())
        .input("--labels", args.labels.as_deref())
        .output("-o", args.output.as_deref(), kind)
        .check()?;
    let flags = |e| with_flag_names(e, &FCLUSTER_FLAGS);
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
        name => Criterion::from_name(name, args.depth).map_err(flags)?,
    };
    let t = fcluster_at(z.view(), args.t, &criterion).map_err(flags)?;
    let out = args.output.as_deref();
    if args.members {
        let x = args.data.as_deref().map(io::read_matrix).transpose()?;
        let labels = args.labels.as_deref().map(io::read_labels).transpose()?;
        let summary =
            analysis::cluster_members(&t, x.as_ref().map(|x| x.view()), labels.as_deref())
                .map_err(flags)?;
        return emit(out, &json_text(&summary));
    }
    if is_json(out) {
        return emit(out, &json_text(&serde_json::json!({ "labels": t })));
    }
    let text: String = t.iter().map(|l| format!("{l}\n")).collect();
    emit(out, &text)
}
