//! The fake's deliveries never follow a redirect: a bot's URL that answers 307 (or any 3xx)
//! would otherwise make the fake re-post a signed event, the handshake included, to an
//! address of the answer's choosing. A 3xx is recorded as that status: a failed delivery.

use crate::common;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use common::*;
use serde_json::{Value, json};
use zoom_mock::fake::{EventContext, ZoomMock, post_signed, slash_command_event, validate_endpoint};

/// A bot that sends everything on to `target` with a 307: at `/always`, and at
/// `/after-handshake` once it has passed the URL validation (for the secret `s`).
async fn redirecting_bot(target: &str) -> String {
    let target = target.to_owned();
    let redirect = move || (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target.clone())]).into_response();
    let always = redirect.clone();
    let app = axum::Router::new().route("/always", axum::routing::post(move || std::future::ready(always()))).route(
        "/after-handshake",
        axum::routing::post(move |body: axum::body::Bytes| {
            let event: Value = serde_json::from_slice(&body).unwrap_or_default();
            std::future::ready(if event["event"] == "endpoint.url_validation" {
                let plain = event["payload"]["plainToken"].as_str().unwrap_or("").to_owned();
                let encrypted = zoom_signature::hmac_hex(b"s", plain.as_bytes());
                axum::Json(json!({"plainToken": plain, "encryptedToken": encrypted})).into_response()
            } else {
                redirect()
            })
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn context() -> EventContext {
    EventContext {
        account_id: "FakeAccount01".into(),
        robot_jid: "v1fakebot@xmpp.zoom.us".into(),
        to_jid: CHANNEL.into(),
        user_jid: "fakeuser01@xmpp.zoom.us".into(),
    }
}

#[tokio::test]
async fn a_redirecting_bot_gets_its_3xx_recorded_and_the_redirect_target_gets_nothing() {
    // The address the redirect points at: a bot that would accept the signed events.
    let (elsewhere, seen) = recording_bot("/zoom/events").await;
    let bot = redirecting_bot(&elsewhere).await;

    // The CLI's paths: the handshake fails on the 307, and an event reports it.
    let handshake = validate_endpoint(&format!("{bot}/always"), "s", "plain").await.unwrap_err();
    assert!(handshake.to_string().contains("HTTP 307"), "{handshake}");
    let (status, _) = post_signed(&format!("{bot}/always"), "s", &slash_command_event(&context(), "hi")).await.unwrap();
    assert_eq!(status, 307);

    // The fake's: the page's handshake fails, and an event to a connected bot that then
    // redirects is a failed delivery with its status.
    let zoom = ZoomMock::start().await.unwrap();
    assert!(zoom.connect_bot(&format!("{bot}/always"), "s").await.is_err());
    let connected = zoom.connect_bot(&format!("{bot}/after-handshake"), "s").await.unwrap();
    assert_eq!(zoom.slash_command(&connected, "fakeuser01@xmpp.zoom.us", CHANNEL, "hi").await.unwrap(), 307);
    let outcomes: Vec<_> = zoom.deliveries().into_iter().map(|d| (d.event, d.outcome)).collect();
    assert!(outcomes[0].1.as_ref().is_err_and(|why| why.contains("HTTP 307")), "{outcomes:?}");
    assert_eq!(outcomes[2], ("bot_notification".to_owned(), Ok(307)), "{outcomes:?}");

    assert!(seen.lock().unwrap().is_empty(), "the redirect was followed: {:?}", seen.lock().unwrap());
}
