//! Receiving Zoom's events safely: the signature checked on the raw bytes, in constant time,
//! within a replay window; the endpoint's URL-validation handshake answered; the event read
//! into the type the spec defines, or kept whole if it is one this version does not know.
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use zoom_chatbot::SecretString;
//! use zoom_chatbot::webhook::{Event, Verifier, sign};
//!
//! let secret = SecretString::from("app-secret-token".to_owned());
//! let verifier = Verifier::new(secret.clone());
//! let body = br#"{"event":"endpoint.url_validation","payload":{"plainToken":"abc"}}"#;
//! let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
//! // What Zoom sends: a timestamp and `v0=` + hex HMAC of `v0:{timestamp}:{body}`.
//! let signature = sign(&secret, now, body);
//!
//! let event = verifier.verify_and_parse(Some(&now.to_string()), Some(&signature), body).unwrap();
//! let Event::Known(known) = event else { panic!("a known event") };
//! let zoom_chatbot::types::ZoomEvent::EndpointUrlValidation { payload, .. } = *known else { panic!() };
//! let answer = verifier.url_validation(&payload.plain_token);
//! assert_eq!(answer.plain_token, "abc");
//! assert_eq!(answer.encrypted_token.len(), 64);
//! ```

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use zoom_api_gen::events::{EventKind, PayloadVisitor};
use zoom_api_gen::types;

use crate::macros::setters;

/// The header with the request's time, in seconds since the epoch.
pub const TIMESTAMP_HEADER: &str = "x-zm-request-timestamp";
/// The header with `v0=` and the hex HMAC-SHA256 signature.
pub const SIGNATURE_HEADER: &str = "x-zm-signature";
/// The header with Zoom's id of the delivery (in Zoom's example of a webhook's headers).
pub const REQUEST_ID_HEADER: &str = "x-zm-request-id";
/// How far a request's timestamp may be from now, by default.
pub const DEFAULT_REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Why a request was refused. None of them carries the secret or the expected signature.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A header Zoom always sends is missing.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// The timestamp header is not a number of seconds.
    #[error("the {TIMESTAMP_HEADER} header is not a number of seconds")]
    MalformedTimestamp,
    /// The timestamp is older than the replay window allows.
    #[error("the request is {age_secs} s old, more than the {window_secs} s the replay window allows")]
    StaleTimestamp {
        /// How old.
        age_secs: u64,
        /// The window.
        window_secs: u64,
    },
    /// The timestamp is further in the future than the replay window allows.
    #[error(
        "the request is dated {ahead_secs} s in the future, more than the {window_secs} s the replay window allows"
    )]
    FutureTimestamp {
        /// How far ahead.
        ahead_secs: u64,
        /// The window.
        window_secs: u64,
    },
    /// The signature does not match the body and timestamp.
    #[error("the signature does not match the request")]
    BadSignature,
    /// The body is signed correctly but is not a JSON event.
    #[error("the body is not a Zoom event: {0}")]
    MalformedBody(String),
    /// This exact signed request was already received within the replay window: a replay.
    #[error("the request was already received (a replay)")]
    Replayed,
}

/// An event as received: one the spec defines, one whose name the spec defines but whose body
/// does not fit it, or one this version does not know, kept whole. Its `Debug` shows the
/// event as JSON with its `callback_token` redacted.
#[derive(Clone, PartialEq)]
pub enum Event {
    /// A known event (boxed: events are large, and most of an `Event`'s life is a move).
    Known(Box<types::ZoomEvent>),
    /// An event the spec names whose body does not fit the spec's shape: reported, never
    /// taken for an unknown event.
    Malformed(Box<MalformedEvent>),
    /// An event this version does not know: its name, if any, and the whole body. Never an
    /// error, so new Zoom events do not break a bot.
    Unknown {
        /// The `event` field.
        event: Option<String>,
        /// The whole body.
        body: serde_json::Value,
    },
}

/// A known event whose body does not fit the spec: which field, and what serde said. Its
/// `Debug` redacts the body's `callback_token`.
#[derive(Clone, PartialEq)]
pub struct MalformedEvent {
    /// The event's kind, which its name gave.
    pub event: EventKind,
    /// The field that does not fit, as a path (`payload.selectedItems[0].value`); `.` for
    /// the event itself.
    pub field: String,
    /// What is wrong with it.
    pub error: String,
    /// The whole body.
    pub body: serde_json::Value,
}

