//! One rate budget for the account, kept in Redis by scripts that run atomically on the
//! server and read the server's clock (`TIME`), so replicas with clocks apart still share one
//! schedule.
//!
//! - A label's rate is a GCRA: `{prefix}:rate:{label}` holds the theoretical arrival time of
//!   the next request; each caller takes the slot at `max(now, tat)` and moves `tat` on by the
//!   interval. The key lives as long as the schedule runs ahead.
//! - A channel's send windows: `{prefix}:channel:{channel}` is a sorted set of the send times
//!   (reserved ones included) within the longest window; a send is placed at the earliest time
//!   every window still has room. The key lives as long as the longest window.
//!
//! A caller whose slot would come after its deadline takes none. A call cancelled while it
//! waits does not give its slot back: the shared schedule errs towards sending later.

use std::sync::LazyLock;
use std::time::Duration;

use redis::Script;

use super::{RedisStore, unavailable};
use crate::error::Error;
use crate::pacing::RateLabel;

/// A slot in the shared schedule: how long to wait for it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// Go after this wait.
    After(Duration),
    /// The slot would come after the deadline; nothing was taken.
    PastDeadline,
}

/// GCRA: the wait in microseconds for the next slot, or -1 past `max_wait`.
/// KEYS[1] the label's key; ARGV[1] the interval, ARGV[2] the longest acceptable wait (µs).
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(tat, now)
if at - now > tonumber(ARGV[2]) then return -1 end
local next = at + interval
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.ceil((next - now) / 1000) + 1000)
return at - now";

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
static WINDOWS_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(WINDOWS));

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u64::MAX as u128) as u64
}

fn reserved(wait: i64) -> Reserved {
    if wait < 0 { Reserved::PastDeadline } else { Reserved::After(Duration::from_micros(wait as u64)) }
}

impl RedisStore {
    /// A slot under `label`'s rate (one request per `interval`), shared by every replica.
    pub(crate) async fn reserve_label(
        &self,
        label: RateLabel,
        interval: Duration,
        max_wait: Duration,
    ) -> Result<Reserved, Error> {
        let mut connection = self.connection().map_err(|e| unavailable("rate budget", &e))?;
        let key = self.key(&["rate", &label.to_string().to_ascii_lowercase()]);
        let wait: i64 = GCRA_SCRIPT
            .key(key)
            .arg(micros(interval))
            .arg(micros(max_wait))
            .invoke_async(&mut connection)
            .await
            .map_err(|e| unavailable("rate budget", &e))?;
        Ok(reserved(wait))
    }

    /// A place for one more send to `channel` within every window (`(messages, window)`),
    /// shared by every replica.
    pub(crate) async fn reserve_channel(
        &self,
        channel: &str,
        windows: &[(u32, Duration)],
        margin: Duration,
        max_wait: Duration,
    ) -> Result<Reserved, Error> {
        let mut connection = self.connection().map_err(|e| unavailable("rate budget", &e))?;
        let mut script = WINDOWS_SCRIPT.prepare_invoke();
        script.key(self.key(&["channel", channel])).arg(micros(margin)).arg(micros(max_wait)).arg(super::nonce());
        for (messages, window) in windows {
            script.arg(*messages).arg(micros(*window));
        }
        let wait: i64 = script.invoke_async(&mut connection).await.map_err(|e| unavailable("rate budget", &e))?;
        Ok(reserved(wait))
    }
}
