//! Tokens, retries and pacing, against the fake Zoom: what the fake saw is the evidence.

use crate::common;

use std::time::Duration;

use common::*;
use futures_util::TryStreamExt;
use zoom_chatbot::Error;
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::error::{RetryAfter, Setting};
use zoom_chatbot::pacing::{Pacing, RateLabel};
use zoom_chatbot::retry::RetryPolicy;
use zoom_mock::fake::{Faults, OperationId, ZoomMock};

#[tokio::test]
async fn concurrent_calls_from_clones_make_one_token_request() {
    let fake = ZoomMock::builder().unlimited().start().await.unwrap();
    let zoom = client(&fake);
    send_concurrently(&zoom, 200).await;
    assert_eq!(fake.token_count(), 1);
    assert_eq!(zoom.token_requests(), 1);
    assert_eq!(fake.conversation_of_jid(CHANNEL).len(), 200);
}

#[tokio::test]
async fn the_token_is_renewed_ahead_of_expiry_without_a_401() {
    let fake = ZoomMock::builder().token_lifetime(Duration::from_secs(1)).start().await.unwrap();
    let zoom = client(&fake);
    zoom.send(CHANNEL, card("first")).await.unwrap();
    // Renewal starts a tenth of the lifetime before expiry: 100 ms here.
    tokio::time::sleep(Duration::from_millis(950)).await;
    zoom.send(CHANNEL, card("second")).await.unwrap();
    assert_eq!(fake.token_count(), 2);
    assert_eq!(statuses(&fake, OperationId::SendChatbotMessage), [201, 201], "no request met a 401");
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_and_the_call_retried_once() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    zoom.send(CHANNEL, card("before")).await.unwrap();
    fake.invalidate_tokens();
    zoom.send(CHANNEL, card("after")).await.unwrap();
    assert_eq!(statuses(&fake, OperationId::SendChatbotMessage), [201, 401, 201]);
    assert_eq!(fake.token_count(), 2);
    assert_eq!(fake.conversation_of_jid(CHANNEL).len(), 2, "nothing was sent twice");
}

#[tokio::test]
async fn concurrent_calls_after_a_refusal_renew_the_token_once() {
    let fake = ZoomMock::builder().unlimited().start().await.unwrap();
    let zoom = client(&fake);
    zoom.send(CHANNEL, card("warm")).await.unwrap();
    fake.invalidate_tokens();
    send_concurrently(&zoom, 30).await;
    assert_eq!(fake.token_count(), 2, "one renewal for all thirty");
    assert_eq!(fake.conversation_of_jid(CHANNEL).len(), 31);
}

#[tokio::test]
async fn a_token_zoom_keeps_refusing_is_renewed_only_once() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom =
        builder(&fake).bot_tokens(zoom_chatbot::auth::StaticToken("not-a-token".to_owned().into())).build().unwrap();
    let err = zoom.send(CHANNEL, card("x")).await.unwrap_err();
    assert_eq!(err.zoom_code(), Some(7010));
    assert_eq!(
        statuses(&fake, OperationId::SendChatbotMessage),
        [401, 401],
        "one renewal, one retry, then the refusal"
    );
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_and_delivered_once() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    zoom.send(CHANNEL, card("warm")).await.unwrap();
    fake.force_rate_limit(2);
    let started = tokio::time::Instant::now();
    zoom.send(CHANNEL, card("limited")).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(2), "waited Retry-After (1 s) twice");
    assert_eq!(statuses(&fake, OperationId::SendChatbotMessage), [201, 429, 429, 201]);
    assert_eq!(fake.conversation_of_jid(CHANNEL).len(), 2);
}

