//! Rate limits as Zoom applies them: per account and rate-limit label, by plan, with a daily
//! quota on the free plan; and, for user-level chat sends, per sender and channel.

use std::collections::{HashMap, VecDeque};

use super::capped::CappedMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use zoom_api_gen::operations::CHANNEL_SEND_WINDOWS;
pub use zoom_api_gen::operations::{Plan, RateLabel};

/// Why a request was limited, and what the 429 says about it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Limited {
    pub category: String,
    pub kind: &'static str,
    pub limit: u32,
    pub retry_after: RetryAfter,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RetryAfter {
    Seconds(u64),
    At(DateTime<Utc>),
}

/// The generic cell rate algorithm: `rate` per second with a burst of `rate`, so a client that
/// spaces its requests evenly at the rate is never refused.
#[derive(Debug)]
struct Gcra {
    interval: Duration,
    burst: u32,
    tat: Instant,
}

impl Gcra {
    fn new(rate: u32, now: Instant) -> Self {
        Self { interval: Duration::from_secs(1) / rate.max(1), burst: rate.max(1), tat: now }
    }

    /// `Ok(remaining)` or `Err(wait)`.
    fn check(&mut self, now: Instant) -> Result<u32, Duration> {
        let tolerance = self.interval * self.burst;
        let new_tat = self.tat.max(now) + self.interval;
        let ahead = new_tat - now;
        if ahead > tolerance {
            return Err(ahead - tolerance);
        }
        self.tat = new_tat;
        Ok(((tolerance - ahead).as_nanos() / self.interval.as_nanos().max(1)) as u32)
    }
}

#[derive(Debug, Default)]
struct ChannelWindow {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// All rate-limit state of one fake, kept per account as Zoom keeps it: each account's label
/// schedules (by its plan), its daily quotas and its senders' channel windows. An account's
/// plan is the caller's to say (it changes with the account).
#[derive(Debug)]
pub(crate) struct Limiter {
    overrides: HashMap<RateLabel, u32>,
    /// By account and label: bounded by the accounts the fake holds (only an account that
    /// exists and is authorised is counted) times the three labels.
    per_label: HashMap<(String, RateLabel), Gcra>,
    daily: HashMap<(String, RateLabel), (chrono::NaiveDate, u32)>,
    channel_limits: bool,
    /// By account, sender and channel.
    channels: CappedMap<(String, String, String), ChannelWindow>,
}

/// How many sender/channel windows are kept (over all accounts); past it, the one opened
/// longest ago goes.
const MAX_CHANNEL_WINDOWS: usize = 10_000;

impl Limiter {
    pub fn new(overrides: HashMap<RateLabel, u32>, channel_limits: bool) -> Self {
        Self {
            overrides,
            per_label: HashMap::new(),
            daily: HashMap::new(),
            channel_limits,
            channels: CappedMap::new(MAX_CHANNEL_WINDOWS),
        }
    }

    /// An account's plan changed: its schedules start again at the new rates.
    pub fn plan_changed(&mut self, account: &str) {
        self.per_label.retain(|(a, _), _| a != account);
    }

    pub fn set_rate(&mut self, label: RateLabel, per_second: u32) {
        self.overrides.insert(label, per_second);
        self.per_label.retain(|(_, l), _| *l != label);
    }

    fn per_second(&self, plan: Option<Plan>, label: RateLabel) -> Option<u32> {
        self.overrides.get(&label).copied().or_else(|| plan.map(|p| p.per_second(label)))
    }

    /// How many label schedules and daily counts are kept.
    #[cfg(test)]
    pub fn tracked_labels(&self) -> usize {
        self.per_label.len() + self.daily.len()
    }

