//! Delivering events to a bot as Zoom does: signed with the app's secret token, the
//! URL-validation handshake first, each event in the shape Zoom publishes (the spec's
//! generated `ZoomEvent`). Interactive events are built from the fake's own state (the card's
//! conversation, the element acted on, the card itself) and those that Zoom gives a callback
//! get a `callback_url` and a single-use `callback_token`, which `callback.rs` honours.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use zoom_api_gen::events::EventKind;
use zoom_api_gen::types::{self, ZoomEvent};

use super::state::{Callback, ConversationId, MessageContent, State};
use super::{Shared, ZoomMock};

/// A bot's endpoint that passed the URL-validation handshake.
#[derive(Clone)]
pub struct BotEndpoint {
    url: String,
    secret: String,
    timeout: Duration,
}

impl fmt::Debug for BotEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotEndpoint").field("url", &self.url).field("secret", &"[redacted]").finish()
    }
}

impl BotEndpoint {
    /// The endpoint's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

/// Why an event could not be delivered.
#[derive(Debug)]
pub enum DeliveryError {
    /// The endpoint could not be reached, or did not answer.
    Unreachable(String),
    /// The endpoint answered the URL validation wrongly (Zoom would not enable it).
    Handshake(String),
    /// The event refers to something the fake does not hold (an unknown message, say).
    Unknown(String),
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(why) => write!(f, "the bot's endpoint could not be reached: {why}"),
            Self::Handshake(why) => write!(f, "the bot failed the URL validation: {why}"),
            Self::Unknown(why) => write!(f, "nothing to deliver: {why}"),
        }
    }
}

impl std::error::Error for DeliveryError {}

fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// How long Zoom waits for a bot's endpoint to answer an event.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(3);

/// The one HTTP client of every delivery (a connection pool shared by all events). It follows
/// no redirect: a bot's 3xx is its answer (a failed delivery), or a bot's URL could send the
/// signed events, the handshake included, to any address it names.
fn delivery_client() -> Result<&'static reqwest::Client, DeliveryError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())
    });
    client.as_ref().map_err(|why| DeliveryError::Unreachable(format!("no HTTP client: {why}")))
}

/// POSTs an event to a bot's endpoint, signed with `secret` as Zoom signs it; returns the
/// status and body of the bot's answer, or an error when the bot does not answer within
/// [`DELIVERY_TIMEOUT`], as Zoom gives up. For sending events without a running fake.
pub async fn post_signed(url: &str, secret: &str, event: &ZoomEvent) -> Result<(u16, String), DeliveryError> {
    post_signed_within(url, secret, event, DELIVERY_TIMEOUT).await
}

/// [`post_signed`], waiting at most `timeout` for the whole exchange.
pub async fn post_signed_within(
    url: &str,
    secret: &str,
    event: &ZoomEvent,
    timeout: Duration,
) -> Result<(u16, String), DeliveryError> {
    let exchange = post_signed_once(url, secret, event);
    match tokio::time::timeout(timeout, exchange).await {
        Ok(outcome) => outcome,
        Err(_) => Err(DeliveryError::Unreachable(format!("no answer within {timeout:?}"))),
    }
}

async fn post_signed_once(url: &str, secret: &str, event: &ZoomEvent) -> Result<(u16, String), DeliveryError> {
    let body = serde_json::to_vec(event).map_err(|e| DeliveryError::Unknown(e.to_string()))?;
    let timestamp = (now_millis() / 1000).to_string();
    let signature = zoom_signature::signature(secret.as_bytes(), &timestamp, &body);
    let response = delivery_client()?
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Zoom Marketplace/1.0a")
        .header("x-zm-request-timestamp", &timestamp)
        .header("x-zm-signature", signature)
        .header("x-zm-request-id", request_id())
        .body(body)
        .send()
        .await
        .map_err(|e| DeliveryError::Unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| DeliveryError::Unreachable(e.to_string()))?;
    Ok((status, text))
}

/// A new delivery id, shaped as in Zoom's example of a webhook's headers
/// (`6009d653_d487_445d_8406_42b654974899`): unique within this process.
fn request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or_default();
    format!(
        "{:08x}_{:04x}_{:04x}_{:04x}_{:012x}",
        now >> 32,
        (now >> 16) & 0xffff,
        now & 0xffff,
        std::process::id() & 0xffff,
        n & 0xffff_ffff_ffff
    )
}

