//! A bot's endpoint: Zoom's requests verified, the URL-validation handshake answered, and
//! each event dispatched to a handler, by slash command or by button value. Zoom is answered
//! at once (it waits three seconds at most); handlers run after, and answer through the API.
//!
//! The core works on the `http` crate's types ([`Bot::handle`]), so any server can host it;
//! with the `axum` feature (on by default), [`Bot::router`] gives a ready `axum::Router`.
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient) {
//! use zoom_chatbot::bot::Bot;
//! use zoom_chatbot::card::{Actions, Button, Card, Text};
//! use zoom_chatbot::SecretString;
//!
//! let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned()))
//!     .on_command("ping", |ctx| async move {
//!         let card = Card::new().head("pong").push(Actions::new().button(Button::primary("Again", "again"))).build()?;
//!         ctx.reply(card).await.map(|_| ())
//!     })
//!     .on_button("again", |ctx| async move {
//!         ctx.edit_card(Card::new().head("pong, again").build()?).await.map(|_| ())
//!     });
//! let app = bot.router("/zoom/events");
//! # let _ = app; }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use secrecy::SecretString;
use zoom_api_gen::types::{self, ZoomEvent};

use crate::client::{MessageReceipt, SentMessage, ZoomClient};
use crate::error::{Error, Result};
use crate::ids::{MessageId, Recipient};
use crate::webhook::{Event, SIGNATURE_HEADER, TIMESTAMP_HEADER, Verifier};

type Handler = Arc<dyn Fn(Context) -> crate::auth::BoxFuture<'static, Result<()>> + Send + Sync>;

/// What a handler receives: the event, and a client to answer with.
#[derive(Clone)]
pub struct Context {
    /// The client, to call any API.
    pub zoom: ZoomClient,
    /// The event.
    pub event: Arc<ZoomEvent>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("event", &self.event).finish_non_exhaustive()
    }
}

fn interactive(event: &ZoomEvent) -> Option<&types::InteractivePayload> {
    match event {
        ZoomEvent::InteractiveMessageActions { payload, .. }
        | ZoomEvent::InteractiveMessageSelect { payload, .. }
        | ZoomEvent::InteractiveMessageEditable { payload, .. }
        | ZoomEvent::InteractiveMessageFieldsEditable { payload, .. } => Some(payload),
        _ => None,
    }
}

impl Context {
    /// The text after the slash command (or of the direct message), for `bot_notification`.
    pub fn command_text(&self) -> Option<&str> {
        match &*self.event {
            ZoomEvent::BotNotification { payload, .. } => payload.cmd.as_deref(),
            _ => None,
        }
    }

    /// The clicked button's value, for `interactive_message_actions`.
    pub fn button_value(&self) -> Option<&str> {
        match &*self.event {
            ZoomEvent::InteractiveMessageActions { payload, .. } => {
                payload.action_item.as_ref().map(|b| b.value.as_str())
            }
            _ => None,
        }
    }

    /// The conversation the event happened in.
    pub fn conversation(&self) -> Result<Recipient> {
        let to = match &*self.event {
            ZoomEvent::BotNotification { payload, .. } => &payload.to_jid,
            other => &interactive(other).ok_or_else(|| Error::invalid("event", "has no conversation"))?.to_jid,
        };
        to.parse()
    }

    /// The card the user acted on, for interactive events.
    pub fn message_id(&self) -> Option<MessageId> {
        interactive(&self.event).and_then(|p| p.message_id.parse().ok())
    }

    /// Answers in the right place: in the conversation of a slash command or direct message;
    /// in the thread of the card the user acted on, for interactive events.
    pub async fn reply(&self, card: types::Card) -> Result<SentMessage> {
        let send = self.zoom.send(self.conversation()?, card);
        match self.message_id() {
            Some(parent) => send.reply_to(&parent).await,
            None => send.await,
        }
    }

    /// Replaces the card the user acted on (interactive events).
    pub async fn edit_card(&self, card: types::Card) -> Result<MessageReceipt> {
        let id = self.message_id().ok_or_else(|| Error::invalid("event", "has no card to edit"))?;
        self.zoom.edit_message(&id, card).await
    }
}

