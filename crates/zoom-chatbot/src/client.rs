//! [`ZoomClient`]: configuration, the way into chatbot messages (`messages.rs`) and the
//! user-level chat API, and the mapping of Zoom's answers to [`Error`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use zoom_api_gen::ClientInfo as _;
use zoom_api_gen::hooks::Hooks;
use zoom_api_gen::types;

use crate::auth::{ChatbotCredentials, OAuth, ServerToServer, Token, TokenCache, TokenSource};
use crate::error::{Error, ErrorBody, Result, decoding_error, refusal};
use crate::ids::{AccountId, BotJid, IntoRecipient, MessageId, UserId};
use crate::messages::{AccountClient, MessageReceipt, SendMessage};
use crate::pacing::{Pacer, Pacing};
use crate::policy::{Policy, PolicyFailure};
use crate::retry::RetryPolicy;

/// Zoom's REST API.
pub const ZOOM_API_URL: &str = "https://api.zoom.us/v2";
/// Zoom's OAuth host.
pub const ZOOM_OAUTH_URL: &str = "https://zoom.us";
/// The Incoming Webhook app's host.
pub const ZOOM_WEBHOOK_URL: &str = "https://integrations.zoom.us";

/// How long an unused connection stays open for reuse.
///
/// Shorter than reqwest's 90 s default, for two reasons. Servers and the proxies before them
/// close idle connections too, and a request started on a connection the far end has just
/// closed fails. And it keeps the pool's idle check (a timer that fires at this interval)
/// due before any request deadline of the default timeout: tokio's timer driver then never
/// has to be woken to arm a deadline, which measurably costs a loopback send (see
/// BENCHMARKS.md).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// Sets up a [`ZoomClient`].
pub struct ClientBuilder {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    account_id: Option<AccountId>,
    robot_jid: Option<BotJid>,
    /// A `ZOOM_*` variable `from_env` could not read, reported by `build`.
    env_error: Option<Error>,
    api_url: Option<String>,
    oauth_url: String,
    webhook_url: String,
    bot_tokens: Option<Box<dyn TokenSource>>,
    user_tokens: Option<Box<dyn TokenSource>>,
    retry: RetryPolicy,
    pacing: Option<Pacing>,
    timeout: Duration,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::RedisStore>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "[redacted]"))
            .field("account_id", &self.account_id)
            .field("robot_jid", &self.robot_jid)
            .field("api_url", &self.api_url)
            .field("oauth_url", &self.oauth_url)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            client_id: None,
            client_secret: None,
            account_id: None,
            robot_jid: None,
            env_error: None,
            api_url: None,
            oauth_url: ZOOM_OAUTH_URL.into(),
            webhook_url: ZOOM_WEBHOOK_URL.into(),
            bot_tokens: None,
            user_tokens: None,
            retry: RetryPolicy::default(),
            pacing: None,
            timeout: Duration::from_secs(30),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ClientBuilder {
    /// The app's client id and secret (from the Marketplace app's credentials page).
    pub fn credentials(mut self, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret);
        self
    }

    /// The account the bot is installed in (chatbot messages name it; server-to-server
    /// tokens are issued for it).
    pub fn account_id(mut self, account_id: AccountId) -> Self {
        self.account_id = Some(account_id);
        self
    }

    /// The bot's JID (the app's Chat Subscription page shows it).
    pub fn robot_jid(mut self, robot_jid: BotJid) -> Self {
        self.robot_jid = Some(robot_jid);
        self
    }

    /// A builder for a fake Zoom (`zoom_mock::fake::ZoomMock`): its app credentials,
    /// account, bot and hosts, ready to build. With the `fake` feature, for tests.
    #[cfg(feature = "fake")]
    pub fn for_fake(fake: &zoom_mock::fake::ZoomMock) -> Self {
        let ids = (fake.account_id().parse(), fake.robot_jid().parse());
        let (Ok(account), Ok(robot)) = ids else {
            panic!("the fake's account id and robot JID are well formed");
        };
        Self::default()
            .credentials(fake.client_id(), SecretString::from(fake.client_secret()))
            .account_id(account)
            .robot_jid(robot)
            .api_url(fake.api_base_url())
            .oauth_url(fake.oauth_base_url())
            .webhook_url(fake.webhook_base_url())
    }

    /// The API's base URL (default Zoom's, or the regional host the token names).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// The OAuth host's base URL (default `https://zoom.us`).
    pub fn oauth_url(mut self, url: impl Into<String>) -> Self {
        self.oauth_url = url.into();
        self
    }

    /// The incoming-webhook host's base URL (default `https://integrations.zoom.us`).
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = url.into();
        self
    }

    /// Where chatbot tokens come from (default: the app's `client_credentials`).
    pub fn bot_tokens(mut self, source: impl TokenSource) -> Self {
        self.bot_tokens = Some(Box::new(source));
        self
    }

    /// Where tokens for the user-level chat API come from (default: server-to-server
    /// `account_credentials` for the account, when an account id is set).
    pub fn user_tokens(mut self, source: impl TokenSource) -> Self {
        self.user_tokens = Some(Box::new(source));
        self
    }

    /// How failed requests are retried (see [`crate::retry`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Keeps the client (and its clones) under these limits (see [`crate::pacing`]).
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// Shares this client's tokens and pacing with the other replicas of the bot through
    /// `store` (the `redis` feature; see [`crate::shared`]): one token request per expiry for
    /// the fleet (chatbot tokens under `chatbot`, user-level ones under `user`), and the
    /// [`pacing`](Self::pacing) budget kept for the account as a whole.
    #[cfg(feature = "redis")]
    pub fn shared_state(mut self, store: crate::shared::RedisStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// Timeout of each HTTP exchange (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reads `ZOOM_CLIENT_ID`, `ZOOM_CLIENT_SECRET`, `ZOOM_ACCOUNT_ID`, `ZOOM_ROBOT_JID` and the
    /// optional base-URL overrides `ZOOM_API_URL`, `ZOOM_OAUTH_URL`, `ZOOM_WEBHOOK_URL`.
    pub fn from_env() -> Self {
        /// A typed id from a variable; a malformed one is kept to be reported by `build`.
        fn typed<T: std::str::FromStr<Err = Error>>(name: &str, error: &mut Option<Error>) -> Option<T> {
            let parsed = env(name)?.parse().map_err(|e: Error| Error::Config(format!("{name}: {e}")));
            parsed.map_err(|e| *error = error.take().or(Some(e))).ok()
        }
        let mut env_error = None;
        let account_id = typed("ZOOM_ACCOUNT_ID", &mut env_error);
        let robot_jid = typed("ZOOM_ROBOT_JID", &mut env_error);
        let mut b = Self {
            client_id: env("ZOOM_CLIENT_ID"),
            client_secret: env("ZOOM_CLIENT_SECRET").map(SecretString::from),
            account_id,
            robot_jid,
            env_error,
            api_url: env("ZOOM_API_URL"),
            ..Self::default()
        };
        if let Some(u) = env("ZOOM_OAUTH_URL") {
            b.oauth_url = u;
        }
        if let Some(u) = env("ZOOM_WEBHOOK_URL") {
            b.webhook_url = u;
        }
        b
    }

    /// The client.
    pub fn build(self) -> Result<ZoomClient> {
        if let Some(e) = self.env_error {
            return Err(e);
        }
        let api_url = self.api_url.as_deref().unwrap_or(ZOOM_API_URL);
        needs_no_tls_or_has_it(&[api_url, &self.oauth_url, &self.webhook_url], TLS_BACKEND)?;
        install_crypto_provider();
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT);
        // Credentials go only to the hosts they were meant for: no redirects are followed.
        http = http.redirect(reqwest::redirect::Policy::none());
        let http = http.build().map_err(Error::Transport)?;
        let oauth = match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) => OAuth::new(&self.oauth_url, http.clone(), id, secret),
            (None, None) if self.bot_tokens.is_some() || self.user_tokens.is_some() => {
                OAuth::new(&self.oauth_url, http.clone(), "", &SecretString::from(String::new()))
            }
            _ => {
                return Err(Error::Config(
                    "set both the client id and the client secret (ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)".into(),
                ));
            }
        };
        let robot_jid = self.robot_jid;
        let bot: Option<Box<dyn TokenSource>> = match self.bot_tokens {
            Some(source) => Some(source),
            None if self.client_id.is_some() => Some(Box::new(ChatbotCredentials)),
            None => None,
        };
        let user: Option<Box<dyn TokenSource>> = match (self.user_tokens, &self.account_id) {
            (Some(source), _) => Some(source),
            (None, Some(account)) if self.client_id.is_some() => Some(Box::new(ServerToServer::new(account.clone()))),
            _ => None,
        };
        let pacer = self.pacing.map(|p| Pacer::new(p, self.account_id.as_ref().map(AccountId::as_str)));
        #[cfg(feature = "redis")]
        let (bot, user, pacer) = match &self.shared {
            None => (bot, user, pacer),
            Some(store) => {
                let pacer = pacer.map(|p| p.shared(store.clone()));
                let share = |name: &str, source: Box<dyn TokenSource>| -> Box<dyn TokenSource> {
                    Box::new(store.tokens_boxed(name, source))
                };
                (bot.map(|s| share("chatbot", s)), user.map(|s| share("user", s)), pacer)
            }
        };
        let policy = Arc::new(Policy {
            oauth,
            follow_api_url: match self.api_url {
                None => Some(
                    reqwest::Url::parse(&self.oauth_url)
                        .map_err(|e| Error::Config(format!("the OAuth URL is not a URL: {e}")))?,
                ),
                Some(_) => None,
            },
            refused_region: Mutex::new(None),
            bot: bot.map(|s| TokenCache::boxed("chatbot", s)),
            user: user.map(|s| TokenCache::boxed("user", s)),
            retry: self.retry,
            pacer: pacer.map(Arc::new),
        });
        let api_url = self.api_url.unwrap_or_else(|| ZOOM_API_URL.into());
        let api = zoom_api_gen::Client::new_with_client(&api_url, http, Hooks::with_policy(policy.clone()));
        let webhook_url = self.webhook_url;
        Ok(ZoomClient { inner: Arc::new(Inner { api, webhook_url, policy, account_id: self.account_id, robot_jid }) })
    }
}

