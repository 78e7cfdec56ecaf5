//! The numbers the commands take, through clap and hclust's own value
//! parsers (`hclust::cli::Cli::try_parse_from`): any bytes as the value of
//! any numeric flag give a parsed command or a clap error, never a panic.
//!
//! Input: the first byte picks the flag, the second how the value is
//! attached (`--flag VALUE` or `--flag=VALUE`), the rest are the values,
//! split at NUL bytes (flags such as `--height` take several).
#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use clap::Parser;
use hclust::cli::Cli;
use libfuzzer_sys::fuzz_target;

/// A command line up to the numeric flag (an empty flag: a positional).
const TEMPLATES: &[(&[&str], &str)] = &[
    (&["linkage", "x.csv"], "--p"),
    (&["fcluster", "z.csv"], "-t"),
    (&["fcluster", "z.csv", "-t", "1"], "--depth"),
    (&["inconsistent", "z.csv"], "--depth"),
    (&["dendrogram", "z.csv"], "--max-d"),
    (&["dendrogram", "z.csv"], "--annotate-above"),
    (&["dendrogram", "z.csv"], "-p"),
    (&["dendrogram", "z.csv"], "--color-threshold"),
    (&["suggest", "z.csv"], "--window"),
    (&["suggest", "z.csv"], "--depth"),
    (&["cut-tree", "z.csv"], "--n-clusters"),
    (&["cut-tree", "z.csv"], "--height"),
    (&["members", "z.csv"], ""),
    (&["report", "x.csv"], "--max-d"),
    (&["report", "x.csv"], "-k"),
    (&["bench"], "--n"),
    (&["bench"], "-d"),
];

fuzz_target!(|data: &[u8]| {
    let [pick, form, rest @ ..] = data else {
        return;
    };
    let (prefix, flag) = TEMPLATES[*pick as usize % TEMPLATES.len()];
    let mut args: Vec<OsString> = std::iter::once("hclust")
        .chain(prefix.iter().copied())
        .map(OsString::from)
        .collect();
    let values = rest
        .split(|&b| b == 0)
        .map(|v| OsString::from_vec(v.to_vec()));
    if flag.is_empty() {
        args.extend(values);
    } else if form % 2 == 0 {
        args.push(flag.into());
        args.extend(values);
    } else {
        for v in values {
            let mut arg = OsString::from(format!("{flag}="));
            arg.push(v);
            args.push(arg);
        }
    }
    if let Err(e) = Cli::try_parse_from(args) {
        // Rendering the message must not panic either.
        let _ = e.render().to_string();
    }
});
