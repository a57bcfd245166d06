//! Zoom Team Chat bots from Rust: credentials in, cards out. Tokens, rate limits and retries
//! are handled; inputs are checked before anything is sent; errors say what went wrong.
//!
//! ```no_run
//! # async fn run() -> zoom_chatbot::Result<()> {
//! use zoom_chatbot::{ZoomClient, card::{Actions, Button, Card, Text}};
//!
//! // ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, ZOOM_ACCOUNT_ID, ZOOM_ROBOT_JID
//! let zoom = ZoomClient::from_env()?;
//! let card = Card::new()
//!     .head("Build finished")
//!     .push(Text::new("All 312 tests passed."))
//!     .push(Actions::new().button(Button::primary("Deploy", "deploy")))
//!     .build()?;
//! let sent = zoom.send("b1c841dc@conference.xmpp.zoom.us", card).await?;
//! sent.reply(Card::new().head("Deploying...").build()?).await?;
//! # Ok(()) }
//! ```
//!
//! Where things live:
//! - [`auth`]: token sources (chatbot, server-to-server, user OAuth with PKCE, static) and the
//!   shared, single-flight token cache;
//! - [`card`]: card builders; [`ids`]: typed JIDs and ids;
//! - [`ZoomClient`] (in `client`) and [`AccountClient`] (in `messages`): chatbot messages, in the
//!   account they belong to; [`chat`]: the user-level chat API;
//! - [`users`]: the account's users, and the JID of an email address;
//! - [`retry`] and [`pacing`]: what happens when Zoom says no, and how not to make it;
//! - [`bot`]: a bot's endpoint: verification, the handshake, dispatch by command and button (an
//!   axum router with the `axum` feature, on by default);
//! - [`callback`]: the one-time reply to an interactive event, and the unfurl of a shared link
//!   through its `response_url`;
//! - [`incoming`]: posting through an incoming webhook (card, message, fields);
//! - [`installs`]: the accounts that installed a Marketplace bot, for proactive messages (recorded
//!   and removed by the bot); `install` (the `axum` feature): the route that installs it;
//! - [`webhook`]: receiving Zoom's events: signature verification, the URL-validation handshake,
//!   typed events;
//! - `shared` (the `redis` feature): tokens, rate budget and event de-duplication shared by the
//!   replicas of one bot, in Redis;
//! - [`error`]: the one error type. Every request gets a `tracing` span (`zoom_request`);
//!   [`metrics`] names what the `metrics` feature counts.
#![deny(missing_docs)]

pub mod auth;
pub mod bot;
pub mod callback;
pub mod card;
pub mod channels;
pub mod chat;
mod client;
pub mod error;
pub mod files;
mod hosts;
pub mod ids;
pub mod incoming;
#[cfg(feature = "axum")]
pub mod install;
pub mod installs;
pub mod layers;
mod macros;
mod messages;
pub mod metrics;
pub mod pacing;
mod paging;
mod policy;
pub mod retry;
pub mod routes;
pub mod schedule;
#[cfg(feature = "axum")]
pub mod serve;
#[cfg(feature = "redis")]
pub mod shared;
mod tasks;
pub mod time;
mod transport;
pub mod users;
pub mod webhook;

pub use client::{ClientBuilder, ZOOM_API_URL, ZOOM_FILE_URL, ZOOM_OAUTH_URL, ZOOM_WEBHOOK_URL, ZoomClient};
pub use error::{Error, Result};
pub use messages::{AccountClient, MessageReceipt, SendMessage, SentMessage};
pub use paging::Listing;

// The README's Rust examples compile, as doctests (some use the `redis` feature; CI tests
// with every feature).
#[cfg(all(doctest, feature = "redis"))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
pub use secrecy::SecretString;
/// The generated client and types this crate is built on.
pub use zoom_api_gen as api;
pub use zoom_api_gen::types;
