//! [`ZoomClient`], in three files: this one (the client, its configuration and tokens),
//! `builder.rs` ([`ClientBuilder`], `ZoomClient::builder`, `from_env`) and `calls.rs` (the
//! ways into each family of calls: chatbot messages, the chat API, incoming webhooks,
//! callbacks). The families (`messages.rs`, `chat.rs`, `incoming.rs`, `callback.rs`) use
//! this file and nothing in them is used here, so the modules form no cycle.

use std::fmt;
use std::sync::Arc;

use zoom_api_gen::ClientInfo as _;

use crate::auth::Token;
use crate::error::{Error, Result, Setting};
use crate::ids::{AccountId, BotJid, UserId};
use crate::pacing::Pacer;
use crate::policy::Policy;

mod builder;
mod calls;

pub use builder::{ClientBuilder, ZOOM_API_URL, ZOOM_FILE_URL, ZOOM_OAUTH_URL, ZOOM_WEBHOOK_URL};

/// What the clones of a client share.
struct Inner {
    api: zoom_api_gen::Client,
    webhook_url: String,
    /// The file host's base URL, without a trailing `/`.
    file_url: String,
    policy: Arc<Policy>,
    account_id: Option<AccountId>,
    robot_jid: Option<BotJid>,
}

/// A Zoom Team Chat client. Cheap to clone; clones share one token cache, one pacer and one
/// connection pool.
///
/// ```no_run
/// # async fn run() -> zoom_chatbot::Result<()> {
/// use zoom_chatbot::{ZoomClient, card::{Card, Text}};
///
/// let zoom = ZoomClient::from_env()?;
/// let card = Card::new().head("Deployed").push(Text::new("1.4.2 is live")).build()?;
/// let sent = zoom.send("b1c841dc@conference.xmpp.zoom.us", card).await?;
/// sent.delete().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ZoomClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for ZoomClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZoomClient")
            .field("api_url", &self.inner.api.baseurl())
            .field("account_id", &self.inner.account_id)
            .field("robot_jid", &self.inner.robot_jid)
            .finish_non_exhaustive()
    }
}

impl ZoomClient {
    /// The generated client, with this client's tokens, retries, pacing and tracing wired in:
    /// for the spec's operations this crate does not wrap, or options it does not expose. Each
    /// call picks its token by the operation's tag, as the wrapped calls do.
    ///
    /// ```no_run
    /// # async fn run(zoom: zoom_chatbot::ZoomClient) -> Result<(), Box<dyn std::error::Error>> {
    /// // The thread of a message, through the generated operation.
    /// let thread = zoom
    ///     .api()
    ///     .get_chat_message_thread()
    ///     .user_id("me")
    ///     .message_id("4F8D2C7E-0B1A-4C3D-9E8F-7A6B5C4D3E2F")
    ///     .to_channel("5ebf7e6a1c0b4f8e9b7c6d5e4f3a2b1c")
    ///     .from("2026-11-23T00:00:00Z")
    ///     .send()
    ///     .await?;
    /// println!("{} messages", thread.total);
    /// # Ok(()) }
    /// ```
    pub fn api(&self) -> &zoom_api_gen::Client {
        &self.inner.api
    }

    /// The HTTP client every request of this client (and its clones) goes through: one
    /// connection pool, the configured timeout, no redirects. For calls this crate does not
    /// cover; it adds no credentials by itself.
    pub fn http(&self) -> &reqwest::Client {
        self.inner.api.client()
    }

    /// The API's base URL this client was configured with (`https://api.zoom.us/v2`).
    pub fn api_base_url(&self) -> &str {
        self.inner.api.baseurl()
    }

    /// The incoming-webhook host's base URL this client was configured with.
    pub fn webhook_url(&self) -> &str {
        &self.inner.webhook_url
    }