    /// Counts one request of `label` for `account`, on `plan` (the account's).
    pub fn check_label(
        &mut self,
        account: &str,
        plan: Option<Plan>,
        label: RateLabel,
        now: Instant,
        today: DateTime<Utc>,
    ) -> Result<(), Limited> {
        if let Some(per_day) = plan.and_then(|p| p.per_day(label)) {
            let date = today.date_naive();
            let entry = self.daily.entry((account.to_owned(), label)).or_insert((date, 0));
            if entry.0 != date {
                *entry = (date, 0);
            }
            if entry.1 >= per_day {
                let midnight = date.succ_opt().unwrap_or(date).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
                return Err(Limited {
                    category: label.to_string(),
                    kind: "Daily-limit",
                    limit: per_day,
                    retry_after: RetryAfter::At(midnight),
                    message: format!(
                        "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request. ({label})"
                    ),
                });
            }
            entry.1 += 1;
        }
        let Some(rate) = self.per_second(plan, label) else { return Ok(()) };
        let gcra = self.per_label.entry((account.to_owned(), label)).or_insert_with(|| Gcra::new(rate, now));
        gcra.check(now).map(|_| ()).map_err(|wait| Limited {
            category: label.to_string(),
            kind: "QPS",
            limit: rate,
            retry_after: RetryAfter::Seconds(wait.as_secs_f64().ceil().max(1.0) as u64),
            message: "You have reached the maximum per-second rate limit for this API. Try again later.".into(),
        })
    }

    /// How many sender/channel windows are kept.
    #[cfg(test)]
    pub fn tracked_windows(&self) -> usize {
        self.channels.len()
    }

