//! Installations of a Marketplace bot: who installed it in which account, and the app's own
//! data per account, kept in an [`InstallStore`] (in memory, [`MemoryInstalls`]; in Redis for
//! replicas with the `redis` feature, `shared::RedisInstalls`).
//!
//! [`Bot::installations`](crate::bot::Bot::installations) records an install on each
//! `bot_installed` event and removes it on `app_deauthorized`; the store's
//! [`list`](InstallStore::list) and [`get`](InstallStore::get) serve proactive messages:
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
//! use zoom_chatbot::card::Card;
//! use zoom_chatbot::installs::{InstallStore, MemoryInstalls};
//!
//! let installs = MemoryInstalls::new();
//! // Every installed account, a page at a time: tell each installer the news.
//! let mut after = None;
//! loop {
//!     let page = installs.list(after.as_ref(), 500).await?;
//!     for install in &page.installs {
//!         if let Some(user) = &install.installer.user_jid {
//!             let card = Card::new().head("We moved to v2").build()?;
//!             zoom.account(&install.account_id).as_bot(&install.robot_jid).send(user.clone(), card).await?;
//!         }
//!     }
//!     match page.next {
//!         Some(next) => after = Some(next),
//!         None => break,
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! What an install holds comes from Zoom's `bot_installed` event (its `accountId`,
//! `robotJid`, `userId`, `userJid`, `userName` and `timestamp`, on Zoom's chatbot events page).
//! The account's plan is not in any event: the app sets it ([`Update::plan`]) when it learns
//! it.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zoom_api_gen::types::ZoomEvent;

use crate::auth::BoxFuture;
use crate::error::{Error, Result};
use crate::ids::{AccountId, BotJid, IdError, UserId, UserJid};
use crate::pacing::Plan;

/// The most installs one [`InstallStore::list`] call returns.
pub const MAX_PAGE: usize = 1000;

/// The bot installed in one account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    /// The account (`accountId`).
    pub account_id: AccountId,
    /// The bot installed there (`robotJid`).
    pub robot_jid: BotJid,
    /// Who installed it, as far as the event says.
    #[serde(default)]
    pub installer: Installer,
    /// When (the event's `timestamp`, else when it was received).
    pub installed_at: DateTime<Utc>,
    /// The account's plan, when the app knows it (`free`, `pro`, `business`).
    #[serde(default, with = "plan_name")]
    pub plan: Option<Plan>,
    /// The app's own data for the account (settings, a customer id ...).
    #[serde(default)]
    pub data: Map<String, Value>,
}

/// The user who installed the bot: the fields the event gives, where they are well formed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installer {
    /// Their user id (`userId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Their JID (`userJid`): where a welcome or a notice to them goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_jid: Option<UserJid>,
    /// Their display name (`userName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

impl Installation {
    /// An install as a `bot_installed` event tells it, received at `received` (its time when
    /// the event has none). The account and the bot are required; an installer field that is
    /// missing, empty or malformed is left out.
    ///
    /// ```
    /// use zoom_chatbot::installs::Installation;
    /// use zoom_chatbot::types::{BotInstalledPayload, ZoomEvent};
    ///
    /// let payload = BotInstalledPayload {
    ///     account_id: "gVZnWWRLWvv_GtyGuaxg".into(),
    ///     robot_jid: "v1w1u1acrraq_mhwf2gclg@xmpp.zoom.us".into(),
    ///     timestamp: Some(1_542_654_424_247),
    ///     user_id: Some("KdYnimT4KPd8KKdQt9FQ".into()),
    ///     user_jid: Some("kdynimt4kpd8kkdqt9fq@xmpp.zoom.us".into()),
    ///     user_name: Some("Jane Dev".into()),
    /// };
    /// let event = ZoomEvent::BotInstalled { event_ts: None, payload };
    /// let install = Installation::from_event(&event, chrono::Utc::now()).unwrap();
    /// assert_eq!(install.installer.user_name.as_deref(), Some("Jane Dev"));
    /// assert_eq!(install.installed_at.timestamp_millis(), 1_542_654_424_247);
    /// ```
    pub fn from_event(event: &ZoomEvent, received: DateTime<Utc>) -> Result<Self> {
        let ZoomEvent::BotInstalled { event_ts, payload } = event else {
            return Err(Error::invalid("event", "is not a bot_installed event"));
        };
        let required = |value: &str, field: &'static str| {
            if value.is_empty() { Err(Error::invalid(field, "is missing")) } else { Ok(value.to_owned()) }
        };
        let account_id: AccountId = required(&payload.account_id, "event.accountId")?
            .parse()
            .map_err(|e: IdError| Error::invalid("event.accountId", e.to_string()))?;
        let robot_jid: BotJid = required(&payload.robot_jid, "event.robotJid")?
            .parse()
            .map_err(|e: IdError| Error::invalid("event.robotJid", e.to_string()))?;
        let present = |v: &Option<String>| v.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
        let installer = Installer {
            user_id: present(&payload.user_id).and_then(|v| v.parse().ok()),
            user_jid: present(&payload.user_jid).and_then(|v| v.parse().ok()),
            user_name: present(&payload.user_name),
        };
        let installed_at =
            payload.timestamp.or(*event_ts).and_then(DateTime::from_timestamp_millis).unwrap_or(received);
        Ok(Self { account_id, robot_jid, installer, installed_at, plan: None, data: Map::new() })
    }
}

