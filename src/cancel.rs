//! Stopping a long computation from outside: a [`Cancel`] token that the
//! caller hands to [`crate::linkage::linkage_with`] (in
//! [`crate::LinkageOptions::cancel`]) and may trigger from any thread.
//!
//! The entry point installs the token for the calling thread
//! ([`scope`]); the long loops (the merge loops, Borůvka's rounds, the
//! distance matrix's rows) ask [`check`] at each step and stop with
//! [`Error::Cancelled`]. A step is one merge or one round or one row of
//! distances, so a cancelled run stops within a fraction of a second at
//! the sizes that fit in memory.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// A flag shared between a running computation and whoever may stop it.
/// Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token not yet triggered.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks the computations holding this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Cancel>> = const { RefCell::new(None) };
}

/// Runs `f` with `token` installed for this thread (none: nothing can
/// stop it), restoring the previous token afterwards, and turns a run that
/// was cancelled into [`Error::Cancelled`] even where `f` finished. The
/// linkage entry points do this with their options' token; other library
/// calls (`pdist`, say) can be made stoppable this way.
///
/// `None` is installed too: a rayon worker that waits inside one run may
/// take up another caller's whole run, which must not see the first run's
/// token.
pub fn scope<R>(token: Option<&Cancel>, f: impl FnOnce() -> Result<R>) -> Result<R> {
    struct Restore(Option<Cancel>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(token.cloned())));
    let out = f();
    if token.is_some_and(Cancel::is_cancelled) {
        return Err(Error::Cancelled);
    }
    out
}

/// The token installed for this thread, to hand to parallel workers.
pub(crate) fn current() -> Option<Cancel> {
    CURRENT.with(|c| c.borrow().clone())
}

/// [`Error::Cancelled`] when this thread's computation was asked to stop.
#[inline]
pub(crate) fn check() -> Result<()> {
    if requested() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Whether this thread's computation was asked to stop.
#[inline]
pub(crate) fn requested() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(Cancel::is_cancelled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_without_a_token_inside_a_cancelled_one_is_not_stopped() {
        // as when a rayon worker waiting inside a cancelled run takes up
        // another caller's run
        let token = Cancel::new();
        token.cancel();
        let r: Result<()> = scope(Some(&token), || {
            assert!(requested());
            let inner = scope(None, || {
                check()?;
                Ok(7)
            });
            assert_eq!(inner.unwrap(), 7);
            assert!(requested(), "the outer token is back");
            Ok(())
        });
        assert!(matches!(r, Err(Error::Cancelled)));
        assert!(!requested());
    }

    #[test]
    fn a_token_stops_only_the_scope_that_holds_it() {
        assert!(!requested());
        let token = Cancel::new();
        let r: Result<()> = scope(Some(&token), || {
            check()?;
            token.cancel();
            assert!(requested());
            check()?;
            unreachable!("check stops after cancel")
        });
        assert!(matches!(r, Err(Error::Cancelled)));
        assert!(!requested(), "the scope restores the thread's state");
        // A finished run whose token fired late still reports it.
        let late = Cancel::new();
        let r = scope(Some(&late), || {
            late.cancel();
            Ok(1)
        });
        assert!(matches!(r, Err(Error::Cancelled)));
        assert_eq!(scope(None, || Ok(2)).unwrap(), 2);
    }
}
