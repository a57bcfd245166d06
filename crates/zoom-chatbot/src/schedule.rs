//! Scheduled messages and reminders of the user-level chat API: a send scheduled for later
//! (listed, and cancelled by its [`DraftId`] until Zoom sends it), and a user's reminders on
//! messages (set, listed, deleted). They act as the token's user: Zoom's paths name none.
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
//! use std::time::Duration;
//! use futures_util::TryStreamExt;
//! use zoom_chatbot::chat::Conversation;
//!
//! let team = Conversation::channel("5ebf7e6a1c0b4f8e9b7c6d5e4f3a2b1c")?;
//! let tomorrow = chrono::Utc::now() + chrono::TimeDelta::days(1);
//! let later = zoom.chat().send(&team, "Stand-up in five minutes").at(tomorrow).await?;
//! let pending: Vec<_> = zoom.chat().scheduled(&team).stream().try_collect().await?;
//! zoom.chat().cancel_scheduled(&later.conversation, &later.draft_id).await?;
//!
//! let id = zoom.chat().send(&team, "Release 1.4 is out").await?;
//! zoom.chat().remind(&team, &id, Duration::from_secs(1800)).note("Check the rollout").await?;
//! let mine: Vec<_> = zoom.chat().reminders().stream().try_collect().await?;
//! zoom.chat().delete_reminder(&team, &id).await?;
//! # let _ = (pending, mine); Ok(()) }
//! ```

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use zoom_api_gen::types;

use crate::chat::{
    Chat, Conversation, SendChatMessage, channel_param, contact_param, in_conversation, send_in_conversation,
};
use crate::error::{Error, Result, zoom_error};
use crate::ids::{DraftId, MessageId};
use crate::macros::{awaitable, setters};
use crate::paging::{Listing, page_of};

/// The most scheduled messages a page of [`Chat::scheduled`] has (Zoom's default is 10).
pub const MAX_SCHEDULED_PAGE: u64 = 50;
/// The most reminders a page of [`Chat::reminders`] has (Zoom's default is 10).
pub const MAX_REMINDER_PAGE: u64 = 20;
/// The shortest delay of a reminder (Zoom: 300 seconds).
pub const MIN_REMINDER_DELAY: Duration = Duration::from_secs(300);
/// The longest delay of a reminder (Zoom: 7,776,000 seconds, 90 days).
pub const MAX_REMINDER_DELAY: Duration = Duration::from_secs(7_776_000);

/// A message Zoom will send later: what cancelling it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled {
    /// Its draft id (Zoom's answer to the send).
    pub draft_id: DraftId,
    /// The conversation it goes to.
    pub conversation: Conversation,
    /// When Zoom sends it.
    pub at: DateTime<Utc>,
}

impl SendChatMessage {
    /// Schedules it instead: Zoom sends it at `at` (more than 30 minutes from now and within
    /// 180 days, which Zoom checks; the time is sent to the second). Await it for the
    /// [`Scheduled`] send, whose draft id cancels it ([`Chat::cancel_scheduled`]).
    ///
    #[doc = zoom_api_gen::operation_doc!(sendChatMessage)]
    ///
    /// Scope `chat_message:write`. A time out of Zoom's range is
    /// `Error::Zoom { status: 400, code: 300, .. }`.
    pub fn at(self, at: DateTime<Utc>) -> ScheduleChatMessage {
        ScheduleChatMessage::new(self, at)
    }
}

/// A send scheduled for later; await it. From [`SendChatMessage::at`].
#[must_use = "a message is scheduled only when awaited"]
pub struct ScheduleChatMessage {
    send: SendChatMessage,
    at: DateTime<Utc>,
}

impl ScheduleChatMessage {
    fn new(send: SendChatMessage, at: DateTime<Utc>) -> Self {
        // Zoom's form is yyyy-MM-dd'T'HH:mm:ss'Z': whole seconds.
        Self { send, at: at.trunc_subsecs(0) }
    }

