#![doc = include_str!("../README.md")]
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
