//! Delivering events to a bot as Zoom does: signed with the app's secret token, the
//! URL-validation handshake first. Events are the spec's generated types; a click is built
//! from the fake's own state (the card's conversation, the button's text, the card itself).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use zoom_api_gen::types::{self, ZoomEvent};

use super::state::{ConversationId, MessageContent};
use super::{Shared, ZoomMock};

/// A bot's endpoint that passed the URL-validation handshake.
#[derive(Clone)]
pub struct BotEndpoint {
    url: String,
    secret: String,
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

/// POSTs an event to a bot's endpoint, signed with `secret` as Zoom signs it; returns the
/// status and body of the bot's answer. For sending events without a running fake.
pub async fn post_signed(url: &str, secret: &str, event: &ZoomEvent) -> Result<(u16, String), DeliveryError> {
    let body = serde_json::to_vec(event).map_err(|e| DeliveryError::Unknown(e.to_string()))?;
    let timestamp = (now_millis() / 1000).to_string();
    let signature = zoom_signature::signature(secret.as_bytes(), &timestamp, &body);
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-zm-request-timestamp", &timestamp)
        .header("x-zm-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| DeliveryError::Unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| DeliveryError::Unreachable(e.to_string()))?;
    Ok((status, text))
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
    /// The conversation (a channel JID, or the user's JID for a direct message).
    pub to_jid: String,
    /// The acting user's JID.
    pub user_jid: String,
}

impl EventContext {
    fn user_id(&self) -> Option<String> {
        self.user_jid.split('@').next().map(str::to_owned)
    }
}

/// A slash command event: the text after the command.
pub fn slash_command_event(ctx: &EventContext, text: &str, trigger_id: Option<String>) -> ZoomEvent {
    ZoomEvent::BotNotification {
        event_ts: Some(now_millis()),
        payload: types::BotNotificationPayload {
            account_id: ctx.account_id.clone(),
            channel_name: None,
            cmd: Some(text.to_owned()),
            name: Some("Fake Bot".into()),
            robot_jid: ctx.robot_jid.clone(),
            timestamp: Some(now_millis()),
            to_jid: ctx.to_jid.clone(),
            trigger_id,
            user_id: ctx.user_id(),
            user_jid: ctx.user_jid.clone(),
            user_member_id: None,
            user_name: Some("Fake User".into()),
            user_status: Some("authorized".into()),
        },
    }
}

/// A button click event on the card `message_id` (`original` is the card as it was).
pub fn button_click_event(
    ctx: &EventContext,
    message_id: &str,
    button: types::CardButton,
    original: serde_json::Map<String, serde_json::Value>,
) -> ZoomEvent {
    ZoomEvent::InteractiveMessageActions {
        event_ts: Some(now_millis()),
        payload: types::InteractivePayload {
            account_id: ctx.account_id.clone(),
            action_item: Some(button),
            callback_token: None,
            callback_url: None,
            channel_name: None,
            edit_item: Default::default(),
            field_edit_item: Default::default(),
            message_id: message_id.to_owned(),
            original,
            robot_jid: ctx.robot_jid.clone(),
            selected_items: Vec::new(),
            timestamp: Some(now_millis()),
            to_jid: ctx.to_jid.clone(),
            user_id: ctx.user_id(),
            user_jid: ctx.user_jid.clone(),
            user_name: Some("Fake User".into()),
        },
    }
}

impl ZoomMock {
    /// Checks a bot's endpoint as Zoom does before enabling it: an `endpoint.url_validation`
    /// event whose answer must carry the plain token and its HMAC under `secret_token`.
    pub async fn connect_bot(&self, url: &str, secret_token: &str) -> Result<BotEndpoint, DeliveryError> {
        let plain = self.shared.lock().new_opaque(16);
        validate_endpoint(url, secret_token, &plain).await?;
        Ok(BotEndpoint { url: url.to_owned(), secret: secret_token.to_owned() })
    }

    /// Delivers any event, signed; returns the HTTP status the bot answered.
    pub async fn deliver(&self, bot: &BotEndpoint, event: &ZoomEvent) -> Result<u16, DeliveryError> {
        post_signed(&bot.url, &bot.secret, event).await.map(|(status, _)| status)
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
        let event = {
            let mut state = self.shared.lock();
            let trigger = state.new_opaque(16);
            state.unfurl_triggers.insert(trigger.clone());
            let ctx = EventContext {
                account_id: state.config.account_id.clone(),
                robot_jid: state.config.robot_jid.clone(),
                to_jid: to_jid.to_owned(),
                user_jid: user_jid.to_owned(),
            };
            slash_command_event(&ctx, text, Some(trigger))
        };
        self.deliver(bot, &event).await
    }

    /// A user clicks the button with `value` on the bot's card `message_id`.
    pub async fn click(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        message_id: &str,
        value: &str,
    ) -> Result<u16, DeliveryError> {
        let event = click_event(&self.shared, user_jid, message_id, value)?;
        self.deliver(bot, &event).await
    }
}

fn click_event(shared: &Shared, user_jid: &str, message_id: &str, value: &str) -> Result<ZoomEvent, DeliveryError> {
    let state = shared.lock();
    let message = state
        .messages
        .get(message_id)
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(|| DeliveryError::Unknown(format!("no message {message_id}")))?;
    let MessageContent::Card { card, .. } = &message.content else {
        return Err(DeliveryError::Unknown(format!("message {message_id} is not a card")));
    };
    let button = card
        .body
        .iter()
        .flat_map(|item| match item {
            types::CardBodyItem::Actions { items, .. } => items.clone(),
            _ => Vec::new(),
        })
        .find(|b| b.value == value)
        .ok_or_else(|| DeliveryError::Unknown(format!("message {message_id} has no button {value:?}")))?;
    let original = serde_json::to_value(card).ok().and_then(|v| v.as_object().cloned()).unwrap_or_default();
    let to_jid = match &message.conversation {
        ConversationId::Channel(_) => message.conversation.jid(),
        ConversationId::Contact(_) => user_jid.to_owned(),
    };
    let ctx = EventContext {
        account_id: state.config.account_id.clone(),
        robot_jid: state.config.robot_jid.clone(),
        to_jid,
        user_jid: user_jid.to_owned(),
    };
    Ok(button_click_event(&ctx, message_id, button, original))
}
