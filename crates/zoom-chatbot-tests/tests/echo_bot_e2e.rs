//! End to end: the example bot (its own code, included from examples/) served over HTTP,
//! driven by the fake Zoom: handshake, slash command in, card out, click, card edited; all
//! checked in the fake's state.

use crate::common;
use crate::echo_bot;

use std::time::Duration;

use common::*;
use zoom_chatbot::SecretString;
use zoom_mock::fake::{ConversationId, OperationId, StoredMessage, ZoomMock};

const SECRET: &str = "webhook-secret-token";

async fn serve_bot(fake: &ZoomMock) -> String {
    let bot = echo_bot::echo_bot(client(fake), SecretString::from(SECRET.to_owned()));
    let (listener, url) = common::events_endpoint().await;
    // Served as the example serves it.
    tokio::spawn(echo_bot::serve(listener, bot));
    url
}

/// `body` posted to a callback's `url` with `token` directly, so that the fake itself is checked.
async fn post_reply(url: &str, token: &str, body: &serde_json::Value) -> reqwest::Response {
    reqwest::Client::new().post(url).bearer_auth(token).json(body).send().await.unwrap()
}

/// The example is safe to put on the internet: a client that sends half a request is
/// disconnected (`axum::serve` would keep it open for ever).
#[tokio::test]
async fn the_example_disconnects_a_client_that_stalls_mid_request() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let fake = ZoomMock::start().await.unwrap();
    let url = serve_bot(&fake).await;
    let addr = url.trim_start_matches("http://").trim_end_matches("/zoom/events").to_owned();
    let mut stalled = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stalled.write_all(b"POST /zoom/events HTTP/1.1\r\nHost: bot\r\nContent-Ty").await.unwrap();
    // The default header-read timeout is a few seconds; the guard is well past it.
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        let mut buf = [0u8; 256];
        while !matches!(stalled.read(&mut buf).await, Ok(0) | Err(_)) {}
    });
    assert!(closed.await.is_ok(), "the stalled connection was left open");
}