/// Zoom's check of a bot's endpoint: an `endpoint.url_validation` event whose answer must
/// carry `plain` and its HMAC under `secret_token`.
pub async fn validate_endpoint(url: &str, secret_token: &str, plain: &str) -> Result<(), DeliveryError> {
    let event = ZoomEvent::EndpointUrlValidation {
        event_ts: Some(now_millis()),
        payload: types::UrlValidationPayload { plain_token: plain.to_owned() },
    };
    let (status, body) = post_signed(url, secret_token, &event).await?;
    let answer: types::UrlValidationResponse = serde_json::from_str(&body)
        .map_err(|e| DeliveryError::Handshake(format!("HTTP {status}, not a validation answer ({e})")))?;
    let expected = zoom_signature::hmac_hex(secret_token.as_bytes(), plain.as_bytes());
    if status != 200 || answer.plain_token != plain || answer.encrypted_token != expected {
        return Err(DeliveryError::Handshake(format!("HTTP {status}, tokens do not match")));
    }
    Ok(())
}

/// Who acts in an event, and where.
#[derive(Clone, Debug)]
pub struct EventContext {
    /// The account.
    pub account_id: String,
    /// The bot's JID.
    pub robot_jid: String,
    /// The conversation: a channel JID, or for a one-to-one chat with the bot
    /// `{user JID}/robot_{bot JID}`, as Zoom sends it.
    pub to_jid: String,
    /// The acting user's JID.
    pub user_jid: String,
}

impl EventContext {
    fn user_id(&self) -> Option<String> {
        self.user_jid.split('@').next().map(str::to_owned)
    }

    /// The channel's id in a channel, the user's name in a one-to-one chat, as Zoom fills
    /// `channelName`.
    fn channel_name(&self) -> Option<String> {
        match self.to_jid.parse::<ConversationId>() {
            Ok(channel @ ConversationId::Channel(_)) => Some(channel.local_part().to_owned()),
            _ => Some(FAKE_USER_NAME.to_owned()),
        }
    }
}

const FAKE_USER_NAME: &str = "Fake User";

/// The reply an interactive event allows: where to post it and with which token.
#[derive(Clone, Debug, Default)]
pub struct CallbackGrant {
    /// The event's `callback_url`.
    pub url: Option<String>,
    /// The event's `callback_token`.
    pub token: Option<String>,
}