/// A bot: a verifier, a client, and handlers.
#[derive(Clone)]
pub struct Bot {
    verifier: Verifier,
    zoom: ZoomClient,
    commands: HashMap<String, Handler>,
    buttons: HashMap<String, Handler>,
    fallback: Option<Handler>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("commands", &self.commands.keys().collect::<Vec<_>>())
            .field("buttons", &self.buttons.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn boxed<F, Fut>(f: F) -> Handler
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    Arc::new(move |ctx| Box::pin(f(ctx)))
}

impl Bot {
    /// A bot answering with `zoom`, checking requests with the app's secret token.
    pub fn new(zoom: ZoomClient, secret_token: SecretString) -> Self {
        Self::with_verifier(zoom, Verifier::new(secret_token))
    }

    /// A bot with a verifier you configured (a replay window, say).
    pub fn with_verifier(zoom: ZoomClient, verifier: Verifier) -> Self {
        Self { verifier, zoom, commands: HashMap::new(), buttons: HashMap::new(), fallback: None }
    }

    /// Handles slash commands (and direct messages) whose first word is `word`.
    pub fn on_command<F, Fut>(mut self, word: &str, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        self.commands.insert(word.to_lowercase(), boxed(handler));
        self
    }

    /// Handles clicks on buttons whose value is `value`.
    pub fn on_button<F, Fut>(mut self, value: &str, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        self.buttons.insert(value.to_owned(), boxed(handler));
        self
    }

    /// Handles every known event no other handler took.
    pub fn on_other<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        self.fallback = Some(boxed(handler));
        self
    }

    fn handler_for(&self, event: &ZoomEvent) -> Option<Handler> {
        let specific = match event {
            ZoomEvent::BotNotification { payload, .. } => {
                let word = payload.cmd.as_deref().unwrap_or("").split_whitespace().next().unwrap_or("").to_lowercase();
                self.commands.get(&word)
            }
            ZoomEvent::InteractiveMessageActions { payload, .. } => {
                payload.action_item.as_ref().and_then(|b| self.buttons.get(&b.value))
            }
            _ => None,
        };
        specific.or(self.fallback.as_ref()).cloned()
    }

    /// Handles one request: 401 if it is not Zoom's, the handshake answered, 200 at once for
    /// an event (its handler runs on a task of its own, on the current tokio runtime).
    pub async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
        let body = request.body();
        let event = match self.verifier.verify_and_parse(header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), body) {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(error = %e, "refused a request that is not Zoom's");
                return respond(
                    http::StatusCode::UNAUTHORIZED,
                    "application/json",
                    serde_json::json!({"error": e.to_string()}),
                );
            }
        };
        let event = match event {
            Event::Known(known) => *known,
            Event::Unknown { event, .. } => {
                tracing::info!(event = event.as_deref().unwrap_or("?"), "ignored an event this version does not know");
                return respond(http::StatusCode::OK, "application/json", serde_json::json!({}));
            }
        };
        if let ZoomEvent::EndpointUrlValidation { payload, .. } = &event {
            let answer = self.verifier.url_validation(&payload.plain_token);
            return respond(http::StatusCode::OK, "application/json", serde_json::to_value(answer).unwrap_or_default());
        }
        if let Some(handler) = self.handler_for(&event) {
            let ctx = Context { zoom: self.zoom.clone(), event: Arc::new(event) };
            tokio::spawn(async move {
                if let Err(e) = handler(ctx).await {
                    tracing::warn!(error = %e, "a bot handler failed");
                }
            });
        }
        respond(http::StatusCode::OK, "application/json", serde_json::json!({}))
    }

    /// An `axum::Router` serving the bot at `path` (POST).
    #[cfg(feature = "axum")]
    pub fn router(self, path: &str) -> axum::Router {
        use axum::response::IntoResponse;
        let bot = Arc::new(self);
        axum::Router::new().route(
            path,
            axum::routing::post(move |request: axum::extract::Request| {
                let bot = bot.clone();
                async move {
                    let (parts, body) = request.into_parts();
                    match axum::body::to_bytes(body, 1 << 20).await {
                        Ok(bytes) => bot
                            .handle(http::Request::from_parts(parts, bytes))
                            .await
                            .map(axum::body::Body::from)
                            .into_response(),
                        Err(_) => http::StatusCode::PAYLOAD_TOO_LARGE.into_response(),
                    }
                }
            }),
        )
    }
}

fn respond(status: http::StatusCode, content_type: &str, body: serde_json::Value) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    if let Ok(v) = http::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    response
}
