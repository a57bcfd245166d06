//! A stateful fake Zoom: a real HTTP server that answers like Zoom for everything in
//! `crates/zoom-spec/spec/chatbot.yaml`, keeps conversations, issues and checks tokens, applies
//! Zoom's rate limits, and injects faults on demand.
//!
//! `ZoomMock` names the fake Zoom: a stateful server that behaves like Zoom. It is not an
//! httpmock mock (those are the typed, scripted helpers of `MockServerExt`, with the
//! `httpmock` feature); the name stays because tests already say it.
//!
//! One port serves the paths of all three Zoom hosts as they are: `/v2/...` (the API),
//! `/oauth/token` and `/oauth/revoke`, and `/chat/webhooks/incomingwebhook/{id}`. A request
//! written for Zoom works against the fake with only the host changed.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use zoom_mock::fake::{ConversationId, ZoomMock};
//!
//! let zoom = ZoomMock::start().await?;
//! println!("API at {}, OAuth at {}", zoom.api_base_url(), zoom.oauth_base_url());
//! assert!(zoom.conversation(&ConversationId::channel("general").unwrap()).is_empty());
//! # Ok(()) }
//! ```

// Handlers refuse a request by returning the refusal itself (`Result<_, Response>`), as axum
// handlers do; the size of that error path does not matter here.
#![allow(clippy::result_large_err)]

mod accounts;
mod act;
mod callback;
mod capped;
mod channels;
mod chat;
mod chatbot;
mod client_env;
mod config;
mod delivery;
mod event_builders;
mod files;
mod guard;
mod handle;
mod http;
mod limits;
mod oauth;
mod ops;
mod page;
mod rng;
mod router;
mod schedule;
mod serve;
mod shared;
mod state;
mod team_chat;
mod user_events;
mod users;
mod webhook;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

pub use accounts::FakeAccount;
pub use client_env::ClientEnv;
pub use config::{AccountSpec, Config, DirectoryUser, Faults};
pub use delivery::{DELIVERY_TIMEOUT, DeliveryError, post_signed, post_signed_within, validate_endpoint};
pub use event_builders::{
    CallbackGrant, EventContext, EventMessage, MessageChange, MessageIn, Operator, SharedIn, app_deauthorized_event,
    bot_installed_event, button_click_event, channel_app_added_event, channel_app_removed_event, channel_member_event,
    channel_members_event, channel_message_posted_event, echoed, field_edit_event, file_deleted_event,
    file_shared_event, link_shared_event, message_event, select_event, slash_command_event, text_edit_event,
};
pub use handle::ZoomMock;
pub use limits::{Plan, RateLabel};
pub use page::{card_violations, render_card_html};
pub use state::{BotEndpoint, ChannelMember, Delivery, FakeChannel, FakeFile, Reminder, ReminderKey, ScheduledMessage};
pub use state::{ConversationId, IssuedToken, MessageContent, Revision, SeenRequest, Sender, StoredMessage, TokenKind};
/// The operation a request of [`SeenRequest`] was for.
pub use zoom_api_gen::operations::OperationId;

use shared::Shared;
use state::State;

/// Sets up a fake; [`ZoomMock::builder`] starts one.
#[derive(Clone, Debug, Default)]
pub struct ZoomMockBuilder {
    config: Config,
}

/// Builder methods that each set one field of the configuration and return the builder:
/// `fn name(argument: Type) => field = value;`.
macro_rules! config_setters {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) => $($field:ident).+ = $value:expr;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $($arg: $ty),*) -> Self {
                self.config.$($field).+ = $value;
                self
            }
        )*
    };
}