    async fn run(mut self) -> Result<Scheduled> {
        let mut body = self.send.body()?;
        body.scheduled_time = Some(self.at);
        // Not a send into the channel now: the channel's send windows are not waited on.
        let chat = self.send.chat();
        let request = chat.client.api().send_chat_message().user_id(chat.user.as_str()).body(body);
        let created = request.send().await.map_err(zoom_error)?.into_inner();
        let unexpected = |detail: String| Error::UnexpectedResponse { status: Some(201), detail };
        let id = created.id.ok_or_else(|| unexpected("no draft id".into()))?;
        let draft_id = id.parse().map_err(|_| unexpected(format!("draft id {id:?}")))?;
        Ok(Scheduled { draft_id, conversation: self.send.conversation().clone(), at: self.at })
    }
}

awaitable!(ScheduleChatMessage => Result<Scheduled>);

/// When a reminder goes off: at a time, or after a delay from now (Zoom takes one of the
/// two). A [`DateTime`] or a [`Duration`] converts into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemindAt {
    /// At this time (after now, at most 90 days ahead: Zoom checks).
    Time(DateTime<Utc>),
    /// After this long (five minutes to 90 days: checked before anything is sent).
    After(Duration),
}

impl From<DateTime<Utc>> for RemindAt {
    fn from(at: DateTime<Utc>) -> Self {
        Self::Time(at)
    }
}

impl From<Duration> for RemindAt {
    fn from(after: Duration) -> Self {
        Self::After(after)
    }
}

impl Chat {
    /// The user's messages scheduled in a conversation and not sent yet, soonest first;
    /// [`stream`](ListScheduledMessages::stream) them.
    ///
    #[doc = zoom_api_gen::operation_doc!(listScheduledMessages)]
    ///
    /// Once a page. Scope `chat_message:read`.
    pub fn scheduled(&self, conversation: &Conversation) -> ListScheduledMessages {
        Listing::new(MAX_SCHEDULED_PAGE, (self.clone(), conversation.clone()), |(chat, to), size, token| async move {
            let request = chat.client.api().list_scheduled_messages();
            let request = page_of!(in_conversation!(request, &to), size, token);
            let page = request.send().await.map_err(zoom_error)?.into_inner();
            Ok((page.messages, page.next_page_token))
        })
    }

    /// Cancels a scheduled message not sent yet, in the conversation it was scheduled in.
    ///
    #[doc = zoom_api_gen::operation_doc!(deleteScheduledMessage)]
    ///
    /// Scope `chat_message:write`. A draft id the conversation does not hold (or one sent
    /// already, as Zoom's fake answers it) is `Error::Zoom { status: 400, code: 5404, .. }`.
    pub async fn cancel_scheduled(&self, conversation: &Conversation, draft: &DraftId) -> Result<()> {
        let request = self.client.api().delete_scheduled_message().draft_id(draft.as_str());
        send_in_conversation!(request, conversation)
    }

    /// Sets the user's reminder on a message of a conversation; await it, or add a
    /// [`note`](CreateReminder::note) first. A second reminder on a message replaces the first
    /// (as Zoom's fake does; Zoom's page does not say).
    ///
    #[doc = zoom_api_gen::operation_doc!(createReminder)]
    ///
    /// Scope `chat_message:write`. A time in the past or more than 90 days ahead is
    /// `Error::Zoom { status: 400, code: 4105, .. }`.
    pub fn remind(&self, conversation: &Conversation, message: &MessageId, at: impl Into<RemindAt>) -> CreateReminder {
        CreateReminder {
            chat: self.clone(),
            to: conversation.clone(),
            message: message.clone(),
            at: at.into(),
            note: None,
        }
    }

    /// Deletes the user's reminder on a message.
    ///
    #[doc = zoom_api_gen::operation_doc!(deleteReminder)]
    ///
    /// Scope `chat_message:write`. A message without the user's reminder is
    /// `Error::Zoom { status: 404, code: 4200, .. }`.
    pub async fn delete_reminder(&self, conversation: &Conversation, message: &MessageId) -> Result<()> {
        let request = self.client.api().delete_reminder().message_id(message.as_str());
        send_in_conversation!(request, conversation)
    }

