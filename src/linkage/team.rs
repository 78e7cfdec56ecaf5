//! Helper threads that stay awake through a merge loop, for the per-merge
//! scans and updates that are worth splitting.
//!
//! A merge loop splits thousands of short jobs (one row of the matrix each,
//! tens of microseconds of work). rayon's fork-join hands each job to a
//! worker that has gone to sleep in between, and waking it costs about 20
//! microseconds on a virtual machine (measured: a `rayon::join` of two
//! trivial halves took 18 to 57 us on the project's 2-core VM), which ate
//! most of what the second core gave. A [`Team`]'s helpers spin between
//! jobs instead (a posted job starts in under a microsecond), and park
//! after [`SPIN`] without work, so that a loop that has stopped splitting
//! (see [`super::split::AdaptiveSplit`], which picks one thread on a busy
//! machine) does not keep a core busy.
//!
//! A job is cut into numbered chunks that the caller and the helpers take
//! in turn from a shared counter; each participant folds its chunks into an
//! accumulator of its own, and the caller merges the accumulators. Which
//! participant took which chunk varies from run to run, so the merge must
//! not depend on it (the scans' minimum with ties to the lowest slot does
//! not).

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

/// How long a helper spins without a job before it parks (jobs come every
/// few microseconds while a loop splits its rows; a longer spin only
/// takes time from other processes on a busy machine).
const SPIN: Duration = Duration::from_micros(50);

/// After this long without a job, a helper's spin yields its core to any
/// other thread that is ready to run there.
const YIELD_AFTER: Duration = Duration::from_micros(10);

/// At most this many helpers (beside the calling thread).
const MAX_HELPERS: usize = 7;

/// The job as the helpers see it: a pointer to a `&dyn Fn()` on the
/// poster's stack, valid while the job is open and until every helper
/// that came in has left (the poster waits for that before it returns).
type JobPtr = *mut &'static (dyn Fn() + Sync);

/// What the poster and the helpers share.
struct Shared {
    /// Bumped once per job; a helper tries to come into each job whose
    /// number it has not seen.
    epoch: AtomicUsize,
    job: AtomicPtr<&'static (dyn Fn() + Sync)>,
    /// [`OPEN`] while the current job takes helpers, plus the number of
    /// helpers inside it.
    inside: AtomicUsize,
    /// Helpers parked (or about to park).
    sleepers: AtomicUsize,
    /// A helper's job panicked.
    panicked: AtomicBool,
    stop: AtomicBool,
}

/// A caller plus up to [`MAX_HELPERS`] helper threads (none on one core).
pub(crate) struct Team {
    shared: Arc<Shared>,
    threads: Vec<Thread>,
    handles: Vec<JoinHandle<()>>,
}

impl Team {
    /// A team as large as rayon's pool (capped at [`MAX_HELPERS`]
    /// helpers): the caller alone when the pool has one thread.
    pub fn new() -> Team {
        Team::with_helpers(rayon::current_num_threads().clamp(1, MAX_HELPERS + 1) - 1)
    }

