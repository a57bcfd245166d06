//! What the tests share: a client pointed at a fake Zoom, signed deliveries for a bot's
//! endpoint, the events a Marketplace bot is installed and removed by, and waiting for a
//! handler's effect.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use zoom_chatbot::card::{Card, Text};
use zoom_chatbot::retry::RetryPolicy;
use zoom_chatbot::types::{AppDeauthorizedPayload, BotInstalledPayload, ZoomEvent};
use zoom_chatbot::webhook::sign;
use zoom_chatbot::{ClientBuilder, SecretString, ZoomClient, types};
use zoom_mock::fake::{OperationId, ZoomMock};

pub const CHANNEL: &str = "team@conference.xmpp.zoom.us";

/// The Marketplace bot of the scripted (httpmock) tests.
pub const BOT: &str = "v1marketplacebot@xmpp.zoom.us";

pub fn builder(fake: &ZoomMock) -> ClientBuilder {
    ClientBuilder::from_vars(fake.client_env())
        // Short waits keep retry tests quick; the rules are the same.
        .retry(
            RetryPolicy::default()
                .max_attempts(4)
                .base_delay(std::time::Duration::from_millis(10))
                .max_delay(std::time::Duration::from_secs(2)),
        )
}

/// A client for the fake whose app secret is `secret`, with no API URL (so the token's
/// `api_url` decides where API calls go).
pub fn with_secret(fake: &ZoomMock, secret: &str) -> ZoomClient {
    ZoomClient::builder()
        .credentials(fake.client_id(), SecretString::from(secret.to_owned()))
        .account_id(fake.account_id().parse().unwrap())
        .robot_jid(fake.robot_jid().parse().unwrap())
        .oauth_url(fake.oauth_base_url())
        .build()
        .unwrap()
}

/// Sends `n` cards at once from clones of `zoom`; every send must succeed.
pub async fn send_concurrently(zoom: &ZoomClient, n: usize) {
    let sends: Vec<_> = (0..n)
        .map(|i| {
            let zoom = zoom.clone();
            tokio::spawn(async move { zoom.send(CHANNEL, card(&i.to_string())).await })
        })
        .collect();
    for send in sends {
        send.await.unwrap().unwrap();
    }
}

/// A fake Zoom whose account's directory holds `users`, each as `(id, email)`.
pub async fn fake_with_users(users: &[(&str, &str)]) -> ZoomMock {
    let builder = users.iter().fold(ZoomMock::builder(), |builder, &(id, email)| builder.user(id, email));
    builder.start().await.unwrap()
}

pub fn client(fake: &ZoomMock) -> ZoomClient {
    builder(fake).build().unwrap()
}

pub fn card(text: &str) -> types::Card {
    Card::new().head(text).push(Text::new("body")).build().unwrap()
}

/// The statuses the fake answered for an operation, in order.
pub fn statuses(fake: &ZoomMock, operation: OperationId) -> Vec<u16> {
    fake.requests().iter().filter(|r| r.operation == Some(operation)).map(|r| r.status).collect()
}

/// Captures every log line (TRACE and up) written on this thread while the guard lives.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

impl Captured {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// Collects what the tracing subscriber writes.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Zoom for a Marketplace app: a chatbot token for the app, and a client with no account or
/// bot configured (each call or event names them).
pub fn marketplace(server: &httpmock::MockServer) -> ZoomClient {
    server.mock(|when, then| {
        when.method(httpmock::Method::POST).path("/oauth/token");
        then.status(200).header("content-type", "application/json").json_body(serde_json::json!({
            "access_token": "app-token", "token_type": "bearer", "expires_in": 3599, "scope": "imchat:bot"
        }));
    });
    // Client credentials only: no account, no bot JID.
    ZoomClient::builder()
        .credentials("client-id", SecretString::from("client-secret".to_owned()))
        .oauth_url(server.base_url())
        .api_url(server.base_url())
        .build()
        .unwrap()
}

/// A client that is never meant to reach Zoom: its API is a closed loopback port.
pub fn offline() -> ZoomClient {
    ZoomClient::builder()
        .credentials("id", SecretString::from("secret".to_owned()))
        .api_url("http://127.0.0.1:9/v2")
        .build()
        .unwrap()
}

/// Seconds since the Unix epoch: when Zoom signs a delivery.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// `body` as JSON, posted to the bot's endpoint and signed with `secret` now, as Zoom does.
pub fn signed(secret: &str, body: &impl serde::Serialize) -> http::Request<Bytes> {
    signed_at(secret, unix_now(), body)
}

/// `body` as JSON, posted to the bot's endpoint and signed with `secret` at `timestamp`
/// (seconds): Zoom signs each attempt anew.
pub fn signed_at(secret: &str, timestamp: u64, body: &impl serde::Serialize) -> http::Request<Bytes> {
    let body = serde_json::to_vec(body).unwrap();
    let signature = sign(&SecretString::from(secret.to_owned()), timestamp, &body);
    http::Request::builder()
        .method("POST")
        .uri("/zoom/events")
        .header("x-zm-request-timestamp", timestamp.to_string())
        .header("x-zm-signature", signature)
        .body(Bytes::from(body))
        .unwrap()
}

/// `bot_installed` for [`BOT`] in `account`, by `user` (named "`user` (admin)") or, with
/// none, an account-level install.
pub fn installed(account: &str, user: Option<&str>) -> ZoomEvent {
    let payload = BotInstalledPayload {
        account_id: account.into(),
        robot_jid: BOT.into(),
        timestamp: Some(1_764_583_200_000),
        user_id: user.map(str::to_owned),
        user_jid: user.map(|u| format!("{u}@xmpp.zoom.us")),
        user_name: user.map(|u| format!("{u} (admin)")),
    };
    ZoomEvent::BotInstalled { event_ts: Some(1_764_583_200_100), payload }
}

/// `app_deauthorized` for the app in `account`, removed by Ana.
pub fn deauthorized(account: &str) -> ZoomEvent {
    let payload = AppDeauthorizedPayload {
        account_id: account.into(),
        client_id: "client-id".into(),
        deauthorization_time: None,
        event_ts: None,
        signature: Some("827edc3452044f0bc86bdd5684afb7d1".into()),
        user_id: "ana".into(),
    };
    ZoomEvent::AppDeauthorized { payload }
}

/// A loopback listener for a bot's endpoint, and the endpoint's URL (`/zoom/events`).
pub async fn events_endpoint() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/zoom/events", listener.local_addr().unwrap());
    (listener, url)
}

/// Waits (up to five seconds) until `check` finds what it wants: a bot answers on its own
/// task, after Zoom's request has been answered.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(found) = check() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Waits (up to five seconds, a guard against a hang) until no handler of `bot` runs: they
/// run on their own tasks, after the delivery was answered.
pub async fn handlers_done(bot: &zoom_chatbot::bot::Bot) {
    for _ in 0..500 {
        if bot.running_handlers() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("handlers still running");
}
