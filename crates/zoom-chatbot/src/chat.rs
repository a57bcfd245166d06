//! The user-level chat API: text messages with mentions and formatting, replies, listing as
//! a stream over pages, reactions, read status and threads.
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
//! use futures_util::TryStreamExt;
//! use zoom_chatbot::chat::{Conversation, Format};
//!
//! let team = Conversation::channel("5ebf7e6a1c0b4f8e9b7c6d5e4f3a2b1c")?;
//! let ana = "ana@example.com".parse()?;
//! let id = zoom.chat().send(&team, "@Ana the build is green").mention(&ana, 0..4).format(Format::Bold, 18..23).await?;
//! let everything: Vec<_> = zoom.chat().list(&team).page_size(50).stream().try_collect().await?;
//! # let _ = (id, everything); Ok(()) }
//! ```

use std::num::NonZeroU64;
use std::ops::Range;

use chrono::{DateTime, Utc};
use zoom_api_gen::types;

use crate::client::ZoomClient;
use crate::error::{Error, Result, zoom_error};
use crate::ids::{FileId, MessageId, UserId};
use crate::macros::{awaitable, setters};
use crate::paging::{Listing, page_of};

/// The most characters a chat message may have.
pub const MAX_MESSAGE_CHARS: usize = 1024;
/// The most uploaded files one message may carry (`file_ids`).
pub const MAX_FILE_IDS: usize = 6;
/// The most messages a list page may have.
pub const MAX_PAGE_SIZE: u64 = 50;

/// A conversation as the chat API names it (by channel id, or a contact by email or id);
/// it lives in [`crate::ids`] beside [`Recipient`](crate::ids::Recipient), a conversation by JID.
pub use crate::ids::Conversation;

pub(crate) fn channel_param(conversation: &Conversation) -> Option<String> {
    match conversation {
        Conversation::Channel(c) => Some(c.to_string()),
        Conversation::Contact(_) => None,
    }
}

pub(crate) fn contact_param(conversation: &Conversation) -> Option<String> {
    match conversation {
        Conversation::Contact(c) => Some(c.to_string()),
        Conversation::Channel(_) => None,
    }
}

/// A key for the per-channel pacing windows.
fn pacing_key(conversation: &Conversation) -> String {
    match conversation {
        Conversation::Channel(c) => format!("channel:{c}"),
        Conversation::Contact(c) => format!("contact:{c}"),
    }
}

/// Names the conversation on a generated request builder (its `to_channel` or `to_contact`).
macro_rules! in_conversation {
    ($request:expr, $conversation:expr) => {
        match $conversation {
            Conversation::Channel(c) => $request.to_channel(c.to_string()),
            Conversation::Contact(c) => $request.to_contact(c.to_string()),
        }
    };
}
pub(crate) use in_conversation;

/// Sends a generated request builder in a conversation: the answer's body (`()` for none), or
/// the error it is. So `send_in_conversation!(request, conversation)` names the conversation on
/// `request` (with [`in_conversation!`]), awaits its `send()` and maps a failure with
/// `zoom_error`.
macro_rules! send_in_conversation {
    ($request:expr, $conversation:expr) => {
        $crate::chat::in_conversation!($request, $conversation)
            .send()
            .await
            .map(|answer| answer.into_inner())
            .map_err($crate::error::zoom_error)
    };
}
pub(crate) use send_in_conversation;

/// Whether a message is marked read or unread (the spec's `action` of a read mark).
pub use types::MarkChatMessageRequestAction as ReadMark;
/// Whether a reaction is added or removed (the spec's `action` of a reaction).
pub use types::ReactToChatMessageRequestAction as ReactionAction;

/// The most replies one page of a thread brings; [`Chat::thread`] pages through the rest.
pub const THREAD_PAGE: u64 = 100;

/// Formatting of a range of a message's text.
pub use types::RichTextRangeFormatType as Format;

/// The chat API, acting as one user.
#[derive(Clone, Debug)]
pub struct Chat {
    pub(crate) client: ZoomClient,
    pub(crate) user: UserId,
}

fn range_field(field: &str, i: usize, range: &Range<usize>, len: usize) -> Result<()> {
    if range.start > range.end || range.end > len {
        return Err(Error::invalid(
            format!("{field}[{i}]"),
            format!("the range {}..{} must lie within the message's {len} characters", range.start, range.end),
        ));
    }
    Ok(())
}

