//! Zoom's published example of every event, through a bot's endpoint: each reaches its typed
//! handler. Then every field of every example is removed in turn: the event still reaches its
//! handler when the spec says the field is optional, and is reported as malformed, naming the
//! field, when the spec requires it; it is never taken for an unknown event.

use crate::common;

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc;
use zoom_chatbot::SecretString;
use zoom_chatbot::bot::{Bot, Context, EventKind};
use zoom_chatbot::webhook::{Event, parse_event};

const EXAMPLES: &str = include_str!("../../zoom-spec/spec/zoom-published/event-examples.json");
const SECRET: &str = "published-events-secret";

fn examples() -> BTreeMap<String, Value> {
    serde_json::from_str(EXAMPLES).unwrap()
}

/// What a handler saw: which handler, and the event's name.
type Seen = (&'static str, String);

fn bot(seen: mpsc::UnboundedSender<Seen>) -> Bot {
    let zoom = common::offline();
    let reporter = seen.clone();
    let report = move |kind: &'static str| {
        let seen = reporter.clone();
        move |ctx: Context| {
            let seen = seen.clone();
            // A handler that returns nothing.
            async move { seen.send((kind, ctx.event.kind().as_str().to_owned())).unwrap() }
        }
    };
    let on_malformed = move |m: std::sync::Arc<zoom_chatbot::webhook::MalformedEvent>| {
        let seen = seen.clone();
        async move { seen.send(("malformed", m.event.as_str().to_owned())).unwrap() }
    };
    Bot::new(zoom, SecretString::from(SECRET.to_owned()))
        .on_command("island", report("command"))
        .on_button("add", report("button"))
        .on(EventKind::InteractiveMessageSelect, report("select"))
        .on(EventKind::InteractiveMessageEditable, report("text_edit"))
        .on(EventKind::InteractiveMessageFieldsEditable, report("field_edit"))
        .on(EventKind::BotInstalled, report("installed"))
        .on(EventKind::TeamChatAppMention, report("mention"))
        .on(EventKind::TeamChatLinkShared, report("link_shared"))
        .on(EventKind::AppDeauthorized, report("deauthorized"))
        .on_other(report("other"))
        .on_malformed(on_malformed)
}

fn signed(body: &Value) -> http::Request<Bytes> {
    common::signed(SECRET, body)
}

/// The handler each published example must reach.
fn expected_handler(name: &str) -> &'static str {
    match name {
        "bot_notification" => "command",
        "interactive_message_actions" => "button",
        "interactive_message_select" => "select",
        "interactive_message_editable" => "text_edit",
        "interactive_message_fields_editable" => "field_edit",
        "bot_installed" => "installed",
        "team_chat.app_mention" => "mention",
        "team_chat.link_shared" => "link_shared",
        "app_deauthorized" => "deauthorized",
        other => panic!("no handler is expected for {other}"),
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await.expect("a handler ran").unwrap()
}

#[tokio::test]
async fn every_published_example_reaches_its_typed_handler() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = bot(tx);
    for (name, example) in examples() {
        let answer = bot.handle(signed(&example)).await;
        assert_eq!(answer.status(), 200, "{name}");
        assert_eq!(next(&mut rx).await, (expected_handler(&name), name.clone()));
    }
}

/// Every object key of `value`, as a list of steps from the root.
fn key_paths(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                at.push(Step::Key(key.clone()));
                out.push(at.clone());
                key_paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                key_paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn without(value: &Value, path: &[Step]) -> Value {
    let mut copy = value.clone();
    let mut node = &mut copy;
    for step in &path[..path.len() - 1] {
        node = match step {
            Step::Key(k) => &mut node[k.as_str()],
            Step::Index(i) => &mut node[*i],
        };
    }
    if let (Some(map), Step::Key(k)) = (node.as_object_mut(), &path[path.len() - 1]) {
        map.remove(k);
    }
    copy
}

#[tokio::test]
async fn a_missing_field_never_hides_an_event() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = bot(tx);
    let (mut optional, mut required) = (0, 0);
    for (name, example) in examples() {
        let mut paths = Vec::new();
        key_paths(&example, &mut Vec::new(), &mut paths);
        for path in paths {
            // Without its name, an event is unknown by definition.
            if matches!(&path[..], [Step::Key(k)] if k == "event") {
                continue;
            }
            let body = without(&example, &path);
            let Step::Key(removed) = path.last().unwrap() else { unreachable!() };
            match parse_event(&serde_json::to_vec(&body).unwrap()).unwrap() {
                Event::Known(_) => {
                    optional += 1;
                    assert_eq!(bot.handle(signed(&body)).await.status(), 200);
                    let (handler, seen) = next(&mut rx).await;
                    assert_eq!(seen, name, "without {path:?}");
                    // Without the command's text, a command falls to the catch-all handler.
                    let dispatch_key = matches!(removed.as_str(), "cmd");
                    if !dispatch_key {
                        assert_eq!(handler, expected_handler(&name), "{name} without {path:?}");
                    }
                }
                Event::Malformed(malformed) => {
                    required += 1;
                    assert_eq!(malformed.event.as_str(), name);
                    assert!(
                        malformed.error.contains(&format!("`{removed}`")),
                        "{name} without {path:?} names {}: {}",
                        malformed.field,
                        malformed.error
                    );
                    // The answer is still 200 (Zoom would only send it again), and only the
                    // malformed-event handler runs.
                    assert_eq!(bot.handle(signed(&body)).await.status(), 200);
                    assert_eq!(next(&mut rx).await, ("malformed", name.clone()));
                }
                Event::Unknown { .. } => panic!("{name} without {path:?} was taken for an unknown event"),
            }
        }
    }
    assert!(optional > 100 && required > 30, "{optional} optional and {required} required fields");
    assert!(rx.try_recv().is_err(), "one handler ran per event");
}

#[test]
fn a_malformed_event_names_the_field_that_does_not_fit() {
    let mut example = examples().remove("interactive_message_select").unwrap();
    example["payload"]["selectedItems"][0] = serde_json::json!({"text": "Lions"});
    let Event::Malformed(malformed) = parse_event(&serde_json::to_vec(&example).unwrap()).unwrap() else {
        panic!("a selection without a value is malformed")
    };
    assert_eq!(malformed.field, "payload.selectedItems[0]");
    assert!(malformed.error.contains("missing field `value`"), "{}", malformed.error);
    assert!(malformed.to_string().contains("interactive_message_select"));

    let mut example = examples().remove("team_chat.link_shared").unwrap();
    example["payload"]["object"]["timestamp"] = serde_json::json!("soon");
    let Event::Malformed(malformed) = parse_event(&serde_json::to_vec(&example).unwrap()).unwrap() else {
        panic!("a text timestamp is malformed")
    };
    assert_eq!(malformed.field, "payload.object.timestamp");
}

#[test]
fn every_event_name_has_a_field_locator() {
    // A known name with a payload of the wrong kind: the field is `payload`, for every name.
    for name in EventKind::ALL.iter().map(|kind| kind.as_str()) {
        let body = serde_json::json!({"event": name, "event_ts": 1, "response_url": "x", "payload": 5});
        match parse_event(&serde_json::to_vec(&body).unwrap()).unwrap() {
            Event::Malformed(m) => assert_eq!(m.field, "payload", "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}
