//! What the `metrics` feature records, read back through a recorder of the test's own: events
//! by kind and outcome, handler time, token requests; labelled by event, operation and outcome,
//! never by account.

use crate::common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use zoom_chatbot::bot::Bot;
use zoom_chatbot::card::Card;
use zoom_chatbot::{SecretString, metrics as names};
use zoom_mock::fake::ZoomMock;

/// Every series recorded: its name and labels, and its count (counters) or number of samples
/// (histograms).
#[derive(Default)]
struct Recorded(Mutex<BTreeMap<String, Arc<Series>>>);

#[derive(Default)]
struct Series(AtomicU64);

impl metrics::CounterFn for Series {
    fn increment(&self, value: u64) {
        self.0.fetch_add(value, Ordering::Relaxed);
    }
    fn absolute(&self, value: u64) {
        self.0.store(value, Ordering::Relaxed);
    }
}

impl metrics::HistogramFn for Series {
    fn record(&self, _value: f64) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

impl Recorded {
    fn series(&self, key: &Key) -> Arc<Series> {
        let mut labels: Vec<String> = key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
        labels.sort();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        self.0.lock().unwrap().entry(name).or_default().clone()
    }

    fn get(&self, series: &str) -> u64 {
        self.0.lock().unwrap().get(series).map_or(0, |s| s.0.load(Ordering::Relaxed))
    }

    fn names(&self) -> Vec<String> {
        self.0.lock().unwrap().keys().cloned().collect()
    }
}

impl Recorder for &'static Recorded {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.series(key))
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.series(key))
    }
}

const SECRET: &str = "metrics-secret";

fn delivery(body: serde_json::Value) -> http::Request<Bytes> {
    common::signed(SECRET, &body)
}

fn command(fake: &ZoomMock, account: &str, cmd: &str) -> serde_json::Value {
    serde_json::json!({"event": "bot_notification", "event_ts": 1, "payload": {
        "accountId": account, "robotJid": fake.robot_jid(), "toJid": "team@conference.xmpp.zoom.us",
        "userJid": "ana@xmpp.zoom.us", "cmd": cmd}})
}

// One runtime thread, so that every task records into this thread's recorder.
#[tokio::test(flavor = "current_thread")]
async fn events_handlers_and_tokens_are_counted_by_kind_and_outcome_never_by_account() {
    let recorded: &'static Recorded = Box::leak(Box::default());
    let _guard = metrics::set_default_local_recorder(&recorded);

    let fake = ZoomMock::start().await.unwrap();
    let bot = Bot::new(common::client(&fake), SecretString::from(SECRET.to_owned()))
        .on_command("hello", |ctx| async move { ctx.reply(Card::new().head("hi").build()?).await })
        .on_command("fail", |_| async {
            Err::<(), _>(zoom_chatbot::Error::MissingSetting {
                setting: zoom_chatbot::error::Setting::AccountId,
                rule: "fails on purpose".into(),
            })
        });
    let account = fake.account_id();
    assert_eq!(bot.handle(delivery(command(&fake, &account, "hello"))).await.status(), 200);
    assert_eq!(bot.handle(delivery(command(&fake, &account, "fail now"))).await.status(), 200);
    let mut unsigned = delivery(command(&fake, &account, "hello"));
    unsigned.headers_mut().remove("x-zm-signature");
    assert_eq!(bot.handle(unsigned).await.status(), 401);
    assert_eq!(
        bot.handle(delivery(serde_json::json!({"event": "some.future_event", "payload": {}}))).await.status(),
        200
    );
    assert_eq!(bot.shutdown(Duration::from_secs(5)).await, 0);

    let handled = format!("{}{{event=bot_notification,outcome=handled}}", names::EVENTS);
    assert_eq!(recorded.get(&handled), 2, "{:?}", recorded.names());
    assert_eq!(recorded.get(&format!("{}{{event=unverified,outcome=refused}}", names::EVENTS)), 1);
    assert_eq!(recorded.get(&format!("{}{{event=unknown,outcome=unknown}}", names::EVENTS)), 1);
    let ok = format!("{}{{event=bot_notification,outcome=ok}}", names::HANDLER_SECONDS);
    let failed = format!("{}{{event=bot_notification,outcome=failed}}", names::HANDLER_SECONDS);
    assert_eq!((recorded.get(&ok), recorded.get(&failed)), (1, 1), "{:?}", recorded.names());
    assert_eq!(recorded.get(&format!("{}{{kind=chatbot,outcome=ok}}", names::TOKEN_REQUESTS)), 1);
    assert!(
        recorded.names().iter().all(|n| !n.contains(&account)),
        "no series is labelled by account: {:?}",
        recorded.names()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn calls_are_counted_with_their_429s_retries_and_refusal_codes() {
    let recorded: &'static Recorded = Box::leak(Box::default());
    let _guard = metrics::set_default_local_recorder(&recorded);

    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    fake.force_rate_limit(1); // one 429, then the retry goes through
    let sent = zoom.send(common::CHANNEL, Card::new().head("hi").build().unwrap()).await.unwrap();
    sent.delete().await.unwrap();
    let gone = sent.delete().await.unwrap_err();
    assert_eq!(gone.zoom_code(), Some(8001), "{gone}");

    let send = "send_chatbot_message";
    let delete = "delete_chatbot_message";
    let get = |name: &str, labels: &str| recorded.get(&format!("{name}{{{labels}}}"));
    assert_eq!(get(names::RATE_LIMITED, &format!("operation={send}")), 1, "{:?}", recorded.names());
    assert_eq!(get(names::RETRIES, &format!("operation={send},reason=rate_limited")), 1);
    assert_eq!(get(names::REQUESTS, &format!("operation={send},outcome=ok")), 1);
    assert_eq!(get(names::REQUESTS, &format!("operation={delete},outcome=ok")), 1);
    assert_eq!(get(names::REQUESTS, &format!("operation={delete},outcome=refused")), 1);
    assert_eq!(get(names::REFUSALS, &format!("code=8001,operation={delete}")), 1, "{:?}", recorded.names());
}
