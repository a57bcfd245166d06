//! The user-level chat message endpoints under `/chat/users/{userId}/messages`.

use std::time::Instant;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use zoom_api_gen::types;

use super::event_builders::MessageChange;
use super::http::{Answer, Call, ErrorShape, Incoming, error, invalid_field, json, limited};
use super::state::{
    ConversationId, Listing, MessageContent, PageCursor, Revision, Sender, State, StoredMessage, TokenInfo, TokenKind,
};

const F: ErrorShape = ErrorShape::Api;

fn not_found(id: &str) -> Response {
    error(F, StatusCode::NOT_FOUND, 4131, format!("Message does not exist: {id}."))
}

/// The account a user-level call acts in: its token's.
pub(crate) fn account_of(state: &State, token: &TokenInfo) -> String {
    token.account.clone().unwrap_or_else(|| state.default_account().to_owned())
}

/// The user a path's `userId` names: `me` is the token's user (a server-to-server token's is
/// its account's default user).
pub(crate) fn resolve_user(state: &State, account: &str, token: &TokenKind, user_id: &str) -> Result<String, Response> {
    let default_user = state.account(account).map(|a| a.user_id.clone()).unwrap_or_default();
    let user = match (user_id, token) {
        ("me", TokenKind::User(u)) => u.clone(),
        ("me", _) => default_user.clone(),
        (other, _) => other.to_owned(),
    };
    if state.config.strict && user != default_user && !state.knows_user(account, &user) {
        return Err(error(F, StatusCode::NOT_FOUND, 1001, format!("User does not exist: {user_id}.")));
    }
    Ok(user)
}

/// The account a user-level call acts in (its token's) and the user a path's `userId` names.
pub(crate) fn acting(state: &State, token: &TokenInfo, user_id: &str) -> Result<(String, String), Response> {
    let account = account_of(state, token);
    let user = resolve_user(state, &account, &token.kind, user_id)?;
    Ok((account, user))
}

/// The conversation named by `to_channel` or `to_contact` (an email is mapped to the user id
/// the directory gives it).
pub(crate) fn resolve_conversation(
    state: &State,
    account: &str,
    to_channel: Option<&str>,
    to_contact: Option<&str>,
) -> Result<ConversationId, Response> {
    // The validator has made sure one is given (`x-required-one-of`); an empty one, or one
    // no JID can hold, names a conversation that does not exist.
    let channel_missing = |c: &str| error(F, StatusCode::NOT_FOUND, 4130, format!("Channel does not exist: {c}."));
    let user_missing = |u: &str| error(F, StatusCode::NOT_FOUND, 1001, format!("User does not exist: {u}."));
    let id = match (to_channel, to_contact) {
        (Some(c), _) => ConversationId::channel(c).map_err(|_| channel_missing(&c.to_ascii_lowercase()))?,
        (_, Some(u)) => {
            let users = state.account(account).map(|a| a.users.as_slice()).unwrap_or_default();
            let known = users.iter().find(|k| k.email.eq_ignore_ascii_case(u));
            // An email the directory does not hold (the fake is not strict) names a user made
            // up from it: each character an id may not hold becomes `_`, so that the same
            // email names the same conversation, by a JID.
            let made_up = || u.replace(|c: char| !zoom_api_gen::jid::allowed(c), "_");
            let id = match known {
                Some(k) => k.id.clone(),
                None if u.contains('@') => made_up(),
                None => u.to_owned(),
            };
            ConversationId::user(&id).map_err(|_| user_missing(u))?
        }
        _ => {
            return Err(invalid_field(F, "to_channel", "to_contact or to_channel is required"));
        }
    };
    if !state.exists(account, &id) {
        return Err(match (to_channel, to_contact) {
            (Some(c), _) => channel_missing(&c.to_ascii_lowercase()),
            (_, u) => user_missing(u.unwrap_or_default()),
        });
    }
    Ok(id)
}

/// A live message of `account` in the named conversation (when one is named), or 404/4131.
pub(crate) fn find<'a>(
    state: &'a State,
    account: &str,
    id: &str,
    conversation: Option<&ConversationId>,
) -> Result<&'a StoredMessage, Response> {
    match state.messages.get(id) {
        Some(m)
            if m.account == account && m.deleted_at.is_none() && conversation.is_none_or(|c| *c == m.conversation) =>
        {
            Ok(m)
        }
        _ => Err(not_found(id)),
    }
}

