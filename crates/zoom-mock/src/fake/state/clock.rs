//! The fake's clock: the real time, moved on by `advance`, and held still while paused, so a
//! test can step through rate-limit windows, quotas and schedules without waiting or racing.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

/// How far the clock may go ahead of the real time: a century.
const MAX_AHEAD: Duration = Duration::from_secs(100 * 366 * 24 * 3600);

#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// How far the clock is ahead of the real time.
    ahead: Duration,
    /// The real time it was paused at.
    paused: Option<(Instant, DateTime<Utc>)>,
}

impl Clock {
    /// The time of day, for dates, schedules and daily quotas.
    pub fn now(&self) -> DateTime<Utc> {
        let base = self.paused.map_or_else(Utc::now, |(_, at)| at);
        base + TimeDelta::from_std(self.ahead).unwrap_or(TimeDelta::MAX)
    }

    /// The monotonic time, for rate-limit windows.
    pub fn instant(&self) -> Instant {
        let base = self.paused.map_or_else(Instant::now, |(at, _)| at);
        base + self.ahead
    }

    /// Held to a century ahead, so that the times read from it never overflow.
    pub fn advance(&mut self, by: Duration) {
        self.ahead = self.ahead.saturating_add(by).min(MAX_AHEAD);
    }

    pub fn pause(&mut self) {
        if self.paused.is_none() {
            self.paused = Some((Instant::now(), Utc::now()));
        }
    }

    /// Runs again at the real time plus what `advance` added: the clock catches up on the
    /// time it stood still, so it never goes back and is never behind the real time.
    pub fn resume(&mut self) {
        self.paused = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_moves_only_when_advanced() {
        let mut clock = Clock::default();
        clock.pause();
        let (t0, d0) = (clock.instant(), clock.now());
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!((clock.instant(), clock.now()), (t0, d0));
        clock.advance(Duration::from_secs(10));
        assert_eq!(clock.instant() - t0, Duration::from_secs(10));
        assert_eq!(clock.now() - d0, TimeDelta::seconds(10));
    }

    #[test]
    fn an_advance_past_a_century_stops_there_and_the_clock_still_reads() {
        let mut clock = Clock::default();
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);
        assert!(clock.now() - Utc::now() > TimeDelta::days(36_500));
        assert!(clock.instant() > Instant::now());
    }

    #[test]
    fn a_resumed_clock_catches_up_and_keeps_what_was_advanced() {
        let mut clock = Clock::default();
        clock.pause();
        clock.advance(Duration::from_secs(60));
        let paused_at = clock.instant();
        std::thread::sleep(Duration::from_millis(20));
        clock.resume();
        let after = clock.instant();
        assert!(after - paused_at >= Duration::from_millis(20), "it caught up on the pause");
        assert!(after >= Instant::now() + Duration::from_secs(59), "it kept the minute advanced");
    }
}
