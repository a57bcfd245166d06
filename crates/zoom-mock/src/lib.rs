//! Test doubles for Zoom Team Chat, both held to `crates/zoom-spec/spec/chatbot.yaml`.
//!
//! - [`fake::ZoomMock`]: a stateful fake Zoom, a real HTTP server that keeps conversations,
//!   issues tokens, validates requests against the spec, applies rate limits and injects
//!   faults. Start it in-process, or run the `zoom-mock` binary.
//! - `MockServerExt` (generated; the `httpmock` feature): one typed method per operation on
//!   `httpmock::MockServer`, as in `server.send_chatbot_message(|when, then| ...)`, for
//!   tests that script exact exchanges. The generated body matcher reads JSON only, so
//!   `form` matches the form-encoded bodies of the OAuth endpoints.
#![deny(missing_docs)]

pub mod fake;
#[cfg(feature = "httpmock")]
pub mod form;

// Generated code answers to the spec, not to our lints. `unreachable_patterns`: progenitor
// matches a `4XX` range before a specific `429` that shares its error type, so the 429 arm is
// dead but the typed result is the same.
#[cfg(feature = "httpmock")]
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, unused_imports, unreachable_patterns)]
mod generated;

#[cfg(feature = "httpmock")]
pub use generated::*;