/// The conversation the query names (`to_channel` or `to_contact`), when it names one.
pub(crate) fn optional_conversation(
    state: &State,
    account: &str,
    req: &Incoming,
) -> Result<Option<ConversationId>, Response> {
    // An empty value names nothing, as an absent one: the message is then found by its id.
    let named = |name: &str| req.query(name).filter(|v| !v.is_empty());
    match (named("to_channel"), named("to_contact")) {
        (None, None) => Ok(None),
        (c, u) => resolve_conversation(state, account, c, u).map(Some),
    }
}

/// The opening of every handler on one message: the account the token acts in, the user the
/// path names, and the conversation the query names, if any.
fn open(
    state: &State,
    token: &TokenInfo,
    user_id: &str,
    req: &Incoming,
) -> Result<(String, String, Option<ConversationId>), Response> {
    let (account, user) = acting(state, token, user_id)?;
    let conversation = optional_conversation(state, &account, req)?;
    Ok((account, user, conversation))
}

fn sender_name(state: &State, account: &str, sender: &Sender) -> String {
    match sender {
        Sender::Bot(jid) => jid.clone(),
        Sender::IncomingWebhook(id) => format!("incoming-webhook:{id}"),
        Sender::User(u) => state
            .account(account)
            .and_then(|a| a.users.iter().find(|k| k.id.eq_ignore_ascii_case(u)))
            .map(|k| k.email.clone())
            .unwrap_or(u.clone()),
    }
}

/// A stored message as the chat API shows it.
pub(crate) fn to_chat_message(state: &State, m: &StoredMessage, with_status: bool) -> types::ChatMessage {
    let (at_items, rich_text, interactive_cards, bot_message) = match &m.content {
        MessageContent::Text(t) => {
            (t.at_items.clone(), t.rich_text.clone(), t.interactive_cards.clone(), Default::default())
        }
        MessageContent::Card { card, .. } => {
            let card = serde_json::to_value(card).ok().and_then(|v| v.as_object().cloned()).unwrap_or_default();
            (Vec::new(), Vec::new(), Vec::new(), card)
        }
    };
    let status = match (with_status, m.deleted_at.is_some(), m.is_edited()) {
        (false, ..) => None,
        (true, true, _) => Some(types::ChatMessageStatus::Deleted),
        (true, false, true) => Some(types::ChatMessageStatus::Edited),
        (true, false, false) => Some(types::ChatMessageStatus::Normal),
    };
    // A message that carries a stored file names it, as Zoom's list shows a file message.
    let file = match &m.content {
        MessageContent::Text(t) => t.file_ids.first().and_then(|id| state.files.get(&m.account, id)),
        MessageContent::Card { .. } => None,
    };
    let reply_main_message_timestamp =
        m.reply_to.as_ref().and_then(|r| state.messages.get(r)).map(|p| p.sent_at.timestamp_millis());
    types::ChatMessage {
        at_items,
        bot_message,
        date_time: Some(m.sent_at),
        download_url: None,
        file_id: file.map(|f| f.id.clone()),
        file_name: file.map(|f| f.name.clone()),
        file_size: file.map(|f| f.bytes.len() as i64),
        files: file
            .map(|f| types::ChatFile {
                file_id: Some(f.id.clone()),
                file_name: Some(f.name.clone()),
                file_size: Some(f.bytes.len() as i64),
                download_url: None,
            })
            .into_iter()
            .collect(),
        id: Some(m.id.clone()),
        interactive_cards,
        message: Some(m.text()),
        message_type: Some(types::ChatMessageMessageType::PlainTextMessage),
        message_url: None,
        reactions: m
            .reactions
            .iter()
            .map(|(emoji, users)| types::ChatReaction {
                emoji: Some(emoji.clone()),
                member_ids: Vec::new(),
                senders: users
                    .iter()
                    .map(|u| types::ReactionSender { user_id: Some(u.clone()), member_id: None })
                    .collect(),
                total_count: Some(users.len() as i64),
                user_ids: users.iter().cloned().collect(),
            })
            .collect(),
        reply_main_message_id: m.reply_to.clone(),
        reply_main_message_timestamp,
        rich_text,
        send_member_id: None,
        sender: Some(sender_name(state, &m.account, &m.sender)),
        sender_display_name: Some(sender_name(state, &m.account, &m.sender)),
        status,
        timestamp: Some(m.sent_at.timestamp_millis()),
    }
}

