//! What a user does, as events built from the fake's state and delivered to a bot: a command,
//! a shared link, and the interactive events on a live card (built from its conversation, the
//! element acted on and the card itself), which get a `callback_url` and a single-use
//! `callback_token` when Zoom gives them one (`callback.rs` honours it).

use std::time::Instant;

use zoom_api_gen::types::{self, ZoomEvent};

use super::ZoomMock;
use super::delivery::DeliveryError;
use super::event_builders::{
    CallbackGrant, EventContext, button_click_event, echoed, field_edit_event, link_shared_event, select_event,
    slash_command_event, text_edit_event,
};
use super::shared::Shared;
use super::state::{BotEndpoint, Callback, ConversationId, MessageContent, State};

impl Shared {
    /// A `bot_notification` in `account`: `user_jid` typed a command with `text` in `to_jid`.
    pub(crate) fn slash_command(&self, account: &str, user_jid: &str, to_jid: &str, text: &str) -> ZoomEvent {
        slash_command_event(&event_context(&self.lock(), account, to_jid, user_jid), text)
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
        let ctx = event_context(&state, &account, &to_jid, user_jid);
        let callback = grant_callback(&mut state, &self.origin, account, conversation);
        build(&card, &ctx, callback).map_err(|why| DeliveryError::Unknown(format!("message {message_id} {why}")))
    }
}

/// What a user does on a live card, each a method of [`ZoomMock`] that delivers to `bot` the
/// event [`Shared`]'s method of the same name builds for `user_jid` on the card `message_id`.
macro_rules! card_actions {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            $(#[$doc])*
            pub async fn $name(
                &self,
                bot: &BotEndpoint,
                user_jid: &str,
                message_id: &str,
                $($arg: $ty),*
            ) -> Result<u16, DeliveryError> {
                let event = self.shared.$name(user_jid, message_id, $($arg),*)?;
                self.deliver(bot, &event).await
            }
        )*
    };
}

impl ZoomMock {
    /// A user types `/<command> {text}` in the conversation `to_jid` (a channel JID, or the
    /// user's own JID for a direct message to the bot). The event names the user's account
    /// (the one whose default user or directory holds them; the first for a user of none).
    pub async fn slash_command(
        &self,
        bot: &BotEndpoint,
        user_jid: &str,
        to_jid: &str,
        text: &str,
    ) -> Result<u16, DeliveryError> {
        let account = self.shared.lock().account_of_user(user_jid).to_owned();
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
            let ctx = event_context(&state, &account, to_jid, user_jid);
            (link_shared_event(&ctx, link, &trigger, &response_url), trigger)
        };
        Ok((self.deliver(bot, &event).await?, trigger))
    }

    card_actions! {
        /// A user clicks the button with `value` on the bot's card `message_id`.
        fn click(value: &str);

        /// A user picks the options `values` in a select menu of the bot's card `message_id`.
        fn select(values: &[&str]);

        /// A user changes the editable text of the bot's card `message_id` to `text`.
        fn edit_text(text: &str);

        /// A user changes the editable field `key` of the bot's card `message_id` to `value`.
        fn edit_field(key: &str, value: &str);
    }

    /// A callback on the live message `message_id`, as an interactive event on it would grant:
    /// for tests that post a reply without a bot.
    pub fn callback_for(&self, message_id: &str) -> Option<CallbackGrant> {
        let mut state = self.shared.lock();
        let message = state.messages.get(message_id).filter(|m| m.deleted_at.is_none())?;
        let (account, conversation) = (message.account.clone(), message.conversation.clone());
        Some(grant_callback(&mut state, &self.shared.origin, account, conversation))
    }
}

fn card_items(card: &types::Card) -> impl Iterator<Item = &types::CardBodyItem> {
    card.body.iter().flat_map(|item| match item {
        types::CardBodyItem::Section(s) => s.sections.iter().collect::<Vec<_>>(),
        other => vec![other],
    })
}

/// Who acts: `user_jid`, in `to_jid` of `account`, to the fake's bot.
fn event_context(state: &State, account: &str, to_jid: &str, user_jid: &str) -> EventContext {
    EventContext {
        account_id: account.to_owned(),
        robot_jid: state.config.robot_jid.clone(),
        to_jid: to_jid.to_owned(),
        user_jid: user_jid.to_owned(),
    }
}

/// A new callback in `conversation` of `account`: its URL on the fake at `origin`, and a token
/// for one use within the configured lifetime (30 minutes, as Zoom's).
fn grant_callback(state: &mut State, origin: &str, account: String, conversation: ConversationId) -> CallbackGrant {
    let id = state.new_opaque(16);
    let token = state.new_callback_token();
    let expires = Instant::now() + state.config.callback_lifetime;
    let callback = Callback { token: token.clone(), account, conversation, expires, used: false };
    state.remember_callback(id.clone(), callback);
    CallbackGrant { url: Some(format!("{origin}/v2/im/chat/callback/{id}")), token: Some(token) }
}
