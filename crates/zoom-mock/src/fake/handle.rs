//! `ZoomMock`, the handle on a running fake: what it holds. Its methods are by subject: the
//! builder, inspection and control in `mod.rs`, accounts in `accounts.rs`, bots and deliveries
//! in `delivery.rs`, users' actions in `user_events.rs`.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::task::JoinHandle;

use super::shared::Shared;

/// A running fake Zoom. Dropping it stops the server and closes its connections.
pub struct ZoomMock {
    pub(super) shared: Arc<Shared>,
    pub(super) addr: SocketAddr,
    pub(super) server: JoinHandle<()>,
}

impl Drop for ZoomMock {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl std::fmt::Debug for ZoomMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoomMock").field("addr", &self.addr).finish_non_exhaustive()
    }
}
