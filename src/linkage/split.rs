//! The choice between one thread and all of them for the merge loops'
//! per-merge scans and updates, made by measuring both as the loop runs.
//!
//! A parallel scan of a thousand entries or more gains on a quiet machine
//! and can lose on a busy one, where the helper thread (see
//! [`super::team`]) shares a core with another process and comes late.
//! Neither a fixed threshold nor the core count knows which case holds, so [`AdaptiveSplit`] times both ways on the rows as they come
//! (every [`PROBE_EVERY`] calls it runs each way once) and takes the one
//! with the smaller time per entry. Both ways compute the same values in
//! the same order of ties, so the choice never changes Z.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

/// Rows shorter than this always run on one thread.
pub(crate) const PARALLEL_MIN: usize = 1024;

/// Each way is timed again once in this many calls.
const PROBE_EVERY: u32 = 32;

/// The measured cost of each way (nanoseconds per entry, as f64 bits; 0
/// while unknown). Shared by reference across threads, so atomics.
#[derive(Debug, Default)]
pub(crate) struct AdaptiveSplit {
    calls: AtomicU32,
    serial: AtomicU64,
    parallel: AtomicU64,
}

impl AdaptiveSplit {
    /// Runs `serial` or `parallel` (which must give the same result) for a
    /// row of `len` entries, and records how long it took per entry.
    pub fn run<R>(
        &self,
        len: usize,
        serial: impl FnOnce() -> R,
        parallel: impl FnOnce() -> R,
    ) -> R {
        if len < PARALLEL_MIN || rayon::current_num_threads() < 2 {
            return serial();
        }
        let k = self.calls.fetch_add(1, Ordering::Relaxed) % PROBE_EVERY;
        let s = f64::from_bits(self.serial.load(Ordering::Relaxed));
        let p = f64::from_bits(self.parallel.load(Ordering::Relaxed));
        let go_parallel = if k == 0 || s == 0.0 {
            false
        } else if k == 1 || p == 0.0 {
            true
        } else {
            p < s
        };
        let start = Instant::now();
        let out = if go_parallel { parallel() } else { serial() };
        let per = start.elapsed().as_nanos() as f64 / len as f64;
        let slot = if go_parallel {
            &self.parallel
        } else {
            &self.serial
        };
        let old = f64::from_bits(slot.load(Ordering::Relaxed));
        // A moving average: the rows shrink as the loop goes on, and the
        // machine's load comes and goes.
        let new = if old == 0.0 {
            per
        } else {
            0.75 * old + 0.25 * per
        };
        slot.store(new.max(f64::MIN_POSITIVE).to_bits(), Ordering::Relaxed);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_rows_run_serially_and_long_ones_try_both_ways() {
        let split = AdaptiveSplit::default();
        let mut ways = Vec::new();
        for _ in 0..4 {
            ways.push(split.run(PARALLEL_MIN - 1, || "serial", || "parallel"));
        }
        assert_eq!(ways, ["serial"; 4]);
        if rayon::current_num_threads() < 2 {
            return;
        }
        // The first call times the serial way, the next the parallel way.
        assert_eq!(
            split.run(PARALLEL_MIN, || "serial", || "parallel"),
            "serial"
        );
        assert_eq!(
            split.run(PARALLEL_MIN, || "serial", || "parallel"),
            "parallel"
        );
        // A parallel way that is always much slower is no longer taken
        // (except when probed).
        let slow = || {
            std::thread::sleep(std::time::Duration::from_millis(2));
            "parallel"
        };
        let picked: Vec<&str> = (0..3 * PROBE_EVERY)
            .map(|_| split.run(PARALLEL_MIN, || "serial", slow))
            .collect();
        let parallel = picked.iter().filter(|w| **w == "parallel").count();
        assert!(parallel <= 4, "{parallel} of {} parallel", picked.len());
    }
}
