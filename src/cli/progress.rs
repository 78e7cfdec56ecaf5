//! Progress on stderr: a spinner per phase of long work, only when stderr
//! is a terminal and --quiet is not given.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Shows which phase is running and how long it has taken.
pub struct Progress {
    bar: RefCell<Option<ProgressBar>>,
    enabled: bool,
}

impl Progress {
    /// A progress display, silent when `quiet` or when stderr is not a terminal.
    pub fn new(quiet: bool) -> Self {
        Progress {
            bar: RefCell::new(None),
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// Starts a phase (finishing the previous one).
    pub fn phase(&self, name: &str) {
        if !self.enabled {
            return;
        }
        self.finish();
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"),
        );
        bar.set_message(name.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        *self.bar.borrow_mut() = Some(bar);
    }

    /// Ends the current phase.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
