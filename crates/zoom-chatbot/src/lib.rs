//! The ergonomic Zoom Team Chat crate for chatbot developers (in progress).
//!
//! For now it re-exports the generated client; token handling, typed ids, card builders,
//! retries and webhook verification arrive here on top of it (see ARCHITECTURE.md).
#![deny(missing_docs)]

pub use zoom_api_gen as api;
