//! [`ClientBuilder`]: what a [`ZoomClient`] is made of (credentials, account, bot, hosts, token
//! sources, retries, pacing, timeout), read from code or from the `ZOOM_*` environment.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use zoom_api_gen::hooks::Hooks;

use super::{Inner, ZoomClient};
use crate::auth::{ChatbotCredentials, OAuth, ServerToServer, TokenCache, TokenSource};
use crate::error::{Error, Result, Setting};
use crate::ids::{AccountId, BotJid, IdError};
use crate::macros::setters;
use crate::pacing::{Pacer, Pacing};
use crate::policy::Policy;
use crate::retry::RetryPolicy;
use crate::transport::{DEFAULT_TIMEOUT, TLS_BACKEND, http_client, needs_no_tls_or_has_it};

/// Zoom's REST API.
pub const ZOOM_API_URL: &str = "https://api.zoom.us/v2";
/// Zoom's OAuth host.
pub const ZOOM_OAUTH_URL: &str = "https://zoom.us";
/// The Incoming Webhook app's host.
pub const ZOOM_WEBHOOK_URL: &str = "https://integrations.zoom.us";
/// Zoom's file host, where file uploads and file sends go.
pub const ZOOM_FILE_URL: &str = "https://file.zoom.us/v2";

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
    file_url: String,
    bot_tokens: Option<Box<dyn TokenSource>>,
    chat_tokens: Option<Box<dyn TokenSource>>,
    retry: RetryPolicy,
    pacing: Option<Pacing>,
    timeout: Duration,
    #[cfg(feature = "redis")]
    shared_state: Option<crate::shared::RedisStore>,
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
            file_url: ZOOM_FILE_URL.into(),
            bot_tokens: None,
            chat_tokens: None,
            retry: RetryPolicy::default(),
            pacing: None,
            timeout: DEFAULT_TIMEOUT,
            #[cfg(feature = "redis")]
            shared_state: None,
        }
    }
}

