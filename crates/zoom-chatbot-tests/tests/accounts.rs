//! One bot, many accounts: a Marketplace bot built with client credentials and no account
//! answers each event in the event's account, as the event's bot, and (user-managed apps) on
//! behalf of the event's user. Zoom is scripted with httpmock: each expected send is a mock
//! that matches its account, bot and conversation, and counts its hits.

use crate::common;
use crate::echo_bot;
use common::{BOT, installed, marketplace as zoom};

use std::time::Duration;

use bytes::Bytes;
use httpmock::Method::{DELETE, POST, PUT};
use httpmock::{Mock, MockServer};
use zoom_chatbot::bot::{Bot, EventKind};
use zoom_chatbot::card::Card;
use zoom_chatbot::error::Setting;
use zoom_chatbot::{Error, SecretString, ZoomClient};
use zoom_mock::fake::{CallbackGrant, EventContext, button_click_event, slash_command_event};

const SECRET: &str = "webhook-secret-token";

/// A send Zoom takes only in `account`, from `robot_jid`, to `to_jid`.
fn send_in<'a>(server: &'a MockServer, account: &str, to_jid: &str, user_jid: Option<&str>) -> Mock<'a> {
    let mut body = serde_json::json!({"account_id": account, "robot_jid": BOT, "to_jid": to_jid});
    if let Some(user) = user_jid {
        body["user_jid"] = user.into();
    }
    server.mock(|when, then| {
        when.method(POST).path("/im/chat/messages").json_body_includes(body.to_string());
        then.status(201).header("content-type", "application/json").json_body(serde_json::json!({
            "message_id": format!("M-{account}"), "robot_jid": BOT, "sent_time": "2026-12-01 10:00:00", "to_jid": to_jid
        }));
    })
}

fn context(account: &str, to_jid: &str, user_jid: &str) -> EventContext {
    EventContext { account_id: account.into(), robot_jid: BOT.into(), to_jid: to_jid.into(), user_jid: user_jid.into() }
}

/// A delivery of `event`, signed as Zoom signs it.
fn delivery(event: &zoom_chatbot::types::ZoomEvent) -> http::Request<Bytes> {
    common::signed(SECRET, event)
}

/// A client on `server` configured as [`BOT`] but in no account, with no token scripted.
fn as_bot_with_no_account(server: &MockServer) -> ZoomClient {
    ZoomClient::builder()
        .credentials("client-id", SecretString::from("client-secret".to_owned()))
        .robot_jid(BOT.parse().unwrap())
        .oauth_url(server.base_url())
        .api_url(server.base_url())
        .build()
        .unwrap()
}

/// Waits (up to ten seconds) for `mock` to be hit `n` times: handlers run after Zoom's answer.
async fn hit(mock: &Mock<'_>, n: usize) {
    for _ in 0..200 {
        if mock.calls() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mock.calls(), n, "the mock was not hit");
}

#[tokio::test]
async fn the_echo_bot_with_no_account_answers_each_account_in_its_own() {
    let server = MockServer::start_async().await;
    let bot = echo_bot::echo_bot(zoom(&server), SecretString::from(SECRET.to_owned()));
    let (acme, globex) = ("ACME_ACCOUNT", "GLOBEX_ACCOUNT");
    let in_acme = send_in(&server, acme, "ops@conference.xmpp.zoom.us", None);
    let in_globex = send_in(&server, globex, "dev@conference.xmpp.zoom.us", None);

    for (account, to) in [(acme, "ops@conference.xmpp.zoom.us"), (globex, "dev@conference.xmpp.zoom.us")] {
        let event = slash_command_event(&context(account, to, "ana@xmpp.zoom.us"), "hello");
        assert_eq!(bot.handle(delivery(&event)).await.status(), 200);
    }
    hit(&in_acme, 1).await;
    hit(&in_globex, 1).await;
    assert_eq!(bot.shutdown(Duration::from_secs(5)).await, 0);
}

#[tokio::test]
async fn an_edit_of_the_card_acted_on_goes_to_the_events_account() {
    let server = MockServer::start_async().await;
    let edit = server.mock(|when, then| {
        when.method(PUT)
            .path("/im/chat/messages/CARD-1")
            .json_body_includes(serde_json::json!({"account_id": "GLOBEX", "robot_jid": BOT}).to_string());
        then.status(200).header("content-type", "application/json").json_body(serde_json::json!({
            "message_id": "CARD-1", "robot_jid": BOT, "to_jid": "dev@conference.xmpp.zoom.us"
        }));
    });
    let bot = Bot::new(zoom(&server), SecretString::from(SECRET.to_owned()))
        .on_button("done", |ctx| async move { ctx.edit_card(Card::new().head("Done").build()?).await });
    let ctx = context("GLOBEX", "dev@conference.xmpp.zoom.us", "ana@xmpp.zoom.us");
    let item = zoom_chatbot::types::ActionItem { text: None, value: "done".into() };
    let event = button_click_event(&ctx, "CARD-1", item, None, CallbackGrant { url: None, token: None });
    assert_eq!(bot.handle(delivery(&event)).await.status(), 200);
    hit(&edit, 1).await;
}