#[tokio::test]
async fn slash_command_card_click_edit() {
    let fake = ZoomMock::start().await.unwrap();
    let url = serve_bot(&fake).await;
    let bot = fake.connect_bot(&url, SECRET).await.expect("the bot passes Zoom's URL validation");

    let channel = "team@conference.xmpp.zoom.us";
    assert_eq!(fake.slash_command(&bot, "ana@xmpp.zoom.us", channel, "hello there").await.unwrap(), 200);
    let card: StoredMessage =
        eventually("the echo card", || fake.conversation(&ConversationId::channel("team").unwrap()).pop()).await;
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
    assert_eq!(fake.conversation(&ConversationId::channel("team").unwrap()).len(), 1, "one card, edited in place");
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
    let now = unix_now();
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

/// The echo card in `team`, once the bot has answered a slash command.
async fn echo_card_in_team(fake: &ZoomMock, bot: &zoom_mock::fake::BotEndpoint) -> StoredMessage {
    fake.slash_command(bot, "ana@xmpp.zoom.us", "team@conference.xmpp.zoom.us", "hello").await.unwrap();
    eventually("the echo card", || fake.conversation(&ConversationId::channel("team").unwrap()).pop()).await
}

#[tokio::test]
async fn a_dropdown_choice_is_answered_in_the_cards_thread() {
    let fake = ZoomMock::start().await.unwrap();
    let bot = fake.connect_bot(&serve_bot(&fake).await, SECRET).await.unwrap();
    let card = echo_card_in_team(&fake, &bot).await;

    assert_eq!(fake.select(&bot, "ana@xmpp.zoom.us", &card.id, &["loud"]).await.unwrap(), 200);
    let team = ConversationId::channel("team").unwrap();
    let answer = eventually("the answer to the choice", || fake.conversation(&team).into_iter().nth(1)).await;
    assert_eq!(answer.text(), "Heard it loud");
    assert_eq!(answer.reply_to.as_deref(), Some(card.id.as_str()), "answered in the card's thread");
    // An option the card does not offer is not a choice a user can make.
    assert!(fake.select(&bot, "ana@xmpp.zoom.us", &card.id, &["shrill"]).await.is_err());
}

#[tokio::test]
async fn a_callback_reply_lands_once_and_a_second_is_refused() {
    let fake = ZoomMock::start().await.unwrap();
    let bot = fake.connect_bot(&serve_bot(&fake).await, SECRET).await.unwrap();
    let card = echo_card_in_team(&fake, &bot).await;

    assert_eq!(fake.click(&bot, "ana@xmpp.zoom.us", &card.id, "thanks").await.unwrap(), 200);
    let team = ConversationId::channel("team").unwrap();
    let reply = eventually("the callback reply", || fake.conversation(&team).into_iter().nth(1)).await;
    assert_eq!(reply.text(), "You're welcome");
    assert!(fake.requests().iter().any(|r| r.operation == Some(OperationId::ReplyToCallback) && r.status == 201));
}

#[tokio::test]
async fn a_reused_callback_is_refused_by_the_client_and_by_the_fake() {
    use zoom_chatbot::bot::Bot;
    use zoom_chatbot::card::Card;

    let fake = ZoomMock::start().await.unwrap();
    // A bot that answers a click twice through the callback, and reports both outcomes.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let twice = Bot::new(client(&fake), SecretString::from(SECRET.to_owned())).on_button("ok", move |ctx| {
        let tx = tx.clone();
        async move {
            let first = ctx.callback_reply(Card::new().head("first").build()?).await;
            let second = ctx.clone().callback_reply(Card::new().head("second").build()?).await;
            tx.send((first.map(|r| r.message_id), second.map(|_| ()), ctx.callback().cloned())).unwrap();
            Ok(())
        }
    });
    let (listener, url) = common::events_endpoint().await;
    tokio::spawn(async move { axum::serve(listener, twice.router("/zoom/events")).await });
    let bot = fake.connect_bot(&url, SECRET).await.unwrap();

    let zoom = client(&fake);
    let card = zoom_chatbot::card::Card::new()
        .head("Approve?")
        .push(zoom_chatbot::card::Actions::new().button(zoom_chatbot::card::Button::primary("OK", "ok")))
        .build()
        .unwrap();
    let sent = zoom.send(common::CHANNEL, card).await.unwrap();
    fake.click(&bot, "ana@xmpp.zoom.us", sent.id.as_str(), "ok").await.unwrap();
    let (first, second, callback) = rx.recv().await.unwrap();
    let first = first.expect("the first reply lands").expect("the fake answers with the reply's id");
    let second = second.unwrap_err();
    assert!(
        matches!(&second, zoom_chatbot::Error::InvalidInput { field, rule } if field == "callback" && rule.contains("already used")),
        "{second}"
    );
    assert!(fake.message(first.as_str()).is_some(), "the reply is in the fake");
    let replies = fake.requests().iter().filter(|r| r.operation == Some(OperationId::ReplyToCallback)).count();
    assert_eq!(replies, 1, "the second reply was refused before anything was sent");

    // The fake refuses the spent token too, as Zoom does: 401 with code 7010.
    let callback = callback.unwrap();
    let body = serde_json::json!({"content": {"head": {"text": "third"}}});
    assert_eq!(post_reply(callback.url(), "not-the-token", &body).await.status(), 401);
    let grant = fake.callback_for(sent.id.as_str()).unwrap();
    let (url, token) = (grant.url.unwrap(), grant.token.unwrap());
    assert_eq!(post_reply(&url, &token, &body).await.status(), 201);
    let again = post_reply(&url, &token, &body).await;
    assert_eq!(again.status(), 401);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["code"], 7010);
}

#[tokio::test]
async fn an_expired_callback_is_refused_by_the_fake() {
    let fake = ZoomMock::builder().callback_lifetime(Duration::from_millis(50)).start().await.unwrap();
    let sent = client(&fake)
        .send(common::CHANNEL, zoom_chatbot::card::Card::new().head("card").build().unwrap())
        .await
        .unwrap();
    let grant = fake.callback_for(sent.id.as_str()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let late = serde_json::json!({"content": {"head": {"text": "late"}}});
    assert_eq!(post_reply(&grant.url.unwrap(), &grant.token.unwrap(), &late).await.status(), 401);
}

#[tokio::test]
async fn a_shared_link_is_unfurled_through_its_response_url() {
    let fake = ZoomMock::start().await.unwrap();
    let bot = fake.connect_bot(&serve_bot(&fake).await, SECRET).await.unwrap();
    let (status, trigger) = fake
        .share_link(&bot, "ana@xmpp.zoom.us", "team@conference.xmpp.zoom.us", "https://example.com/pr/42")
        .await
        .unwrap();
    assert_eq!(status, 200);
    let (unfurled, content) = eventually("the unfurl", || fake.unfurls().pop()).await;
    assert_eq!(unfurled, trigger);
    let card: serde_json::Value = serde_json::from_str(&content).unwrap();
    assert_eq!(card["body"][0]["text"], "https://example.com/pr/42");
}