/// With `rustls`: makes `ring` the process's crypto provider, unless the application installed
/// one already (which then serves this client too). Users do nothing.
pub(crate) fn install_crypto_provider() {
    #[cfg(feature = "rustls")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may have installed one in between: theirs stands, and is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The TLS backend this build has, if any (the `rustls` or `native-tls` feature).
const TLS_BACKEND: Option<&str> = if cfg!(feature = "rustls") {
    Some("rustls")
} else if cfg!(feature = "native-tls") {
    Some("native-tls")
} else {
    None
};

/// Refuses, with the fix in the message, an `https` URL in a build without TLS: otherwise it
/// would only fail at the first request, as an opaque transport error.
fn needs_no_tls_or_has_it(urls: &[&str], backend: Option<&str>) -> Result<()> {
    match (urls.iter().find(|u| u.starts_with("https://")), backend) {
        (Some(url), None) => Err(Error::Config(format!(
            "{url} needs TLS, and this build of zoom-chatbot has none: enable its `rustls` (default) or `native-tls` feature"
        ))),
        _ => Ok(()),
    }
}

struct Inner {
    api: zoom_api_gen::Client,
    webhook_url: String,
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
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the `ZOOM_*` environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env().build()
    }

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
        let cache = policy.bot.as_ref().ok_or_else(|| Error::Config("no chatbot token source".into()))?;
        Ok(cache.get(&policy.oauth).await?.uid.as_deref().and_then(|uid| uid.parse().ok()))
    }

    /// The chatbot token this client holds, fetched if none is held: its scopes, expiry and
    /// user id (its `Debug` never shows the token itself).
    pub async fn bot_token(&self) -> Result<Arc<Token>> {
        let policy = &self.inner.policy;
        let cache = policy.bot.as_ref().ok_or_else(|| Error::Config("no chatbot token source".into()))?;
        cache.get(&policy.oauth).await
    }

    /// The token of the user-level chat API (server-to-server or user), fetched if none is
    /// held.
    pub async fn chat_token(&self) -> Result<Arc<Token>> {
        let policy = &self.inner.policy;
        let cache = policy
            .user
            .as_ref()
            .ok_or_else(|| Error::Config("no server-to-server or user token source (set ZOOM_ACCOUNT_ID)".into()))?;
        cache.get(&policy.oauth).await
    }

    /// How many tokens this client and its clones have asked Zoom for.
    pub fn token_requests(&self) -> u64 {
        let p = &self.inner.policy;
        p.bot.as_ref().map_or(0, |c| c.fetches()) + p.user.as_ref().map_or(0, |c| c.fetches())
    }

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
    pub async fn unfurl(&self, user_id: &UserId, trigger_id: &str, card: &types::Card) -> Result<()> {
        crate::messages::unfurl(self, user_id, trigger_id, card).await
    }

    /// An incoming webhook of this client's webhook host, by its id and verification token.
    pub fn incoming_webhook(&self, webhook_id: &str, token: SecretString) -> crate::incoming::IncomingWebhook {
        crate::incoming::IncomingWebhook::new(&self.inner.webhook_url, self.http().clone(), webhook_id, token)
    }

    /// The user-level chat API, as the token's own user (`me`). Its calls use the
    /// server-to-server (or user) token, scopes `chat_message:read` / `chat_message:write`,
    /// rate label Medium.
    pub fn chat(&self) -> crate::chat::Chat {
        crate::chat::Chat::new(self.clone(), UserId::me())
    }

    /// The user-level chat API, acting as `user` (server-to-server tokens can act for any
    /// user of the account).
    pub fn chat_as(&self, user: UserId) -> crate::chat::Chat {
        crate::chat::Chat::new(self.clone(), user)
    }
}

