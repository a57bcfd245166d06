//! Command routes beyond the exact first word (a prefix, a pattern with its captures, and
//! their precedence: exact, then prefix, then pattern, each in registration order), the
//! layers every event passes before its handler (one that stops it, one that hands it on,
//! their order), and Team Chat events reaching `Bot::on` with their payload typed.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::offline as client;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use zoom_chatbot::bot::{Bot, Context, EventKind, Flow};
use zoom_chatbot::routes::Regex;
use zoom_chatbot::{SecretString, types};

const SECRET: &str = "routes-secret";

fn signed(body: &Value) -> http::Request<Bytes> {
    common::signed(SECRET, body)
}

fn bot() -> Bot {
    Bot::new(client(), SecretString::from(SECRET.to_owned()))
}

/// A slash command with `text`; `n` makes each body distinct.
fn command(n: u64, text: &str) -> Value {
    json!({"event": "bot_notification", "event_ts": n, "payload": {
        "accountId": "acct-1", "robotJid": "bot@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
        "userJid": "u@xmpp.zoom.us", "cmd": text}})
}

/// What a handler saw: which one ran, and its captures (group 0, 1, and the group `id`).
type Seen = (&'static str, Option<String>, Option<String>, Option<String>);

fn report(
    tx: &mpsc::UnboundedSender<Seen>,
    which: &'static str,
) -> impl Fn(Context) -> std::future::Ready<()> + Send + Sync + 'static {
    let tx = tx.clone();
    move |ctx| {
        let c = ctx.captures();
        let get = |i| c.and_then(|c| c.get(i)).map(str::to_owned);
        tx.send((which, get(0), get(1), c.and_then(|c| c.name("id")).map(str::to_owned))).unwrap();
        std::future::ready(())
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("a handler ran").unwrap()
}

#[tokio::test]
async fn a_prefix_route_takes_the_commands_it_starts_and_hands_on_the_rest() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = bot().on_prefix("deploy:", report(&tx, "deploy")).on_other(report(&tx, "other"));
    assert_eq!(bot.handle(signed(&command(1, "  Deploy:  api-server "))).await.status(), 200);
    assert_eq!(next(&mut rx).await, ("deploy", Some("Deploy:".into()), Some("api-server".into()), None));
    assert_eq!(bot.handle(signed(&command(2, "undeploy: api"))).await.status(), 200);
    assert_eq!(next(&mut rx).await.0, "other");
}

#[tokio::test]
async fn a_pattern_route_hands_its_captures_to_the_handler() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = bot()
        .on_pattern(Regex::new(r"^close #(?P<id>\d+)$").unwrap(), report(&tx, "close"))
        .on(EventKind::BotNotification, report(&tx, "any command"));
    assert_eq!(bot.handle(signed(&command(1, "close #42"))).await.status(), 200);
    assert_eq!(next(&mut rx).await, ("close", Some("close #42".into()), Some("42".into()), Some("42".into())));
    // Anchored: a text with more does not match, and goes to the kind's handler.
    assert_eq!(bot.handle(signed(&command(2, "close #42 now"))).await.status(), 200);
    assert_eq!(next(&mut rx).await, ("any command", None, None, None));
}

#[tokio::test]
async fn exact_words_come_before_prefixes_and_prefixes_before_patterns_in_registration_order() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Registered in the reverse of their precedence, to show that order does not decide
    // between kinds of route, only within one.
    let bot = bot()
        .on_pattern(Regex::new(r"^st").unwrap(), report(&tx, "pattern st"))
        .on_pattern(Regex::new(r"status").unwrap(), report(&tx, "pattern status"))
        .on_prefix("stat", report(&tx, "prefix stat"))
        .on_prefix("status", report(&tx, "prefix status"))
        .on_command("status", report(&tx, "exact status"));
    assert_eq!(bot.handle(signed(&command(1, "status now"))).await.status(), 200);
    assert_eq!(next(&mut rx).await.0, "exact status");
    // Both prefixes match "statusboard": the first registered decides.
    assert_eq!(bot.handle(signed(&command(2, "statusboard"))).await.status(), 200);
    assert_eq!(next(&mut rx).await.0, "prefix stat");
    // No word, no prefix: the first registered pattern that is found.
    assert_eq!(bot.handle(signed(&command(3, "start the status page"))).await.status(), 200);
    assert_eq!(next(&mut rx).await.0, "pattern st");
    assert_eq!(bot.handle(signed(&command(4, "show status"))).await.status(), 200);
    assert_eq!(next(&mut rx).await.0, "pattern status");
    common::handlers_done(&bot).await;
    assert!(rx.try_recv().is_err(), "one handler per event");
}

#[tokio::test]
async fn a_layer_that_stops_an_event_runs_no_handler_and_zoom_gets_200() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = bot()
        .layer(|ctx| async move {
            match ctx.account_id() {
                Some(a) if a.as_str() == "allowed" => Flow::Continue(ctx),
                _ => Flow::Stop,
            }
        })
        .on_command("hi", report(&tx, "hi"));
    let mut stopped = command(1, "hi");
    stopped["payload"]["accountId"] = json!("someone-else");
    assert_eq!(bot.handle(signed(&stopped)).await.status(), 200);
    common::handlers_done(&bot).await;
    assert!(rx.try_recv().is_err(), "the stopped event reached its handler");
    let mut allowed = command(2, "hi");
    allowed["payload"]["accountId"] = json!("allowed");
    assert_eq!(bot.handle(signed(&allowed)).await.status(), 200);
    assert_eq!(next(&mut rx).await.0, "hi");
}

