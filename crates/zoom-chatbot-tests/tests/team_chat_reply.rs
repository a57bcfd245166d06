//! A Team Chat event answered in place against the fake Zoom: a user posts in a channel, the
//! fake delivers `team_chat.channel_message_posted`, and the handler's `ctx.reply` lands in
//! that channel, in the thread of the user's message (the channel's JID read through the
//! channel API, as Zoom's payload names the channel by id only).

mod common;

use zoom_chatbot::SecretString;
use zoom_chatbot::bot::{Bot, EventKind};
use zoom_mock::fake::{Sender, ZoomMock};

const SECRET: &str = "team-chat-secret";

#[tokio::test]
async fn a_message_posted_in_a_channel_is_answered_in_its_thread() {
    let fake = ZoomMock::builder().user("AnaId", "ana@example.com").start().await.unwrap();
    let zoom = common::client(&fake);
    let bot = Bot::new(zoom.clone(), SecretString::from(SECRET.to_owned())).on(
        EventKind::TeamChatChannelMessagePosted,
        |ctx| async move {
            let text = ctx.channel_message().and_then(|m| m.message.clone()).unwrap_or_default();
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