#[tokio::test]
async fn an_exhausted_429_is_a_rate_limited_error() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = builder(&fake).retry(RetryPolicy::none()).build().unwrap();
    fake.force_rate_limit(1);
    match zoom.send(CHANNEL, card("x")).await.unwrap_err() {
        e @ Error::RateLimited { .. } => {
            assert!(e.is_retryable());
            let Error::RateLimited { category, kind, retry_after, tracking_id } = e else { unreachable!() };
            assert_eq!((category, kind.as_str()), (Some(RateLabel::Medium), "QPS"));
            assert_eq!(retry_after, Some(RetryAfter::Delay(Duration::from_secs(1))));
            assert!(tracking_id.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_post_is_never_repeated_after_a_5xx() {
    let fake = ZoomMock::builder().faults(Faults { error_rate: 1.0, ..Faults::default() }).start().await.unwrap();
    let zoom = client(&fake);
    let err = zoom.send(CHANNEL, card("x")).await.unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedResponse { status: Some(503), .. } | Error::Zoom { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable(), "the caller may decide to try again");
    assert_eq!(statuses(&fake, OperationId::SendChatbotMessage), [503], "sent exactly once");
}

#[tokio::test]
async fn idempotent_calls_are_retried_on_5xx_up_to_the_limit() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let sent = zoom.send(CHANNEL, card("v1")).await.unwrap();
    fake.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    sent.edit(card("v2")).await.unwrap_err();
    assert_eq!(statuses(&fake, OperationId::EditChatbotMessage), [503, 503, 503, 503], "four attempts in all");
    // With half the answers failing (seeded), the retries get the edit through.
    fake.set_faults(Faults { error_rate: 0.5, seed: 3, ..Faults::default() });
    sent.edit(card("v3")).await.unwrap();
    assert_eq!(fake.message(sent.id.as_str()).unwrap().text(), "v3");
}

#[tokio::test]
async fn a_post_whose_connection_dropped_is_not_repeated_but_a_get_is() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    zoom.send(CHANNEL, card("warm")).await.unwrap();
    let chat = zoom.chat();
    let team = Conversation::channel("c1").unwrap();
    chat.list(&team).stream().try_collect::<Vec<_>>().await.unwrap(); // warms the user token
    fake.set_faults(Faults { drop_rate: 1.0, ..Faults::default() });
    let err = zoom.send(CHANNEL, card("maybe")).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(
        fake.requests().iter().filter(|r| r.operation == Some(OperationId::SendChatbotMessage) && r.fault).count(),
        1
    );
    chat.list(&team).stream().try_collect::<Vec<_>>().await.unwrap_err();
    let dropped_lists =
        fake.requests().iter().filter(|r| r.operation == Some(OperationId::ListChatMessages) && r.fault).count();
    assert_eq!(dropped_lists, 4, "the GET was tried four times");
}

#[tokio::test]
async fn bad_credentials_are_an_auth_error_and_nothing_reaches_the_api() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = with_secret(&fake, "wrong-secret");
    let err = zoom.send(CHANNEL, card("x")).await.unwrap_err();
    match &err {
        Error::Auth { error, status: Some(401), .. } => assert_eq!(error, "invalid_client"),
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains("wrong-secret"));
    assert!(statuses(&fake, OperationId::SendChatbotMessage).is_empty());
}

#[tokio::test]
async fn pacing_keeps_a_burst_under_the_label_limit() {
    let fake = ZoomMock::builder().unlimited().rate(RateLabel::Medium, 50).start().await.unwrap();
    let zoom = builder(&fake).pacing(Pacing::custom().rate(RateLabel::Medium, 50)).build().unwrap();
    send_concurrently(&zoom, 120).await;
    let answers = statuses(&fake, OperationId::SendChatbotMessage);
    assert_eq!(answers.iter().filter(|s| **s == 429).count(), 0, "no 429 at all");
    assert_eq!(fake.conversation_of_jid(CHANNEL).len(), 120, "each delivered once");
}

#[tokio::test]
async fn pacing_keeps_chat_sends_under_the_channel_windows() {
    let fake = ZoomMock::builder().unlimited().start().await.unwrap();
    let zoom = builder(&fake).pacing(Pacing::custom()).build().unwrap();
    let team = Conversation::channel("busy").unwrap();
    for i in 0..12 {
        zoom.chat().send(&team, format!("m{i}")).await.unwrap();
    }
    assert!(!statuses(&fake, OperationId::SendChatMessage).contains(&429));
    // Without pacing, the same burst meets the channel limit.
    let unpaced = builder(&fake).retry(RetryPolicy::none()).build().unwrap();
    let other = Conversation::channel("busy2").unwrap();
    let mut refused = 0;
    for i in 0..12 {
        if unpaced.chat().send(&other, format!("m{i}")).await.is_err() {
            refused += 1;
        }
    }
    assert!(refused > 0, "the fake enforces the window the pacer kept to");
}

