//! The fake's rate limits, faults, retention, incoming webhooks, request log and lifetime.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::json;
use zoom_mock::fake::{Faults, OperationId, Plan, RateLabel, ZoomMock};

#[tokio::test]
async fn the_plan_limit_gives_429_with_zooms_headers() {
    let zoom = ZoomMock::builder().plan(Plan::Free).start().await.unwrap();
    let token = bot_token(&zoom).await;
    // Free plan, Medium label: 2 per second; the paused clock keeps the three in one second.
    zoom.pause_clock();
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "1").await.status(), 201);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "2").await.status(), 201);
    let r = bot_send(&zoom, &token, CHANNEL, "3").await;
    assert_eq!(r.status(), 429);
    let h = r.headers().clone();
    let header = |name: &str| h[name].to_str().unwrap().to_owned();
    assert_eq!(
        [header("x-ratelimit-category"), header("x-ratelimit-type"), header("x-ratelimit-limit")],
        ["Medium", "QPS", "2"]
    );
    assert_eq!([header("x-ratelimit-remaining"), header("retry-after")], ["0", "1"]);
    let body = expect_error(r, 429, 429, "rate limit").await;
    assert_eq!(body["result"], false, "chatbot endpoints keep their error shape");
    assert_eq!(zoom.conversation_of_jid(CHANNEL).len(), 2, "the refused send was not stored");
}

#[tokio::test]
async fn explicit_rates_override_the_plan_and_can_change_at_run_time() {
    let zoom = ZoomMock::builder().unlimited().rate(RateLabel::Medium, 1).start().await.unwrap();
    let token = api_token(&zoom).await;
    zoom.pause_clock();
    let list = || api(&zoom, Method::GET, "/chat/users/me/messages?to_channel=c", &token).send();
    assert_eq!(list().await.unwrap().status(), 200);
    let r = list().await.unwrap();
    assert_eq!(r.headers()["x-ratelimit-limit"], "1");
    expect_error(r, 429, 429, "rate limit").await;
    zoom.set_rate(RateLabel::Medium, 1000);
    for _ in 0..20 {
        assert_eq!(list().await.unwrap().status(), 200);
    }
}

#[tokio::test]
async fn forced_rate_limits_hit_the_next_requests_only() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    zoom.force_rate_limit(2);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "a").await.status(), 429);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "b").await.status(), 429);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "c").await.status(), 201);
}

async fn statuses_with(faults: Faults, n: usize) -> Vec<Option<u16>> {
    let zoom = ZoomMock::builder().unlimited().faults(faults).start().await.unwrap();
    let token = bot_token(&zoom).await;
    let mut out = Vec::new();
    for i in 0..n {
        // The shared client keeps no connection, so a dropped one does not poison the next.
        let r = http()
            .post(format!("{}/im/chat/messages", zoom.api_base_url()))
            .bearer_auth(&token)
            .json(&send_body(&zoom, CHANNEL, &i.to_string()))
            .send()
            .await;
        out.push(r.ok().map(|r| r.status().as_u16()));
    }
    out
}

#[tokio::test]
async fn faults_are_reproducible_from_their_seed() {
    let faults = Faults { error_rate: 0.3, drop_rate: 0.2, seed: 42, ..Faults::default() };
    let first = statuses_with(faults.clone(), 40).await;
    let second = statuses_with(faults.clone(), 40).await;
    assert_eq!(first, second);
    let dropped = first.iter().filter(|s| s.is_none()).count();
    let errors = first.iter().filter(|s| **s == Some(503)).count();
    let sent = first.iter().filter(|s| **s == Some(201)).count();
    assert!(dropped > 0 && errors > 0 && sent > 0, "dropped {dropped}, 503 {errors}, sent {sent}");
    let other_seed = statuses_with(Faults { seed: 7, ..faults }, 40).await;
    assert_ne!(first, other_seed);
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_and_nothing_is_stored() {
    let zoom = ZoomMock::builder().faults(Faults { drop_rate: 1.0, ..Faults::default() }).start().await.unwrap();
    let token = bot_token(&zoom).await;
    let err = http()
        .post(format!("{}/im/chat/messages", zoom.api_base_url()))
        .bearer_auth(&token)
        .json(&send_body(&zoom, CHANNEL, "lost"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request() || err.is_connect() || err.to_string().contains("connection"), "{err:?}");
    assert!(zoom.conversation_of_jid(CHANNEL).is_empty());
    assert!(zoom.requests().last().unwrap().fault);
}

#[tokio::test]
async fn server_errors_come_in_the_endpoint_family_shape() {
    let zoom = ZoomMock::builder().faults(Faults { error_rate: 1.0, ..Faults::default() }).start().await.unwrap();
    let token = bot_token(&zoom).await;
    let body = expect_error(bot_send(&zoom, &token, CHANNEL, "x").await, 503, 503, "unavailable").await;
    assert_eq!(body["result"], false);
}

#[tokio::test]
async fn added_latency_delays_answers() {
    let zoom = ZoomMock::builder()
        .faults(Faults { latency: Duration::from_millis(150), ..Faults::default() })
        .start()
        .await
        .unwrap();
    let token = bot_token(&zoom).await;
    let started = Instant::now();
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "slow").await.status(), 201);
    assert!(started.elapsed() >= Duration::from_millis(150), "the answer came before the added latency");
}