    /// A team of the caller and `helpers` helper threads (fewer where a
    /// thread cannot be started).
    pub fn with_helpers(helpers: usize) -> Team {
        let shared = Arc::new(Shared {
            epoch: AtomicUsize::new(0),
            job: AtomicPtr::new(std::ptr::null_mut()),
            inside: AtomicUsize::new(0),
            sleepers: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        let mut handles = Vec::new();
        for k in 0..helpers {
            let s = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name(format!("hclust-team-{k}"))
                .spawn(move || helper(&s));
            // Without the thread the team is smaller: the jobs still run.
            if let Ok(h) = spawned {
                handles.push(h);
            }
        }
        let threads = handles.iter().map(|h| h.thread().clone()).collect();
        Team {
            shared,
            threads,
            handles,
        }
    }

    /// The number of participants: the caller and the helpers.
    pub fn size(&self) -> usize {
        self.handles.len() + 1
    }

    /// Runs `step(acc, k)` for every chunk k in 0..chunks, spread over the
    /// team, each participant folding its chunks into its own `init()`
    /// accumulator; returns the accumulators (in no particular order). With
    /// no helpers, the caller does every chunk, in order.
    pub fn for_chunks<A, I, S>(&self, chunks: usize, init: I, step: S) -> Vec<A>
    where
        A: Send,
        I: Fn() -> A + Sync,
        S: Fn(&mut A, usize) + Sync,
    {
        let next = AtomicUsize::new(0);
        let results = Mutex::new(Vec::with_capacity(self.size()));
        let job = || {
            let mut acc = init();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= chunks {
                    break;
                }
                step(&mut acc, k);
            }
            results.lock().unwrap_or_else(|e| e.into_inner()).push(acc);
        };
        self.run(&job);
        results.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `job` on the caller and on every helper that comes in before
    /// the caller's own run ends, and returns when all of them have
    /// finished. A panic in any of them is raised here.
    fn run(&self, job: &(dyn Fn() + Sync)) {
        if self.handles.is_empty() {
            job();
            return;
        }
        let s = &*self.shared;
        // SAFETY (of the helpers' use of the pointer): the reference lives
        // on this frame; a helper reads it only after entering the job
        // while it is open, and this function closes the job and waits for
        // every helper inside to leave before it returns (or unwinds).
        let mut erased: &'static (dyn Fn() + Sync) = unsafe { std::mem::transmute(job) };
        let ptr: JobPtr = &mut erased;
        s.job.store(ptr, Ordering::SeqCst);
        s.inside.store(OPEN, Ordering::SeqCst);
        s.epoch.fetch_add(1, Ordering::SeqCst);
        if s.sleepers.load(Ordering::SeqCst) > 0 {
            for t in &self.threads {
                t.unpark();
            }
        }
        let mine = catch_unwind(AssertUnwindSafe(job));
        // The caller has taken the last chunk: a helper that has not come
        // in yet (pushed off its core by another process, say) has nothing
        // left to do and is not waited for.
        s.inside.fetch_and(!OPEN, Ordering::SeqCst);
        let start = Instant::now();
        while s.inside.load(Ordering::Acquire) != 0 {
            if start.elapsed() < SPIN {
                std::hint::spin_loop();
            } else {
                // a helper pushed off its core: let it have ours
                std::thread::yield_now();
            }
        }
        if let Err(p) = mine {
            resume_unwind(p);
        }
        if s.panicked.swap(false, Ordering::AcqRel) {
            panic!("a merge-loop helper thread panicked");
        }
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for t in &self.threads {
            t.unpark();
        }
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}

/// The flag of [`Shared::inside`] that says the current job takes helpers.
const OPEN: usize = 1 << (usize::BITS - 1);

/// Counts a helper into the current job if it is still open.
fn enter(s: &Shared) -> bool {
    let mut cur = s.inside.load(Ordering::SeqCst);
    while cur & OPEN != 0 {
        match s
            .inside
            .compare_exchange_weak(cur, cur + 1, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => return true,
            Err(now) => cur = now,
        }
    }
    false
}

/// A helper's life: run each new job once, spin while jobs come, park when
/// they stop coming, return when the team is dropped.
fn helper(s: &Shared) {
    let mut seen = 0;
    let mut idle_since = Instant::now();
    let mut spins = 0u32;
    loop {
        if s.stop.load(Ordering::Acquire) {
            return;
        }
        let e = s.epoch.load(Ordering::SeqCst);
        if e != seen {
            seen = e;
            if enter(s) {
                // the job entered is the latest one posted
                seen = s.epoch.load(Ordering::SeqCst);
                let job = s.job.load(Ordering::SeqCst);
                // SAFETY: see `Team::run`: the job is open, and its poster
                // waits for this helper to leave before the job ends.
                let f = unsafe { *job };
                if catch_unwind(AssertUnwindSafe(f)).is_err() {
                    s.panicked.store(true, Ordering::Release);
                }
                s.inside.fetch_sub(1, Ordering::AcqRel);
            }
            idle_since = Instant::now();
            continue;
        }
        spins = spins.wrapping_add(1);
        if spins % 64 != 0 {
            std::hint::spin_loop();
            continue;
        }
        let idle = idle_since.elapsed();
        if idle < YIELD_AFTER {
            continue;
        }
        if idle < SPIN {
            std::thread::yield_now();
            continue;
        }
        s.sleepers.fetch_add(1, Ordering::SeqCst);
        // Re-checked after announcing the sleep: a job posted before the
        // announcement is seen here, one posted after it unparks us.
        if s.epoch.load(Ordering::SeqCst) == seen && !s.stop.load(Ordering::SeqCst) {
            std::thread::park();
        }
        s.sleepers.fetch_sub(1, Ordering::SeqCst);
        idle_since = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_runs_once_across_the_team() {
        for team in [Team::with_helpers(0), Team::new()] {
            for chunks in [0, 1, 7, 1000] {
                let parts =
                    team.for_chunks(chunks, Vec::new, |acc: &mut Vec<usize>, k| acc.push(k));
                assert!(parts.len() <= team.size());
                let mut all: Vec<usize> = parts.concat();
                all.sort_unstable();
                assert_eq!(all, (0..chunks).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn jobs_after_the_helpers_park_still_run() {
        let team = Team::new();
        let sum = |n: usize| -> usize {
            team.for_chunks(n, || 0, |a: &mut usize, k| *a += k)
                .into_iter()
                .sum()
        };
        assert_eq!(sum(100), 4950);
        std::thread::sleep(SPIN * 5);
        assert_eq!(sum(100), 4950);
    }

    #[test]
    fn a_panic_in_a_chunk_reaches_the_caller() {
        let team = Team::new();
        let r = catch_unwind(AssertUnwindSafe(|| {
            team.for_chunks(64, || (), |_, k| assert!(k != 40, "chunk 40"));
        }));
        assert!(r.is_err());
        // the team still works afterwards
        let parts = team.for_chunks(3, || 1usize, |a, _| *a += 1);
        assert!(!parts.is_empty());
    }
}
