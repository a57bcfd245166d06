//! Each event handled once by the fleet. A delivery is known by the SHA-256 of its body: Zoom
//! signs a redelivery again (new timestamp, new signature) but sends the same event, with the
//! same `event_ts`, so the body names the event across attempts and replicas alike.
//!
//! The replica that takes a delivery claims `{prefix}:event:{digest}` with `SET NX` for a
//! minute, then, once its handler is running, keeps the claim for the redelivery horizon. A
//! replica that crashes between the two leaves a claim that soon expires, so Zoom's next
//! attempt is handled rather than lost.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::{RedisStore, unavailable};
use crate::error::Error;

/// How long a claim lasts before its handler is known to run.
const PENDING: Duration = Duration::from_secs(60);
/// How many deliveries the local fallback remembers.
const LOCAL_CAPACITY: usize = 100_000;

/// Whether this replica takes a delivery.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// First seen here: this replica handles it.
    Taken(String),
    /// Already taken by a replica (this one or another).
    Seen,
}

/// The digest that names a delivery.
pub(crate) fn delivery_key(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

/// The deliveries this process took, for when Redis is unavailable and the store falls back:
/// bounded, oldest forgotten first.
#[derive(Default)]
pub(crate) struct LocalSeen {
    seen: Mutex<(HashMap<String, Instant>, VecDeque<String>)>,
}

impl LocalSeen {
    /// Whether `key` is new within `horizon` (and remembers it).
    pub(crate) fn first(&self, key: &str, horizon: Duration) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (seen, order) = &mut *guard;
        let now = Instant::now();
        if seen.get(key).is_some_and(|at| now.duration_since(*at) < horizon) {
            return false;
        }
        seen.insert(key.to_owned(), now);
        order.push_back(key.to_owned());
        while order.len() > LOCAL_CAPACITY {
            if let Some(old) = order.pop_front() {
                seen.remove(&old);
            }
        }
        true
    }
}

impl RedisStore {
    /// Claims the delivery whose body is `body` for this replica, for a minute.
    pub(crate) async fn claim_event(&self, body: &[u8]) -> Result<Claim, Error> {
        let key = self.key(&["event", &delivery_key(body)]);
        let mut connection = self.connection().map_err(|e| unavailable("event de-duplication", &e))?;
        let set: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg("taken")
            .arg("NX")
            .arg("PX")
            .arg(PENDING.as_millis() as u64)
            .query_async(&mut connection)
            .await
            .map_err(|e| unavailable("event de-duplication", &e))?;
        Ok(if set.is_some() { Claim::Taken(key) } else { Claim::Seen })
    }

    /// The claimed delivery's handler runs: remembered for the redelivery horizon.
    pub(crate) async fn confirm_event(&self, key: &str) -> Result<(), Error> {
        let mut connection = self.connection().map_err(|e| unavailable("event de-duplication", &e))?;
        redis::cmd("PEXPIRE")
            .arg(key)
            .arg(self.inner.dedup_horizon.as_millis() as u64)
            .query_async::<i64>(&mut connection)
            .await
            .map_err(|e| unavailable("event de-duplication", &e))?;
        Ok(())
    }

    pub(crate) fn dedup_horizon(&self) -> Duration {
        self.inner.dedup_horizon
    }
}
