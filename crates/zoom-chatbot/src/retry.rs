//! When a failed request is tried again, and how long to wait.
//!
//! The rules:
//! - 429 is retried for every method: Zoom refused it, so nothing happened. The wait is
//!   `Retry-After` (seconds or a date) when Zoom sends it, else the backoff.
//! - 5xx answers and transport failures are retried for idempotent methods (GET, PUT, PATCH,
//!   DELETE) only.
//! - A POST is never sent twice once it may have reached Zoom: after a 5xx or a failure
//!   mid-exchange it is not repeated (the message may exist). Only a connection that was never made
//!   is retried.
//! - A 401 with code 124 or 7010 renews the token once and retries once.
//! - One call, all its waits and retries included, ends within the policy's deadline: a wait that
//!   would end past it is not begun.

use std::time::Duration;

use crate::macros::setters;

/// How many times and how patiently to retry.
///
/// ```
/// use std::time::Duration;
/// use zoom_chatbot::retry::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_attempts(6).deadline(Duration::from_secs(120));
/// assert_eq!(patient.max_attempts, 6);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// First backoff; each retry doubles it.
    pub base_delay: Duration,
    /// Longest backoff, and longest wait for a `Retry-After`.
    pub max_delay: Duration,
    /// How long one call may take with all its waits (pacing, backoff, `Retry-After`) and
    /// retries. A wait that would end past it is not begun: the call ends with what it has
    /// (Zoom's last answer) or [`Error::Deadline`](crate::Error::Deadline). A request already
    /// sent is never cut short by it (the client's timeout bounds each request).
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            deadline: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    setters! {
        /// Attempts in all, the first included (at least 1).
        pub fn max_attempts(attempts: u32) = attempts.max(1);

        /// The first backoff; each retry doubles it.
        pub fn base_delay(delay: Duration);

        /// The longest backoff, and the longest wait for a `Retry-After`.
        pub fn max_delay(delay: Duration);

        /// How long one call may take, waits and retries included.
        pub fn deadline(deadline: Duration);
    }

    /// The backoff before retry number `retry` (1 for the first retry): exponential, capped,
    /// with full jitter (a random share of it), so that many clients do not retry in step.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        capped.mul_f64(0.5 + 0.5 * jitter())
    }
}

/// A number in [0, 1) from the operating system's generator (falls back to 0.5).
fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

/// Whether a method may be sent again after it may have reached the server.
pub(crate) fn idempotent(method: &reqwest::Method) -> bool {
    !matches!(*method, reqwest::Method::POST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .max_attempts(10)
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        for (retry, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
            let d = p.backoff(retry);
            assert!(d >= Duration::from_millis(full / 2) && d <= Duration::from_millis(full), "retry {retry}: {d:?}");
        }
    }

    #[test]
    fn only_post_is_not_idempotent() {
        assert!(!idempotent(&reqwest::Method::POST));
        for m in [reqwest::Method::GET, reqwest::Method::PUT, reqwest::Method::PATCH, reqwest::Method::DELETE] {
            assert!(idempotent(&m));
        }
    }
}