pub(crate) fn list(state: &mut State, call: Call<'_, String>) -> Answer {
    let req = call.req;
    let (account, _) = acting(state, &call.token, &call.path)?;
    let conversation = resolve_conversation(state, &account, req.query("to_channel"), req.query("to_contact"))?;
    let page_size = req.query("page_size").and_then(|p| p.parse::<usize>().ok()).unwrap_or(10);
    let offset = match req.query("next_page_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => match state.page_cursors.get(token) {
            Some(c) if c.account == account && c.list == Listing::Messages(conversation.clone()) && c.is_live() => {
                c.offset
            }
            _ => {
                return Err(error(F, StatusCode::BAD_REQUEST, 300, "Invalid next_page_token: unknown or expired."));
            }
        },
    };
    let include_changed = req.query("include_deleted_and_edited_message") == Some("true");
    let exclude_children = req.query("exclude_child_message") == Some("true");
    let date: Option<NaiveDate> = req.query("date").and_then(|d| d.parse().ok());
    let from: Option<DateTime<Utc>> = req.query("from").and_then(|d| d.parse().ok());
    let to: Option<DateTime<Utc>> = req.query("to").and_then(|d| d.parse().ok());
    // Without `date` or `from`, Zoom lists today's messages (UTC), today on the fake's
    // clock (where scheduled messages are sent).
    let today = state.now().date_naive();
    let day = date.or_else(|| from.is_none().then_some(today));
    let search = req.query("search_key").map(str::to_lowercase);
    let matching: Vec<&StoredMessage> = state
        .conversation(&account, &conversation)
        .into_iter()
        .rev()
        .filter(|m| include_changed || m.deleted_at.is_none())
        .filter(|m| !exclude_children || m.reply_to.is_none())
        .filter(|m| day.is_none_or(|d| m.sent_at.date_naive() == d))
        .filter(|m| from.is_none_or(|f| m.sent_at >= f) && to.is_none_or(|t| m.sent_at <= t))
        .filter(|m| search.as_ref().is_none_or(|s| m.text().to_lowercase().contains(s)))
        .collect();
    let page: Vec<types::ChatMessage> =
        matching.iter().skip(offset).take(page_size).map(|m| to_chat_message(state, m, include_changed)).collect();
    let more = offset + page.len() < matching.len();
    let next = if more {
        let token = state.new_opaque(24);
        let list = Listing::Messages(conversation);
        let cursor = PageCursor { account, list, offset: offset + page.len(), created: Instant::now() };
        state.remember_cursor(token.clone(), cursor);
        token
    } else {
        String::new()
    };
    Ok(json(
        StatusCode::OK,
        &types::ChatMessagePage {
            date: day,
            from,
            to,
            messages: page,
            next_page_token: Some(next),
            page_size: Some(page_size as i64),
        },
    ))
}

pub(crate) fn send(state: &mut State, call: Call<'_, String, types::SendChatMessageRequest>) -> Answer {
    let body = call.body;
    let (account, user) = acting(state, &call.token, &call.path)?;
    let conversation = resolve_conversation(state, &account, body.to_channel.as_deref(), body.to_contact.as_deref())?;
    let reply_to = thread_of(state, &account, body.reply_main_message_id.as_deref(), &conversation)?;
    refuse_archived(state, &account, &conversation)?;
    if let Some(at) = body.scheduled_time {
        return schedule(state, account, user, conversation, reply_to, body, at);
    }
    let channel_key = conversation.jid().to_owned();
    if let Err(l) = state.limiter.check_channel(&account, &user, &channel_key, state.instant()) {
        return Err(limited(F, l));
    }
    let id = state.new_message_id();
    let content = MessageContent::Text(body);
    let mut message = StoredMessage::new(&account, id.clone(), conversation, Sender::User(user.clone()), content);
    message.reply_to = reply_to;
    state.store(message);
    state.message_changed(&account, &user, &id, MessageChange::Posted);
    Ok(json(StatusCode::CREATED, &types::ChatMessageCreated { id: Some(id) }))
}

/// The thread a reply goes in: the id of `main`, a main message of `conversation` (a reply
/// to a reply is refused with 400/5402, as Zoom refuses it), or `None` for no thread.
pub(crate) fn thread_of(
    state: &State,
    account: &str,
    main: Option<&str>,
    conversation: &ConversationId,
) -> Result<Option<String>, Response> {
    let Some(main) = main else { return Ok(None) };
    let message = find(state, account, main, Some(conversation))?;
    if message.reply_to.is_some() {
        return Err(error(F, StatusCode::BAD_REQUEST, 5402, "This only supports replies to a main message."));
    }
    Ok(Some(message.id.clone()))
}

