//! Tokens shared by replicas: one token request per expiry for the whole fleet.
//!
//! The token lives under `{prefix}:token:{name}` with a TTL of its remaining lifetime, so it is
//! never kept past its life. A replica that finds none (or one inside the renewal margin)
//! takes the lock `{prefix}:lock:token:{name}` (`SET NX` with an expiry: a holder that crashes
//! cannot wedge the others), asks Zoom, stores the token and releases the lock; the others
//! wait and read what it stored. How long a token has left is read from Redis's own TTL, so
//! the replicas' clocks need not agree. A user's refresh token lives under
//! `{prefix}:refresh:{name}` and is replaced in one script with the token it brought, only if
//! the refresh token used is still the current one (whether or not the lock outlived Zoom's
//! answer).

use std::sync::LazyLock;
use std::time::Duration;

use redis::Script;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zoom_api_gen::types::GrantType;

use super::{RedisStore, nonce, unavailable};
use crate::auth::{BoxFuture, OAuth, Token, TokenSource};
use crate::error::{Error, Result};
use crate::macros::debug_fields;

/// How much more than its renewal margin a shared token must have left to be taken as it is:
/// less, and the local cache would want another at once.
const SLACK: Duration = Duration::from_secs(1);
/// How often a replica waiting for another's token request looks again.
const POLL: Duration = Duration::from_millis(25);
/// How long Zoom's refresh tokens live.
const REFRESH_LIFETIME: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// A token as it is kept in Redis (its expiry is the key's TTL).
#[derive(Serialize, Deserialize)]
struct Kept {
    access_token: String,
    lifetime_ms: u64,
    api_url: Option<String>,
    scope: String,
}

/// A token source whose tokens every replica shares through a [`RedisStore`]. Made by
/// [`ClientBuilder::shared_state`](crate::ClientBuilder::shared_state) around the client's
/// sources, or by [`RedisStore::user_oauth`] for a user's rotating refresh token.
pub struct SharedTokens {
    store: RedisStore,
    name: String,
    origin: Origin,
}

debug_fields!(SharedTokens { name });

enum Origin {
    /// Any source (the app's grants): only the token is shared.
    Source(Box<dyn TokenSource>),
    /// A user's OAuth: the refresh token is shared too, and `seed` is the one to start from
    /// when Redis holds none.
    Refresh { seed: SecretString },
}

/// Releases the lock if this holder still has it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// Forgets the token if it is still the refused one.
const DISCARD: &str = r"
local kept = redis.call('GET', KEYS[1])
if kept and cjson.decode(kept).access_token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// Stores a rotated refresh token and the token it brought if the refresh token used is still
/// the current one (none stored yet counts as the seed), then releases the lock if this holder
/// still has it. The guard is the refresh token, not the lock: Zoom may answer after the lock
/// expired, and if no other replica rotated meanwhile, the new refresh token is the only good
/// one there is. Dropping it would leave Redis with the spent one.
const ROTATE: &str = r"
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 1";

static RELEASE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(RELEASE));
static DISCARD_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(DISCARD));
static ROTATE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(ROTATE));

/// What went wrong in the shared path: Redis (the store's policy decides), or the token
/// request itself (returned as it is).
enum Failed {
    Redis(Error),
    Zoom(Error),
}

impl From<redis::RedisError> for Failed {
    fn from(e: redis::RedisError) -> Self {
        Self::Redis(unavailable("token", &e))
    }
}

impl RedisStore {
    /// Shares the tokens of `source` under `name` (`chatbot`, `user`, ...).
    pub fn tokens(&self, name: &str, source: impl TokenSource) -> SharedTokens {
        self.tokens_boxed(name, Box::new(source))
    }

    pub(crate) fn tokens_boxed(&self, name: &str, source: Box<dyn TokenSource>) -> SharedTokens {
        SharedTokens { store: self.clone(), name: name.to_owned(), origin: Origin::Source(source) }
    }