#[derive(Clone, Debug, PartialEq)]
struct Settings(&'static str);

#[tokio::test]
async fn layers_run_in_order_each_handing_on_what_it_changed_and_a_stop_ends_the_chain() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (first, second, third) = (order.clone(), order.clone(), order.clone());
    let bot = bot()
        .layer(move |mut ctx| {
            first.lock().unwrap().push("first");
            ctx.extensions_mut().insert(Settings("from the first layer"));
            std::future::ready(Flow::Continue(ctx))
        })
        .layer(move |ctx| {
            second.lock().unwrap().push("second");
            let stop = ctx.command_text() == Some("stop");
            std::future::ready(if stop { Flow::Stop } else { Flow::Continue(ctx) })
        })
        .layer(move |ctx| {
            third.lock().unwrap().push("third");
            std::future::ready(Flow::Continue(ctx))
        })
        .on(EventKind::BotNotification, move |ctx| {
            let tx = tx.clone();
            async move { tx.send(ctx.extensions().get::<Settings>().cloned()).unwrap() }
        });
    assert_eq!(bot.handle(signed(&command(1, "go"))).await.status(), 200);
    let settings = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert_eq!(settings, Some(Settings("from the first layer")));
    assert_eq!(*order.lock().unwrap(), ["first", "second", "third"]);
    order.lock().unwrap().clear();
    assert_eq!(bot.handle(signed(&command(2, "stop"))).await.status(), 200);
    common::handlers_done(&bot).await;
    assert_eq!(*order.lock().unwrap(), ["first", "second"], "the third layer ran after a stop");
    assert!(rx.try_recv().is_err(), "the handler ran after a stop");
}

#[tokio::test]
async fn a_layer_sees_events_that_have_no_handler() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let bot = bot().layer(move |ctx| {
        log.lock().unwrap().push(ctx.event.kind());
        std::future::ready(Flow::Continue(ctx))
    });
    assert_eq!(bot.handle(signed(&command(1, "anything"))).await.status(), 200);
    common::handlers_done(&bot).await;
    assert_eq!(*seen.lock().unwrap(), [EventKind::BotNotification]);
}

/// Zoom's published example of `name`, from the Team Chat webhooks page.
fn team_chat_example(name: &str) -> Value {
    let examples: Value =
        serde_json::from_str(include_str!("../../zoom-spec/spec/zoom-published/team-chat-event-examples.json"))
            .unwrap();
    examples[name].clone()
}

#[tokio::test]
async fn a_team_chat_event_reaches_its_kinds_handler_with_its_payload_typed() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (posted, added) = (tx.clone(), tx.clone());
    let bot = bot()
        .on(EventKind::TeamChatChannelMessagePosted, move |ctx| {
            let message = ctx
                .object::<types::TeamChatChannelMessage>()
                .map(|m| (m.message.clone(), m.files.len(), m.at_items.len()));
            posted.send(format!("{message:?} in {:?}", ctx.channel_id().map(|c| c.to_string()))).unwrap();
            std::future::ready(())
        })
        .on(EventKind::TeamChatChannelAppAdded, move |ctx| {
            let apps = ctx
                .object::<types::TeamChatChannelApps>()
                .map(|a| a.app_members.iter().map(|m| m.id.clone()).collect::<Vec<_>>());
            // Zoom's payload names the channel by id only: no conversation to answer in place.
            let conversation = ctx.conversation().unwrap_err().to_string();
            added.send(format!("{apps:?}; {conversation}")).unwrap();
            std::future::ready(())
        });
    let posted = team_chat_example("team_chat.channel_message_posted");
    assert_eq!(bot.handle(signed(&posted)).await.status(), 200);
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert_eq!(got, r#"Some((Some("@Jill Chill, this is a test message"), 1, 1)) in Some("qrstuvwxyz67890")"#);
    let added = team_chat_example("team_chat.channel_app_added");
    assert_eq!(bot.handle(signed(&added)).await.status(), 200);
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert!(got.starts_with(r#"Some(["v1initnyujsz-sk6c3q7cpxg"]); "#), "{got}");
    assert!(got.contains("event.channel_id"), "{got}");
}

#[tokio::test]
async fn an_app_mention_names_its_channel_by_id_and_outside_a_channel_no_conversation() {
    let examples: Value =
        serde_json::from_str(include_str!("../../zoom-spec/spec/zoom-published/event-examples.json")).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bot = bot().on(EventKind::TeamChatAppMention, move |ctx| {
        let channel = ctx.channel_id().map(|c| c.to_string());
        tx.send(format!("{channel:?} {}", ctx.conversation().unwrap_err())).unwrap();
        std::future::ready(())
    });
    let mut in_channel = examples["team_chat.app_mention"].clone();
    assert_eq!(bot.handle(signed(&in_channel)).await.status(), 200);
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert!(got.starts_with(r#"Some("8AmQ0WOoQ1O3a84yYFc2xQ") "#) && got.contains("event.channel_id"), "{got}");
    // The same mention in a one-to-one chat: no channel, nothing to answer in.
    in_channel["event_ts"] = serde_json::json!(1);
    in_channel["payload"]["object"]["type"] = serde_json::json!("to_contact");
    in_channel["payload"]["object"].as_object_mut().unwrap().remove("channel_id");
    assert_eq!(bot.handle(signed(&in_channel)).await.status(), 200);
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert!(got.starts_with("None ") && got.contains("names no JID and no channel"), "{got}");
}
