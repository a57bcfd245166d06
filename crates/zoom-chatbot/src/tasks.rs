//! The bot's handler tasks: at most a fixed number at once, each one counted until it ends,
//! a panic logged (never lost with its task), and a shutdown that waits for the running ones.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::FutureExt as _;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

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
    running: AtomicUsize,
    idle: Notify,
    closed: AtomicBool,
}

impl TaskPool {
    pub fn new(limit: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limit.max(1))),
            running: AtomicUsize::new(0),
            idle: Notify::new(),
            closed: AtomicBool::new(false),
        }
    }

    /// A slot for one task, waiting at most `wait` for one to free up.
    pub async fn slot(&self, wait: Duration) -> Result<OwnedSemaphorePermit, Refused> {
        if self.closed.load(Ordering::Acquire) {
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
    pub fn spawn<F>(self: &Arc<Self>, slot: OwnedSemaphorePermit, what: &'static str, task: F)
    where
        F: Future<Output = Result<(), crate::Error>> + Send + 'static,
    {
        self.running.fetch_add(1, Ordering::AcqRel);
        let pool = self.clone();
        tokio::spawn(async move {
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
            if pool.running.fetch_sub(1, Ordering::AcqRel) == 1 {
                pool.idle.notify_waiters();
            }
        });
    }

    /// How many tasks are running.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// Takes no new tasks, and waits up to `grace` for the running ones; returns how many
    /// are still running then.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.closed.store(true, Ordering::Release);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let idle = self.idle.notified();
            if self.running() == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.running();
            }
        }
    }
}
