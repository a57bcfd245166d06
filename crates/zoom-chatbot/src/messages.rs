//! Chatbot messages, in the account they belong to: [`AccountClient`], the send being
//! built, the message sent, and what Zoom says of an edit or delete.

use std::fmt;

use chrono::{DateTime, Utc};
use zoom_api_gen::types;

use crate::client::ZoomClient;
use crate::error::{Error, Result, Setting, zoom_error};
use crate::ids::{AccountId, BotJid, IntoRecipient, MessageId, Recipient, TriggerId, UserId, UserJid};
use crate::macros::{awaitable, setters};
use crate::time::parse_sent_time;

/// The chatbot in one account. A chatbot's token serves every account that installed the
/// app, and each send, edit and delete names its account: an `AccountClient` is the chatbot
/// in one account, as one bot, and (for user-managed apps) on
/// behalf of one user. [`ZoomClient::account`] makes one; a bot's
/// [`Context`](crate::bot::Context) answers through the one its event names.
///
/// ```no_run
/// # async fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
/// use zoom_chatbot::card::Card;
/// use zoom_chatbot::ids::AccountId;
///
/// let acme: AccountId = "Wk9PTV9BQ0NPVU5UX0lE".parse()?;
/// let sent = zoom.account(&acme).send("ops@conference.xmpp.zoom.us", Card::new().head("Deployed").build()?).await?;
/// sent.edit(Card::new().head("Deployed, and verified").build()?).await?; // in the same account
/// # Ok(()) }
/// ```
///
/// Cheap to make and to clone.
#[derive(Clone)]
pub struct AccountClient {
    client: ZoomClient,
    /// The account (none: every call is refused, before anything is sent).
    account: Option<AccountId>,
    /// The bot that sends, when not the client's.
    robot_jid: Option<BotJid>,
    /// For user-managed apps: the user every call acts for.
    user_jid: Option<UserJid>,
}

impl fmt::Debug for AccountClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountClient")
            .field("account", &self.account)
            .field("robot_jid", &self.robot_jid.as_ref().or(self.client.robot_jid()))
            .field("user_jid", &self.user_jid)
            .finish()
    }
}

/// What a chatbot call names: its account, its bot and the user it acts for.
struct Addressing {
    account_id: String,
    robot_jid: String,
    user_jid: Option<String>,
}

impl AccountClient {
    pub(crate) fn new(client: ZoomClient, account: Option<AccountId>) -> Self {
        Self { client, account, robot_jid: None, user_jid: None }
    }

    setters! {
        /// Sends as `robot_jid` instead of the client's bot (an app with several bots, or the bot
        /// an event names).
        pub fn as_bot(robot_jid: &BotJid) => robot_jid = Some(robot_jid.clone());
    }

    setters! {
        /// For user-managed apps, where Zoom requires it: every send, edit and delete acts for
        /// `user` (`user_jid`).
        pub fn on_behalf_of(user: &UserJid) => user_jid = Some(user.clone());
    }

    /// The account, if this handle has one.
    pub fn account_id(&self) -> Option<&AccountId> {
        self.account.as_ref()
    }

    /// The client underneath.
    pub fn client(&self) -> &ZoomClient {
        &self.client
    }

    fn addressing(&self) -> Result<Addressing> {
        let account = self.account.as_ref().ok_or_else(|| {
            Error::missing(
                Setting::AccountId,
                "chatbot messages name their account: set it, or send through zoom.account(&id) (a bot answers in its event's account)",
            )
        })?;
        let robot = self.robot_jid.as_ref().or(self.client.robot_jid()).ok_or_else(|| {
            Error::missing(Setting::RobotJid, "chatbot messages name their bot (or send as the event's robotJid)")
        })?;
        Ok(Addressing {
            account_id: account.as_str().to_owned(),
            robot_jid: robot.as_str().to_owned(),
            user_jid: self.user_jid.as_ref().map(ToString::to_string),
        })
    }

    /// Sends a card to a user or a channel of this account. Await it, or set options first:
    /// `send(to, card).reply_to(&id).visible_to(&user).await`.
    ///
    #[doc = zoom_api_gen::operation_doc!(sendChatbotMessage)]
    ///
    /// With the bot's JID and the account. The account, the bot and the recipient are
    /// checked before anything is sent.
    pub fn send(&self, to: impl IntoRecipient, card: types::Card) -> SendMessage {
        SendMessage {
            account: self.clone(),
            to: to.into_recipient(),
            card,
            reply_to: None,
            visible_to: None,
            markdown: None,
        }
    }

    /// Replaces the card of a message the bot sent in this account.
    ///
    #[doc = zoom_api_gen::operation_doc!(editChatbotMessage)]
    pub async fn edit_message(&self, id: &MessageId, card: types::Card) -> Result<MessageReceipt> {
        self.edit(id, card, None).await
    }

    async fn edit(&self, id: &MessageId, card: types::Card, markdown: Option<bool>) -> Result<MessageReceipt> {
        crate::card::check(&card)?;
        let to = self.addressing()?;
        let body = types::EditChatbotMessageRequest {
            robot_jid: to.robot_jid,
            account_id: to.account_id,
            content: card,
            user_jid: to.user_jid,
            is_markdown_support: markdown,
        };
        let api = self.client.api();
        let answer = api.edit_chatbot_message().message_id(id.as_str()).body(body).send().await.map_err(zoom_error)?;
        Ok(MessageReceipt::from(answer.into_inner()))
    }

