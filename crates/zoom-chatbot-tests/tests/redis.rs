//! State shared by replicas, against a real `redis-server` (one per test, on a free port, no
//! persistence): tokens, the rate budget, event de-duplication, and what happens when Redis
//! goes away. Each "replica" here has its own client and its own Redis connections; the
//! command line's tests run replicas as separate processes.

use crate::common;
use crate::redis_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{CHANNEL, builder, card, statuses, unix_now as now};
use redis_server::RedisServer;
use secrecy::ExposeSecret as _;
use zoom_chatbot::auth::{OAuth, Pkce, UserOAuth};
use zoom_chatbot::bot::Bot;
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::error::Setting;
use zoom_chatbot::pacing::{Pacing, Plan, RateLabel};
use zoom_chatbot::shared::{OnUnavailable, RedisStore};
use zoom_chatbot::{Error, SecretString, ZoomClient};
use zoom_mock::fake::{OperationId, ZoomMock};

fn store(redis: &RedisServer, on: OnUnavailable) -> RedisStore {
    RedisStore::builder(redis.url()).prefix("test:acme").on_unavailable(on).build().unwrap()
}

/// A replica's client: its own store (its own connections), sharing state with the others.
fn replica(fake: &ZoomMock, redis: &RedisServer, on: OnUnavailable) -> ZoomClient {
    builder(fake).shared_state(store(redis, on)).build().unwrap()
}

async fn redis_connection(redis: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap()
}

/// Every key in Redis with its TTL in milliseconds.
async fn keys_and_ttls(redis: &RedisServer) -> Vec<(String, i64)> {
    let mut connection = redis_connection(redis).await;
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut connection).await.unwrap();
    let mut out = Vec::new();
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut connection).await.unwrap();
        out.push((key, ttl));
    }
    out.sort();
    out
}

#[tokio::test]
async fn replicas_share_one_token_renewed_ahead_of_expiry_and_kept_only_while_it_lives() {
    let redis = RedisServer::start();
    let fake = ZoomMock::builder().token_lifetime(Duration::from_secs(5)).start().await.unwrap();
    let replicas: Vec<ZoomClient> = (0..3).map(|_| replica(&fake, &redis, OnUnavailable::FailClosed)).collect();
    let sends = replicas.iter().flat_map(|zoom| {
        (0..5).map(move |i| std::future::IntoFuture::into_future(zoom.send(CHANNEL, card(&i.to_string()))))
    });
    for sent in futures_util::future::join_all(sends).await {
        sent.unwrap();
    }
    assert_eq!(fake.token_count(), 1, "fifteen sends from three replicas, one token request");

    // The token is kept under the prefix, for no longer than it lives.
    let keys = keys_and_ttls(&redis).await;
    let (_, ttl) = keys.iter().find(|(k, _)| k == "test:acme:token:chatbot").expect("the shared token");
    assert!(*ttl > 0 && *ttl <= 5_000, "{keys:?}");
    assert!(
        keys.iter().all(|(k, ttl)| k.starts_with("test:acme:") && *ttl > 0),
        "every key has the prefix and a TTL: {keys:?}"
    );

    // Within the renewal margin (a tenth of 5 s), the fleet renews once, ahead of expiry.
    tokio::time::sleep(Duration::from_millis(4_600)).await;
    for zoom in &replicas {
        zoom.send(CHANNEL, card("renewed")).await.unwrap();
    }
    assert_eq!(fake.token_count(), 2, "one renewal for the three replicas");
    assert!(statuses(&fake, OperationId::SendChatbotMessage).iter().all(|s| *s == 201), "no send met an expired token");
}

