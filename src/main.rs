//! The `hclust` command-line tool; everything lives in `hclust::cli`.

fn main() {
    std::process::exit(hclust::cli::main());
}