/// 1,000 calls at once while the OAuth host is down: the calls that wait for a token request
/// share its failure instead of each asking again, so the token requests stay bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_token_request_is_shared_by_the_calls_that_waited_for_it() {
    // A port that refuses connections: nothing listens on it once the listener is dropped.
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let zoom = zoom_chatbot::ZoomClient::builder()
        .credentials("id", zoom_chatbot::SecretString::from("secret".to_owned()))
        .robot_jid("v1bot@xmpp.zoom.us".parse().unwrap())
        .account_id("acct".parse().unwrap())
        .oauth_url(format!("http://{down}"))
        .api_url(format!("http://{down}/v2"))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let calls: Vec<_> = (0..1_000)
        .map(|i| {
            let zoom = zoom.clone();
            tokio::spawn(async move { zoom.send(CHANNEL, card(&format!("m{i}"))).await })
        })
        .collect();
    let mut shared = 0;
    for call in calls {
        match call.await.unwrap().unwrap_err() {
            Error::TokenUnavailable { retryable, .. } => {
                assert!(retryable, "a refused connection may pass");
                shared += 1;
            }
            Error::Transport(_) => {}
            other => panic!("{other}"),
        }
    }
    let elapsed = started.elapsed();
    let requests = zoom.token_requests();
    println!(
        "1000 calls against a down OAuth host: {requests} token requests in {elapsed:?}, {shared} shared failures"
    );
    // One request per hold period at most, and the first.
    let bound = 1 + (elapsed.as_secs_f64() / 1.0).ceil() as u64;
    assert!(requests <= bound, "{requests} token requests in {elapsed:?}");
    assert_eq!(shared as u64, 1_000 - requests, "every other call shared a failure");
}

/// A call whose kind of token the client has no source for is refused before it goes, with
/// a configuration error that says what to set; it is never sent without `Authorization`.
#[tokio::test]
async fn a_call_without_a_token_source_is_a_configuration_error() {
    let fake = ZoomMock::start().await.unwrap();
    // Chatbot credentials, but no account id: no server-to-server token for chat calls.
    let zoom = zoom_chatbot::ZoomClient::builder()
        .credentials(fake.client_id(), zoom_chatbot::SecretString::from(fake.client_secret()))
        .robot_jid(fake.robot_jid().parse().unwrap())
        .api_url(fake.api_base_url())
        .oauth_url(fake.oauth_base_url())
        .build()
        .unwrap();
    let team = Conversation::channel("team").unwrap();
    let err = zoom.chat().send(&team, "hi").await.unwrap_err();
    assert!(matches!(&err, Error::MissingSetting { setting: Setting::ChatTokens, .. }), "{err:?}");
    assert!(err.to_string().contains("ZOOM_ACCOUNT_ID"), "the message says how to set it: {err}");
    assert!(fake.requests().is_empty(), "nothing was sent: {:?}", fake.requests());

    // A user token, and no app credentials: no chatbot token for chatbot calls.
    let token = zoom_chatbot::SecretString::from("a-user-token".to_owned());
    let zoom = zoom_chatbot::ZoomClient::builder()
        .chat_tokens(zoom_chatbot::auth::StaticToken(token))
        .account_id(fake.account_id().parse().unwrap())
        .robot_jid(fake.robot_jid().parse().unwrap())
        .api_url(fake.api_base_url())
        .build()
        .unwrap();
    let err = zoom.send(CHANNEL, card("x")).await.unwrap_err();
    assert!(matches!(&err, Error::MissingSetting { setting: Setting::BotTokens, .. }), "{err:?}");
    assert!(err.to_string().contains("ZOOM_CLIENT_ID"), "the message says how to set it: {err}");
    assert!(fake.requests().is_empty(), "nothing was sent: {:?}", fake.requests());
}

/// The call's deadline bounds its waits: a `Retry-After` that would end past it is not waited
/// for, and the call ends with Zoom's answer instead of retrying.
#[tokio::test]
async fn a_wait_past_the_calls_deadline_is_not_begun() {
    let fake = ZoomMock::start().await.unwrap();
    let policy = RetryPolicy::default().max_attempts(4).deadline(Duration::from_millis(300));
    let zoom = builder(&fake).retry(policy).build().unwrap();
    zoom.send(CHANNEL, card("token first")).await.unwrap();
    fake.force_rate_limit(3);
    // The fake asks for 1 s; the deadline is 300 ms: one attempt, then the 429 as an error.
    let err = zoom.send(CHANNEL, card("limited")).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err}");
    assert_eq!(statuses(&fake, OperationId::SendChatbotMessage), [201, 429], "no retry was begun");

    // Pacing waits count too: at 1 send a second, the second send's turn is past 300 ms.
    let paced = builder(&fake)
        .retry(RetryPolicy::default().deadline(Duration::from_millis(300)))
        .pacing(Pacing::custom().rate(RateLabel::Medium, 1))
        .build()
        .unwrap();
    fake.force_rate_limit(0);
    paced.send(CHANNEL, card("now")).await.unwrap();
    let err = paced.send(CHANNEL, card("later")).await.unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    assert_eq!(statuses(&fake, OperationId::SendChatbotMessage).len(), 3, "the paced call was not sent");
}
