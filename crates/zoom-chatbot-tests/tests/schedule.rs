//! Scheduled messages, reminders and archived channels against the fake Zoom, on its clock: a
//! scheduled message appears only once the clock passes its time, a cancelled one never does,
//! a reminder is listed and deleted, and an archived channel takes no message until it is
//! unarchived.

use crate::common;

use std::time::Duration;

use chrono::TimeDelta;
use futures_util::TryStreamExt;
use zoom_chatbot::Error;
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::files::FileSource;
use zoom_chatbot::ids::UserId;
use zoom_mock::fake::{ConversationId, OperationId, ZoomMock};

fn texts(fake: &ZoomMock, channel: &str) -> Vec<String> {
    fake.conversation(&ConversationId::channel(channel).unwrap()).iter().map(|m| m.text()).collect()
}

fn zoom_code(err: &Error) -> Option<(u16, i64)> {
    match err {
        Error::Zoom { status, code, .. } => Some((*status, *code)),
        _ => None,
    }
}

#[tokio::test]
async fn a_scheduled_message_appears_only_after_the_clock_passes_its_time() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let team = Conversation::channel("team").unwrap();
    let at = fake.now() + TimeDelta::hours(2);

    let scheduled = zoom.chat().send(&team, "Stand-up in five minutes").at(at).await.unwrap();
    assert_eq!(scheduled.conversation, team);
    let listed: Vec<_> = zoom.chat().scheduled(&team).stream().try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].draft_id, scheduled.draft_id.as_str());
    assert_eq!(listed[0].message, "Stand-up in five minutes");
    assert_eq!(listed[0].scheduled_time, scheduled.at);
    assert!(texts(&fake, "team").is_empty(), "not sent yet");

    // Not yet at its time: still waiting.
    fake.advance(Duration::from_secs(3600));
    assert!(texts(&fake, "team").is_empty(), "an hour before its time");
    // Past it: sent, at its time, and no longer scheduled.
    fake.advance(Duration::from_secs(3601));
    assert_eq!(texts(&fake, "team"), ["Stand-up in five minutes"]);
    let sent = &fake.conversation(&ConversationId::channel("team").unwrap())[0];
    assert_eq!(sent.sent_at, scheduled.at);
    let listed: Vec<_> = zoom.chat().scheduled(&team).stream().try_collect().await.unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    let id = sent.id.parse().unwrap();
    let got = zoom.chat().get(&team, &id).await.unwrap();
    assert_eq!(got.message.as_deref(), Some("Stand-up in five minutes"), "the chat API reads it");
    // A sent one is no longer a draft: cancelling it is refused.
    let err = zoom.chat().cancel_scheduled(&team, &scheduled.draft_id).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((400, 5404)), "{err}");
}

#[tokio::test]
async fn a_cancelled_scheduled_message_never_appears() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let team = Conversation::channel("team").unwrap();
    let first = zoom.chat().send(&team, "cancelled").at(fake.now() + TimeDelta::hours(1)).await.unwrap();
    zoom.chat().send(&team, "kept").at(fake.now() + TimeDelta::hours(3)).await.unwrap();

    zoom.chat().cancel_scheduled(&team, &first.draft_id).await.unwrap();
    assert_eq!(fake.scheduled_messages().len(), 1);
    // Cancelled twice, or in another conversation: Zoom's "Invalid draft id".
    let err = zoom.chat().cancel_scheduled(&team, &first.draft_id).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((400, 5404)), "{err}");

    fake.advance(Duration::from_secs(4 * 3600));
    assert_eq!(texts(&fake, "team"), ["kept"]);
    assert!(fake.scheduled_messages().is_empty());
}

#[tokio::test]
async fn a_time_too_soon_or_too_far_is_refused_on_the_fakes_clock() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let team = Conversation::channel("team").unwrap();
    fake.advance(Duration::from_secs(24 * 3600));
    // Two hours from the real time is in the fake's past now.
    for at in [
        chrono::Utc::now() + TimeDelta::hours(2),
        fake.now() + TimeDelta::minutes(29),
        fake.now() + TimeDelta::days(181),
    ] {
        let err = zoom.chat().send(&team, "when?").at(at).await.unwrap_err();
        assert_eq!(zoom_code(&err), Some((400, 300)), "{at}: {err}");
    }
    assert!(fake.scheduled_messages().is_empty());
    zoom.chat().send(&team, "in range").at(fake.now() + TimeDelta::minutes(31)).await.unwrap();
    assert_eq!(fake.scheduled_messages().len(), 1);
}

