//! Scheduled messages and reminders (`/chat/messages/schedule`, `/chat/messages/{id}/reminder`,
//! `/chat/reminder`), as the token's user, on the fake's clock; and the handle's control of
//! that clock (`ZoomMock::advance`) and its views of what is scheduled.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use zoom_api_gen::types;

use super::channels::paginate;
use super::chat::{acting, find, optional_conversation, resolve_conversation};
use super::handle::ZoomMock;
use super::http::{Answer, Call, ErrorShape, Incoming, error, json};
use super::state::{ConversationId, Listing, Reminder, ReminderKey, ScheduledMessage, State, TokenInfo};

const F: ErrorShape = ErrorShape::Api;

/// The furthest ahead a reminder may be set (Zoom: "the latest is 90 days later").
const REMINDER_HORIZON: TimeDelta = TimeDelta::days(90);

/// The token's account and user, and the conversation the query names (`to_channel` or
/// `to_contact`, one of them required).
fn me_in(state: &State, token: &TokenInfo, req: &Incoming) -> Result<(String, String, ConversationId), Response> {
    let (account, user) = acting(state, token, "me")?;
    let conversation = resolve_conversation(state, &account, req.query("to_channel"), req.query("to_contact"))?;
    Ok((account, user, conversation))
}

fn to_scheduled(state: &State, m: &ScheduledMessage) -> types::ScheduledMessage {
    let request = &m.request;
    types::ScheduledMessage {
        at_items: request.at_items.clone(),
        create_date: m.created,
        download_url: None,
        draft_id: m.draft_id.clone(),
        file_id: None,
        file_name: None,
        file_size: None,
        files: Vec::new(),
        message: request.message.to_string(),
        reply_main_message_id: m.reply_to.clone(),
        reply_main_message_timestamp: m
            .reply_to
            .as_ref()
            .and_then(|r| state.messages.get(r))
            .map(|p| p.sent_at.timestamp_millis()),
        rich_text: request.rich_text.clone(),
        scheduled_time: m.at,
    }
}

/// `listScheduledMessages`: the user's messages scheduled in one conversation, soonest first.
pub(crate) fn list_scheduled(state: &mut State, call: Call<'_>) -> Answer {
    let (account, user, conversation) = me_in(state, &call.token, call.req)?;
    let all: Vec<types::ScheduledMessage> =
        state.scheduled_in(&account, &user, &conversation).into_iter().map(|m| to_scheduled(state, m)).collect();
    let list = Listing::Scheduled(user.to_ascii_lowercase(), conversation);
    let page = paginate(state, call.req, account, list, 10, all)?;
    let scheduled = types::ScheduledMessagePage {
        to_channel: call.req.query("to_channel").map(str::to_owned),
        to_contact: call.req.query("to_contact").map(str::to_owned),
        page_size: page.size as i64,
        next_page_token: Some(page.next_token),
        messages: page.items,
    };
    Ok(json(StatusCode::OK, &scheduled))
}

