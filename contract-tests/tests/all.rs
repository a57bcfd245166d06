//! The integration tests of this crate, as one test binary: each file of `tests/` is a
//! module here, so the tests build and link once (a binary per file cost minutes on two
//! cores) and run side by side.

mod fake_conformance;
mod operations;
mod published_events;
mod schemas;
mod tables;
