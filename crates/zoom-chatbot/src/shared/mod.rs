//! State shared by the replicas of one bot, in Redis (the `redis` feature; Redis 7 or
//! Valkey): one token request per expiry for the whole fleet, each account's rate budgets,
//! and each event handled once whichever replica Zoom delivers it to.
//!
//! Zoom's rate limits are per account and a token is per app, so replicas that each keep their
//! own would together exceed the plan and ask for a token each. With a [`RedisStore`]:
//!
//! - [`ClientBuilder::shared_state`](crate::ClientBuilder::shared_state) makes the client's tokens
//!   and its pacing fleet-wide: a token is asked for by one replica under a lock with an expiry (a
//!   replica that crashes holding it cannot wedge the others), kept in Redis only as long as it
//!   lives, and renewed ahead of expiry; the label rates (GCRA) and the per-channel send windows
//!   are kept by scripts that run atomically on the server, on the server's clock.
//!   [`RedisStore::user_oauth`] keeps a user's rotating refresh token in Redis too, replaced
//!   atomically with each refresh.
//! - [`Bot::deduplicate`](crate::bot::Bot::deduplicate) acknowledges a delivery that another
//!   replica has already taken, without running its handler again, for Zoom's redelivery horizon.
//! - [`RedisStore::installs`] keeps the bot's installs (see [`RedisInstalls`]) for every replica:
//!   recorded on `bot_installed`, removed on `app_deauthorized`.
//!
//! Every key starts with the store's prefix and has a TTL, but the installs, which last
//! until the app is removed. When Redis cannot be reached, the
//! store does what [`OnUnavailable`] says: fail the call, or carry on with this process's
//! own state and log a WARN.
//!
//! ```no_run
//! # async fn run() -> zoom_chatbot::Result<()> {
//! use zoom_chatbot::ClientBuilder;
//! use zoom_chatbot::pacing::{Pacing, Plan};
//! use zoom_chatbot::shared::{OnUnavailable, RedisStore};
//!
//! let redis = RedisStore::builder("redis://127.0.0.1:6379")
//!     .prefix("zoom:acme")
//!     .on_unavailable(OnUnavailable::FallBackToLocal)
//!     .build()?;
//! let zoom = ClientBuilder::from_env().pacing(Pacing::plan(Plan::Business)).shared_state(redis.clone()).build()?;
//! # let _ = zoom;
//! # Ok(()) }
//! ```

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use redis::aio::ConnectionManager;

use crate::error::{Error, Result, Setting};
use crate::macros::{debug_fields, setters};

mod budget;
mod dedup;
mod installs;
mod tokens;

pub(crate) use budget::{DayBudget, Reserved};
pub(crate) use dedup::{Claim, LocalSeen, delivery_names};
pub use installs::RedisInstalls;
pub use tokens::SharedTokens;

/// What the store does when Redis cannot be reached (or answers with an error).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnUnavailable {
    /// The call fails with [`Error::SharedState`] and nothing is sent; an event is answered
    /// 503, so that Zoom delivers it again later. Nothing can exceed the account's budget or
    /// run twice, at the price of availability.
    #[default]
    FailClosed,
    /// The call goes on with this process's own state (its own token, its own pacing, its own
    /// record of events), and a WARN says so, at most once every ten seconds. The fleet may
    /// then exceed the plan's limits, meet 429s (which the client waits out) and run a
    /// redelivered event twice, until Redis is back.
    FallBackToLocal,
}

/// A connection to the Redis (or Valkey) that the replicas share. Cheap to clone; clones share
/// the connections. Its `Debug` shows the prefix, never the URL (which may hold a password).
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    config: redis::aio::ConnectionManagerConfig,
    size: usize,
    /// Made at the first use, inside the runtime (a connection manager runs a task of its own).
    connections: OnceLock<Vec<ConnectionManager>>,
    next: AtomicUsize,
    prefix: String,
    on_unavailable: OnUnavailable,
    lock_ttl: Duration,
    dedup_horizon: Duration,
    /// When the last WARN about falling back was logged (ms since the store was built).
    warned_at: AtomicU64,
    started: std::time::Instant,
}

debug_fields!(RedisStore { prefix: inner.prefix, on_unavailable: inner.on_unavailable, connections: inner.size });

/// Sets up a [`RedisStore`].
#[derive(Clone)]
pub struct RedisStoreBuilder {
    url: String,
    root_certificate: Option<Vec<u8>>,
    prefix: String,
    on_unavailable: OnUnavailable,
    connections: usize,
    timeout: Duration,
    lock_ttl: Duration,
    dedup_horizon: Duration,
}

debug_fields!(RedisStoreBuilder { prefix });

/// How long Zoom may deliver an event again: after 5, 20 and 60 minutes, so 85 minutes after
/// the first attempt at most; the default horizon leaves a margin.
pub const REDELIVERY_HORIZON: Duration = Duration::from_secs(2 * 60 * 60);

