//! How a fake Zoom is set up: its app, its account, its limits, its faults.

use std::collections::HashMap;
use std::time::Duration;

use super::limits::{Plan, RateLabel};

/// Faults to inject, reproducible from `seed`.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Added to every answer.
    pub latency: Duration,
    /// A random extra of up to this much per answer.
    pub jitter: Duration,
    /// Share (0 to 1) of API answers replaced by a 5xx.
    pub error_rate: f64,
    /// Share (0 to 1) of requests whose connection is closed with no answer.
    pub drop_rate: f64,
    /// Seed of the random choices (and of message ids and tokens).
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self { latency: Duration::ZERO, jitter: Duration::ZERO, error_rate: 0.0, drop_rate: 0.0, seed: 0x5EED_2006 }
    }
}

/// A user of the strict directory.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectoryUser {
    /// User id (the JID is `{id}@xmpp.zoom.us`, lower-cased).
    pub id: String,
    /// Email, which the chat API accepts in `to_contact`.
    pub email: String,
}

/// An account of the fake: its plan, its users and channels, and whether the app is installed
/// there. The first is [`Config::account`]; add more with
/// [`ZoomMockBuilder::account`](super::ZoomMockBuilder::account).
///
/// ```
/// use zoom_mock::fake::{AccountSpec, Plan};
///
/// let acme = AccountSpec::new("AcmeAccount").plan(Plan::Free).installed(false);
/// assert_eq!(acme.user_id, "acmeaccountuser");
/// assert!(!acme.installed);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AccountSpec {
    /// The account id, as events and sends name it.
    pub id: String,
    /// The plan whose limits apply to it; `None` for no plan limits.
    pub plan: Option<Plan>,
    /// Its default user: who `me` is with its server-to-server token, who installs the app,
    /// and who the page acts as in it.
    pub user_id: String,
    /// Users of its strict directory.
    pub users: Vec<DirectoryUser>,
    /// Channel ids of its strict directory.
    pub channels: Vec<String>,
    /// Whether the app is installed there (chatbot calls naming another account are refused).
    pub installed: bool,
}

impl AccountSpec {
    /// An account on the Business plan with the app installed, whose default user's id is
    /// the account id in lower case followed by `user` (characters a JID may not hold become
    /// `_`).
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        let local: String = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c.to_ascii_lowercase() } else { '_' })
            .collect();
        Self {
            user_id: format!("{local}user"),
            id,
            plan: Some(Plan::Business),
            users: Vec::new(),
            channels: Vec::new(),
            installed: true,
        }
    }

    /// The plan whose limits apply.
    pub fn plan(mut self, plan: Plan) -> Self {
        self.plan = Some(plan);
        self
    }

    /// No plan limits in this account.
    pub fn unlimited(mut self) -> Self {
        self.plan = None;
        self
    }

    /// Its default user's id.
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.user_id = id.into();
        self
    }

    /// Declares a user of its strict directory.
    pub fn user(mut self, id: impl Into<String>, email: impl Into<String>) -> Self {
        self.users.push(DirectoryUser { id: id.into(), email: email.into() });
        self
    }

    /// Declares a channel of its strict directory.
    pub fn channel(mut self, id: impl Into<String>) -> Self {
        self.channels.push(id.into());
        self
    }

    /// Whether the app is installed there (default yes).
    pub fn installed(mut self, installed: bool) -> Self {
        self.installed = installed;
        self
    }
}

/// The whole configuration of a fake. Build it with
/// [`ZoomMock::builder`](super::ZoomMock::builder).
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// The registered app's client id.
    pub client_id: String,
    /// The registered app's client secret.
    pub client_secret: String,
    /// The first account (its id, plan, default user and strict directory), where the app is
    /// installed: the default of every call and event that names none. Its default user is
    /// `me` with the server-to-server token; its `installed` is not read (it always is).
    pub account: AccountSpec,
    /// The accounts after the first, each with its own plan, users, channels and install.
    pub accounts: Vec<AccountSpec>,
    /// The bot's JID.
    pub robot_jid: String,
    /// The bot's user id (the `uid` in its token).
    pub bot_user_id: String,
    /// Lifetime of issued tokens.
    pub token_lifetime: Duration,
    /// How long an interactive event's callback may be used (Zoom: 30 minutes).
    pub callback_lifetime: Duration,
    /// How long a delivered event waits for the bot's answer (Zoom: three seconds).
    pub delivery_timeout: Duration,
    /// Explicit per-second limits that override the plans' (in every account).
    pub rates: HashMap<RateLabel, u32>,
    /// Whether user-level sends are throttled per sender and channel.
    pub channel_limits: bool,
    /// Messages kept per conversation; the oldest go first.
    pub retention: usize,
    /// Conversations kept; past it, the one started longest ago goes, with its messages.
    pub max_conversations: usize,
    /// The largest file stored, in bytes; past it an upload or file send is refused as Zoom
    /// refuses a file too large (400, code 300).
    pub max_file_bytes: usize,
    /// The bytes of all stored files together; past it, uploads are refused the same way.
    pub max_stored_file_bytes: usize,
    /// Requests kept in the inspection log.
    pub request_log: usize,
    /// With a strict directory, only the declared users and channels exist (in each account,
    /// its own).
    pub strict: bool,
    /// Faults to inject.
    pub faults: Faults,
    /// Names the page, the forms and the controls answer on, beside loopback and the bound
    /// address (see [`ZoomMockBuilder::allow_host`](super::ZoomMockBuilder::allow_host)).
    pub allowed_hosts: Vec<String>,
    /// How long a connection may go without a request in flight: from its opening, or the end
    /// of its last answer, to the end of the next request's head. A client that sends half a
    /// request, or keeps an idle connection open, is closed after it; so is one whose
    /// request body stops arriving for as long while the fake waits for it. A request in
    /// flight (the page's change stream, as long as it streams) is not idle.
    pub idle_timeout: Duration,
    /// Connections served at once. Past it, the fake accepts no new connection until one
    /// closes (the system's backlog holds the newcomers meanwhile).
    pub max_connections: usize,
}

impl Config {
    /// Every account, the first (from this configuration's own fields) first.
    pub fn all_accounts(&self) -> Vec<AccountSpec> {
        let first = AccountSpec { installed: true, ..self.account.clone() };
        std::iter::once(first).chain(self.accounts.iter().cloned()).collect()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            client_id: "fake_client_id".into(),
            client_secret: "fake_client_secret".into(),
            account: AccountSpec::new("FakeAccount01").user_id("fakeuser01"),
            accounts: Vec::new(),
            robot_jid: "v1fakebot@xmpp.zoom.us".into(),
            bot_user_id: "fakebotuser".into(),
            token_lifetime: Duration::from_secs(3600),
            callback_lifetime: Duration::from_secs(30 * 60),
            delivery_timeout: Duration::from_secs(3),
            rates: HashMap::new(),
            channel_limits: true,
            retention: 1_000,
            max_conversations: 10_000,
            // Zoom's send limit is 20 MB; 32 MiB leaves room for an upload beyond it.
            max_file_bytes: 32 << 20,
            max_stored_file_bytes: 256 << 20,
            request_log: 10_000,
            strict: false,
            faults: Faults::default(),
            allowed_hosts: Vec::new(),
            idle_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}
