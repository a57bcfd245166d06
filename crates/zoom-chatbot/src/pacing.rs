//! Opt-in pacing: the client (and all its clones) stays under Zoom's limits instead of
//! meeting 429s. The numbers come from the spec (`x-rate-limits`), the same numbers the fake
//! Zoom enforces.
//!
//! Zoom applies its limits per account, shared by every app installed on it, by the account's
//! plan; and a Marketplace bot sends to every account that installed it with one token. So
//! every budget here is kept per account: requests of each rate-limit label are spaced evenly
//! at the account's rate, counted against the account's daily quota where its plan has one
//! (a send past it is refused before it goes, as [`Error::RateLimited`](crate::Error) with
//! the kind `Daily-limit` and the reset time), and user-level sends also wait for room in the
//! per-channel windows. An account at its limit never holds back another account's sends.
//!
//! A chatbot call's account is the `account_id` it names; a call that names none (the
//! user-level chat calls, on the account's own token) counts against the client's own account,
//! the one it was configured with. Every account has the pacing's plan unless
//! [`ZoomClient::set_account_plan`](crate::ZoomClient::set_account_plan) gave it its own, and
//! Zoom's 429 answers correct an account's schedule: a `Retry-After` pushes its label's next
//! slot back, and a daily limit met marks its day as spent until the reset Zoom names.
//!
//! ```
//! use zoom_chatbot::pacing::{Pacing, Plan, RateLabel};
//!
//! let pacing = Pacing::plan(Plan::Pro).rate(RateLabel::Medium, 15);
//! assert_eq!(pacing.per_second(RateLabel::Medium), Some(15));
//! assert_eq!(pacing.per_second(RateLabel::Heavy), Some(10));
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use zoom_api_gen::operations::CHANNEL_SEND_WINDOWS;
pub use zoom_api_gen::operations::{Plan, RateLabel};

use crate::error::RetryAfter;
use crate::macros::setters;
use crate::time::next_midnight;

/// Which limits to keep under.
#[derive(Clone, Debug, PartialEq)]
pub struct Pacing {
    plan: Option<Plan>,
    rates: HashMap<RateLabel, u32>,
    channel_windows: bool,
    one_budget: bool,
}

impl Pacing {
    /// The limits of a plan (the plan of every account that was not given its own), and the
    /// per-channel send windows.
    pub fn plan(plan: Plan) -> Self {
        Self { plan: Some(plan), rates: HashMap::new(), channel_windows: true, one_budget: false }
    }

    /// No plan: only the rates set with [`rate`](Self::rate), and the channel windows.
    pub fn custom() -> Self {
        Self { plan: None, rates: HashMap::new(), channel_windows: true, one_budget: false }
    }

    /// An explicit per-second rate for a label (for example what your account really has),
    /// kept for every account whatever its plan.
    pub fn rate(mut self, label: RateLabel, per_second: u32) -> Self {
        self.rates.insert(label, per_second.max(1));
        self
    }

    setters! {
        /// Whether user-level sends wait for room in the per-channel windows (default on).
        pub fn channel_windows(on: bool);

        /// Keeps one budget for every account the client sends to (default off): the baseline
        /// the per-account budgets are measured against (BENCHMARKS.md), not a setting for
        /// production. Every account is paced, counted and pushed back as one, at the pacing's
        /// plan or rates: a busy account holds back the others, one account's 429 (or spent
        /// day) holds back all, and a Free account is sent at the pacing's rate, not its own
        /// (Zoom refuses it). Plans given or read per account, and forgetting an account, do
        /// nothing then.
        ///
        /// ```
        /// use zoom_chatbot::pacing::{Pacing, Plan};
        ///
        /// let pacing = Pacing::plan(Plan::Business).one_budget(true);
        /// # let _ = pacing;
        /// ```
        pub fn one_budget(on: bool);
    }

    /// The rate kept for a label, if any (for an account on the pacing's plan).
    pub fn per_second(&self, label: RateLabel) -> Option<u32> {
        self.rate_for(self.plan, label)
    }

    /// The rate kept for a label for an account on `plan`.
    fn rate_for(&self, plan: Option<Plan>, label: RateLabel) -> Option<u32> {
        self.rates.get(&label).copied().or_else(|| plan.map(|p| p.per_second(label)))
    }
}

/// The name an account's budgets are kept under, here and in Redis keys: the account id
/// itself when it is made of letters, digits, `-`, `_` and `.` (as Zoom's are), else `~` and
/// a digest of it, so that no id can put a `:` or a `{` into a key, or take another's name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct AccountKey(Arc<str>);

/// The key of the calls that name no account, when the client was configured with none: no
/// account id maps to it.
const NO_ACCOUNT: &str = "~";
/// The longest id kept as it is (Zoom's are 22 characters).
const MAX_PLAIN_ID: usize = 64;

impl AccountKey {
    fn of(id: &str) -> Self {
        let plain = id.len() <= MAX_PLAIN_ID && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if plain {
            return Self(id.into());
        }
        let digest = Sha256::digest(id.as_bytes());
        let mut key = String::from("~");
        for b in &digest[..16] {
            key.push_str(&format!("{b:02x}"));
        }
        Self(key.into())
    }

