//! The bot's endpoint under pressure: a replayed request is refused, handlers are bounded and
//! counted, a panicking handler is logged (and the bot goes on), and shutdown waits for the
//! running handlers.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use common::{capture_logs, offline as client};
use tokio::sync::Notify;
use zoom_chatbot::SecretString;
use zoom_chatbot::bot::Bot;

const SECRET: &str = "runtime-secret";

/// A signed slash command; `n` makes each body (and so each signature) distinct.
fn command(n: usize, text: &str) -> http::Request<Bytes> {
    let body = serde_json::json!({"event": "bot_notification", "event_ts": n, "payload": {
        "accountId": "a", "robotJid": "bot@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
        "userJid": "u@xmpp.zoom.us", "cmd": text}});
    common::signed(SECRET, &body)
}

#[tokio::test]
async fn a_replayed_request_is_refused() {
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let bot = Bot::new(client(), SecretString::from(SECRET.to_owned())).on_command("hi", move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    let request = command(1, "hi");
    let (parts, body) = request.into_parts();
    let again = http::Request::from_parts(parts.clone(), body.clone());
    assert_eq!(bot.handle(http::Request::from_parts(parts, body)).await.status(), 200);
    assert_eq!(bot.clone().handle(again).await.status(), 401, "a clone shares the replay cache");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(ran.load(Ordering::SeqCst), 1, "the handler ran once");
}

#[tokio::test]
async fn handlers_are_bounded_and_an_event_past_the_bound_is_answered_503() {
    let release = Arc::new(Notify::new());
    let held = release.clone();
    let bot = Bot::new(client(), SecretString::from(SECRET.to_owned()))
        .max_handlers(2)
        .handler_wait(Duration::from_millis(50))
        .on_command("wait", move |_| {
            let held = held.clone();
            async move {
                held.notified().await;
                Ok(())
            }
        });
    assert_eq!(bot.handle(command(1, "wait")).await.status(), 200);
    assert_eq!(bot.handle(command(2, "wait")).await.status(), 200);
    assert_eq!(bot.running_handlers(), 2);
    assert_eq!(bot.handle(command(3, "wait")).await.status(), 503, "no slot freed up in time");
    release.notify_waiters();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(bot.running_handlers(), 0);
    assert_eq!(bot.handle(command(4, "other")).await.status(), 200, "slots are free again");
}

/// A handler's body that panics (as a function returning `()`: an async block that only
/// panics has the type `!`, which is no handler's result).
fn broken() {
    panic!("the handler broke")
}

#[tokio::test]
async fn a_panicking_handler_is_logged_and_the_bot_goes_on() {
    let (captured, _guard) = capture_logs();
    let bot = Bot::new(client(), SecretString::from(SECRET.to_owned()))
        .max_handlers(1)
        .on_command("boom", |_| async { broken() });
    assert_eq!(bot.handle(command(1, "boom")).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(bot.running_handlers(), 0, "the panicked task gave its slot back");
    assert_eq!(bot.handle(command(2, "boom")).await.status(), 200, "the single slot is free again");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("a bot handler panicked") && logs.contains("the handler broke"), "{logs}");
    assert!(logs.contains("bot_notification"), "the event is named: {logs}");
}

#[tokio::test]
async fn shutdown_waits_for_running_handlers_and_takes_no_new_events() {
    let done = Arc::new(AtomicUsize::new(0));
    let finished = done.clone();
    let bot = Bot::new(client(), SecretString::from(SECRET.to_owned())).on_command("slow", move |_| {
        let finished = finished.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            finished.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    for n in 0..3 {
        assert_eq!(bot.handle(command(n, "slow")).await.status(), 200);
    }
    assert_eq!(bot.shutdown(Duration::from_secs(10)).await, 0, "every handler ended within the grace");
    assert_eq!(done.load(Ordering::SeqCst), 3);
    assert_eq!(bot.handle(command(9, "slow")).await.status(), 503, "no new events after shutdown");

    // A grace shorter than the work: the count of handlers still running comes back.
    let stuck = Bot::new(client(), SecretString::from(SECRET.to_owned()))
        .on_command("stuck", |_| async { std::future::pending::<zoom_chatbot::Result<()>>().await });
    stuck.handle(command(1, "stuck")).await;
    assert_eq!(stuck.shutdown(Duration::from_millis(50)).await, 1);
}
