//! A bot's endpoint: Zoom's requests verified, the URL-validation handshake answered, and
//! each event dispatched to a handler, by slash command or by button value. Zoom is answered
//! at once (it waits three seconds at most); handlers run after, and answer through the API.
//!
//! The core works on the `http` crate's types ([`Bot::handle`]), so any server can host it;
//! with the `axum` feature (on by default), [`Bot::router`] gives a ready `axum::Router`.
//!
//! Handlers are registered by [`EventKind`] with [`Bot::on`], or by the word or value they
//! answer with [`Bot::on_command`], [`Bot::on_button`] and [`Bot::on_select`]; commands also
//! by prefix ([`Bot::on_prefix`]) and pattern ([`Bot::on_pattern`]), tried in that order (see
//! [`crate::routes`]). A handler returns `()` or a `zoom_chatbot::Result<T>` (see
//! [`IntoHandlerResult`]). Layers ([`Bot::layer`]) see every event before its handler and may
//! stop it.
//!
//! Zoom's Team Chat events (`team_chat.channel_message_posted` and the others of
//! [`EventKind`]) reach `Bot::on` like the rest; their payloads' objects are read typed with
//! [`Context::object`] (`ctx.object::<types::TeamChatChannelMessage>()`), and
//! [`Context::reply`] answers in the channel an event names.
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient) {
//! use zoom_chatbot::bot::{Bot, EventKind};
//! use zoom_chatbot::card::{Actions, Button, Card, Text};
//! use zoom_chatbot::SecretString;
//!
//! let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned()))
//!     .on_command("ping", |ctx| async move {
//!         let card = Card::new().head("pong").push(Actions::new().button(Button::primary("Again", "again"))).build()?;
//!         ctx.reply(card).await
//!     })
//!     .on_button("again", |ctx| async move {
//!         ctx.edit_card(Card::new().head("pong, again").build()?).await
//!     })
//!     .on(EventKind::TeamChatAppMention, |ctx| async move {
//!         tracing::info!(account = ?ctx.account_id(), "mentioned");
//!     });
//! let app = bot.router("/zoom/events");
//! # let _ = app; }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use secrecy::SecretString;
use zoom_api_gen::types::{self, ZoomEvent};

use crate::callback::{Callback, CallbackReceipt};
use crate::client::ZoomClient;
use crate::error::{Error, Result};
use crate::ids::ChannelId;
use crate::ids::{AccountId, BotJid, MessageId, Recipient, UserJid};
use crate::installs::{InstallStore, Installation};
use crate::layers::Layers;
use crate::macros::setters;
use crate::messages::{AccountClient, MessageReceipt, SentMessage};
use crate::routes::{Captures, Regex, Routes};
use crate::tasks::{Refused, TaskPool};
use crate::webhook::{Event, MalformedEvent, RedactedEvent, SIGNATURE_HEADER, TIMESTAMP_HEADER, Verifier};

pub use zoom_api_gen::events::{EventKind, EventObject};

/// What a layer ([`Bot::layer`]) decides: hand the event on (`Flow::Continue(ctx)`), or stop
/// it (`Flow::Stop`).
pub type Flow = crate::layers::Flow<Context>;

type Handler = Arc<dyn Fn(Context) -> crate::auth::BoxFuture<'static, Result<()>> + Send + Sync>;
type MalformedHandler = Arc<dyn Fn(Arc<MalformedEvent>) -> crate::auth::BoxFuture<'static, ()> + Send + Sync>;

/// How many handlers run at once by default.
pub const DEFAULT_MAX_HANDLERS: usize = 256;
/// How long an event waits for a free handler slot by default before it is answered 503 (Zoom
/// then delivers it again later). Well under the three seconds Zoom waits for an answer.
pub const DEFAULT_HANDLER_WAIT: Duration = Duration::from_secs(1);

/// The largest request body the bot's router reads (Zoom's events are a few kilobytes; one
/// that echoes a card is larger). A longer one is answered 413 without being read.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// What a handler receives: the event, a client to answer with, and the event's callback.
#[derive(Clone)]
pub struct Context {
    /// The client, to call any API.
    pub zoom: ZoomClient,
    /// The event.
    pub event: Arc<ZoomEvent>,
    callback: Option<Callback>,
    /// Whether answers act for the event's user (user-managed apps).
    user_managed: bool,
    /// The install this event recorded or removed ([`Bot::installations`]).
    installation: Option<Arc<Installation>>,
    /// What the command's prefix or pattern route matched.
    captures: Option<Arc<Captures>>,
    /// Values the layers put there for the handler.
    extensions: http::Extensions,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("event", &RedactedEvent(&self.event))
            .field("callback", &self.callback)
            .finish_non_exhaustive()
    }
}

/// What a handler may return: `()`, or a `Result` whose error the bot logs (at WARN, with
/// the event's name) and counts. So a handler can end with the call that answers,
/// `ctx.reply(card).await`, whatever that call gives back on success.
pub trait IntoHandlerResult: Send + 'static {
    /// The outcome, as the bot's task pool records it.
    fn into_handler_result(self) -> Result<()>;
}

impl IntoHandlerResult for () {
    fn into_handler_result(self) -> Result<()> {
        Ok(())
    }
}

impl<T: Send + 'static> IntoHandlerResult for Result<T> {
    fn into_handler_result(self) -> Result<()> {
        self.map(|_| ())
    }
}

/// A handler of events: an async function or closure taking the [`Context`] and giving `()`
/// or a `Result` ([`IntoHandlerResult`]), as every `on_*` method of [`Bot`] takes it. Every
/// such function is one; there is nothing to implement.
///
/// ```
/// use zoom_chatbot::bot::{Context, EventHandler};
///
/// async fn status(ctx: Context) -> zoom_chatbot::Result<()> {
///     ctx.reply(zoom_chatbot::card::Card::new().head("all green").build()?).await?;
///     Ok(())
/// }
///
/// fn is_handler(_: impl EventHandler) {}
/// is_handler(status);
/// is_handler(|_ctx| async {});
/// ```
pub trait EventHandler: Fn(Context) -> <Self as EventHandler>::Future + Send + Sync + 'static {
    /// The future the handler gives for one event.
    type Future: Future<Output: IntoHandlerResult> + Send + 'static;
}