impl Chat {
    pub(crate) fn new(client: ZoomClient, user: UserId) -> Self {
        Self { client, user }
    }

    /// Sends a text message. Await it, or add mentions, formatting or a thread first.
    ///
    #[doc = zoom_api_gen::operation_doc!(sendChatMessage)]
    ///
    /// Scope `chat_message:write`. Waits for room in the channel's send windows when pacing
    /// is on.
    pub fn send(&self, to: &Conversation, text: impl Into<String>) -> SendChatMessage {
        SendChatMessage {
            chat: self.clone(),
            to: to.clone(),
            text: text.into(),
            reply_to: None,
            mentions: Vec::new(),
            formats: Vec::new(),
            file_ids: Vec::new(),
        }
    }

    /// Lists a conversation's messages, newest first.
    ///
    #[doc = zoom_api_gen::operation_doc!(listChatMessages)]
    ///
    /// Once a page. Scope `chat_message:read`.
    pub fn list(&self, conversation: &Conversation) -> ListMessages {
        let context = (self.clone(), conversation.clone());
        let filter = MessageFilter::default();
        Listing::with_options(MAX_PAGE_SIZE, context, filter, |(chat, to), filter, size, token| async move {
            let request = chat.client.api().list_chat_messages().user_id(chat.user.as_str());
            let request = page_of!(in_conversation!(request, &to), size, token);
            let changed = filter.include_deleted_and_edited;
            let request = if changed { request.include_deleted_and_edited_message(true) } else { request };
            let request = if filter.without_replies { request.exclude_child_message(true) } else { request };
            let answer = request.send().await.map_err(zoom_error)?.into_inner();
            Ok((answer.messages, answer.next_page_token))
        })
    }

    /// One message.
    ///
    #[doc = zoom_api_gen::operation_doc!(getChatMessage)]
    ///
    /// Scope `chat_message:read`.
    pub async fn get(&self, conversation: &Conversation, id: &MessageId) -> Result<types::ChatMessage> {
        let request = self.client.api().get_chat_message().user_id(self.user.as_str()).message_id(id.as_str());
        send_in_conversation!(request, conversation)
    }

