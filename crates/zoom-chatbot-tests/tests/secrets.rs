//! Secrets never appear in logs, errors or `Debug` output, and every request has its span.

use crate::common;

use base64::Engine as _;
use common::*;
use zoom_chatbot::SecretString;
use zoom_chatbot::auth::Token;
use zoom_mock::fake::{OperationId, ZoomMock};

#[tokio::test]
async fn no_secret_reaches_a_log_line_an_error_or_debug_output() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let sent = zoom.send(CHANNEL, card("hello")).await.unwrap();
    fake.invalidate_tokens(); // a 401, a renewal, a retry
    sent.edit(card("edited")).await.unwrap();
    let wrong = with_secret(&fake, "the-wrong-secret");
    let auth_error = wrong.send(CHANNEL, card("x")).await.unwrap_err();

    // Every access token the fake issued, read from its own log.
    let tokens: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.operation == Some(OperationId::RequestToken) && r.status == 200)
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.response_body).unwrap()["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(tokens.len(), 2);
    let secret = fake.client_secret();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", fake.client_id()));
    let mut forbidden = tokens.clone();
    forbidden.extend([secret, basic, "the-wrong-secret".to_owned()]);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let token = Token::fixed(SecretString::from(tokens[0].clone()));
    let shown = [
        logs.clone(),
        format!("{zoom:?}"),
        format!("{:?}", builder(&fake)),
        format!("{auth_error:?} {auth_error}"),
        format!("{sent:?}"),
        format!("{token:?}"),
    ];
    for text in &shown {
        for secret in &forbidden {
            assert!(!text.contains(secret.as_str()), "a secret leaked into: {text}");
        }
    }

    // The spans were there: one per request, with operation, status and tracking id.
    assert!(logs.contains("zoom_request"), "{logs}");
    assert!(
        logs.contains("operation=\"send_chatbot_message\"") || logs.contains("operation=send_chatbot_message"),
        "{logs}"
    );
    assert!(logs.contains("status=201") && logs.contains("status=200"), "{logs}");
    assert!(logs.contains("code=7010"), "the refused token is logged by its code: {logs}");
    assert!(logs.contains("the call was not sent") && logs.contains("authentication failed"), "{logs}");
    assert!(!logs.contains("status=599"), "the stand-in answer is never reported as Zoom's: {logs}");
    assert!(logs.contains("tracking_id=\"fake-"), "{logs}");
    assert!(logs.contains("renewing it once"), "{logs}");
}

#[tokio::test]
async fn the_bot_logs_no_webhook_secret_or_signature() {
    let (captured, _guard) = capture_logs();

    let fake = ZoomMock::start().await.unwrap();
    let secret = "webhook-secret-never-logged";
    let bot = zoom_chatbot::bot::Bot::new(client(&fake), SecretString::from(secret.to_owned()));
    let body = br#"{"event":"endpoint.url_validation","payload":{"plainToken":"abc"}}"#.to_vec();
    let now = unix_now();
    let good = zoom_chatbot::webhook::sign(&SecretString::from(secret.to_owned()), now, &body);
    let request = |signature: &str| {
        http::Request::builder()
            .header("x-zm-request-timestamp", now.to_string())
            .header("x-zm-signature", signature)
            .body(bytes::Bytes::from(body.clone()))
            .unwrap()
    };
    assert_eq!(bot.handle(request("v0=forged")).await.status(), 401);
    let answer = bot.handle(request(&good)).await;
    assert_eq!(answer.status(), 200);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("refused a request"), "the refusal is logged: {logs}");
    for secret_text in [secret, &good[3..]] {
        assert!(!logs.contains(secret_text), "{logs}");
    }
    assert!(!format!("{bot:?}").contains(secret));
}

