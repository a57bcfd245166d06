//! The fake's clock, the messages scheduled on it (sent into their conversation when the
//! clock passes their time), and the users' reminders on messages.

use chrono::{DateTime, Utc};
use zoom_api_gen::types;

use super::{ConversationId, MessageContent, Sender, State, StoredMessage};

/// How many scheduled messages and reminders are kept, each over all accounts (the oldest
/// goes first).
pub(crate) const KEEP_SCHEDULED: usize = 10_000;

/// A message sent with `scheduled_time`, not sent yet.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledMessage {
    /// Its draft id, as the send answered it.
    pub draft_id: String,
    /// The account it is in.
    pub account: String,
    /// Where it will be sent.
    pub conversation: ConversationId,
    /// The user who scheduled it.
    pub user: String,
    /// What the send asked for (its `scheduled_time` included).
    pub request: types::SendChatMessageRequest,
    /// The main message, for a reply.
    pub reply_to: Option<String>,
    /// When it was scheduled, on the fake's clock.
    pub created: DateTime<Utc>,
    /// When it is sent, on the fake's clock.
    pub at: DateTime<Utc>,
}

/// Whose reminder on which message: a user has one per message (a second replaces the first).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReminderKey {
    /// The account it is in.
    pub account: String,
    /// The user who set it, in lower case (Zoom's ids and emails name a user in any case).
    pub user: String,
    /// The message it is on.
    pub message_id: String,
}

impl ReminderKey {
    /// The key of `user`'s reminder on `message_id` in `account`.
    pub fn new(account: impl Into<String>, user: &str, message_id: impl Into<String>) -> Self {
        Self { account: account.into(), user: user.to_ascii_lowercase(), message_id: message_id.into() }
    }
}

/// A user's reminder on a message.
#[derive(Clone, Debug, PartialEq)]
pub struct Reminder {
    /// Whose it is, on which message.
    pub key: ReminderKey,
    /// The conversation of the message.
    pub conversation: ConversationId,
    /// Its note.
    pub note: String,
    /// When it was set, on the fake's clock.
    pub created: DateTime<Utc>,
    /// When it reminds. Zoom documents no event for it, so it stays listed after.
    pub at: DateTime<Utc>,
}

impl State {
    /// The fake's clock ([`Clock`](super::clock::Clock)).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The fake's clock, as the monotonic time rate limits count in.
    pub fn instant(&self) -> std::time::Instant {
        self.clock.instant()
    }

    /// Moves the clock on by `by`, and sends the scheduled messages whose time it passed.
    pub fn advance(&mut self, by: std::time::Duration) {
        self.clock.advance(by);
        self.release_due();
    }

    /// Keeps a scheduled message (past the cap, the oldest scheduled goes unsent).
    pub(crate) fn schedule(&mut self, message: ScheduledMessage) {
        self.scheduled.insert(message.draft_id.clone(), message);
    }

    /// Sends, oldest time first, every scheduled message whose time the clock has passed:
    /// each becomes a message of its conversation, sent at its scheduled time by its user, with
    /// a message id of its own (Zoom's pages do not say which id a released one gets).
    pub(crate) fn release_due(&mut self) {
        if self.scheduled.len() == 0 {
            return;
        }
        let now = self.now();
        let mut due: Vec<(DateTime<Utc>, String)> = self
            .scheduled
            .keys()
            .filter_map(|k| self.scheduled.get(k))
            .filter(|m| m.at <= now)
            .map(|m| (m.at, m.draft_id.clone()))
            .collect();
        due.sort();
        for (_, draft) in due {
            let Some(m) = self.scheduled.remove(&draft) else { continue };
            let id = self.new_message_id();
            let mut request = m.request;
            request.scheduled_time = None;
            let content = MessageContent::Text(request);
            let mut message = StoredMessage::new(&m.account, id, m.conversation, Sender::User(m.user), content);
            message.sent_at = m.at;
            message.reply_to = m.reply_to;
            self.store(message);
        }
    }

    /// The scheduled messages of `user` in a conversation of `account`, soonest first.
    pub(crate) fn scheduled_in(
        &self,
        account: &str,
        user: &str,
        conversation: &ConversationId,
    ) -> Vec<&ScheduledMessage> {
        self.scheduled_where(|m| {
            m.account == account && m.user.eq_ignore_ascii_case(user) && m.conversation == *conversation
        })
    }

    /// The scheduled messages `keep` accepts, soonest first (a draft id breaks a tie).
    pub(crate) fn scheduled_where(&self, keep: impl Fn(&ScheduledMessage) -> bool) -> Vec<&ScheduledMessage> {
        let mut all: Vec<&ScheduledMessage> =
            self.scheduled.keys().filter_map(|k| self.scheduled.get(k)).filter(|m| keep(m)).collect();
        all.sort_by(|a, b| (a.at, &a.draft_id).cmp(&(b.at, &b.draft_id)));
        all
    }

    /// Keeps a reminder (replacing the user's earlier one on the message).
    pub(crate) fn keep_reminder(&mut self, reminder: Reminder) {
        self.reminders.insert(reminder.key.clone(), reminder);
    }

    /// The reminders of `user` in `account` (in one conversation, when one is named), oldest
    /// set first.
    pub(crate) fn reminders_of(
        &self,
        account: &str,
        user: &str,
        conversation: Option<&ConversationId>,
    ) -> Vec<&Reminder> {
        self.reminders_where(|r| {
            r.key.account == account
                && r.key.user.eq_ignore_ascii_case(user)
                && conversation.is_none_or(|c| r.conversation == *c)
        })
    }

    /// The reminders `keep` accepts, oldest set first (a message id breaks a tie).
    pub(crate) fn reminders_where(&self, keep: impl Fn(&Reminder) -> bool) -> Vec<&Reminder> {
        let mut all: Vec<&Reminder> =
            self.reminders.keys().filter_map(|k| self.reminders.get(k)).filter(|r| keep(r)).collect();
        all.sort_by(|a, b| (a.created, &a.key.message_id).cmp(&(b.created, &b.key.message_id)));
        all
    }
}