    /// The file host's base URL this client was configured with (`https://file.zoom.us/v2`).
    pub fn file_url(&self) -> &str {
        &self.inner.file_url
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    pub(crate) fn pacer(&self) -> Option<&Pacer> {
        self.inner.policy.pacer.as_deref()
    }

    pub(crate) fn retry_policy(&self) -> &crate::retry::RetryPolicy {
        &self.inner.policy.retry
    }

    /// The bot's JID this client was configured with, if any.
    pub fn robot_jid(&self) -> Option<&BotJid> {
        self.inner.robot_jid.as_ref()
    }

    /// The account this client was configured with, if any.
    pub fn account_id(&self) -> Option<&AccountId> {
        self.inner.account_id.as_ref()
    }

    /// The bot's user id: the `uid` of its chatbot token (fetches a token if none is held).
    pub async fn bot_user_id(&self) -> Result<Option<UserId>> {
        let policy = &self.inner.policy;
        let cache = policy.bot.as_ref().ok_or_else(|| Error::missing(Setting::BotTokens, "for the bot's user id"))?;
        Ok(cache.get(&policy.oauth).await?.uid.as_deref().and_then(|uid| uid.parse().ok()))
    }

    /// The chatbot token this client holds, fetched if none is held: its scopes, expiry and
    /// user id (its `Debug` never shows the token itself).
    pub async fn bot_token(&self) -> Result<Arc<Token>> {
        let policy = &self.inner.policy;
        let cache = policy.bot.as_ref().ok_or_else(|| Error::missing(Setting::BotTokens, "for the bot's token"))?;
        cache.get(&policy.oauth).await
    }

    /// The token of the user-level chat API (server-to-server or user, from
    /// [`ClientBuilder::chat_tokens`]), fetched if none is held.
    pub async fn chat_token(&self) -> Result<Arc<Token>> {
        let policy = &self.inner.policy;
        let cache =
            policy.user.as_ref().ok_or_else(|| Error::missing(Setting::ChatTokens, "for the chat API's token"))?;
        cache.get(&policy.oauth).await
    }

    /// How many tokens this client and its clones have asked Zoom for.
    pub fn token_requests(&self) -> u64 {
        let p = &self.inner.policy;
        p.bot.as_ref().map_or(0, |c| c.fetches()) + p.user.as_ref().map_or(0, |c| c.fetches())
    }

    /// Forgets what this client (and its clones) keeps for `account`, once the app was removed
    /// there (`app_deauthorized`, through [`Bot::installations`](crate::bot::Bot::installations)):
    /// its rate budgets and plan, here and in the shared store. Memory then follows the accounts
    /// that have the bot, not every account that ever had it. Its chatbot token is the app's,
    /// for every account, and stays.
    pub(crate) async fn forget_account(&self, account: &AccountId) {
        if let Some(pacer) = self.pacer() {
            pacer.forget(account.as_str()).await;
        }
        tracing::debug!(account = %account, "forgot what the client keeps for an account the app was removed from");
    }

    /// Paces `account` by `plan` instead of the [`Pacing`](crate::pacing::Pacing)'s, for a bot
    /// that serves several accounts: its per-second rates (except those set with
    /// [`Pacing::rate`](crate::pacing::Pacing::rate)) and its daily quotas (Free's 2,000 Medium
    /// calls a day, say). Zoom's limits are the account's, by its plan; set it when the app
    /// learns it (at install, or from your record of installs at start). It is kept in this
    /// process only (every replica sets it) until the app is removed from the account
    /// (`app_deauthorized` through [`Bot::installations`](crate::bot::Bot::installations)
    /// forgets it with the account's budgets: set it again at a new install). Without pacing
    /// it does nothing.
    ///
    /// ```no_run
    /// # fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
    /// use zoom_chatbot::pacing::Plan;
    ///
    /// zoom.set_account_plan(&"Wk9PTV9BQ0NPVU5UX0lE".parse()?, Plan::Free);
    /// # Ok(()) }
    /// ```
    pub fn set_account_plan(&self, account: &AccountId, plan: crate::pacing::Plan) {
        if let Some(pacer) = self.pacer() {
            pacer.set_plan(account.as_str(), plan);
        }
    }
}
