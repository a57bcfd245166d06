//! A bot's installs in Redis, shared by its replicas: [`RedisInstalls`].
//!
//! Each install is a hash, `{prefix}:install:{account}`, with a field per fact (`robot_jid`,
//! `installed_at`, `user_id`, `user_jid`, `user_name`, `plan`) and one per key of the app's
//! data (`d:{key}`, the value as JSON). The sorted set `{prefix}:installs` indexes the
//! accounts (every score 0, so it is ordered by account id, and a page is a `ZRANGEBYLEX`).
//! Recording, removing and updating each run as one script, so the hash and the index change
//! together, and two replicas updating different keys of one account's data both keep theirs
//! (the script sets fields; it never rewrites the data as a whole).
//!
//! Unlike the rest of the shared state, installs have no TTL: an install lasts until Zoom
//! says the app was removed. Installs fail closed whatever the store's
//! [`OnUnavailable`](super::OnUnavailable): a replica's own copy would be a different list.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::DateTime;
use redis::Script;
use serde_json::{Map, Value};

use super::{RedisStore, unavailable};
use crate::auth::BoxFuture;
use crate::error::{Error, Result};
use crate::ids::AccountId;
use crate::installs::{InstallStore, Installation, Installer, Page, Update, page_limit};
use crate::pacing::Plan;

/// The fields of who installed, cleared on each record so that a field the new event lacks
/// does not linger from the old one.
const RECORD: &str = r"
redis.call('HDEL', KEYS[1], 'user_id', 'user_jid', 'user_name')
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return redis.call('HGETALL', KEYS[1])";

/// ARGV: the plan (`=`: keep, `-`: forget, else the plan's name), how many fields to set,
/// those field/value pairs, then the fields to delete. Nothing happens to an account that is
/// not installed.
const UPDATE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
if ARGV[1] == '-' then redis.call('HDEL', KEYS[1], 'plan')
elseif ARGV[1] ~= '=' then redis.call('HSET', KEYS[1], 'plan', ARGV[1]) end
local sets = tonumber(ARGV[2])
local i = 3
for _ = 1, sets do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]); i = i + 2 end
while i <= #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]); i = i + 1 end
return redis.call('HGETALL', KEYS[1])";

const REMOVE: &str = r"
local fields = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return fields";

static RECORD_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(RECORD));
static UPDATE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(UPDATE));
static REMOVE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(REMOVE));

/// The prefix of a data key's field.
const DATA: &str = "d:";

/// A bot's installs in Redis, which every replica sharing the store sees (see the module's
/// docs for the keys). Made by [`RedisStore::installs`]; cheap to clone.
///
/// ```no_run
/// # async fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
/// use zoom_chatbot::bot::Bot;
/// use zoom_chatbot::shared::RedisStore;
/// use zoom_chatbot::SecretString;
///
/// let redis = RedisStore::builder("redis://127.0.0.1:6379").prefix("zoom:acme-bot").build()?;
/// let bot = Bot::new(zoom, SecretString::from("webhook-secret".to_owned())).installations(redis.installs());
/// # let _ = bot; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RedisInstalls {
    store: RedisStore,
}

impl RedisStore {
    /// The bot's installs, kept in this store for every replica (see [`RedisInstalls`]).
    pub fn installs(&self) -> RedisInstalls {
        RedisInstalls { store: self.clone() }
    }
}

impl RedisInstalls {
    fn hash(&self, account: &AccountId) -> String {
        self.store.key(&["install", account.as_str()])
    }

    fn index(&self) -> String {
        self.store.key(&["installs"])
    }

    fn connection(&self) -> Result<redis::aio::ConnectionManager> {
        self.store.connection().map_err(|e| unavailable("installations", &e))
    }
}

fn failed(e: redis::RedisError) -> Error {
    unavailable("installations", &e)
}

/// The hash fields of an install, as recorded (the plan only when known).
fn fields(install: &Installation) -> Result<Vec<(String, String)>> {
    let mut out = vec![
        ("robot_jid".to_owned(), install.robot_jid.to_string()),
        ("installed_at".to_owned(), install.installed_at.timestamp_millis().to_string()),
    ];
    let who = &install.installer;
    let optional = [
        ("user_id", who.user_id.as_ref().map(ToString::to_string)),
        ("user_jid", who.user_jid.as_ref().map(ToString::to_string)),
        ("user_name", who.user_name.clone()),
    ];
    out.extend(optional.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))));
    if let Some(plan) = install.plan {
        out.push(("plan".into(), plan.as_str().into()));
    }
    for (key, value) in &install.data {
        out.push((format!("{DATA}{key}"), data_value(key, value)?));
    }
    Ok(out)
}

fn data_value(key: &str, value: &Value) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::invalid(format!("data.{key}"), e.to_string()))
}