/// The card as Zoom echoes it in an interactive event's `original`.
pub fn echoed(card: &types::Card) -> types::EchoedCard {
    serde_json::to_value(card).ok().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

/// An interactive payload: the fields every one carries, filled from `ctx`, and the event's own.
macro_rules! interactive_payload {
    ($ty:ident, $ctx:expr, $message_id:expr, $original:expr, { $($field:ident: $value:expr),* $(,)? }) => {
        types::$ty {
            account_id: $ctx.account_id.clone(),
            channel_name: $ctx.channel_name(),
            message_id: $message_id.to_owned(),
            original: $original,
            robot_jid: $ctx.robot_jid.clone(),
            to_jid: $ctx.to_jid.clone(),
            user_id: $ctx.user_id(),
            user_jid: $ctx.user_jid.clone(),
            user_name: Some(FAKE_USER_NAME.into()),
            $($field: $value,)*
        }
    };
}

/// A slash command (or a direct message to the bot): the text after the command.
pub fn slash_command_event(ctx: &EventContext, text: &str) -> ZoomEvent {
    ZoomEvent::BotNotification {
        event_ts: Some(now_millis()),
        payload: types::BotNotificationPayload {
            account_id: ctx.account_id.clone(),
            channel_name: ctx.channel_name(),
            cmd: Some(text.to_owned()),
            name: Some("Fake Bot".into()),
            robot_jid: ctx.robot_jid.clone(),
            timestamp: Some(now_millis()),
            to_jid: ctx.to_jid.clone(),
            user_id: ctx.user_id(),
            user_jid: ctx.user_jid.clone(),
            user_name: Some(FAKE_USER_NAME.into()),
        },
    }
}

/// A click on the button `item` of the card `message_id` (`original` is the card as it was).
pub fn button_click_event(
    ctx: &EventContext,
    message_id: &str,
    item: types::ActionItem,
    original: Option<types::EchoedCard>,
    callback: CallbackGrant,
) -> ZoomEvent {
    ZoomEvent::InteractiveMessageActions {
        event_ts: Some(now_millis()),
        callback_url: callback.url,
        callback_token: callback.token,
        payload: interactive_payload!(ActionsPayload, ctx, message_id, original, {
            action_item: item,
            timestamp: Some(now_millis()),
        }),
    }
}

/// A choice of `values` in a select menu of the card `message_id`. Zoom gives this event no
/// callback.
pub fn select_event(
    ctx: &EventContext,
    message_id: &str,
    values: &[String],
    original: Option<types::EchoedCard>,
) -> ZoomEvent {
    ZoomEvent::InteractiveMessageSelect {
        event_ts: Some(now_millis()),
        payload: interactive_payload!(SelectPayload, ctx, message_id, original, {
            selected_items: values.iter().map(|v| types::SelectedItem { value: v.clone() }).collect(),
            timestamp: Some(now_millis()),
        }),
    }
}

/// An edit of the editable text of the card `message_id`, from `origin` to `target`.
pub fn text_edit_event(
    ctx: &EventContext,
    message_id: &str,
    origin: Option<String>,
    target: &str,
    original: Option<types::EchoedCard>,
    callback: CallbackGrant,
) -> ZoomEvent {
    ZoomEvent::InteractiveMessageEditable {
        event_ts: Some(now_millis()),
        callback_url: callback.url,
        callback_token: callback.token,
        payload: interactive_payload!(EditablePayload, ctx, message_id, original, {
            edit_item: types::EditItem { origin, target: Some(target.to_owned()) },
            timestamp: Some(now_millis()),
        }),
    }
}

/// An edit of the editable field `key` of the card `message_id`.
pub fn field_edit_event(
    ctx: &EventContext,
    message_id: &str,
    key: &str,
    current: Option<String>,
    new: &str,
    original: Option<types::EchoedCard>,
    callback: CallbackGrant,
) -> ZoomEvent {
    ZoomEvent::InteractiveMessageFieldsEditable {
        event_ts: Some(now_millis()),
        callback_url: callback.url,
        callback_token: callback.token,
        payload: interactive_payload!(FieldsEditablePayload, ctx, message_id, original, {
            field_edit_item: types::FieldEditItem {
                key: key.to_owned(),
                current_value: current,
                new_value: Some(new.to_owned()),
            },
            // Zoom's example sends an integer here (its schema says string).
            timestamp: Some(types::IntegerOrString::Int64(now_millis())),
        }),
    }
}

/// A link shared in a message, with the unfurl endpoint of its trigger as `response_url`.
pub fn link_shared_event(ctx: &EventContext, link: &str, trigger_id: &str, response_url: &str) -> ZoomEvent {
    let now = chrono::Utc::now();
    let (kind, channel_id, contact_id) = match ctx.to_jid.parse::<ConversationId>() {
        Ok(channel @ ConversationId::Channel(_)) => {
            (types::TeamChatMessageType::ToChannel, Some(channel.local_part().to_owned()), None)
        }
        _ => (types::TeamChatMessageType::ToContact, None, ctx.user_id()),
    };
    ZoomEvent::TeamChatLinkShared {
        event_ts: now.timestamp_millis(),
        response_url: response_url.to_owned(),
        payload: types::LinkSharedPayload {
            account_id: ctx.account_id.clone(),
            by_external_user: false,
            object: types::LinkSharedObject {
                channel_id: channel_id.clone(),
                channel_name: channel_id,
                contact_id,
                contact_member_id: None,
                // The trimmed time, as Zoom writes `date_time` (seconds, `Z`).
                date_time: chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now),
                link: link.to_owned(),
                message_id: None,
                reply_main_message_id: None,
                timestamp: now.timestamp_millis(),
                trigger_id: trigger_id.to_owned(),
                type_: kind,
            },
            operator: format!("{}@example.com", ctx.user_id().unwrap_or_default()),
            operator_id: ctx.user_id().unwrap_or_default(),
            operator_member_id: ctx.user_id().unwrap_or_default(),
        },
    }
}

