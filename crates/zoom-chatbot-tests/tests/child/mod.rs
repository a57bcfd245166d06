//! A helper process of a test or bench, stopped with it. Shared by this crate's tests (the
//! browser test's chromedriver) and its benches (the marketplace's replicas, the file bench's
//! fake), which include it by path.

use std::process::Child;

/// A child process killed and reaped when dropped, so that a test that fails, or a bench that
/// ends, leaves none running.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // It may have exited already: then there is nothing to kill.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