/// The fields of an event that are secrets: a callback's bearer token.
const SECRET_FIELDS: [&str; 1] = ["callback_token"];

/// `value` with every secret field, at any depth, replaced by `"[redacted]"`: what `Debug`
/// shows of an event.
pub(crate) fn redacted(mut value: serde_json::Value) -> serde_json::Value {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    if SECRET_FIELDS.contains(&key.as_str()) && !inner.is_null() {
                        *inner = serde_json::Value::from("[redacted]");
                    } else {
                        walk(inner);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// A known event as `Debug` shows it: its JSON, redacted.
pub(crate) struct RedactedEvent<'e>(pub &'e types::ZoomEvent);

impl std::fmt::Debug for RedactedEvent<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self.0) {
            Ok(value) => write!(f, "{}", redacted(value)),
            Err(_) => f.write_str("ZoomEvent { .. }"),
        }
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Known(event) => f.debug_tuple("Known").field(&RedactedEvent(event)).finish(),
            Self::Malformed(malformed) => f.debug_tuple("Malformed").field(malformed).finish(),
            Self::Unknown { event, body } => f
                .debug_struct("Unknown")
                .field("event", event)
                .field("body", &format_args!("{}", redacted(body.clone())))
                .finish(),
        }
    }
}

impl std::fmt::Debug for MalformedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MalformedEvent")
            .field("event", &self.event)
            .field("field", &self.field)
            .field("error", &self.error)
            .field("body", &format_args!("{}", redacted(self.body.clone())))
            .finish()
    }
}

impl std::fmt::Display for MalformedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a {} event does not fit the spec at {}: {}", self.event, self.field, self.error)
    }
}

/// Checks and reads Zoom's requests with the app's secret token. Clones share one replay
/// cache: a signed request is taken once within the replay window.
#[derive(Clone)]
pub struct Verifier {
    secret: SecretString,
    /// The secret token before a rotation, still taken for what it signed.
    previous: Option<SecretString>,
    window: Duration,
    seen: Arc<Mutex<ReplayCache>>,
}

/// The signatures taken within the replay window, oldest first, at most `capacity`.
#[derive(Debug)]
struct ReplayCache {
    capacity: usize,
    signatures: HashSet<String>,
    order: VecDeque<(u64, String)>,
}

/// How many signatures the replay cache holds by default: five minutes at over 300 events a
/// second. Past it the oldest are forgotten (a replay of one of those is still refused once
/// it falls out of the window).
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

impl ReplayCache {
    fn new(capacity: usize) -> Self {
        Self { capacity: capacity.max(1), signatures: HashSet::new(), order: VecDeque::new() }
    }

    /// Records `signature`, sent at `at`; false when it was already recorded.
    fn first_time(&mut self, signature: &str, at: u64, now: u64, window_secs: u64) -> bool {
        while let Some((t, _)) = self.order.front()
            && (t.saturating_add(window_secs) < now || self.order.len() >= self.capacity)
        {
            if let Some((_, old)) = self.order.pop_front() {
                self.signatures.remove(&old);
            }
        }
        if !self.signatures.insert(signature.to_owned()) {
            return false;
        }
        self.order.push_back((at, signature.to_owned()));
        true
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &"[redacted]")
            .field("previous", &self.previous.as_ref().map(|_| "[redacted]"))
            .field("window", &self.window)
            .finish()
    }
}

/// Zoom's signature of a request: `v0=` + hex(HMAC-SHA256(secret, `v0:{timestamp}:{body}`)).
/// The fake Zoom and tests sign with it; bots only verify.
pub fn sign(secret: &SecretString, timestamp: u64, body: &[u8]) -> String {
    zoom_signature::signature(secret.expose_secret().as_bytes(), &timestamp.to_string(), body)
}

impl Verifier {
    /// A verifier for the app's secret token, with a five-minute replay window.
    pub fn new(secret: SecretString) -> Self {
        let seen = Arc::new(Mutex::new(ReplayCache::new(DEFAULT_REPLAY_CAPACITY)));
        Self { secret, previous: None, window: DEFAULT_REPLAY_WINDOW, seen }
    }