/// `bot_installed`: the user `installer_jid` (their name `installer_name`) installed the bot
/// `robot_jid` in `account_id`, in the shape of Zoom's published example (which carries no
/// `event_ts`).
pub fn bot_installed_event(account_id: &str, robot_jid: &str, installer_jid: &str, installer_name: &str) -> ZoomEvent {
    ZoomEvent::BotInstalled {
        event_ts: None,
        payload: types::BotInstalledPayload {
            account_id: account_id.to_owned(),
            robot_jid: robot_jid.to_owned(),
            timestamp: Some(now_millis()),
            user_id: installer_jid.split('@').next().map(str::to_owned),
            user_jid: Some(installer_jid.to_owned()),
            user_name: Some(installer_name.to_owned()),
        },
    }
}

/// `app_deauthorized`: the user `user_id` removed the app `client_id` from `account_id`, with
/// `signature` the id of this removal, in the shape of Zoom's published example (its
/// `event_ts` is a `yyyy-MM-dd HH:mm:ss` text).
pub fn app_deauthorized_event(account_id: &str, client_id: &str, user_id: &str, signature: &str) -> ZoomEvent {
    let now = chrono::Utc::now();
    ZoomEvent::AppDeauthorized {
        payload: types::AppDeauthorizedPayload {
            account_id: account_id.to_owned(),
            client_id: client_id.to_owned(),
            deauthorization_time: Some(now),
            event_ts: Some(types::NumberOrString::String(now.format("%Y-%m-%d %H:%M:%S").to_string())),
            signature: Some(signature.to_owned()),
            user_id: user_id.to_owned(),
        },
    }
}

/// One event the fake delivered to a bot, as the page lists it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// When it was sent.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The event's name ([`EventKind::as_str`]: `bot_notification`, ...), or the page's
    /// action (`click`, ...) that was refused before it became an event.
    pub event: String,
    /// What the user did: the command's text, the button's value, the new text...
    pub detail: String,
    /// The status the bot answered, or why there was no answer.
    pub outcome: Result<u16, String>,
    /// How long the bot took to answer.
    pub elapsed: Duration,
}

/// Why the page, an install or an uninstall delivered nothing.
pub(crate) const NO_BOT: &str = "no bot is connected: start zoom-mock with --bot-url (and the secret in ZOOM_WEBHOOK_SECRET_TOKEN or --bot-secret-file), or connect one on the page";

/// How many deliveries the fake remembers for the page.
pub(crate) const KEEP_DELIVERIES: usize = 200;

/// The bot the page acts on.
#[derive(Clone, Debug, Default)]
pub(crate) enum PageBot {
    /// None yet: the page offers to connect one.
    #[default]
    None,
    /// Named, not yet validated (it may start after the fake): validated at the first action.
    Pending(BotEndpoint),
    /// Validated.
    Connected(BotEndpoint),
}

/// The event's name and what the user did in it, for the page's list.
fn describe(event: &ZoomEvent) -> (String, String) {
    let name = event.kind().as_str().to_owned();
    let detail = match event {
        ZoomEvent::BotNotification { payload, .. } => payload.cmd.clone().unwrap_or_default(),
        ZoomEvent::InteractiveMessageActions { payload, .. } => format!("button {}", payload.action_item.value),
        ZoomEvent::InteractiveMessageSelect { payload, .. } => {
            let values: Vec<&str> = payload.selected_items.iter().map(|i| i.value.as_str()).collect();
            format!("chose {}", values.join(", "))
        }
        ZoomEvent::InteractiveMessageEditable { payload, .. } => {
            format!("text -> {}", payload.edit_item.target.as_deref().unwrap_or(""))
        }
        ZoomEvent::InteractiveMessageFieldsEditable { payload, .. } => {
            let item = &payload.field_edit_item;
            format!("{} -> {}", item.key, item.new_value.as_deref().unwrap_or(""))
        }
        ZoomEvent::TeamChatLinkShared { payload, .. } => payload.object.link.clone(),
        ZoomEvent::BotInstalled { payload, .. } => {
            format!("{} installed by {}", payload.account_id, payload.user_jid.as_deref().unwrap_or("?"))
        }
        ZoomEvent::AppDeauthorized { payload } => format!("{} removed by {}", payload.account_id, payload.user_id),
        _ => String::new(),
    };
    (name, detail)
}

