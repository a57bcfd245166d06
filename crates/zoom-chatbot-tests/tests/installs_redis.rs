//! Installs shared by replicas in a real `redis-server`: one replica's bot records an install,
//! another lists it and changes it, a third's removal is seen by all; concurrent changes to
//! different keys of one account's data are all kept; keys live under the store's prefix.

use crate::common;
use crate::redis_server;

use std::time::Duration;

use bytes::Bytes;
use common::{BOT, deauthorized, installed};
use redis_server::RedisServer;
use zoom_chatbot::bot::Bot;
use zoom_chatbot::ids::AccountId;
use zoom_chatbot::installs::{InstallStore, Update};
use zoom_chatbot::pacing::Plan;
use zoom_chatbot::shared::{RedisInstalls, RedisStore};
use zoom_chatbot::types::ZoomEvent;
use zoom_chatbot::{Error, SecretString, ZoomClient};

const SECRET: &str = "webhook-secret-token";

/// A replica's view of the installs: its own store, its own connections.
fn replica(redis: &RedisServer) -> RedisInstalls {
    RedisStore::builder(redis.url()).prefix("test:bot").build().unwrap().installs()
}

/// A replica's bot on its own installs. Zoom is never called (no handler sends).
fn bot(installs: RedisInstalls) -> Bot {
    let zoom = ZoomClient::builder()
        .credentials("client-id", SecretString::from("client-secret".to_owned()))
        .oauth_url("http://127.0.0.1:9")
        .api_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    Bot::new(zoom, SecretString::from(SECRET.to_owned())).installations(installs)
}

fn delivery(event: &ZoomEvent) -> http::Request<Bytes> {
    common::signed(SECRET, event)
}

fn account(id: &str) -> AccountId {
    id.parse().unwrap()
}

#[tokio::test]
async fn replicas_share_installs_recorded_changed_and_removed_by_any_of_them() {
    let redis = RedisServer::start();
    let (a, b) = (replica(&redis), replica(&redis));
    let (bot_a, bot_b) = (bot(a.clone()), bot(b.clone()));

    // Replica A takes the install; replica B sees it.
    assert_eq!(bot_a.handle(delivery(&installed("ACME", Some("ana")))).await.status(), 200);
    let seen = b.get(&account("ACME")).await.unwrap().expect("B sees A's install");
    assert_eq!(seen.installer.user_jid.as_ref().map(|j| j.as_str()), Some("ana@xmpp.zoom.us"));
    assert_eq!(seen.installed_at.timestamp_millis(), 1_764_583_200_000);

    // B changes it; A reads the change.
    let update = Update::new().plan(Some(Plan::Business)).set("settings", serde_json::json!({"lang": "de", "ids": []}));
    b.update(&account("ACME"), update).await.unwrap().unwrap();
    let changed = a.get(&account("ACME")).await.unwrap().unwrap();
    assert_eq!(changed.plan, Some(Plan::Business));
    assert_eq!(changed.data["settings"], serde_json::json!({"lang": "de", "ids": []}), "JSON kept as it was");

    // A re-install (another admin, no user name this time) keeps the plan and the data, and
    // drops the old installer's fields.
    assert_eq!(bot_b.handle(delivery(&installed("ACME", None))).await.status(), 200);
    let again = a.get(&account("ACME")).await.unwrap().unwrap();
    assert_eq!((again.plan, again.installer.user_name.as_deref()), (Some(Plan::Business), None));
    assert_eq!(again.data["settings"]["lang"], "de");

    // An update of an account that is not installed stores nothing.
    assert_eq!(a.update(&account("GONE"), Update::new().set("x", 1)).await.unwrap(), None);
    assert_eq!(b.get(&account("GONE")).await.unwrap(), None);

    // B takes the removal; A no longer lists it.
    assert_eq!(bot_a.handle(delivery(&installed("GLOBEX", Some("bo")))).await.status(), 200);
    assert_eq!(bot_b.handle(delivery(&deauthorized("ACME"))).await.status(), 200);
    assert_eq!(a.get(&account("ACME")).await.unwrap(), None);
    let page = a.list(None, 10).await.unwrap();
    assert_eq!(page.installs.iter().map(|i| i.account_id.as_str()).collect::<Vec<_>>(), ["GLOBEX"]);
    assert_eq!(a.count().await.unwrap(), 1);
    assert_eq!(b.remove(&account("ACME")).await.unwrap(), None, "removed once");
}

#[tokio::test]
async fn concurrent_changes_to_different_keys_of_one_account_are_all_kept() {
    let redis = RedisServer::start();
    let replicas: Vec<RedisInstalls> = (0..3).map(|_| replica(&redis)).collect();
    bot(replicas[0].clone()).handle(delivery(&installed("ACME", Some("ana")))).await;
    let acme = account("ACME");
    let writes = (0..60).map(|i| {
        let (store, acme) = (replicas[i % 3].clone(), acme.clone());
        async move { store.update(&acme, Update::new().set(format!("k{i}"), i)).await }
    });
    for written in futures_util::future::join_all(writes).await {
        written.unwrap().unwrap();
    }
    let install = replicas[1].get(&acme).await.unwrap().unwrap();
    assert_eq!(install.data.len(), 60, "every replica's key is there");
    assert!((0..60).all(|i| install.data[&format!("k{i}")] == i));
}