impl ZoomMockBuilder {
    config_setters! {
        /// Listen on this address (default `127.0.0.1`).
        fn host(host: impl Into<String>) => host = host.into();

        /// Listen on this port (default 0: a free one).
        fn port(port: u16) => port = port;

        /// The first account's id (default `FakeAccount01`): the default of every call and event
        /// that names no account.
        fn account_id(account_id: impl Into<String>) => account.id = account_id.into();

        /// The bot's JID.
        fn robot_jid(robot_jid: impl Into<String>) => robot_jid = robot_jid.into();

        /// How long issued tokens live (default one hour).
        fn token_lifetime(lifetime: Duration) => token_lifetime = lifetime;

        /// How long a delivered event waits for the bot's answer (default three seconds, as Zoom).
        fn delivery_timeout(timeout: Duration) => delivery_timeout = timeout;

        /// How many conversations are kept (default 10,000); past it, the one started longest
        /// ago goes, with its messages.
        fn max_conversations(conversations: usize) => max_conversations = conversations.max(1);

        /// The largest file the fake stores, in bytes (default 32 MiB); a larger upload or file
        /// send is refused as Zoom refuses a file too large (400, code 300).
        fn max_file_bytes(bytes: usize) => max_file_bytes = bytes;

        /// The bytes of all stored files together (default 256 MiB); past it, uploads are
        /// refused the same way.
        fn max_stored_file_bytes(bytes: usize) => max_stored_file_bytes = bytes;

        /// How long an interactive event's callback may be used (default 30 minutes, as Zoom's).
        fn callback_lifetime(lifetime: Duration) => callback_lifetime = lifetime;

        /// The first account's plan, whose rate limits apply there (default Business).
        fn plan(plan: Plan) => account.plan = Some(plan);

        /// No plan limits in the first account (for load tests); explicit [`rate`](Self::rate)s
        /// still apply.
        fn unlimited() => account.plan = None;

        /// Whether user-level sends are throttled per sender and channel (default on).
        fn channel_limits(on: bool) => channel_limits = on;

        /// Messages kept per conversation (default 1,000); older ones are dropped.
        fn retention(messages: usize) => retention = messages.max(1);

        /// Requests kept in the inspection log (default 10,000).
        fn request_log(requests: usize) => request_log = requests;

        /// Only the declared users and channels exist (in each account, its own); others answer
        /// 7004, 1001 or 4130.
        fn strict() => strict = true;

        /// Faults to inject from the start.
        fn faults(faults: Faults) => faults = faults;

        /// How long a connection may go without a request in flight before the fake closes it
        /// (default 10 seconds): the time to send a request's head, counted from the connection's
        /// opening or the end of its last answer. It closes both a client that sends half a
        /// request and an idle keep-alive connection; the page's change stream, which is a
        /// request in flight, stays open.
        fn idle_timeout(timeout: Duration) => idle_timeout = timeout;

        /// How many connections are served at once (default 512, under the usual limit of 1,024
        /// open files). Past it, new connections wait, unaccepted, until one closes.
        fn max_connections(connections: usize) => max_connections = connections.max(1);
    }