#[tokio::test]
async fn a_user_managed_apps_replies_act_for_the_events_user() {
    let server = MockServer::start_async().await;
    let as_ana = send_in(&server, "ACME", "ops@conference.xmpp.zoom.us", Some("ana@xmpp.zoom.us"));
    let bot = echo_bot::echo_bot(zoom(&server), SecretString::from(SECRET.to_owned())).user_managed();
    let event = slash_command_event(&context("ACME", "ops@conference.xmpp.zoom.us", "ana@xmpp.zoom.us"), "hi");
    assert_eq!(bot.handle(delivery(&event)).await.status(), 200);
    hit(&as_ana, 1).await;
}

#[tokio::test]
async fn an_event_for_another_bot_is_refused_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let any_send = server.mock(|when, then| {
        when.method(POST).path("/im/chat/messages");
        then.status(201);
    });
    let zoom = as_bot_with_no_account(&server);
    let (logs, _guard) = common::capture_logs();
    let bot = echo_bot::echo_bot(zoom, SecretString::from(SECRET.to_owned()));
    let mut other = context("ACME", "ops@conference.xmpp.zoom.us", "ana@xmpp.zoom.us");
    other.robot_jid = "v1otherbot@xmpp.zoom.us".into();
    let answer = bot.handle(delivery(&slash_command_event(&other, "hi"))).await;
    assert_eq!(answer.status(), 403);
    assert!(logs.text().contains("refused an event for another bot"), "{}", logs.text());
    assert_eq!(bot.shutdown(Duration::from_secs(5)).await, 0);
    assert_eq!(any_send.calls(), 0);
}

#[tokio::test]
async fn a_call_with_no_account_is_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let anything = server.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let zoom = as_bot_with_no_account(&server);
    let card = Card::new().head("x").build().unwrap();
    let err = zoom.send("ops@conference.xmpp.zoom.us", card.clone()).await.unwrap_err();
    assert!(
        matches!(&err, Error::MissingSetting { setting: Setting::AccountId, rule } if rule.contains("zoom.account")),
        "{err}"
    );
    let id = "M1".parse().unwrap();
    assert!(matches!(
        zoom.edit_message(&id, card).await.unwrap_err(),
        Error::MissingSetting { setting: Setting::AccountId, .. }
    ));
    assert!(matches!(
        zoom.delete_message(&id).await.unwrap_err(),
        Error::MissingSetting { setting: Setting::AccountId, .. }
    ));
    assert_eq!(anything.calls(), 0, "nothing reached Zoom, not even a token request");
}

#[tokio::test]
async fn a_message_sent_in_an_account_is_edited_and_deleted_there() {
    let server = MockServer::start_async().await;
    let zoom = zoom(&server);
    let sent_in = send_in(&server, "INITECH", "ops@conference.xmpp.zoom.us", None);
    let deleted = server.mock(|when, then| {
        when.method(DELETE)
            .path("/im/chat/messages/M-INITECH")
            .query_param("account_id", "INITECH")
            .query_param("robot_jid", BOT);
        then.status(200).header("content-type", "application/json").json_body(serde_json::json!({}));
    });
    let account = zoom.account(&"INITECH".parse().unwrap()).as_bot(&BOT.parse().unwrap());
    let sent = account.send("ops@conference.xmpp.zoom.us", Card::new().head("x").build().unwrap()).await.unwrap();
    sent.delete().await.unwrap();
    assert_eq!((sent_in.calls(), deleted.calls()), (1, 1));
}

#[tokio::test]
async fn a_welcome_reply_goes_to_the_installer_in_the_installing_account() {
    let server = MockServer::start_async().await;
    let to_ana = send_in(&server, "ACME", "ana@xmpp.zoom.us", None);
    let bot = Bot::new(zoom(&server), SecretString::from(SECRET.to_owned()))
        .on(EventKind::BotInstalled, |ctx| async move { ctx.reply(Card::new().head("Welcome").build()?).await });
    assert_eq!(bot.handle(delivery(&installed("ACME", Some("ana")))).await.status(), 200);
    hit(&to_ana, 1).await;
    assert_eq!(bot.shutdown(Duration::from_secs(5)).await, 0);
}