    /// The key, safe in a Redis key.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// The shared state of pacing; one per client, shared by its clones.
///
/// Every wait is a reservation of a slot. A call cancelled while it waits (its future
/// dropped, a timeout) gives its slot back, so the calls behind it do not wait for a request
/// that never goes. Each account has its own schedules, and the lock is held only to compute
/// a slot, never while waiting for one. State is kept only for active accounts: the map is
/// swept of accounts whose schedules are all in the past, whose channels had no send in the
/// longest window and that did not send today, so it stays bounded by the accounts that send,
/// however many have installed the app.
#[derive(Debug)]
pub(crate) struct Pacer {
    pacing: Pacing,
    /// The account of calls that name none: the configured one.
    own: AccountKey,
    state: Mutex<State>,
    /// Tests: the UTC time at a moment of tokio's (paused) clock, so that days pass with it.
    #[cfg(test)]
    clock: Option<(DateTime<Utc>, Instant)>,
    /// The budget shared by the replicas, when there is one; the local schedule is then only
    /// the fallback.
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::RedisStore>,
}

#[derive(Debug)]
struct State {
    accounts: HashMap<AccountKey, Account>,
    /// The plans given to accounts ([`Pacer::set_plan`]), kept until [`Pacer::forget`]: a key
    /// and a plan per account that has its own.
    plans: HashMap<AccountKey, Plan>,
    /// The plans read from accounts' install records ([`Pacer::learn_plan`], `None` for a
    /// record without one) and when, kept while the account is active and for
    /// [`PLAN_KEPT`] after.
    learned: HashMap<AccountKey, (Option<Plan>, Instant)>,
    /// When the accounts were last swept.
    swept: Instant,
}

/// One account's budgets.
#[derive(Debug, Default)]
struct Account {
    labels: HashMap<RateLabel, LabelSlots>,
    days: HashMap<RateLabel, Day>,
    /// Recent user-level sends per channel (reserved ones included).
    channels: HashMap<String, VecDeque<Instant>>,
}

impl Account {
    /// Drops what no longer holds a send back.
    fn sweep(&mut self, now: Instant, utc: DateTime<Utc>, longest: Duration) {
        self.labels.retain(|_, slots| slots.next > now);
        self.channels.retain(|_, sent| sent.back().is_some_and(|t| *t + longest > now));
        let today = utc.date_naive();
        self.days.retain(|_, day| day.date == today || day.spent_until.is_some_and(|until| until > utc));
    }

    fn is_idle(&self) -> bool {
        self.labels.is_empty() && self.channels.is_empty() && self.days.is_empty()
    }
}

/// A label's schedule: the next free slot, and slots given back by cancelled calls.
#[derive(Debug)]
struct LabelSlots {
    next: Instant,
    freed: BinaryHeap<Reverse<Instant>>,
}

/// A label's sends on one UTC day, and until when Zoom said the day is spent.
#[derive(Debug)]
struct Day {
    date: NaiveDate,
    sent: u32,
    spent_until: Option<DateTime<Utc>>,
}

impl Day {
    /// The day's count, started again on a new day.
    fn on(&mut self, today: NaiveDate) -> &mut Self {
        if self.date != today {
            self.date = today;
            self.sent = 0;
        }
        self
    }
}

/// The longest a 429's `Retry-After` pushes an account's label schedule back.
const MAX_PUSH_BACK: Duration = Duration::from_secs(60);

/// How often the accounts are swept of state that no longer holds a send back.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How long at least a plan read from an install record is kept (before its account's first
/// send, or once the account is idle): read again after, so a changed record takes effect.
const PLAN_KEPT: Duration = Duration::from_secs(600);

/// Why a call was not paced through.
#[derive(Debug)]
pub(crate) enum NotPaced {
    /// Its slot would come after the call's deadline: the wait was not begun.
    PastDeadline,
    /// The account's daily quota for the label is spent until `resets`: nothing was sent.
    DailyQuota { label: RateLabel, resets: DateTime<Utc> },
    /// The shared budget could not be reached, and its store fails closed.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Unavailable(crate::Error),
}

impl PartialEq for NotPaced {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::PastDeadline, Self::PastDeadline) => true,
            (Self::DailyQuota { label: a, resets: r }, Self::DailyQuota { label: b, resets: s }) => a == b && r == s,
            _ => false,
        }
    }
}

impl NotPaced {
    /// The error of a call that was not paced through, after `elapsed`. A spent day is told
    /// as Zoom tells it, a `Daily-limit` with the reset time, but with no tracking id: it was
    /// refused here.
    pub(crate) fn into_error(self, elapsed: Duration) -> crate::Error {
        match self {
            Self::PastDeadline => crate::Error::Deadline { elapsed },
            Self::DailyQuota { label, resets } => crate::Error::RateLimited {
                category: Some(label),
                kind: DAILY_LIMIT.into(),
                retry_after: Some(RetryAfter::At(resets)),
                tracking_id: None,
            },
            Self::Unavailable(e) => e,
        }
    }
}

/// Zoom's `X-RateLimit-Type` for a daily quota met.
const DAILY_LIMIT: &str = "Daily-limit";

/// The margin kept from the exact edge of a channel window, so that clock granularity does not
/// land a send on Zoom's boundary.
const WINDOW_MARGIN: Duration = Duration::from_millis(20);
/// The same margin for a schedule shared by replicas: between a slot taken in Redis and the
/// send reaching Zoom, other processes' sends can overtake it, so it is wider.
#[cfg(feature = "redis")]
const SHARED_WINDOW_MARGIN: Duration = Duration::from_millis(100);

/// A slot held by a waiting call; given back if the call goes away before its time.
struct Reservation<'a> {
    pacer: &'a Pacer,
    slot: Slot,
    at: Instant,
    used: bool,
}

enum Slot {
    /// A label's slot (of `interval`), and the day it was counted in, if it was.
    Label {
        account: AccountKey,
        label: RateLabel,
        interval: Duration,
        day: Option<NaiveDate>,
    },
    Channel(AccountKey, String),
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.used && Instant::now() < self.at {
            self.pacer.give_back(&self.slot, self.at);
        }
    }
}

impl Reservation<'_> {
    async fn wait(mut self, deadline: Instant) -> Result<(), NotPaced> {
        if self.at > deadline {
            return Err(NotPaced::PastDeadline); // dropped here: the slot goes back
        }
        tokio::time::sleep_until(self.at).await;
        self.used = true;
        Ok(())
    }
}

fn longest_window() -> Duration {
    CHANNEL_SEND_WINDOWS.iter().map(|w| Duration::from_secs(w.seconds)).max().unwrap_or_default()
}

