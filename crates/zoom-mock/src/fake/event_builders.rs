//! The events a bot receives, in the shape Zoom publishes (the spec's generated `ZoomEvent`):
//! pure functions from who acts, where and on what, to the event. The fake's own state is read
//! by `user_events.rs`, which calls these; the CLI's `event` command and tests call them too.

use std::time::{SystemTime, UNIX_EPOCH};

use zoom_api_gen::types::{self, ZoomEvent};

use super::state::files::FakeFile;
use super::state::{ConversationId, FakeChannel};

/// Now, in milliseconds since the epoch, as Zoom's `event_ts` and `timestamp`.
pub(crate) fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
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

/// An interactive event of the card `message_id`, answerable once through `callback`.
macro_rules! interactive_event {
    ($variant:ident, $ty:ident, $ctx:expr, $message_id:expr, $original:expr, $callback:expr, { $($fields:tt)* }) => {{
        let callback: CallbackGrant = $callback;
        ZoomEvent::$variant {
            event_ts: Some(now_millis()),
            callback_url: callback.url,
            callback_token: callback.token,
            payload: interactive_payload!($ty, $ctx, $message_id, $original, { $($fields)* }),
        }
    }};
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
    interactive_event!(InteractiveMessageActions, ActionsPayload, ctx, message_id, original, callback, {
        action_item: item,
        timestamp: Some(now_millis()),
    })
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
    interactive_event!(InteractiveMessageEditable, EditablePayload, ctx, message_id, original, callback, {
        edit_item: types::EditItem { origin, target: Some(target.to_owned()) },
        timestamp: Some(now_millis()),
    })
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
    let item = types::FieldEditItem { key: key.to_owned(), current_value: current, new_value: Some(new.to_owned()) };
    interactive_event!(InteractiveMessageFieldsEditable, FieldsEditablePayload, ctx, message_id, original, callback, {
        field_edit_item: item,
        // Zoom's example sends an integer here (its schema says string).
        timestamp: Some(types::IntegerOrString::Int64(now_millis())),
    })
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

/// Who acts in a Team Chat event: Zoom's `account_id`, `operator` (email), `operator_id` and
/// `operator_member_id`.
#[derive(Clone, Debug)]
pub struct Operator {
    /// The acting user's account.
    pub account_id: String,
    /// The user's id.
    pub user_id: String,
    /// The user's email address.
    pub email: String,
    /// The user's member id.
    pub member_id: String,
}

/// A Team Chat payload of `by`'s act on `object`: the operator's fields every one carries
/// (a user of the account, so not external).
macro_rules! operated {
    ($payload:ident, $by:expr, $object:expr) => {
        types::$payload {
            account_id: $by.account_id.clone(),
            by_external_user: false,
            operator: $by.email.clone(),
            operator_id: $by.user_id.clone(),
            operator_member_id: $by.member_id.clone(),
            object: $object,
        }
    };
}

/// A posted message's object, of a channel or a one-to-one chat: the fields both carry, and
/// the place's own.
macro_rules! posted_message {
    ($ty:ident, $message:expr, $event_ts:expr, { $($field:ident: $value:expr),* $(,)? }) => {
        types::$ty {
            date_time: date_time($message.sent_at),
            files: Vec::new(),
            message: Some($message.text.to_owned()),
            message_id: $message.id.to_owned(),
            reply_main_message_id: $message.reply_main.map(str::to_owned),
            rich_text: Vec::new(),
            timestamp: $event_ts,
            $($field: $value,)*
        }
    };
}

/// The event of a `MessageChange`, in one family's five variants (posted, updated, deleted,
/// reaction added and removed): an update carries the posted payload again, as Zoom's do.
macro_rules! changed {
    ($change:expr, $event_ts:expr, [$posted:ident, $updated:ident, $deleted:ident, $added:ident, $removed:ident],
     posted: $p:expr, deleted: $d:expr, reacted: |$emoji:ident| $r:expr $(,)?) => {{
        let event_ts = $event_ts;
        match $change {
            MessageChange::Posted => ZoomEvent::$posted { event_ts, payload: $p },
            MessageChange::Updated => ZoomEvent::$updated { event_ts, payload: $p },
            MessageChange::Deleted => ZoomEvent::$deleted { event_ts, payload: $d },
            MessageChange::Reacted { emoji: $emoji, added: true } => ZoomEvent::$added { event_ts, payload: $r },
            MessageChange::Reacted { emoji: $emoji, added: false } => ZoomEvent::$removed { event_ts, payload: $r },
        }
    }};
}

/// Zoom's `date_time`: the time to the second, `Z`.
fn date_time(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}

/// The channel type of a Team Chat event (1 to 5; a value outside them reads as 1).
fn event_channel_type(channel: &FakeChannel) -> types::EventChannelType {
    let value = u64::try_from(channel.kind.value()).unwrap_or(1).clamp(1, 5);
    types::EventChannelType(std::num::NonZeroU64::new(value).expect("1 to 5 is not zero"))
}

/// `team_chat.channel_message_posted`: `by` posted `text` (message `message_id`, a reply in
/// the thread of `reply_main` if given) in `channel`, now.
pub fn channel_message_posted_event(
    by: &Operator,
    channel: &FakeChannel,
    message_id: &str,
    text: &str,
    reply_main: Option<&str>,
) -> ZoomEvent {
    let message = EventMessage { id: message_id, text, reply_main, sent_at: chrono::Utc::now() };
    message_event(by, MessageIn::Channel(channel), message, MessageChange::Posted)
}

/// Where a message is, for its Team Chat event.
#[derive(Clone, Copy, Debug)]
pub enum MessageIn<'a> {
    /// A channel: a `team_chat.channel_*` event.
    Channel(&'a FakeChannel),
    /// A one-to-one chat of the actor with this user: a `team_chat.dm_*` event.
    Contact(&'a Operator),
}

/// The Team Chat event of `change` to `message`, made by `by` where the message is, in the
/// shape of Zoom's published examples.
pub fn message_event(
    by: &Operator,
    place: MessageIn<'_>,
    message: EventMessage<'_>,
    change: MessageChange<'_>,
) -> ZoomEvent {
    match place {
        MessageIn::Channel(channel) => {
            let now = chrono::Utc::now();
            let event_ts = now.timestamp_millis();
            // The fake's channels are all of the account they are made in.
            let owner = &by.account_id;
            changed!(
                change,
                event_ts,
                [
                    TeamChatChannelMessagePosted,
                    TeamChatChannelMessageUpdated,
                    TeamChatChannelMessageDeleted,
                    TeamChatChannelReactionAdded,
                    TeamChatChannelReactionRemoved
                ],
                posted: operated!(
                    TeamChatChannelMessagePayload,
                    by,
                    posted_message!(TeamChatChannelMessage, message, event_ts, {
                        at_items: Vec::new(),
                        channel_id: channel.id.clone(),
                        channel_name: channel.name.clone(),
                        channel_owner_account_id: owner.clone(),
                        session_id: channel.id.clone(),
                    })
                ),
                deleted: operated!(
                    TeamChatChannelMessageDeletedPayload,
                    by,
                    types::TeamChatChannelMessageDeleted {
                        channel_id: channel.id.clone(),
                        channel_name: channel.name.clone(),
                        channel_owner_account_id: owner.clone(),
                        date_time: date_time(message.sent_at),
                        message_id: message.id.to_owned(),
                        reply_main_message_id: message.reply_main.map(str::to_owned),
                        timestamp: event_ts,
                    }
                ),
                reacted: |emoji| operated!(
                    TeamChatChannelReactionPayload,
                    by,
                    types::TeamChatChannelReaction {
                        channel_id: channel.id.clone(),
                        emoji: emoji.to_owned(),
                        emoji_time: date_time(now),
                        msg_id: message.id.to_owned(),
                        msg_time: date_time(message.sent_at),
                        timestamp: event_ts,
                    }
                ),
            )
        }
        MessageIn::Contact(contact) => {
            let event_ts = now_millis();
            let contact_account_id = Some(contact.account_id.clone());
            changed!(
                change,
                event_ts,
                [
                    TeamChatDmMessagePosted,
                    TeamChatDmMessageUpdated,
                    TeamChatDmMessageDeleted,
                    TeamChatDmReactionAdded,
                    TeamChatDmReactionRemoved
                ],
                posted: operated!(
                    TeamChatDmMessagePayload,
                    by,
                    posted_message!(TeamChatDmMessage, message, event_ts, {
                        contact_account_id: contact_account_id.clone(),
                        contact_email: contact.email.clone(),
                        contact_id: contact.user_id.clone(),
                        contact_member_id: contact.member_id.clone(),
                        session_id: contact.user_id.clone(),
                    })
                ),
                deleted: operated!(
                    TeamChatDmMessageDeletedPayload,
                    by,
                    types::TeamChatDmMessageDeleted {
                        contact_account_id: contact_account_id.clone(),
                        contact_email: contact.email.clone(),
                        contact_id: contact.user_id.clone(),
                        contact_member_id: contact.member_id.clone(),
                        date_time: date_time(message.sent_at),
                        message_id: message.id.to_owned(),
                        reply_main_message_id: message.reply_main.map(str::to_owned),
                        timestamp: event_ts,
                    }
                ),
                reacted: |emoji| operated!(
                    TeamChatDmReactionPayload,
                    by,
                    types::TeamChatDmReaction {
                        contact_email: contact.email.clone(),
                        contact_id: contact.user_id.clone(),
                        contact_member_id: contact.member_id.clone(),
                        emoji: emoji.to_owned(),
                        // Zoom's examples send the epoch milliseconds here.
                        emoji_time: types::TeamChatDmReactionEmojiTime::Int64(event_ts),
                        msg_id: message.id.to_owned(),
                        msg_time: date_time(message.sent_at),
                        timestamp: event_ts,
                    }
                ),
            )
        }
    }
}

/// What became of a message, for its Team Chat event.
#[derive(Clone, Copy, Debug)]
pub enum MessageChange<'a> {
    /// It was posted: `team_chat.channel_message_posted` or `team_chat.dm_message_posted`.
    Posted,
    /// Its text changed: `..._message_updated`.
    Updated,
    /// It was deleted: `..._message_deleted`.
    Deleted,
    /// A reaction was added or taken back: `..._reaction_added` or `..._reaction_removed`.
    Reacted {
        /// The emoji, as the reaction named it.
        emoji: &'a str,
        /// Added, or taken back.
        added: bool,
    },
}

/// A message, as its Team Chat event names it.
#[derive(Clone, Copy, Debug)]
pub struct EventMessage<'a> {
    /// The message's id.
    pub id: &'a str,
    /// Its text as it now stands.
    pub text: &'a str,
    /// The main message of its thread, for a reply.
    pub reply_main: Option<&'a str>,
    /// When it was sent.
    pub sent_at: chrono::DateTime<chrono::Utc>,
}

