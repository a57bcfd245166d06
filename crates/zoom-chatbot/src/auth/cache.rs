//! One token per client, shared by its clones: renewed ahead of expiry by one caller at a
//! time, and a failed request shared by the calls that waited for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::{OAuth, Token, TokenSource};
use crate::error::{Error, Result};

/// How long a failed token request answers for later callers too: within it, calls fail at
/// once with [`Error::TokenUnavailable`] instead of asking again.
pub(crate) const FAILURE_HOLD: Duration = Duration::from_secs(1);

/// The last failed token request: which one, when, and what went wrong (shown without
/// secrets, as every error of this crate is).
struct Failure {
    attempt: u64,
    at: tokio::time::Instant,
    reason: String,
    retryable: bool,
}

/// One token shared by every clone of a client: renewed ahead of expiry, by one caller at a
/// time, however many calls need it at once. A failed request is shared too: the calls that
/// waited for it, and those that come within [`FAILURE_HOLD`] after, fail with it rather than
/// each asking again.
pub(crate) struct TokenCache {
    source: Box<dyn TokenSource>,
    current: RwLock<Option<Arc<Token>>>,
    renewing: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
    failure: std::sync::Mutex<Option<Failure>>,
    /// Which token it holds (`chatbot`, `user`), for the metrics.
    kind: &'static str,
}

impl TokenCache {
    /// A cache of the `kind` tokens (`chatbot`, `user`) that `source` gives.
    pub fn boxed(kind: &'static str, source: Box<dyn TokenSource>) -> Self {
        Self {
            kind,
            source,
            current: RwLock::new(None),
            renewing: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
            failure: std::sync::Mutex::new(None),
        }
    }

    fn fresh(&self) -> Option<Arc<Token>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|t| t.fresh_for(t.renew_ahead())).cloned()
    }

    /// The failure a caller that arrived when `seen` requests had been made must share: one
    /// made since it arrived, or one recent enough.
    fn shared_failure(&self, seen: u64) -> Option<Error> {
        let failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        let f = failure.as_ref()?;
        (f.attempt > seen || f.at.elapsed() < FAILURE_HOLD)
            .then(|| Error::TokenUnavailable { reason: f.reason.clone(), retryable: f.retryable })
    }

    /// A token good for at least the renewal margin; fetches one if needed (single flight).
    pub async fn get(&self, oauth: &OAuth) -> Result<Arc<Token>> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let seen = self.fetches();
        if let Some(failure) = self.shared_failure(seen) {
            return Err(failure);
        }
        let _turn = self.renewing.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token); // renewed by whoever held the lock before us
        }
        if let Some(failure) = self.shared_failure(seen) {
            return Err(failure); // the request we waited for failed
        }
        self.fetch(oauth).await
    }

    /// After Zoom refused `stale` with 401: a new token, unless another caller already
    /// replaced it.
    pub async fn renew(&self, oauth: &OAuth, stale: &Arc<Token>) -> Result<Arc<Token>> {
        let seen = self.fetches();
        let _turn = self.renewing.lock().await;
        let current = self.current.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(current) = current.filter(|c| !Arc::ptr_eq(c, stale)) {
            return Ok(current);
        }
        if let Some(failure) = self.shared_failure(seen) {
            return Err(failure);
        }
        self.source.discard(stale).await;
        self.fetch(oauth).await
    }

    async fn fetch(&self, oauth: &OAuth) -> Result<Arc<Token>> {
        let attempt = self.fetches.fetch_add(1, Ordering::Relaxed) + 1;
        let fetched = self.source.fetch(oauth).await;
        let outcome = if fetched.is_ok() { "ok" } else { "failed" };
        crate::metrics::count(crate::metrics::TOKEN_REQUESTS, &[("kind", self.kind), ("outcome", outcome)]);
        match fetched {
            Ok(token) => {
                let token = Arc::new(token);
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
                *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(token)
            }
            Err(e) => {
                let failure = Failure {
                    attempt,
                    at: tokio::time::Instant::now(),
                    reason: e.to_string(),
                    retryable: e.is_retryable(),
                };
                *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure);
                Err(e)
            }
        }
    }

    /// How many tokens this cache has asked for.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}
