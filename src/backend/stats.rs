//! What a run did on the device: the counts that a cost model of the GPU
//! path is built from (`hclust linkage --backend gpu --stats`, the JSON of
//! `hclust bench --json`, benches/README.md's model).
//!
//! The counts (rounds, rows, bytes, dispatches, submissions) depend on the
//! data and the method, not on the device: measured on lavapipe, they hold
//! for any adapter of the same precision. The times are this machine's.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;

/// The work of the runs on a GPU backend since the counts were last taken.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeviceStats {
    /// Merge rounds (rounds of reciprocal nearest neighbours), or
    /// neighbour queries of the generic algorithm (centroid, median), or
    /// submissions of Prim's steps (single linkage without the matrix).
    pub rounds: u64,
    /// Rows whose nearest neighbours the device computed (a row is n - 1
    /// distances read on the device).
    pub rows: u64,
    /// Bytes written from the host to the device (observations, distance
    /// rows, parameters).
    pub bytes_up: u64,
    /// Bytes read back from the device (distances, candidates, edges).
    pub bytes_down: u64,
    /// Compute dispatches.
    pub dispatches: u64,
    /// Queue submissions.
    pub submissions: u64,
    /// Seconds the host waited for the device (submissions to finish,
    /// buffers to map).
    pub device_wait_seconds: f64,
    /// Seconds of the distance phase (on the device, or on the host where
    /// the exact f64 distances are needed there), wall clock.
    pub distance_seconds: f64,
    /// Seconds of the merge loop, wall clock.
    pub merge_seconds: f64,
    /// Of `merge_seconds`, the host's own work outside the device calls:
    /// the Lance-Williams updates in f64, choosing among candidates, and
    /// the bookkeeping of the rounds.
    pub host_merge_seconds: f64,
    /// Seconds the device spent in compute passes by its own clock
    /// (timestamp queries), when they were measured (`--stats` on an
    /// adapter with TIMESTAMP_QUERY).
    pub kernel_seconds: Option<f64>,
}

impl DeviceStats {
    /// The counts of both runs together.
    pub fn add(&mut self, other: &DeviceStats) {
        self.rounds += other.rounds;
        self.rows += other.rows;
        self.bytes_up += other.bytes_up;
        self.bytes_down += other.bytes_down;
        self.dispatches += other.dispatches;
        self.submissions += other.submissions;
        self.device_wait_seconds += other.device_wait_seconds;
        self.distance_seconds += other.distance_seconds;
        self.merge_seconds += other.merge_seconds;
        self.host_merge_seconds += other.host_merge_seconds;
        self.kernel_seconds = match (self.kernel_seconds, other.kernel_seconds) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }
}

impl fmt::Display for DeviceStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |b: u64| b as f64 / 1e6;
        write!(
            f,
            "rounds {}, rows reduced {}, up {:.1} MB, down {:.1} MB, dispatches {}, \
             submissions {}; distances {:.3} s, merge loop {:.3} s (host {:.3} s), \
             waiting for the device {:.3} s",
            self.rounds,
            self.rows,
            mb(self.bytes_up),
            mb(self.bytes_down),
            self.dispatches,
            self.submissions,
            self.distance_seconds,
            self.merge_seconds,
            self.host_merge_seconds,
            self.device_wait_seconds
        )?;
        if let Some(k) = self.kernel_seconds {
            write!(f, ", in kernels {k:.3} s")?;
        }
        Ok(())
    }
}

/// Counters that the device code bumps as it goes (relaxed atomics: a
/// count, not a synchronisation), drained into a [`DeviceStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    rounds: AtomicU64,
    rows: AtomicU64,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    dispatches: AtomicU64,
    submissions: AtomicU64,
    wait_nanos: AtomicU64,
    distance_nanos: AtomicU64,
    merge_nanos: AtomicU64,
    device_call_nanos: AtomicU64,
    kernel_nanos: AtomicU64,
    /// Whether kernel times are measured.
    timed: AtomicBool,
}

/// Which counter to bump.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Count {
    Rounds,
    Rows,
    BytesUp,
    BytesDown,
    Dispatches,
    Submissions,
    /// Nanoseconds waiting for the device.
    WaitNanos,
    /// Nanoseconds of the distance phase.
    DistanceNanos,
    /// Nanoseconds of the merge loop.
    MergeNanos,
    /// Nanoseconds of the merge loop spent in calls to the device.
    DeviceCallNanos,
    /// Nanoseconds in compute passes by the device's clock.
    KernelNanos,
}

impl Counters {
    fn slot(&self, c: Count) -> &AtomicU64 {
        match c {
            Count::Rounds => &self.rounds,
            Count::Rows => &self.rows,
            Count::BytesUp => &self.bytes_up,
            Count::BytesDown => &self.bytes_down,
            Count::Dispatches => &self.dispatches,
            Count::Submissions => &self.submissions,
            Count::WaitNanos => &self.wait_nanos,
            Count::DistanceNanos => &self.distance_nanos,
            Count::MergeNanos => &self.merge_nanos,
            Count::DeviceCallNanos => &self.device_call_nanos,
            Count::KernelNanos => &self.kernel_nanos,
        }
    }

    /// Adds `by` to counter `c`.
    #[inline]
    pub fn add(&self, c: Count, by: u64) {
        self.slot(c).fetch_add(by, Ordering::Relaxed);
    }

    /// Runs `f` and adds its wall time to counter `c` (nanoseconds),
    /// whatever it returns.
    pub fn timed<R>(&self, c: Count, f: impl FnOnce() -> R) -> R {
        let start = std::time::Instant::now();
        let out = f();
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.add(c, nanos);
        out
    }

    /// Kernel times are measured from now on.
    pub fn set_timed(&self) {
        self.timed.store(true, Ordering::Relaxed);
    }

    /// The counts so far, and every counter back to zero.
    pub fn take(&self) -> DeviceStats {
        let take = |c: Count| self.slot(c).swap(0, Ordering::Relaxed);
        let secs = |nanos: u64| nanos as f64 * 1e-9;
        let merge = take(Count::MergeNanos);
        let calls = take(Count::DeviceCallNanos);
        let kernels = take(Count::KernelNanos);
        DeviceStats {
            rounds: take(Count::Rounds),
            rows: take(Count::Rows),
            bytes_up: take(Count::BytesUp),
            bytes_down: take(Count::BytesDown),
            dispatches: take(Count::Dispatches),
            submissions: take(Count::Submissions),
            device_wait_seconds: secs(take(Count::WaitNanos)),
            distance_seconds: secs(take(Count::DistanceNanos)),
            merge_seconds: secs(merge),
            host_merge_seconds: secs(merge.saturating_sub(calls)),
            kernel_seconds: self.timed.load(Ordering::Relaxed).then(|| secs(kernels)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_add_up_and_start_again_from_zero() {
        let c = Counters::default();
        c.add(Count::Rows, 3);
        c.add(Count::Rows, 4);
        c.add(Count::BytesUp, 10);
        c.add(Count::MergeNanos, 5_000_000_000);
        c.add(Count::DeviceCallNanos, 2_000_000_000);
        let s = c.take();
        assert_eq!((s.rows, s.bytes_up, s.dispatches), (7, 10, 0));
        assert!((s.merge_seconds - 5.0).abs() < 1e-9);
        assert!((s.host_merge_seconds - 3.0).abs() < 1e-9);
        assert_eq!(c.take(), DeviceStats::default());
        let mut sum = s.clone();
        sum.add(&s);
        assert_eq!(sum.rows, 14);
    }
}