/// An archived channel takes no messages. Zoom's pages do not say how a send to one is
/// refused; the fake answers with Zoom's own words for an archived channel (400, code 3205, as
/// `archiveChannels` reports one).
pub(crate) fn refuse_archived(state: &State, account: &str, conversation: &ConversationId) -> Result<(), Response> {
    match conversation {
        ConversationId::Channel(_) if state.channel(account, conversation.local_part()).is_some_and(|c| c.archived) => {
            Err(error(F, StatusCode::BAD_REQUEST, 3205, "This channel has already been archived."))
        }
        _ => Ok(()),
    }
}

/// A send with `scheduled_time`: held until the fake's clock passes it, answered with its
/// draft id (lower-case, as Zoom's example `8cfaf567-bf5a-4acc-b4f2-88b3d371aca5`). Zoom wants
/// the time more than 30 minutes from now and within 180 days (400, code 300).
fn schedule(
    state: &mut State,
    account: String,
    user: String,
    conversation: ConversationId,
    reply_to: Option<String>,
    request: types::SendChatMessageRequest,
    at: DateTime<Utc>,
) -> Answer {
    let now = state.now();
    if at <= now + chrono::TimeDelta::minutes(30) || at > now + chrono::TimeDelta::days(180) {
        return Err(error(
            F,
            StatusCode::BAD_REQUEST,
            300,
            "Invalid parameter: send_time. The time requirement is more than 30 minutes from now and within 180 \
             days.",
        ));
    }
    let draft_id = state.new_message_id().to_ascii_lowercase();
    let created = now;
    let message = super::state::ScheduledMessage {
        draft_id: draft_id.clone(),
        account,
        conversation,
        user,
        request,
        reply_to,
        created,
        at,
    };
    state.schedule(message);
    Ok(json(StatusCode::CREATED, &types::ChatMessageCreated { id: Some(draft_id) }))
}

pub(crate) fn get(state: &mut State, call: Call<'_, (String, String)>) -> Answer {
    let (user_id, message_id) = call.path;
    let (account, _, conversation) = open(state, &call.token, &user_id, call.req)?;
    let m = find(state, &account, &message_id, conversation.as_ref())?;
    let mut shown = to_chat_message(state, m, false);
    shown.message_url = Some(format!("https://zoom.us/launch/chat/v2/{}", m.id));
    Ok(json(StatusCode::OK, &shown))
}