/// A change to an install: its plan, and keys of the app's data set or removed.
///
/// ```
/// use zoom_chatbot::installs::Update;
/// use zoom_chatbot::pacing::Plan;
///
/// let update = Update::new().plan(Some(Plan::Pro)).set("tier", "gold").remove("trial_ends");
/// # let _ = update;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Update {
    plan: Option<Option<Plan>>,
    set: Map<String, Value>,
    remove: Vec<String>,
}

impl Update {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the account's plan (`None`: unknown again).
    pub fn plan(mut self, plan: Option<Plan>) -> Self {
        self.plan = Some(plan);
        self
    }

    /// Sets one key of the app's data (replacing its value).
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let key = key.into();
        self.remove.retain(|k| *k != key);
        self.set.insert(key, value.into());
        self
    }

    /// Removes one key of the app's data.
    pub fn remove(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.set.remove(&key);
        self.remove.push(key);
        self
    }

    /// The plan to set, if any (`Some(None)`: forget it).
    pub fn new_plan(&self) -> Option<Option<Plan>> {
        self.plan
    }

    /// The keys to set, with their values.
    pub fn sets(&self) -> &Map<String, Value> {
        &self.set
    }

    /// The keys to remove.
    pub fn removes(&self) -> &[String] {
        &self.remove
    }

    /// Applies the change to `install`.
    pub fn apply(&self, install: &mut Installation) {
        if let Some(plan) = self.plan {
            install.plan = plan;
        }
        for key in &self.remove {
            install.data.remove(key);
        }
        for (key, value) in &self.set {
            install.data.insert(key.clone(), value.clone());
        }
    }
}

/// One page of installs, in the order of their account ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// The installs on this page.
    pub installs: Vec<Installation>,
    /// Where the next page starts (pass it as `after`); `None` on the last page.
    pub next: Option<AccountId>,
}

/// Where a bot's installs are kept, by account. Object-safe (`Arc<dyn InstallStore>`), with
/// boxed futures as [`TokenSource`](crate::auth::TokenSource) has.
///
/// Listing is paged by account id (keyset paging, not offsets): a page starts after the
/// last account of the one before, so installs and removals between two calls never make a
/// list skip or repeat an account that stayed, each call costs one page (a bot with
/// thousands of installs never holds them all at once), and both stores answer it from an
/// ordered index.
pub trait InstallStore: Send + Sync + 'static {
    /// Records `install`. An account already recorded (a re-install, another admin, a
    /// redelivered event) takes the new bot, installer and time, and keeps the plan and the
    /// app's data it had; `install`'s own plan (when set) and data keys are set over them.
    /// Returns the install as now stored.
    fn record(&self, install: Installation) -> BoxFuture<'_, Result<Installation>>;

    /// The install of `account`, if the bot is installed there.
    fn get<'a>(&'a self, account: &'a AccountId) -> BoxFuture<'a, Result<Option<Installation>>>;

    /// Up to `limit` installs (1 to [`MAX_PAGE`]) whose account id comes after `after` (from
    /// the first with `None`), in account-id order.
    fn list<'a>(&'a self, after: Option<&'a AccountId>, limit: usize) -> BoxFuture<'a, Result<Page>>;

    /// How many accounts have the bot installed.
    fn count(&self) -> BoxFuture<'_, Result<usize>>;

    /// Removes the install of `account`, and returns it (`None` if there was none).
    fn remove<'a>(&'a self, account: &'a AccountId) -> BoxFuture<'a, Result<Option<Installation>>>;

    /// Changes the plan or the app's data of `account`'s install, in one step, and returns it
    /// as now stored (`None`, and nothing stored, if the bot is not installed there).
    fn update<'a>(&'a self, account: &'a AccountId, update: Update) -> BoxFuture<'a, Result<Option<Installation>>>;
}

/// Checks a page size.
pub(crate) fn page_limit(limit: usize) -> Result<usize> {
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(Error::invalid("limit", format!("must be from 1 to {MAX_PAGE}, not {limit}")))
    }
}

/// Installs in this process's memory: for tests, development and a bot that runs as one
/// process. Cheap to clone; clones share the installs.
///
/// Not bounded, on purpose: each install is an account that installed the bot, a customer;
/// forgetting one to make room would silently stop serving it, and a removal comes from Zoom
/// (`app_deauthorized`). An install is a few hundred bytes plus the app's data (which the app
/// keeps small), so 100,000 accounts fit in tens of megabytes. Replicas need a store they
/// share (Redis, with the `redis` feature); nothing here survives a restart.
#[derive(Clone, Debug, Default)]
pub struct MemoryInstalls {
    installs: Arc<Mutex<BTreeMap<AccountId, Installation>>>,
}

