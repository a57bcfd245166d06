//! `POST /v2/im/chat/callback/{callbackId}`: the one reply an interactive event allows, with
//! the event's `callback_token`, within its lifetime. The reply lands in the conversation of
//! the card the user acted on (in a thread with `reply_to`).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use zoom_api_gen::operations::OperationId;
use zoom_api_gen::types;

use super::chatbot::{sent_time, thread_parent};
use super::http::{ErrorShape, Incoming, bearer, error, json, validation_error};
use super::ops::{Invalid, operations};
use super::shared::Shared;
use super::state::{MessageContent, Sender, State, StoredMessage};

const F: ErrorShape = ErrorShape::Chatbot;

fn refused() -> Response {
    error(F, StatusCode::UNAUTHORIZED, 7010, "Invalid authorization token.")
}

/// Whether the request's bearer is the live, unspent token of the callback `id`.
fn authorized(state: &State, id: &str, req: &Incoming, now: Instant) -> bool {
    let Some(callback) = state.callbacks.get(id) else { return false };
    let presented = bearer(&req.headers).unwrap_or("");
    !callback.used && callback.expires > now && presented == callback.token
}

pub(crate) async fn reply(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(callback_id): Path<String>,
    req: Incoming,
) -> Response {
    if !authorized(&shared.lock(), &callback_id, &req, Instant::now()) {
        return refused();
    }
    // Validation reads only the request, so it runs without the lock.
    let body = match operations().validate(OperationId::ReplyToCallback, &req.query, &req.body) {
        Ok(Some(value)) => match serde_json::from_value::<types::CallbackReply>(value) {
            Ok(body) => body,
            Err(e) => return validation_error(F, Invalid::Malformed(e.to_string())),
        },
        Ok(None) => return validation_error(F, Invalid::Malformed("the body is required".into())),
        Err(invalid) => return validation_error(F, invalid),
    };
    let mut state = shared.lock();
    // Checked again under the lock that spends it: of two concurrent replies, one lands.
    if !authorized(&state, &callback_id, &req, Instant::now()) {
        return refused();
    }
    let Some((account, conversation)) =
        state.callbacks.get(&callback_id).map(|c| (c.account.clone(), c.conversation.clone()))
    else {
        return refused();
    };
    let reply_to = match thread_parent(&state, &account, &conversation, body.reply_to.as_deref()) {
        Ok(parent) => parent,
        Err(response) => return response,
    };
    if let Some(callback) = state.callbacks.get_mut(&callback_id) {
        callback.used = true;
    }
    let now = Utc::now();
    let id = state.new_message_id();
    let sender = Sender::Bot(state.config.robot_jid.clone());
    let content = MessageContent::Card { card: body.content, markdown: body.is_markdown_support.unwrap_or(false) };
    let mut message = StoredMessage::new(&account, id.clone(), conversation, sender, content);
    message.sent_at = now;
    message.reply_to = reply_to;
    message.visible_to_user = body.visible_to_user;
    state.store(message);
    json(StatusCode::CREATED, &types::CallbackReplySent { message_id: id, sent_time: Some(sent_time(now)) })
}
