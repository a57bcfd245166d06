//! Installs of a Marketplace bot: recorded from a signed `bot_installed` delivery before the
//! bot's handler runs, listed and looked up for proactive messages, removed on
//! `app_deauthorized` (the clean-up hook sees what was removed, the client forgets the
//! account), and a store that fails is answered 503 so that Zoom delivers the event again.
//! Zoom is scripted with httpmock; the bot is driven through `Bot::handle`, as Zoom would.

use crate::common;
use common::{BOT, deauthorized, installed, marketplace as zoom, unix_now};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use httpmock::Method::POST;
use httpmock::{Mock, MockServer};
use tokio::sync::mpsc;
use zoom_chatbot::auth::BoxFuture;
use zoom_chatbot::bot::{Bot, Context, EventKind};
use zoom_chatbot::card::Card;
use zoom_chatbot::ids::AccountId;
use zoom_chatbot::installs::{InstallStore, Installation, MemoryInstalls, Page, Update};
use zoom_chatbot::pacing::Plan;
use zoom_chatbot::types::ZoomEvent;
use zoom_chatbot::{Error, SecretString, ZoomClient};

const SECRET: &str = "webhook-secret-token";

/// A delivery of `event`, signed as Zoom signs it.
fn delivery(event: &ZoomEvent) -> http::Request<Bytes> {
    common::signed(SECRET, event)
}

/// A delivery of `event` signed at `now` (seconds): Zoom signs each attempt anew.
fn delivery_at(event: &ZoomEvent, now: u64) -> http::Request<Bytes> {
    common::signed_at(SECRET, now, event)
}

fn account(id: &str) -> AccountId {
    id.parse().unwrap()
}

/// What a handler saw: the install in its context, and the store's at that moment.
type Seen = (Option<Installation>, Option<Installation>);

/// A bot on `store` whose install and removal handlers report what they saw.
fn reporting_bot(zoom: ZoomClient, store: MemoryInstalls) -> (Bot, mpsc::UnboundedReceiver<(&'static str, Seen)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    // A handler that reports, as `what`, the install in its context and the store's.
    let report = |what: &'static str| {
        let (tx, store) = (tx.clone(), store.clone());
        move |ctx: Context| {
            let (tx, store) = (tx.clone(), store.clone());
            async move {
                let stored = store.get(&ctx.account_id().unwrap()).await?;
                tx.send((what, (ctx.installation().cloned(), stored))).unwrap();
                Ok(())
            }
        }
    };
    let bot = Bot::new(zoom, SecretString::from(SECRET.to_owned()))
        .installations(store.clone())
        .on(EventKind::BotInstalled, report("installed"))
        .on(EventKind::AppDeauthorized, report("deauthorized"));
    (bot, rx)
}

async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("the handler ran").unwrap()
}

#[tokio::test]
async fn a_signed_bot_installed_is_recorded_before_the_handler_runs() {
    let server = MockServer::start_async().await;
    let store = MemoryInstalls::new();
    let (bot, mut seen) = reporting_bot(zoom(&server), store.clone());

    assert_eq!(bot.handle(delivery(&installed("ACME", Some("ana")))).await.status(), 200);
    let (what, (in_context, in_store)) = next(&mut seen).await;
    assert_eq!(what, "installed");
    let install = in_store.expect("recorded before the handler ran");
    assert_eq!(in_context.as_ref(), Some(&install), "the context holds the install as recorded");
    assert_eq!(install.account_id, account("ACME"));
    assert_eq!(install.robot_jid.as_str(), BOT);
    assert_eq!(install.installer.user_id.as_ref().map(|u| u.as_str()), Some("ana"));
    assert_eq!(install.installer.user_jid.as_ref().map(|u| u.as_str()), Some("ana@xmpp.zoom.us"));
    assert_eq!(install.installer.user_name.as_deref(), Some("ana (admin)"));
    assert_eq!(install.installed_at.timestamp_millis(), 1_764_583_200_000, "the event's timestamp");
    assert_eq!(install.plan, None);

    // An unsigned delivery records nothing.
    let mut forged = delivery(&installed("EVIL", Some("mallory")));
    forged.headers_mut().insert("x-zm-signature", "v0=00".parse().unwrap());
    assert_eq!(bot.handle(forged).await.status(), 401);
    assert_eq!(store.count().await.unwrap(), 1);
}

