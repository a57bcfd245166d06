#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[rustfmt::skip]
pub mod cards;
#[rustfmt::skip]
pub mod events;
pub mod hooks;
pub mod ids;
pub mod jid;
#[rustfmt::skip]
pub mod operations;
mod shapes;

// Generated code answers to the spec, not to our lints. `unreachable_patterns`: progenitor
// matches a `4XX` range before a specific `429` that shares its error type, so the 429 arm is
// dead but the typed result is the same.
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, unused_imports, unreachable_patterns)]
mod generated;

pub use generated::*;

/// The header in which Zoom answers every request with its id for it (the spec's
/// `TrackingId` header): quote it when asking Zoom about a failure.
pub const TRACKING_ID_HEADER: &str = "x-zm-trackingid";