    /// Replaces a message's text (only its sender may).
    ///
    #[doc = zoom_api_gen::operation_doc!(editChatMessage)]
    ///
    /// Scope `chat_message:write`.
    pub async fn edit(&self, conversation: &Conversation, id: &MessageId, text: &str) -> Result<()> {
        let message = checked_text(text)?;
        let body = types::EditChatMessageRequest {
            message: Some(message.to_string().try_into().map_err(|_| Error::invalid("message", "too long"))?),
            to_channel: channel_param(conversation),
            to_contact: contact_param(conversation),
            file_ids: Vec::new(),
            interactive_cards: Vec::new(),
        };
        let request =
            self.client.api().edit_chat_message().user_id(self.user.as_str()).message_id(id.as_str()).body(body);
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// Deletes a message.
    ///
    #[doc = zoom_api_gen::operation_doc!(deleteChatMessage)]
    ///
    /// Scope `chat_message:write`.
    pub async fn delete(&self, conversation: &Conversation, id: &MessageId) -> Result<()> {
        let request = self.client.api().delete_chat_message().user_id(self.user.as_str()).message_id(id.as_str());
        send_in_conversation!(request, conversation)
    }

    /// Adds or removes the user's reaction, an emoji like `U+1F44D`.
    ///
    #[doc = zoom_api_gen::operation_doc!(reactToChatMessage)]
    ///
    /// Scope `chat_message:write`.
    pub async fn react(
        &self,
        conversation: &Conversation,
        id: &MessageId,
        emoji: &str,
        action: ReactionAction,
    ) -> Result<()> {
        let ok = emoji.strip_prefix("U+").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
        if !ok {
            return Err(Error::invalid("emoji", format!("{emoji:?} must be a code point like U+1F44D")));
        }
        let body = types::ReactToChatMessageRequest {
            action,
            emoji: Some(emoji.to_owned()),
            to_channel: channel_param(conversation),
            to_contact: contact_param(conversation),
            custom_emoji: None,
            custom_emoji_id: None,
        };
        let request =
            self.client.api().react_to_chat_message().user_id(self.user.as_str()).message_id(id.as_str()).body(body);
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// Marks a message read or unread for the user.
    ///
    #[doc = zoom_api_gen::operation_doc!(markChatMessage)]
    ///
    /// Scope `chat_message:write`.
    pub async fn mark(&self, conversation: &Conversation, id: &MessageId, action: ReadMark) -> Result<()> {
        let body = types::MarkChatMessageRequest {
            action,
            timestamp: None,
            to_channel: channel_param(conversation),
            to_contact: contact_param(conversation),
        };
        let request =
            self.client.api().mark_chat_message().user_id(self.user.as_str()).message_id(id.as_str()).body(body);
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// A message's thread: its main message and every reply sent since `from`, oldest first.
    /// Zoom gives at most [`THREAD_PAGE`] messages a request; this pages through the rest,
    /// each page starting at the last reply of the one before (a reply is kept once).
    ///
    #[doc = zoom_api_gen::operation_doc!(getChatMessageThread)]
    ///
    /// Once a page. Scope `chat_message:read`.
    pub async fn thread(
        &self,
        conversation: &Conversation,
        id: &MessageId,
        from: DateTime<Utc>,
    ) -> Result<types::ChatThread> {
        let mut all = types::ChatThread { messages: Vec::new(), total: 0 };
        let mut seen = std::collections::HashSet::new();
        let mut since = from;
        loop {
            let first = all.messages.is_empty();
            let request = self
                .client
                .api()
                .get_chat_message_thread()
                .user_id(self.user.as_str())
                .message_id(id.as_str())
                .from(since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .sort(types::GetChatMessageThreadSort::Asc)
                .need_main_message(first)
                .limit(NonZeroU64::new(THREAD_PAGE).expect("not zero"));
            let request = in_conversation!(request, conversation);
            let page = request.send().await.map_err(zoom_error)?.into_inner();
            all.total = page.total;
            // A full page may have more behind it (the main message counts against the limit).
            let full = page.messages.len() as u64 >= THREAD_PAGE;
            let last = page.messages.iter().filter(|m| m.is_reply).map(|m| m.timestamp).max();
            // The next page starts at the last reply's millisecond, which it shares with the
            // replies not seen yet; the ones already seen are skipped by id.
            let before = all.messages.len();
            for message in page.messages {
                if seen.insert(message.msg_id.clone()) {
                    all.messages.push(message);
                }
            }
            let step = if all.messages.len() == before { 1 } else { 0 }; // nothing new: move on
            match last.and_then(|ms| DateTime::from_timestamp_millis(ms + step)) {
                Some(next) if full => since = next,
                _ => return Ok(all),
            }
        }
    }
}

fn checked_text(text: &str) -> Result<&str> {
    let n = text.chars().count();
    if n > MAX_MESSAGE_CHARS {
        return Err(Error::invalid("message", format!("must have at most {MAX_MESSAGE_CHARS} characters, has {n}")));
    }
    if text.trim().is_empty() {
        return Err(Error::invalid("message", "must not be empty"));
    }
    Ok(text)
}

/// A text message about to be sent; await it.
#[must_use = "a message is sent only when awaited"]
pub struct SendChatMessage {
    chat: Chat,
    to: Conversation,
    text: String,
    reply_to: Option<MessageId>,
    mentions: Vec<(Option<String>, Range<usize>)>,
    formats: Vec<(Format, Range<usize>, Option<String>)>,
    file_ids: Vec<FileId>,
}

impl SendChatMessage {
    setters! {
        /// Sends it as a reply in this main message's thread.
        pub fn reply_to(main: &MessageId) = Some(main.clone());
    }

    /// Mentions a contact (by email or user id) at a range of the text (in characters).
    pub fn mention(mut self, contact: &UserId, at: Range<usize>) -> Self {
        self.mentions.push((Some(contact.to_string()), at));
        self
    }

    /// Mentions everyone in the channel at a range of the text.
    pub fn mention_all(mut self, at: Range<usize>) -> Self {
        self.mentions.push((None, at));
        self
    }

    /// Formats a range of the text.
    pub fn format(mut self, format: Format, at: Range<usize>) -> Self {
        self.formats.push((format, at, None));
        self
    }

    /// Formats a range of the text with a value (a size, a colour, a link).
    pub fn format_with(mut self, format: Format, at: Range<usize>, value: impl Into<String>) -> Self {
        self.formats.push((format, at, Some(value.into())));
        self
    }

    /// Sends files uploaded earlier ([`Files::upload`](crate::files::Files::upload)) with the
    /// message: at most [`MAX_FILE_IDS`] in all.
    pub fn file_ids(mut self, ids: impl IntoIterator<Item = FileId>) -> Self {
        self.file_ids.extend(ids);
        self
    }

    /// The request's body, checked.
    pub(crate) fn body(&mut self) -> Result<types::SendChatMessageRequest> {
        let text = checked_text(&self.text)?;
        if self.file_ids.len() > MAX_FILE_IDS {
            return Err(Error::invalid("file_ids", format!("{} ids; at most {MAX_FILE_IDS}", self.file_ids.len())));
        }
        let len = text.chars().count();
        let mut at_items = Vec::new();
        for (i, (contact, at)) in std::mem::take(&mut self.mentions).into_iter().enumerate() {
            range_field("at_items", i, &at, len)?;
            at_items.push(types::AtItem {
                at_contact: contact.clone(),
                at_contact_member_id: None,
                // 1: a contact; 2: everyone in the channel.
                at_type: NonZeroU64::new(if contact.is_some() { 1 } else { 2 }),
                start_position: Some(at.start as i64),
                end_position: Some(at.end as i64),
            });
        }
        let mut rich_text = Vec::new();
        for (i, (format, at, attr)) in std::mem::take(&mut self.formats).into_iter().enumerate() {
            range_field("rich_text", i, &at, len)?;
            rich_text.push(types::RichTextRange {
                format_type: Some(format),
                format_attr: attr,
                start_position: Some(at.start as i64),
                end_position: Some(at.end as i64),
            });
        }
        Ok(types::SendChatMessageRequest {
            message: text.to_owned().try_into().map_err(|_| Error::invalid("message", "too long"))?,
            to_channel: channel_param(&self.to),
            to_contact: contact_param(&self.to),
            reply_main_message_id: self.reply_to.as_ref().map(|r| r.to_string()),
            at_items,
            rich_text,
            file_ids: self.file_ids.iter().map(ToString::to_string).collect(),
            interactive_cards: Vec::new(),
            scheduled_time: None,
        })
    }

    /// The conversation it goes to.
    pub(crate) fn conversation(&self) -> &Conversation {
        &self.to
    }

    /// The chat it is sent through.
    pub(crate) fn chat(&self) -> &Chat {
        &self.chat
    }

    async fn run(mut self) -> Result<MessageId> {
        let body = self.body()?;
        if let Some(pacer) = self.chat.client.pacer() {
            // The token first: a window counts a send from its slot, so nothing may hold the
            // send back once the slot is taken.
            self.chat.client.chat_token().await?;
            let started = tokio::time::Instant::now();
            if let Err(refused) =
                pacer.channel(&pacing_key(&self.to), started + self.chat.client.retry_policy().deadline).await
            {
                return Err(refused.into_error(started.elapsed()));
            }
        }
        let request = self.chat.client.api().send_chat_message().user_id(self.chat.user.as_str()).body(body);
        let created = request.send().await.map_err(zoom_error)?.into_inner();
        let id = created
            .id
            .ok_or_else(|| Error::UnexpectedResponse { status: Some(201), detail: "no message id".into() })?;
        id.parse().map_err(|_| Error::UnexpectedResponse { status: Some(201), detail: format!("message id {id:?}") })
    }
}

awaitable!(SendChatMessage => Result<MessageId>);

/// A listing of a conversation's messages, newest first, 1 to [`MAX_PAGE_SIZE`] a page (Zoom's
/// default is 10); [`stream`](Listing::stream) it. From [`Chat::list`].
pub type ListMessages = Listing<types::ChatMessage, MessageFilter>;

impl ListMessages {
    setters! { self.options;
        /// Lists deleted and edited messages too, with their status.
        pub fn include_deleted_and_edited() = true;

        /// Leaves thread replies out.
        pub fn without_replies() = true;
    }
}

/// Which messages a [`ListMessages`] lists: with or without the deleted and edited ones, and
/// with or without thread replies (by default, no deleted or edited ones, and the replies).
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    include_deleted_and_edited: bool,
    without_replies: bool,
}
