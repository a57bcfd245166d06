//! A Team Chat event answered in place against the fake Zoom: a user posts in a channel, the
//! fake delivers `team_chat.channel_message_posted`, and the handler's `ctx.reply` lands in
//! that channel, in the thread of the user's message (the channel's JID read through the
//! channel API, as Zoom's payload names the channel by id only). A mention of the app in a
//! channel is answered the same way, in the thread of the mentioning message.

use crate::common;

use zoom_chatbot::SecretString;
use zoom_chatbot::bot::{Bot, EventKind};
use zoom_mock::fake::{Sender, ZoomMock, post_signed};

const SECRET: &str = "team-chat-secret";

#[tokio::test]
async fn a_message_posted_in_a_channel_is_answered_in_its_thread() {
    let fake = ZoomMock::builder().user("AnaId", "ana@example.com").start().await.unwrap();
    let zoom = common::client(&fake);
    let bot = Bot::new(zoom.clone(), SecretString::from(SECRET.to_owned())).on(
        EventKind::TeamChatChannelMessagePosted,
        |ctx| async move {
            let text = ctx
                .object::<zoom_chatbot::types::TeamChatChannelMessage>()
                .and_then(|m| m.message.clone())
                .unwrap_or_default();
            ctx.reply(common::card(&format!("you said: {text}"))).await
        },
    );
    let (listener, url) = common::events_endpoint().await;
    tokio::spawn(async move { axum::serve(listener, bot.router("/zoom/events")).await });
    fake.connect_bot(&url, SECRET).await.unwrap();

    let made = zoom.channels().create("ops", ["ana@example.com"]).await.unwrap();
    let account = fake.account_id();
    assert_eq!(fake.post_in_channel(&account, "AnaId", made.id.as_str(), "hello").await.unwrap(), 200);
    let conversation = made.jid.to_string();
    let messages = common::eventually("the bot's reply", || {
        let messages = fake.account(&account).conversation_of_jid(&conversation);
        (messages.len() == 2).then_some(messages)
    })
    .await;
    assert_eq!(messages[0].sender, Sender::User("AnaId".into()));
    assert!(matches!(messages[1].sender, Sender::Bot(_)), "{:?}", messages[1].sender);
    assert_eq!(messages[1].reply_to.as_deref(), Some(messages[0].id.as_str()), "in the thread of the user's message");
}

#[tokio::test]
async fn a_mention_of_the_app_in_a_channel_is_answered_in_the_thread_of_the_mention() {
    let fake = ZoomMock::builder().user("AnaId", "ana@example.com").start().await.unwrap();
    let zoom = common::client(&fake);
    let bot = Bot::new(zoom.clone(), SecretString::from(SECRET.to_owned()))
        .on(EventKind::TeamChatAppMention, |ctx| async move { ctx.reply(common::card("at your service")).await });
    let (listener, url) = common::events_endpoint().await;
    tokio::spawn(async move { axum::serve(listener, bot.router("/zoom/events")).await });

    let made = zoom.channels().create("ops", ["ana@example.com"]).await.unwrap();
    let account = fake.account_id();
    let conversation = made.jid.to_string();
    // Ana's message mentioning the app (stored; with no bot connected to the fake, its
    // `channel_message_posted` has nowhere to go). The fake does not tell mentions (Zoom's
    // pages do not say what makes one): the event is Zoom's published one, naming the message.
    fake.post_in_channel(&account, "AnaId", made.id.as_str(), "@Fake Bot help").await.unwrap_err();
    let mentioning = fake.account(&account).conversation_of_jid(&conversation)[0].id.clone();
    let examples: serde_json::Value =
        serde_json::from_str(include_str!("../../zoom-spec/spec/zoom-published/event-examples.json")).unwrap();
    let mut mention = examples["team_chat.app_mention"].clone();
    mention["payload"]["account_id"] = account.as_str().into();
    mention["payload"]["object"]["channel_id"] = made.id.as_str().into();
    mention["payload"]["object"]["message_id"] = mentioning.as_str().into();
    mention["payload"]["object"].as_object_mut().unwrap().remove("reply_main_message_id");
    let event = serde_json::from_value(mention).unwrap();
    assert_eq!(post_signed(&url, SECRET, &event).await.unwrap().0, 200);

    let messages = common::eventually("the bot's reply", || {
        let messages = fake.account(&account).conversation_of_jid(&conversation);
        (messages.len() == 2).then_some(messages)
    })
    .await;
    assert!(matches!(messages[1].sender, Sender::Bot(_)), "{:?}", messages[1].sender);
    assert_eq!(messages[1].reply_to.as_deref(), Some(mentioning.as_str()), "in the thread of the mention");
}