    /// The user's reminders, in every channel and chat (or one:
    /// [`in_conversation`](ListReminders::in_conversation));
    /// [`stream`](ListReminders::stream) them.
    ///
    #[doc = zoom_api_gen::operation_doc!(listReminders)]
    ///
    /// Once a page. Scope `chat_message:read`.
    pub fn reminders(&self) -> ListReminders {
        Listing::with_options(MAX_REMINDER_PAGE, self.clone(), None, |chat, to, size, token| async move {
            let request = chat.client.api().list_reminders();
            let request = match &to {
                Some(to) => in_conversation!(request, to),
                None => request,
            };
            let request = page_of!(request, size, token);
            let page = request.send().await.map_err(zoom_error)?.into_inner();
            Ok((page.reminders, Some(page.next_page_token)))
        })
    }
}

/// A reminder being set; await it. From [`Chat::remind`].
#[must_use = "a reminder is set only when awaited"]
pub struct CreateReminder {
    chat: Chat,
    to: Conversation,
    message: MessageId,
    at: RemindAt,
    note: Option<String>,
}

impl CreateReminder {
    setters! {
        /// A note shown with the reminder.
        pub fn note(note: impl Into<String>) = Some(note.into());
    }

    fn body(&self) -> Result<types::CreateReminderRequest> {
        let (remind_time, delay_seconds) = match self.at {
            RemindAt::Time(at) => (Some(at.trunc_subsecs(0)), None),
            RemindAt::After(after) if (MIN_REMINDER_DELAY..=MAX_REMINDER_DELAY).contains(&after) => {
                (None, Some(after.as_secs() as i64))
            }
            RemindAt::After(after) => {
                let (min, max) = (MIN_REMINDER_DELAY.as_secs(), MAX_REMINDER_DELAY.as_secs());
                let rule = format!("must be {min} to {max} seconds, not {}", after.as_secs_f64());
                return Err(Error::invalid("delay_seconds", rule));
            }
        };
        Ok(types::CreateReminderRequest {
            to_channel: channel_param(&self.to),
            to_contact: contact_param(&self.to),
            remind_time,
            delay_seconds,
            reminder_note: self.note.clone(),
        })
    }

    async fn run(self) -> Result<()> {
        let body = self.body()?;
        let request = self.chat.client.api().create_reminder().message_id(self.message.as_str()).body(body);
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }
}

awaitable!(CreateReminder => Result<()>);

/// A listing of the user's scheduled messages in a conversation, soonest first, 1 to
/// [`MAX_SCHEDULED_PAGE`] a page (Zoom's default is 10); [`stream`](Listing::stream) it. From
/// [`Chat::scheduled`].
pub type ListScheduledMessages = Listing<types::ScheduledMessage>;

/// A listing of the user's reminders, in every conversation or in one, 1 to
/// [`MAX_REMINDER_PAGE`] a page (Zoom's default is 10); [`stream`](Listing::stream) it. From
/// [`Chat::reminders`].
pub type ListReminders = Listing<types::Reminder, Option<Conversation>>;

impl ListReminders {
    setters! {
        /// Only the reminders in this conversation.
        pub fn in_conversation(conversation: &Conversation) => options = Some(conversation.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reminder(at: RemindAt) -> CreateReminder {
        let client = crate::ZoomClient::builder()
            .credentials("id", crate::SecretString::from("secret".to_owned()))
            .api_url("http://127.0.0.1:9/v2")
            .build()
            .unwrap();
        let to = Conversation::channel("c1").unwrap();
        client.chat().remind(&to, &"M1".parse().unwrap(), at)
    }

    #[test]
    fn a_reminders_delay_is_held_to_zooms_bounds_before_it_is_sent() {
        for secs in [0, 299, 7_776_001] {
            let err = reminder(Duration::from_secs(secs).into()).body().unwrap_err();
            assert!(err.to_string().contains("delay_seconds"), "{secs}: {err}");
        }
        let body = reminder(Duration::from_secs(1800).into()).note("n").body().unwrap();
        assert_eq!((body.delay_seconds, body.remind_time, body.to_channel.as_deref()), (Some(1800), None, Some("c1")));
        assert_eq!(body.reminder_note.as_deref(), Some("n"));
    }

    #[test]
    fn times_are_sent_to_the_second_as_zoom_writes_them() {
        let at: DateTime<Utc> = "2026-11-21T08:00:00.750Z".parse().unwrap();
        let body = reminder(at.into()).body().unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap()["remind_time"], "2026-11-21T08:00:00Z");
    }
}
