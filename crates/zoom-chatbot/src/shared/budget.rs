//! The rate budgets of every account, kept in Redis by scripts that run atomically on the
//! server and read the server's clock (`TIME`), so replicas with clocks apart still share one
//! schedule per account. Each account's keys are its own (`{account}` is the pacer's key for
//! it: the account id, or a digest of an id that could hold `:` or `{`), so a busy account's
//! schedule never holds back another's.
//!
//! - A label's rate is a GCRA: `{prefix}:rate:{account}:{label}` holds the theoretical arrival time
//!   of the account's next request; each caller takes the slot at `max(now, tat)` and moves `tat`
//!   on by the interval. The key lives as long as the schedule runs ahead. A 429 with `Retry-After`
//!   moves `tat` to that time.
//! - A daily quota: `{prefix}:day:{account}:{label}:{yyyy-mm-dd}` counts the account's requests of
//!   the UTC day, taken in the same script as the slot, and expires a minute after the day ends
//!   (the minute: a replica whose clock runs a little behind still counts into a live key). A
//!   request past the quota takes no slot. Zoom's daily 429 marks the day as spent until the reset
//!   it names.
//! - A channel's send windows: `{prefix}:channel:{account}:{channel}` is a sorted set of the send
//!   times (reserved ones included) within the longest window; a send is placed at the earliest
//!   time every window still has room. The key lives as long as the longest window.
//!
//! A caller whose slot would come after its deadline takes none. A call cancelled while it
//! waits does not give its slot back: the shared schedule errs towards sending later.

use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use redis::{AsyncCommands as _, Script};
use zoom_api_gen::operations::RateLabel;

use super::{RedisStore, unavailable};
use crate::error::Error;
use crate::time::next_midnight;

/// A slot in the shared schedule: how long to wait for it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// Go after this wait.
    After(Duration),
    /// The slot would come after the deadline; nothing was taken.
    PastDeadline,
    /// The account's day is spent: its quota is used up (`None`: it resets at the next UTC
    /// midnight), or Zoom said so (it resets after this long).
    Spent(Option<Duration>),
}

/// The day a label's request counts in, and the account's quota for it (`None`: no quota,
/// only a day Zoom said is spent is checked).
#[derive(Debug)]
pub(crate) struct DayBudget {
    pub date: NaiveDate,
    pub quota: Option<u32>,
}

/// The count a day spent by Zoom's word is set to: more than any quota.
const SPENT: u64 = 1_000_000_000_000;
/// How long a day's key outlives the day.
const DAY_MARGIN_MS: i64 = 60_000;

/// GCRA and daily quota. Returns `{0, wait in µs}`, `{1, 0}` past `max_wait`, `{2, 0}` when
/// the quota is used up, `{3, ms left}` when Zoom said the day is spent.
/// KEYS[1] the label's schedule, KEYS[2] the account's count for the day; ARGV[1] the
/// interval, ARGV[2] the longest acceptable wait (µs), ARGV[3] the quota (0: none),
/// ARGV[4] when the day's key expires (ms since the epoch), ARGV[5] the spent mark.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local quota = tonumber(ARGV[3])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used >= tonumber(ARGV[5]) then return {3, redis.call('PTTL', KEYS[2])} end
if quota > 0 and used >= quota then return {2, 0} end
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(tat, now)
if at - now > tonumber(ARGV[2]) then return {1, 0} end
local next = at + interval
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.ceil((next - now) / 1000) + 1000)
if quota > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIREAT', KEYS[2], ARGV[4])
end
return {0, at - now}";

/// A 429's `Retry-After`: no slot of the label before `now + ARGV[1]` (µs). KEYS[1] the
/// label's schedule.
const PUSH_BACK: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if at > tat then
  redis.call('SET', KEYS[1], string.format('%d', at), 'PX', math.ceil((at - now) / 1000) + 1000)
end
return 0";

