//! The integration tests of this crate, as one test binary: each file of `tests/` is a
//! module here, so the tests build and link once (a binary per file cost minutes on two
//! cores) and run side by side. `env.rs` stays a binary of its own: it changes the process's
//! environment.

mod child;
mod common;
#[path = "../../zoom-chatbot/examples/echo_bot.rs"]
#[allow(dead_code)]
mod echo_bot;
// Each example is whole on its own, with its own `mod support;` (examples/support/mod.rs), so
// the two include that file twice, as each one's own module.
#[path = "../../zoom-chatbot/examples/incident_bot.rs"]
#[allow(dead_code, clippy::duplicate_mod)]
mod incident_bot;
mod redis_server;

mod accounts;
mod bot_runtime;
mod browser;
mod channels;
mod dispatch;
mod echo_bot_e2e;
mod fake_accounts;
mod files;
mod files_contract;
mod files_redirect;
mod incident_bot_e2e;
mod incoming;
mod install;
mod installs;
mod installs_redis;
mod messages;
mod metrics;
mod module_graph;
mod published_events;
mod redis;
mod resilience;
mod routes;
mod schedule;
mod scripted;
mod secrets;
mod serve;
mod sources;
mod team_chat_reply;
mod time_props;
mod tls;
mod user_oauth;
mod users;
mod webhook_props;
