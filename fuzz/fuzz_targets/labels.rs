//! `hclust::io::read_labels_bytes`: an error or labels without surrounding
//! spaces and without a trailing empty one.
#![no_main]

use std::path::Path;

use hclust::io::read_labels_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match read_labels_bytes(data, Path::new(hclust_fuzz::NAME)) {
        Ok(labels) => {
            assert!(labels.iter().all(|l| l.trim() == l));
            assert!(labels.last().is_none_or(|l| !l.is_empty()));
        }
        Err(e) => hclust_fuzz::printable(&e),
    }
});
