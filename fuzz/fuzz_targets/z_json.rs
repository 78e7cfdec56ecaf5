//! `hclust::io::read_linkage_bytes` on .json bytes: an error or a valid value.
#![no_main]

use std::path::Path;

use hclust::io::{read_linkage_bytes, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hclust_fuzz::linkage(read_linkage_bytes(
        data,
        Format::Json,
        Path::new(hclust_fuzz::NAME),
    ));
});
