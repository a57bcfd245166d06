//! The Team Chat events the fake sends when its state changes, as Zoom's Team Chat webhooks
//! page publishes them: `team_chat.channel_message_posted` when a user posts in a channel
//! (the chat API's send, or the page's form), `..._updated` and `..._deleted` when they edit
//! or delete it, `team_chat.channel_reaction_added` and `..._removed` when a user reacts to a
//! channel's message or takes the reaction back; the same five as `team_chat.dm_*` in a
//! one-to-one chat between two users; `team_chat.file_shared` when a user sends a file to a
//! channel or a user, and `team_chat.file_deleted` when they delete one;
//! `chat_channel.member_invited` and
//! `chat_channel.member_removed` when the channel API adds or removes members,
//! `chat_channel.member_joined` and `_left` when a user joins or leaves one, and
//! `team_chat.channel_app_added` and `_removed` when the bot is added to a channel or removed
//! from it ([`ZoomMock::add_bot_to_channel`], [`ZoomMock::remove_bot_from_channel`]).
//!
//! Zoom sends these to an app whose event subscriptions name them. The fake holds no
//! subscriptions: its one app's endpoint is the page's bot, which receives them all. A change
//! queues its events in the state (capped); they are delivered, signed as every delivery, in
//! order, on a task of their own after the change was answered (a slow bot does not slow the
//! API), and only when a bot is connected or named: without one they are dropped.

use std::sync::Arc;

use zoom_api_gen::types;

use zoom_api_gen::events::EventKind;

use super::ZoomMock;
use super::act::record_refusal;
use super::delivery::DeliveryError;
use super::event_builders::{
    EventMessage, MessageChange, MessageIn, Operator, SharedIn, channel_app_added_event, channel_app_removed_event,
    channel_member_event, channel_members_event, channel_message_posted_event, file_deleted_event, file_shared_event,
    message_event,
};
use super::shared::Shared;
use super::state::files::FakeFile;
use super::state::{
    ChannelMember, ConversationId, FakeChannel, MessageContent, Sender, State, StoredMessage, member_id_of,
};

/// The fake bot's display name in `team_chat.channel_app_added` (Zoom's is the app's name).
const BOT_NAME: &str = "Fake Bot";

