//! Shared helpers of the fake's tests: raw HTTP against a running fake, so every status, code
//! and header is checked as a client would see it.
#![allow(dead_code)]

pub mod markup;

use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};
use zoom_mock::fake::ZoomMock;

/// One client for every test of the binary: building one loads the TLS roots (the workspace's
/// tests turn reqwest's TLS features on), which took most of a minute over a test's 500 sends.
/// It keeps no idle connection, because each test has a runtime of its own and a connection
/// lives on the runtime that opened it.
pub fn http() -> Client {
    static CLIENT: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| Client::builder().pool_max_idle_per_host(0).build().unwrap()).clone()
}

/// A browser that does not follow the page's redirects, so each answer can be checked (one for
/// the binary, as [`http`]).
pub fn browser() -> Client {
    static CLIENT: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
    let build = || Client::builder().pool_max_idle_per_host(0).redirect(reqwest::redirect::Policy::none()).build();
    CLIENT.get_or_init(|| build().unwrap()).clone()
}

pub async fn token(zoom: &ZoomMock, grant: &str) -> String {
    let mut form = vec![("grant_type", grant.to_owned())];
    if grant == "account_credentials" {
        form.push(("account_id", zoom.account_id()));
    }
    let r = http()
        .post(format!("{}/oauth/token", zoom.oauth_base_url()))
        .basic_auth(zoom.client_id(), Some(zoom.client_secret()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token request refused");
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

pub async fn bot_token(zoom: &ZoomMock) -> String {
    token(zoom, "client_credentials").await
}

pub async fn api_token(zoom: &ZoomMock) -> String {
    token(zoom, "account_credentials").await
}

pub fn api(zoom: &ZoomMock, method: Method, path: &str, token: &str) -> RequestBuilder {
    http().request(method, format!("{}{path}", zoom.api_base_url())).bearer_auth(token)
}

pub fn card(text: &str) -> Value {
    json!({"head": {"text": text}})
}

pub fn send_body(zoom: &ZoomMock, to_jid: &str, text: &str) -> Value {
    json!({"robot_jid": zoom.robot_jid(), "to_jid": to_jid, "account_id": zoom.account_id(), "content": card(text)})
}

pub async fn bot_send(zoom: &ZoomMock, token: &str, to_jid: &str, text: &str) -> Response {
    api(zoom, Method::POST, "/im/chat/messages", token).json(&send_body(zoom, to_jid, text)).send().await.unwrap()
}

/// Status and JSON body of a response.
pub async fn answer(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

/// Asserts a Zoom error answer: status, code, and a message containing `says`.
pub async fn expect_error(r: Response, status: u16, code: i64, says: &str) -> Value {
    let (got_status, body) = answer(r).await;
    assert_eq!((got_status, body["code"].as_i64()), (status, Some(code)), "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "message {message:?} should contain {says:?}");
    body
}

pub const CHANNEL: &str = "general@conference.xmpp.zoom.us";

/// The events a [`recording_bot`] was sent, oldest first.
pub type Seen = std::sync::Arc<std::sync::Mutex<Vec<Value>>>;

/// A bot endpoint at `path` on a free port for the secret token `s`: it answers the
/// URL-validation handshake, refuses an event whose signature is wrong (401) or that lacks a
/// request id of its own (`x-zm-request-id`, as Zoom sends: 400), and keeps every signed
/// event, the handshake included. Returns its URL.
pub async fn recording_bot(path: &str) -> (String, Seen) {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    let seen = Seen::default();
    let keep = seen.clone();
    let ids: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>> = Default::default();
    let app = axum::Router::new().route(
        path,
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let (keep, ids) = (keep.clone(), ids.clone());
            async move {
                let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let expected = zoom_signature::signature(b"s", &header("x-zm-request-timestamp"), &body);
                if header("x-zm-signature") != expected {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let id = header("x-zm-request-id");
                if id.is_empty() || !ids.lock().unwrap().insert(id) {
                    return StatusCode::BAD_REQUEST.into_response();
                }
                let event: Value = serde_json::from_slice(&body).unwrap();
                let answer = if event["event"] == "endpoint.url_validation" {
                    let plain = event["payload"]["plainToken"].as_str().unwrap_or("").to_owned();
                    let encrypted = zoom_signature::hmac_hex(b"s", plain.as_bytes());
                    json!({"plainToken": plain, "encryptedToken": encrypted})
                } else {
                    json!({})
                };
                keep.lock().unwrap().push(event);
                axum::Json(answer).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}
