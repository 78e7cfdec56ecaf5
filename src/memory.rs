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
///
/// A virtual machine whose host has taken free memory back must have each
/// fresh huge page backed again, which can cost far more than the TLB
/// saves (on this project's VM up to 30 ms a huge page, against under 1 ms
/// for 2 MiB of small pages), and a buffer's first pages may be backed
/// while later ones are not. So the huge pages are touched first, each
/// timed, in one run of pages per thread (in parallel, as pdist would touch
/// them), and once half of the last eight of a run were slower than
/// [`SLOW_HUGE_PAGE`], the untouched rest of every run is asked for small
/// pages (a few slow pages among backed ones do not switch). The contents
/// never change.
pub(crate) fn advise_huge_pages<T>(buffer: &mut [T]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let bytes = std::mem::size_of_val(buffer);
        if bytes < 4 << 20 {
            return;
        }
        let base = buffer.as_mut_ptr().cast::<u8>();
        let start = base as usize;
        let aligned = start.next_multiple_of(PAGE);
        let len = (start + bytes - aligned) / PAGE * PAGE;
        // SAFETY: the range lies inside `buffer`'s allocation; MADV_HUGEPAGE
        // changes how its pages are backed, never their contents.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
        // The whole huge pages, one run of them per thread, touched in
        // parallel as pdist would touch them.
        let head = start.next_multiple_of(HUGE_PAGE) - start;
        let pages = bytes.saturating_sub(head) / HUGE_PAGE;
        if pages == 0 {
            return;
        }
        // SAFETY: [head, head + pages * HUGE_PAGE) lies inside `buffer`,
        // which is borrowed exclusively and not used while `region` lives;
        // any byte is a valid u8, and the bytes are only written back
        // unchanged.
        let region = unsafe { std::slice::from_raw_parts_mut(base.add(head), pages * HUGE_PAGE) };
        let slow = std::sync::atomic::AtomicBool::new(false);
        let per_run = pages.div_ceil(rayon::current_num_threads()) * HUGE_PAGE;
        use rayon::prelude::*;
        region
            .par_chunks_mut(per_run)
            .for_each(|run| touch_huge_pages(run, &slow));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buffer;
}

/// The size of a transparent huge page on x86-64 and most arm64 kernels.
#[cfg(target_os = "linux")]
const HUGE_PAGE: usize = 2 << 20;

/// A first touch of one huge page slower than this means that the machine
/// backs fresh huge pages slowly: a backed one takes about 0.2 ms to clear,
/// one that the host must back again 5 to 30 ms on this project's VM, and
/// 2 MiB of small pages there under 1 ms.
#[cfg(target_os = "linux")]
const SLOW_HUGE_PAGE: std::time::Duration = std::time::Duration::from_millis(1);

/// Whether a huge page's first touch took long enough that small pages are
/// the quicker choice for the rest of a buffer (see [`SLOW_HUGE_PAGE`]).
#[cfg(target_os = "linux")]
fn backs_huge_pages_slowly(first_touch: std::time::Duration) -> bool {
    first_touch > SLOW_HUGE_PAGE
}

/// Touches the huge pages of `run` (whole 2 MiB pages) in order, each
/// timed; once half of the last eight were slow (or another run found its
/// pages slow, `slow`), asks for small pages for the rest of the run.
#[cfg(target_os = "linux")]
fn touch_huge_pages(run: &mut [u8], slow: &std::sync::atomic::AtomicBool) {
    use std::sync::atomic::Ordering::Relaxed;
    let pages = run.len() / HUGE_PAGE;
    // the last eight pages, one bit each: slow or not
    let mut recent = 0u8;
    let mut k = 0;
    while k < pages && !slow.load(Relaxed) {
        let took = first_touch(&mut run[k * HUGE_PAGE]);
        k += 1;
        recent = (recent << 1) | u8::from(backs_huge_pages_slowly(took));
        if recent.count_ones() >= 4 {
            slow.store(true, Relaxed);
        }
    }
    if k < pages {
        let rest = &mut run[k * HUGE_PAGE..pages * HUGE_PAGE];
        // SAFETY: the range is `rest`, whole huge pages (so page-aligned);
        // MADV_NOHUGEPAGE changes how its pages are backed, never their
        // contents.
        unsafe {
            libc::madvise(
                rest.as_mut_ptr().cast::<libc::c_void>(),
                rest.len(),
                libc::MADV_NOHUGEPAGE,
            );
        }
    }
}

/// How long reading `byte` and writing it back unchanged took: on a page
/// not yet touched, the kernel's fault that backs it (volatile, so that
/// neither access is left out).
#[cfg(target_os = "linux")]
fn first_touch(byte: &mut u8) -> std::time::Duration {
    let p: *mut u8 = byte;
    let t = std::time::Instant::now();
    // SAFETY: `p` comes from an exclusive reference, valid for both.
    unsafe {
        let v = std::ptr::read_volatile(p);
        std::ptr::write_volatile(p, v);
    }
    t.elapsed()
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
    #[cfg(target_os = "linux")]
    fn slow_huge_pages_are_told_from_backed_ones() {
        use std::time::Duration;
        assert!(!backs_huge_pages_slowly(Duration::from_micros(200)));
        assert!(backs_huge_pages_slowly(Duration::from_millis(5)));
    }

    #[test]
    fn huge_page_advice_leaves_the_contents_alone() {
        // 3 << 20 entries: the advised 16 MiB hold whole huge pages, which
        // are touched first
        for len in [0, 10, 3 << 20] {
            let mut v: Vec<f64> = (0..len).map(|i| i as f64).collect();
            advise_huge_pages(&mut v[len / 3..]);
            assert!(v.iter().enumerate().all(|(i, &x)| x == i as f64));
        }
    }
}