impl State {
    /// Who `user` (an id) of `account` is as an event's operator: the directory's id and
    /// email (`{id}@example.com` for a user it does not hold) and the user's member id in
    /// `channel` when a member, else the user's own (`member_id_of`).
    pub(crate) fn operator(&mut self, account: &str, user: &str, channel: Option<&str>) -> Operator {
        let known = self.account(account).and_then(|a| a.users.iter().find(|u| u.id.eq_ignore_ascii_case(user)));
        let user_id = known.map_or_else(|| user.to_owned(), |u| u.id.clone());
        let email = known.map_or_else(|| format!("{}@example.com", user.to_ascii_lowercase()), |u| u.email.clone());
        let member = channel
            .and_then(|c| self.channel(account, c))
            .and_then(|c| c.members.iter().find(|m| m.user_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(user))))
            .map(|m| m.member_id.clone());
        let member_id = member.unwrap_or_else(|| member_id_of(account, &user_id));
        Operator { account_id: account.to_owned(), user_id, email, member_id }
    }

    /// Queues the Team Chat event of `change`, made by `user` to the message `message_id` (as
    /// it now stands): a `team_chat.channel_*` event in a channel the account holds, a
    /// `team_chat.dm_*` one in a one-to-one chat between two users (none for a chat with the
    /// bot).
    pub(crate) fn message_changed(&mut self, account: &str, user: &str, message_id: &str, change: MessageChange<'_>) {
        let Some(stored) = self.messages.get(message_id) else { return };
        let (text, reply_main, sent_at) = (stored.text(), stored.reply_to.clone(), stored.sent_at);
        let message = EventMessage { id: message_id, text: &text, reply_main: reply_main.as_deref(), sent_at };
        let event = match &stored.conversation {
            ConversationId::Channel(_) => {
                let Some(channel) = self.channel(account, stored.conversation.local_part()).cloned() else { return };
                let by = self.operator(account, user, Some(&channel.id));
                message_event(&by, MessageIn::Channel(&channel), message, change)
            }
            ConversationId::User(_) => {
                // The chat's two people: its sender and the user it is with. The event is
                // for one of them acting; its contact is the other (none for a chat with the
                // bot, or with oneself).
                let Sender::User(sender) = &stored.sender else { return };
                let with = stored.conversation.local_part();
                let contact = match (sender.eq_ignore_ascii_case(user), with.eq_ignore_ascii_case(user)) {
                    (true, false) => with.to_owned(),
                    (false, true) => sender.clone(),
                    _ => return,
                };
                let (by, contact) = (self.operator(account, user, None), self.operator(account, &contact, None));
                message_event(&by, MessageIn::Contact(&contact), message, change)
            }
        };
        self.outbox.push(event);
    }

    /// Queues `team_chat.file_shared` for `file`, shared by `user` in `conversation`, or, with
    /// none, `team_chat.file_deleted` for it.
    pub(crate) fn file_changed(
        &mut self,
        account: &str,
        user: &str,
        file: &FakeFile,
        conversation: Option<&ConversationId>,
    ) {
        let event = match conversation {
            None => file_deleted_event(&self.operator(account, user, None), file),
            Some(ConversationId::Channel(_)) => {
                let local = conversation.map(|c| c.local_part()).unwrap_or_default();
                let Some(channel) = self.channel(account, local).map(|c| c.id.clone()) else { return };
                let by = self.operator(account, user, Some(&channel));
                file_shared_event(&by, SharedIn::Channel(&channel), file)
            }
            Some(chat @ ConversationId::User(_)) if !chat.local_part().eq_ignore_ascii_case(user) => {
                let (by, contact) =
                    (self.operator(account, user, None), self.operator(account, chat.local_part(), None));
                file_shared_event(&by, SharedIn::Contact(&contact), file)
            }
            // A file in one's own chat is shared with nobody.
            Some(_) => return,
        };
        self.outbox.push(event);
    }

    /// Queues `chat_channel.member_joined` (or, with `joined` false, `..._left`) for `user`,
    /// who joined `channel` themselves (or left it).
    pub(crate) fn member_moved(&mut self, account: &str, user: &str, channel: &FakeChannel, joined: bool) {
        let by = self.operator(account, user, Some(&channel.id));
        self.outbox.push(channel_member_event(&by, channel, joined));
    }

    /// Queues `chat_channel.member_invited` (or `..._removed`) for `members` of `channel`.
    pub(crate) fn members_changed(
        &mut self,
        account: &str,
        user: &str,
        channel: &str,
        members: &[ChannelMember],
        invited: bool,
    ) {
        if members.is_empty() {
            return;
        }
        let Some(channel) = self.channel(account, channel).cloned() else { return };
        let by = self.operator(account, user, Some(&channel.id));
        let named: Vec<(String, String)> = members
            .iter()
            .map(|m| {
                let id = m.user_id.clone().unwrap_or_else(|| m.member_id.clone());
                let name = m.email.as_deref().and_then(|e| e.split('@').next()).unwrap_or(&id).to_owned();
                (id, name)
            })
            .collect();
        self.outbox.push(channel_members_event(&by, &channel, &named, invited));
    }
}

impl Shared {
    /// Delivers the queued Team Chat events to the page's bot, in order, on a task of its own.
    /// One delivery runs at a time and takes all that is queued when its turn comes, so the
    /// bot gets the events in the order of the changes even when their tasks start out of it.
    pub(crate) fn send_team_chat_events(self: &Arc<Self>) {
        if self.lock().outbox.is_empty() {
            return;
        }
        let shared = self.clone();
        tokio::spawn(async move {
            let _turn = shared.team_chat_turn.lock().await;
            let (events, has_bot) = {
                let mut state = shared.lock();
                let has_bot = !matches!(state.page_bot, super::state::PageBot::None);
                (state.outbox.take(), has_bot)
            };
            if events.is_empty() || !has_bot {
                return;
            }
            let Ok(bot) = shared.page_bot().await else { return };
            for event in events {
                // Recorded in the deliveries like any other; a failure does not stop the rest.
                let _ = shared.deliver(&bot, &event).await;
            }
        });
    }

    /// `user` posts `text` in the channel `channel` of `account`: the message is stored as
    /// theirs and `team_chat.channel_message_posted` delivered to the page's bot (awaited).
    pub(crate) async fn post_in_channel(
        self: &Arc<Self>,
        account: &str,
        user: &str,
        channel: &str,
        text: &str,
    ) -> Result<u16, DeliveryError> {
        let event = {
            let mut state = self.lock();
            let Some(found) = state.channel(account, channel).cloned() else {
                drop(state);
                return self.refused(EventKind::TeamChatChannelMessagePosted, account, channel);
            };
            let conversation = ConversationId::Channel(found.jid());
            let id = state.new_message_id();
            let body: types::SendChatMessageRequest =
                serde_json::from_value(serde_json::json!({"message": text, "to_channel": found.id}))
                    .map_err(|e| DeliveryError::Unknown(e.to_string()))?;
            let message = StoredMessage::new(
                account,
                id.clone(),
                conversation,
                Sender::User(user.to_owned()),
                MessageContent::Text(body),
            );
            state.store(message);
            let by = state.operator(account, user, Some(&found.id));
            channel_message_posted_event(&by, &found, &id, text, None)
        };
        self.changed();
        self.deliver_to_page_bot(&event).await
    }

