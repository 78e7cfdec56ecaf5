//! The command-line interface: clap commands that call the library.

mod analysis_cmd;
mod bench_cmd;
mod fcluster_cmd;
mod info_cmd;
mod linkage_cmd;
mod progress;
mod report_cmd;
mod values;

use std::io::Write;
use std::path::Path;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};

/// Hierarchical agglomerative clustering with scipy-identical results.
#[derive(Debug, Parser)]
#[command(name = "hclust", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cluster observations (or a condensed distance matrix) and write Z.
    Linkage(linkage_cmd::LinkageArgs),
    /// Flat clusters from Z (scipy's fcluster).
    Fcluster(fcluster_cmd::FclusterArgs),
    /// The cophenetic correlation of Z with the data's distances.
    Cophenet(analysis_cmd::CophenetArgs),
    /// The inconsistency statistics of each link.
    Inconsistent(analysis_cmd::InconsistentArgs),
    /// The dendrogram layout (scipy's dendrogram(Z, no_plot=True)).
    Dendrogram(analysis_cmd::DendrogramArgs),
    /// Suggested numbers of clusters, with their evidence and caveats.
    Suggest(analysis_cmd::SuggestArgs),
    /// The leaves in dendrogram order.
    Leaves(analysis_cmd::LeavesArgs),
    /// Cluster ids at several cuts at once (scipy's cut_tree).
    CutTree(analysis_cmd::CutTreeArgs),
    /// The observations under a node of Z.
    Members(analysis_cmd::MembersArgs),
    /// The tutorial's whole workflow on your data: an HTML report and its files.
    Report(report_cmd::ReportArgs),
    /// The report on the tutorial's own sample data (needs no input).
    Demo(report_cmd::DemoArgs),
    /// The CPU threads and GPU adapters hclust can use.
    Info,
    /// Time the CPU and the GPU on this machine (seeded blobs), as a table.
    Bench(bench_cmd::BenchArgs),
}

/// Parses the arguments, runs the command, prints any error with its chain,
/// and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            1
        }
    }
}

/// Runs a parsed command.
///
/// # Errors
/// Whatever the command reports.
pub fn run(cli: Cli) -> crate::Result<()> {
    match cli.command {
        Command::Linkage(args) => linkage_cmd::run(args),
        Command::Fcluster(args) => fcluster_cmd::fcluster(args),
        Command::Cophenet(args) => analysis_cmd::cophenet(args),
        Command::Inconsistent(args) => analysis_cmd::inconsistent(args),
        Command::Dendrogram(args) => analysis_cmd::dendrogram_cmd(args),
        Command::Suggest(args) => analysis_cmd::suggest(args),
        Command::Leaves(args) => analysis_cmd::leaves(args),
        Command::CutTree(args) => analysis_cmd::cut_tree(args),
        Command::Members(args) => analysis_cmd::members(args),
        Command::Report(args) => report_cmd::report(args),
        Command::Demo(args) => report_cmd::demo(args),
        Command::Info => info_cmd::info(),
        Command::Bench(args) => bench_cmd::bench(args),
    }
}

/// Writes text to a file (through a temporary file renamed into place), or
/// to stdout when no file is given.
///
/// # Errors
/// [`crate::Error::Io`] naming the file (or `<stdout>`).
pub(crate) fn emit(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(p) => crate::io::write_bytes(p, text.as_bytes()),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|source| Error::Io {
                path: "<stdout>".into(),
                source,
            }),
    }
}
