//! Delivering events to a bot as Zoom does: signed with the app's secret token, the
//! URL-validation handshake first, each delivery timed out as Zoom's are, following no redirect,
//! and recorded (capped, in the state) with the bot's answer, for the page.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use zoom_api_gen::events::EventKind;
use zoom_api_gen::types::{self, ZoomEvent};

use super::ZoomMock;
use super::event_builders::now_millis;
use super::shared::Shared;
use super::state::{BotEndpoint, Delivery, PageBot};

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

/// Why the page, an install or an uninstall delivered nothing.
pub(crate) const NO_BOT: &str = "no bot is connected: start zoom-mock with --bot-url (and the secret in ZOOM_WEBHOOK_SECRET_TOKEN or --bot-secret-file), or connect one on the page";

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
        ZoomEvent::TeamChatChannelMessagePosted { payload, .. } => {
            format!("{} in {}", payload.object.message.as_deref().unwrap_or(""), payload.object.channel_name)
        }
        ZoomEvent::ChatChannelMemberInvited { payload, .. } | ZoomEvent::ChatChannelMemberRemoved { payload, .. } => {
            let ids: Vec<&str> = payload.object.members.iter().map(|m| m.id.as_str()).collect();
            format!("{} in {}", ids.join(", "), payload.object.name)
        }
        ZoomEvent::TeamChatChannelAppAdded { payload, .. } => format!("bot added to {}", payload.object.channel_name),
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
        let bot = BotEndpoint::new(url, secret_token, timeout);
        let mut state = self.lock();
        state.deliveries.record(Delivery {
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
        let outcome = post_signed_within(bot.url(), bot.secret(), event, bot.timeout()).await.map(|(status, _)| status);
        let (name, detail) = describe(event);
        self.lock().deliveries.record(Delivery {
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
        let bot = BotEndpoint::new(url, secret_token, timeout);
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
}