impl Shared {
    /// Validates a bot's endpoint (the handshake), records it, and makes it the page's bot.
    pub(crate) async fn connect_bot(&self, url: &str, secret_token: &str) -> Result<BotEndpoint, DeliveryError> {
        let (plain, timeout) = {
            let mut state = self.lock();
            (state.new_opaque(16), state.config.delivery_timeout)
        };
        let started = Instant::now();
        let outcome = validate_endpoint(url, secret_token, &plain).await;
        let bot = BotEndpoint { url: url.to_owned(), secret: secret_token.to_owned(), timeout };
        let mut state = self.lock();
        state.record_delivery(Delivery {
            at: chrono::Utc::now(),
            event: EventKind::EndpointUrlValidation.as_str().into(),
            detail: url.to_owned(),
            outcome: outcome.as_ref().map(|()| 200).map_err(ToString::to_string),
            elapsed: started.elapsed(),
        });
        if outcome.is_ok() {
            state.page_bot = PageBot::Connected(bot.clone());
        }
        drop(state);
        self.changed();
        outcome.map(|()| bot)
    }

    /// Delivers `event`, signed, records the delivery for the page, and tells the page.
    pub(crate) async fn deliver(&self, bot: &BotEndpoint, event: &ZoomEvent) -> Result<u16, DeliveryError> {
        let started = Instant::now();
        let outcome = post_signed_within(&bot.url, &bot.secret, event, bot.timeout).await.map(|(status, _)| status);
        let (name, detail) = describe(event);
        self.lock().record_delivery(Delivery {
            at: chrono::Utc::now(),
            event: name,
            detail,
            outcome: outcome.as_ref().map(|s| *s).map_err(ToString::to_string),
            elapsed: started.elapsed(),
        });
        self.changed();
        outcome
    }

    /// The page's bot, validated first if it was only named; the reason when there is none.
    pub(crate) async fn page_bot(&self) -> Result<BotEndpoint, String> {
        let pending = match &self.lock().page_bot {
            PageBot::Connected(bot) => return Ok(bot.clone()),
            PageBot::Pending(bot) => bot.clone(),
            PageBot::None => return Err(NO_BOT.to_owned()),
        };
        self.connect_bot(pending.url(), pending.secret()).await.map_err(|e| e.to_string())
    }

    /// A `bot_notification` in `account`: `user_jid` typed a command with `text` in `to_jid`.
    pub(crate) fn slash_command(&self, account: &str, user_jid: &str, to_jid: &str, text: &str) -> ZoomEvent {
        slash_command_event(&self.lock().event_context(account, to_jid, user_jid), text)
    }

    /// A click on the button with `value` of the live card `message_id`.
    pub(crate) fn click(&self, user_jid: &str, message_id: &str, value: &str) -> Result<ZoomEvent, DeliveryError> {
        self.interactive(message_id, user_jid, |card, ctx, callback| {
            let button = card_items(card)
                .find_map(|item| match item {
                    types::CardBodyItem::Actions(a) => a.items.iter().find(|b| b.value == value),
                    _ => None,
                })
                .ok_or_else(|| format!("has no button {value:?}"))?;
            let item = types::ActionItem { text: Some(button.text.clone()), value: button.value.clone() };
            Ok(button_click_event(ctx, message_id, item, Some(echoed(card)), callback))
        })
    }

    /// A choice of `values` in a select menu of the live card `message_id`.
    pub(crate) fn select(&self, user_jid: &str, message_id: &str, values: &[&str]) -> Result<ZoomEvent, DeliveryError> {
        self.interactive(message_id, user_jid, |card, ctx, _| {
            let offered = |v: &str| {
                card_items(card).any(|item| match item {
                    types::CardBodyItem::Select(s) => s.select_items.iter().any(|o| o.value == v),
                    _ => false,
                })
            };
            if let Some(missing) = values.iter().find(|v| !offered(v)) {
                return Err(format!("offers no option {missing:?}"));
            }
            let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
            Ok(select_event(ctx, message_id, &values, Some(echoed(card))))
        })
    }