impl RedisStoreBuilder {
    setters! {
        /// The prefix of every key (default `zoom-chatbot`). The replicas of one app share a
        /// prefix (the budgets of the accounts it serves are kept apart under it); two apps in
        /// one Redis need two.
        pub fn prefix(prefix: impl Into<String>) = prefix.into();

        /// What to do when Redis cannot be reached (default [`OnUnavailable::FailClosed`]).
        pub fn on_unavailable(on: OnUnavailable);

        /// How many multiplexed connections to keep and use in turn (default 2). Each one
        /// pipelines any number of concurrent commands and reconnects by itself.
        pub fn connections(n: usize) = n.max(1);

        /// How long one Redis command or connection attempt may take before Redis counts as
        /// unreachable (default 500 ms).
        pub fn timeout(timeout: Duration);

        /// How long the token lock lasts if its holder never releases it, a crashed replica say
        /// (default 15 s).
        pub fn lock_ttl(ttl: Duration) = ttl.max(Duration::from_millis(100));

        /// For a `rediss://` URL (TLS, with the `rustls` feature): trust this CA certificate
        /// (PEM) instead of the system's roots, for a Redis with a private CA.
        #[cfg(feature = "rustls")]
        pub fn root_certificate(pem: impl Into<Vec<u8>>) = Some(pem.into());

        /// How long an event is remembered after it was taken (default [`REDELIVERY_HORIZON`]).
        pub fn dedup_horizon(horizon: Duration) = horizon.max(Duration::from_secs(1));
    }

    /// The store. Connections are made at the first use, so a store can be built while Redis
    /// is down, or before a runtime runs; a URL that is not a Redis URL is refused here.
    pub fn build(self) -> Result<RedisStore> {
        // `rediss://` speaks TLS through rustls: the same provider as the client's.
        crate::transport::install_crypto_provider();
        let client = match &self.root_certificate {
            #[cfg(feature = "rustls")]
            Some(pem) => redis::Client::build_with_tls(
                self.url.as_str(),
                redis::TlsCertificates { client_tls: None, root_cert: Some(pem.clone()) },
            ),
            _ => redis::Client::open(self.url.as_str()),
        }
        .map_err(|e| Error::invalid_setting(Setting::RedisUrl, format!("is not valid ({})", e.category())))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        Ok(RedisStore {
            inner: Arc::new(Inner {
                client,
                config,
                size: self.connections,
                connections: OnceLock::new(),
                next: AtomicUsize::new(0),
                prefix: self.prefix,
                on_unavailable: self.on_unavailable,
                lock_ttl: self.lock_ttl,
                dedup_horizon: self.dedup_horizon,
                warned_at: AtomicU64::new(u64::MAX),
                started: std::time::Instant::now(),
            }),
        })
    }
}

impl RedisStore {
    /// A store at `url` (`redis://[:password@]host:port[/db]`; `rediss://` for TLS, with the
    /// `rustls` feature), with the defaults.
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            root_certificate: None,
            prefix: "zoom-chatbot".into(),
            on_unavailable: OnUnavailable::default(),
            connections: 2,
            timeout: Duration::from_millis(500),
            lock_ttl: Duration::from_secs(15),
            dedup_horizon: REDELIVERY_HORIZON,
        }
    }

    /// The prefix of every key.
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// What the store does when Redis cannot be reached.
    pub fn on_unavailable(&self) -> OnUnavailable {
        self.inner.on_unavailable
    }

    /// A key under the prefix.
    fn key(&self, parts: &[&str]) -> String {
        let mut key = self.inner.prefix.clone();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// The next connection, in turn (the first call, on the runtime, sets them up).
    fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let inner = &self.inner;
        let connections = inner.connections.get_or_init(|| {
            (0..inner.size)
                .filter_map(|_| {
                    ConnectionManager::new_lazy_with_config(inner.client.clone(), inner.config.clone()).ok()
                })
                .collect()
        });
        if connections.is_empty() {
            return Err(redis::RedisError::from((redis::ErrorKind::Client, "no Redis connection could be set up")));
        }
        Ok(connections[inner.next.fetch_add(1, Ordering::Relaxed) % connections.len()].clone())
    }

    /// Whether Redis answers (`PING`).
    pub async fn ping(&self) -> Result<()> {
        let mut connection = self.connection().map_err(|e| unavailable("ping", &e))?;
        redis::cmd("PING").query_async::<String>(&mut connection).await.map_err(|e| unavailable("ping", &e))?;
        Ok(())
    }

    /// What to do after `error` in `operation`: the error itself when failing closed;
    /// otherwise `None` (carry on locally), with a WARN at most every ten seconds.
    pub(crate) fn fallback(&self, operation: &'static str, error: Error) -> Option<Error> {
        match self.inner.on_unavailable {
            OnUnavailable::FailClosed => Some(error),
            OnUnavailable::FallBackToLocal => {
                let now = self.inner.started.elapsed().as_millis() as u64;
                let last = self.inner.warned_at.load(Ordering::Relaxed);
                if (last == u64::MAX || now.saturating_sub(last) >= 10_000)
                    && self.inner.warned_at.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
                {
                    tracing::warn!(operation, error = %error, "Redis is unavailable: this replica goes on with its own state");
                }
                None
            }
        }
    }
}

/// A Redis failure as this crate's error. Only the kind and Redis's own message: a URL (and
/// its password) never reaches it.
fn unavailable(operation: &'static str, e: &redis::RedisError) -> Error {
    // An I/O failure says what failed (a refused connection, a certificate not trusted) in
    // its source: the operating system's or the TLS library's words, without the URL.
    let cause = std::error::Error::source(e).map(ToString::to_string);
    let reason = match (e.detail(), cause) {
        (Some(detail), _) => format!("{}: {detail}", e.category()),
        (None, Some(cause)) => format!("{}: {cause}", e.category()),
        (None, None) if e.is_timeout() => format!("{}: no answer in time", e.category()),
        (None, None) => e.category().to_owned(),
    };
    Error::SharedState { operation, reason }
}

/// A value unique to one lock holder or one reservation.
fn nonce() -> String {
    let mut bytes = [0u8; 16];
    // Without the system's randomness, the time still tells holders apart.
    if getrandom::fill(&mut bytes).is_err() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        bytes.copy_from_slice(&now.as_nanos().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
