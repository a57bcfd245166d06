//! The chatbot message endpoints: send, edit, delete, unfurl.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use zoom_api_gen::types;

use super::http::{Answer, Call, ErrorShape, error, json};
use super::state::{ConversationId, MessageContent, Revision, Sender, State, StoredMessage};

const F: ErrorShape = ErrorShape::Chatbot;

/// `sent_time` of a send answer: `yyyy-MM-dd HH:mm:ss`, UTC.
pub(crate) fn sent_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `sent_time` of an edit or delete answer: with ` +0000` appended, as Zoom does.
pub(crate) fn sent_time_with_zone(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S +0000").to_string()
}

/// The checks every chatbot call makes of the bot and account it names. An account the fake
/// does not hold, or one that has not installed the app, is refused 403/7004 "Not
/// authorized.", the code Zoom documents for the send (for edits and deletes Zoom documents
/// none; the spec says the fake uses the same).
fn check_bot(state: &State, robot_jid: &str, account_id: &str) -> Result<(), Response> {
    if robot_jid.parse::<ConversationId>().is_err() {
        return Err(error(F, StatusCode::NOT_FOUND, 7002, "Invalid robot_jid."));
    }
    if !robot_jid.eq_ignore_ascii_case(&state.config.robot_jid) {
        return Err(error(F, StatusCode::FORBIDDEN, 7003, "Robot not found."));
    }
    if !state.installed(account_id) {
        return Err(error(F, StatusCode::FORBIDDEN, 7004, "Not authorized."));
    }
    Ok(())
}

/// The main message of the thread a reply to `parent` joins, or 404/8001 when `parent` is
/// not a live message of `conversation` in `account`. Threads are one level deep: a reply to
/// a reply joins the main message's thread.
pub(crate) fn thread_parent(
    state: &State,
    account: &str,
    conversation: &ConversationId,
    parent: Option<&str>,
) -> Result<Option<String>, Response> {
    let Some(parent) = parent else { return Ok(None) };
    match state.messages.get(parent) {
        Some(p) if p.account == account && p.conversation == *conversation && p.deleted_at.is_none() => {
            Ok(Some(p.reply_to.clone().unwrap_or_else(|| p.id.clone())))
        }
        _ => Err(error(F, StatusCode::NOT_FOUND, 8001, "Message does not exist.")),
    }
}

/// A live message the bot sent in `account`, or 404/8001.
fn own_message<'a>(state: &'a mut State, account: &str, id: &str) -> Result<&'a mut StoredMessage, Response> {
    let robot = state.config.robot_jid.clone();
    match state.messages.get_mut(id) {
        Some(m)
            if m.account == account
                && m.deleted_at.is_none()
                && matches!(&m.sender, Sender::Bot(b) if b.eq_ignore_ascii_case(&robot)) =>
        {
            Ok(m)
        }
        _ => Err(error(F, StatusCode::NOT_FOUND, 8001, "Message does not exist.")),
    }
}

pub(crate) fn send(state: &mut State, call: Call<'_, (), types::SendChatbotMessageRequest>) -> Answer {
    let body = call.body;
    check_bot(state, &body.robot_jid, &body.account_id)?;
    let account = body.account_id.clone();
    let Some(conversation) = body.to_jid.parse::<ConversationId>().ok().filter(|c| state.exists(&account, c)) else {
        return Err(error(F, StatusCode::FORBIDDEN, 7004, "Not authorized."));
    };
    let reply_to = thread_parent(state, &account, &conversation, body.reply_to.as_deref())?;
    let now = Utc::now();
    let id = state.new_message_id();
    let sender = Sender::Bot(state.config.robot_jid.clone());
    let markdown = body.is_markdown_support.unwrap_or(false);
    let content = MessageContent::Card { card: body.content, markdown };
    let mut message = StoredMessage::new(&account, id.clone(), conversation, sender, content);
    message.sent_at = now;
    message.reply_to = reply_to;
    message.visible_to_user = body.visible_to_user;
    message.user_jid = body.user_jid.clone();
    state.store(message);
    Ok(json(
        StatusCode::CREATED,
        &types::ChatbotMessageSent {
            message_id: id,
            robot_jid: body.robot_jid,
            sent_time: sent_time(now),
            to_jid: body.to_jid,
            user_jid: body.user_jid,
        },
    ))
}

fn changed(robot_jid: &str, m: &StoredMessage) -> types::ChatbotMessageChanged {
    types::ChatbotMessageChanged {
        message_id: Some(m.id.clone()),
        robot_jid: Some(robot_jid.to_owned()),
        sent_time: Some(sent_time_with_zone(m.sent_at)),
        to_jid: Some(m.conversation.jid().to_owned()),
        user_jid: m.user_jid.clone(),
    }
}

pub(crate) fn edit(state: &mut State, call: Call<'_, String, types::EditChatbotMessageRequest>) -> Answer {
    let message_id = call.path;
    let body = call.body;
    check_bot(state, &body.robot_jid, &body.account_id)?;
    let message = own_message(state, &body.account_id, &message_id)?;
    let new = MessageContent::Card { card: body.content, markdown: body.is_markdown_support.unwrap_or(false) };
    let old = std::mem::replace(&mut message.content, new);
    message.edits.push(Revision { content: old, replaced_at: Utc::now() });
    Ok(json(StatusCode::OK, &changed(&body.robot_jid, message)))
}

pub(crate) fn delete(state: &mut State, call: Call<'_, String>) -> Answer {
    let message_id = call.path;
    let (robot, account) = (call.req.query("robot_jid").unwrap_or(""), call.req.query("account_id").unwrap_or(""));
    check_bot(state, robot, account)?;
    let message = own_message(state, account, &message_id)?;
    message.deleted_at = Some(Utc::now());
    Ok(json(StatusCode::OK, &changed(robot, message)))
}

pub(crate) fn unfurl(state: &mut State, call: Call<'_, (String, String), types::UnfurlLinkRequest>) -> Answer {
    let (_user_id, trigger_id) = call.path;
    let body = call.body;
    if !state.unfurl_triggers.contains_key(&trigger_id) {
        return Err(error(F, StatusCode::NOT_FOUND, 8002, "Unfurl id does not exist."));
    }
    if let Err(e) = serde_json::from_str::<types::Card>(&body.content) {
        return Err(error(
            F,
            StatusCode::BAD_REQUEST,
            7001,
            format!("Invalid parameter: content: must be a JSON-encoded message card ({e})."),
        ));
    }
    state.remember_unfurl(trigger_id.clone(), body.content);
    Ok(StatusCode::NO_CONTENT.into_response())
}
