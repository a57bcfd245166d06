//! What the handlers share: the state behind one lock, the server's own origin, and the
//! changes the page listens for.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::state::State;

/// The state behind one lock, and the server's own origin.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// `http://host:port`, which the token response gives as `api_url`.
    pub origin: String,
    /// Numbers the `x-zm-trackingid` of each answer.
    pub tracking: AtomicU64,
    /// Told of every API call that changed something, for the page's live updates.
    pub changes: tokio::sync::broadcast::Sender<()>,
    /// How many changes there were: a page drawn at one version reloads when the stream says
    /// another, so a change between drawing the page and its listening is not missed.
    version: AtomicU64,
    /// Taken by each delivery of queued Team Chat events, one at a time (`team_chat.rs`).
    pub(crate) team_chat_turn: tokio::sync::Mutex<()>,
}

impl Shared {
    /// The shared part of a fake serving at `origin`.
    pub fn new(state: State, origin: String) -> Self {
        Self {
            state: Mutex::new(state),
            origin,
            tracking: AtomicU64::new(1),
            changes: tokio::sync::broadcast::channel(16).0,
            version: AtomicU64::new(0),
            team_chat_turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Something the page shows changed: counted, and told to the pages listening (nobody
    /// listening is fine: the page may not be open).
    pub fn changed(&self) {
        self.version.fetch_add(1, Ordering::SeqCst);
        let _ = self.changes.send(());
    }

    /// The number of changes so far.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    /// The state, locked, with the scheduled messages whose time has come sent first: every
    /// reader (handlers, the page, a test's inspection) sees them sent at once.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the fake down with it.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.release_due();
        state
    }
}
