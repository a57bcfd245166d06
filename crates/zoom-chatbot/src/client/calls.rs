//! The ways from a [`ZoomClient`] into each family of calls: chatbot messages in an account
//! (`messages.rs`), the user-level chat API (`chat.rs`), the account's users (`users.rs`),
//! incoming webhooks (`incoming.rs`) and an event's callback (`callback.rs`). Each family
//! holds its calls; these methods only hand over the client.

use secrecy::SecretString;
use zoom_api_gen::types;

use super::ZoomClient;
use crate::callback::{Callback, ReplyToCallback};
use crate::channels::Channels;
use crate::chat::Chat;
use crate::error::Result;
use crate::files::Files;
use crate::ids::{AccountId, IntoRecipient, MessageId, TriggerId, UserId};
use crate::incoming::IncomingWebhook;
use crate::messages::{AccountClient, MessageReceipt, SendMessage};
use crate::users::Users;

impl ZoomClient {
    /// The chatbot's messages in `account`: sends, edits, deletes and unfurls there, as this
    /// client's bot. A Marketplace bot serves every account that installs it with one token;
    /// each call names the account it goes to.
    pub fn account(&self, account: &AccountId) -> AccountClient {
        AccountClient::new(self.clone(), Some(account.clone()))
    }

    /// The chatbot's messages in the account this client was configured with
    /// ([`ClientBuilder::account_id`], `ZOOM_ACCOUNT_ID`). Without one, every call it makes is
    /// refused before anything is sent.
    fn own_account(&self) -> AccountClient {
        AccountClient::new(self.clone(), self.inner.account_id.clone())
    }

    /// Sends a card to a user or a channel of the configured account. Await it, or set
    /// options first: `zoom.send(to, card).reply_to(&id).visible_to(&user).await`.
    /// [`account`](Self::account) sends in another.
    ///
    #[doc = zoom_api_gen::operation_doc!(sendChatbotMessage)]
    ///
    /// With the bot's JID and account. The recipient is checked before anything is sent.
    pub fn send(&self, to: impl IntoRecipient, card: types::Card) -> SendMessage {
        self.own_account().send(to, card)
    }

    /// Replaces the card of a message the bot sent in the configured account.
    ///
    #[doc = zoom_api_gen::operation_doc!(editChatbotMessage)]
    pub async fn edit_message(&self, id: &MessageId, card: types::Card) -> Result<MessageReceipt> {
        self.own_account().edit_message(id, card).await
    }

    /// Deletes a message the bot sent in the configured account.
    ///
    #[doc = zoom_api_gen::operation_doc!(deleteChatbotMessage)]
    pub async fn delete_message(&self, id: &MessageId) -> Result<MessageReceipt> {
        self.own_account().delete_message(id).await
    }

    /// Attaches a preview card to a link a user shared (`team_chat.link_shared`).
    ///
    #[doc = zoom_api_gen::operation_doc!(unfurlLink)]
    ///
    /// The card travels JSON-encoded in `content`. The request names no account: the user and
    /// the trigger say where the link was shared.
    pub async fn unfurl(&self, user_id: &UserId, trigger_id: &TriggerId, card: &types::Card) -> Result<()> {
        crate::messages::unfurl(self, user_id, trigger_id, card).await
    }

    /// An incoming webhook of this client's webhook host, by its id and verification token.
    /// Its posts go through this client's HTTP client and retry rules.
    pub fn incoming_webhook(&self, webhook_id: &str, token: SecretString) -> IncomingWebhook {
        IncomingWebhook::new(
            &self.inner.webhook_url,
            self.http().clone(),
            webhook_id,
            token,
            self.inner.policy.retry.clone(),
        )
    }

    /// The user-level chat API, as the token's own user (`me`). Its calls use the
    /// server-to-server (or user) token, scopes `chat_message:read` / `chat_message:write`.
    pub fn chat(&self) -> Chat {
        Chat::new(self.clone(), UserId::me())
    }

    /// The account's users (`users.rs`): a user by id or email, an email's JID. Its calls use
    /// the server-to-server (or user) token.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }

    /// Channels (`channels.rs`), as the token's own user (`me`): create one with members,
    /// read it, list channels and members, invite. Its calls use the server-to-server (or
    /// user) token.
    pub fn channels(&self) -> Channels {
        Channels::new(self.clone(), UserId::me())
    }

    /// Chat files (`files.rs`), as the token's own user (`me`): send one as a message,
    /// upload one for `file_ids`, read and delete. Uploads and sends go to the file host
    /// ([`ClientBuilder::file_url`](crate::ClientBuilder::file_url)), streamed. Its calls use
    /// the server-to-server (or user) token.
    pub fn files(&self) -> Files {
        Files::new(self.clone(), UserId::me())
    }

    /// Chat files as `user`, who sends and uploads them (a server-to-server token can act for
    /// any user of the account).
    pub fn files_as(&self, user: UserId) -> Files {
        Files::new(self.clone(), user)
    }

    /// Channels as `user`: whose channels are listed and who owns the ones made (a
    /// server-to-server token can act for any user of the account).
    pub fn channels_as(&self, user: UserId) -> Channels {
        Channels::new(self.clone(), user)
    }

    /// The user-level chat API, acting as `user` (server-to-server tokens can act for any
    /// user of the account).
    pub fn chat_as(&self, user: UserId) -> Chat {
        Chat::new(self.clone(), user)
    }

    /// Posts `card` as the one reply to an interactive event through its callback
    /// (`replyToCallback`): a `POST` to the `callback_url` with the `callback_token` as bearer
    /// (not this client's token, and no rate-limit label). The reply lands in the card's
    /// conversation. Refused locally, with nothing sent, once the callback was used or after
    /// its deadline.
    ///
    /// Await it, or set options first, as for a chatbot send:
    /// `zoom.callback_reply(&callback, card).reply_to(&id).visible_to(&user).markdown().await`.
    pub fn callback_reply(&self, callback: &Callback, card: types::Card) -> ReplyToCallback {
        ReplyToCallback::new(self.clone(), callback.clone(), card)
    }

    /// Attaches a preview card to a shared link through the `response_url` of its
    /// `team_chat.link_shared` event: the unfurl operation for that user and trigger, with this
    /// client's chatbot token.
    pub async fn unfurl_response_url(&self, response_url: &str, card: &types::Card) -> Result<()> {
        crate::callback::unfurl_response_url(self, response_url, card).await
    }
}