#[tokio::test]
async fn retention_caps_each_conversation() {
    let zoom = ZoomMock::builder().retention(3).request_log(4).unlimited().start().await.unwrap();
    let token = bot_token(&zoom).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let (_, body) = answer(bot_send(&zoom, &token, CHANNEL, &i.to_string()).await).await;
        ids.push(body["message_id"].as_str().unwrap().to_owned());
    }
    let kept: Vec<String> = zoom.conversation_of_jid(CHANNEL).iter().map(|m| m.text()).collect();
    assert_eq!(kept, ["3", "4", "5"]);
    assert!(zoom.message(&ids[0]).is_none());
    assert_eq!(zoom.message_count(), 3);
    assert_eq!(zoom.requests().len(), 4, "the request log is capped too");
}

#[tokio::test]
async fn the_request_log_records_operation_status_and_answer() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    bot_send(&zoom, &token, CHANNEL, "logged").await;
    let seen = zoom.requests();
    let last = seen.last().unwrap();
    assert_eq!((last.method.as_str(), last.path.as_str(), last.status), ("POST", "/v2/im/chat/messages", 201));
    assert_eq!(last.operation, Some(OperationId::SendChatbotMessage));
    assert!(String::from_utf8_lossy(&last.response_body).contains("message_id"));
    assert_eq!(seen[0].operation, Some(OperationId::RequestToken));
}

#[tokio::test]
async fn incoming_webhooks_take_their_token_in_all_three_formats() {
    let zoom = ZoomMock::start().await.unwrap();
    let (id, token) = zoom.incoming_webhook("alerts");
    let url = format!("{}/chat/webhooks/incomingwebhook/{id}", zoom.webhook_base_url());
    let post = |format: &str, auth: String, body: String| {
        http().post(format!("{url}?format={format}")).header("authorization", auth).body(body).send()
    };
    let full = json!({"content": {"head": {"text": "Disk full"}, "body": [{"type": "message", "text": "/var 93%"}]}});
    assert_eq!(post("full", format!("Bearer {token}"), full.to_string()).await.unwrap().status(), 200);
    assert_eq!(post("message", token.clone(), "plain words".into()).await.unwrap().status(), 200);
    assert_eq!(
        post("fields", token.clone(), json!({"host": "db1", "load": 3}).to_string()).await.unwrap().status(),
        200
    );
    let stored = zoom.conversation_of_jid("alerts@conference.xmpp.zoom.us");
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].text(), "Disk full");
    let fields = serde_json::to_value(stored[2].card().unwrap()).unwrap();
    assert_eq!(fields["body"][0]["items"][1], json!({"key": "load", "value": "3"}));

    expect_error(post("full", "wrong".into(), full.to_string()).await.unwrap(), 401, 401, "verification token").await;
    expect_error(
        post("full", token.clone(), json!({"content": {"head": {}}}).to_string()).await.unwrap(),
        400,
        300,
        "content.head.text: is required",
    )
    .await;
    expect_error(post("xml", token.clone(), "x".into()).await.unwrap(), 400, 300, "format").await;
    let unknown = http()
        .post(format!("{}/chat/webhooks/incomingwebhook/nope?format=full", zoom.webhook_base_url()))
        .send()
        .await
        .unwrap();
    expect_error(unknown, 404, 404, "does not exist").await;
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let zoom = ZoomMock::start().await.unwrap();
    let url = format!("{}/oauth/token", zoom.oauth_base_url());
    assert!(http().post(&url).send().await.is_ok());
    drop(zoom);
    // The server task is aborted; give the runtime a moment (up to 2 s) to close the socket.
    let mut refused = None;
    for _ in 0..40 {
        match http().post(&url).send().await {
            Err(e) => {
                refused = Some(e);
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    let err = refused.expect("the server still answers after its handle was dropped");
    assert!(err.is_connect() || err.is_request(), "{err:?}");
}

#[tokio::test]
async fn a_running_fake_can_be_controlled_over_http() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let control = |path: &str| http().post(format!("{}/_fake/{path}", zoom.oauth_base_url())).send();
    assert_eq!(control("rate-limit?n=1").await.unwrap().status(), 200);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "a").await.status(), 429);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "b").await.status(), 201);
    assert_eq!(control("rate-limit?n=many").await.unwrap().status(), 400);
    assert_eq!(control("invalidate-tokens").await.unwrap().status(), 200);
    expect_error(bot_send(&zoom, &token, CHANNEL, "c").await, 401, 7010, "Invalid authorization token").await;
}