    /// The app's client id and secret.
    pub fn credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.config.client_id = client_id.into();
        self.config.client_secret = client_secret.into();
        self
    }

    /// Another account, after the first and those added before: its own plan, users,
    /// channels, conversations, limits and daily quotas, with the app installed or not.
    /// [`start`](Self::start) refuses two accounts with one id.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use zoom_mock::fake::{AccountSpec, Plan, ZoomMock};
    ///
    /// let zoom = ZoomMock::builder()
    ///     .account(AccountSpec::new("AcmeAccount").plan(Plan::Free))
    ///     .account(AccountSpec::new("GlobexAccount").installed(false))
    ///     .start()
    ///     .await?;
    /// assert_eq!(zoom.accounts().len(), 3);
    /// assert_eq!(zoom.account_id(), "FakeAccount01");
    /// # Ok(()) }
    /// ```
    pub fn account(mut self, account: AccountSpec) -> Self {
        self.config.accounts.push(account);
        self
    }

    /// An explicit per-second limit for a label, overriding the plans' (in every account).
    pub fn rate(mut self, label: RateLabel, per_second: u32) -> Self {
        self.config.rates.insert(label, per_second);
        self
    }

    /// Declares a user of the first account's strict directory.
    pub fn user(mut self, id: impl Into<String>, email: impl Into<String>) -> Self {
        self.config.account.users.push(DirectoryUser { id: id.into(), email: email.into() });
        self
    }

    /// Declares a channel of the first account's strict directory.
    pub fn channel(mut self, id: impl Into<String>) -> Self {
        self.config.account.channels.push(id.into());
        self
    }

    /// Another name the fake's page, forms and controls answer on (with any port), beside
    /// loopback (`localhost`, 127.0.0.0/8, `[::1]`) and the address it listens on: a name
    /// or address through which a browser reaches the fake, such as a container's name. A
    /// request to the page or the controls with any other `Host` is refused (403), so that
    /// a DNS-rebinding page cannot reach them. Zoom's own paths answer on any name.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let zoom = zoom_mock::fake::ZoomMock::builder().allow_host("zoom-mock.test").start().await?;
    /// # drop(zoom);
    /// # Ok(()) }
    /// ```
    pub fn allow_host(mut self, name: impl Into<String>) -> Self {
        self.config.allowed_hosts.push(name.into());
        self
    }

    /// Replaces the whole configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Starts the server on a tokio runtime.
    ///
    /// Fails with [`io::ErrorKind::InvalidInput`] when a name given to
    /// [`allow_host`](Self::allow_host) is not a host name or address, or when two
    /// accounts have one id (or one has none).
    pub async fn start(self) -> io::Result<ZoomMock> {
        for name in &self.config.allowed_hosts {
            guard::allowed_host(name)
                .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, format!("allow_host: {why}")))?;
        }
        let state = State::new(self.config.clone()).map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
        let listener = TcpListener::bind((self.config.host.as_str(), self.config.port)).await?;
        let addr = listener.local_addr()?;
        let origin = format!("http://{addr}");
        let guard = guard::Guard::new(addr, &self.config.host, &self.config.allowed_hosts);
        let limits =
            serve::Limits { idle_timeout: self.config.idle_timeout, max_connections: self.config.max_connections };
        let shared = Arc::new(Shared::new(state, origin));
        let server = tokio::spawn(serve::serve(listener, router::router(shared.clone(), Arc::new(guard)), limits));
        Ok(ZoomMock { shared, addr, server })
    }
}

impl ZoomMock {
    /// Starts a fake with the default settings on a free loopback port.
    pub async fn start() -> io::Result<Self> {
        Self::builder().start().await
    }

