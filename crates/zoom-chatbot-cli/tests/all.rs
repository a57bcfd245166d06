//! The integration tests of this crate, as one test binary: each file of `tests/` is a
//! module here, so the tests build and link once (a binary per file cost minutes on two
//! cores) and run side by side.

#[path = "../../zoom-chatbot-tests/tests/redis_server/mod.rs"]
mod redis_server;
mod support;

mod card_rules;
mod cli;
mod redis;
