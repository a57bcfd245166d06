//! Chatbot and chat messages through the client, against the fake Zoom over real HTTP.

use crate::common;

use common::*;
use futures_util::TryStreamExt;
use zoom_chatbot::Error;
use zoom_chatbot::chat::{Conversation, Format, ReactionAction, ReadMark};
use zoom_chatbot::ids::{MessageId, UserId};
use zoom_mock::fake::{ConversationId, OperationId, ZoomMock};

#[tokio::test]
async fn send_reply_edit_delete_land_in_zooms_state() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let sent = zoom.send(CHANNEL, card("v1")).await.unwrap();
    assert!(sent.sent_at.is_some(), "sent_time was read");
    let reply = sent.reply(card("reply")).await.unwrap();
    let receipt = sent.edit(card("v2")).await.unwrap();
    assert!(receipt.sent_at.is_some(), "the ' +0000' form was read too");
    assert_eq!(receipt.sent_at, sent.sent_at);

    let stored = fake.conversation(&ConversationId::channel("team").unwrap());
    assert_eq!(stored.len(), 2);
    assert_eq!((stored[0].text(), stored[0].edits.len()), ("v2".to_owned(), 1));
    assert_eq!(stored[1].reply_to.as_deref(), Some(sent.id.as_str()));

    reply.delete().await.unwrap();
    assert!(fake.message(reply.id.as_str()).unwrap().deleted_at.is_some());
    let again = reply.delete().await.unwrap_err();
    match &again {
        Error::Zoom { status: 404, code: 8001, tracking_id: Some(_), .. } => {}
        other => panic!("expected Zoom 404/8001 with a tracking id, got {other:?}"),
    }
    assert!(!again.is_retryable());
    assert!(again.to_string().contains("8001") && again.to_string().contains("tracking id"), "{again}");
}

#[tokio::test]
async fn visible_to_and_on_behalf_of_reach_zoom() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let user = "ana@xmpp.zoom.us".parse().unwrap();
    let sent = zoom.send(CHANNEL, card("psst")).visible_to(&UserId::me()).on_behalf_of(&user).markdown().await.unwrap();
    let stored = fake.message(sent.id.as_str()).unwrap();
    assert_eq!(stored.visible_to_user.as_deref(), Some("me"));
    assert_eq!(stored.user_jid.as_deref(), Some("ana@xmpp.zoom.us"));
    assert!(matches!(stored.content, zoom_mock::fake::MessageContent::Card { markdown: true, .. }));
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let before = fake.requests().len();
    let err = zoom.send("not-a-jid", card("x")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid to_jid: must end with @xmpp.zoom.us (a user) or @conference.xmpp.zoom.us (a channel)"
    );
    let team = Conversation::channel("c1").unwrap();
    let err = zoom.chat().send(&team, "x".repeat(1025)).await.unwrap_err();
    assert_eq!(err.to_string(), "invalid message: must have at most 1024 characters, has 1025");
    let ana: UserId = "ana@example.com".parse().unwrap();
    let err = zoom.chat().send(&team, "hi").mention(&ana, 0..5).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "at_items[0]"), "{err}");
    let err = zoom.chat().list(&team).page_size(51).stream().try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(err.to_string(), "invalid page_size: must be 1 to 50, not 51");
    let err = zoom.chat().react(&team, &"m1".parse().unwrap(), ":)", ReactionAction::Add).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert!("bad/id".parse::<MessageId>().is_err());
    assert_eq!(fake.requests().len(), before, "nothing reached Zoom");
}