/// Channel windows: the wait in microseconds until one more send fits every window, or -1
/// past `max_wait`. KEYS[1] the channel's key; ARGV[1] the margin, ARGV[2] the longest
/// acceptable wait (µs), ARGV[3] a member name unique to this send, then pairs of (messages,
/// window in µs).
const WINDOWS: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local longest = 0
for i = 4, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i + 1])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local count = redis.call('ZCARD', KEYS[1])
local at = now
for i = 4, #ARGV, 2 do
  local n = tonumber(ARGV[i])
  if count >= n then
    local nth = redis.call('ZRANGE', KEYS[1], count - n, count - n, 'WITHSCORES')
    at = math.max(at, tonumber(nth[2]) + tonumber(ARGV[i + 1]) + tonumber(ARGV[1]))
  end
end
if at - now > tonumber(ARGV[2]) then return -1 end
redis.call('ZADD', KEYS[1], string.format('%d', at), ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil((at - now + longest) / 1000) + 1000)
return at - now";

static GCRA_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(GCRA));
static PUSH_BACK_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(PUSH_BACK));
static WINDOWS_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(WINDOWS));

/// Redis failing a budget command or connection: what every call of this file then returns.
fn unreachable_budget(e: redis::RedisError) -> Error {
    unavailable("rate budget", &e)
}

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u64::MAX as u128) as u64
}

fn label_name(label: RateLabel) -> String {
    label.to_string().to_ascii_lowercase()
}

/// A Redis glob pattern matching `literal` exactly.
fn glob_escape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for c in literal.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl RedisStore {
    fn rate_key(&self, account: &str, label: RateLabel) -> String {
        self.key(&["rate", account, &label_name(label)])
    }

    fn day_key(&self, account: &str, label: RateLabel, date: NaiveDate) -> String {
        self.key(&["day", account, &label_name(label), &date.format("%Y-%m-%d").to_string()])
    }

    /// A slot under `account`'s `label` rate (one request per `interval`), shared by every
    /// replica, counted against the account's day.
    pub(crate) async fn reserve_label(
        &self,
        account: &str,
        label: RateLabel,
        interval: Duration,
        day: &DayBudget,
        max_wait: Duration,
    ) -> Result<Reserved, Error> {
        let mut connection = self.connection().map_err(unreachable_budget)?;
        let expires = next_midnight(day.date).timestamp_millis() + DAY_MARGIN_MS;
        let (status, value): (i64, i64) = GCRA_SCRIPT
            .key(self.rate_key(account, label))
            .key(self.day_key(account, label, day.date))
            .arg(micros(interval))
            .arg(micros(max_wait))
            .arg(day.quota.unwrap_or(0))
            .arg(expires)
            .arg(SPENT)
            .invoke_async(&mut connection)
            .await
            .map_err(unreachable_budget)?;
        Ok(match status {
            0 => Reserved::After(Duration::from_micros(value.max(0) as u64)),
            2 => Reserved::Spent(None),
            3 => Reserved::Spent(Some(Duration::from_millis(value.max(0) as u64))),
            _ => Reserved::PastDeadline,
        })
    }

    /// Zoom's 429 with `Retry-After`: `account`'s `label` has no slot for every replica
    /// until `wait` from now.
    pub(crate) async fn push_back_label(&self, account: &str, label: RateLabel, wait: Duration) -> Result<(), Error> {
        let mut connection = self.connection().map_err(unreachable_budget)?;
        let _: i64 = PUSH_BACK_SCRIPT
            .key(self.rate_key(account, label))
            .arg(micros(wait))
            .invoke_async(&mut connection)
            .await
            .map_err(unreachable_budget)?;
        Ok(())
    }

    /// Zoom's daily 429: `account`'s day (`date`) for `label` is spent until `until`.
    pub(crate) async fn spend_day(
        &self,
        account: &str,
        label: RateLabel,
        date: NaiveDate,
        until: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut connection = self.connection().map_err(unreachable_budget)?;
        redis::cmd("SET")
            .arg(self.day_key(account, label, date))
            .arg(SPENT)
            .arg("PXAT")
            .arg(until.timestamp_millis().max(Utc::now().timestamp_millis() + 1))
            .query_async::<()>(&mut connection)
            .await
            .map_err(unreachable_budget)
    }

    /// Removes every budget key of `account`: its schedules, days and channel windows.
    pub(crate) async fn forget_account(&self, account: &str) -> Result<(), Error> {
        let mut connection = self.connection().map_err(unreachable_budget)?;
        let mut keys = Vec::new();
        for kind in ["rate", "day", "channel"] {
            let pattern = format!("{}:*", glob_escape(&self.key(&[kind, account])));
            let mut found = connection.scan_match::<_, String>(pattern).await.map_err(unreachable_budget)?;
            while let Some(key) = found.next_item().await {
                keys.push(key.map_err(unreachable_budget)?);
            }
        }
        if !keys.is_empty() {
            redis::cmd("UNLINK").arg(&keys).query_async::<()>(&mut connection).await.map_err(unreachable_budget)?;
        }
        Ok(())
    }

    /// A place for one more send to `account`'s `channel` within every window
    /// (`(messages, window)`), shared by every replica.
    pub(crate) async fn reserve_channel(
        &self,
        account: &str,
        channel: &str,
        windows: &[(u32, Duration)],
        margin: Duration,
        max_wait: Duration,
    ) -> Result<Reserved, Error> {
        let mut connection = self.connection().map_err(unreachable_budget)?;
        let mut script = WINDOWS_SCRIPT.prepare_invoke();
        script
            .key(self.key(&["channel", account, channel]))
            .arg(micros(margin))
            .arg(micros(max_wait))
            .arg(super::nonce());
        for (messages, window) in windows {
            script.arg(*messages).arg(micros(*window));
        }
        let wait: i64 = script.invoke_async(&mut connection).await.map_err(unreachable_budget)?;
        Ok(if wait < 0 { Reserved::PastDeadline } else { Reserved::After(Duration::from_micros(wait as u64)) })
    }
}