#[tokio::test]
async fn a_reminder_is_listed_then_deleted() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let team = Conversation::channel("team").unwrap();
    let id = zoom.chat().send(&team, "Release 1.4 is out").await.unwrap();

    zoom.chat().remind(&team, &id, Duration::from_secs(1800)).note("Check the rollout").await.unwrap();
    let mine: Vec<_> = zoom.chat().reminders().stream().try_collect().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].message_id.as_str(), mine[0].content.as_str()), (id.as_str(), "Release 1.4 is out"));
    assert_eq!(mine[0].reminder_note, "Check the rollout");
    assert_eq!(mine[0].remind_time - mine[0].create_time, TimeDelta::seconds(1800));
    let elsewhere = Conversation::channel("other").unwrap();
    let there: Vec<_> = zoom.chat().reminders().in_conversation(&elsewhere).stream().try_collect().await.unwrap();
    assert!(there.is_empty());

    zoom.chat().delete_reminder(&team, &id).await.unwrap();
    let mine: Vec<_> = zoom.chat().reminders().stream().try_collect().await.unwrap();
    assert!(mine.is_empty(), "{mine:?}");
    assert!(fake.reminders().is_empty());
    let err = zoom.chat().delete_reminder(&team, &id).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((404, 4200)), "{err}");

    // Zoom's refusals: a time past (on the fake's clock), a conversation that does not hold
    // the message, a delay out of bounds (before anything is sent).
    let err = zoom.chat().remind(&team, &id, fake.now() - TimeDelta::minutes(1)).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((400, 4105)), "{err}");
    let err = zoom.chat().remind(&elsewhere, &id, Duration::from_secs(600)).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((400, 4100)), "{err}");
    let before = fake.requests().len();
    let err = zoom.chat().remind(&team, &id, Duration::from_secs(60)).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }) && err.to_string().contains("delay_seconds"), "{err}");
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

#[tokio::test]
async fn an_archived_channel_takes_no_message_until_it_is_unarchived() {
    let fake = common::fake_with_users(&[("AnaId", "ana@example.com"), ("BoId", "bo@example.com")]).await;
    let zoom = common::client(&fake);
    let made = zoom.channels().create("incident-9", ["ana@example.com", "bo@example.com"]).await.unwrap();
    let here = Conversation::channel(made.id.as_str()).unwrap();

    zoom.channels().archive(&made.id).await.unwrap();
    assert!(fake.channel(made.id.as_str()).unwrap().archived);
    let err = zoom.chat().send(&here, "anyone?").await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((400, 3205)), "{err}");
    let err = zoom.files().send(&here, FileSource::bytes("late.log", "x")).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((400, 3205)), "nor a file: {err}");
    assert_eq!(fake.conversation(&ConversationId::channel(made.id.as_str()).unwrap()).len(), 0, "nothing was posted");
    let err = zoom.channels().archive(&made.id).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((200, 3205)), "already archived: {err}");

    zoom.channels().unarchive(&made.id).await.unwrap();
    zoom.chat().send(&here, "back").await.unwrap();
    let err = zoom.channels().unarchive(&made.id).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((200, 3213)), "not archived: {err}");
    let unknown = "0123456789abcdef".parse().unwrap();
    let err = zoom.channels().archive(&unknown).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((200, 4130)), "{err}");

    // Two members removed at once; the token's own user is refused.
    let both: Vec<UserId> = vec!["AnaId".parse().unwrap(), "BoId".parse().unwrap()];
    zoom.channels().remove_many(&made.id, &both).await.unwrap();
    assert_eq!(fake.channel(made.id.as_str()).unwrap().members.len(), 1, "the owner stays");
    let me: UserId = fake.accounts()[0].user_id.parse().unwrap();
    let err = zoom.channels().remove_many(&made.id, [&me]).await.unwrap_err();
    assert_eq!(zoom_code(&err), Some((400, 300)), "{err}");
    let many: Vec<UserId> = (0..21).map(|i| format!("u{i}").parse().unwrap()).collect();
    let before = common::statuses(&fake, OperationId::RemoveChannelMembers).len();
    let err = zoom.channels().remove_many(&made.id, &many).await.unwrap_err();
    assert!(err.to_string().contains("user_ids"), "{err}");
    assert_eq!(common::statuses(&fake, OperationId::RemoveChannelMembers).len(), before, "nothing was sent");
}