impl<F, Fut> EventHandler for F
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output: IntoHandlerResult> + Send + 'static,
{
    type Future = Fut;
}

/// Where an interactive event happened: the card's conversation and message id.
fn card_of(event: &ZoomEvent) -> Option<(&str, &str)> {
    event.to_jid().zip(event.message_id())
}

/// The channel a Team Chat event names (by id: Zoom's Team Chat payloads carry no JID), and
/// the message a reply threads under: the thread's main message when the event's message is
/// a reply, else the message itself.
fn team_chat_channel(event: &ZoomEvent) -> Option<(&str, Option<&str>)> {
    fn thread<'a>(main: &'a Option<String>, id: &'a str) -> Option<&'a str> {
        Some(main.as_deref().unwrap_or(id))
    }
    Some(match event {
        ZoomEvent::TeamChatChannelMessagePosted { payload, .. }
        | ZoomEvent::TeamChatChannelMessageUpdated { payload, .. } => {
            let o = &payload.object;
            (&o.channel_id, thread(&o.reply_main_message_id, &o.message_id))
        }
        // The message is gone: the answer goes in its thread, if it was a reply, else the channel.
        ZoomEvent::TeamChatChannelMessageDeleted { payload, .. } => {
            (&payload.object.channel_id, payload.object.reply_main_message_id.as_deref())
        }
        ZoomEvent::TeamChatChannelReactionAdded { payload, .. }
        | ZoomEvent::TeamChatChannelReactionRemoved { payload, .. } => {
            (&payload.object.channel_id, Some(&payload.object.msg_id))
        }
        ZoomEvent::ChatChannelMemberInvited { payload, .. } | ZoomEvent::ChatChannelMemberRemoved { payload, .. } => {
            (&payload.object.id, None)
        }
        ZoomEvent::ChatChannelMemberJoined { payload, .. } | ZoomEvent::ChatChannelMemberLeft { payload, .. } => {
            (&payload.object.id, None)
        }
        ZoomEvent::TeamChatChannelAppAdded { payload, .. } => (&payload.object.channel_id, None),
        ZoomEvent::TeamChatFileShared { payload, .. } => (payload.object.channel_id.as_deref()?, None),
        // A mention in a channel is answered in the thread of the mentioning message (a
        // mention elsewhere names no channel, and no conversation).
        ZoomEvent::TeamChatAppMention { payload, .. } => {
            let o = &payload.object;
            (o.channel_id.as_deref()?, thread(&o.reply_main_message_id, &o.message_id))
        }
        _ => return None,
    })
}

impl Context {
    /// A context for `event`, received at `received` (which starts its callback's clock when
    /// the event has no time).
    pub fn new(zoom: ZoomClient, event: ZoomEvent, received: SystemTime) -> Self {
        let callback = Callback::from_event(&event, received);
        Self {
            zoom,
            event: Arc::new(event),
            callback,
            user_managed: false,
            installation: None,
            captures: None,
            extensions: http::Extensions::new(),
        }
    }

    /// The install this event changed, with a store set by [`Bot::installations`]: for
    /// `bot_installed`, the install as recorded (with the plan and the app's data it kept
    /// from before); for `app_deauthorized`, the install just removed, for the clean-up hook
    /// (`Bot::on(EventKind::AppDeauthorized, ..)`) to delete what the app holds for that
    /// account. `None` for other events (look the account up in the store), or when there was
    /// nothing to change.
    pub fn installation(&self) -> Option<&Installation> {
        self.installation.as_deref()
    }

    setters! {
        /// For user-managed apps: answers act for the event's user (`user_jid`), as Zoom
        /// requires there. [`Bot::user_managed`] sets it on every context.
        pub fn user_managed(on: bool);
    }

    /// The account the event came from (`accountId`; `account_id` of `app_deauthorized`).
    pub fn account_id(&self) -> Option<AccountId> {
        self.event.account_id().and_then(|a| a.parse().ok())
    }

    /// The bot the event was for (`robotJid`), where the event says.
    pub fn robot_jid(&self) -> Option<BotJid> {
        self.event.robot_jid().and_then(|j| j.parse().ok())
    }

    /// The user who acted (`userJid`), where the event says.
    pub fn user_jid(&self) -> Option<UserJid> {
        self.event.user_jid().and_then(|j| j.parse().ok())
    }