impl ZoomClient {
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
}

/// Turns what a generated call returned into this crate's [`Error`].
pub(crate) fn zoom_error<E: ErrorBody>(e: zoom_api_gen::Error<E>) -> Error {
    use zoom_api_gen::Error as G;
    match e {
        G::ErrorResponse(rv) => {
            let (status, headers) = (rv.status().as_u16(), rv.headers().clone());
            refusal(status, &headers, rv.into_inner())
        }
        G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => Error::Transport(e),
        G::InvalidRequest(why) => Error::invalid("request", why),
        G::UnexpectedResponse(r) => PolicyFailure::take(&r).unwrap_or_else(|| Error::UnexpectedResponse {
            status: r.status().as_u16(),
            detail: "undocumented status".into(),
        }),
        // The answer's bytes are never shown: only what did not fit.
        G::InvalidResponsePayload(_, e) => Error::UnexpectedResponse {
            status: 0,
            detail: format!("the answer does not fit its type ({})", decoding_error(&e)),
        },
        G::Custom(why) => Error::UnexpectedResponse { status: 0, detail: why },
    }
}

/// Each account's plan, for a bot that serves several accounts.
impl ZoomClient {
    /// Paces `account` by `plan` instead of the [`Pacing`]'s: its per-second rates (except
    /// those set with [`Pacing::rate`]) and its daily quotas (Free's 2,000 Medium calls a
    /// day, say). Zoom's limits are the account's, by its plan; set it when the app learns it
    /// (at install, or from your record of installs at start). It is kept in this process
    /// only (every replica sets it) until the app is removed from the account
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_without_tls_refuses_https_urls_and_says_how_to_fix_it() {
        let urls = ["http://127.0.0.1:9090/v2", "https://zoom.us"];
        let err = needs_no_tls_or_has_it(&urls, None).unwrap_err();
        assert!(
            matches!(&err, Error::Config(why) if why.contains("https://zoom.us") && why.contains("`rustls`")),
            "{err}"
        );
        assert!(needs_no_tls_or_has_it(&urls, Some("rustls")).is_ok());
        assert!(needs_no_tls_or_has_it(&["http://127.0.0.1:1/v2", "http://127.0.0.1:1"], None).is_ok());
        assert_eq!(TLS_BACKEND, Some("rustls"), "the default features bring rustls");
    }
}