    /// A user's OAuth tokens under `name` (the user's id, say), shared by the replicas with
    /// the rotating refresh token: each refresh replaces it in Redis atomically with the
    /// access token it brought. `refresh_token` is where to start when Redis holds none.
    ///
    /// A refresh token is never rotated outside Redis: were one replica to rotate it alone,
    /// the others would hold a spent one. So these tokens fail closed when Redis is
    /// unreachable, whatever the store's [`OnUnavailable`](super::OnUnavailable).
    pub fn user_oauth(&self, name: &str, refresh_token: SecretString) -> SharedTokens {
        SharedTokens { store: self.clone(), name: name.to_owned(), origin: Origin::Refresh { seed: refresh_token } }
    }
}

impl SharedTokens {
    fn token_key(&self) -> String {
        self.store.key(&["token", &self.name])
    }

    fn lock_key(&self) -> String {
        self.store.key(&["lock", "token", &self.name])
    }

    fn refresh_key(&self) -> String {
        self.store.key(&["refresh", &self.name])
    }

    /// The shared token, if there is one good beyond its renewal margin.
    async fn read(&self) -> std::result::Result<Option<Token>, Failed> {
        let mut connection = self.store.connection()?;
        let (kept, ttl): (Option<String>, i64) =
            redis::pipe().get(self.token_key()).pttl(self.token_key()).query_async(&mut connection).await?;
        let Some(kept) = kept.and_then(|k| serde_json::from_str::<Kept>(&k).ok()) else { return Ok(None) };
        if ttl <= 0 {
            return Ok(None);
        }
        let token = Token::kept(
            SecretString::from(kept.access_token),
            Duration::from_millis(ttl as u64),
            Duration::from_millis(kept.lifetime_ms),
            kept.api_url,
            kept.scope,
        );
        Ok(token.good_beyond_renewal(SLACK).then_some(token))
    }

    /// The token as kept, and how long the key lives (its remaining lifetime).
    fn kept(token: &Token) -> Option<(String, u64)> {
        let remaining = token.expires_in()?.as_millis() as u64;
        let kept = Kept {
            access_token: token.secret().expose_secret().to_owned(),
            lifetime_ms: token.lifetime().unwrap_or_default().as_millis() as u64,
            api_url: token.api_url.clone(),
            scope: token.scope.clone(),
        };
        (remaining > 0).then(|| (serde_json::to_string(&kept).ok().unwrap_or_default(), remaining))
    }

    async fn release(&self, holder: &str) -> std::result::Result<(), Failed> {
        let mut connection = self.store.connection()?;
        RELEASE_SCRIPT.key(self.lock_key()).arg(holder).invoke_async::<i64>(&mut connection).await?;
        Ok(())
    }