pub(crate) fn edit(state: &mut State, call: Call<'_, (String, String), types::EditChatMessageRequest>) -> Answer {
    let (user_id, message_id) = call.path;
    let body = call.body;
    let (account, user, conversation) = open(state, &call.token, &user_id, call.req)?;
    let Some(message) = state.messages.get_mut(&message_id).filter(|m| {
        m.account == account && m.deleted_at.is_none() && conversation.as_ref().is_none_or(|c| *c == m.conversation)
    }) else {
        return Err(not_found(&message_id));
    };
    let MessageContent::Text(current) = &message.content else {
        // A card, sent by a bot: not this user's to edit.
        return Err(error(F, StatusCode::BAD_REQUEST, 200, "Only the sender of this message can make updates."));
    };
    if message.sender != Sender::User(user.clone()) {
        return Err(error(F, StatusCode::BAD_REQUEST, 200, "Only the sender of this message can make updates."));
    }
    let mut updated = current.clone();
    if let Some(text) = body.message {
        updated.message = text.to_string().try_into().expect("both limits are 1024 characters");
    }
    if !body.file_ids.is_empty() {
        updated.file_ids = body.file_ids;
    }
    if !body.interactive_cards.is_empty() {
        updated.interactive_cards = body.interactive_cards;
    }
    let old = std::mem::replace(&mut message.content, MessageContent::Text(updated));
    message.edits.push(Revision { content: old, replaced_at: Utc::now() });
    state.message_changed(&account, &user, &message_id, MessageChange::Updated);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) fn delete(state: &mut State, call: Call<'_, (String, String)>) -> Answer {
    let (user_id, message_id) = call.path;
    let (account, user, conversation) = open(state, &call.token, &user_id, call.req)?;
    find(state, &account, &message_id, conversation.as_ref())?;
    if let Some(m) = state.messages.get_mut(&message_id) {
        m.deleted_at = Some(Utc::now());
    }
    state.message_changed(&account, &user, &message_id, MessageChange::Deleted);
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn missing(field: &str) -> Response {
    invalid_field(F, field, "is required")
}

pub(crate) fn react(state: &mut State, call: Call<'_, (String, String), types::ReactToChatMessageRequest>) -> Answer {
    let (user_id, message_id) = call.path;
    let body = call.body;
    let (account, user) = acting(state, &call.token, &user_id)?;
    let action = body.action;
    // The validator holds `x-required-one-of`; this only names the field again.
    let Some(emoji) = body.emoji.or(body.custom_emoji_id) else { return Err(missing("custom_emoji_id")) };
    find(state, &account, &message_id, None)?;
    let Some(message) = state.messages.get_mut(&message_id) else { return Err(not_found(&message_id)) };
    // Only a change is an event: a reaction added twice, or one never there taken back,
    // changes nothing.
    let changed = match action {
        types::ReactToChatMessageRequestAction::Add => {
            message.reactions.entry(emoji.clone()).or_default().insert(user.clone())
        }
        types::ReactToChatMessageRequestAction::Remove => match message.reactions.get_mut(&emoji) {
            Some(users) => {
                let removed = users.remove(&user);
                if users.is_empty() {
                    message.reactions.remove(&emoji);
                }
                removed
            }
            None => false,
        },
    };
    if changed {
        let added = action == types::ReactToChatMessageRequestAction::Add;
        state.message_changed(&account, &user, &message_id, MessageChange::Reacted { emoji: &emoji, added });
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) fn mark(state: &mut State, call: Call<'_, (String, String), types::MarkChatMessageRequest>) -> Answer {
    let (user_id, message_id) = call.path;
    let body = call.body;
    let (account, user) = acting(state, &call.token, &user_id)?;
    let action = body.action;
    find(state, &account, &message_id, None)?;
    let Some(message) = state.messages.get_mut(&message_id) else { return Err(not_found(&message_id)) };
    match action {
        types::MarkChatMessageRequestAction::Unread => message.unread_by.insert(user),
        types::MarkChatMessageRequestAction::Read => message.unread_by.remove(&user),
    };
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) fn thread(state: &mut State, call: Call<'_, (String, String)>) -> Answer {
    let req = call.req;
    let (user_id, message_id) = call.path;
    let (account, _, conversation) = open(state, &call.token, &user_id, req)?;
    let found = find(state, &account, &message_id, conversation.as_ref())?;
    let main = found.reply_to.clone().unwrap_or_else(|| found.id.clone());
    let Some(main_message) = state.messages.get(&main) else { return Err(not_found(&main)) };
    // The window the replies were sent in: `from` (required) to `to` (optional).
    let bound = |name: &str| req.query(name).and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let (from, to) = (bound("from"), bound("to"));
    let mut replies: Vec<&StoredMessage> = state
        .conversation(&account, &main_message.conversation)
        .into_iter()
        .filter(|m| m.deleted_at.is_none() && m.reply_to.as_deref() == Some(main.as_str()))
        .filter(|m| from.is_none_or(|f| m.sent_at >= f) && to.is_none_or(|t| m.sent_at <= t))
        .collect();
    if req.query("sort") != Some("asc") {
        replies.reverse();
    }
    let limit = req.query("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(10);
    let with_main = req.query("need_main_message") != Some("false");
    let with_emoji = req.query("need_emoji") == Some("true");
    let total = replies.len() + 1;
    let last_reply = replies.iter().map(|m| m.sent_at.timestamp_millis()).max();
    let shown = with_main
        .then_some(main_message)
        .into_iter()
        .chain(replies)
        .take(limit)
        .map(|m| types::ThreadMessage {
            at_items: Vec::new(),
            bot_message: Default::default(),
            files: Vec::new(),
            interactive_cards: Vec::new(),
            is_followed: None,
            is_reply: m.reply_to.is_some(),
            last_reply_time: if m.reply_to.is_none() { last_reply } else { None },
            message: m.text(),
            message_type: Some(types::ThreadMessageMessageType::PlainTextMessage),
            msg_id: m.id.clone(),
            reactions: if with_emoji {
                m.reactions
                    .iter()
                    .map(|(e, users)| types::ThreadReaction {
                        emoji_id: Some(e.clone()),
                        count: Some(users.len() as i64),
                        is_sender: None,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            rich_text: Vec::new(),
            sender_display_name: Some(sender_name(state, &m.account, &m.sender)),
            sender_email: None,
            sender_member_id: None,
            sender_user_id: match &m.sender {
                Sender::User(u) => Some(u.clone()),
                _ => None,
            },
            timestamp: m.sent_at.timestamp_millis(),
        })
        .collect();
    Ok(json(StatusCode::OK, &types::ChatThread { total: total as i64, messages: shown }))
}
