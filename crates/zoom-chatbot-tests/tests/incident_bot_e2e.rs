//! End to end: the incident example (its own code, included from examples/) served over HTTP
//! and driven by the fake Zoom: a slash command opens a channel with the on-call people,
//! the incident's card and log land in it, clicks are answered in the card's thread, and a channel
//! that cannot be made is said so to the user.

use crate::common;
use crate::incident_bot;

use common::*;
use futures_util::TryStreamExt as _;
use zoom_chatbot::SecretString;
use zoom_mock::fake::{BotEndpoint, ConversationId, MessageContent, OperationId, StoredMessage, ZoomMock};

const SECRET: &str = "webhook-secret-token";
const ANA: &str = "ana@xmpp.zoom.us";

async fn fake() -> ZoomMock {
    fake_with_users(&[("BoId", "bo@example.com"), ("CyId", "cy@example.com")]).await
}

async fn serve_bot(fake: &ZoomMock, on_call: &[&str]) -> BotEndpoint {
    let on_call = on_call.iter().map(|e| e.to_string()).collect();
    let bot = incident_bot::incident_bot(client(fake), SecretString::from(SECRET.to_owned()), on_call);
    let (listener, url) = common::events_endpoint().await;
    tokio::spawn(incident_bot::serve(listener, bot));
    fake.connect_bot(&url, SECRET).await.expect("the bot passes Zoom's URL validation")
}

/// The direct message from Ana to the bot, where she types the command.
fn to_bot(fake: &ZoomMock) -> String {
    format!("{ANA}/robot_{}", fake.robot_jid())
}

fn head(message: &StoredMessage) -> String {
    let card = serde_json::to_value(message.card().expect("a card")).unwrap();
    card["head"]["text"].as_str().unwrap_or_default().to_owned()
}

fn body(message: &StoredMessage) -> serde_json::Value {
    serde_json::to_value(message.card().expect("a card")).unwrap()["body"].clone()
}

#[tokio::test]
async fn a_command_opens_a_channel_with_the_on_call_people_and_clicks_are_answered_in_its_thread() {
    let fake = fake().await;
    let bot = serve_bot(&fake, &["bo@example.com", "cy@example.com"]).await;

    assert_eq!(fake.slash_command(&bot, ANA, &to_bot(&fake), "Checkout is down!").await.unwrap(), 200);
    let answer = eventually("the answer to the command", || fake.conversation_of_jid(ANA).pop()).await;
    let opened = head(&answer);
    assert!(opened.starts_with("Opened incident-") && opened.ends_with("-checkout-is-down"), "{opened}");

    // The channel, made by the app's user with the on-call people in it.
    let channels: Vec<_> = client(&fake).channels().list().stream().try_collect().await.unwrap();
    assert_eq!(channels.len(), 1, "{channels:?}");
    let channel = &channels[0];
    assert_eq!(format!("Opened {}", channel.zoom.name.as_deref().unwrap()), opened);
    let held = fake.channel(channel.id.as_str()).expect("the fake holds the channel");
    let members: Vec<_> = held.members.iter().filter_map(|m| m.email.clone()).collect();
    assert!(
        members.contains(&"bo@example.com".to_owned()) && members.contains(&"cy@example.com".to_owned()),
        "{members:?}"
    );

    // The incident's card, in the channel.
    let in_channel = || fake.conversation(&ConversationId::Channel(channel.jid.clone()));
    let card = eventually("the incident's card", || in_channel().into_iter().find(|m| m.card().is_some())).await;
    assert_eq!(head(&card), "Incident: Checkout is down!");
    assert_eq!(body(&card)[0]["items"][1]["value"], "open");

    // The incident's log, a file beside the card.
    let log = eventually("the incident's log", || {
        in_channel().into_iter().find_map(|m| match &m.content {
            MessageContent::Text(body) => body.file_ids.first().cloned(),
            _ => None,
        })
    })
    .await;
    let file = fake.file(&log).expect("the fake holds the log's bytes");
    assert_eq!(file.name, format!("{}.log", channel.zoom.name.as_deref().unwrap()));
    let text = String::from_utf8(file.bytes.to_vec()).unwrap();
    assert!(text.contains("opened by Fake User") && text.contains("Checkout is down!"), "{text}");

    // Acknowledged: answered in the card's thread.
    assert_eq!(fake.click(&bot, "bo@xmpp.zoom.us", &card.id, "ack").await.unwrap(), 200);
    let ack = eventually("the acknowledgement", || in_channel().into_iter().find(|m| m.reply_to.is_some())).await;
    assert_eq!(ack.reply_to.as_deref(), Some(card.id.as_str()), "in the card's thread");
    assert!(head(&ack).ends_with(" is on it"), "{}", head(&ack));

    // Resolved: the card says so, with no buttons left, and the thread is told.
    assert_eq!(fake.click(&bot, "bo@xmpp.zoom.us", &card.id, "resolve").await.unwrap(), 200);
    let resolved = eventually("the resolved card", || fake.message(&card.id).filter(|m| m.is_edited())).await;
    let fields = body(&resolved);
    assert_eq!(fields.as_array().unwrap().len(), 1, "no buttons on a resolved incident: {fields}");
    assert!(fields[0]["items"][1]["value"].as_str().unwrap().starts_with("resolved by "), "{fields}");
    assert_eq!(fields[0]["items"][0]["value"], body(&card)[0]["items"][0]["value"], "who opened it is kept");
    let told = eventually("the resolution in the thread", || {
        in_channel()
            .into_iter()
            .find(|m| m.reply_to.as_deref() == Some(card.id.as_str()) && head(m).starts_with("Resolved by"))
    })
    .await;
    assert_eq!(told.conversation, ConversationId::Channel(channel.jid.clone()));
}

#[tokio::test]
async fn a_channel_that_cannot_be_made_is_said_so_and_nothing_is_posted() {
    let fake = fake().await;
    // An address Zoom would refuse: the client refuses it before anything is sent.
    let bot = serve_bot(&fake, &["bo@example.com", "not an address"]).await;

    fake.slash_command(&bot, ANA, &to_bot(&fake), "Checkout is down").await.unwrap();
    let answer = eventually("the answer to the command", || fake.conversation_of_jid(ANA).pop()).await;
    let said = head(&answer);
    assert!(said.starts_with("Could not open incident-") && said.contains("members[1]"), "{said}");
    assert!(statuses(&fake, OperationId::CreateChannel).is_empty(), "no channel call was made");

    // No title: the bot says how to use it, and makes nothing.
    fake.slash_command(&bot, ANA, &to_bot(&fake), "  ").await.unwrap();
    let usage = eventually("the usage", || fake.conversation_of_jid(ANA).into_iter().nth(1)).await;
    assert!(head(&usage).starts_with("Say what is wrong"), "{}", head(&usage));
}