    /// Counts one user-level send by `sender` of `account` into `channel`.
    pub fn check_channel(&mut self, account: &str, sender: &str, channel: &str, now: Instant) -> Result<(), Limited> {
        if !self.channel_limits {
            return Ok(());
        }
        let longest = CHANNEL_SEND_WINDOWS.iter().map(|w| Duration::from_secs(w.seconds)).max().unwrap_or_default();
        let key = (account.to_owned(), sender.to_owned(), channel.to_owned());
        if !self.channels.contains_key(&key) {
            self.channels.insert(key.clone(), ChannelWindow::default());
        }
        let Some(window) = self.channels.get_mut(&key) else { return Ok(()) };
        if let Some(until) = window.blocked_until {
            if until > now {
                return Err(channel_limited(until - now, 0));
            }
            window.blocked_until = None;
        }
        while window.sent.front().is_some_and(|t| now - *t >= longest) {
            window.sent.pop_front();
        }
        for w in CHANNEL_SEND_WINDOWS {
            let span = Duration::from_secs(w.seconds);
            let in_window = window.sent.iter().rev().take_while(|t| now - **t < span).count();
            if in_window >= w.messages as usize {
                let block = Duration::from_secs(w.blocked_seconds);
                window.blocked_until = Some(now + block);
                return Err(channel_limited(block, w.messages));
            }
        }
        window.sent.push_back(now);
        Ok(())
    }
}

fn channel_limited(wait: Duration, limit: u32) -> Limited {
    Limited {
        category: "Medium".into(),
        kind: "Channel-limit",
        limit,
        retry_after: RetryAfter::Seconds(wait.as_secs_f64().ceil().max(1.0) as u64),
        message: "You are sending messages to this channel too quickly. Try again later.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcra_allows_a_burst_of_rate_then_one_per_interval() {
        let t0 = Instant::now();
        let mut g = Gcra::new(10, t0);
        for _ in 0..10 {
            assert!(g.check(t0).is_ok());
        }
        let wait = g.check(t0).unwrap_err();
        assert!(wait <= Duration::from_millis(100) && wait > Duration::ZERO, "{wait:?}");
        assert!(g.check(t0 + Duration::from_millis(100)).is_ok());
        assert!(g.check(t0 + Duration::from_millis(100)).is_err());
    }

    #[test]
    fn evenly_spaced_requests_at_the_rate_are_never_refused() {
        let t0 = Instant::now();
        let mut g = Gcra::new(200, t0);
        for i in 0..2_000u32 {
            assert!(g.check(t0 + Duration::from_millis(5) * i).is_ok(), "refused request {i}");
        }
    }

    #[test]
    fn free_plan_has_a_daily_quota_with_an_iso_retry_date() {
        let mut l = Limiter::new(HashMap::new(), true);
        let t0 = Instant::now();
        let day = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").unwrap().with_timezone(&Utc);
        let free = Some(Plan::Free);
        for i in 0..1_000u32 {
            l.check_label("a", free, RateLabel::Heavy, t0 + Duration::from_secs(i as u64), day).unwrap();
        }
        let err = l.check_label("a", free, RateLabel::Heavy, t0 + Duration::from_secs(2_000), day).unwrap_err();
        assert_eq!(err.kind, "Daily-limit");
        assert_eq!(err.retry_after, RetryAfter::At("2026-11-23T00:00:00Z".parse().unwrap()));
        // Another account's day is its own, and the next day starts again.
        l.check_label("b", free, RateLabel::Heavy, t0 + Duration::from_secs(2_000), day).unwrap();
        let tomorrow = day + chrono::Duration::days(1);
        l.check_label("a", free, RateLabel::Heavy, t0 + Duration::from_secs(3_000), tomorrow).unwrap();
    }

    #[test]
    fn each_account_has_its_own_schedule_by_its_own_plan() {
        let mut l = Limiter::new(HashMap::new(), true);
        let t0 = Instant::now();
        let day = Utc::now();
        // Free: two Medium calls at once, the third refused; Pro next to it takes twenty.
        for _ in 0..2 {
            l.check_label("free", Some(Plan::Free), RateLabel::Medium, t0, day).unwrap();
        }
        assert_eq!(l.check_label("free", Some(Plan::Free), RateLabel::Medium, t0, day).unwrap_err().kind, "QPS");
        for i in 0..20 {
            l.check_label("pro", Some(Plan::Pro), RateLabel::Medium, t0, day).unwrap_or_else(|e| panic!("{i}: {e:?}"));
        }
        assert!(l.check_label("pro", Some(Plan::Pro), RateLabel::Medium, t0, day).is_err());
        // No plan, no limit.
        for _ in 0..1_000 {
            l.check_label("none", None, RateLabel::Medium, t0, day).unwrap();
        }
    }

    /// A limiter that has let `me` send `n` messages in channel `c1` of account `a`, `every`
    /// apart from the instant it returns.
    fn after_sends(n: u32, every: Duration) -> (Limiter, Instant) {
        let mut l = Limiter::new(HashMap::new(), true);
        let t0 = Instant::now();
        for i in 0..n {
            l.check_channel("a", "me", "c1", t0 + every * i).unwrap();
        }
        (l, t0)
    }

    #[test]
    fn the_eleventh_message_in_a_second_blocks_the_channel_for_ten_seconds() {
        let (mut l, t0) = after_sends(10, Duration::from_millis(50));
        let err = l.check_channel("a", "me", "c1", t0 + Duration::from_millis(600)).unwrap_err();
        assert_eq!(err.retry_after, RetryAfter::Seconds(10));
        // Another channel, the same channel in another account, and the same channel after
        // the block, are free.
        l.check_channel("a", "me", "c2", t0 + Duration::from_millis(600)).unwrap();
        l.check_channel("b", "me", "c1", t0 + Duration::from_millis(600)).unwrap();
        assert!(l.check_channel("a", "me", "c1", t0 + Duration::from_secs(5)).is_err());
        l.check_channel("a", "me", "c1", t0 + Duration::from_millis(10_700)).unwrap();
    }

    #[test]
    fn thirty_one_in_ten_seconds_blocks_for_thirty() {
        let (mut l, t0) = after_sends(30, Duration::from_millis(300));
        let err = l.check_channel("a", "me", "c1", t0 + Duration::from_millis(9_100)).unwrap_err();
        assert_eq!(err.retry_after, RetryAfter::Seconds(30));
    }
}