#[tokio::test]
async fn a_token_zoom_refuses_is_replaced_once_for_the_fleet() {
    let redis = RedisServer::start();
    let fake = ZoomMock::start().await.unwrap();
    let (a, b) = (replica(&fake, &redis, OnUnavailable::FailClosed), replica(&fake, &redis, OnUnavailable::FailClosed));
    a.send(CHANNEL, card("1")).await.unwrap();
    b.send(CHANNEL, card("2")).await.unwrap();
    fake.invalidate_tokens();
    a.send(CHANNEL, card("3")).await.unwrap();
    b.send(CHANNEL, card("4")).await.unwrap();
    assert_eq!(fake.token_count(), 2, "the refused token was discarded once and replaced once");
}

/// A refresh token for the user `ana` of `fake`, from an authorization code exchanged with
/// PKCE, as an app gets one at install.
async fn seeded_refresh_token(fake: &ZoomMock) -> SecretString {
    let pkce = Pkce::new();
    let code = fake.authorization_code("ana", None, Some(pkce.challenge()));
    // The client's own HTTP client: with rustls, building it installs the crypto provider,
    // which a bare `reqwest::Client::new()` needs when this test runs first in its process.
    let oauth = OAuth::new(
        &fake.oauth_base_url(),
        common::client(fake).http().clone(),
        &fake.client_id(),
        &SecretString::from(fake.client_secret()),
    );
    // The refresh token the code exchange hands out.
    let kept: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let keep = kept.clone();
    UserOAuth::exchange_code(&oauth, &code, "", &pkce, move |t: &SecretString| {
        *keep.lock().unwrap() = Some(t.expose_secret().to_owned());
        Ok(())
    })
    .await
    .unwrap();
    SecretString::from(kept.lock().unwrap().clone().unwrap())
}

#[tokio::test]
async fn a_users_rotating_refresh_token_is_shared_and_never_spent_twice() {
    let redis = RedisServer::start();
    let fake = ZoomMock::start().await.unwrap();
    let seed = seeded_refresh_token(&fake).await;

    // Two replicas start from the same refresh token: without sharing, the second refresh
    // would spend a token the first already spent.
    let replicas: Vec<ZoomClient> = (0..2)
        .map(|_| {
            let store = store(&redis, OnUnavailable::FailClosed);
            builder(&fake).chat_tokens(store.user_oauth("ana", seed.clone())).build().unwrap()
        })
        .collect();
    let team = Conversation::channel("c1").unwrap();
    replicas[0].chat().send(&team, "from replica 0").await.unwrap();
    replicas[1].chat().send(&team, "from replica 1").await.unwrap();
    fake.invalidate_tokens();
    replicas[1].chat().send(&team, "after a refusal").await.unwrap();
    replicas[0].chat().send(&team, "and again").await.unwrap();
    let user_tokens =
        fake.tokens_issued().into_iter().filter(|t| t.grant == zoom_chatbot::types::GrantType::RefreshToken).count();
    assert_eq!(user_tokens, 2, "one refresh at the start, one after the refusal");

    let mut connection = redis_connection(&redis).await;
    let refresh: String = redis::cmd("GET").arg("test:acme:refresh:ana").query_async(&mut connection).await.unwrap();
    assert_ne!(refresh, seed.expose_secret(), "the rotated refresh token is the fleet's");
    let ttl: i64 = redis::cmd("PTTL").arg("test:acme:refresh:ana").query_async(&mut connection).await.unwrap();
    assert!(ttl > 0, "the refresh token has a TTL too");
}

