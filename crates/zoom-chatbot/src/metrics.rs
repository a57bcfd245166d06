//! What a fleet operator counts, through the [`metrics`](https://docs.rs/metrics) facade (the
//! `metrics` feature): the crate records, the application installs whichever exporter it
//! likes (Prometheus, StatsD, ...). Without a recorder installed, or without the feature,
//! recording costs nothing.
//!
//! Labels are the operation, the event and the outcome, never the account: a Marketplace bot
//! serves thousands of accounts, and a label per account would make a series per account.
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `zoom_chatbot_requests_total` | counter | `operation`, `outcome` (`ok`, `refused`, `rate_limited`, `transport`, `not_sent`) |
//! | `zoom_chatbot_refusals_total` | counter | `operation`, `code` (Zoom's code) |
//! | `zoom_chatbot_rate_limited_total` | counter | `operation` (every 429, retried or not) |
//! | `zoom_chatbot_retries_total` | counter | `operation`, `reason` (`rate_limited`, `server_error`, `transport`, `token_refused`) |
//! | `zoom_chatbot_token_requests_total` | counter | `kind` (`chatbot`, `user`), `outcome` (`ok`, `failed`) |
//! | `zoom_chatbot_events_total` | counter | `event`, `outcome` (`handled`, `unhandled`, `refused`, `busy`, `duplicate`, `malformed`, `unknown`) |
//! | `zoom_chatbot_handler_seconds` | histogram | `event`, `outcome` (`ok`, `failed`, `panicked`) |

/// The counter of API calls, by operation and outcome.
pub const REQUESTS: &str = "zoom_chatbot_requests_total";
/// The counter of Zoom's refusals, by operation and Zoom's code.
pub const REFUSALS: &str = "zoom_chatbot_refusals_total";
/// The counter of 429 answers, by operation.
pub const RATE_LIMITED: &str = "zoom_chatbot_rate_limited_total";
/// The counter of retries, by operation and reason.
pub const RETRIES: &str = "zoom_chatbot_retries_total";
/// The counter of token requests, by kind and outcome.
pub const TOKEN_REQUESTS: &str = "zoom_chatbot_token_requests_total";
/// The counter of events received, by event and outcome.
pub const EVENTS: &str = "zoom_chatbot_events_total";
/// The histogram of handler run time in seconds, by event and outcome.
pub const HANDLER_SECONDS: &str = "zoom_chatbot_handler_seconds";

/// Adds one to the counter `name` with `labels`.
#[cfg(feature = "metrics")]
pub(crate) fn count(name: &'static str, labels: &[(&'static str, &str)]) {
    let labels: Vec<metrics::Label> = labels.iter().map(|(k, v)| metrics::Label::new(*k, (*v).to_owned())).collect();
    metrics::counter!(name, labels).increment(1);
}

/// Adds one to the counter `name` with `labels` (the `metrics` feature is off: nothing).
#[cfg(not(feature = "metrics"))]
pub(crate) fn count(_name: &'static str, _labels: &[(&'static str, &str)]) {}

/// Records `seconds` in the histogram `name` with `labels`.
#[cfg(feature = "metrics")]
pub(crate) fn observe(name: &'static str, labels: &[(&'static str, &str)], seconds: f64) {
    let labels: Vec<metrics::Label> = labels.iter().map(|(k, v)| metrics::Label::new(*k, (*v).to_owned())).collect();
    metrics::histogram!(name, labels).record(seconds);
}

/// Records `seconds` in the histogram `name` (the `metrics` feature is off: nothing).
#[cfg(not(feature = "metrics"))]
pub(crate) fn observe(_name: &'static str, _labels: &[(&'static str, &str)], _seconds: f64) {}