impl Pacer {
    /// Pacing for a client whose own account (that of calls naming none) is `own_account`.
    pub fn new(pacing: Pacing, own_account: Option<&str>) -> Self {
        let state =
            State { accounts: HashMap::new(), plans: HashMap::new(), learned: HashMap::new(), swept: Instant::now() };
        let own = match own_account.filter(|id| !id.is_empty()) {
            Some(id) => AccountKey::of(id),
            None => AccountKey(NO_ACCOUNT.into()),
        };
        Self {
            pacing,
            own,
            state: Mutex::new(state),
            #[cfg(test)]
            clock: None,
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    setters! {
        /// Paces against the budget the replicas share in `store` (falling back to this local
        /// schedule as the store's policy says).
        #[cfg(feature = "redis")]
        pub fn shared(store: crate::shared::RedisStore) = Some(store);
    }

    /// Tests: UTC is `at` now, and moves with tokio's clock.
    #[cfg(test)]
    pub(crate) fn with_clock(mut self, at: DateTime<Utc>) -> Self {
        self.clock = Some((at, Instant::now()));
        self
    }

    fn utc_now(&self) -> DateTime<Utc> {
        #[cfg(test)]
        if let Some((at, since)) = self.clock {
            return at + Instant::now().duration_since(since);
        }
        Utc::now()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The key of the account a call names (`None` or empty: the client's own account).
    pub fn account(&self, account_id: Option<&str>) -> AccountKey {
        if self.pacing.one_budget {
            return self.own.clone();
        }
        match account_id.filter(|id| !id.is_empty()) {
            Some(id) => AccountKey::of(id),
            None => self.own.clone(),
        }
    }

    /// Gives `account_id` its own plan (its rates, unless the pacing sets a label's rate, and
    /// its daily quotas), until [`forget`](Self::forget).
    pub fn set_plan(&self, account_id: &str, plan: Plan) {
        if self.pacing.one_budget {
            return; // the one budget keeps the pacing's plan
        }
        let key = self.account(Some(account_id));
        self.lock().plans.insert(key, plan);
    }

    /// Whether `account_id`'s plan is known here: given, or read from its install record.
    pub fn knows_plan(&self, account_id: &str) -> bool {
        if self.pacing.one_budget {
            return true; // the one budget keeps the pacing's plan
        }
        let key = self.account(Some(account_id));
        let state = self.lock();
        state.plans.contains_key(&key) || state.learned.contains_key(&key)
    }

    /// Takes `plan` as `account_id`'s, as its install record says (`None`: the record has no
    /// plan, so the pacing's applies). Unlike [`set_plan`](Self::set_plan), it is let go once
    /// the account has no local state left and [`PLAN_KEPT`] has passed since the read, to be
    /// read again: memory stays with the accounts active lately, and a changed record takes
    /// effect.
    pub fn learn_plan(&self, account_id: &str, plan: Option<Plan>) {
        if self.pacing.one_budget {
            return;
        }
        let key = self.account(Some(account_id));
        let mut state = self.lock();
        if !state.plans.contains_key(&key) {
            state.learned.insert(key, (plan, Instant::now()));
        }
    }

    fn plan_of(&self, state: &State, account: &AccountKey) -> Option<Plan> {
        let learned = state.learned.get(account).and_then(|(plan, _)| *plan);
        state.plans.get(account).copied().or(learned).or(self.pacing.plan)
    }

    /// Drops everything kept for `account_id`: its schedules, its day's counts, its channels'
    /// windows, its plan, and its keys in the shared budget (for an uninstalled app).
    pub async fn forget(&self, account_id: &str) {
        if self.pacing.one_budget {
            return; // the one budget is every account's, not this one's
        }
        let key = self.account(Some(account_id));
        {
            let mut state = self.lock();
            state.accounts.remove(&key);
            state.plans.remove(&key);
            state.learned.remove(&key);
        }
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared
            && let Err(e) = store.forget_account(key.as_str()).await
        {
            tracing::warn!(error = %e, "the account's shared rate budget could not be removed; its keys expire by themselves");
        }
    }

    /// Sweeps the accounts if it is time to.
    fn sweep(&self, state: &mut State, now: Instant, utc: DateTime<Utc>) {
        if now.duration_since(state.swept) < SWEEP_EVERY {
            return;
        }
        let longest = longest_window();
        state.accounts.retain(|_, account| {
            account.sweep(now, utc, longest);
            !account.is_idle()
        });
        let State { accounts, learned, .. } = state;
        learned.retain(|key, (_, at)| accounts.contains_key(key) || now.duration_since(*at) < PLAN_KEPT);
        state.swept = now;
    }

    /// The refusal of a send past the account's day, logged once here.
    fn spent(&self, account: &AccountKey, label: RateLabel, quota: Option<u32>, resets: DateTime<Utc>) -> NotPaced {
        tracing::info!(
            account = account.as_str(),
            %label,
            quota,
            resets = %resets.to_rfc3339(),
            "the account's daily quota for this label is spent; the call is refused before it is sent"
        );
        NotPaced::DailyQuota { label, resets }
    }

    /// Waits for this request's turn under its label's rate for `account`, unless the turn
    /// would come after `deadline` (then nothing is held) or the account's day is spent.
    pub async fn label(&self, account: &AccountKey, label: RateLabel, deadline: Instant) -> Result<(), NotPaced> {
        let plan = {
            let mut state = self.lock();
            // Here too, not only when a local slot is taken: with a shared budget no local
            // slot ever is, and the learned plans must still be let go.
            self.sweep(&mut state, Instant::now(), self.utc_now());
            self.plan_of(&state, account)
        };
        let quota = plan.and_then(|p| p.per_day(label));
        let Some(rate) = self.pacing.rate_for(plan, label) else {
            // Not paced: only a day Zoom said is spent holds the call back.
            return self.check_spent(account, label);
        };
        let interval = Duration::from_secs(1) / rate;
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            use crate::shared::{DayBudget, Reserved};
            let utc = self.utc_now();
            let day = DayBudget { date: utc.date_naive(), quota };
            let max_wait = deadline.saturating_duration_since(Instant::now());
            match store.reserve_label(account.as_str(), label, interval, &day, max_wait).await {
                Ok(Reserved::After(wait)) => {
                    tokio::time::sleep(wait).await;
                    return Ok(());
                }
                Ok(Reserved::PastDeadline) => return Err(NotPaced::PastDeadline),
                Ok(Reserved::Spent(left)) => {
                    let resets = left.map_or_else(|| next_midnight(day.date), |left| utc + left);
                    return Err(self.spent(account, label, quota, resets));
                }
                Err(e) => {
                    if let Some(e) = store.fallback("rate budget", e) {
                        return Err(NotPaced::Unavailable(e));
                    }
                }
            }
        }
        let (at, day) = self.reserve_label(account, label, interval, quota)?;
        let slot = Slot::Label { account: account.clone(), label, interval, day };
        Reservation { pacer: self, slot, at, used: false }.wait(deadline).await
    }

    /// Takes the next slot of `account`'s `label` schedule, counted against its day when it
    /// has a quota (the day counted comes back with the slot).
    fn reserve_label(
        &self,
        account: &AccountKey,
        label: RateLabel,
        interval: Duration,
        quota: Option<u32>,
    ) -> Result<(Instant, Option<NaiveDate>), NotPaced> {
        let mut state = self.lock();
        let (now, utc) = (Instant::now(), self.utc_now());
        self.sweep(&mut state, now, utc);
        let today = utc.date_naive();
        let entry = state.accounts.entry(account.clone()).or_default();
        let mut counted = None;
        if quota.is_some() || entry.days.contains_key(&label) {
            let day = entry.days.entry(label).or_insert(Day { date: today, sent: 0, spent_until: None }).on(today);
            if let Some(until) = day.spent_until.filter(|until| *until > utc) {
                drop(state);
                return Err(self.spent(account, label, quota, until));
            }
            day.spent_until = None;
            if let Some(quota) = quota {
                if day.sent >= quota {
                    drop(state);
                    return Err(self.spent(account, label, Some(quota), next_midnight(today)));
                }
                day.sent += 1;
                counted = Some(today);
            }
        }
        let slots = entry.labels.entry(label).or_insert_with(|| LabelSlots { next: now, freed: BinaryHeap::new() });
        while slots.freed.peek().is_some_and(|Reverse(t)| *t < now) {
            slots.freed.pop();
        }
        let at = match slots.freed.pop() {
            Some(Reverse(freed)) => freed,
            None => {
                let at = slots.next.max(now);
                slots.next = at + interval;
                at
            }
        };
        Ok((at, counted))
    }

    /// Whether Zoom said `account`'s day is spent for `label` (for a label with no rate kept).
    fn check_spent(&self, account: &AccountKey, label: RateLabel) -> Result<(), NotPaced> {
        let mut state = self.lock();
        let utc = self.utc_now();
        self.sweep(&mut state, Instant::now(), utc);
        let until = state.accounts.get(account).and_then(|a| a.days.get(&label)).and_then(|d| d.spent_until);
        drop(state);
        match until {
            Some(until) if until > utc => Err(self.spent(account, label, None, until)),
            _ => Ok(()),
        }
    }

    /// What Zoom's 429 for `account`'s `label` says, applied to that account only: a daily
    /// limit (`kind` `Daily-limit`) marks its day as spent until the reset (`retry_after`,
    /// else the next UTC midnight); another limit of the label pushes its schedule back to
    /// `retry_after`. A channel's limit (`Channel-limit`) is the channel's, not the label's.
    /// Whether the day is spent.
    pub async fn limited(
        &self,
        account: &AccountKey,
        label: RateLabel,
        kind: &str,
        retry_after: Option<RetryAfter>,
    ) -> bool {
        let kind = kind.to_ascii_lowercase();
        if kind.contains("channel") {
            return false;
        }
        let utc = self.utc_now();
        if kind.contains("daily") {
            // Zoom's daily quotas reset at midnight UTC: a reset further off than the next
            // midnight is taken as that midnight (a hostile or broken header neither
            // overflows the clock nor spends the account's days ahead).
            let midnight = next_midnight(utc.date_naive());
            let until = match retry_after {
                Some(RetryAfter::At(at)) => at.min(midnight),
                Some(RetryAfter::Delay(wait)) => chrono::Duration::from_std(wait)
                    .ok()
                    .and_then(|w| utc.checked_add_signed(w))
                    .map_or(midnight, |t| t.min(midnight)),
                None => midnight,
            };
            {
                let mut state = self.lock();
                let today = utc.date_naive();
                let account = state.accounts.entry(account.clone()).or_default();
                let day =
                    account.days.entry(label).or_insert(Day { date: today, sent: 0, spent_until: None }).on(today);
                day.spent_until = day.spent_until.max(Some(until));
            }
            tracing::info!(account = account.as_str(), %label, until = %until.to_rfc3339(), "Zoom says the account's daily limit is met");
            #[cfg(feature = "redis")]
            if let Some(store) = &self.shared
                && let Err(e) = store.spend_day(account.as_str(), label, utc.date_naive(), until).await
            {
                tracing::warn!(error = %e, "the shared budget could not be marked as spent for the day");
            }
            return true;
        }
        // A per-second limit holds an account back for seconds: a longer wait than
        // `MAX_PUSH_BACK` is taken as that, so a huge header cannot stall the account (or, in
        // Redis, the fleet's sends to it) for long, nor overflow the clock.
        let Some(wait) = retry_after.map(|r| r.delay_from(utc).min(MAX_PUSH_BACK)) else { return false };
        {
            let mut state = self.lock();
            let now = Instant::now();
            let until = now + wait;
            let account = state.accounts.entry(account.clone()).or_default();
            let slots =
                account.labels.entry(label).or_insert_with(|| LabelSlots { next: now, freed: BinaryHeap::new() });
            slots.next = slots.next.max(until);
            slots.freed.retain(|Reverse(t)| *t >= until);
        }
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared
            && let Err(e) = store.push_back_label(account.as_str(), label, wait).await
        {
            tracing::warn!(error = %e, "the shared schedule could not be pushed back after Zoom's 429");
        }
        false
    }

    /// Waits until one more user-level send fits every window of `channel` (of the client's
    /// own account, whose token user-level sends carry), unless that is after `deadline` (then
    /// nothing is held).
    pub async fn channel(&self, channel: &str, deadline: Instant) -> Result<(), NotPaced> {
        if !self.pacing.channel_windows {
            return Ok(());
        }
        let account = &self.own;
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            use crate::shared::Reserved;
            let windows: Vec<(u32, Duration)> =
                CHANNEL_SEND_WINDOWS.iter().map(|w| (w.messages, Duration::from_secs(w.seconds))).collect();
            let max_wait = deadline.saturating_duration_since(Instant::now());
            match store.reserve_channel(account.as_str(), channel, &windows, SHARED_WINDOW_MARGIN, max_wait).await {
                Ok(Reserved::After(wait)) => {
                    tokio::time::sleep(wait).await;
                    return Ok(());
                }
                Ok(Reserved::PastDeadline | Reserved::Spent(_)) => return Err(NotPaced::PastDeadline),
                Err(e) => {
                    if let Some(e) = store.fallback("rate budget", e) {
                        return Err(NotPaced::Unavailable(e));
                    }
                }
            }
        }
        let at = {
            let mut state = self.lock();
            let (now, utc) = (Instant::now(), self.utc_now());
            self.sweep(&mut state, now, utc);
            let longest = longest_window();
            let sent =
                state.accounts.entry(account.clone()).or_default().channels.entry(channel.to_owned()).or_default();
            while sent.front().is_some_and(|t| *t + longest <= now) {
                sent.pop_front();
            }
            // The earliest time at which each window holds fewer than its limit.
            let at = CHANNEL_SEND_WINDOWS
                .iter()
                .filter_map(|w| {
                    let n = w.messages as usize;
                    (sent.len() >= n).then(|| sent[sent.len() - n] + Duration::from_secs(w.seconds) + WINDOW_MARGIN)
                })
                .fold(now, Instant::max);
            sent.push_back(at);
            at
        };
        let slot = Slot::Channel(account.clone(), channel.to_owned());
        Reservation { pacer: self, slot, at, used: false }.wait(deadline).await
    }

    /// Takes back the slot of a call that went away before its time.
    fn give_back(&self, slot: &Slot, at: Instant) {
        let mut state = self.lock();
        match slot {
            Slot::Label { account, label, interval, day } => {
                let Some(account) = state.accounts.get_mut(account) else { return };
                if let Some(slots) = account.labels.get_mut(label) {
                    if slots.next == at + *interval {
                        slots.next = at; // the last slot: the schedule simply shortens
                    } else {
                        slots.freed.push(Reverse(at)); // a hole the next call fills
                    }
                }
                if let Some(date) = day
                    && let Some(counted) = account.days.get_mut(label)
                    && counted.date == *date
                {
                    counted.sent = counted.sent.saturating_sub(1);
                }
            }
            Slot::Channel(account, channel) => {
                if let Some(sent) = state.accounts.get_mut(account).and_then(|a| a.channels.get_mut(channel))
                    && let Some(i) = sent.iter().rposition(|t| *t == at)
                {
                    sent.remove(i);
                }
            }
        }
    }

    /// How many accounts the pacer keeps state for.
    #[cfg(test)]
    fn tracked_accounts(&self) -> usize {
        self.lock().accounts.len()
    }

    /// How many channels the pacer keeps state for, over every account.
    #[cfg(test)]
    fn tracked_channels(&self) -> usize {
        self.lock().accounts.values().map(|a| a.channels.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, RetryAfter};

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(86_400)
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_gives_its_slot_back() {
        let pacer = Pacer::new(Pacing::custom().rate(RateLabel::Medium, 1), None);
        let own = pacer.account(None);
        let start = Instant::now();
        pacer.label(&own, RateLabel::Medium, far()).await.unwrap(); // at 0 s
        // The next slot is at 1 s; this call is cancelled at 0.5 s, before its turn.
        let cancelled =
            tokio::time::timeout(Duration::from_millis(500), pacer.label(&own, RateLabel::Medium, far())).await;
        assert!(cancelled.is_err());
        pacer.label(&own, RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(1), "the next call takes the given-back slot");

        // A hole in the middle of the schedule is filled too.
        let a = pacer.label(&own, RateLabel::Medium, far()); // 2 s
        let b = pacer.label(&own, RateLabel::Medium, far()); // 3 s
        let (mut a, mut b) = (Box::pin(a), Box::pin(b));
        use futures_util::FutureExt as _;
        assert!((&mut a).now_or_never().is_none() && (&mut b).now_or_never().is_none(), "both wait");
        drop(a);
        pacer.label(&own, RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(2), "the freed 2 s slot is reused");
        b.await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_past_the_deadline_is_not_begun_and_holds_nothing() {
        let pacer = Pacer::new(Pacing::custom().rate(RateLabel::Medium, 1), None);
        let own = pacer.account(None);
        let start = Instant::now();
        pacer.label(&own, RateLabel::Medium, far()).await.unwrap();
        let soon = Instant::now() + Duration::from_millis(500);
        assert_eq!(pacer.label(&own, RateLabel::Medium, soon).await, Err(NotPaced::PastDeadline));
        assert_eq!(start.elapsed(), Duration::ZERO, "refused at once");
        pacer.label(&own, RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(1), "the refused call held no slot");
    }

    #[tokio::test(start_paused = true)]
    async fn channel_state_is_kept_only_for_recent_channels() {
        let pacer = Pacer::new(Pacing::custom(), None);
        for i in 0..100_000 {
            pacer.channel(&format!("c{i}"), far()).await.unwrap();
        }
        assert_eq!(pacer.tracked_channels(), 100_000, "all sent within the longest window");
        tokio::time::advance(longest_window() + SWEEP_EVERY).await;
        pacer.channel("now", far()).await.unwrap();
        assert_eq!(pacer.tracked_channels(), 1, "channels with no recent send are dropped");

        // A cancelled channel wait gives its place in the windows back.
        let start = Instant::now();
        for _ in 0..9 {
            pacer.channel("busy", far()).await.unwrap();
        }
        pacer.channel("busy", far()).await.unwrap(); // the 10th fits the first second
        let eleventh = tokio::time::timeout(Duration::from_millis(10), pacer.channel("busy", far())).await;
        assert!(eleventh.is_err(), "the 11th waits for the 1 s window, and is cancelled");
        pacer.channel("busy", far()).await.unwrap();
        assert!(start.elapsed() >= Duration::from_secs(1));
        assert!(start.elapsed() < Duration::from_millis(1_100), "not pushed back by the cancelled one");
    }

    #[tokio::test(start_paused = true)]
    async fn a_label_is_spaced_at_its_rate() {
        let pacer = Pacer::new(Pacing::custom().rate(RateLabel::Medium, 200), None);
        let own = pacer.account(None);
        let start = Instant::now();
        for _ in 0..2_000 {
            pacer.label(&own, RateLabel::Medium, far()).await.unwrap();
        }
        // 2,000 at 200/s: the last goes at 1,999 intervals of 5 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(5 * 1_999));
        pacer.label(&own, RateLabel::Heavy, far()).await.unwrap(); // no rate for Heavy: no wait
        assert_eq!(start.elapsed(), Duration::from_millis(5 * 1_999));
    }

    #[tokio::test(start_paused = true)]
    async fn channel_sends_wait_for_every_window() {
        let pacer = Pacer::new(Pacing::custom(), None);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..31 {
            pacer.channel("c1", far()).await.unwrap();
            times.push(start.elapsed());
        }
        assert_eq!(times[9], Duration::ZERO, "ten fit the first second");
        assert!(times[10] >= Duration::from_secs(1), "the 11th waits for the 1 s window: {:?}", times[10]);
        assert!(times[30] >= Duration::from_secs(10), "the 31st waits for the 10 s window: {:?}", times[30]);
        // Each window's rule holds over every stretch of the schedule.
        for (i, t) in times.iter().enumerate() {
            let in_last_second = times[..=i].iter().filter(|u| *t - **u < Duration::from_secs(1)).count();
            assert!(in_last_second <= 10, "{in_last_second} sends within a second at {t:?}");
        }
        let other = Instant::now();
        pacer.channel("c2", far()).await.unwrap();
        assert_eq!(other.elapsed(), Duration::ZERO, "channels are paced apart");
    }

    fn on(day: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(day).unwrap().with_timezone(&chrono::Utc)
    }

    /// Sends `n` calls of `account` at once, each one a task, and gives back the tasks that
    /// tell when each one went (from `start`).
    fn queue(
        pacer: &std::sync::Arc<Pacer>,
        account: &AccountKey,
        n: usize,
        start: Instant,
    ) -> Vec<tokio::task::JoinHandle<Duration>> {
        (0..n)
            .map(|_| {
                let (pacer, account) = (pacer.clone(), account.clone());
                tokio::spawn(async move {
                    pacer.label(&account, RateLabel::Medium, far()).await.unwrap();
                    start.elapsed()
                })
            })
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_saturated_account_does_not_hold_back_another() {
        let pacer = std::sync::Arc::new(Pacer::new(Pacing::plan(Plan::Free), Some("OWNACCT")));
        let (busy, quiet) = (pacer.account(Some("BUSYACCT")), pacer.account(Some("QUIETACCT")));
        let start = Instant::now();
        let queued = queue(&pacer, &busy, 20, start);
        tokio::task::yield_now().await; // every queued call has taken its slot
        let asked = start.elapsed();
        pacer.label(&quiet, RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), asked, "the quiet account's send goes at once");
        // The own account (user-level calls, calls that name none) has its own budget too.
        pacer.label(&pacer.account(None), RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), asked, "the client's own account is not behind the busy one either");
        let mut times = Vec::new();
        for t in queued {
            times.push(t.await.unwrap());
        }
        times.sort();
        let expected: Vec<Duration> = (0..20).map(|i| Duration::from_millis(500 * i)).collect();
        assert_eq!(times, expected, "the busy account's 20 sends go at Free's 2/s, one schedule");
    }

    #[tokio::test(start_paused = true)]
    async fn past_the_days_quota_a_send_is_refused_locally_for_that_account_only() {
        let pacer = Pacer::new(Pacing::plan(Plan::Free), None).with_clock(on("2026-11-22T10:00:00Z"));
        let (a, b) = (pacer.account(Some("ACCTA")), pacer.account(Some("ACCTB")));
        for _ in 0..2_000 {
            pacer.label(&a, RateLabel::Medium, far()).await.unwrap();
        }
        let before = Instant::now();
        let refused = pacer.label(&a, RateLabel::Medium, far()).await.unwrap_err();
        assert_eq!(before.elapsed(), Duration::ZERO, "refused at once, not held until tomorrow");
        match refused.into_error(Duration::ZERO) {
            Error::RateLimited { category, kind, retry_after, tracking_id } => {
                assert_eq!((category, kind.as_str()), (Some(RateLabel::Medium), "Daily-limit"));
                assert_eq!(retry_after, Some(RetryAfter::At(on("2026-11-23T00:00:00Z"))), "the next UTC midnight");
                assert_eq!(tracking_id, None, "nothing was sent");
            }
            other => panic!("{other:?}"),
        }
        pacer.label(&b, RateLabel::Medium, far()).await.expect("another account's quota is its own");
        pacer.label(&a, RateLabel::Light, far()).await.expect("another label's quota is its own");
        // After midnight (UTC) the account's count starts again.
        tokio::time::advance(Duration::from_secs(14 * 3_600)).await;
        pacer.label(&a, RateLabel::Medium, far()).await.expect("a new day");

        // A call refused for its deadline, or cancelled, does not count against the day.
        let pacer = Pacer::new(Pacing::plan(Plan::Free), None).with_clock(on("2026-11-22T10:00:00Z"));
        let c = pacer.account(Some("ACCTC"));
        for _ in 0..1_999 {
            pacer.label(&c, RateLabel::Medium, far()).await.unwrap();
        }
        let soon = Instant::now() + Duration::from_millis(100);
        assert_eq!(pacer.label(&c, RateLabel::Medium, soon).await, Err(NotPaced::PastDeadline));
        pacer.label(&c, RateLabel::Medium, far()).await.expect("the 2,000th still fits");
    }

    /// A hostile or broken `Retry-After` (a huge number, a date centuries ahead) neither
    /// panics on the clock nor stalls the account for more than `MAX_PUSH_BACK` (per second)
    /// or past the next midnight UTC (daily).
    #[tokio::test(start_paused = true)]
    async fn a_huge_retry_after_is_capped_and_never_overflows_the_clock() {
        let pacer = Pacer::new(Pacing::plan(Plan::Free), None).with_clock(on("2026-11-22T10:00:00Z"));
        let a = pacer.account(Some("ACCTA"));
        let huge = RetryAfter::Delay(Duration::from_secs(u64::MAX / 4));
        pacer.limited(&a, RateLabel::Medium, "QPS", Some(huge)).await;
        let start = Instant::now();
        pacer.label(&a, RateLabel::Medium, far()).await.unwrap();
        assert!(start.elapsed() <= MAX_PUSH_BACK, "{:?}", start.elapsed());
        let centuries = on("2500-01-01T00:00:00Z");
        pacer.limited(&a, RateLabel::Medium, "QPS", Some(RetryAfter::At(centuries))).await;
        pacer
            .limited(&a, RateLabel::Medium, "Daily-limit", Some(RetryAfter::Delay(Duration::from_secs(u64::MAX / 4))))
            .await;
        let refused = pacer.label(&a, RateLabel::Medium, far()).await.unwrap_err().into_error(Duration::ZERO);
        assert!(
            matches!(&refused, Error::RateLimited { retry_after: Some(RetryAfter::At(at)), .. } if *at <= on("2026-11-23T00:00:00Z")),
            "the day is spent until the next midnight at most: {refused:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pushes_back_that_accounts_schedule_only() {
        let pacer = Pacer::new(Pacing::plan(Plan::Pro), None).with_clock(on("2026-11-22T10:00:00Z"));
        let (a, b) = (pacer.account(Some("ACCTA")), pacer.account(Some("ACCTB")));
        pacer.label(&a, RateLabel::Medium, far()).await.unwrap();
        pacer.label(&b, RateLabel::Medium, far()).await.unwrap();
        let start = Instant::now();
        pacer.limited(&a, RateLabel::Medium, "QPS", Some(RetryAfter::Delay(Duration::from_secs(3)))).await;
        pacer.label(&b, RateLabel::Medium, far()).await.unwrap();
        assert!(start.elapsed() < Duration::from_millis(100), "B is not pushed back: {:?}", start.elapsed());
        pacer.label(&a, RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3), "A's next send waits for Retry-After");

        // A date (an HTTP date is read the same way) pushes back to that time.
        let start = Instant::now();
        let at = on("2026-11-22T10:00:10Z"); // 7 s after the clock's now (10:00:03)
        pacer.limited(&a, RateLabel::Medium, "QPS", Some(RetryAfter::At(at))).await;
        pacer.label(&a, RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(7));

        // A channel's 429 says nothing about the label's schedule.
        let start = Instant::now();
        pacer.limited(&a, RateLabel::Medium, "Channel-limit", Some(RetryAfter::Delay(Duration::from_secs(30)))).await;
        pacer.label(&a, RateLabel::Medium, far()).await.unwrap();
        assert!(start.elapsed() < Duration::from_millis(100), "{:?}", start.elapsed());

        // Zoom's daily 429 marks A's day as spent until the reset it names; B goes on.
        let reset = on("2026-11-23T00:00:00Z");
        pacer.limited(&a, RateLabel::Medium, "Daily-limit", Some(RetryAfter::At(reset))).await;
        let refused = pacer.label(&a, RateLabel::Medium, far()).await.unwrap_err().into_error(Duration::ZERO);
        assert!(
            matches!(&refused, Error::RateLimited { kind, retry_after: Some(RetryAfter::At(at)), .. }
                if kind == "Daily-limit" && *at == reset),
            "{refused:?}"
        );
        pacer.label(&b, RateLabel::Medium, far()).await.expect("B's day is not spent");
        tokio::time::advance(Duration::from_secs(14 * 3_600)).await;
        pacer.label(&a, RateLabel::Medium, far()).await.expect("after the reset A sends again");
    }

    #[tokio::test(start_paused = true)]
    async fn an_accounts_own_plan_sets_its_rate_and_quota() {
        let pacer = Pacer::new(Pacing::plan(Plan::Pro), None).with_clock(on("2026-11-22T10:00:00Z"));
        pacer.set_plan("FREEACCT", Plan::Free);
        let (free, pro) = (pacer.account(Some("FREEACCT")), pacer.account(Some("PROACCT")));
        let start = Instant::now();
        for _ in 0..3 {
            pacer.label(&free, RateLabel::Medium, far()).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1), "Free: 2/s");
        let start = Instant::now();
        for _ in 0..21 {
            pacer.label(&pro, RateLabel::Medium, far()).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1), "the default plan, Pro: 20/s");
        // Past its 2,000 a day, the Free account is refused; a Pro account has no daily quota.
        for _ in 3..2_000 {
            pacer.label(&free, RateLabel::Medium, far()).await.unwrap();
        }
        assert!(pacer.label(&free, RateLabel::Medium, far()).await.is_err());
        for _ in 21..2_100 {
            pacer.label(&pro, RateLabel::Medium, far()).await.unwrap();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn idle_accounts_are_swept_and_days_kept_only_for_accounts_that_sent_today() {
        let pacer = Pacer::new(Pacing::plan(Plan::Pro), None).with_clock(on("2026-11-22T10:00:00Z"));
        for i in 0..10_000 {
            pacer.label(&pacer.account(Some(&format!("A{i}"))), RateLabel::Medium, far()).await.unwrap();
        }
        assert_eq!(pacer.tracked_accounts(), 10_000);
        tokio::time::advance(SWEEP_EVERY).await;
        pacer.label(&pacer.account(Some("NOW")), RateLabel::Medium, far()).await.unwrap();
        assert_eq!(pacer.tracked_accounts(), 1, "accounts whose schedules are all past are dropped");

        // A Free account's day count is kept while it is its day, then dropped too.
        let pacer = Pacer::new(Pacing::plan(Plan::Free), None).with_clock(on("2026-11-22T10:00:00Z"));
        for i in 0..1_000 {
            pacer.label(&pacer.account(Some(&format!("F{i}"))), RateLabel::Medium, far()).await.unwrap();
        }
        tokio::time::advance(SWEEP_EVERY).await;
        pacer.label(&pacer.account(Some("NOW")), RateLabel::Medium, far()).await.unwrap();
        assert_eq!(pacer.tracked_accounts(), 1_001, "the day's counts of accounts that sent today stay");
        tokio::time::advance(Duration::from_secs(14 * 3_600)).await;
        pacer.label(&pacer.account(Some("NOW")), RateLabel::Medium, far()).await.unwrap();
        assert_eq!(pacer.tracked_accounts(), 1, "yesterday's counts go");

        // Channel windows are per account too, and swept with it.
        let pacer = Pacer::new(Pacing::custom(), Some("OWNACCT"));
        for i in 0..1_000 {
            pacer.channel(&format!("c{i}"), far()).await.unwrap();
        }
        assert_eq!((pacer.tracked_accounts(), pacer.tracked_channels()), (1, 1_000));
        tokio::time::advance(longest_window() + SWEEP_EVERY).await;
        pacer.label(&pacer.account(Some("OTHER")), RateLabel::Medium, far()).await.unwrap();
        assert_eq!((pacer.tracked_accounts(), pacer.tracked_channels()), (0, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn with_one_budget_every_account_waits_behind_the_busy_one() {
        let pacer = std::sync::Arc::new(Pacer::new(Pacing::plan(Plan::Free).one_budget(true), Some("OWNACCT")));
        let (busy, quiet) = (pacer.account(Some("BUSYACCT")), pacer.account(Some("QUIETACCT")));
        assert_eq!(busy, quiet, "one key for every account");
        pacer.learn_plan("BUSYACCT", Some(Plan::Pro));
        assert!(pacer.knows_plan("QUIETACCT"), "nothing to learn: the one budget keeps the pacing's plan");
        let start = Instant::now();
        let queued = queue(&pacer, &busy, 4, start);
        tokio::task::yield_now().await;
        pacer.label(&quiet, RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(2), "the quiet send waited for the four before it");
        for t in queued {
            t.await.unwrap();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_learned_plan_paces_its_account_and_goes_with_the_idle_account() {
        let pacer = Pacer::new(Pacing::plan(Plan::Business), None);
        // How long three Medium sends in `account` take.
        let three_sends = async |account: &str| {
            let account = pacer.account(Some(account));
            let start = Instant::now();
            for _ in 0..3 {
                pacer.label(&account, RateLabel::Medium, far()).await.unwrap();
            }
            start.elapsed()
        };
        assert!(!pacer.knows_plan("FREEACCT"));
        pacer.learn_plan("FREEACCT", Some(Plan::Free));
        assert!(pacer.knows_plan("FREEACCT"));
        assert_eq!(three_sends("FREEACCT").await, Duration::from_secs(1), "Free's 2/s, not Business's");

        // A Pro account (no daily count to keep) goes idle, and its learned plan with it; a
        // plan given by the app outranks the record's, and stays.
        pacer.learn_plan("RECACCT", Some(Plan::Pro));
        pacer.label(&pacer.account(Some("RECACCT")), RateLabel::Medium, far()).await.unwrap();
        pacer.set_plan("PROACCT", Plan::Pro);
        pacer.learn_plan("PROACCT", Some(Plan::Free));
        tokio::time::advance(SWEEP_EVERY * 2).await;
        pacer.label(&pacer.account(Some("NOW")), RateLabel::Medium, far()).await.unwrap();
        assert!(pacer.knows_plan("RECACCT"), "kept a while after the account went idle");
        tokio::time::advance(PLAN_KEPT).await;
        pacer.label(&pacer.account(Some("NOW")), RateLabel::Medium, far()).await.unwrap();
        assert!(!pacer.knows_plan("RECACCT"), "read again when the account is next active");
        assert!(pacer.knows_plan("FREEACCT"), "a Free account keeps its day's count, and its plan");
        assert!(pacer.knows_plan("PROACCT"));
        assert_eq!(three_sends("PROACCT").await, Duration::from_millis(100), "Pro's rate, not the record's Free");
    }

    #[tokio::test(start_paused = true)]
    async fn a_plan_learned_before_the_first_send_survives_a_sweep() {
        let pacer = Pacer::new(Pacing::plan(Plan::Business), None);
        pacer.learn_plan("FREEACCT", Some(Plan::Free));
        // Another account's send sweeps, long after the plan was read and before the
        // account's own first send.
        tokio::time::advance(SWEEP_EVERY * 2).await;
        pacer.label(&pacer.account(Some("OTHER")), RateLabel::Medium, far()).await.unwrap();
        let free = pacer.account(Some("FREEACCT"));
        let start = Instant::now();
        for _ in 0..3 {
            pacer.label(&free, RateLabel::Medium, far()).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1), "still Free's 2/s");
    }

    #[tokio::test(start_paused = true)]
    async fn with_one_budget_an_accounts_plan_or_removal_changes_nothing() {
        let pacer = Pacer::new(Pacing::plan(Plan::Pro).one_budget(true), None);
        pacer.set_plan("FREEACCT", Plan::Free);
        let start = Instant::now();
        for _ in 0..3 {
            pacer.label(&pacer.account(Some("OTHER")), RateLabel::Medium, far()).await.unwrap();
        }
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(100),
            "Pro's rate for all: one account's plan is not everyone's"
        );
        pacer.forget("GONE").await;
        assert_eq!(pacer.tracked_accounts(), 1, "one account's removal kept the one budget");
    }

    #[tokio::test(start_paused = true)]
    async fn forget_drops_an_accounts_state_and_plan() {
        let pacer = Pacer::new(Pacing::plan(Plan::Pro), None).with_clock(on("2026-11-22T10:00:00Z"));
        pacer.set_plan("GONE", Plan::Free);
        let gone = pacer.account(Some("GONE"));
        pacer.label(&gone, RateLabel::Medium, far()).await.unwrap();
        pacer.label(&pacer.account(Some("STAYS")), RateLabel::Medium, far()).await.unwrap();
        assert_eq!(pacer.tracked_accounts(), 2);
        pacer.forget("GONE").await;
        assert_eq!(pacer.tracked_accounts(), 1, "only the other account is left");
        let start = Instant::now();
        for _ in 0..3 {
            pacer.label(&gone, RateLabel::Medium, far()).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_millis(100), "no schedule left, and back on the default plan (Pro)");
    }

    #[test]
    fn account_keys_are_safe_in_redis_keys_and_tell_accounts_apart() {
        let pacer = Pacer::new(Pacing::plan(Plan::Pro), None);
        assert_eq!(pacer.account(Some("Wk9PTV9BQ0NPVU5UX0lE")).as_str(), "Wk9PTV9BQ0NPVU5UX0lE");
        assert_eq!(pacer.account(Some("a-b_c.d")).as_str(), "a-b_c.d");
        let odd = ["a:b", "a{b}", "a b", "a*", "~", "é", "a/b+c="];
        let keys: std::collections::HashSet<String> =
            odd.iter().map(|id| pacer.account(Some(id)).as_str().to_owned()).collect();
        assert_eq!(keys.len(), odd.len(), "distinct ids, distinct keys: {keys:?}");
        for key in &keys {
            assert!(key.starts_with('~') && key.len() == 33, "{key}");
            assert!(key[1..].chars().all(|c| c.is_ascii_hexdigit()), "{key}");
        }
        assert_eq!(pacer.account(None).as_str(), "~", "no account configured: a fixed key no id can take");
        assert_eq!(pacer.account(Some("")).as_str(), "~", "an empty id names no account");
        let configured = Pacer::new(Pacing::plan(Plan::Pro), Some("ACCT"));
        assert_eq!(configured.account(None), configured.account(Some("ACCT")), "the configured account is the own one");
    }
}