    /// Deletes a message the bot sent in this account.
    ///
    #[doc = zoom_api_gen::operation_doc!(deleteChatbotMessage)]
    pub async fn delete_message(&self, id: &MessageId) -> Result<MessageReceipt> {
        let to = self.addressing()?;
        let mut request = self
            .client
            .api()
            .delete_chatbot_message()
            .message_id(id.as_str())
            .robot_jid(to.robot_jid)
            .account_id(to.account_id);
        if let Some(user) = to.user_jid {
            request = request.user_jid(user);
        }
        let answer = request.send().await.map_err(zoom_error)?;
        Ok(MessageReceipt::from(answer.into_inner()))
    }

    /// Attaches a preview card to a link a user shared ([`ZoomClient::unfurl`]: the request
    /// names the user and the trigger, not the account).
    pub async fn unfurl(&self, user_id: &UserId, trigger_id: &TriggerId, card: &types::Card) -> Result<()> {
        unfurl(&self.client, user_id, trigger_id, card).await
    }
}

/// `unfurlLink`: a preview card for the link of `trigger_id`.
pub(crate) async fn unfurl(
    zoom: &ZoomClient,
    user_id: &UserId,
    trigger_id: &TriggerId,
    card: &types::Card,
) -> Result<()> {
    crate::card::check(card)?;
    let content = serde_json::to_string(card).map_err(|e| Error::invalid("content", e.to_string()))?;
    let request = zoom
        .api()
        .unfurl_link()
        .user_id(user_id.as_str())
        .trigger_id(trigger_id.as_str())
        .body(types::UnfurlLinkRequest { content });
    request.send().await.map_err(zoom_error)?;
    Ok(())
}

/// A chatbot message about to be sent; await it.
#[must_use = "a message is sent only when awaited"]
pub struct SendMessage {
    account: AccountClient,
    to: Result<Recipient>,
    card: types::Card,
    reply_to: Option<MessageId>,
    visible_to: Option<String>,
    markdown: Option<bool>,
}

impl SendMessage {
    setters! {
        /// Sends it as a reply in this message's thread.
        pub fn reply_to(parent: &MessageId) = Some(parent.clone());

        /// In a channel, only this member (a user id) sees it.
        pub fn visible_to(user_id: &UserId) = Some(user_id.to_string());

        /// Reads the card's texts as markdown.
        pub fn markdown() = Some(true);
    }

    /// For user-managed apps: the user the bot acts for (see
    /// [`AccountClient::on_behalf_of`], which sets it for every call).
    pub fn on_behalf_of(mut self, user: &UserJid) -> Self {
        self.account = self.account.on_behalf_of(user);
        self
    }

    async fn run(self) -> Result<SentMessage> {
        let addressing = self.account.addressing()?;
        let to = self.to?;
        crate::card::check(&self.card)?;
        let body = types::SendChatbotMessageRequest {
            robot_jid: addressing.robot_jid,
            to_jid: to.jid().to_owned(),
            account_id: addressing.account_id,
            content: self.card,
            visible_to_user: self.visible_to,
            user_jid: addressing.user_jid,
            reply_to: self.reply_to.map(|r| r.to_string()),
            is_markdown_support: self.markdown,
        };
        let api = self.account.client.api();
        let answer = api.send_chatbot_message().body(body).send().await.map_err(zoom_error)?.into_inner();
        let id: MessageId = answer.message_id.parse().map_err(|_| Error::UnexpectedResponse {
            status: Some(201),
            detail: format!("message id {:?}", answer.message_id),
        })?;
        let sent_at = parse_sent_time(&answer.sent_time);
        Ok(SentMessage { id, to, sent_at, markdown: self.markdown, account: self.account })
    }
}

awaitable!(SendMessage => Result<SentMessage>);

/// A message the bot sent: it can edit, delete or answer itself, in the account, as the bot
/// and for the user it was sent with.
#[derive(Clone)]
pub struct SentMessage {
    /// Its id.
    pub id: MessageId,
    /// Where it went.
    pub to: Recipient,
    /// When Zoom says it was sent (`None` if Zoom's `sent_time` could not be read).
    pub sent_at: Option<DateTime<Utc>>,
    markdown: Option<bool>,
    account: AccountClient,
}

impl fmt::Debug for SentMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SentMessage")
            .field("id", &self.id)
            .field("to", &self.to)
            .field("account", &self.account.account_id())
            .field("sent_at", &self.sent_at)
            .finish()
    }
}

impl SentMessage {
    /// Replaces its card ([`AccountClient::edit_message`]).
    pub async fn edit(&self, card: types::Card) -> Result<MessageReceipt> {
        self.account.edit(&self.id, card, self.markdown).await
    }

    /// Deletes it ([`AccountClient::delete_message`]).
    pub async fn delete(&self) -> Result<MessageReceipt> {
        self.account.delete_message(&self.id).await
    }

    /// Answers it in its thread (a send with `reply_to`).
    pub fn reply(&self, card: types::Card) -> SendMessage {
        self.account.send(&self.to, card).reply_to(&self.id)
    }

    /// The account it was sent in.
    pub fn account(&self) -> &AccountClient {
        &self.account
    }
}

/// What Zoom says about a message after an edit or delete.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageReceipt {
    /// The message's id, when Zoom gave a well-formed one.
    pub id: Option<MessageId>,
    /// Its conversation, when Zoom gave a well-formed JID.
    pub to: Option<Recipient>,
    /// When it was first sent.
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<types::ChatbotMessageChanged> for MessageReceipt {
    fn from(c: types::ChatbotMessageChanged) -> Self {
        Self {
            id: c.message_id.as_deref().and_then(|id| id.parse().ok()),
            to: c.to_jid.as_deref().and_then(|jid| jid.parse().ok()),
            sent_at: c.sent_time.as_deref().and_then(parse_sent_time),
        }
    }
}