/// An OAuth host in front of the fake's that answers each token request only after `delay`:
/// a slow Zoom.
async fn slow_oauth(fake: &ZoomMock, delay: Duration) -> String {
    let target = format!("{}/oauth/token", fake.oauth_base_url());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let forward = move |headers: http::HeaderMap, body: Bytes| {
        let target = target.clone();
        async move {
            tokio::time::sleep(delay).await;
            let mut request = reqwest::Client::new().post(&target).body(body);
            for name in [http::header::AUTHORIZATION, http::header::CONTENT_TYPE] {
                if let Some(value) = headers.get(&name) {
                    request = request.header(name, value);
                }
            }
            let answer = request.send().await.unwrap();
            let status = answer.status();
            (status, [(http::header::CONTENT_TYPE, "application/json")], answer.bytes().await.unwrap())
        }
    };
    let app = axum::Router::new().route("/oauth/token", axum::routing::post(forward));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Zoom answering a refresh after the token lock expired (a slow Zoom: the HTTP timeout is
/// longer than the lock's) still leaves the new refresh token in Redis, since nobody else
/// rotated meanwhile: the next refresh works, and the user need not authorize again.
#[tokio::test]
async fn a_refresh_answered_after_the_lock_expired_keeps_its_rotation() {
    let redis = RedisServer::start();
    let fake = ZoomMock::start().await.unwrap();
    let seed = seeded_refresh_token(&fake).await;

    // The lock lives 100 ms; Zoom answers in 400 ms.
    let store =
        RedisStore::builder(redis.url()).prefix("test:acme").lock_ttl(Duration::from_millis(100)).build().unwrap();
    let (captured, _guard) = common::capture_logs();
    let zoom = builder(&fake)
        .oauth_url(slow_oauth(&fake, Duration::from_millis(400)).await)
        .chat_tokens(store.user_oauth("ana", seed.clone()))
        .build()
        .unwrap();
    let team = Conversation::channel("c1").unwrap();
    zoom.chat().send(&team, "first, after a slow refresh").await.unwrap();

    let mut connection = redis_connection(&redis).await;
    let refresh: Option<String> =
        redis::cmd("GET").arg("test:acme:refresh:ana").query_async(&mut connection).await.unwrap();
    assert!(refresh.is_some_and(|r| r != seed.expose_secret()), "the rotated refresh token is in Redis");
    assert!(!captured.text().contains("rotated the refresh token first"), "{}", captured.text());

    // The next refresh starts from the rotated token, which Zoom still takes.
    fake.invalidate_tokens();
    zoom.chat().send(&team, "after a refusal").await.unwrap();
    let refreshes =
        fake.tokens_issued().into_iter().filter(|t| t.grant == zoom_chatbot::types::GrantType::RefreshToken).count();
    assert_eq!(refreshes, 2, "both refreshes worked");
}

#[tokio::test]
async fn replicas_stay_under_the_accounts_rate_together() {
    let redis = RedisServer::start();
    // 20 sends a second for the Medium label, for the whole account.
    let fake = ZoomMock::builder().rate(RateLabel::Medium, 20).start().await.unwrap();
    let replicas: Vec<ZoomClient> = (0..3)
        .map(|_| {
            builder(&fake)
                .pacing(Pacing::custom().rate(RateLabel::Medium, 20))
                .shared_state(store(&redis, OnUnavailable::FailClosed))
                .build()
                .unwrap()
        })
        .collect();
    let started = Instant::now();
    let sends = replicas.iter().enumerate().flat_map(|(r, zoom)| {
        (0..20).map(move |i| {
            let zoom = zoom.clone();
            async move { zoom.send(CHANNEL, card(&format!("{r}-{i}"))).await }
        })
    });
    for sent in futures_util::future::join_all(sends).await {
        sent.unwrap();
    }
    let statuses = statuses(&fake, OperationId::SendChatbotMessage);
    assert_eq!(statuses.len(), 60, "each send went out once");
    assert!(statuses.iter().all(|s| *s == 201), "no 429: {statuses:?}");
    // 60 at 20/s on one schedule: the last goes 59 intervals (2.95 s) after the first.
    assert!(started.elapsed() >= Duration::from_millis(2_900), "{:?}", started.elapsed());
    let keys = keys_and_ttls(&redis).await;
    let key = format!("test:acme:rate:{}:medium", fake.account_id());
    assert!(keys.iter().any(|(k, ttl)| *k == key && *ttl > 0), "the account's own schedule: {keys:?}");
}

/// A replica of a Marketplace bot: Free plan pacing on the shared budget, sending through the
/// public client to an httpmock Zoom that answers every send (the fake serves one account).
fn marketplace_replica(server: &httpmock::MockServer, redis: &RedisServer, account: &str) -> ZoomClient {
    ZoomClient::builder()
        .bot_tokens(zoom_chatbot::auth::StaticToken(SecretString::from("static-token".to_owned())))
        .account_id(account.parse().unwrap())
        .robot_jid(BOT.parse().unwrap())
        .api_url(server.base_url())
        .retry(zoom_chatbot::retry::RetryPolicy::none())
        .pacing(Pacing::plan(Plan::Free))
        .shared_state(store(redis, OnUnavailable::FailClosed))
        .build()
        .unwrap()
}

const BOT: &str = "v1bot@xmpp.zoom.us";

/// A chatbot send to `account`, as a bot serving many accounts makes it (through the
/// generated operation, which names any account).
async fn send_as(zoom: &ZoomClient, account: &str) -> Result<(), String> {
    let body = zoom_chatbot::types::SendChatbotMessageRequest {
        robot_jid: BOT.into(),
        to_jid: CHANNEL.into(),
        account_id: account.into(),
        content: card(account),
        visible_to_user: None,
        user_jid: None,
        reply_to: None,
        is_markdown_support: None,
    };
    zoom.api().send_chatbot_message().body(body).send().await.map(|_| ()).map_err(|e| format!("{e:?}"))
}

fn created() -> zoom_chatbot::types::ChatbotMessageSent {
    zoom_chatbot::types::ChatbotMessageSent {
        message_id: "M1".into(),
        robot_jid: BOT.into(),
        sent_time: "2026-11-22 10:00:00".into(),
        to_jid: CHANNEL.into(),
        user_jid: None,
    }
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

async fn get(redis: &RedisServer, key: &str) -> Option<i64> {
    redis::cmd("GET").arg(key).query_async(&mut redis_connection(redis).await).await.unwrap()
}

#[tokio::test]
async fn replicas_keep_each_accounts_budget_apart() {
    use zoom_mock::MockServerExt as _;
    let redis = RedisServer::start();
    let server = httpmock::MockServer::start_async().await;
    let mock = server.send_chatbot_message(|_, then| {
        then.created(&created());
    });
    let replicas = [marketplace_replica(&server, &redis, "OWNACCT"), marketplace_replica(&server, &redis, "OWNACCT")];
    let finished = Arc::new(std::sync::Mutex::new(Vec::new()));
    let started = Instant::now();
    // Both replicas saturate BUSYACCT (Free: 2 a second): 8 sends, the last 3.5 s on.
    let mut busy = Vec::new();
    for zoom in &replicas {
        for _ in 0..4 {
            let (zoom, finished) = (zoom.clone(), finished.clone());
            busy.push(tokio::spawn(async move {
                send_as(&zoom, "BUSYACCT").await.unwrap();
                finished.lock().unwrap().push("busy");
            }));
        }
    }
    // Every busy send has its slot once the account's day counts 8.
    let day = format!("test:acme:day:BUSYACCT:medium:{}", today());
    while get(&redis, &day).await != Some(8) {
        assert!(started.elapsed() < Duration::from_secs(10), "the busy sends never took their slots");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for zoom in &replicas {
        send_as(zoom, "QUIETACCT").await.unwrap();
        finished.lock().unwrap().push("quiet");
    }
    for send in busy {
        send.await.unwrap();
    }
    let order = finished.lock().unwrap().clone();
    let quiet: Vec<usize> = order.iter().enumerate().filter(|(_, a)| **a == "quiet").map(|(i, _)| i).collect();
    // One budget for everyone would have put both quiet sends after all eight busy ones.
    assert!(quiet.iter().all(|i| *i < 4), "the quiet account's sends are not queued behind the busy one: {order:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(3_400),
        "8 busy sends at 2/s on one schedule: {:?}",
        started.elapsed()
    );
    assert_eq!(mock.calls_async().await, 10);
    let keys = keys_and_ttls(&redis).await;
    // (QUIETACCT's schedule, a second ahead at most, may have expired already.)
    assert!(keys.iter().any(|(k, _)| k == "test:acme:rate:BUSYACCT:medium"), "{keys:?}");
    let until_midnight = (chrono::Utc::now().date_naive().succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc()
        - chrono::Utc::now())
    .num_milliseconds();
    let (_, ttl) = keys.iter().find(|(k, _)| *k == day).expect("the busy account's day");
    assert!(*ttl > 0 && *ttl <= until_midnight + 61_000, "the day's key lives to the end of the day: {ttl} ms");
    assert_eq!(get(&redis, &format!("test:acme:day:QUIETACCT:medium:{}", today())).await, Some(2));
}

#[tokio::test]
async fn zooms_429s_correct_one_accounts_shared_budget_for_every_replica() {
    use zoom_chatbot::error::RetryAfter;
    use zoom_mock::MockServerExt as _;
    let redis = RedisServer::start();
    let server = httpmock::MockServer::start_async().await;
    // Replicas, each configured for the account it sends to, all on one shared budget.
    let busy = [marketplace_replica(&server, &redis, "BUSYACCT"), marketplace_replica(&server, &redis, "BUSYACCT")];
    let quiet = marketplace_replica(&server, &redis, "QUIETACCT");
    let limited = zoom_chatbot::types::ChatbotError { code: 429, message: "Too many requests".into(), result: None };

    // A per-second 429 with Retry-After for BUSYACCT, seen by the first replica...
    let qps = server.send_chatbot_message(|_, then| {
        then.too_many_requests(&limited)
            .into_inner()
            .header("retry-after", "2")
            .header("x-ratelimit-category", "Medium")
            .header("x-ratelimit-type", "QPS");
    });
    let limited_at = Instant::now();
    let refused = busy[0].send(CHANNEL, card("busy")).await.unwrap_err();
    assert!(matches!(refused, Error::RateLimited { ref kind, .. } if kind == "QPS"), "{refused:?}");
    qps.delete_async().await;
    let ok = server.send_chatbot_message(|_, then| {
        then.created(&created());
    });
    // ...holds back the other replica's BUSYACCT send, and not QUIETACCT's.
    let finished = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sends = [("BUSYACCT", busy[1].clone()), ("QUIETACCT", quiet.clone())].map(|(account, zoom)| {
        let finished = finished.clone();
        tokio::spawn(async move {
            zoom.send(CHANNEL, card(account)).await.unwrap();
            finished.lock().unwrap().push((account, limited_at.elapsed()));
        })
    });
    for send in sends {
        send.await.unwrap();
    }
    let finished = finished.lock().unwrap().clone();
    assert_eq!(finished[0].0, "QUIETACCT", "{finished:?}");
    assert!(finished[1].1 >= Duration::from_secs(2), "BUSYACCT waited for Retry-After: {finished:?}");
    assert_eq!(ok.calls_async().await, 2);

    // Zoom's daily 429 for BUSYACCT: the other replica refuses its next BUSYACCT send itself.
    ok.delete_async().await;
    let reset = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Zoom's quotas reset at midnight UTC: a reset named past the next midnight is held to it.
    let next_midnight = chrono::Utc::now().date_naive().succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let reset_at = chrono::DateTime::parse_from_rfc3339(&reset).unwrap().with_timezone(&chrono::Utc).min(next_midnight);
    let daily = server.send_chatbot_message(|_, then| {
        then.too_many_requests(&limited)
            .into_inner()
            .header("retry-after", reset.as_str())
            .header("x-ratelimit-category", "Medium")
            .header("x-ratelimit-type", "Daily-limit");
    });
    let refused = busy[0].send(CHANNEL, card("busy")).await.unwrap_err();
    assert!(matches!(refused, Error::RateLimited { ref kind, .. } if kind == "Daily-limit"), "{refused:?}");
    assert_eq!(daily.calls_async().await, 1, "a daily 429 is not tried again before its reset");
    daily.delete_async().await;
    let ok = server.send_chatbot_message(|_, then| {
        then.created(&created());
    });
    match busy[1].send(CHANNEL, card("busy")).await.unwrap_err() {
        Error::RateLimited { kind, retry_after: Some(RetryAfter::At(at)), tracking_id: None, .. } => {
            assert_eq!(kind, "Daily-limit");
            assert!((at - reset_at).num_seconds().abs() <= 1, "the reset Zoom named: {at}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ok.calls_async().await, 0, "refused before it was sent");
    quiet.send(CHANNEL, card("quiet")).await.expect("another account's day is its own");

    // A Free account's 2,000 a day, counted by every replica: the next one is refused.
    redis::cmd("SET")
        .arg(format!("test:acme:day:QUIETACCT:medium:{}", today()))
        .arg(2_000)
        .query_async::<()>(&mut redis_connection(&redis).await)
        .await
        .unwrap();
    match quiet.send(CHANNEL, card("quiet")).await.unwrap_err() {
        Error::RateLimited { kind, retry_after: Some(RetryAfter::At(at)), tracking_id: None, .. } => {
            assert_eq!(kind, "Daily-limit");
            let midnight = chrono::Utc::now().date_naive().succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
            assert_eq!(at, midnight, "the next UTC midnight");
        }
        other => panic!("{other:?}"),
    }
    send_as(&quiet, "THIRDACCT").await.expect("another account's quota is its own");
    assert_eq!(ok.calls_async().await, 2);
}

/// A signed slash command, as Zoom sends it; the same `event_ts` is the same event.
fn delivery(event_ts: u64, timestamp: u64) -> http::Request<Bytes> {
    // For the fake's bot, which the replicas' clients are configured as: an event for another
    // bot is refused (403).
    let robot_jid = zoom_mock::fake::Config::default().robot_jid;
    let body = serde_json::json!({"event": "bot_notification", "event_ts": event_ts, "payload": {
        "accountId": "a", "robotJid": robot_jid, "toJid": "c@conference.xmpp.zoom.us",
        "userJid": "u@xmpp.zoom.us", "cmd": "deploy"}});
    common::signed_at("bot-secret", timestamp, &body)
}

/// A bot replica that counts the runs of its handler.
fn bot_replica(fake: &ZoomMock, store: RedisStore, runs: Arc<AtomicUsize>) -> Bot {
    Bot::new(builder(fake).build().unwrap(), SecretString::from("bot-secret".to_owned()))
        .on_other(move |_| {
            let runs = runs.clone();
            async move {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .deduplicate(store)
}

async fn settle(runs: &AtomicUsize, expected: usize) {
    for _ in 0..100 {
        if runs.load(Ordering::SeqCst) >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await; // a second run would show by now
}

#[tokio::test]
async fn a_delivery_posted_to_two_replicas_runs_its_handler_once() {
    let redis = RedisServer::start();
    let fake = ZoomMock::start().await.unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let a = bot_replica(&fake, store(&redis, OnUnavailable::FailClosed), runs.clone());
    let b = bot_replica(&fake, store(&redis, OnUnavailable::FailClosed), runs.clone());

    // The same delivery to both replicas, and Zoom's redelivery (signed again, later) to one.
    let (first, second) = tokio::join!(a.handle(delivery(1, now())), b.handle(delivery(1, now())));
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200), "both acknowledge it");
    assert_eq!(b.handle(delivery(1, now() + 1)).await.status(), 200);
    settle(&runs, 1).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the handler ran once");

    // Another event runs as usual.
    assert_eq!(a.handle(delivery(2, now())).await.status(), 200);
    settle(&runs, 2).await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // Zoom's request id names a delivery too: the same id is the same delivery, whatever the
    // body (Zoom's pages do not say the body is byte for byte the same on each attempt).
    let with_id = |event_ts| {
        let mut request = delivery(event_ts, now());
        request.headers_mut().insert("x-zm-request-id", "6009d653_d487_445d_8406_42b654974899".parse().unwrap());
        request
    };
    assert_eq!(a.handle(with_id(3)).await.status(), 200);
    assert_eq!(b.handle(with_id(4)).await.status(), 200);
    settle(&runs, 3).await;
    assert_eq!(runs.load(Ordering::SeqCst), 3, "the second body with the same request id did not run");

    // Each name of each delivery is remembered under the prefix for the redelivery horizon:
    // three bodies taken, and one request id.
    let keys = keys_and_ttls(&redis).await;
    let events: Vec<&(String, i64)> = keys.iter().filter(|(k, _)| k.starts_with("test:acme:event:")).collect();
    assert_eq!(events.iter().filter(|(k, _)| k.starts_with("test:acme:event:body:")).count(), 3, "{keys:?}");
    assert!(events.iter().any(|(k, _)| k == "test:acme:event:request:6009d653_d487_445d_8406_42b654974899"));
    assert_eq!(events.len(), 4, "{keys:?}");
    let horizon = zoom_chatbot::shared::REDELIVERY_HORIZON.as_millis() as i64;
    assert!(events.iter().all(|(_, ttl)| *ttl > horizon - 60_000 && *ttl <= horizon), "{events:?}");
}

#[tokio::test]
async fn with_redis_gone_a_store_fails_closed_or_falls_back_as_configured() {
    let mut redis = RedisServer::start();
    let fake = ZoomMock::start().await.unwrap();
    let closed = replica(&fake, &redis, OnUnavailable::FailClosed);
    let open = replica(&fake, &redis, OnUnavailable::FallBackToLocal);
    let runs = Arc::new(AtomicUsize::new(0));
    let closed_bot = bot_replica(&fake, store(&redis, OnUnavailable::FailClosed), runs.clone());
    let open_bot = bot_replica(&fake, store(&redis, OnUnavailable::FallBackToLocal), runs.clone());
    redis.kill();

    // Failing closed: nothing is sent, and the error says why; an event is answered 503.
    let refused = closed.send(CHANNEL, card("x")).await.unwrap_err();
    assert!(matches!(refused, Error::SharedState { operation: "token", .. }), "{refused}");
    assert!(refused.is_retryable());
    assert!(statuses(&fake, OperationId::SendChatbotMessage).is_empty(), "nothing reached Zoom");
    assert_eq!(closed_bot.handle(delivery(7, now())).await.status(), 503, "Zoom delivers it again later");

    // Falling back: this replica goes on alone, and still runs each event once itself.
    let (logs, guard) = common::capture_logs();
    open.send(CHANNEL, card("alone")).await.unwrap();
    assert!(logs.text().contains("Redis is unavailable"), "{}", logs.text());
    drop(guard);
    assert_eq!(open_bot.handle(delivery(8, now())).await.status(), 200);
    assert_eq!(open_bot.handle(delivery(8, now() + 1)).await.status(), 200);
    settle(&runs, 1).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Redis back (empty): the replicas share again without being rebuilt.
    redis.restart();
    let before = fake.token_count();
    let again = replica(&fake, &redis, OnUnavailable::FailClosed);
    again.send(CHANNEL, card("back")).await.unwrap();
    // The failed token request answers for a second (FAILURE_HOLD), then Redis is asked again.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    closed.send(CHANNEL, card("back too")).await.unwrap();
    assert_eq!(fake.token_count(), before + 1, "one token request for both, through Redis again");
}

#[test]
fn a_store_builds_without_redis_or_a_runtime_and_never_shows_its_url() {
    // Connections are made at the first use: a store builds while Redis is down.
    let store = RedisStore::builder("redis://:hunter2@127.0.0.1:1/0").prefix("p").build().unwrap();
    let shown = format!("{store:?}");
    assert!(!shown.contains("hunter2") && shown.contains("\"p\""), "{shown}");
    let refused = RedisStore::builder("http://user:hunter2@example.com").build().unwrap_err();
    assert!(matches!(refused, Error::InvalidSetting { setting: Setting::RedisUrl, .. }), "{refused}");
    assert!(!refused.to_string().contains("hunter2"), "{refused}");
}

#[tokio::test]
async fn an_unreachable_redis_is_reported_without_its_url() {
    let store = RedisStore::builder("redis://:hunter2@127.0.0.1:1").build().unwrap();
    let refused = store.ping().await.unwrap_err();
    assert!(matches!(refused, Error::SharedState { operation: "ping", .. }), "{refused}");
    assert!(!refused.to_string().contains("hunter2") && !format!("{refused:?}").contains("hunter2"), "{refused:?}");
}

#[tokio::test]
async fn replicas_share_a_channels_send_windows() {
    let redis = RedisServer::start();
    // The fake holds each sender to Zoom's per-channel windows (10 a second, ...).
    let fake = ZoomMock::builder().unlimited().start().await.unwrap();
    let replicas: Vec<ZoomClient> = (0..2)
        .map(|_| {
            builder(&fake)
                .pacing(Pacing::custom())
                .shared_state(store(&redis, OnUnavailable::FailClosed))
                .build()
                .unwrap()
        })
        .collect();
    let team = Conversation::channel("c1").unwrap();
    let started = Instant::now();
    let sends = replicas.iter().enumerate().flat_map(|(r, zoom)| {
        let team = team.clone();
        (0..8).map(move |i| {
            let (zoom, team) = (zoom.clone(), team.clone());
            async move { zoom.chat().send(&team, format!("{r}-{i}")).await }
        })
    });
    for sent in futures_util::future::join_all(sends).await {
        sent.unwrap();
    }
    let statuses = statuses(&fake, OperationId::SendChatMessage);
    assert_eq!(statuses.len(), 16);
    assert!(statuses.iter().all(|s| *s == 201), "no 429 from the channel's windows: {statuses:?}");
    assert!(started.elapsed() >= Duration::from_secs(1), "16 sends to one channel take more than its first second");
    let keys = keys_and_ttls(&redis).await;
    assert!(keys.iter().any(|(k, ttl)| k.starts_with("test:acme:channel:") && *ttl > 0), "{keys:?}");
}

/// A `rediss://` store (the `rustls` feature) trusts the CA it is given, and only that.
#[tokio::test]
async fn a_store_speaks_tls_to_a_redis_with_a_private_ca() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let redis = RedisServer::start_tls(fixtures.join("server.pem"), fixtures.join("server.key"));
    let ca = std::fs::read(fixtures.join("ca.pem")).unwrap();
    let trusted = RedisStore::builder(redis.url()).root_certificate(ca).build().unwrap();
    trusted.ping().await.expect("TLS with the private CA");

    // The system's roots do not know this CA: the store refuses to talk to it.
    let untrusted = RedisStore::builder(redis.url()).build().unwrap();
    let refused = untrusted.ping().await.unwrap_err();
    assert!(matches!(refused, Error::SharedState { .. }), "{refused}");
    assert!(refused.to_string().contains("certificate"), "the error says why: {refused}");

    // Shared tokens work over it as over plain TCP.
    let fake = ZoomMock::start().await.unwrap();
    let store = |pem: Vec<u8>| RedisStore::builder(redis.url()).root_certificate(pem).build().unwrap();
    let ca = std::fs::read(fixtures.join("ca.pem")).unwrap();
    let (a, b) = (
        builder(&fake).shared_state(store(ca.clone())).build().unwrap(),
        builder(&fake).shared_state(store(ca)).build().unwrap(),
    );
    a.send(CHANNEL, card("over TLS")).await.unwrap();
    b.send(CHANNEL, card("over TLS too")).await.unwrap();
    assert_eq!(fake.token_count(), 1);
}