#[tokio::test]
async fn zoom_refusals_keep_code_message_fields_and_tracking_id() {
    let fake = ZoomMock::builder().strict().channel("known").start().await.unwrap();
    let zoom = client(&fake);
    match zoom.send("unknown@conference.xmpp.zoom.us", card("x")).await.unwrap_err() {
        Error::Zoom { status: 403, code: 7004, message, tracking_id: Some(id), .. } => {
            assert_eq!(message, "Not authorized.");
            assert!(id.starts_with("fake-"));
        }
        other => panic!("{other:?}"),
    }
    let err = zoom.chat().send(&Conversation::channel("nope").unwrap(), "hi").await.unwrap_err();
    assert_eq!(err.zoom_code(), Some(4130));
    let err = zoom.chat().get(&Conversation::channel("known").unwrap(), &"NOPE".parse().unwrap()).await.unwrap_err();
    assert_eq!(err.zoom_code(), Some(4131));
}

#[tokio::test]
async fn chat_messages_send_list_and_change() {
    let fake = ZoomMock::builder().channel_limits(false).start().await.unwrap();
    let zoom = client(&fake);
    let chat = zoom.chat();
    let team = Conversation::channel("c1").unwrap();
    let main = chat
        .send(&team, "@Ana the build is green")
        .mention(&"ana@example.com".parse().unwrap(), 0..4)
        .format(Format::Bold, 18..23)
        .await
        .unwrap();
    let mut ids = vec![main.clone()];
    for i in 0..4 {
        ids.push(chat.send(&team, format!("reply {i}")).reply_to(&main).await.unwrap());
    }
    let all: Vec<_> = chat.list(&team).page_size(2).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 5, "three pages of two, one and... all five messages");
    assert_eq!(all[4].message.as_deref(), Some("@Ana the build is green"));
    assert_eq!(all[4].at_items[0].at_contact.as_deref(), Some("ana@example.com"));
    let mains: Vec<_> = chat.list(&team).without_replies().stream().try_collect().await.unwrap();
    assert_eq!(mains.len(), 1);

    chat.edit(&team, &ids[1], "reply 0, edited").await.unwrap();
    chat.react(&team, &main, "U+1F44D", ReactionAction::Add).await.unwrap();
    chat.mark(&team, &main, ReadMark::Unread).await.unwrap();
    let got = chat.get(&team, &main).await.unwrap();
    assert_eq!(got.reactions[0].total_count, Some(1));
    let since = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
    let thread = chat.thread(&team, &main, since).await.unwrap();
    assert_eq!(thread.total, 5);
    chat.delete(&team, &ids[2]).await.unwrap();
    let changed: Vec<_> = chat.list(&team).include_deleted_and_edited().stream().try_collect().await.unwrap();
    let status = |id: &MessageId| changed.iter().find(|m| m.id.as_deref() == Some(id.as_str())).unwrap().status;
    assert_eq!(status(&ids[1]), Some(zoom_chatbot::types::ChatMessageStatus::Edited));
    assert_eq!(status(&ids[2]), Some(zoom_chatbot::types::ChatMessageStatus::Deleted));
}

#[tokio::test]
async fn unfurls_reach_zoom() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = client(&fake);
    let trigger = fake.link_shared_trigger();
    zoom.unfurl(&UserId::me(), &trigger.parse().unwrap(), &card("PR #42")).await.unwrap();
    assert_eq!(fake.unfurls().len(), 1);
    let err = zoom.unfurl(&UserId::me(), &"unknown".parse().unwrap(), &card("x")).await.unwrap_err();
    assert_eq!(err.zoom_code(), Some(8002));
}

#[tokio::test]
async fn a_regional_api_url_in_the_token_is_followed() {
    let fake = ZoomMock::start().await.unwrap();
    // No API URL configured: the token answer's api_url (the fake's own origin) decides,
    // instead of https://api.zoom.us/v2.
    let zoom = with_secret(&fake, &fake.client_secret());
    let sent = zoom.send(CHANNEL, card("routed")).await.unwrap();
    assert!(fake.message(sent.id.as_str()).is_some(), "the message reached the host the token named");
}

