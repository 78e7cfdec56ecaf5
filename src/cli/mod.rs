//! The command-line interface: clap commands that call the library.

mod linkage_cmd;

use clap::{Parser, Subcommand};

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
    }
}
