//! Opt-in pacing: the client (and all its clones) stays under Zoom's limits instead of
//! meeting 429s. Requests of each rate-limit label are spaced evenly at the plan's rate, and
//! user-level sends also wait for room in the per-channel windows. The numbers come from the
//! spec (`x-rate-limits`), the same numbers the fake Zoom enforces.
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
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use zoom_api_gen::operations::CHANNEL_SEND_WINDOWS;
pub use zoom_api_gen::operations::{Plan, RateLabel};

/// Which limits to keep under.
#[derive(Clone, Debug, PartialEq)]
pub struct Pacing {
    plan: Option<Plan>,
    rates: HashMap<RateLabel, u32>,
    channel_windows: bool,
}

impl Pacing {
    /// The limits of a plan, and the per-channel send windows.
    pub fn plan(plan: Plan) -> Self {
        Self { plan: Some(plan), rates: HashMap::new(), channel_windows: true }
    }

    /// No plan: only the rates set with [`rate`](Self::rate), and the channel windows.
    pub fn custom() -> Self {
        Self { plan: None, rates: HashMap::new(), channel_windows: true }
    }

    /// An explicit per-second rate for a label (for example what your account really has).
    pub fn rate(mut self, label: RateLabel, per_second: u32) -> Self {
        self.rates.insert(label, per_second.max(1));
        self
    }

    /// Whether user-level sends wait for room in the per-channel windows (default on).
    pub fn channel_windows(mut self, on: bool) -> Self {
        self.channel_windows = on;
        self
    }

    /// The rate kept for a label, if any.
    pub fn per_second(&self, label: RateLabel) -> Option<u32> {
        self.rates.get(&label).copied().or_else(|| self.plan.map(|p| p.per_second(label)))
    }
}

/// The shared state of pacing; one per client, shared by its clones.
///
/// Every wait is a reservation of a slot. A call cancelled while it waits (its future
/// dropped, a timeout) gives its slot back, so the calls behind it do not wait for a request
/// that never goes. Per-channel state is kept only for channels with sends in the longest
/// window, so it stays bounded however many channels a client writes to.
#[derive(Debug)]
pub(crate) struct Pacer {
    pacing: Pacing,
    labels: Mutex<HashMap<RateLabel, LabelSlots>>,
    channels: Mutex<Channels>,
    /// The budget shared by the replicas, when there is one; the local schedule is then only
    /// the fallback.
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::RedisStore>,
}

/// A label's schedule: the next free slot, and slots given back by cancelled calls.
#[derive(Debug)]
struct LabelSlots {
    next: Instant,
    freed: BinaryHeap<Reverse<Instant>>,
}

/// Recent user-level sends per channel (reserved ones included), and when the map was last
/// swept of channels with none.
#[derive(Debug)]
struct Channels {
    sent: HashMap<String, VecDeque<Instant>>,
    swept: Instant,
}

/// How often the channel map drops channels with no send in the longest window.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Why a call was not paced through.
#[derive(Debug)]
pub(crate) enum NotPaced {
    /// Its slot would come after the call's deadline: the wait was not begun.
    PastDeadline,
    /// The shared budget could not be reached, and its store fails closed.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Unavailable(crate::Error),
}

impl PartialEq for NotPaced {
    fn eq(&self, other: &Self) -> bool {
        matches!((self, other), (Self::PastDeadline, Self::PastDeadline))
    }
}