    /// A builder for a fake with other settings.
    pub fn builder() -> ZoomMockBuilder {
        ZoomMockBuilder::default()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL of the API, in place of `https://api.zoom.us/v2`.
    pub fn api_base_url(&self) -> String {
        format!("{}/v2", self.shared.origin)
    }

    /// Base URL of the OAuth host, in place of `https://zoom.us`.
    pub fn oauth_base_url(&self) -> String {
        self.shared.origin.clone()
    }

    /// Base URL of the incoming-webhook host, in place of `https://integrations.zoom.us`.
    pub fn webhook_base_url(&self) -> String {
        self.shared.origin.clone()
    }

    /// The file host's base URL (Zoom's `https://file.zoom.us/v2`): the fake's own origin
    /// with `/v2`, where uploads and file sends are served beside the API.
    pub fn file_base_url(&self) -> String {
        format!("{}/v2", self.shared.origin)
    }

    fn config<T>(&self, f: impl FnOnce(&Config) -> T) -> T {
        f(&self.shared.lock().config)
    }

    /// The registered app's client id.
    pub fn client_id(&self) -> String {
        self.config(|c| c.client_id.clone())
    }

    /// The registered app's client secret.
    pub fn client_secret(&self) -> String {
        self.config(|c| c.client_secret.clone())
    }

    /// The first account's id: the default of every call and event that names no account
    /// (the others: [`accounts`](Self::accounts)).
    pub fn account_id(&self) -> String {
        self.config(|c| c.account.id.clone())
    }

    /// The bot's JID.
    pub fn robot_jid(&self) -> String {
        self.config(|c| c.robot_jid.clone())
    }

    /// The bot's user id (the `uid` in its token).
    pub fn bot_user_id(&self) -> String {
        self.config(|c| c.bot_user_id.clone())
    }

    /// The messages of a conversation of the first account, oldest first, deleted ones
    /// included (another account's: [`account`](Self::account)).
    pub fn conversation(&self, id: &ConversationId) -> Vec<StoredMessage> {
        self.account(&self.account_id()).conversation(id)
    }

    /// A stored file of the first account, by id, with its bytes.
    pub fn file(&self, id: &str) -> Option<FakeFile> {
        self.account(&self.account_id()).file(id)
    }

    /// A channel of the first account (made through the channel API), by id, with its
    /// members (another account's: [`account`](Self::account)).
    pub fn channel(&self, id: &str) -> Option<FakeChannel> {
        self.account(&self.account_id()).channel(id)
    }

    /// The messages of the first account's conversation a JID names.
    pub fn conversation_of_jid(&self, jid: &str) -> Vec<StoredMessage> {
        self.account(&self.account_id()).conversation_of_jid(jid)
    }

    /// One message, by id, in whichever account it is (its `account` says).
    pub fn message(&self, id: &str) -> Option<StoredMessage> {
        self.shared.lock().messages.get(id).cloned()
    }

    /// The number of messages held, over all conversations.
    pub fn message_count(&self) -> usize {
        self.shared.lock().messages.len()
    }

    /// The latest requests, oldest first (as many as the request log keeps).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// The latest issued tokens, oldest first.
    pub fn tokens_issued(&self) -> Vec<IssuedToken> {
        self.shared.lock().issued.iter().cloned().collect()
    }

    /// How many tokens were issued since start.
    pub fn token_count(&self) -> u64 {
        self.shared.lock().issued_total
    }

    /// Link previews attached so far: (trigger id, JSON-encoded card).
    pub fn unfurls(&self) -> Vec<(String, String)> {
        self.shared.lock().unfurls.iter().cloned().collect()
    }

    /// Registers the trigger id of a `team_chat.link_shared` event in the first account,
    /// which an unfurl may use.
    pub fn link_shared_trigger(&self) -> String {
        let mut state = self.shared.lock();
        let account = state.default_account().to_owned();
        state.new_unfurl_trigger(&account)
    }

    /// Connects an incoming webhook to a channel of the first account: returns its id and
    /// verification token.
    pub fn incoming_webhook(&self, channel_id: &str) -> (String, String) {
        let mut state = self.shared.lock();
        let id = state.new_opaque(16);
        let token = state.new_opaque(16);
        let hook = state::IncomingWebhook {
            account: state.default_account().to_owned(),
            channel: ConversationId::channel(channel_id).expect("a channel id: letters, digits, - _ . only"),
            token: token.clone(),
        };
        state.incoming_webhooks.insert(id.clone(), hook);
        (id, token)
    }

    /// An authorisation code for `user_id` of the first account, as Zoom's consent page would
    /// give the app. With a
    /// `code_challenge` (PKCE, S256) the exchange must bring the matching `code_verifier`.
    pub fn authorization_code(
        &self,
        user_id: &str,
        redirect_uri: Option<&str>,
        code_challenge: Option<&str>,
    ) -> String {
        oauth::authorization_code(&mut self.shared.lock(), user_id, redirect_uri, code_challenge)
    }

    /// Switches the first account's plan; `None` lifts its limits (another account's:
    /// [`FakeAccount::set_plan`]).
    pub fn set_plan(&self, plan: Option<Plan>) {
        self.account(&self.account_id()).set_plan(plan);
    }

    /// Sets an explicit per-second limit for a label.
    pub fn set_rate(&self, label: RateLabel, per_second: u32) {
        self.shared.lock().limiter.set_rate(label, per_second);
    }

    /// The next `n` API requests are answered with a 429.
    pub fn force_rate_limit(&self, n: u32) {
        self.shared.lock().forced_429 = n;
    }

    /// Every token issued so far stops working now.
    pub fn invalidate_tokens(&self) {
        router::invalidate(&mut self.shared.lock());
    }

    /// Replaces the faults injected from now on (the random sequence restarts from the seed).
    pub fn set_faults(&self, faults: Faults) {
        let mut state = self.shared.lock();
        state.rng = rng::SplitMix64::new(faults.seed);
        state.config.faults = faults;
    }
}
