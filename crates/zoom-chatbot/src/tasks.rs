//! The bot's handler tasks: at most a fixed number at once, each one tracked until it ends
//! (tokio-util's `TaskTracker`), a panic logged (never lost with its task), and a shutdown
//! that waits for the running ones.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;

/// Why a task was not started.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Every slot stayed taken for the whole wait.
    Busy,
    /// The pool is shutting down.
    Closed,
}

#[derive(Debug)]
pub(crate) struct TaskPool {
    slots: Arc<Semaphore>,
    /// Counts the running tasks, and is closed at shutdown.
    tracker: TaskTracker,
}

impl TaskPool {
    pub fn new(limit: usize) -> Self {
        Self { slots: Arc::new(Semaphore::new(limit.max(1))), tracker: TaskTracker::new() }
    }

    /// A slot for one task, waiting at most `wait` for one to free up.
    pub async fn slot(&self, wait: Duration) -> Result<OwnedSemaphorePermit, Refused> {
        if self.tracker.is_closed() {
            return Err(Refused::Closed);
        }
        match tokio::time::timeout(wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(Refused::Closed),
            Err(_) => Err(Refused::Busy),
        }
    }

    /// Runs `task` on its own tokio task, holding `slot` until it ends. `what` names it in
    /// the log lines of a failure or a panic.
    pub fn spawn<F>(&self, slot: OwnedSemaphorePermit, what: &'static str, task: F)
    where
        F: Future<Output = Result<(), crate::Error>> + Send + 'static,
    {
        self.tracker.spawn(async move {
            let started = std::time::Instant::now();
            let outcome = AssertUnwindSafe(task).catch_unwind().await;
            let label = match &outcome {
                Ok(Ok(())) => "ok",
                Ok(Err(_)) => "failed",
                Err(_) => "panicked",
            };
            crate::metrics::observe(
                crate::metrics::HANDLER_SECONDS,
                &[("event", what), ("outcome", label)],
                started.elapsed().as_secs_f64(),
            );
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(event = what, error = %e, "a bot handler failed"),
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic without a message".into());
                    tracing::error!(event = what, panic = %message, "a bot handler panicked");
                }
            }
            drop(slot);
        });
    }

    /// How many tasks are running.
    pub fn running(&self) -> usize {
        self.tracker.len()
    }

    /// Takes no new tasks, and waits up to `grace` for the running ones; returns how many
    /// are still running then.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.tracker.close();
        match tokio::time::timeout(grace, self.tracker.wait()).await {
            Ok(()) => 0,
            Err(_) => self.tracker.len(),
        }
    }
}