impl MemoryInstalls {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn locked(&self) -> std::sync::MutexGuard<'_, BTreeMap<AccountId, Installation>> {
        self.installs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl InstallStore for MemoryInstalls {
    fn record(&self, install: Installation) -> BoxFuture<'_, Result<Installation>> {
        let stored = {
            let mut installs = self.locked();
            let merged = match installs.remove(&install.account_id) {
                Some(mut kept) => {
                    kept.robot_jid = install.robot_jid;
                    kept.installer = install.installer;
                    kept.installed_at = install.installed_at;
                    kept.plan = install.plan.or(kept.plan);
                    kept.data.extend(install.data);
                    kept
                }
                None => install,
            };
            installs.insert(merged.account_id.clone(), merged.clone());
            merged
        };
        Box::pin(async move { Ok(stored) })
    }

    fn get<'a>(&'a self, account: &'a AccountId) -> BoxFuture<'a, Result<Option<Installation>>> {
        let found = self.locked().get(account).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn list<'a>(&'a self, after: Option<&'a AccountId>, limit: usize) -> BoxFuture<'a, Result<Page>> {
        let page = page_limit(limit).map(|limit| {
            let installs = self.locked();
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            let mut found: Vec<Installation> =
                installs.range((start, Bound::Unbounded)).take(limit + 1).map(|(_, i)| i.clone()).collect();
            let next = (found.len() > limit).then(|| {
                found.truncate(limit);
                found[limit - 1].account_id.clone()
            });
            Page { installs: found, next }
        });
        Box::pin(async move { page })
    }

    fn count(&self) -> BoxFuture<'_, Result<usize>> {
        let n = self.locked().len();
        Box::pin(async move { Ok(n) })
    }

    fn remove<'a>(&'a self, account: &'a AccountId) -> BoxFuture<'a, Result<Option<Installation>>> {
        let removed = self.locked().remove(account);
        Box::pin(async move { Ok(removed) })
    }

    fn update<'a>(&'a self, account: &'a AccountId, update: Update) -> BoxFuture<'a, Result<Option<Installation>>> {
        let updated = self.locked().get_mut(account).map(|install| {
            update.apply(install);
            install.clone()
        });
        Box::pin(async move { Ok(updated) })
    }
}

/// A plan as its lower-case name (`pacing::Plan` has no serde of its own).
mod plan_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::pacing::Plan;

    pub fn serialize<S: Serializer>(plan: &Option<Plan>, serializer: S) -> Result<S::Ok, S::Error> {
        match plan {
            Some(plan) => serializer.serialize_some(plan.as_str()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Plan>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(name) => Plan::parse(&name)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("plan: {name:?} is not free, pro or business"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn install(account: &str) -> Installation {
        Installation {
            account_id: account.parse().unwrap(),
            robot_jid: "v1bot@xmpp.zoom.us".parse().unwrap(),
            installer: Installer::default(),
            installed_at: DateTime::from_timestamp_millis(1_764_583_200_000).unwrap(),
            plan: None,
            data: Map::new(),
        }
    }

    #[test]
    fn an_installation_round_trips_through_json_with_its_plan_by_name() {
        let mut i = install("ACME");
        i.plan = Some(Plan::Business);
        i.data.insert("tier".into(), Value::from("gold"));
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["plan"], "business");
        assert_eq!(serde_json::from_value::<Installation>(json).unwrap(), i);
        let bad = serde_json::json!({"account_id": "A", "robot_jid": "b@xmpp.zoom.us", "installed_at": "2026-01-01T00:00:00Z", "plan": "gold"});
        let err = serde_json::from_value::<Installation>(bad).unwrap_err().to_string();
        assert!(err.contains("plan") && err.contains("gold"), "{err}");
    }

    #[tokio::test]
    async fn a_page_size_out_of_range_is_refused_naming_the_field() {
        let store = MemoryInstalls::new();
        for limit in [0, MAX_PAGE + 1] {
            let err = store.list(None, limit).await.unwrap_err();
            assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "limit"), "{err}");
        }
    }

    #[tokio::test]
    async fn a_reinstall_keeps_the_apps_data_and_plan() {
        let store = MemoryInstalls::new();
        store.record(install("ACME")).await.unwrap();
        let account = "ACME".parse().unwrap();
        store.update(&account, Update::new().plan(Some(Plan::Pro)).set("tier", "gold")).await.unwrap();
        let mut again = install("ACME");
        again.installer.user_name = Some("Bo".into());
        let stored = store.record(again).await.unwrap();
        assert_eq!(stored.plan, Some(Plan::Pro));
        assert_eq!(stored.data["tier"], "gold");
        assert_eq!(stored.installer.user_name.as_deref(), Some("Bo"));
    }
}
