//! Exact exchanges scripted with the generated httpmock helpers: the requests the client
//! sends, and the retry rules the fake cannot script.

use std::time::Duration;

use crate::common;

use common::capture_logs;
use httpmock::MockServer;
use zoom_chatbot::auth::StaticToken;
use zoom_chatbot::card::Card;
use zoom_chatbot::error::RetryAfter;
use zoom_chatbot::retry::RetryPolicy;
use zoom_chatbot::{Error, SecretString, ZoomClient, types};
use zoom_mock::MockServerExt;

const CHANNEL: &str = "team@conference.xmpp.zoom.us";
const BOT: &str = "v1bot@xmpp.zoom.us";

fn client(server: &MockServer, retry: RetryPolicy) -> ZoomClient {
    ZoomClient::builder()
        .bot_tokens(StaticToken(SecretString::from("static-token".to_owned())))
        .account_id("ACCT".parse().unwrap())
        .robot_jid(BOT.parse().unwrap())
        .api_url(server.base_url())
        .retry(retry)
        .build()
        .unwrap()
}

fn quick(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(max_attempts)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(50))
}

fn card() -> types::Card {
    Card::new().head("hi").build().unwrap()
}

fn sent() -> types::ChatbotMessageSent {
    types::ChatbotMessageSent {
        message_id: "M1".into(),
        robot_jid: BOT.into(),
        sent_time: "2026-11-22 10:00:00".into(),
        to_jid: CHANNEL.into(),
        user_jid: None,
    }
}

fn limited() -> types::ChatbotError {
    types::ChatbotError { code: 429, message: "Too many requests".into(), result: None }
}

#[tokio::test]
async fn a_send_is_exactly_the_documented_request() {
    let server = MockServer::start_async().await;
    let expected = types::SendChatbotMessageRequest {
        robot_jid: BOT.into(),
        to_jid: CHANNEL.into(),
        account_id: "ACCT".into(),
        content: card(),
        visible_to_user: None,
        user_jid: None,
        reply_to: Some("PARENT".into()),
        is_markdown_support: Some(true),
    };
    let mock = server.send_chatbot_message(|when, then| {
        when.body(&expected).into_inner().header("authorization", "Bearer static-token").header_missing("api-version");
        then.created(&sent());
    });
    let zoom = client(&server, RetryPolicy::none());
    let sent = zoom.send(CHANNEL, card()).reply_to(&"PARENT".parse().unwrap()).markdown().await.unwrap();
    mock.assert_async().await;
    assert_eq!(sent.id.as_str(), "M1");
    assert_eq!(sent.sent_at.unwrap().to_rfc3339(), "2026-11-22T10:00:00+00:00");
}

#[tokio::test]
async fn a_delete_sends_its_ids_in_the_query_and_no_body() {
    let server = MockServer::start_async().await;
    let mock = server.delete_chatbot_message(|when, then| {
        when.message_id("M1").robot_jid(BOT).account_id("ACCT").user_jid(None).into_inner().body("");
        then.ok(&types::ChatbotMessageChanged {
            message_id: Some("M1".into()),
            robot_jid: Some(BOT.into()),
            sent_time: Some("2026-11-22 10:00:00 +0000".into()),
            to_jid: Some(CHANNEL.into()),
            user_jid: None,
        });
    });
    let receipt = client(&server, RetryPolicy::none()).delete_message(&"M1".parse().unwrap()).await.unwrap();
    mock.assert_async().await;
    assert_eq!(receipt.sent_at.unwrap().to_rfc3339(), "2026-11-22T10:00:00+00:00");
}

