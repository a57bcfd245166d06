//! `POST /chat/webhooks/incomingwebhook/{webhookId}?format=full|message|fields`.

use std::sync::Arc;

use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use zoom_api_gen::operations::OperationId;
use zoom_api_gen::types;

use super::http::{ErrorShape, Incoming, error, invalid_field, validation_error};
use super::ops::{Invalid, operations};
use super::shared::Shared;
use super::state::{MessageContent, Sender, StoredMessage};

const F: ErrorShape = ErrorShape::Api;

pub(crate) async fn post(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(webhook_id): Path<String>,
    req: Incoming,
) -> Response {
    let mut state = shared.lock();
    let Some(hook) = state.incoming_webhooks.get(&webhook_id).cloned() else {
        return error(F, StatusCode::NOT_FOUND, 404, "Incoming webhook does not exist.");
    };
    // The verification token, bare or after `Bearer ` (Zoom's guide shows both).
    let presented = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")).unwrap_or(v).trim().to_owned());
    if presented.as_deref() != Some(hook.token.as_str()) {
        return error(F, StatusCode::UNAUTHORIZED, 401, "Invalid verification token.");
    }
    let card = match req.query("format") {
        Some("full") => match operations().validate(OperationId::SendIncomingWebhook, &req.query, &req.body) {
            Ok(Some(value)) => match serde_json::from_value::<types::IncomingWebhookCard>(value) {
                Ok(body) => body.content,
                Err(e) => return validation_error(F, Invalid::Malformed(e.to_string())),
            },
            Ok(None) => return invalid_field(F, "body", "is required"),
            Err(invalid) => return validation_error(F, invalid),
        },
        Some("message") => {
            let text = String::from_utf8_lossy(&req.body).into_owned();
            if text.trim().is_empty() {
                return invalid_field(F, "body", "is required");
            }
            card_of(vec![types::CardBodyItem::Message(types::CardMessage {
                type_: types::CardMessageType::Message,
                text,
                style: None,
                editable: None,
                is_markdown_support: None,
                link: None,
            })])
        }
        Some("fields") => match serde_json::from_slice::<serde_json::Map<String, Value>>(&req.body) {
            Ok(fields) => card_of(vec![types::CardBodyItem::Fields(types::CardFields {
                type_: types::CardFieldsType::Fields,
                items: fields
                    .into_iter()
                    .map(|(key, value)| types::CardField {
                        key,
                        value: match value {
                            Value::String(s) => s,
                            other => other.to_string(),
                        },
                        short: None,
                        editable: None,
                        style: None,
                    })
                    .collect(),
            })]),
            Err(e) => {
                return validation_error(F, Invalid::Malformed(format!("a fields body must be a JSON object ({e})")));
            }
        },
        Some(_) => return invalid_field(F, "format", "must be one of: full, message, fields"),
        None => return invalid_field(F, "format", "is required"),
    };
    let id = state.new_message_id();
    let content = MessageContent::Card { card, markdown: false };
    state.store(StoredMessage::new(&hook.account, id, hook.channel, Sender::IncomingWebhook(webhook_id), content));
    StatusCode::OK.into_response()
}

fn card_of(body: Vec<types::CardBodyItem>) -> types::Card {
    types::Card { body, head: None, settings: None }
}