#[tokio::test]
async fn pages_follow_account_order_and_keys_stay_under_the_prefix() {
    let redis = RedisServer::start();
    let (a, b) = (replica(&redis), replica(&redis));
    let bot_a = bot(a.clone());
    let accounts: Vec<String> = (0..25).map(|i| format!("ACCT{i:03}")).collect();
    for id in &accounts {
        assert_eq!(bot_a.handle(delivery(&installed(id, Some("ana")))).await.status(), 200);
    }
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = b.list(after.as_ref(), 10).await.unwrap();
        listed.extend(page.installs.iter().map(|i| i.account_id.to_string()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, accounts, "each account once, in order, across three pages");
    let err = b.list(None, 0).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "limit"), "{err}");

    let mut connection = redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut connection).await.unwrap();
    assert_eq!(keys.len(), 26, "a hash per install and one index: {keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("test:bot:install")), "{keys:?}");
}

#[tokio::test]
async fn with_redis_down_an_install_is_answered_503_for_zoom_to_deliver_again() {
    let mut redis = RedisServer::start();
    let installs = RedisStore::builder(redis.url())
        .prefix("test:bot")
        .timeout(Duration::from_millis(200))
        .on_unavailable(zoom_chatbot::shared::OnUnavailable::FallBackToLocal)
        .build()
        .unwrap()
        .installs();
    let bot = bot(installs.clone());
    redis.kill();
    assert_eq!(bot.handle(delivery(&installed("ACME", Some("ana")))).await.status(), 503, "even when falling back");
    redis.restart();
    let mut answer = 503;
    for attempt in 0..50 {
        // Each attempt is a new delivery (a replay of the same signature would be refused).
        let ZoomEvent::BotInstalled { payload, .. } = installed("ACME", Some("ana")) else { unreachable!() };
        let event = ZoomEvent::BotInstalled { event_ts: Some(attempt), payload };
        answer = bot.handle(delivery(&event)).await.status().as_u16();
        if answer == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answer, 200, "delivered again once Redis is back");
    assert!(installs.get(&account("ACME")).await.unwrap().is_some());
}

/// Every key in Redis.
async fn keys(redis: &RedisServer) -> Vec<String> {
    let mut connection = redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut connection).await.unwrap();
    keys.sort();
    keys
}

/// An uninstall forgets everything of that account: its install and its rate budgets in
/// Redis, while another account's stay.
#[tokio::test]
async fn an_uninstall_forgets_the_accounts_install_and_budgets_and_no_other() {
    let redis = RedisServer::start();
    let zoom_host = httpmock::MockServer::start_async().await;
    zoom_host.mock(|when, then| {
        when.method(httpmock::Method::POST).path("/oauth/token");
        then.status(200).header("content-type", "application/json").json_body(serde_json::json!({
            "access_token": "app-token", "token_type": "bearer", "expires_in": 3599, "scope": "imchat:bot"
        }));
    });
    zoom_host.mock(|when, then| {
        when.method(httpmock::Method::POST).path("/im/chat/messages");
        then.status(201).header("content-type", "application/json").json_body(serde_json::json!({
            "message_id": "M1", "robot_jid": BOT, "sent_time": "2026-12-01 10:00:00", "to_jid": "c@conference.xmpp.zoom.us"
        }));
    });
    let store = RedisStore::builder(redis.url()).prefix("test:bot").build().unwrap();
    let zoom = ZoomClient::builder()
        .credentials("client-id", SecretString::from("client-secret".to_owned()))
        .robot_jid(BOT.parse().unwrap())
        .oauth_url(zoom_host.base_url())
        .api_url(zoom_host.base_url())
        .pacing(zoom_chatbot::pacing::Pacing::plan(Plan::Free))
        .shared_state(store.clone())
        .build()
        .unwrap();
    let bot = Bot::new(zoom.clone(), SecretString::from(SECRET.to_owned())).installations(store.installs());
    for id in ["ACME", "GLOBEX"] {
        assert_eq!(bot.handle(delivery(&installed(id, Some("ana")))).await.status(), 200);
        let card = zoom_chatbot::card::Card::new().head("hi").build().unwrap();
        zoom.account(&account(id)).send("c@conference.xmpp.zoom.us", card).await.unwrap();
    }
    let before = keys(&redis).await;
    assert!(before.iter().any(|k| k.contains("ACME")) && before.iter().any(|k| k.contains("GLOBEX")), "{before:?}");

    assert_eq!(bot.handle(delivery(&deauthorized("ACME"))).await.status(), 200);
    let after = keys(&redis).await;
    assert!(!after.iter().any(|k| k.contains("ACME")), "ACME's keys are gone: {after:?}");
    let globex = |keys: &[String]| keys.iter().filter(|k| k.contains("GLOBEX")).cloned().collect::<Vec<_>>();
    assert_eq!(globex(&after), globex(&before), "GLOBEX's install and budgets stay");
}