    /// `user` adds the bot to the channel `channel` of `account` (or, with `present` false,
    /// removes it): the channel holds the bot (or no longer does), and
    /// `team_chat.channel_app_added` (`_removed`) is delivered to the page's bot (awaited).
    pub(crate) async fn set_bot_in_channel(
        self: &Arc<Self>,
        account: &str,
        user: &str,
        channel: &str,
        present: bool,
    ) -> Result<u16, DeliveryError> {
        let kind = if present { EventKind::TeamChatChannelAppAdded } else { EventKind::TeamChatChannelAppRemoved };
        let event = {
            let mut state = self.lock();
            let robot = state.config.robot_jid.clone();
            let Some(found) = state.channel_mut(account, channel) else {
                drop(state);
                return self.refused(kind, account, channel);
            };
            let held = found.bots.iter().any(|b| b.eq_ignore_ascii_case(&robot));
            match (present, held) {
                (true, false) => found.bots.push(robot.clone()),
                (false, true) => found.bots.retain(|b| !b.eq_ignore_ascii_case(&robot)),
                // No change, no event: adding the bot where it is, or removing it where not.
                (true, true) | (false, false) => {
                    drop(state);
                    let why = format!("the bot is {}in channel {channel:?}", if held { "already " } else { "not " });
                    record_refusal(self, kind.as_str(), channel.to_owned(), why.clone());
                    return Err(DeliveryError::Unknown(why));
                }
            }
            let found = found.clone();
            let by = state.operator(account, user, Some(&found.id));
            match present {
                true => channel_app_added_event(&by, &found, &robot, BOT_NAME),
                false => channel_app_removed_event(&by, &found, &robot, BOT_NAME),
            }
        };
        self.changed();
        self.deliver_to_page_bot(&event).await
    }
}

impl Shared {
    /// A change that named no channel of the account: recorded for the page, and refused.
    fn refused(&self, event: EventKind, account: &str, channel: &str) -> Result<u16, DeliveryError> {
        let why = format!("no channel {channel:?} in account {account}");
        record_refusal(self, event.as_str(), channel.to_owned(), why.clone());
        Err(DeliveryError::Unknown(why))
    }

    /// Delivers `event` to the page's bot; without one, the refusal is recorded for the page.
    async fn deliver_to_page_bot(&self, event: &types::ZoomEvent) -> Result<u16, DeliveryError> {
        match self.page_bot().await {
            Ok(bot) => self.deliver(&bot, event).await,
            Err(why) => {
                record_refusal(self, event.kind().as_str(), String::new(), why.clone());
                Err(DeliveryError::Unreachable(why))
            }
        }
    }
}

impl ZoomMock {
    /// `user` (an id of the account's directory, or its default user) posts `text` in the
    /// channel `channel` (its id) of `account`, as from Zoom's client: the message is stored
    /// as theirs and `team_chat.channel_message_posted` delivered to the connected bot. The
    /// bot's answer status, or why there was none.
    pub async fn post_in_channel(
        &self,
        account: &str,
        user: &str,
        channel: &str,
        text: &str,
    ) -> Result<u16, DeliveryError> {
        self.shared.post_in_channel(account, user, channel, text).await
    }

    /// `user` adds the app's bot to the channel `channel` (its id) of `account`, as a
    /// channel member does in Zoom's client: the channel holds the bot
    /// ([`FakeChannel::bots`](super::FakeChannel::bots)) and `team_chat.channel_app_added` is
    /// delivered to the connected bot. A channel that holds the bot already is refused (and the
    /// refusal recorded): no change, no event.
    pub async fn add_bot_to_channel(&self, account: &str, user: &str, channel: &str) -> Result<u16, DeliveryError> {
        self.shared.set_bot_in_channel(account, user, channel, true).await
    }

    /// `user` removes the app's bot from the channel `channel` (its id) of `account`: the
    /// channel no longer holds the bot and `team_chat.channel_app_removed` is delivered to the
    /// connected bot. A channel without the bot is refused (and the refusal recorded).
    pub async fn remove_bot_from_channel(
        &self,
        account: &str,
        user: &str,
        channel: &str,
    ) -> Result<u16, DeliveryError> {
        self.shared.set_bot_in_channel(account, user, channel, false).await
    }
}
