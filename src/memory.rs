//! Checking that a large allocation fits before making it, so that a
//! problem too big for the machine fails at once with a message instead of
//! an out-of-memory kill.

use crate::error::{Error, Result};
use crate::precision::Precision;

/// The environment variable that caps the memory hclust assumes it has, in
/// bytes (for tests, and for users who share a machine).
pub const MEMORY_LIMIT_ENV: &str = "HCLUST_MEMORY_LIMIT";

/// The bytes of memory available: the limit in `HCLUST_MEMORY_LIMIT` when
/// set, else Linux's MemAvailable; None when neither is known.
pub fn available_bytes() -> Option<u64> {
    if let Some(v) = std::env::var(MEMORY_LIMIT_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        return Some(v);
    }
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines()
        .find(|l| l.starts_with("MemAvailable:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Bytes as a person reads them (1.5 GB, 300 MB).
pub fn human_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.0} kB", b / 1e3)
    }
}

/// The bytes of a condensed distance matrix of `n` observations.
pub fn condensed_bytes(n: usize, precision: Precision) -> u64 {
    (n as u64) * (n.saturating_sub(1) as u64) / 2 * precision.bytes() as u64
}

/// Checks that a condensed distance matrix of `n` observations stored in
/// `precision` fits in the available memory.
///
/// # Errors
/// [`Error::NotEnoughMemory`] with the bytes needed and available and the
/// ways out.
pub fn check_condensed_fits(n: usize, precision: Precision) -> Result<()> {
    let needed = condensed_bytes(n, precision);
    match available_bytes() {
        Some(available) if needed > available => Err(Error::NotEnoughMemory {
            what: format!("the condensed distance matrix (n(n-1)/2 {precision} values)"),
            n,
            needed: human_bytes(needed),
            available: human_bytes(available),
            precision,
        }),
        _ => Ok(()),
    }
}

/// Asks Linux to back `buffer` with 2 MiB pages (transparent huge pages,
/// `madvise(MADV_HUGEPAGE)`), before its pages are first touched: the
/// merge loops read the condensed matrix down its columns, one entry per
/// row, each in another 4 KiB page, so with small pages nearly every read
/// of a column misses the TLB. Only a hint: where the kernel has no huge
/// pages to give (or on other systems) nothing changes.
pub(crate) fn advise_huge_pages<T>(buffer: &mut [T]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let bytes = std::mem::size_of_val(buffer);
        if bytes < 4 << 20 {
            return;
        }
        let start = buffer.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(PAGE);
        let len = (start + bytes - aligned) / PAGE * PAGE;
        // SAFETY: the range lies inside `buffer`'s allocation; MADV_HUGEPAGE
        // changes how its pages are backed, never their contents.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buffer;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_readable_sizes() {
        assert_eq!(human_bytes(159_999_200_000), "160.0 GB");
        assert_eq!(human_bytes(1_600_000), "1.6 MB");
    }

    #[test]
    fn huge_page_advice_leaves_the_contents_alone() {
        for len in [0, 10, 3 << 20] {
            let mut v: Vec<f64> = (0..len).map(|i| i as f64).collect();
            advise_huge_pages(&mut v[len / 3..]);
            assert!(v.iter().enumerate().all(|(i, &x)| x == i as f64));
        }
    }
}