/// `deleteScheduledMessage`: one of the user's scheduled messages in the named conversation,
/// not sent yet, goes. Any other draft id (unknown, another's, sent already) is Zoom's 400,
/// code 5404.
pub(crate) fn delete_scheduled(state: &mut State, call: Call<'_, String>) -> Answer {
    let draft_id = call.path;
    let (account, user, conversation) = me_in(state, &call.token, call.req)?;
    let ours = state
        .scheduled
        .get(&draft_id)
        .is_some_and(|m| m.account == account && m.user.eq_ignore_ascii_case(&user) && m.conversation == conversation);
    if !ours {
        return Err(error(F, StatusCode::BAD_REQUEST, 5404, format!("Invalid draft id: {draft_id}.")));
    }
    state.scheduled.remove(&draft_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The message a reminder call names, in the conversation it names (Zoom: 404, code 4200 for
/// a message that does not exist; 400, code 4100 for a conversation that does not hold it).
fn reminded(
    state: &State,
    account: &str,
    message_id: &str,
    conversation: Result<ConversationId, Response>,
) -> Result<(ConversationId, String, i64), Response> {
    let invalid =
        || error(F, StatusCode::BAD_REQUEST, 4100, "The provided `to_contact` or `to_channel` parameter is invalid.");
    let conversation = conversation.map_err(|_| invalid())?;
    let Ok(message) = find(state, account, message_id, None) else {
        return Err(error(F, StatusCode::NOT_FOUND, 4200, format!("Message does not exist: {message_id}.")));
    };
    if message.conversation != conversation {
        return Err(invalid());
    }
    Ok((conversation, message.text(), message.sent_at.timestamp_millis()))
}

/// `createReminder`: the user's reminder on a message, at `remind_time` or `delay_seconds`
/// from the fake's clock; a second on the same message replaces the first (Zoom's page does not
/// say).
pub(crate) fn create_reminder(state: &mut State, call: Call<'_, String, types::CreateReminderRequest>) -> Answer {
    let message_id = call.path;
    let body = call.body;
    let (account, user) = acting(state, &call.token, "me")?;
    let named = resolve_conversation(state, &account, body.to_channel.as_deref(), body.to_contact.as_deref());
    let (conversation, ..) = reminded(state, &account, &message_id, named)?;
    let now = state.now();
    // The validator holds `x-required-one-of` and the bounds of `delay_seconds`; given
    // both, `remind_time` is read (Zoom's page does not say which wins).
    let at: DateTime<Utc> = match (body.remind_time, body.delay_seconds) {
        (Some(at), _) => at,
        (None, Some(delay)) => now + TimeDelta::seconds(delay),
        (None, None) => {
            let rule = "One parameter from `remind_time` and `delay_seconds` must be passed.";
            return Err(error(F, StatusCode::BAD_REQUEST, 4103, rule));
        }
    };
    if at <= now || at > now + REMINDER_HORIZON {
        let rule = "`remind_time` should be greater than the current time, and the latest is 90 days later.";
        return Err(error(F, StatusCode::BAD_REQUEST, 4105, rule));
    }
    let note = body.reminder_note.unwrap_or_default();
    let key = ReminderKey::new(account, &user, message_id);
    state.keep_reminder(Reminder { key, conversation, note, created: now, at });
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `deleteReminder`: the user's reminder on a message goes. A message without one is Zoom's
/// 404, code 4200, as a message that does not exist (its page names no other code).
pub(crate) fn delete_reminder(state: &mut State, call: Call<'_, String>) -> Answer {
    let message_id = call.path;
    let (account, user) = acting(state, &call.token, "me")?;
    let named = resolve_conversation(state, &account, call.req.query("to_channel"), call.req.query("to_contact"));
    reminded(state, &account, &message_id, named)?;
    if state.reminders.remove(&ReminderKey::new(account, &user, message_id.as_str())).is_none() {
        return Err(error(F, StatusCode::NOT_FOUND, 4200, format!("Message does not exist: {message_id}.")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `listReminders`: the user's reminders, in the named conversation or everywhere, oldest set
/// first (they stay after their time: Zoom documents no event for one going off).
pub(crate) fn list_reminders(state: &mut State, call: Call<'_>) -> Answer {
    let (account, user) = acting(state, &call.token, "me")?;
    let conversation = match optional_conversation(state, &account, call.req) {
        Ok(c) => c,
        Err(_) => {
            let rule = "The provided `to_contact` or `to_channel` parameter is invalid.";
            return Err(error(F, StatusCode::BAD_REQUEST, 4100, rule));
        }
    };
    let all: Vec<types::Reminder> = state
        .reminders_of(&account, &user, conversation.as_ref())
        .into_iter()
        .map(|r| {
            let message = state.messages.get(&r.key.message_id);
            let main = message.and_then(|m| m.reply_to.as_ref()).and_then(|id| state.messages.get(id));
            types::Reminder {
                content: message.map(|m| m.text()).unwrap_or_default(),
                create_time: r.created,
                main_message_id: main.map(|m| m.id.clone()),
                main_message_timestamp: main.map(|m| m.sent_at.timestamp_millis()),
                message_id: r.key.message_id.clone(),
                message_timestamp: message.map_or(0, |m| m.sent_at.timestamp_millis()),
                remind_time: r.at,
                reminder_note: r.note.clone(),
            }
        })
        .collect();
    let list = Listing::Reminders(user.to_ascii_lowercase(), conversation);
    let page = paginate(state, call.req, account, list, 10, all)?;
    Ok(json(StatusCode::OK, &types::ReminderPage { next_page_token: page.next_token, reminders: page.items }))
}

impl ZoomMock {
    /// The fake's clock: the real time, moved on by every [`advance`](Self::advance), and held
    /// still while [paused](Self::pause_clock). Rate limits (per label and per channel), daily
    /// quotas, scheduled messages and reminders run on it; token and callback lifetimes run on
    /// the real time.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.lock().now()
    }

    /// Moves the fake's clock on by `by`: every scheduled message whose time it passes is sent
    /// into its conversation at once, at its scheduled time; rate-limit windows and daily
    /// quotas that it passes are over.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// let zoom = zoom_mock::fake::ZoomMock::start().await?;
    /// let before = zoom.now();
    /// zoom.advance(Duration::from_secs(3600));
    /// assert!(zoom.now() - before >= chrono::TimeDelta::hours(1));
    /// # Ok(()) }
    /// ```
    pub fn advance(&self, by: Duration) {
        self.shared.lock().advance(by);
        self.shared.changed();
    }

    /// Holds the fake's clock still: from now on it moves only by [`advance`](Self::advance),
    /// so a test can fill a rate-limit window or a quota and step past it, however slowly the
    /// machine runs. A 429 then lasts until the test advances the clock: a client that waits
    /// out its `Retry-After` in real time is refused again.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// let zoom = zoom_mock::fake::ZoomMock::start().await?;
    /// zoom.pause_clock();
    /// let before = zoom.now();
    /// tokio::time::sleep(Duration::from_millis(10)).await;
    /// assert_eq!(zoom.now(), before);
    /// zoom.advance(Duration::from_secs(1));
    /// assert_eq!(zoom.now() - before, chrono::TimeDelta::seconds(1));
    /// # Ok(()) }
    /// ```
    pub fn pause_clock(&self) {
        self.shared.lock().clock.pause();
    }

    /// Lets the fake's clock run again: it catches up on the time it stood still (it never goes
    /// back), keeping what [`advance`](Self::advance) added.
    pub fn resume_clock(&self) {
        self.shared.lock().clock.resume();
        self.shared.changed();
    }

    /// The messages scheduled and not sent yet, in every account, soonest first.
    pub fn scheduled_messages(&self) -> Vec<ScheduledMessage> {
        self.shared.lock().scheduled_where(|_| true).into_iter().cloned().collect()
    }

    /// Every reminder held, in every account, oldest set first.
    pub fn reminders(&self) -> Vec<Reminder> {
        self.shared.lock().reminders_where(|_| true).into_iter().cloned().collect()
    }
}
