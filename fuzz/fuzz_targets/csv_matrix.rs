//! `hclust::io::read_matrix_bytes` on .csv bytes: an error or a valid value.
#![no_main]

use std::path::Path;

use hclust::io::{read_matrix_bytes, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hclust_fuzz::matrix(read_matrix_bytes(
        data,
        Format::Csv,
        Path::new(hclust_fuzz::NAME),
    ));
});