    setters! {
        /// Also takes requests signed with `previous`, the secret token before a rotation: after
        /// the app's secret token is regenerated, deliveries signed with the old one may still
        /// arrive (retries, events in flight). The handshake is answered with the new secret only.
        /// Drop it once the old secret's deliveries are past (the replay window, plus Zoom's
        /// retries).
        ///
        /// ```
        /// use zoom_chatbot::SecretString;
        /// use zoom_chatbot::webhook::{Verifier, sign};
        ///
        /// let (old, new) = (SecretString::from("old".to_owned()), SecretString::from("new".to_owned()));
        /// let verifier = Verifier::new(new.clone()).previous_secret(old.clone());
        /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        /// let body = br#"{"event":"bot_notification"}"#;
        /// assert!(verifier.verify(Some(&now.to_string()), Some(&sign(&old, now, body)), body).is_ok());
        /// assert!(verifier.verify(Some(&now.to_string()), Some(&sign(&new, now, b"{}")), b"{}").is_ok());
        /// ```
        pub fn previous_secret(previous: SecretString) => previous = Some(previous);
    }

    setters! {
        /// How far from now a request's timestamp may be.
        pub fn replay_window(window: Duration) => window = window;
    }

    /// How many signatures the replay cache holds (default [`DEFAULT_REPLAY_CAPACITY`]).
    pub fn replay_capacity(mut self, capacity: usize) -> Self {
        self.seen = Arc::new(Mutex::new(ReplayCache::new(capacity)));
        self
    }

    /// Checks a request: both headers present, the timestamp within the window of `now`, and
    /// the signature right for the raw body (compared in constant time).
    pub fn verify_at(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), VerifyError> {
        let timestamp = timestamp.ok_or(VerifyError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = signature.ok_or(VerifyError::MissingHeader(SIGNATURE_HEADER))?;
        let at: u64 = timestamp.trim().parse().map_err(|_| VerifyError::MalformedTimestamp)?;
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let window_secs = self.window.as_secs();
        if now > at && now - at > window_secs {
            return Err(VerifyError::StaleTimestamp { age_secs: now - at, window_secs });
        }
        if at > now && at - now > window_secs {
            return Err(VerifyError::FutureTimestamp { ahead_secs: at - now, window_secs });
        }
        // Signed with the timestamp exactly as sent, as Zoom signed it; by the current secret,
        // or by the one before a rotation. Each comparison is in constant time.
        let signature = signature.trim().as_bytes();
        let matches = |secret: &SecretString| {
            let expected = zoom_signature::signature(secret.expose_secret().as_bytes(), timestamp, body);
            bool::from(expected.as_bytes().ct_eq(signature)).then_some(expected)
        };
        let Some(expected) = matches(&self.secret).or_else(|| self.previous.as_ref().and_then(matches)) else {
            return Err(VerifyError::BadSignature);
        };
        // Only a request that is Zoom's is remembered, so forged ones cannot fill the cache.
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.first_time(&expected, at, now, window_secs) { Ok(()) } else { Err(VerifyError::Replayed) }
    }

    /// [`verify_at`](Self::verify_at) the current time.
    pub fn verify(&self, timestamp: Option<&str>, signature: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
        self.verify_at(timestamp, signature, body, SystemTime::now())
    }

    /// Checks a request, then reads its event.
    pub fn verify_and_parse(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<Event, VerifyError> {
        self.verify(timestamp, signature, body)?;
        parse_event(body)
    }

    /// The answer to `endpoint.url_validation`: the plain token and its HMAC under the secret.
    pub fn url_validation(&self, plain_token: &str) -> types::UrlValidationResponse {
        types::UrlValidationResponse {
            plain_token: plain_token.to_owned(),
            encrypted_token: zoom_signature::hmac_hex(self.secret.expose_secret().as_bytes(), plain_token.as_bytes()),
        }
    }
}

/// Reads an event body (already verified): a known event, a known one that does not fit
/// (with the field), or an unknown one kept whole. Only a body that is not a JSON object is an
/// error.
pub fn parse_event(body: &[u8]) -> Result<Event, VerifyError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| VerifyError::MalformedBody(e.to_string()))?;
    if !value.is_object() {
        return Err(VerifyError::MalformedBody("an event is a JSON object".into()));
    }
    let kind = value.get("event").and_then(|e| e.as_str()).map(|name| name.parse::<EventKind>());
    let Some(Ok(kind)) = kind else {
        let event = value.get("event").and_then(|e| e.as_str()).map(str::to_owned);
        return Ok(Event::Unknown { event, body: value });
    };
    match serde_json::from_value::<types::ZoomEvent>(value.clone()) {
        Ok(event) => Ok(Event::Known(Box::new(event))),
        Err(error) => {
            let located = value.get("payload").and_then(|payload| kind.visit_payload(Locate(payload)));
            let (field, error) = located.unwrap_or_else(|| (".".to_owned(), error.to_string()));
            Ok(Event::Malformed(Box::new(MalformedEvent { event: kind, field, error, body: value })))
        }
    }
}

