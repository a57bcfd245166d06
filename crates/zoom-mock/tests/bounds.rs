//! The fake holds against what it did not expect: its tables stay bounded whatever a client
//! sends, and one slow request does not hold up the others.

use crate::common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::json;
use zoom_mock::fake::{ConversationId, ZoomMock};

/// A card of many elements: valid, and slow to validate.
fn heavy_card(elements: usize) -> serde_json::Value {
    let body: Vec<_> = (0..elements).map(|i| json!({"type": "message", "text": format!("line {i}")})).collect();
    json!({"head": {"text": "heavy"}, "body": body})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_body_does_not_hold_up_other_requests() {
    let zoom = ZoomMock::builder().unlimited().start().await.unwrap();
    let token = bot_token(&zoom).await;
    let mut heavy = send_body(&zoom, CHANNEL, "heavy");
    heavy["content"] = heavy_card(20_000);
    let big = {
        let request = api(&zoom, Method::POST, "/im/chat/messages", &token).json(&heavy);
        tokio::spawn(async move { request.send().await.unwrap().status() })
    };
    // Once the large body is in (validation starts when the whole body has arrived), a small
    // request goes: it must not wait for that validation.
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "small").await.status(), 201);
    assert_eq!(big.await.unwrap(), 201);
    let order: Vec<String> =
        zoom.conversation(&ConversationId::channel("general").unwrap()).iter().map(|m| m.text()).collect();
    assert_eq!(order, ["small", "heavy"], "the small send was answered while the large one was validated");
}

#[tokio::test]
async fn conversations_are_capped_through_the_api() {
    let zoom = ZoomMock::builder().unlimited().max_conversations(50).start().await.unwrap();
    let token = bot_token(&zoom).await;
    for i in 0..500 {
        let to = format!("c{i}@conference.xmpp.zoom.us");
        assert_eq!(bot_send(&zoom, &token, &to, "hi").await.status(), 201);
    }
    assert_eq!(zoom.message_count(), 50, "one message in each of the 50 newest conversations");
    assert!(zoom.conversation(&ConversationId::channel("c0").unwrap()).is_empty(), "the oldest went");
    assert_eq!(zoom.conversation(&ConversationId::channel("c499").unwrap()).len(), 1);
}

/// A bot that takes the handshake and then never answers an event: the delivery gives up
/// after the delivery timeout (three seconds by default, as Zoom waits) instead of hanging.
#[tokio::test]
async fn an_event_to_a_bot_that_does_not_answer_times_out() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let validated = Arc::new(AtomicBool::new(false));
    let seen = validated.clone();
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move |body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
                if event["event"] == "endpoint.url_validation" && !seen.swap(true, Ordering::SeqCst) {
                    let plain = event["payload"]["plainToken"].as_str().unwrap().to_owned();
                    let encrypted = zoom_signature::hmac_hex(b"s", plain.as_bytes());
                    return axum::Json(json!({"plainToken": plain, "encryptedToken": encrypted}));
                }
                std::future::pending::<()>().await;
                unreachable!()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let zoom = ZoomMock::builder().delivery_timeout(Duration::from_millis(200)).start().await.unwrap();
    let bot = zoom.connect_bot(&url, "s").await.unwrap();
    let err = zoom.slash_command(&bot, "ana@xmpp.zoom.us", CHANNEL, "hello").await.unwrap_err();
    assert!(err.to_string().contains("no answer within 200ms"), "{err}");
    assert_eq!(zoom_mock::fake::DELIVERY_TIMEOUT, Duration::from_secs(3), "Zoom's own wait by default");
}