impl ClientBuilder {
    /// The app's client id and secret (from the Marketplace app's credentials page).
    pub fn credentials(mut self, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret);
        self
    }

    setters! {
        /// The account the bot is installed in (chatbot messages name it; server-to-server
        /// tokens are issued for it).
        pub fn account_id(account_id: AccountId) = Some(account_id);

        /// The bot's JID (the app's Chat Subscription page shows it).
        pub fn robot_jid(robot_jid: BotJid) = Some(robot_jid);

        /// The API's base URL (default Zoom's, or the regional host the token names).
        pub fn api_url(url: impl Into<String>) = Some(url.into());

        /// The OAuth host's base URL (default `https://zoom.us`).
        pub fn oauth_url(url: impl Into<String>) = url.into();

        /// The incoming-webhook host's base URL (default `https://integrations.zoom.us`).
        pub fn webhook_url(url: impl Into<String>) = url.into();

        /// The file host's base URL (default `https://file.zoom.us/v2`), where uploads and file
        /// sends go. Its origin is trusted with the bearer, as the API's and OAuth host's are.
        pub fn file_url(url: impl Into<String>) = url.into();

        /// Where chatbot tokens come from (default: the app's `client_credentials`).
        pub fn bot_tokens(source: impl TokenSource) = Some(Box::new(source));

        /// Where tokens for the user-level chat API ([`ZoomClient::chat`]) come from (default:
        /// server-to-server `account_credentials` for the account, when an account id is set; a
        /// user's OAuth tokens with [`UserOAuth`](crate::auth::UserOAuth)).
        /// [`ZoomClient::chat_token`] is the token it gives.
        pub fn chat_tokens(source: impl TokenSource) = Some(Box::new(source));

        /// How failed requests are retried (see [`crate::retry`]).
        pub fn retry(retry: RetryPolicy);

        /// Keeps the client (and its clones) under these limits (see [`crate::pacing`]).
        pub fn pacing(pacing: Pacing) = Some(pacing);

        /// Shares this client's tokens and pacing with the other replicas of the bot through
        /// `store` (the `redis` feature; see [`crate::shared`]): one token request per expiry
        /// for the fleet (chatbot tokens under `chatbot`, user-level ones under `user`), and
        /// the [`pacing`](Self::pacing) budget kept for the account as a whole.
        #[cfg(feature = "redis")]
        pub fn shared_state(store: crate::shared::RedisStore) = Some(store);

        /// Timeout of each HTTP exchange (default 30 s).
        pub fn timeout(timeout: Duration);
    }

    /// Reads `ZOOM_CLIENT_ID`, `ZOOM_CLIENT_SECRET`, `ZOOM_ACCOUNT_ID`, `ZOOM_ROBOT_JID` and the
    /// optional base-URL overrides `ZOOM_API_URL`, `ZOOM_OAUTH_URL`, `ZOOM_WEBHOOK_URL`,
    /// `ZOOM_FILE_URL`.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables [`from_env`](Self::from_env) reads from these name and value
    /// pairs instead of the process's environment (a pair it does not read is ignored). A
    /// fake Zoom gives its own: `ClientBuilder::from_vars(fake.client_env())` (zoom-mock's
    /// `ZoomMock::client_env`) is a builder for it, ready to build.
    ///
    /// ```
    /// use zoom_chatbot::ClientBuilder;
    ///
    /// let vars = [
    ///     ("ZOOM_CLIENT_ID", "id"),
    ///     ("ZOOM_CLIENT_SECRET", "secret"),
    ///     ("ZOOM_ACCOUNT_ID", "acct"),
    ///     ("ZOOM_ROBOT_JID", "v1bot@xmpp.zoom.us"),
    ///     ("ZOOM_API_URL", "http://127.0.0.1:9/v2"),
    ///     ("ZOOM_OAUTH_URL", "http://127.0.0.1:9"),
    /// ];
    /// let zoom = ClientBuilder::from_vars(vars).build().unwrap();
    /// assert_eq!(zoom.robot_jid().map(|j| j.as_str()), Some("v1bot@xmpp.zoom.us"));
    /// ```
    pub fn from_vars<K: AsRef<str>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        let vars: Vec<(K, String)> = vars.into_iter().map(|(k, v)| (k, v.into())).collect();
        Self::from_lookup(|name| vars.iter().rev().find(|(k, _)| k.as_ref() == name).map(|(_, v)| v.clone()))
    }

    /// The builder of the `ZOOM_*` variables `lookup` gives (a blank one is not set).
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        /// A typed id from a variable; a malformed one is kept to be reported by `build`.
        fn typed<T: std::str::FromStr<Err = IdError>>(
            env: &dyn Fn(&str) -> Option<String>,
            setting: Setting,
            error: &mut Option<Error>,
        ) -> Option<T> {
            let name = setting.env_var().expect("a setting read from the environment");
            let parsed = env(name)?
                .parse()
                .map_err(|e: IdError| Error::invalid_setting(setting, format!("{} {}", e.field, e.rule)));
            parsed.map_err(|e| *error = error.take().or(Some(e))).ok()
        }
        let env = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut env_error = None;
        let account_id = typed(&env, Setting::AccountId, &mut env_error);
        let robot_jid = typed(&env, Setting::RobotJid, &mut env_error);
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
        if let Some(u) = env("ZOOM_FILE_URL") {
            b.file_url = u;
        }
        b
    }

    /// The client.
    pub fn build(self) -> Result<ZoomClient> {
        if let Some(e) = self.env_error {
            return Err(e);
        }
        let api_url = self.api_url.as_deref().unwrap_or(ZOOM_API_URL);
        let urls = [
            (Setting::ApiUrl, api_url),
            (Setting::OAuthUrl, &self.oauth_url),
            (Setting::WebhookUrl, &self.webhook_url),
            (Setting::FileUrl, &self.file_url),
        ];
        needs_no_tls_or_has_it(&urls, TLS_BACKEND)?;
        let http = http_client(self.timeout)?;
        let oauth = match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) => OAuth::new(&self.oauth_url, http.clone(), id, secret),
            (None, None) if self.bot_tokens.is_some() || self.chat_tokens.is_some() => {
                OAuth::new(&self.oauth_url, http.clone(), "", &SecretString::from(String::new()))
            }
            (Some(_), None) => return Err(Error::missing(Setting::ClientSecret, "it goes with the client id")),
            (None, Some(_)) => return Err(Error::missing(Setting::ClientId, "it goes with the client secret")),
            (None, None) => {
                return Err(Error::missing(
                    Setting::ClientId,
                    "with the client secret (ZOOM_CLIENT_SECRET), unless token sources are given (ClientBuilder::bot_tokens, chat_tokens)",
                ));
            }
        };
        let robot_jid = self.robot_jid;
        let bot: Option<Box<dyn TokenSource>> = match self.bot_tokens {
            Some(source) => Some(source),
            None if self.client_id.is_some() => Some(Box::new(ChatbotCredentials)),
            None => None,
        };
        let user: Option<Box<dyn TokenSource>> = match (self.chat_tokens, &self.account_id) {
            (Some(source), _) => Some(source),
            (None, Some(account)) if self.client_id.is_some() => Some(Box::new(ServerToServer::new(account.clone()))),
            _ => None,
        };
        let pacer = self.pacing.map(|p| Pacer::new(p, self.account_id.as_ref().map(AccountId::as_str)));
        #[cfg(feature = "redis")]
        let (bot, user, pacer) = match &self.shared_state {
            None => (bot, user, pacer),
            Some(store) => {
                let pacer = pacer.map(|p| p.shared(store.clone()));
                let share = |name: &str, source: Box<dyn TokenSource>| -> Box<dyn TokenSource> {
                    Box::new(store.tokens_boxed(name, source))
                };
                (bot.map(|s| share("chatbot", s)), user.map(|s| share("user", s)), pacer)
            }
        };
        // The hosts a file call's redirect may take the bearer to, besides Zoom's own.
        let mut trusted = Vec::new();
        for (setting, url) in
            [(Setting::ApiUrl, api_url), (Setting::OAuthUrl, &self.oauth_url), (Setting::FileUrl, &self.file_url)]
        {
            let parsed =
                reqwest::Url::parse(url).map_err(|e| Error::invalid_setting(setting, format!("is not a URL ({e})")))?;
            trusted.push(parsed);
        }
        let policy = Arc::new(Policy {
            oauth,
            follow_api_url: match self.api_url {
                None => Some(
                    reqwest::Url::parse(&self.oauth_url)
                        .map_err(|e| Error::invalid_setting(Setting::OAuthUrl, format!("is not a URL ({e})")))?,
                ),
                Some(_) => None,
            },
            refused_region: Mutex::new(None),
            bot: bot.map(|s| TokenCache::boxed("chatbot", s)),
            user: user.map(|s| TokenCache::boxed("user", s)),
            retry: self.retry,
            pacer: pacer.map(Arc::new),
            authorization: None,
            trusted,
        });
        let api_url = self.api_url.unwrap_or_else(|| ZOOM_API_URL.into());
        let api = zoom_api_gen::Client::new_with_client(&api_url, http, Hooks::with_policy(policy.clone()));
        let (webhook_url, file_url) = (self.webhook_url, self.file_url.trim_end_matches('/').to_owned());
        Ok(ZoomClient {
            inner: Arc::new(Inner { api, webhook_url, file_url, policy, account_id: self.account_id, robot_jid }),
        })
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_vars_reads_the_zoom_variables_as_from_env_does() {
        let vars = [
            ("ZOOM_CLIENT_ID", "id"),
            ("ZOOM_CLIENT_SECRET", "secret"),
            ("ZOOM_ACCOUNT_ID", "first"),
            ("ZOOM_ACCOUNT_ID", "acct"),
            ("ZOOM_ROBOT_JID", "v1bot@xmpp.zoom.us"),
            ("ZOOM_API_URL", "http://127.0.0.1:9/v2"),
            ("ZOOM_OAUTH_URL", "http://127.0.0.1:9"),
            ("ZOOM_WEBHOOK_URL", "  "),
            ("OTHER", "ignored"),
        ];
        let zoom = ClientBuilder::from_vars(vars).build().unwrap();
        assert_eq!(zoom.account_id().map(AccountId::as_str), Some("acct"), "the last one given wins");
        assert_eq!(zoom.webhook_url(), ZOOM_WEBHOOK_URL, "a blank variable is not set");

        let bad = ClientBuilder::from_vars([("ZOOM_ROBOT_JID", "not a jid"), ("ZOOM_CLIENT_ID", "id")]);
        let err = bad.build().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSetting { setting: Setting::RobotJid, rule } if rule.contains("robot_jid")),
            "{err}"
        );
        let missing = ClientBuilder::from_vars([("ZOOM_CLIENT_ID", "id")]).build().unwrap_err();
        assert!(missing.to_string().contains("ZOOM_CLIENT_SECRET"), "{missing}");
    }
}
