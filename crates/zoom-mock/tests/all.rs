//! The integration tests of this crate, as one test binary: each file of `tests/` is a
//! module here, so the tests build and link once (a binary per file cost minutes on two
//! cores) and run side by side.

mod common;

mod accounts;
mod behaviour;
mod binary;
mod bounds;
mod chat;
mod chatbot;
mod connections;
mod guard;
mod markup;
mod oauth;
mod page;
mod redirects;
mod routes;
mod team_chat_events;
