//! Each event handled once by the fleet. A delivery has two names: the SHA-256 of its body,
//! and Zoom's request id (`x-zm-request-id`) when the delivery carries one. Zoom signs a
//! redelivery again (new timestamp, new signature) but sends the same event, with the same
//! `event_ts`, so the body names the event across attempts and replicas alike; Zoom's pages
//! do not say whether the request id stays the same across attempts, so it is one more name,
//! never the only one. A delivery is new only when none of its names was seen.
//!
//! The replica that takes a delivery claims `{prefix}:event:body:{digest}` (and
//! `{prefix}:event:request:{id}`) in one script for a minute, then, once its handler is
//! running, keeps the claim for the redelivery horizon. A replica that crashes between the two
//! leaves a claim that soon expires, so Zoom's next attempt is handled rather than lost.

use std::collections::{HashMap, VecDeque};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use redis::Script;
use sha2::{Digest, Sha256};

use super::{RedisStore, unavailable};
use crate::error::Error;

/// How long a claim lasts before its handler is known to run.
const PENDING: Duration = Duration::from_secs(60);
/// How many delivery names the local fallback remembers.
const LOCAL_CAPACITY: usize = 100_000;

/// Claims every name of a delivery, or none: 1 when none was taken, else 0. KEYS: the names;
/// ARGV[1]: the claim's lifetime (ms).
const CLAIM: &str = r"
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then return 0 end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, 'taken', 'PX', ARGV[1]) end
return 1";

static CLAIM_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(CLAIM));

/// Whether this replica takes a delivery.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// First seen here: this replica handles it (these keys hold the claim).
    Taken(Vec<String>),
    /// Already taken by a replica (this one or another).
    Seen,
}

/// The names of a delivery: its body's digest, and Zoom's request id when there is one.
pub(crate) fn delivery_names(body: &[u8], request_id: Option<&str>) -> Vec<String> {
    let digest: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
    let mut names = vec![format!("body:{digest}")];
    if let Some(id) = request_id.filter(|id| !id.is_empty()) {
        names.push(format!("request:{id}"));
    }
    names
}

/// The deliveries this process took, for when Redis is unavailable and the store falls back:
/// bounded, oldest forgotten first.
#[derive(Default)]
pub(crate) struct LocalSeen {
    seen: Mutex<(HashMap<String, Instant>, VecDeque<String>)>,
}

impl LocalSeen {
    /// Whether none of `names` was seen within `horizon` (and remembers them all).
    pub(crate) fn first(&self, names: &[String], horizon: Duration) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (seen, order) = &mut *guard;
        let now = Instant::now();
        if names.iter().any(|name| seen.get(name).is_some_and(|at| now.duration_since(*at) < horizon)) {
            return false;
        }
        for name in names {
            seen.insert(name.clone(), now);
            order.push_back(name.clone());
        }
        while order.len() > LOCAL_CAPACITY {
            if let Some(old) = order.pop_front() {
                seen.remove(&old);
            }
        }
        true
    }
}

impl RedisStore {
    /// Claims the delivery named `names` for this replica, for a minute.
    pub(crate) async fn claim_event(&self, names: &[String]) -> Result<Claim, Error> {
        let keys: Vec<String> = names.iter().map(|name| self.key(&["event", name])).collect();
        let mut connection = self.connection().map_err(|e| unavailable("event de-duplication", &e))?;
        let mut claim = CLAIM_SCRIPT.prepare_invoke();
        for key in &keys {
            claim.key(key);
        }
        let taken: i64 = claim
            .arg(PENDING.as_millis() as u64)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| unavailable("event de-duplication", &e))?;
        Ok(if taken == 1 { Claim::Taken(keys) } else { Claim::Seen })
    }

    /// The claimed delivery's handler runs: remembered for the redelivery horizon.
    pub(crate) async fn confirm_event(&self, keys: &[String]) -> Result<(), Error> {
        let mut connection = self.connection().map_err(|e| unavailable("event de-duplication", &e))?;
        let mut extend = redis::pipe();
        for key in keys {
            extend.cmd("PEXPIRE").arg(key).arg(self.inner.dedup_horizon.as_millis() as u64).ignore();
        }
        extend.query_async::<()>(&mut connection).await.map_err(|e| unavailable("event de-duplication", &e))?;
        Ok(())
    }

    pub(crate) fn dedup_horizon(&self) -> Duration {
        self.inner.dedup_horizon
    }
}