/// The tests' `redis-server`, shared with the integration tests.
#[cfg(test)]
#[path = "../../../zoom-chatbot-tests/tests/redis_server/mod.rs"]
mod redis_server;

#[cfg(test)]
mod tests {
    use super::redis_server;
    use super::*;
    use crate::pacing::{Pacer, Pacing, Plan};

    async fn keys(redis: &redis_server::RedisServer) -> Vec<String> {
        let client = redis::Client::open(redis.url()).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut connection).await.unwrap();
        keys.sort();
        keys
    }

    #[tokio::test]
    async fn forget_removes_an_accounts_keys_and_no_other() {
        let redis = redis_server::RedisServer::start();
        // A prefix with glob characters: the scan matches it literally.
        let store = RedisStore::builder(redis.url()).prefix("t*[x]").build().unwrap();
        let pacer = Pacer::new(Pacing::plan(Plan::Free), Some("GONE")).shared(store);
        let far = tokio::time::Instant::now() + Duration::from_secs(60);
        for id in ["GONE", "GONEX", "STAYS"] {
            pacer.label(&pacer.account(Some(id)), RateLabel::Medium, far).await.unwrap();
        }
        pacer.channel("c1", far).await.unwrap(); // the own account's channel window
        let date = Utc::now().format("%Y-%m-%d");
        let before = keys(&redis).await;
        assert!(before.contains(&format!("t*[x]:day:GONE:medium:{date}")), "{before:?}");
        assert!(before.contains(&"t*[x]:channel:GONE:c1".to_owned()), "{before:?}");
        pacer.forget("GONE").await;
        let after = keys(&redis).await;
        assert!(after.iter().all(|k| !k.contains(":GONE:")), "{after:?}");
        let kept = before.iter().filter(|k| k.contains(":GONEX:") || k.contains(":STAYS:")).count();
        assert_eq!(after.len(), kept, "the other accounts' keys stay: {after:?}");
        assert_eq!(kept, 4, "their schedules and days: {before:?}");
    }

    #[test]
    fn a_glob_matches_only_its_literal() {
        assert_eq!(glob_escape("zoom:acme"), "zoom:acme");
        assert_eq!(glob_escape("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}