/// A thread of more replies than one page holds comes back whole: the client pages through
/// it, each page starting after the last reply of the one before.
#[tokio::test]
async fn a_long_thread_is_read_page_by_page() {
    let fake = ZoomMock::builder().unlimited().channel_limits(false).start().await.unwrap();
    let zoom = client(&fake);
    let chat = zoom.chat();
    let team = Conversation::channel("long").unwrap();
    let main = chat.send(&team, "main").await.unwrap();
    for i in 0..230 {
        chat.send(&team, format!("reply {i}")).reply_to(&main).await.unwrap();
        if i % 50 == 49 {
            // Replies a millisecond apart at least now and then, so pages have edges to start from.
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let thread = chat.thread(&team, &main, since).await.unwrap();
    let texts: Vec<&str> = thread.messages.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(texts.len(), 231, "the main message and every reply");
    assert_eq!(texts[0], "main");
    let mut seen = std::collections::HashSet::new();
    assert!(texts.iter().all(|t| seen.insert(*t)), "no reply twice");
    let pages = fake.requests().iter().filter(|r| r.operation == Some(OperationId::GetChatMessageThread)).count();
    assert!(pages >= 3, "{pages} pages");
}

#[test]
fn recipients_and_conversations_convert() {
    let to: zoom_chatbot::ids::Recipient = "c1@conference.xmpp.zoom.us".parse().unwrap();
    let conversation = Conversation::from(&to);
    assert_eq!(conversation, Conversation::channel("c1").unwrap());
    assert_eq!(zoom_chatbot::ids::Recipient::try_from(&conversation).unwrap(), to);
    let user: zoom_chatbot::ids::Recipient = "KdYK@xmpp.zoom.us".parse().unwrap();
    assert_eq!(Conversation::from(&user), Conversation::contact("kdyk").unwrap());
    let by_email = Conversation::contact("ana@example.com").unwrap();
    assert!(zoom_chatbot::ids::Recipient::try_from(&by_email).is_err(), "an email names no JID");
}

/// One conversation type by JID for the client's sends and the fake's conversations, no
/// conversion between them: a chatbot send to a user or a channel, and a chat send to a
/// channel, a contact by id or by email, each land in the fake's conversation the same
/// `Recipient` names.
#[tokio::test]
async fn every_kind_of_send_reaches_the_fakes_conversation_its_recipient_names() {
    use zoom_chatbot::ids::Recipient;
    let fake = ZoomMock::builder().channel_limits(false).user("KdYK", "ana@example.com").start().await.unwrap();
    let zoom = client(&fake);
    let (team, ana): (Recipient, Recipient) =
        ("Team@conference.xmpp.zoom.us".parse().unwrap(), "kdyk@xmpp.zoom.us".parse().unwrap());
    zoom.send(&team, card("bot to channel")).await.unwrap();
    zoom.send(&ana, card("bot to user")).await.unwrap();
    let chat = zoom.chat();
    chat.send(&Conversation::from(&team), "chat to channel").await.unwrap();
    chat.send(&Conversation::contact("KdYK").unwrap(), "chat to contact by id").await.unwrap();
    chat.send(&Conversation::contact("ana@example.com").unwrap(), "chat to contact by email").await.unwrap();
    let texts = |to: &Recipient| fake.conversation(to).iter().map(|m| m.text()).collect::<Vec<_>>();
    assert_eq!(texts(&team), ["bot to channel", "chat to channel"]);
    assert_eq!(texts(&ana), ["bot to user", "chat to contact by id", "chat to contact by email"]);
    assert_eq!(texts(&Recipient::channel("team").unwrap()), texts(&team), "a channel id names the same one");

    // An email the fake's directory does not hold still names a conversation by a JID.
    let stranger = Conversation::contact("bo+b@example.com").unwrap();
    chat.send(&stranger, "to a stranger").await.unwrap();
    let listed: Vec<_> = chat.list(&stranger).stream().try_collect().await.unwrap();
    assert_eq!(listed.len(), 1, "the same email names the same conversation");
    let page = reqwest::get(format!("http://{}/", fake.addr())).await.unwrap().text().await.unwrap();
    assert!(page.contains("bo_b_example.com@xmpp.zoom.us") && !page.contains("@example.com@"), "{page}");
}