#[tokio::test]
async fn installs_are_listed_in_pages_and_looked_up_for_proactive_messages() {
    let server = MockServer::start_async().await;
    let store = MemoryInstalls::new();
    let zoom = zoom(&server);
    let bot = Bot::new(zoom.clone(), SecretString::from(SECRET.to_owned())).installations(store.clone());
    for (acct, user) in [("GLOBEX", "bo"), ("ACME", "ana"), ("INITECH", "cy")] {
        assert_eq!(bot.handle(delivery(&installed(acct, Some(user)))).await.status(), 200);
    }
    store.update(&account("GLOBEX"), Update::new().plan(Some(Plan::Free)).set("tier", "trial")).await.unwrap();

    // Pages of two, in account-id order, each starting after the last of the one before.
    let first = store.list(None, 2).await.unwrap();
    let ids = |p: &Page| p.installs.iter().map(|i| i.account_id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ["ACME", "GLOBEX"]);
    assert_eq!(first.next, Some(account("GLOBEX")));
    let second = store.list(first.next.as_ref(), 2).await.unwrap();
    assert_eq!(ids(&second), ["INITECH"]);
    assert_eq!(second.next, None);
    let globex = store.get(&account("GLOBEX")).await.unwrap().unwrap();
    assert_eq!((globex.plan, globex.data["tier"].as_str()), (Some(Plan::Free), Some("trial")));
    assert_eq!(store.get(&account("UMBRELLA")).await.unwrap(), None);

    // A notice to every installer, each in their own account, as the bot installed there.
    let sends: Vec<Mock> = ["ACME", "GLOBEX", "INITECH"]
        .iter()
        .zip(["ana", "bo", "cy"])
        .map(|(acct, user)| {
            let body =
                serde_json::json!({"account_id": acct, "robot_jid": BOT, "to_jid": format!("{user}@xmpp.zoom.us")});
            server.mock(|when, then| {
                when.method(POST).path("/im/chat/messages").json_body_includes(body.to_string());
                then.status(201).header("content-type", "application/json").json_body(serde_json::json!({
                    "message_id": format!("M-{acct}"), "robot_jid": BOT, "sent_time": "2026-12-01 10:00:00",
                    "to_jid": format!("{user}@xmpp.zoom.us")
                }));
            })
        })
        .collect();
    let mut after = None;
    loop {
        let page = store.list(after.as_ref(), 2).await.unwrap();
        for install in &page.installs {
            let to = install.installer.user_jid.clone().unwrap();
            let card = Card::new().head("Maintenance tonight").build().unwrap();
            zoom.account(&install.account_id).as_bot(&install.robot_jid).send(to, card).await.unwrap();
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert!(sends.iter().all(|m| m.calls() == 1), "one notice per account, in that account");
}

#[tokio::test]
async fn app_deauthorized_removes_the_install_runs_the_hook_and_forgets_the_account() {
    let server = MockServer::start_async().await;
    let store = MemoryInstalls::new();
    let (bot, mut seen) = reporting_bot(zoom(&server), store.clone());
    bot.handle(delivery(&installed("ACME", Some("ana")))).await;
    bot.handle(delivery(&installed("GLOBEX", Some("bo")))).await;
    next(&mut seen).await;
    next(&mut seen).await;
    store.update(&account("ACME"), Update::new().set("customer", 4242)).await.unwrap();

    let (logs, _guard) = common::capture_logs();
    assert_eq!(bot.handle(delivery(&deauthorized("ACME"))).await.status(), 200);
    let (what, (removed, in_store)) = next(&mut seen).await;
    assert_eq!(what, "deauthorized");
    let removed = removed.expect("the hook sees the install that was removed");
    assert_eq!(removed.account_id, account("ACME"));
    assert_eq!(removed.data["customer"], 4242, "with the app's data, to clean up");
    assert_eq!(in_store, None, "removed before the hook ran");
    assert!(
        logs.text().contains("forgot what the client keeps for an account") && logs.text().contains("account=ACME"),
        "forget_account was called for ACME: {}",
        logs.text()
    );
    let left = store.list(None, 10).await.unwrap();
    assert_eq!(left.installs.iter().map(|i| i.account_id.as_str()).collect::<Vec<_>>(), ["GLOBEX"]);

    // Delivered again (signed anew): nothing left to remove; the hook runs without an install.
    let again = unix_now() - 1;
    assert_eq!(bot.handle(delivery_at(&deauthorized("ACME"), again)).await.status(), 200);
    let (_, (removed, _)) = next(&mut seen).await;
    assert_eq!(removed, None);
    assert_eq!(bot.shutdown(Duration::from_secs(5)).await, 0);
}

/// A store whose every call fails, as a Redis that is down would, counting the calls.
#[derive(Clone, Default)]
struct Down(Arc<Mutex<usize>>);

impl Down {
    fn fail<T: Send + 'static>(&self) -> BoxFuture<'static, zoom_chatbot::Result<T>> {
        *self.0.lock().unwrap() += 1;
        let reason = "connection refused".to_owned();
        Box::pin(async move { Err(Error::SharedState { operation: "installations", reason }) })
    }
}

impl InstallStore for Down {
    fn record(&self, _: Installation) -> BoxFuture<'_, zoom_chatbot::Result<Installation>> {
        self.fail()
    }
    fn get<'a>(&'a self, _: &'a AccountId) -> BoxFuture<'a, zoom_chatbot::Result<Option<Installation>>> {
        self.fail()
    }
    fn list<'a>(&'a self, _: Option<&'a AccountId>, _: usize) -> BoxFuture<'a, zoom_chatbot::Result<Page>> {
        self.fail()
    }
    fn count(&self) -> BoxFuture<'_, zoom_chatbot::Result<usize>> {
        self.fail()
    }
    fn remove<'a>(&'a self, _: &'a AccountId) -> BoxFuture<'a, zoom_chatbot::Result<Option<Installation>>> {
        self.fail()
    }
    fn update<'a>(&'a self, _: &'a AccountId, _: Update) -> BoxFuture<'a, zoom_chatbot::Result<Option<Installation>>> {
        self.fail()
    }
}

#[tokio::test]
async fn a_store_that_fails_is_answered_503_and_no_handler_runs() {
    let server = MockServer::start_async().await;
    let down = Down::default();
    let ran = Arc::new(Mutex::new(0));
    let (r1, r2) = (ran.clone(), ran.clone());
    let bot = Bot::new(zoom(&server), SecretString::from(SECRET.to_owned()))
        .installations(down.clone())
        .on(EventKind::BotInstalled, move |_| {
            *r1.lock().unwrap() += 1;
            async { Ok(()) }
        })
        .on(EventKind::AppDeauthorized, move |_| {
            *r2.lock().unwrap() += 1;
            async { Ok(()) }
        });
    for event in [installed("ACME", Some("ana")), deauthorized("ACME")] {
        let answer = bot.handle(delivery(&event)).await;
        assert_eq!(answer.status(), 503, "Zoom delivers it again later");
        let body = String::from_utf8(answer.body().to_vec()).unwrap();
        assert!(body.contains("installs could not be updated"), "{body}");
    }
    assert_eq!(bot.shutdown(Duration::from_secs(5)).await, 0);
    assert_eq!((*down.0.lock().unwrap(), *ran.lock().unwrap()), (2, 0));
}