    /// An edit of the editable text of the live card `message_id` to `text`.
    pub(crate) fn edit_text(&self, user_jid: &str, message_id: &str, text: &str) -> Result<ZoomEvent, DeliveryError> {
        self.interactive(message_id, user_jid, |card, ctx, callback| {
            let origin = card_items(card)
                .find_map(|item| match item {
                    types::CardBodyItem::Message(m) if m.editable == Some(true) => Some(m.text.clone()),
                    _ => None,
                })
                .ok_or("has no editable text")?;
            Ok(text_edit_event(ctx, message_id, Some(origin), text, Some(echoed(card)), callback))
        })
    }

    /// An edit of the editable field `key` of the live card `message_id` to `value`.
    pub(crate) fn edit_field(
        &self,
        user_jid: &str,
        message_id: &str,
        key: &str,
        value: &str,
    ) -> Result<ZoomEvent, DeliveryError> {
        self.interactive(message_id, user_jid, |card, ctx, callback| {
            let current = card_items(card)
                .find_map(|item| match item {
                    types::CardBodyItem::Fields(f) => {
                        f.items.iter().find(|f| f.key == key && f.editable == Some(true)).map(|f| f.value.clone())
                    }
                    _ => None,
                })
                .ok_or_else(|| format!("has no editable field {key:?}"))?;
            Ok(field_edit_event(ctx, message_id, key, Some(current), value, Some(echoed(card)), callback))
        })
    }

    /// Builds an interactive event on the live card `message_id`, acted on by `user_jid`,
    /// with a fresh callback grant in that card's conversation.
    fn interactive(
        &self,
        message_id: &str,
        user_jid: &str,
        build: impl FnOnce(&types::Card, &EventContext, CallbackGrant) -> Result<ZoomEvent, String>,
    ) -> Result<ZoomEvent, DeliveryError> {
        let mut state = self.lock();
        let message = state
            .messages
            .get(message_id)
            .filter(|m| m.deleted_at.is_none())
            .ok_or_else(|| DeliveryError::Unknown(format!("no message {message_id}")))?;
        let MessageContent::Card { card, .. } = &message.content else {
            return Err(DeliveryError::Unknown(format!("message {message_id} is not a card")));
        };
        let (card, account, conversation) = (card.clone(), message.account.clone(), message.conversation.clone());
        let to_jid = match &conversation {
            ConversationId::Channel(_) => conversation.jid().to_owned(),
            ConversationId::User(_) => format!("{user_jid}/robot_{}", state.config.robot_jid),
        };
        // The card's account is where the user acts.
        let ctx = state.event_context(&account, &to_jid, user_jid);
        let callback = state.grant_callback(self, account, conversation);
        build(&card, &ctx, callback).map_err(|why| DeliveryError::Unknown(format!("message {message_id} {why}")))
    }
}

impl ZoomMock {
    /// Checks a bot's endpoint as Zoom does before enabling it: an `endpoint.url_validation`
    /// event whose answer must carry the plain token and its HMAC under `secret_token`. The
    /// bot connected last is the one the fake's page acts on.
    pub async fn connect_bot(&self, url: &str, secret_token: &str) -> Result<BotEndpoint, DeliveryError> {
        self.shared.connect_bot(url, secret_token).await
    }

    /// Names the bot the page acts on without checking it now: the handshake runs at the
    /// page's first action, so the bot may start after the fake (`zoom-mock --bot-url`).
    pub fn expect_bot(&self, url: &str, secret_token: &str) {
        let mut state = self.shared.lock();
        let timeout = state.config.delivery_timeout;
        let bot = BotEndpoint { url: url.to_owned(), secret: secret_token.to_owned(), timeout };
        state.page_bot = PageBot::Pending(bot);
    }

