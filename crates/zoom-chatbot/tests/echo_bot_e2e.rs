//! End to end: the example bot (its own code, included from examples/) served over HTTP,
//! driven by the fake Zoom: handshake, slash command in, card out, click, card edited; all
//! checked in the fake's state.

mod common;
#[path = "../examples/echo_bot.rs"]
#[allow(dead_code)]
mod echo_bot;

use std::time::Duration;

use common::*;
use zoom_chatbot::SecretString;
use zoom_mock::fake::{ConversationId, StoredMessage, ZoomMock};

const SECRET: &str = "webhook-secret-token";

/// Waits (up to five seconds) until the fake holds what `check` wants: the bot answers on its
/// own task, after Zoom's request has been answered.
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(found) = check() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn serve_bot(fake: &ZoomMock) -> String {
    let bot = echo_bot::echo_bot(client(fake), SecretString::from(SECRET.to_owned()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/zoom/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, bot.router("/zoom/events")).await });
    url
}

#[tokio::test]
async fn slash_command_card_click_edit() {
    let fake = ZoomMock::start().await.unwrap();
    let url = serve_bot(&fake).await;
    let bot = fake.connect_bot(&url, SECRET).await.expect("the bot passes Zoom's URL validation");

    let channel = "team@conference.xmpp.zoom.us";
    assert_eq!(fake.slash_command(&bot, "ana@xmpp.zoom.us", channel, "hello there").await.unwrap(), 200);
    let card: StoredMessage =
        eventually("the echo card", || fake.conversation(&ConversationId::Channel("team".into())).pop()).await;
    let json = serde_json::to_value(card.card().unwrap()).unwrap();
    assert_eq!(json["body"][0]["text"], "You said: hello there");
    assert_eq!(json["body"][1]["items"][0]["value"], "shout");

    assert_eq!(fake.click(&bot, "ana@xmpp.zoom.us", &card.id, "shout").await.unwrap(), 200);
    let edited = eventually("the edited card", || fake.message(&card.id).filter(|m| m.is_edited())).await;
    let json = serde_json::to_value(edited.card().unwrap()).unwrap();
    assert_eq!(json["body"][0]["text"], "You said: HELLO THERE");
    assert_eq!(edited.edits.len(), 1, "the first version is kept in the history");

    assert_eq!(fake.click(&bot, "ana@xmpp.zoom.us", &card.id, "done").await.unwrap(), 200);
    let done = eventually("the finished card", || fake.message(&card.id).filter(|m| m.edits.len() == 2)).await;
    assert_eq!(serde_json::to_value(done.card().unwrap()).unwrap()["body"][0]["text"], "Done: HELLO THERE");
    assert_eq!(fake.conversation(&ConversationId::Channel("team".into())).len(), 1, "one card, edited in place");
}

#[tokio::test]
async fn a_direct_message_is_answered_to_the_user() {
    let fake = ZoomMock::start().await.unwrap();
    let url = serve_bot(&fake).await;
    let bot = fake.connect_bot(&url, SECRET).await.unwrap();
    // A direct message to the bot arrives with toJid `user@xmpp.zoom.us/robot_<bot>`.
    let to = format!("ana@xmpp.zoom.us/robot_{}", fake.robot_jid());
    fake.slash_command(&bot, "ana@xmpp.zoom.us", &to, "hi").await.unwrap();
    eventually("the answer to Ana", || fake.conversation_of_jid("ana@xmpp.zoom.us").pop()).await;
}

#[tokio::test]
async fn requests_not_signed_with_the_secret_are_refused_and_unknown_events_acknowledged() {
    let fake = ZoomMock::start().await.unwrap();
    let url = serve_bot(&fake).await;
    let err = fake.connect_bot(&url, "another-secret").await.unwrap_err();
    assert!(err.to_string().contains("URL validation"), "{err}");
    let http = reqwest::Client::new();
    let unsigned = http.post(&url).body(r#"{"event":"bot_notification"}"#).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);

    // An event this version does not know, correctly signed: acknowledged, never an error.
    let body = br#"{"event":"team_chat.something_new","payload":{"x":1}}"#;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let signature = zoom_chatbot::webhook::sign(&SecretString::from(SECRET.to_owned()), now, body);
    let answer = http
        .post(&url)
        .header("x-zm-request-timestamp", now.to_string())
        .header("x-zm-signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}
