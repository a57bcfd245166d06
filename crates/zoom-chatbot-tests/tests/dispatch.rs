//! Which handler an event reaches: `Bot::on` by the event's kind, `on_command`, `on_button`
//! and `on_select` by the word or value they name (before the kind's handler), and a handler
//! returning `()` or a `Result` whose error is logged with the event's name.

use crate::common;

use std::time::Duration;

use bytes::Bytes;
use common::{capture_logs, offline as client};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use zoom_chatbot::SecretString;
use zoom_chatbot::bot::{Bot, Context, EventKind};
use zoom_chatbot::card::Card;

const SECRET: &str = "dispatch-secret";

fn signed(body: &Value) -> http::Request<Bytes> {
    common::signed(SECRET, body)
}

/// A choice of `values` in a select menu; `n` makes each body distinct.
fn selection(n: u64, values: &[&str]) -> Value {
    let items: Vec<Value> = values.iter().map(|v| json!({"value": v})).collect();
    json!({"event": "interactive_message_select", "event_ts": n, "payload": {
        "accountId": "a", "robotJid": "bot@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
        "userJid": "u@xmpp.zoom.us", "messageId": "M1", "selectedItems": items}})
}

/// Zoom's published mention of the app; `n` makes each body distinct.
fn mention(n: u64) -> Value {
    let examples: Value =
        serde_json::from_str(include_str!("../../zoom-spec/spec/zoom-published/event-examples.json")).unwrap();
    let mut event = examples["team_chat.app_mention"].clone();
    event["event_ts"] = json!(n);
    event
}

/// A handler that reports which one ran, returning nothing.
fn report(
    tx: &mpsc::UnboundedSender<&'static str>,
    which: &'static str,
) -> impl Fn(Context) -> std::future::Ready<()> + Send + Sync + 'static {
    let tx = tx.clone();
    move |_| {
        tx.send(which).unwrap();
        std::future::ready(())
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<&'static str>) -> &'static str {
    tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("a handler ran").unwrap()
}

#[tokio::test]
async fn a_choice_goes_to_its_values_handler_and_the_others_to_the_kinds() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = Bot::new(client(), SecretString::from(SECRET.to_owned()))
        .on_select("loud", report(&tx, "loud"))
        .on(EventKind::InteractiveMessageSelect, report(&tx, "any choice"));
    assert_eq!(bot.handle(signed(&selection(1, &["loud"]))).await.status(), 200);
    assert_eq!(next(&mut rx).await, "loud");
    assert_eq!(bot.handle(signed(&selection(2, &["soft"]))).await.status(), 200);
    assert_eq!(next(&mut rx).await, "any choice");
    // Of several chosen options, one with a handler of its own decides.
    assert_eq!(bot.handle(signed(&selection(3, &["soft", "loud"]))).await.status(), 200);
    assert_eq!(next(&mut rx).await, "loud");
}

#[tokio::test]
async fn on_takes_a_kind_and_a_second_on_replaces_the_first() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = Bot::new(client(), SecretString::from(SECRET.to_owned()))
        .on(EventKind::TeamChatAppMention, report(&tx, "first"))
        .on(EventKind::TeamChatAppMention, report(&tx, "second"))
        .on_other(report(&tx, "other"));
    assert_eq!(bot.handle(signed(&mention(1))).await.status(), 200);
    assert_eq!(next(&mut rx).await, "second");
    // A kind with no handler of its own falls to `on_other`.
    assert_eq!(bot.handle(signed(&selection(2, &["x"]))).await.status(), 200);
    assert_eq!(next(&mut rx).await, "other");
    assert!(rx.try_recv().is_err(), "one handler per event");
}

#[tokio::test]
async fn a_handlers_error_is_logged_with_the_event_and_a_unit_handler_logs_none() {
    let (captured, _guard) = capture_logs();
    let bot = Bot::new(client(), SecretString::from(SECRET.to_owned()))
        // Each ends with a call's own result: its error, not its value, matters to the bot.
        .on_select("ok", |ctx| async move { ctx.conversation() })
        .on_select("fail", |ctx| async move { ctx.callback_reply(Card::new().head("no").build()?).await })
        .on(EventKind::TeamChatAppMention, |_| async {});
    assert_eq!(bot.handle(signed(&mention(1))).await.status(), 200);
    assert_eq!(bot.handle(signed(&selection(2, &["ok"]))).await.status(), 200);
    common::handlers_done(&bot).await;
    assert!(!captured.text().contains("a bot handler failed"), "{}", captured.text());
    assert_eq!(bot.handle(signed(&selection(3, &["fail"]))).await.status(), 200);
    common::handlers_done(&bot).await;
    let logs = captured.text();
    assert!(logs.contains("a bot handler failed") && logs.contains("carries none"), "{logs}");
    assert!(logs.contains("interactive_message_select"), "the event is named: {logs}");
}