impl NotPaced {
    /// The error of a call that was not paced through, after `elapsed`.
    pub(crate) fn into_error(self, elapsed: Duration) -> crate::Error {
        match self {
            Self::PastDeadline => crate::Error::Deadline { elapsed },
            Self::Unavailable(e) => e,
        }
    }
}

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
    Label(RateLabel, Duration),
    Channel(String),
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
    pub fn new(pacing: Pacing) -> Self {
        let channels = Channels { sent: HashMap::new(), swept: Instant::now() };
        Self {
            pacing,
            labels: Mutex::new(HashMap::new()),
            channels: Mutex::new(channels),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// Paces against the budget the replicas share in `store` (falling back to this local
    /// schedule as the store's policy says).
    #[cfg(feature = "redis")]
    pub fn shared(mut self, store: crate::shared::RedisStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// Waits for a slot of the shared schedule, if there is one. `None`: pace locally (no
    /// shared budget, or it is unreachable and the store falls back).
    #[cfg(feature = "redis")]
    async fn shared_wait(
        &self,
        deadline: Instant,
        reserve: impl AsyncFnOnce(&crate::shared::RedisStore, Duration) -> crate::Result<crate::shared::Reserved>,
    ) -> Option<Result<(), NotPaced>> {
        use crate::shared::Reserved;
        let store = self.shared.as_ref()?;
        match reserve(store, deadline.saturating_duration_since(Instant::now())).await {
            Ok(Reserved::After(wait)) => {
                tokio::time::sleep(wait).await;
                Some(Ok(()))
            }
            Ok(Reserved::PastDeadline) => Some(Err(NotPaced::PastDeadline)),
            Err(e) => store.fallback("rate budget", e).map(|e| Err(NotPaced::Unavailable(e))),
        }
    }

    /// Waits for this request's turn under its label's rate, unless the turn would come
    /// after `deadline` (then nothing is held).
    pub async fn label(&self, label: RateLabel, deadline: Instant) -> Result<(), NotPaced> {
        let Some(rate) = self.pacing.per_second(label) else { return Ok(()) };
        let interval = Duration::from_secs(1) / rate;
        #[cfg(feature = "redis")]
        if let Some(paced) =
            self.shared_wait(deadline, async |store, max| store.reserve_label(label, interval, max).await).await
        {
            return paced;
        }
        let at = {
            let mut labels = self.labels.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slots = labels.entry(label).or_insert_with(|| LabelSlots { next: now, freed: BinaryHeap::new() });
            while slots.freed.peek().is_some_and(|Reverse(t)| *t < now) {
                slots.freed.pop();
            }
            match slots.freed.pop() {
                Some(Reverse(freed)) => freed,
                None => {
                    let at = slots.next.max(now);
                    slots.next = at + interval;
                    at
                }
            }
        };
        Reservation { pacer: self, slot: Slot::Label(label, interval), at, used: false }.wait(deadline).await
    }

    /// Waits until one more user-level send fits every window of `channel`, unless that is
    /// after `deadline` (then nothing is held).
    pub async fn channel(&self, channel: &str, deadline: Instant) -> Result<(), NotPaced> {
        if !self.pacing.channel_windows {
            return Ok(());
        }
        #[cfg(feature = "redis")]
        {
            let windows: Vec<(u32, Duration)> =
                CHANNEL_SEND_WINDOWS.iter().map(|w| (w.messages, Duration::from_secs(w.seconds))).collect();
            let reserve = async |store: &crate::shared::RedisStore, max| {
                store.reserve_channel(channel, &windows, SHARED_WINDOW_MARGIN, max).await
            };
            if let Some(paced) = self.shared_wait(deadline, reserve).await {
                return paced;
            }
        }
        let at = {
            let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let longest = longest_window();
            if now.duration_since(channels.swept) >= SWEEP_EVERY {
                channels.sent.retain(|_, sent| sent.back().is_some_and(|t| *t + longest > now));
                channels.swept = now;
            }
            let sent = channels.sent.entry(channel.to_owned()).or_default();
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
        Reservation { pacer: self, slot: Slot::Channel(channel.to_owned()), at, used: false }.wait(deadline).await
    }

    /// Takes back the slot of a call that went away before its time.
    fn give_back(&self, slot: &Slot, at: Instant) {
        match slot {
            Slot::Label(label, interval) => {
                let mut labels = self.labels.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(slots) = labels.get_mut(label) {
                    if slots.next == at + *interval {
                        slots.next = at; // the last slot: the schedule simply shortens
                    } else {
                        slots.freed.push(Reverse(at)); // a hole the next call fills
                    }
                }
            }
            Slot::Channel(channel) => {
                let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(sent) = channels.sent.get_mut(channel)
                    && let Some(i) = sent.iter().rposition(|t| *t == at)
                {
                    sent.remove(i);
                }
            }
        }
    }

    /// How many channels the pacer keeps state for.
    #[cfg(test)]
    fn tracked_channels(&self) -> usize {
        self.channels.lock().unwrap_or_else(|e| e.into_inner()).sent.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(86_400)
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_gives_its_slot_back() {
        let pacer = Pacer::new(Pacing::custom().rate(RateLabel::Medium, 1));
        let start = Instant::now();
        pacer.label(RateLabel::Medium, far()).await.unwrap(); // at 0 s
        // The next slot is at 1 s; this call is cancelled at 0.5 s, before its turn.
        let cancelled = tokio::time::timeout(Duration::from_millis(500), pacer.label(RateLabel::Medium, far())).await;
        assert!(cancelled.is_err());
        pacer.label(RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(1), "the next call takes the given-back slot");

        // A hole in the middle of the schedule is filled too.
        let a = pacer.label(RateLabel::Medium, far()); // 2 s
        let b = pacer.label(RateLabel::Medium, far()); // 3 s
        let (mut a, mut b) = (Box::pin(a), Box::pin(b));
        use futures_util::FutureExt as _;
        assert!((&mut a).now_or_never().is_none() && (&mut b).now_or_never().is_none(), "both wait");
        drop(a);
        pacer.label(RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(2), "the freed 2 s slot is reused");
        b.await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_past_the_deadline_is_not_begun_and_holds_nothing() {
        let pacer = Pacer::new(Pacing::custom().rate(RateLabel::Medium, 1));
        let start = Instant::now();
        pacer.label(RateLabel::Medium, far()).await.unwrap();
        let soon = Instant::now() + Duration::from_millis(500);
        assert_eq!(pacer.label(RateLabel::Medium, soon).await, Err(NotPaced::PastDeadline));
        assert_eq!(start.elapsed(), Duration::ZERO, "refused at once");
        pacer.label(RateLabel::Medium, far()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(1), "the refused call held no slot");
    }

    #[tokio::test(start_paused = true)]
    async fn channel_state_is_kept_only_for_recent_channels() {
        let pacer = Pacer::new(Pacing::custom());
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
        let pacer = Pacer::new(Pacing::custom().rate(RateLabel::Medium, 200));
        let start = Instant::now();
        for _ in 0..2_000 {
            pacer.label(RateLabel::Medium, far()).await.unwrap();
        }
        // 2,000 at 200/s: the last goes at 1,999 intervals of 5 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(5 * 1_999));
        pacer.label(RateLabel::Heavy, far()).await.unwrap(); // no rate for Heavy: no wait
        assert_eq!(start.elapsed(), Duration::from_millis(5 * 1_999));
    }

    #[tokio::test(start_paused = true)]
    async fn channel_sends_wait_for_every_window() {
        let pacer = Pacer::new(Pacing::custom());
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
}