    /// The events delivered to bots so far, oldest first (the latest 200), with each answer.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.lock().deliveries.iter().cloned().collect()
    }

    /// Delivers any event, signed; returns the HTTP status the bot answered, or an error when
    /// it did not answer within the delivery timeout (three seconds, as Zoom waits).
    pub async fn deliver(&self, bot: &BotEndpoint, event: &ZoomEvent) -> Result<u16, DeliveryError> {
        self.shared.deliver(bot, event).await
    }

    /// A user types `/<command> {text}` in the conversation `to_jid` (a channel JID, or the
    /// user's own JID for a direct message to the bot).
    pub async fn slash_command(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        to_jid: &str,
        text: &str,
    ) -> Result<u16, DeliveryError> {
        let account = self.account_id();
        let event = self.shared.slash_command(&account, user_jid, to_jid, text);
        self.deliver(bot, &event).await
    }

    /// A user shares `link` in the conversation `to_jid`: a `team_chat.link_shared` event
    /// whose `response_url` is this fake's unfurl endpoint for a new trigger. Returns the
    /// bot's status and the trigger id.
    pub async fn share_link(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        to_jid: &str,
        link: &str,
    ) -> Result<(u16, String), DeliveryError> {
        let (event, trigger) = {
            let mut state = self.shared.lock();
            let account = state.default_account().to_owned();
            let trigger = state.new_unfurl_trigger(&account);
            let user_id = user_jid.split('@').next().unwrap_or(user_jid);
            let response_url = format!("{}/v2/im/chat/users/{user_id}/unfurls/{trigger}", self.shared.origin);
            let ctx = state.event_context(&account, to_jid, user_jid);
            (link_shared_event(&ctx, link, &trigger, &response_url), trigger)
        };
        Ok((self.deliver(bot, &event).await?, trigger))
    }

    /// A user clicks the button with `value` on the bot's card `message_id`.
    pub async fn click(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        message_id: &str,
        value: &str,
    ) -> Result<u16, DeliveryError> {
        let event = self.shared.click(user_jid, message_id, value)?;
        self.deliver(bot, &event).await
    }

    /// A user picks the options `values` in a select menu of the bot's card `message_id`.
    pub async fn select(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        message_id: &str,
        values: &[&str],
    ) -> Result<u16, DeliveryError> {
        let event = self.shared.select(user_jid, message_id, values)?;
        self.deliver(bot, &event).await
    }

    /// A user changes the editable text of the bot's card `message_id` to `text`.
    pub async fn edit_text(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        message_id: &str,
        text: &str,
    ) -> Result<u16, DeliveryError> {
        let event = self.shared.edit_text(user_jid, message_id, text)?;
        self.deliver(bot, &event).await
    }

    /// A user changes the editable field `key` of the bot's card `message_id` to `value`.
    pub async fn edit_field(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        message_id: &str,
        key: &str,
        value: &str,
    ) -> Result<u16, DeliveryError> {
        let event = self.shared.edit_field(user_jid, message_id, key, value)?;
        self.deliver(bot, &event).await
    }

    /// A callback on the live message `message_id`, as an interactive event on it would grant:
    /// for tests that post a reply without a bot.
    pub fn callback_for(&self, message_id: &str) -> Option<CallbackGrant> {
        let mut state = self.shared.lock();
        let message = state.messages.get(message_id).filter(|m| m.deleted_at.is_none())?;
        let (account, conversation) = (message.account.clone(), message.conversation.clone());
        Some(state.grant_callback(&self.shared, account, conversation))
    }
}

fn card_items(card: &types::Card) -> impl Iterator<Item = &types::CardBodyItem> {
    card.body.iter().flat_map(|item| match item {
        types::CardBodyItem::Section(s) => s.sections.iter().collect::<Vec<_>>(),
        other => vec![other],
    })
}

impl State {
    pub(crate) fn record_delivery(&mut self, delivery: Delivery) {
        self.deliveries.push_back(delivery);
        while self.deliveries.len() > KEEP_DELIVERIES {
            self.deliveries.pop_front();
        }
    }

    pub(crate) fn event_context(&self, account: &str, to_jid: &str, user_jid: &str) -> EventContext {
        EventContext {
            account_id: account.to_owned(),
            robot_jid: self.config.robot_jid.clone(),
            to_jid: to_jid.to_owned(),
            user_jid: user_jid.to_owned(),
        }
    }

    /// A new callback in `conversation` of `account`: its URL on this fake, and a token for
    /// one use within the configured lifetime (30 minutes, as Zoom's).
    fn grant_callback(&mut self, shared: &Shared, account: String, conversation: ConversationId) -> CallbackGrant {
        let id = self.new_opaque(16);
        let token = self.new_callback_token();
        let expires = Instant::now() + self.config.callback_lifetime;
        let callback = Callback { token: token.clone(), account, conversation, expires, used: false };
        self.remember_callback(id.clone(), callback);
        CallbackGrant { url: Some(format!("{}/v2/im/chat/callback/{id}", shared.origin)), token: Some(token) }
    }
}