/// Where a known event's payload breaks its shape, as (field path, error). Serde reads the
/// event through its `event` tag, which loses the path, so the payload is read again alone,
/// by the generated type its kind names.
struct Locate<'a>(&'a serde_json::Value);

impl PayloadVisitor for Locate<'_> {
    type Output = Option<(String, String)>;

    fn visit<P: serde::de::DeserializeOwned>(self) -> Self::Output {
        let error = serde_path_to_error::deserialize::<_, P>(self.0).err()?;
        let path = error.path().to_string();
        let field = if path == "." { "payload".to_owned() } else { format!("payload.{path}") };
        Some((field, error.into_inner().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        SecretString::from("Jefe".to_owned())
    }

    /// A verifier on [`secret`] that has just taken `body`, signed (`good`) at `t`, the second
    /// of `now`.
    struct Verified {
        v: Verifier,
        body: &'static [u8],
        now: SystemTime,
        t: u64,
        good: String,
    }

    fn verified() -> Verified {
        let v = Verifier::new(secret());
        let body = br#"{"event":"bot_installed","payload":{"accountId":"a","robotJid":"b@xmpp.zoom.us"}}"#;
        let now = SystemTime::now();
        let t = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let good = sign(&secret(), t, body);
        assert_eq!(v.verify_at(Some(&t.to_string()), Some(&good), body, now), Ok(()));
        Verified { v, body, now, t, good }
    }

    #[test]
    fn hmac_matches_rfc4231() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let v = Verifier::new(secret());
        assert_eq!(
            v.url_validation("what do ya want for nothing?").encrypted_token,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn during_a_rotation_both_secrets_verify_and_the_handshake_uses_the_new_one() {
        let (old, new, other) = (secret(), SecretString::from("new".to_owned()), SecretString::from("x".to_owned()));
        let body = br#"{"event":"bot_installed"}"#;
        let now = SystemTime::now();
        let t = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let at = Some(t.to_string());
        let only_new = Verifier::new(new.clone());
        assert_eq!(
            only_new.verify_at(at.as_deref(), Some(&sign(&old, t, body)), body, now),
            Err(VerifyError::BadSignature)
        );
        let rotating = Verifier::new(new.clone()).previous_secret(old.clone());
        assert_eq!(rotating.verify_at(at.as_deref(), Some(&sign(&old, t, body)), body, now), Ok(()));
        assert_eq!(rotating.verify_at(at.as_deref(), Some(&sign(&new, t, b"{}")), b"{}", now), Ok(()));
        assert_eq!(
            rotating.verify_at(at.as_deref(), Some(&sign(&other, t, body)), body, now),
            Err(VerifyError::BadSignature)
        );
        // A replay under the old secret is still a replay.
        assert_eq!(
            rotating.verify_at(at.as_deref(), Some(&sign(&old, t, body)), body, now),
            Err(VerifyError::Replayed)
        );
        assert_eq!(rotating.url_validation("p").encrypted_token, only_new.url_validation("p").encrypted_token);
        assert!(!format!("{rotating:?}").contains("Jefe"));
    }

    #[test]
    fn each_rule_has_its_error() {
        let Verified { v, body, now, t, good } = verified();
        assert_eq!(v.verify_at(None, Some(&good), body, now), Err(VerifyError::MissingHeader(TIMESTAMP_HEADER)));
        assert_eq!(v.verify_at(Some("1"), None, body, now), Err(VerifyError::MissingHeader(SIGNATURE_HEADER)));
        assert_eq!(v.verify_at(Some("soon"), Some(&good), body, now), Err(VerifyError::MalformedTimestamp));
        let old = t - 301;
        assert_eq!(
            v.verify_at(Some(&old.to_string()), Some(&sign(&secret(), old, body)), body, now),
            Err(VerifyError::StaleTimestamp { age_secs: 301, window_secs: 300 })
        );
        let ahead = t + 400;
        assert!(matches!(
            v.verify_at(Some(&ahead.to_string()), Some(&sign(&secret(), ahead, body)), body, now),
            Err(VerifyError::FutureTimestamp { ahead_secs: 400, .. })
        ));
        let wider = Verifier::new(secret()).replay_window(Duration::from_secs(600));
        assert_eq!(wider.verify_at(Some(&old.to_string()), Some(&sign(&secret(), old, body)), body, now), Ok(()));
        let other = sign(&SecretString::from("other".to_owned()), t, body);
        assert_eq!(v.verify_at(Some(&t.to_string()), Some(&other), body, now), Err(VerifyError::BadSignature));
        assert_eq!(v.verify_at(Some(&(t - 1).to_string()), Some(&good), body, now), Err(VerifyError::BadSignature));
    }

    #[test]
    fn the_same_signed_request_twice_is_a_replay() {
        let Verified { v, body, now, t, good } = verified();
        assert_eq!(v.clone().verify_at(Some(&t.to_string()), Some(&good), body, now), Err(VerifyError::Replayed));
        // Another body, or the same body at another second, is another request.
        let next = sign(&secret(), t + 1, body);
        assert_eq!(v.verify_at(Some(&(t + 1).to_string()), Some(&next), body, now), Ok(()));
        // A forged request is refused for its signature and leaves no trace.
        assert_eq!(v.verify_at(Some(&t.to_string()), Some("v0=00"), body, now), Err(VerifyError::BadSignature));
        // The cache holds at most its capacity.
        let small = Verifier::new(secret()).replay_capacity(2);
        for i in 0..10u64 {
            let b = format!("{{\"n\":{i}}}");
            let s = sign(&secret(), t, b.as_bytes());
            assert_eq!(small.verify_at(Some(&t.to_string()), Some(&s), b.as_bytes(), now), Ok(()));
        }
        assert!(small.seen.lock().unwrap().order.len() <= 2);
    }

    #[test]
    fn unknown_events_are_kept_whole() {
        let body = br#"{"event":"team_chat.something_new","payload":{"x":1}}"#;
        match parse_event(body).unwrap() {
            Event::Unknown { event, body } => {
                assert_eq!(event.as_deref(), Some("team_chat.something_new"));
                assert_eq!(body["payload"]["x"], 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_event(b"[1,2]"), Err(VerifyError::MalformedBody(_))));
        assert!(matches!(parse_event(b"{oops"), Err(VerifyError::MalformedBody(_))));
    }

    #[test]
    fn a_button_click_reads_into_its_type() {
        let body = br#"{"event":"interactive_message_actions","event_ts":1,"payload":{"accountId":"a","robotJid":"b@xmpp.zoom.us",
            "toJid":"c@conference.xmpp.zoom.us","userJid":"u@xmpp.zoom.us","messageId":"M1",
            "actionItem":{"text":"Deploy","value":"deploy","style":"Primary"},"original":{"head":{"text":"Build"}}}}"#;
        let Event::Known(known) = parse_event(body).unwrap() else { panic!("not known") };
        let types::ZoomEvent::InteractiveMessageActions { payload, .. } = *known else { panic!("not a click") };
        assert_eq!(payload.action_item.value, "deploy");
        assert_eq!(payload.message_id, "M1");
    }

    #[test]
    fn no_error_shows_the_secret_or_the_expected_signature() {
        let v = Verifier::new(SecretString::from("s3cr3t-value".to_owned()));
        let body = b"{}";
        let now = SystemTime::now();
        let t = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let expected = sign(&SecretString::from("s3cr3t-value".to_owned()), t, body);
        let err = v.verify_at(Some(&t.to_string()), Some("v0=00"), body, now).unwrap_err();
        for shown in [format!("{err}"), format!("{err:?}"), format!("{v:?}")] {
            assert!(!shown.contains("s3cr3t-value") && !shown.contains(&expected[3..]), "{shown}");
        }
    }
}
