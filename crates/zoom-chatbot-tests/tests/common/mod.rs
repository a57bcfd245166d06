//! A client pointed at a fake Zoom.
#![allow(dead_code)]

use zoom_chatbot::card::{Card, Text};
use zoom_chatbot::retry::RetryPolicy;
use zoom_chatbot::{ClientBuilder, SecretString, ZoomClient, types};
use zoom_mock::fake::{OperationId, ZoomMock};

pub const CHANNEL: &str = "team@conference.xmpp.zoom.us";

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