/// Where a file was shared: a channel, by id, or a one-to-one chat with a user.
#[derive(Clone, Copy, Debug)]
pub enum SharedIn<'a> {
    /// A channel, by its id.
    Channel(&'a str),
    /// A one-to-one chat with this user.
    Contact(&'a Operator),
}

/// A file as Team Chat's file events describe it.
fn file_info(file: &FakeFile) -> types::TeamChatFileInfo {
    types::TeamChatFileInfo {
        file_id: file.id.clone(),
        file_name: file.name.clone(),
        file_size: file.bytes.len() as i64,
        os_file_type: file.extension(),
    }
}

/// `team_chat.file_shared`: `by` shared `file` in `place`.
pub fn file_shared_event(by: &Operator, place: SharedIn<'_>, file: &FakeFile) -> ZoomEvent {
    let (type_, channel_id, contact) = match place {
        SharedIn::Channel(id) => (types::TeamChatMessageType::ToChannel, Some(id.to_owned()), None),
        SharedIn::Contact(contact) => (types::TeamChatMessageType::ToContact, None, Some(contact)),
    };
    ZoomEvent::TeamChatFileShared {
        event_ts: now_millis(),
        payload: operated!(
            TeamChatFileSharedPayload,
            by,
            types::TeamChatFilesShared {
                type_,
                channel_id,
                contact_email: contact.map(|c| c.email.clone()),
                contact_id: contact.map(|c| c.user_id.clone()),
                contact_member_id: contact.map(|c| c.member_id.clone()),
                is_external_user: contact.map(|_| false),
                files: vec![file_info(file)],
            }
        ),
    }
}

/// `team_chat.file_deleted`: `by` deleted `file`.
pub fn file_deleted_event(by: &Operator, file: &FakeFile) -> ZoomEvent {
    ZoomEvent::TeamChatFileDeleted {
        event_ts: now_millis(),
        payload: types::TeamChatFileDeletedPayload {
            account_id: by.account_id.clone(),
            operator: by.email.clone(),
            operator_id: by.user_id.clone(),
            operator_member_id: by.member_id.clone(),
            object: types::TeamChatFilesDeleted { files: vec![file_info(file)] },
        },
    }
}

/// A `chat_channel.*` payload of `by`'s change to `channel` at `now`: the operator's and the
/// channel's fields every one carries, and the event's own.
macro_rules! channel_changed {
    ($payload:ident, $object:ident, $by:expr, $channel:expr, $now:expr, { $($field:ident: $value:expr),* $(,)? }) => {
        types::$payload {
            account_id: $by.account_id.clone(),
            operator: $by.email.clone(),
            operator_id: $by.user_id.clone(),
            object: types::$object {
                id: $channel.id.clone(),
                name: $channel.name.clone(),
                type_: event_channel_type($channel),
                date_time: date_time($now),
                timestamp: $now.timestamp_millis(),
                $($field: $value,)*
            },
        }
    };
}

/// `chat_channel.member_joined` (or, with `joined` false, `chat_channel.member_left`): `by`
/// joined `channel` themselves (or left it).
pub fn channel_member_event(by: &Operator, channel: &FakeChannel, joined: bool) -> ZoomEvent {
    let now = chrono::Utc::now();
    let payload = channel_changed!(ChatChannelMemberPayload, ChatChannelChanged, by, channel, now, {});
    let event_ts = now.timestamp_millis();
    if joined {
        ZoomEvent::ChatChannelMemberJoined { event_ts, payload }
    } else {
        ZoomEvent::ChatChannelMemberLeft { event_ts, payload }
    }
}

/// `chat_channel.member_invited` (or, with `invited` false, `chat_channel.member_removed`):
/// `by` added `members` to `channel` (or removed them), each named by its user id (its member
/// id for a member of another account, whose user id Zoom leaves empty) and display name.
pub fn channel_members_event(
    by: &Operator,
    channel: &FakeChannel,
    members: &[(String, String)],
    invited: bool,
) -> ZoomEvent {
    let now = chrono::Utc::now();
    let payload = channel_changed!(ChatChannelMembersPayload, ChatChannelMembers, by, channel, now, {
        members: members
            .iter()
            .map(|(id, name)| types::EventChannelMember { id: id.clone(), display_name: name.clone() })
            .collect(),
    });
    if invited {
        ZoomEvent::ChatChannelMemberInvited { event_ts: now.timestamp_millis(), payload }
    } else {
        // Zoom's example sends this one's `event_ts` as an integer too.
        ZoomEvent::ChatChannelMemberRemoved { event_ts: types::IntegerOrString::Int64(now.timestamp_millis()), payload }
    }
}

/// `team_chat.channel_app_added`: `by` added the bot (`robot_jid`, shown as `bot_name`) to
/// `channel`.
pub fn channel_app_added_event(by: &Operator, channel: &FakeChannel, robot_jid: &str, bot_name: &str) -> ZoomEvent {
    let (event_ts, payload) = channel_app_payload(by, channel, robot_jid, bot_name);
    ZoomEvent::TeamChatChannelAppAdded { event_ts, payload }
}

/// `team_chat.channel_app_removed`: `by` removed the bot (`robot_jid`, shown as `bot_name`)
/// from `channel`.
pub fn channel_app_removed_event(by: &Operator, channel: &FakeChannel, robot_jid: &str, bot_name: &str) -> ZoomEvent {
    let (event_ts, payload) = channel_app_payload(by, channel, robot_jid, bot_name);
    ZoomEvent::TeamChatChannelAppRemoved { event_ts, payload }
}

/// The payload both `team_chat.channel_app_*` events carry, and their `event_ts`. The app
/// member's id is the JID's local part, the shape of Zoom's example id.
fn channel_app_payload(
    by: &Operator,
    channel: &FakeChannel,
    robot_jid: &str,
    bot_name: &str,
) -> (i64, types::TeamChatChannelAppPayload) {
    let now = chrono::Utc::now();
    let payload = types::TeamChatChannelAppPayload {
        account_id: by.account_id.clone(),
        by_external_user: Some(false),
        operator: by.email.clone(),
        operator_id: by.user_id.clone(),
        operator_member_id: by.member_id.clone(),
        object: types::TeamChatChannelApps {
            channel_id: channel.id.clone(),
            channel_name: channel.name.clone(),
            type_: event_channel_type(channel),
            date_time: date_time(now),
            timestamp: now.timestamp_millis(),
            app_members: vec![types::EventChannelMember {
                id: robot_jid.split('@').next().unwrap_or(robot_jid).to_owned(),
                display_name: bot_name.to_owned(),
            }],
        },
    };
    (now.timestamp_millis(), payload)
}
