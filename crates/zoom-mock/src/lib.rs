//! Test doubles for Zoom Team Chat, generated from `spec/chatbot.yaml`.
//!
//! [`MockServerExt`] (generated) adds one typed method per operation to
//! [`httpmock::MockServer`]: `server.send_chatbot_message(|when, then| ...)`. Form-encoded
//! bodies (the OAuth token endpoint) are not matched by the generated body matcher, which
//! reads JSON; [`form`] fills that gap.
#![deny(missing_docs)]

pub mod form;

// Generated code answers to the spec, not to our lints. `unreachable_patterns`: progenitor
// matches a `4XX` range before a specific `429` that shares its error type, so the 429 arm is
// dead but the typed result is the same.
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, unused_imports, unreachable_patterns)]
mod generated;

pub use generated::operations;
pub use generated::*;
