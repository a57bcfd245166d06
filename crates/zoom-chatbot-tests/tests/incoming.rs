//! Incoming webhooks in their three formats, against the fake Zoom.

use crate::common;

use common::*;
use zoom_chatbot::card::{Card, Text};
use zoom_chatbot::{Error, SecretString};
use zoom_mock::fake::ZoomMock;

#[tokio::test]
async fn card_message_and_fields_land_in_the_channel() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let (id, token) = fake.incoming_webhook("alerts");
    let hook = zoom.incoming_webhook(&id, SecretString::from(token.clone()));
    hook.send_card(Card::new().head("Disk almost full").push(Text::new("/var at 93%")).build().unwrap()).await.unwrap();
    hook.send_message("Backup finished").await.unwrap();
    hook.send_fields(&[("host", "db1"), ("load", "3.2")]).await.unwrap();

    let stored = fake.conversation_of_jid("alerts@conference.xmpp.zoom.us");
    let cards: Vec<serde_json::Value> =
        stored.iter().map(|m| serde_json::to_value(m.card().unwrap()).unwrap()).collect();
    assert_eq!(cards[0]["head"]["text"], "Disk almost full");
    assert_eq!(cards[1]["body"][0]["text"], "Backup finished");
    assert_eq!(cards[2]["body"][0]["items"][1], serde_json::json!({"key": "load", "value": "3.2"}));
    assert!(!format!("{hook:?}").contains(&token), "the token is never printed");
}

#[tokio::test]
async fn a_wrong_token_is_zooms_refusal_and_empty_input_is_refused_first() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let (id, _) = fake.incoming_webhook("alerts");
    let hook = zoom.incoming_webhook(&id, SecretString::from("wrong".to_owned()));
    for err in [
        hook.send_card(Card::new().head("x").build().unwrap()).await.unwrap_err(),
        hook.send_message("x").await.unwrap_err(),
    ] {
        assert!(matches!(err, Error::Zoom { status: 401, .. }), "{err:?}");
    }
    let before = fake.requests().len();
    assert!(matches!(hook.send_message("  ").await.unwrap_err(), Error::InvalidInput { .. }));
    assert!(matches!(hook.send_fields(&[]).await.unwrap_err(), Error::InvalidInput { .. }));
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

/// A refusal of a hand-written incoming-webhook post is read as every other refusal is: code,
/// message, field errors and tracking id (one mapping, in `error.rs`).
#[tokio::test]
async fn a_refused_post_keeps_its_field_errors_and_tracking_id() {
    let server = httpmock::MockServer::start_async().await;
    server.mock(|when, then| {
        when.path("/chat/webhooks/incomingwebhook/hook1");
        then.status(400).header("x-zm-trackingid", "T-1").json_body(serde_json::json!({
            "code": 300, "message": "Validation Failed.",
            "errors": [{"field": "body", "message": "is required"}]
        }));
    });
    let zoom = zoom_chatbot::ClientBuilder::from_vars(ZoomMock::start().await.unwrap().client_env())
        .webhook_url(server.base_url())
        .build()
        .unwrap();
    let hook = zoom.incoming_webhook("hook1", SecretString::from("t".to_owned()));
    match hook.send_message("hello").await.unwrap_err() {
        Error::Zoom { status: 400, code: 300, field_errors, tracking_id, .. } => {
            assert_eq!(field_errors[0].field, "body");
            assert_eq!(tracking_id.as_deref(), Some("T-1"));
        }
        other => panic!("{other:?}"),
    }
}

/// Every format goes through the client's request policy, as every API call does: a 429 is
/// waited out and retried, and the post is traced in a `zoom_request` span. So does a webhook
/// made from its URL alone, with a client of its own.
#[tokio::test]
async fn every_format_is_retried_after_a_429_inside_the_request_span() {
    let fake = ZoomMock::start().await.unwrap();
    let quick = zoom_chatbot::retry::RetryPolicy::default()
        .max_attempts(3)
        .base_delay(std::time::Duration::from_millis(5))
        .max_delay(std::time::Duration::from_millis(20));
    let zoom = builder(&fake).retry(quick).build().unwrap();
    let (id, token) = fake.incoming_webhook("alerts");
    let hook = zoom.incoming_webhook(&id, SecretString::from(token.clone()));
    let (logs, _guard) = capture_logs();
    fake.force_rate_limit(1);
    hook.send_card(Card::new().head("card").build().unwrap()).await.expect("the card is retried");
    fake.force_rate_limit(1);
    hook.send_message("message").await.expect("the message is retried");
    fake.force_rate_limit(1);
    hook.send_fields(&[("format", "fields")]).await.expect("the fields are retried");
    let url = format!("{}/chat/webhooks/incomingwebhook/{id}", fake.webhook_base_url());
    let from_url = zoom_chatbot::incoming::IncomingWebhook::from_url(&url, SecretString::from(token)).unwrap();
    fake.force_rate_limit(1);
    from_url.send_message("from its URL").await.expect("a webhook made from its URL is retried too");

    assert_eq!(fake.conversation_of_jid("alerts@conference.xmpp.zoom.us").len(), 4, "each landed once");
    let posts = fake.requests().iter().filter(|r| r.path.starts_with("/chat/webhooks/")).count();
    assert_eq!(posts, 8, "each was posted twice: refused, then retried");
    let logs = logs.text();
    let retried = logs
        .lines()
        .filter(|l| l.contains("zoom_request") && l.contains("send_incoming_webhook") && l.contains("rate limited"))
        .count();
    assert_eq!(retried, 4, "each retry is logged in the post's span: {logs}");
}
