//! The generated tables against the spec they come from, read here on their own: every
//! operation has its `OperationId` (with the spec's id, the client method's name, tag, method,
//! path, server and rate label), every event its `EventKind` (whose name round-trips and
//! whose kind a parsed event reports), and nothing in the tables is missing from the spec.

use std::collections::BTreeMap;

use serde_json::Value;
use zoom_api_gen::events::EventKind;
use zoom_api_gen::operations::{OPERATIONS, OperationId, RateLabel};
use zoom_api_gen::types::ZoomEvent;

const PUBLISHED: &str = include_str!("../../crates/zoom-spec/spec/zoom-published/event-examples.json");
const TEAM_CHAT_PUBLISHED: &str =
    include_str!("../../crates/zoom-spec/spec/zoom-published/team-chat-event-examples.json");

/// `sendChatbotMessage` -> `send_chatbot_message`, as progenitor names the client method.
fn snake(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn every_operation_of_the_spec_has_its_id_and_row() {
    let spec = contract_tests::spec();
    let mut seen = Vec::new();
    for (path, item) in spec.paths.iter() {
        let item = item.as_item().unwrap();
        for (method, op) in item.iter() {
            let id_text = op.operation_id.as_deref().unwrap();
            let id: OperationId = id_text.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(id.as_str(), id_text);
            assert_eq!(id.to_string(), id_text);
            assert_eq!(id.method_name(), snake(id_text));
            assert_eq!(OperationId::from_method_name(&snake(id_text)), Some(id));
            let info = id.info();
            assert_eq!(info.id, id, "OPERATIONS is in the order of OperationId");
            assert_eq!(info.method, method.to_uppercase(), "{id}");
            assert_eq!(info.path, path, "{id}");
            assert_eq!(info.tag.as_str(), op.tags[0], "{id}");
            let extension = |key: &str| op.extensions.get(key).and_then(Value::as_str).filter(|v| *v != "none");
            assert_eq!(info.rate_limit_label.map(RateLabel::as_str), extension("x-rate-limit-label"), "{id}");
            assert_eq!(id.zoom_operation_id(), extension("x-zoom-operation-id"), "{id}");
            let server = op.servers.first().or(item.servers.first()).or(spec.servers.first()).unwrap();
            assert!(server.url.ends_with(info.base_path), "{id}: {} is not under {}", info.base_path, server.url);
            for part in [method.to_uppercase().as_str(), path, id_text] {
                assert!(info.doc.contains(part), "{id}: its doc line does not say {part}: {}", info.doc);
            }
            seen.push(id);
        }
    }
    assert_eq!(seen, OperationId::ALL, "the operations, in the spec's order, and no others");
    assert_eq!(OPERATIONS.len(), seen.len());
    assert!("sendChatbot".parse::<OperationId>().is_err(), "Zoom's own id is not ours");
}

#[test]
fn every_event_of_the_spec_has_its_kind_and_its_name_round_trips() {
    let doc = serde_json::to_value(contract_tests::spec()).unwrap();
    let variants = doc["components"]["schemas"]["ZoomEvent"]["oneOf"].as_array().unwrap();
    let mut published: BTreeMap<String, Value> = serde_json::from_str(PUBLISHED).unwrap();
    let team_chat: BTreeMap<String, Value> = serde_json::from_str(TEAM_CHAT_PUBLISHED).unwrap();
    published.extend(team_chat);
    let mut kinds = Vec::new();
    let mut read = 0;
    for variant in variants {
        let name = variant["properties"]["event"]["enum"][0].as_str().unwrap();
        let kind: EventKind = name.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kind.as_str(), name);
        assert_eq!(kind.to_string(), name);
        if let Some(example) = published.get(name) {
            let event: ZoomEvent = serde_json::from_value(example.clone()).unwrap();
            assert_eq!(event.kind(), kind, "Zoom's example of {name}");
            read += 1;
        }
        kinds.push(kind);
    }
    assert_eq!(kinds, EventKind::ALL, "the events, in the spec's order, and no others");
    assert!(read >= EventKind::ALL.len() - 1, "only {read} events had a published example to read");
    assert!("team_chat.something_new".parse::<EventKind>().is_err());
    assert!("BOT_INSTALLED".parse::<EventKind>().is_err(), "names are exact");
}