/// A 200 token answer that does not fit the token type (here: no `expires_in`, and an
/// `expires_in`-like field holding a secret in the wrong type) must not carry its body, and so
/// its tokens, into the error or any log line.
#[tokio::test]
async fn a_token_answer_that_does_not_parse_leaks_nothing() {
    let (captured, _guard) = capture_logs();

    let oauth = httpmock::MockServer::start_async().await;
    let bodies = [
        // A required field missing.
        r#"{"access_token":"SECRET-ACCESS-1","refresh_token":"SECRET-REFRESH-1","token_type":"bearer","scope":"x"}"#,
        // A field of the wrong type, holding a secret.
        r#"{"access_token":"SECRET-ACCESS-2","token_type":"bearer","scope":"x","expires_in":"SECRET-IN-A-NUMBER"}"#,
    ];
    for body in bodies {
        let mock = oauth.mock(|when, then| {
            when.path("/oauth/token");
            then.status(200).header("content-type", "application/json").body(body);
        });
        let zoom = zoom_chatbot::ZoomClient::builder()
            .credentials("id", SecretString::from("secret".to_owned()))
            .robot_jid("v1bot@xmpp.zoom.us".parse().unwrap())
            .account_id("acct".parse().unwrap())
            .oauth_url(oauth.base_url())
            .api_url("http://127.0.0.1:9/v2")
            .build()
            .unwrap();
        let err = zoom.send(CHANNEL, card("x")).await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(matches!(err, zoom_chatbot::Error::Auth { .. }), "{shown}");
        assert!(shown.contains("does not fit the token type"), "{shown}");
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        for secret in ["SECRET-ACCESS-1", "SECRET-REFRESH-1", "SECRET-ACCESS-2", "SECRET-IN-A-NUMBER"] {
            assert!(!shown.contains(secret), "the error shows {secret}: {shown}");
            assert!(!logs.contains(secret), "a log line shows {secret}: {logs}");
        }
        mock.delete_async().await;
    }
}

/// An interactive event's callback token is a bearer: `Debug` of the event, of the context a
/// handler gets, and of a malformed or unknown event never shows it.
#[test]
fn an_events_callback_token_is_redacted_in_debug_output() {
    use std::time::SystemTime;
    use zoom_chatbot::bot::Context;
    use zoom_chatbot::webhook::{Event, Verifier, sign};

    const TOKEN: &str = "CALLBACK-BEARER-SECRET";
    let click = serde_json::json!({
        "event": "interactive_message_actions",
        "event_ts": 1,
        "callback_url": "https://api.zoom.us/v2/im/chat/callback/x",
        "callback_token": TOKEN,
        "payload": {"accountId": "a", "robotJid": "b@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
                    "userJid": "u@xmpp.zoom.us", "messageId": "M1", "actionItem": {"value": "ok"}}
    });
    let event: zoom_chatbot::types::ZoomEvent = serde_json::from_value(click.clone()).unwrap();
    let ctx = Context::new(offline(), event.clone(), SystemTime::now());
    let shown = format!("{ctx:?}");
    assert!(!shown.contains(TOKEN), "Context shows the callback token: {shown}");
    assert!(shown.contains("interactive_message_actions") && shown.contains("[redacted]"), "{shown}");

    // The same through the verifier: a known, a malformed and an unknown event.
    let secret = SecretString::from("s".to_owned());
    let verifier = Verifier::new(secret.clone());
    let mut malformed = click.clone();
    malformed["payload"]["actionItem"] = serde_json::json!(7);
    let mut unknown = click.clone();
    unknown["event"] = "interactive_message_future".into();
    for (i, body) in [click, malformed, unknown].into_iter().enumerate() {
        let body = serde_json::to_vec(&body).unwrap();
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() + i as u64;
        let parsed =
            verifier.verify_and_parse(Some(&now.to_string()), Some(&sign(&secret, now, &body)), &body).unwrap();
        let shown = format!("{parsed:?}");
        assert!(!shown.contains(TOKEN), "an event shows the callback token: {shown}");
        let kind = match parsed {
            Event::Known(_) => "known",
            Event::Malformed(_) => "malformed",
            Event::Unknown { .. } => "unknown",
        };
        assert_eq!(kind, ["known", "malformed", "unknown"][i], "{shown}");
    }
}