    /// The chatbot in the event's account, as the event's bot, and for user-managed apps on
    /// behalf of the event's user: where every answer of this context goes. An event that
    /// names no account is refused (`event.accountId`), before anything is sent.
    pub fn account(&self) -> Result<AccountClient> {
        let event = &self.event;
        let (account, robot, user) = (event.account_id(), event.robot_jid(), event.user_jid());
        let account: AccountId = account
            .ok_or_else(|| Error::invalid("event.accountId", "is missing: the event names no account to answer in"))?
            .parse()?;
        let mut handle = self.zoom.account(&account);
        if let Some(robot) = robot {
            handle = handle.as_bot(&robot.parse()?);
        }
        if self.user_managed {
            let user = user.ok_or_else(|| {
                Error::invalid("event.userJid", "is missing: a user-managed app answers on behalf of the event's user")
            })?;
            handle = handle.on_behalf_of(&user.parse()?);
        }
        Ok(handle)
    }

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
            ZoomEvent::InteractiveMessageActions { payload, .. } => Some(payload.action_item.value.as_str()),
            _ => None,
        }
    }

    /// The values chosen in a select menu, for `interactive_message_select` (empty otherwise).
    pub fn selected_values(&self) -> Vec<&str> {
        match &*self.event {
            ZoomEvent::InteractiveMessageSelect { payload, .. } => {
                payload.selected_items.iter().map(|i| i.value.as_str()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The edited text, before and after, for `interactive_message_editable`.
    pub fn text_edit(&self) -> Option<&types::EditItem> {
        match &*self.event {
            ZoomEvent::InteractiveMessageEditable { payload, .. } => Some(&payload.edit_item),
            _ => None,
        }
    }

    /// The edited field (its key, old and new value), for `interactive_message_fields_editable`.
    pub fn field_edit(&self) -> Option<&types::FieldEditItem> {
        match &*self.event {
            ZoomEvent::InteractiveMessageFieldsEditable { payload, .. } => Some(&payload.field_edit_item),
            _ => None,
        }
    }

    /// The conversation the event happened in: where a command was typed or where the card a
    /// user acted on is. For `bot_installed`, the one-to-one chat with the user who installed
    /// the bot (`userJid`), where a welcome message goes (Zoom's "Installation and
    /// authentication" page: with the "Your App" welcome option, the app sends it after this
    /// event).
    ///
    /// The Team Chat events name a channel by id only, and no JID: this is an error for them
    /// (`event.channel_id`); [`reply`](Self::reply) looks the channel's JID up, and
    /// [`channel_id`](Self::channel_id) gives the id. So does `team_chat.app_mention` in a
    /// channel; a mention elsewhere names no conversation at all (Zoom's chatbot events
    /// page), so nothing answers it in place.
    pub fn conversation(&self) -> Result<Recipient> {
        let to = match &*self.event {
            ZoomEvent::BotInstalled { payload, .. } => payload
                .user_jid
                .as_deref()
                .filter(|jid| !jid.is_empty())
                .ok_or_else(|| Error::invalid("event.userJid", "is missing: no installer to answer"))?,
            other if team_chat_channel(other).is_some() => {
                return Err(Error::invalid(
                    "event.channel_id",
                    "names the channel by id only, with no JID; `reply` looks the JID up",
                ));
            }
            ZoomEvent::TeamChatAppMention { .. } => {
                return Err(Error::invalid(
                    "event.payload.object",
                    "names no JID and no channel: a mention outside a channel has nothing to answer in",
                ));
            }
            // A command's conversation, or an interactive event's card's.
            other => other.to_jid().ok_or_else(|| Error::invalid("event", "has no conversation"))?,
        };
        Ok(to.parse()?)
    }

    /// The channel a Team Chat event names, by id: the channel of a message, reaction,
    /// membership change, added app, file shared to a channel or mention of the app in one
    /// (`None` for other events).
    pub fn channel_id(&self) -> Option<ChannelId> {
        team_chat_channel(&self.event).and_then(|(id, _)| id.parse().ok())
    }

    /// What the command's prefix or pattern route matched ([`Bot::on_prefix`],
    /// [`Bot::on_pattern`]); `None` for other handlers.
    pub fn captures(&self) -> Option<&Captures> {
        self.captures.as_deref()
    }

    /// Values the layers put in for the handler ([`Bot::layer`]).
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// The extensions, to change: a layer puts a value there (the account's settings, say)
    /// for the handler to read with [`extensions`](Self::extensions).
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.extensions
    }

    /// The event's `payload.object`, if it carries an object of type `T`: the message of
    /// `team_chat.channel_message_posted` and `..._updated` is
    /// `object::<types::TeamChatChannelMessage>()`, the reaction of
    /// `team_chat.dm_reaction_added` and `..._removed` is `object::<types::TeamChatDmReaction>()`;
    /// [`EventObject`]'s implementors are every object the spec's events carry.
    ///
    /// ```
    /// use zoom_chatbot::bot::{Bot, Context, EventKind};
    /// use zoom_chatbot::types;
    ///
    /// async fn on_message(ctx: Context) {
    ///     if let Some(message) = ctx.object::<types::TeamChatChannelMessage>() {
    ///         tracing::info!(channel = %message.channel_id, "posted");
    ///     }
    /// }
    ///
    /// # fn wire(bot: Bot) -> Bot {
    /// bot.on(EventKind::TeamChatChannelMessagePosted, on_message)
    /// # }
    /// ```
    pub fn object<T: EventObject>(&self) -> Option<&T> {
        self.event.object()
    }

    /// The card the user acted on, for interactive events.
    pub fn message_id(&self) -> Option<MessageId> {
        card_of(&self.event).and_then(|(_, id)| id.parse().ok())
    }

    /// The card the user acted on, as Zoom echoes it, for interactive events.
    pub fn original_card(&self) -> Option<&types::EchoedCard> {
        match &*self.event {
            ZoomEvent::InteractiveMessageActions { payload, .. } => payload.original.as_ref(),
            ZoomEvent::InteractiveMessageSelect { payload, .. } => payload.original.as_ref(),
            ZoomEvent::InteractiveMessageEditable { payload, .. } => payload.original.as_ref(),
            ZoomEvent::InteractiveMessageFieldsEditable { payload, .. } => payload.original.as_ref(),
            _ => None,
        }
    }

    /// The event's callback: the one reply Zoom allows to a button click or an edit.
    pub fn callback(&self) -> Option<&Callback> {
        self.callback.as_ref()
    }

    /// Answers in the right place: in the event's account, as its bot, in the conversation of
    /// a slash command or direct message; in the thread of the card the user acted on, for
    /// interactive events.
    ///
    /// For a Team Chat event that names a channel ([`channel_id`](Self::channel_id)): in that
    /// channel, in the thread of the event's message (its thread's main message when it is a
    /// reply; the reacted-to message for a reaction; no thread for membership, an added app,
    /// a shared file, or a deleted message that was no reply). Zoom's payloads give only the
    /// channel's id, so its JID is read first with [`ZoomClient::channels`]'s `get` (one
    /// request, scope `chat_channel:read`: the client needs a server-to-server or user
    /// token). The bot must be in the channel, as for any send. The event's account is the
    /// acting user's, which Zoom leaves empty for a user of another account: such an event
    /// is refused (`event.accountId`) before anything is sent. Direct-message events, and
    /// `team_chat.channel_app_removed` (the bot is no longer there), name no conversation the
    /// bot is in, and neither does `team_chat.app_mention` outside a channel: refused, with
    /// the rule. A mention in a channel is answered in the thread of the mentioning message.
    pub async fn reply(&self, card: types::Card) -> Result<SentMessage> {
        if let Some((channel, thread)) = team_chat_channel(&self.event) {
            let account = self.account()?;
            let channel: ChannelId = channel.parse()?;
            let jid = self.zoom.channels().get(&channel).await?.jid;
            let send = account.send(jid, card);
            return match thread.map(str::parse::<MessageId>).transpose()? {
                Some(parent) => send.reply_to(&parent).await,
                None => send.await,
            };
        }
        let send = self.account()?.send(self.conversation()?, card);
        match self.message_id() {
            Some(parent) => send.reply_to(&parent).await,
            None => send.await,
        }
    }

    /// Answers through the event's callback: once, within 30 minutes, in the card's
    /// conversation. A second call (from any clone of this context) is refused without a
    /// request, as is an event without a callback.
    pub async fn callback_reply(&self, card: types::Card) -> Result<CallbackReceipt> {
        let callback = self
            .callback
            .as_ref()
            .ok_or_else(|| Error::invalid("callback", format!("a {} event carries none", self.event.kind())))?;
        self.zoom.callback_reply(callback, card).await
    }

    /// Replaces the card the user acted on (interactive events).
    pub async fn edit_card(&self, card: types::Card) -> Result<MessageReceipt> {
        let id = self.message_id().ok_or_else(|| Error::invalid("event", "has no card to edit"))?;
        self.account()?.edit_message(&id, card).await
    }

    /// Attaches a preview to the shared link, for `team_chat.link_shared`, through the
    /// event's `response_url`.
    pub async fn unfurl(&self, card: &types::Card) -> Result<()> {
        match &*self.event {
            ZoomEvent::TeamChatLinkShared { response_url, .. } => {
                self.zoom.unfurl_response_url(response_url, card).await
            }
            other => Err(Error::invalid("event", format!("a {} event has no link to unfurl", other.kind()))),
        }
    }
}

/// A bot: a verifier, a client, and handlers.
#[derive(Clone)]
pub struct Bot {
    verifier: Verifier,
    zoom: ZoomClient,
    /// Command routes: exact word, prefix, pattern.
    routes: Routes<Handler>,
    /// The layers every event passes before its handler.
    layers: Layers<Context>,
    buttons: HashMap<String, Handler>,
    /// Handlers by a chosen option's value.
    choices: HashMap<String, Handler>,
    /// Handlers by kind, for the events handled as a whole.
    by_event: HashMap<EventKind, Handler>,
    malformed: Option<MalformedHandler>,
    fallback: Option<Handler>,
    /// The running handlers, shared by every clone of this bot.
    tasks: Arc<TaskPool>,
    handler_wait: Duration,
    /// Whether answers act for the event's user (user-managed apps).
    user_managed: bool,
    /// Where the replicas record the deliveries they took, when they share one.
    #[cfg(feature = "redis")]
    dedup: Option<Dedup>,
    /// Where installs are recorded and removed ([`Bot::installations`]).
    installs: Option<Arc<dyn InstallStore>>,
}

/// What the bot does with a delivery, given the replicas' record.
#[cfg(feature = "redis")]
enum Take {
    /// Run its handler; with the claim's keys to keep for the redelivery horizon (none when
    /// there is no shared record).
    Run(Vec<String>),
    /// A replica already took it: acknowledge it, run nothing.
    Skip,
    /// The record is unreachable and the store fails closed: this answer (503).
    Refuse(http::Response<Bytes>),
}

/// The replicas' record of deliveries, and this process's own for when it is unreachable.
#[cfg(feature = "redis")]
#[derive(Clone)]
struct Dedup {
    store: crate::shared::RedisStore,
    local: Arc<crate::shared::LocalSeen>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("commands", &self.routes.words())
            .field("buttons", &self.buttons.keys().collect::<Vec<_>>())
            .field("choices", &self.choices.keys().collect::<Vec<_>>())
            .field("events", &self.by_event.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn boxed(f: impl EventHandler) -> Handler {
    Arc::new(move |ctx| {
        let running = f(ctx);
        Box::pin(async move { running.await.into_handler_result() })
    })
}

impl Bot {
    /// A bot answering with `zoom`, checking requests with the app's secret token.
    pub fn new(zoom: ZoomClient, secret_token: SecretString) -> Self {
        Self::with_verifier(zoom, Verifier::new(secret_token))
    }

    /// A bot with a verifier you configured (a replay window, say).
    pub fn with_verifier(zoom: ZoomClient, verifier: Verifier) -> Self {
        Self {
            verifier,
            zoom,
            routes: Routes::default(),
            layers: Layers::default(),
            buttons: HashMap::new(),
            choices: HashMap::new(),
            by_event: HashMap::new(),
            malformed: None,
            fallback: None,
            tasks: Arc::new(TaskPool::new(DEFAULT_MAX_HANDLERS)),
            handler_wait: DEFAULT_HANDLER_WAIT,
            user_managed: false,
            #[cfg(feature = "redis")]
            dedup: None,
            installs: None,
        }
    }

    /// Handles each event once across the replicas that share `store` (the `redis` feature;
    /// see [`crate::shared`]): a delivery another replica has taken (Zoom delivers an event
    /// again after a network failure, maybe to another replica) is answered 200 and not run
    /// again, for the store's redelivery horizon. When Redis is unreachable, the store's
    /// [`OnUnavailable`](crate::shared::OnUnavailable) decides: 503 (Zoom delivers it again
    /// later), or this replica's own record, with a WARN.
    #[cfg(feature = "redis")]
    pub fn deduplicate(mut self, store: crate::shared::RedisStore) -> Self {
        self.dedup = Some(Dedup { store, local: Arc::default() });
        self
    }

    /// How many handlers may run at once (default [`DEFAULT_MAX_HANDLERS`]). Past it, an
    /// event waits for a slot up to [`handler_wait`](Self::handler_wait), then is answered
    /// 503, so that Zoom delivers it again later rather than the bot taking on more than it
    /// can run.
    pub fn max_handlers(mut self, handlers: usize) -> Self {
        self.tasks = Arc::new(TaskPool::new(handlers));
        self
    }

    /// How long an event waits for a free handler slot (default [`DEFAULT_HANDLER_WAIT`]).
    pub fn handler_wait(mut self, wait: Duration) -> Self {
        self.handler_wait = wait;
        self
    }

    setters! {
        /// For a user-managed app (installed by each user rather than by an admin for the
        /// account): every answer through a [`Context`] acts for the event's user (`user_jid`),
        /// which Zoom requires of such apps.
        pub fn user_managed() = true;
    }

    /// How many handlers are running now (across every clone of this bot).
    pub fn running_handlers(&self) -> usize {
        self.tasks.running()
    }

    /// Stops taking events (they are answered 503, and Zoom delivers them again later) and
    /// waits up to `grace` for the running handlers to end. Returns how many still run then.
    /// Call it on a clone kept before [`router`](Self::router), after the server stopped
    /// accepting connections.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.tasks.shutdown(grace).await
    }

    /// Handles every event of `kind` that no more specific handler takes (a command, button
    /// or option with a handler of its own goes to that one). An event has one handler: a
    /// second `on` for the same kind replaces the first. `endpoint.url_validation` is answered
    /// by the bot itself and reaches no handler.
    ///
    /// For [`EventKind::BotInstalled`], [`Context::reply`] answers the user who installed the
    /// bot, one to one: a welcome message. With [`installations`](Self::installations), the
    /// install is recorded before the handler runs, and for [`EventKind::AppDeauthorized`]
    /// (the app's clean-up hook) removed before it, in [`Context::installation`]. Answer
    /// [`EventKind::TeamChatLinkShared`] with [`Context::unfurl`]; read the edits of
    /// [`EventKind::InteractiveMessageEditable`] and
    /// [`EventKind::InteractiveMessageFieldsEditable`] with [`Context::text_edit`] and
    /// [`Context::field_edit`].
    ///
    /// ```
    /// # fn run(zoom: zoom_chatbot::ZoomClient) {
    /// use zoom_chatbot::bot::{Bot, EventKind};
    /// use zoom_chatbot::card::Card;
    /// use zoom_chatbot::SecretString;
    ///
    /// let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned()))
    ///     .on(EventKind::InteractiveMessageEditable, |ctx| async move {
    ///         let now = ctx.text_edit().and_then(|e| e.target.clone()).unwrap_or_default();
    ///         ctx.reply(Card::new().head(format!("Now: {now}")).build()?).await
    ///     })
    ///     .on(EventKind::TeamChatAppMention, |_ctx| async move {});
    /// # let _ = bot; }
    /// ```
    pub fn on(mut self, kind: EventKind, handler: impl EventHandler) -> Self {
        self.by_event.insert(kind, boxed(handler));
        self
    }

    /// Handles slash commands (and direct messages) whose first word is `word` (compared in
    /// lowercase). Exact words are tried before prefixes and patterns; a second route for the
    /// same word replaces the first.
    pub fn on_command(mut self, word: &str, handler: impl EventHandler) -> Self {
        self.routes.exact(word, boxed(handler));
        self
    }

    /// Handles commands whose text starts with `prefix` (compared in lowercase), when no exact
    /// word ([`on_command`](Self::on_command)) took them; prefixes are tried in the order they
    /// were added, so add the longer first. The handler finds the prefix as typed in
    /// [`Context::captures`] group 0 and the rest of the text, trimmed, in group 1.
    ///
    /// ```
    /// # fn run(zoom: zoom_chatbot::ZoomClient) {
    /// use zoom_chatbot::bot::Bot;
    /// use zoom_chatbot::card::Card;
    /// use zoom_chatbot::SecretString;
    ///
    /// let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned()))
    ///     .on_prefix("deploy:", |ctx| async move {
    ///         let target = ctx.captures().and_then(|c| c.get(1)).unwrap_or("").to_owned();
    ///         ctx.reply(Card::new().head(format!("Deploying {target}")).build()?).await
    ///     });
    /// # let _ = bot; }
    /// ```
    pub fn on_prefix(mut self, prefix: &str, handler: impl EventHandler) -> Self {
        self.routes.prefix(prefix, boxed(handler));
        self
    }

    /// Handles commands in whose text `pattern` is found, when no exact word or prefix took
    /// them; patterns are tried in the order they were added. The groups (by number or by
    /// name) are in [`Context::captures`]. Anchor the pattern (`^...$`) to match the whole text.
    ///
    /// ```
    /// # fn run(zoom: zoom_chatbot::ZoomClient) {
    /// use zoom_chatbot::bot::Bot;
    /// use zoom_chatbot::card::Card;
    /// use zoom_chatbot::routes::Regex;
    /// use zoom_chatbot::SecretString;
    ///
    /// let ticket = Regex::new(r"^close #(?P<id>\d+)$").expect("a valid pattern");
    /// let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned()))
    ///     .on_pattern(ticket, |ctx| async move {
    ///         let id = ctx.captures().and_then(|c| c.name("id")).unwrap_or("").to_owned();
    ///         ctx.reply(Card::new().head(format!("Closed #{id}")).build()?).await
    ///     });
    /// # let _ = bot; }
    /// ```
    pub fn on_pattern(mut self, pattern: Regex, handler: impl EventHandler) -> Self {
        self.routes.pattern(pattern, boxed(handler));
        self
    }

    /// Adds a layer after the others: an async function that sees every event, with its
    /// context, before the event's handler, and hands it on (`Flow::Continue(ctx)`, changed or
    /// not: a value put in [`Context::extensions_mut`] reaches the handler) or stops it
    /// (`Flow::Stop`: no later layer and no handler runs). Layers run in the order they were
    /// added, on the event's task, after Zoom was answered: a stopped event is answered 200
    /// like any other (Zoom does not deliver it again), and a slow layer does not hold
    /// Zoom's answer. They see every event the bot takes: not the URL validation (the bot
    /// answers it), nor a request that fails verification, an event for another bot, a
    /// malformed or an unknown one. With [`installations`](Self::installations), an install
    /// is recorded (or removed) before the layers run, whatever they decide.
    ///
    /// An allowlist of accounts, and the account's settings read from the install store:
    ///
    /// ```
    /// # fn run(zoom: zoom_chatbot::ZoomClient) {
    /// use zoom_chatbot::bot::{Bot, Flow};
    /// use zoom_chatbot::installs::{InstallStore, Installation, MemoryInstalls};
    /// use zoom_chatbot::SecretString;
    ///
    /// let installs = MemoryInstalls::new();
    /// let store = installs.clone();
    /// let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned()))
    ///     .installations(installs)
    ///     .layer(|ctx| async move {
    ///         let allowed = ctx.account_id().is_some_and(|a| a.as_str() == "Wk9PTV9BQ0NPVU5U");
    ///         if allowed { Flow::Continue(ctx) } else { Flow::Stop }
    ///     })
    ///     .layer(move |mut ctx| {
    ///         let store = store.clone();
    ///         async move {
    ///             if let Some(account) = ctx.account_id()
    ///                 && let Ok(Some(install)) = store.get(&account).await
    ///             {
    ///                 ctx.extensions_mut().insert(install);
    ///             }
    ///             Flow::Continue(ctx)
    ///         }
    ///     })
    ///     .on_command("settings", |ctx| async move {
    ///         let data = ctx.extensions().get::<Installation>().map(|i| i.data.clone());
    ///         tracing::info!(?data, "this account's settings");
    ///     });
    /// # let _ = bot; }
    /// ```
    pub fn layer<F, Fut>(mut self, layer: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Flow> + Send + 'static,
    {
        self.layers.push(layer);
        self
    }

    /// Handles clicks on buttons whose value is `value`.
    pub fn on_button(mut self, value: &str, handler: impl EventHandler) -> Self {
        self.buttons.insert(value.to_owned(), boxed(handler));
        self
    }

    /// Handles choices in select menus (`interactive_message_select`) of an option whose value
    /// is `value` (the first chosen option with a handler decides); see
    /// [`Context::selected_values`]. `on(EventKind::InteractiveMessageSelect, ..)` takes the
    /// other choices.
    pub fn on_select(mut self, value: &str, handler: impl EventHandler) -> Self {
        self.choices.insert(value.to_owned(), boxed(handler));
        self
    }

    /// Handles events whose name this version knows but whose body does not fit the spec.
    /// Each is also logged at WARN with its field and error.
    pub fn on_malformed<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Arc<MalformedEvent>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.malformed = Some(Arc::new(move |m| Box::pin(handler(m))));
        self
    }

    /// Handles every known event no other handler took.
    pub fn on_other(mut self, handler: impl EventHandler) -> Self {
        self.fallback = Some(boxed(handler));
        self
    }

    /// The event's handler, and what its command route matched.
    fn handler_for(&self, event: &ZoomEvent) -> Option<(Handler, Option<Captures>)> {
        let specific = match event {
            ZoomEvent::BotNotification { payload, .. } => {
                return self.routes.route(payload.cmd.as_deref().unwrap_or("")).or_else(|| {
                    self.by_event.get(&event.kind()).or(self.fallback.as_ref()).map(|h| (h.clone(), None))
                });
            }
            ZoomEvent::InteractiveMessageActions { payload, .. } => self.buttons.get(&payload.action_item.value),
            ZoomEvent::InteractiveMessageSelect { payload, .. } => {
                payload.selected_items.iter().find_map(|item| self.choices.get(&item.value))
            }
            _ => None,
        };
        specific.or_else(|| self.by_event.get(&event.kind())).or(self.fallback.as_ref()).map(|h| (h.clone(), None))
    }

    /// Handles one request: 401 if it is not Zoom's (or a replay), the handshake answered,
    /// 200 at once for an event (its handler runs on a task of its own, on the current tokio
    /// runtime), 503 when no handler slot frees up in time or the bot is shutting down.
    pub async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
        let body = request.body();
        let event = match self.verifier.verify_and_parse(header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), body) {
            Ok(event) => event,
            Err(e) => {
                counted("unverified", "refused");
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
            Event::Malformed(malformed) => {
                counted(malformed.event.as_str(), "malformed");
                tracing::warn!(
                    event = %malformed.event,
                    field = %malformed.field,
                    error = %malformed.error,
                    "a known event does not fit the spec"
                );
                if let Some(handler) = self.malformed.clone() {
                    let slot = match self.tasks.slot(self.handler_wait).await {
                        Ok(slot) => slot,
                        Err(refused) => return unavailable(refused),
                    };
                    let malformed: Arc<MalformedEvent> = Arc::from(malformed);
                    self.tasks.spawn(slot, "malformed", async move {
                        handler(malformed).await;
                        Ok(())
                    });
                }
                return respond(http::StatusCode::OK, "application/json", serde_json::json!({}));
            }
            Event::Unknown { event, .. } => {
                counted("unknown", "unknown");
                tracing::info!(event = event.as_deref().unwrap_or("?"), "ignored an event this version does not know");
                return respond(http::StatusCode::OK, "application/json", serde_json::json!({}));
            }
        };
        if let ZoomEvent::EndpointUrlValidation { payload, .. } = &event {
            counted(event.kind().as_str(), "handled");
            let answer = self.verifier.url_validation(&payload.plain_token);
            return respond(http::StatusCode::OK, "application/json", serde_json::to_value(answer).unwrap_or_default());
        }
        let name = event.kind().as_str();
        if let Some(refused) = self.for_another_bot(&event) {
            counted(name, "refused");
            return refused;
        }
        let handler = self.handler_for(&event);
        // An event runs on a task when it has a handler, or layers to see it.
        let runs = handler.is_some() || !self.layers.is_empty();
        // The handler's slot first: an event answered 503 for want of one has changed nothing,
        // so its redelivery finds the install (or the removed one) as it was.
        let slot = match runs {
            false => None,
            true => match self.tasks.slot(self.handler_wait).await {
                Ok(slot) => Some(slot),
                Err(refused) => {
                    counted(name, "busy");
                    return unavailable(refused);
                }
            },
        };
        let installation = match self.track_install(&event).await {
            Ok(installation) => installation.map(Arc::new),
            Err(refused) => {
                counted(name, "busy");
                return refused;
            }
        };
        if let Some(slot) = slot {
            #[cfg(feature = "redis")]
            let claimed = match self.claim(name, body, header(crate::webhook::REQUEST_ID_HEADER)).await {
                Take::Run(claimed) => claimed,
                Take::Skip => {
                    counted(name, "duplicate");
                    return respond(http::StatusCode::OK, "application/json", serde_json::json!({}));
                }
                Take::Refuse(answer) => {
                    counted(name, "busy");
                    return answer;
                }
            };
            counted(name, if handler.is_some() { "handled" } else { "unhandled" });
            let mut ctx = Context::new(self.zoom.clone(), event, SystemTime::now()).user_managed(self.user_managed);
            ctx.installation = installation;
            let (handler, captures) = handler.map_or((None, None), |(h, c)| (Some(h), c));
            ctx.captures = captures.map(Arc::new);
            let learn = self.learn_plan(&ctx);
            let layers = self.layers.clone();
            self.tasks.spawn(slot, name, async move {
                learn.await;
                let Some(ctx) = layers.run(ctx).await else {
                    counted(name, "stopped");
                    return Ok(());
                };
                match handler {
                    Some(handler) => handler(ctx).await,
                    None => Ok(()),
                }
            });
            #[cfg(feature = "redis")]
            self.confirm(claimed).await;
        } else {
            counted(name, "unhandled");
        }
        respond(http::StatusCode::OK, "application/json", serde_json::json!({}))
    }

    /// Reads the event's account's plan from its install record when the client's pacing does
    /// not know it yet (its first event, or its first since the plan was let go), so its sends
    /// are paced by its own plan; a failed read leaves the pacing's default, with a WARN. A
    /// `bot_installed` gives the record just made; an `app_deauthorized` reads nothing.
    fn learn_plan(&self, ctx: &Context) -> impl Future<Output = ()> + Send + 'static {
        let pacer = self.zoom.pacer();
        let account = ctx.account_id().filter(|a| pacer.is_some_and(|p| !p.knows_plan(a.as_str())));
        let lookup = match (&*ctx.event, account) {
            // The account is gone: nothing to pace there.
            (ZoomEvent::AppDeauthorized { .. }, _) | (_, None) => None,
            // Just recorded: the record is at hand, no read needed.
            (ZoomEvent::BotInstalled { .. }, Some(account)) => {
                if let (Some(pacer), Some(install)) = (pacer, ctx.installation()) {
                    pacer.learn_plan(account.as_str(), install.plan);
                }
                None
            }
            (_, Some(account)) => self.installs.clone().map(|store| (store, self.zoom.clone(), account)),
        };
        async move {
            let Some((store, zoom, account)) = lookup else { return };
            match store.get(&account).await {
                Ok(install) => {
                    if let Some(pacer) = zoom.pacer() {
                        pacer.learn_plan(account.as_str(), install.and_then(|i| i.plan));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "the account's plan could not be read from its install record"),
            }
        }
    }

    /// The answer to an event for a bot other than the one this client is configured as
    /// (its `robotJid`): 403 with a WARN, and no handler runs. Signed with this app's secret,
    /// such an event means the bot's JID is misconfigured (a development bot's JID in
    /// production, say): answering it as this bot would be refused by Zoom, or worse.
    fn for_another_bot(&self, event: &ZoomEvent) -> Option<http::Response<Bytes>> {
        let ours = self.zoom.robot_jid()?;
        let theirs = event.robot_jid()?;
        if theirs.parse::<BotJid>().is_ok_and(|jid| &jid == ours) {
            return None;
        }
        tracing::warn!(
            event = event.kind().as_str(),
            event_robot_jid = theirs,
            configured_robot_jid = %ours,
            "refused an event for another bot"
        );
        let body = serde_json::json!({"error": "the event is for another bot"});
        Some(respond(http::StatusCode::FORBIDDEN, "application/json", body))
    }

    /// Whether this replica takes the delivery `body` (with Zoom's `request_id`, if any).
    #[cfg(feature = "redis")]
    async fn claim(&self, name: &str, body: &[u8], request_id: Option<&str>) -> Take {
        use crate::shared::Claim;
        let Some(dedup) = &self.dedup else { return Take::Run(Vec::new()) };
        let names = crate::shared::delivery_names(body, request_id);
        match dedup.store.claim_event(&names).await {
            Ok(Claim::Taken(keys)) => Take::Run(keys),
            Ok(Claim::Seen) => {
                tracing::info!(event = name, "a replica already took this delivery; not run again");
                Take::Skip
            }
            Err(e) => match dedup.store.fallback("event de-duplication", e) {
                Some(e) => {
                    tracing::warn!(event = name, error = %e, "an event was refused for now; Zoom will deliver it again");
                    let body = serde_json::json!({"error": e.to_string()});
                    Take::Refuse(respond(http::StatusCode::SERVICE_UNAVAILABLE, "application/json", body))
                }
                None if dedup.local.first(&names, dedup.store.dedup_horizon()) => Take::Run(Vec::new()),
                None => Take::Skip,
            },
        }
    }

    /// The claimed delivery's handler runs: the claim is kept for the redelivery horizon.
    #[cfg(feature = "redis")]
    async fn confirm(&self, keys: Vec<String>) {
        if let (Some(dedup), false) = (&self.dedup, keys.is_empty())
            && let Err(e) = dedup.store.confirm_event(&keys).await
        {
            // The short claim still stands for a minute; past it, a redelivery would run again.
            tracing::warn!(error = %e, "could not keep the record of a delivery for the redelivery horizon");
        }
    }

    /// An `axum::Router` serving the bot at `path` (POST), reading at most
    /// [`MAX_EVENT_BYTES`] of a request's body (413 past it).
    /// Serve it with [`serve::Server`](crate::serve::Server), which closes slow and idle
    /// connections.
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
                    match axum::body::to_bytes(body, MAX_EVENT_BYTES).await {
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

/// Counts an event received, by name and outcome (see [`crate::metrics`]).
fn counted(event: &str, outcome: &str) {
    crate::metrics::count(crate::metrics::EVENTS, &[("event", event), ("outcome", outcome)]);
}

// Installations (issue 19): `bot_installed` recorded, `app_deauthorized` removed, before
// the event's handler runs; see `crate::installs`.
impl Bot {
    /// Records each install of the bot in `store` on `bot_installed`, before the handler of
    /// [`EventKind::BotInstalled`] runs, and removes it on `app_deauthorized` before the one of
    /// [`EventKind::AppDeauthorized`] (the clean-up hook, which finds the removed install in
    /// [`Context::installation`]); then the client forgets what it kept for
    /// that account. Keep a clone of `store` to list the installs, for proactive messages.
    ///
    /// When the store fails, the event is answered 503 and no handler runs: Zoom delivers it
    /// again later (after 5, 20 and 60 minutes, its webhook page says, for an answer of 500 or
    /// more), so the install is not lost and the welcome is not sent for an install that was
    /// never recorded; a 200 would drop it for good. A `bot_installed` that names no
    /// well-formed account or bot is logged at WARN, not recorded, and handled as usual:
    /// delivering it again would not mend it.
    ///
    /// Installs are kept by account (the `accountId` of `bot_installed`, on Zoom's chatbot
    /// events page; the `account_id` of `app_deauthorized`, on its Marketplace events page),
    /// as for an app an admin installs for the account. For a user-managed app, which each
    /// user adds, the record holds the account's latest installer, and any one user's
    /// removal removes it.
    ///
    /// ```
    /// # fn run(zoom: zoom_chatbot::ZoomClient) {
    /// use zoom_chatbot::bot::{Bot, EventKind};
    /// use zoom_chatbot::card::Card;
    /// use zoom_chatbot::installs::MemoryInstalls;
    /// use zoom_chatbot::SecretString;
    ///
    /// let installs = MemoryInstalls::new();
    /// let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned()))
    ///     .installations(installs.clone())
    ///     .on(EventKind::BotInstalled, |ctx| async move {
    ///         ctx.reply(Card::new().head("Thanks for installing me. Type /help").build()?).await
    ///     })
    ///     .on(EventKind::AppDeauthorized, |ctx| async move {
    ///         if let Some(gone) = ctx.installation() {
    ///             println!("{} removed the bot; deleting its data", gone.account_id);
    ///         }
    ///     });
    /// # let _ = bot; }
    /// ```
    pub fn installations(mut self, store: impl InstallStore) -> Self {
        self.installs = Some(Arc::new(store));
        self
    }

    /// What `event` changes in the installs: the install recorded or removed, or the answer
    /// (503) when the store failed.
    async fn track_install(
        &self,
        event: &ZoomEvent,
    ) -> std::result::Result<Option<Installation>, http::Response<Bytes>> {
        let Some(store) = &self.installs else { return Ok(None) };
        let name = event.kind().as_str();
        let changed = match event {
            ZoomEvent::BotInstalled { .. } => match Installation::from_event(event, chrono::Utc::now()) {
                Ok(install) => store.record(install).await.map(Some),
                Err(e) => {
                    tracing::warn!(event = name, error = %e, "an install could not be recorded: the event does not say where");
                    return Ok(None);
                }
            },
            ZoomEvent::AppDeauthorized { payload, .. } => match payload.account_id.parse::<AccountId>() {
                Ok(account) => {
                    let removed = store.remove(&account).await;
                    if removed.is_ok() {
                        self.zoom.forget_account(&account).await;
                    }
                    removed
                }
                Err(e) => {
                    tracing::warn!(event = name, error = %e, "a removal names no well-formed account");
                    return Ok(None);
                }
            },
            _ => return Ok(None),
        };
        changed.map_err(|e| {
            tracing::warn!(event = name, error = %e, "the installs store failed: answered 503, Zoom will deliver the event again");
            let body = serde_json::json!({"error": "the installs could not be updated; deliver the event again later"});
            respond(http::StatusCode::SERVICE_UNAVAILABLE, "application/json", body)
        })
    }
}

/// The answer to an event the bot cannot take now: 503, which Zoom delivers again later.
fn unavailable(why: Refused) -> http::Response<Bytes> {
    let reason = match why {
        Refused::Busy => "every handler slot is taken",
        Refused::Closed => "the bot is shutting down",
    };
    tracing::warn!(reason, "an event was refused for now; Zoom will deliver it again");
    respond(http::StatusCode::SERVICE_UNAVAILABLE, "application/json", serde_json::json!({"error": reason}))
}

fn respond(status: http::StatusCode, content_type: &str, body: serde_json::Value) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    if let Ok(v) = http::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    response
}