    /// One token request for the fleet: the shared token, or this replica asks for one under
    /// the lock, or waits for the replica that holds it.
    async fn fetch_shared(&self, oauth: &OAuth) -> std::result::Result<Token, Failed> {
        let waited_since = tokio::time::Instant::now();
        // A holder has the lock for at most its TTL; past twice that, something is wrong.
        let patience = self.store.inner.lock_ttl * 2;
        loop {
            if let Some(token) = self.read().await? {
                return Ok(token);
            }
            let holder = nonce();
            let mut connection = self.store.connection()?;
            let ttl = self.store.inner.lock_ttl.as_millis() as u64;
            let locked: Option<String> = redis::cmd("SET")
                .arg(self.lock_key())
                .arg(&holder)
                .arg("NX")
                .arg("PX")
                .arg(ttl)
                .query_async(&mut connection)
                .await?;
            if locked.is_some() {
                let outcome = self.fetch_holding(oauth, &holder).await;
                // Released whatever happened (a rotation already released it). A release that
                // fails leaves a lock that expires by itself; the token in hand is good.
                let _ = self.release(&holder).await;
                return outcome;
            }
            if waited_since.elapsed() > patience {
                return Err(Failed::Zoom(Error::TokenUnavailable {
                    reason: format!("another replica has held the token lock for more than {patience:?}"),
                    retryable: true,
                }));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Under the lock: the token another replica may have stored meanwhile, or a new one.
    async fn fetch_holding(&self, oauth: &OAuth, holder: &str) -> std::result::Result<Token, Failed> {
        if let Some(token) = self.read().await? {
            return Ok(token);
        }
        match &self.origin {
            Origin::Source(source) => {
                let token = source.fetch(oauth).await.map_err(Failed::Zoom)?;
                if let Some((kept, ttl)) = Self::kept(&token) {
                    let stored = async {
                        let mut connection = self.store.connection()?;
                        redis::cmd("SET")
                            .arg(self.token_key())
                            .arg(kept)
                            .arg("PX")
                            .arg(ttl)
                            .query_async::<()>(&mut connection)
                            .await
                    };
                    // The token is good even if Redis went away after Zoom answered: it is used,
                    // not asked for again; the next replica to need one asks for its own.
                    if let Err(e) = stored.await {
                        tracing::warn!(error = %unavailable("token", &e), "a new token could not be shared");
                    }
                }
                Ok(token)
            }
            Origin::Refresh { seed } => self.refresh(oauth, holder, seed).await,
        }
    }

    /// A user's refresh under the lock: the current refresh token from Redis (or the seed),
    /// the refresh, then the rotation stored atomically with the new token.
    async fn refresh(&self, oauth: &OAuth, holder: &str, seed: &SecretString) -> std::result::Result<Token, Failed> {
        let mut connection = self.store.connection()?;
        let current: Option<String> = redis::cmd("GET").arg(self.refresh_key()).query_async(&mut connection).await?;
        let used = current.unwrap_or_else(|| seed.expose_secret().to_owned());
        let mut request = crate::auth::grant(GrantType::RefreshToken);
        request.refresh_token = Some(used.clone());
        let (token, next) = oauth.token_with_refresh(request).await.map_err(Failed::Zoom)?;
        let next = next.map(|n| n.expose_secret().to_owned()).unwrap_or_else(|| used.clone());
        let (kept, ttl) = Self::kept(&token).unwrap_or_default();
        let stored: i64 = ROTATE_SCRIPT
            .key(self.refresh_key())
            .key(self.token_key())
            .key(self.lock_key())
            .arg(holder)
            .arg(&used)
            .arg(&next)
            .arg(REFRESH_LIFETIME.as_millis() as u64)
            .arg(kept)
            .arg(ttl.max(1))
            .invoke_async(&mut connection)
            .await?;
        if stored == 0 {
            // Another replica rotated from the same refresh token first (the lock had expired
            // while Zoom answered): this access token is good, but the refresh token it came
            // with is not kept; the fleet's is the other replica's.
            tracing::warn!(
                name = %self.name,
                "another replica rotated the refresh token first; its rotation is kept and this one's dropped"
            );
        }
        Ok(token)
    }
}

impl TokenSource for SharedTokens {
    fn fetch<'a>(&'a self, oauth: &'a OAuth) -> BoxFuture<'a, Result<Token>> {
        Box::pin(async move {
            match self.fetch_shared(oauth).await {
                Ok(token) => Ok(token),
                Err(Failed::Zoom(e)) => Err(e),
                Err(Failed::Redis(e)) => match &self.origin {
                    Origin::Refresh { .. } => Err(e),
                    Origin::Source(source) => match self.store.fallback("token", e) {
                        Some(e) => Err(e),
                        None => source.fetch(oauth).await,
                    },
                },
            }
        })
    }

    fn discard<'a>(&'a self, stale: &'a Token) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let discarded = async {
                let mut connection = self.store.connection()?;
                DISCARD_SCRIPT
                    .key(self.token_key())
                    .arg(stale.secret().expose_secret())
                    .invoke_async::<i64>(&mut connection)
                    .await
            };
            if let Err(e) = discarded.await {
                // The next fetch meets the same failure and the store's policy decides there.
                tracing::debug!(error = %unavailable("token", &e), "could not discard a refused shared token");
            }
        })
    }
}