#[tokio::test]
async fn retry_after_as_a_date_is_honoured_and_reported() {
    let server = MockServer::start_async().await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mock = server.send_chatbot_message(|_, then| {
        then.too_many_requests(&limited())
            .into_inner()
            .header("retry-after", soon.as_str())
            .header("x-ratelimit-category", "Medium")
            .header("x-ratelimit-type", "Daily-limit");
    });
    let err = client(&server, quick(3)).send(CHANNEL, card()).await.unwrap_err();
    assert_eq!(mock.calls_async().await, 3, "a 429 is retried, POST or not");
    match err {
        Error::RateLimited { kind, retry_after: Some(RetryAfter::At(at)), .. } => {
            assert_eq!(kind, "Daily-limit");
            assert_eq!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), soon);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_tries_again() {
    let server = MockServer::start_async().await;
    let mock = server.send_chatbot_message(|_, then| {
        then.too_many_requests(&limited());
    });
    let err = client(&server, quick(4)).send(CHANNEL, card()).await.unwrap_err();
    assert_eq!(mock.calls_async().await, 4);
    assert!(matches!(err, Error::RateLimited { retry_after: None, .. }), "{err:?}");
}

#[tokio::test]
async fn a_401_with_another_code_is_not_a_reason_to_renew() {
    let server = MockServer::start_async().await;
    let mock = server.send_chatbot_message(|_, then| {
        then.client_error(
            401,
            &types::ChatbotError { code: 7003, message: "Robot not found.".into(), result: Some(false) },
        );
    });
    let err = client(&server, quick(4)).send(CHANNEL, card()).await.unwrap_err();
    assert_eq!(mock.calls_async().await, 1);
    assert_eq!(err.zoom_code(), Some(7003));
}

#[tokio::test]
async fn a_post_whose_connection_was_refused_is_retried_because_it_never_left() {
    let (captured, _guard) = capture_logs();
    // A port with nothing listening: every connection is refused before a byte is sent.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let zoom = ZoomClient::builder()
        .bot_tokens(StaticToken(SecretString::from("t".to_owned())))
        .account_id("ACCT".parse().unwrap())
        .robot_jid(BOT.parse().unwrap())
        .api_url(url)
        .retry(quick(3))
        .build()
        .unwrap();
    let err = zoom.send(CHANNEL, card()).await.unwrap_err();
    assert!(matches!(&err, Error::Transport(e) if e.is_connect()), "{err:?}");
    assert!(err.is_retryable());
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(logs.matches("transport failure; retrying").count(), 2, "three attempts in all: {logs}");
}

/// A chatbot send to `account` through the generated operation, which names any account.
async fn send_to_account(zoom: &ZoomClient, account: &str) {
    let body = types::SendChatbotMessageRequest {
        robot_jid: BOT.into(),
        to_jid: CHANNEL.into(),
        account_id: account.into(),
        content: card(),
        visible_to_user: None,
        user_jid: None,
        reply_to: None,
        is_markdown_support: None,
    };
    zoom.api().send_chatbot_message().body(body).send().await.unwrap();
}

#[tokio::test]
async fn each_account_a_send_names_is_paced_on_its_own_budget() {
    use std::sync::{Arc, Mutex};
    let server = MockServer::start_async().await;
    let mock = server.send_chatbot_message(|_, then| {
        then.created(&sent());
    });
    let zoom = ZoomClient::builder()
        .bot_tokens(StaticToken(SecretString::from("static-token".to_owned())))
        .account_id("ACCT".parse().unwrap())
        .robot_jid(BOT.parse().unwrap())
        .api_url(server.base_url())
        .pacing(zoom_chatbot::pacing::Pacing::plan(zoom_chatbot::pacing::Plan::Free))
        .build()
        .unwrap();
    let finished = Arc::new(Mutex::new(Vec::new()));
    // BUSYACCT at Free's 2 a second: six sends, the last 2.5 s on.
    let busy: Vec<_> = (0..6)
        .map(|_| {
            let (zoom, finished) = (zoom.clone(), finished.clone());
            tokio::spawn(async move {
                send_to_account(&zoom, "BUSYACCT").await;
                finished.lock().unwrap().push("busy");
            })
        })
        .collect();
    tokio::task::yield_now().await; // the busy sends take their slots first
    send_to_account(&zoom, "QUIETACCT").await;
    finished.lock().unwrap().push("quiet");
    for send in busy {
        send.await.unwrap();
    }
    let order = finished.lock().unwrap().clone();
    let quiet = order.iter().position(|a| *a == "quiet").unwrap();
    // On one budget for the client, the quiet send would have gone seventh, after 2.5 s.
    assert!(quiet < 3, "the quiet account's send is not queued behind the busy one: {order:?}");
    assert_eq!(mock.calls_async().await, 7);
}

#[tokio::test]
async fn a_callback_reply_takes_the_options_of_a_send_and_sends_exactly_them() {
    let server = MockServer::start_async().await;
    let expected = types::CallbackReply {
        content: card(),
        is_markdown_support: Some(true),
        reply_to: Some("PARENT".into()),
        visible_to_user: Some("ana".into()),
    };
    let mock = server.reply_to_callback(|when, then| {
        when.callback_id("CB1").body(&expected).into_inner().header("authorization", "Bearer the-callback-token");
        then.created(&types::CallbackReplySent { message_id: "R1".into(), sent_time: None });
    });
    let event: types::ZoomEvent = serde_json::from_value(serde_json::json!({
        "event": "interactive_message_actions",
        "callback_url": format!("{}/im/chat/callback/CB1", server.base_url()),
        "callback_token": "the-callback-token",
        "payload": {"accountId": "ACCT", "robotJid": BOT, "toJid": CHANNEL, "userJid": "ana@xmpp.zoom.us",
                    "messageId": "PARENT", "actionItem": {"value": "ok"}}
    }))
    .unwrap();
    let callback = zoom_chatbot::callback::Callback::from_event(&event, std::time::SystemTime::now()).unwrap();
    let zoom = client(&server, RetryPolicy::none());
    let receipt = zoom
        .callback_reply(&callback, card())
        .reply_to(&"PARENT".parse().unwrap())
        .visible_to(&"ana".parse().unwrap())
        .markdown()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(receipt.message_id.unwrap().as_str(), "R1");
    assert!(callback.is_used(), "the one use is spent");
}
