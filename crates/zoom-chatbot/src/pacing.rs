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

use std::collections::{HashMap, VecDeque};
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
#[derive(Debug)]
pub(crate) struct Pacer {
    pacing: Pacing,
    /// Per label, the time the next request may go.
    next: Mutex<HashMap<RateLabel, Instant>>,
    /// Per channel, the times of recent user-level sends (reserved ones included).
    channels: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Pacer {
    pub fn new(pacing: Pacing) -> Self {
        Self { pacing, next: Mutex::new(HashMap::new()), channels: Mutex::new(HashMap::new()) }
    }

    /// Waits for this request's turn under its label's rate.
    pub async fn label(&self, label: RateLabel) {
        let Some(rate) = self.pacing.per_second(label) else { return };
        let interval = Duration::from_secs(1) / rate;
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = next.get(&label).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(label, slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Waits until one more user-level send fits every window of `channel`.
    pub async fn channel(&self, channel: &str) {
        if !self.pacing.channel_windows {
            return;
        }
        let slot = {
            let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let sent = channels.entry(channel.to_owned()).or_default();
            let longest = CHANNEL_SEND_WINDOWS.iter().map(|w| Duration::from_secs(w.seconds)).max().unwrap_or_default();
            while sent.front().is_some_and(|t| *t + longest <= now) {
                sent.pop_front();
            }
            // The earliest time at which each window holds fewer than its limit. A small margin
            // keeps clock granularity from landing exactly on Zoom's boundary.
            let margin = Duration::from_millis(20);
            let slot = CHANNEL_SEND_WINDOWS
                .iter()
                .filter_map(|w| {
                    let n = w.messages as usize;
                    (sent.len() >= n).then(|| sent[sent.len() - n] + Duration::from_secs(w.seconds) + margin)
                })
                .fold(now, Instant::max);
            sent.push_back(slot);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_label_is_spaced_at_its_rate() {
        let pacer = Pacer::new(Pacing::custom().rate(RateLabel::Medium, 200));
        let start = Instant::now();
        for _ in 0..2_000 {
            pacer.label(RateLabel::Medium).await;
        }
        // 2,000 at 200/s: the last goes at 1,999 intervals of 5 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(5 * 1_999));
        pacer.label(RateLabel::Heavy).await; // no rate for Heavy: no wait
        assert_eq!(start.elapsed(), Duration::from_millis(5 * 1_999));
    }

    #[tokio::test(start_paused = true)]
    async fn channel_sends_wait_for_every_window() {
        let pacer = Pacer::new(Pacing::custom());
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..31 {
            pacer.channel("c1").await;
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
        pacer.channel("c2").await;
        assert_eq!(other.elapsed(), Duration::ZERO, "channels are paced apart");
    }
}