/// An install read back from its hash's fields (`None` for an empty hash: not installed).
fn parse(account: &AccountId, fields: Vec<(String, String)>) -> Result<Option<Installation>> {
    if fields.is_empty() {
        return Ok(None);
    }
    let corrupt = |field: &str, why: String| Error::SharedState {
        operation: "installations",
        reason: format!("the install of {account} has a bad `{field}`: {why}"),
    };
    let mut plain: HashMap<String, String> = HashMap::new();
    let mut data = Map::new();
    for (field, value) in fields {
        match field.strip_prefix(DATA) {
            Some(key) => {
                let value = serde_json::from_str(&value).map_err(|e| corrupt(&field, e.to_string()))?;
                data.insert(key.to_owned(), value);
            }
            None => {
                plain.insert(field, value);
            }
        }
    }
    let robot_jid = plain
        .get("robot_jid")
        .ok_or_else(|| corrupt("robot_jid", "missing".into()))?
        .parse()
        .map_err(|e: crate::ids::IdError| corrupt("robot_jid", e.to_string()))?;
    let installed_at = plain
        .get("installed_at")
        .and_then(|ms| ms.parse().ok())
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(|| corrupt("installed_at", "not a time in milliseconds".into()))?;
    let plan = match plain.get("plan") {
        None => None,
        Some(name) => Some(Plan::parse(name).ok_or_else(|| corrupt("plan", format!("{name:?} is no plan")))?),
    };
    let installer = Installer {
        user_id: plain.get("user_id").and_then(|v| v.parse().ok()),
        user_jid: plain.get("user_jid").and_then(|v| v.parse().ok()),
        user_name: plain.get("user_name").cloned(),
    };
    Ok(Some(Installation { account_id: account.clone(), robot_jid, installer, installed_at, plan, data }))
}

impl InstallStore for RedisInstalls {
    fn record(&self, install: Installation) -> BoxFuture<'_, Result<Installation>> {
        Box::pin(async move {
            let account = install.account_id.clone();
            let fields = fields(&install)?;
            let mut connection = self.connection()?;
            let mut script = RECORD_SCRIPT.prepare_invoke();
            script.key(self.hash(&account)).key(self.index()).arg(account.as_str());
            for (field, value) in &fields {
                script.arg(field).arg(value);
            }
            let stored: Vec<(String, String)> = script.invoke_async(&mut connection).await.map_err(failed)?;
            parse(&account, stored)?.ok_or_else(|| Error::SharedState {
                operation: "installations",
                reason: format!("the install of {account} was not there right after it was recorded"),
            })
        })
    }

    fn get<'a>(&'a self, account: &'a AccountId) -> BoxFuture<'a, Result<Option<Installation>>> {
        Box::pin(async move {
            let mut connection = self.connection()?;
            let fields: Vec<(String, String)> =
                redis::cmd("HGETALL").arg(self.hash(account)).query_async(&mut connection).await.map_err(failed)?;
            parse(account, fields)
        })
    }

    fn list<'a>(&'a self, after: Option<&'a AccountId>, limit: usize) -> BoxFuture<'a, Result<Page>> {
        Box::pin(async move {
            let limit = page_limit(limit)?;
            let mut connection = self.connection()?;
            let start = after.map_or_else(|| "-".to_owned(), |a| format!("({a}"));
            let mut accounts: Vec<String> = redis::cmd("ZRANGEBYLEX")
                .arg(self.index())
                .arg(start)
                .arg("+")
                .arg("LIMIT")
                .arg(0)
                .arg(limit + 1)
                .query_async(&mut connection)
                .await
                .map_err(failed)?;
            let more = accounts.len() > limit;
            accounts.truncate(limit);
            let accounts: Vec<AccountId> = accounts.iter().filter_map(|a| a.parse().ok()).collect();
            let mut read = redis::pipe();
            for account in &accounts {
                read.cmd("HGETALL").arg(self.hash(account));
            }
            let hashes: Vec<Vec<(String, String)>> = if accounts.is_empty() {
                Vec::new()
            } else {
                read.query_async(&mut connection).await.map_err(failed)?
            };
            let mut installs = Vec::with_capacity(accounts.len());
            for (account, fields) in accounts.iter().zip(hashes) {
                // An account removed between the two reads is simply not on the page.
                if let Some(install) = parse(account, fields)? {
                    installs.push(install);
                }
            }
            let next = if more { accounts.last().cloned() } else { None };
            Ok(Page { installs, next })
        })
    }

    fn count(&self) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move {
            let mut connection = self.connection()?;
            redis::cmd("ZCARD").arg(self.index()).query_async(&mut connection).await.map_err(failed)
        })
    }

    fn remove<'a>(&'a self, account: &'a AccountId) -> BoxFuture<'a, Result<Option<Installation>>> {
        Box::pin(async move {
            let mut connection = self.connection()?;
            let mut script = REMOVE_SCRIPT.prepare_invoke();
            script.key(self.hash(account)).key(self.index()).arg(account.as_str());
            let removed: Vec<(String, String)> = script.invoke_async(&mut connection).await.map_err(failed)?;
            parse(account, removed)
        })
    }

    fn update<'a>(&'a self, account: &'a AccountId, update: Update) -> BoxFuture<'a, Result<Option<Installation>>> {
        Box::pin(async move {
            let plan = match update.new_plan() {
                None => "=",
                Some(None) => "-",
                Some(Some(plan)) => plan.as_str(),
            };
            let mut sets = Vec::with_capacity(update.sets().len());
            for (key, value) in update.sets() {
                sets.push((format!("{DATA}{key}"), data_value(key, value)?));
            }
            let mut connection = self.connection()?;
            let mut script = UPDATE_SCRIPT.prepare_invoke();
            script.key(self.hash(account)).arg(plan).arg(sets.len());
            for (field, value) in &sets {
                script.arg(field).arg(value);
            }
            for key in update.removes() {
                script.arg(format!("{DATA}{key}"));
            }
            let stored: Vec<(String, String)> = script.invoke_async(&mut connection).await.map_err(failed)?;
            parse(account, stored)
        })
    }
}
