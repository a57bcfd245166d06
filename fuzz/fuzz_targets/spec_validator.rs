//! The spec's validator, `zoom_spec::Validator`, on any JSON against the spec's schemas.
//!
//! Input: a field naming a component schema (`Card`, ...) or an operation (`sendChatbotMessage`:
//! its request body's schema), then the JSON. It never panics; every violation names a path
//! under the root and a rule; and a value the validator finds no fault with reads into the
//! generated type of that schema, so the fake, which validates and then reads, never takes a
//! body its own types cannot hold.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use zoom_api_gen::types;
use zoom_fuzz::Fields;
use zoom_spec::openapiv3::{ReferenceOr, Schema};
use zoom_spec::{Validator, Violation};

fn validator() -> &'static Validator<'static> {
    static VALIDATOR: OnceLock<Validator<'static>> = OnceLock::new();
    VALIDATOR.get_or_init(|| Validator::new(zoom_spec::spec()))
}

/// The request body schema of the operation `id`.
fn request_body(id: &str) -> Option<&'static ReferenceOr<Schema>> {
    let spec = zoom_spec::spec();
    let op = spec.operations().find(|(_, _, op)| op.operation_id.as_deref() == Some(id))?.2;
    let body = op.request_body.as_ref()?.as_item()?;
    body.content.values().next()?.schema.as_ref()
}

/// Whether `value` reads into the generated type of the component `name` (`None`: no such
/// type is checked here).
fn reads_into(name: &str, value: &Value) -> Option<Result<(), String>> {
    fn read<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
        serde_json::from_value::<T>(value.clone()).map(drop).map_err(|e| e.to_string())
    }
    Some(match name {
        "Card" => read::<types::Card>(value),
        "CardBodyItem" => read::<types::CardBodyItem>(value),
        "SendChatbotMessageRequest" => read::<types::SendChatbotMessageRequest>(value),
        "EditChatbotMessageRequest" => read::<types::EditChatbotMessageRequest>(value),
        "UnfurlLinkRequest" => read::<types::UnfurlLinkRequest>(value),
        "CallbackReply" => read::<types::CallbackReply>(value),
        "SendChatMessageRequest" => read::<types::SendChatMessageRequest>(value),
        "EditChatMessageRequest" => read::<types::EditChatMessageRequest>(value),
        "ReactToChatMessageRequest" => read::<types::ReactToChatMessageRequest>(value),
        "MarkChatMessageRequest" => read::<types::MarkChatMessageRequest>(value),
        "IncomingWebhookCard" => read::<types::IncomingWebhookCard>(value),
        "TokenRequest" => read::<types::TokenRequest>(value),
        "RevokeTokenRequest" => read::<types::RevokeTokenRequest>(value),
        "ZoomEvent" => read::<types::ZoomEvent>(value),
        _ => return None,
    })
}

fn check_paths(found: &[Violation], root: &str) {
    for v in found {
        assert!(v.path.starts_with(root), "violation path {:?} is not under {root}", v.path);
        assert!(!v.rule.is_empty(), "a violation without a rule at {}", v.path);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut fields = Fields::new(data);
    let Ok(name) = std::str::from_utf8(fields.field()) else { return };
    let Ok(value) = serde_json::from_slice::<Value>(fields.rest()) else { return };
    let (found, component) = match request_body(name) {
        Some(schema) => {
            let found = validator().validate(schema, &value, "body");
            let component = match schema {
                ReferenceOr::Reference { reference } => reference.strip_prefix("#/components/schemas/"),
                ReferenceOr::Item(_) => None,
            };
            check_paths(&found, "body");
            (found, component)
        }
        None => match validator().validate_component(name, &value, "value") {
            Some(found) => {
                check_paths(&found, "value");
                (found, Some(name))
            }
            None => return,
        },
    };
    if found.is_empty()
        && let Some(Err(e)) = component.and_then(|c| reads_into(c, &value))
    {
        panic!("the validator took a {} that its generated type refuses: {e}\n{value}", component.unwrap_or("?"));
    }
});
