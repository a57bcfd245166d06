//! What the fake keeps of its deliveries: the bot the page acts on, and the latest events
//! delivered to bots with each answer, for the page.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

/// A bot's endpoint that passed the URL-validation handshake.
#[derive(Clone)]
pub struct BotEndpoint {
    url: String,
    secret: String,
    timeout: Duration,
}

impl fmt::Debug for BotEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotEndpoint").field("url", &self.url).field("secret", &"[redacted]").finish()
    }
}

impl BotEndpoint {
    /// An endpoint at `url`, signed for with `secret`, given `timeout` to answer an event.
    pub(crate) fn new(url: &str, secret: &str, timeout: Duration) -> Self {
        Self { url: url.to_owned(), secret: secret.to_owned(), timeout }
    }

    /// The endpoint's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }

    /// How long a delivery waits for its answer.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// The bot the page acts on.
#[derive(Clone, Debug, Default)]
pub(crate) enum PageBot {
    /// None yet: the page offers to connect one.
    #[default]
    None,
    /// Named, not yet validated (it may start after the fake): validated at the first action.
    Pending(BotEndpoint),
    /// Validated.
    Connected(BotEndpoint),
}

/// One event the fake delivered to a bot, as the page lists it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// When it was sent.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The event's name ([`EventKind::as_str`](zoom_api_gen::events::EventKind::as_str):
    /// `bot_notification`, ...), or the page's action (`click`, ...) that was refused before it
    /// became an event.
    pub event: String,
    /// What the user did: the command's text, the button's value, the new text...
    pub detail: String,
    /// The status the bot answered, or why there was no answer.
    pub outcome: Result<u16, String>,
    /// How long the bot took to answer.
    pub elapsed: Duration,
}

/// How many deliveries the fake remembers for the page.
pub(crate) const KEEP_DELIVERIES: usize = 200;

/// The latest deliveries, oldest first, at most [`KEEP_DELIVERIES`].
#[derive(Debug, Default)]
pub(crate) struct Deliveries(VecDeque<Delivery>);

impl Deliveries {
    /// Keeps `delivery`, dropping the oldest past the cap.
    pub fn record(&mut self, delivery: Delivery) {
        self.0.push_back(delivery);
        while self.0.len() > KEEP_DELIVERIES {
            self.0.pop_front();
        }
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Delivery> + ExactSizeIterator {
        self.0.iter()
    }
}

/// How many Team Chat events wait for delivery at most (past it, the oldest goes).
pub(crate) const KEEP_OUTBOX: usize = 256;

/// The Team Chat events a change of the state made, waiting to be delivered to the page's
/// bot after the change's answer (`team_chat.rs`).
#[derive(Debug, Default)]
pub(crate) struct Outbox(VecDeque<zoom_api_gen::types::ZoomEvent>);

impl Outbox {
    /// Queues `event` (past [`KEEP_OUTBOX`], the oldest goes).
    pub(crate) fn push(&mut self, event: zoom_api_gen::types::ZoomEvent) {
        if self.0.len() == KEEP_OUTBOX {
            self.0.pop_front();
        }
        self.0.push_back(event);
    }

    /// Takes every queued event, oldest first.
    pub(crate) fn take(&mut self) -> Vec<zoom_api_gen::types::ZoomEvent> {
        self.0.drain(..).collect()
    }

    /// How many wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
