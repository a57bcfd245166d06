//! One error type for everything the client can meet.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// What went wrong. `Display` is meant for people; match on the variants in code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client refused to send: an input broke a rule it knows (nothing was sent).
    #[error("invalid {field}: {rule}")]
    InvalidInput {
        /// The field, as the request names it (`message`, `to_jid`, `content.body[2].value`).
        field: String,
        /// The rule it broke.
        rule: String,
    },

    /// Zoom answered with an error.
    #[error("Zoom refused the request: HTTP {status}, code {code}: {message}{}", tracking_suffix(.tracking_id))]
    Zoom {
        /// HTTP status.
        status: u16,
        /// Zoom's error code (7001, 124, 4131, ...).
        code: i64,
        /// Zoom's message.
        message: String,
        /// Per-field details, when Zoom gives them.
        field_errors: Vec<FieldError>,
        /// The `x-zm-trackingid` header, to quote to Zoom support.
        tracking_id: Option<String>,
    },

    /// Zoom refused for rate limiting, and retrying (if enabled) did not get through.
    #[error("rate limited by Zoom ({category} {kind}){}{}", retry_suffix(.retry_after), tracking_suffix(.tracking_id))]
    RateLimited {
        /// The rate-limit label (`X-RateLimit-Category`).
        category: String,
        /// Which limit (`X-RateLimit-Type`: `QPS`, `Daily-limit`, ...).
        kind: String,
        /// When Zoom said to try again.
        retry_after: Option<RetryAfter>,
        /// The `x-zm-trackingid` header.
        tracking_id: Option<String>,
    },

    /// Getting or renewing a token failed (bad credentials, revoked refresh token, ...).
    #[error("authentication failed: {reason}")]
    Auth {
        /// The OAuth error (`invalid_client`, `invalid_grant`, ...), or what went wrong.
        error: String,
        /// Zoom's explanation. Never contains a secret.
        reason: String,
        /// HTTP status of the OAuth answer, if there was one.
        status: Option<u16>,
    },

    /// The request could not be sent or its answer not read.
    #[error("could not reach Zoom: {0}")]
    Transport(#[source] reqwest::Error),

    /// Zoom answered something this client could not read.
    #[error("unexpected answer from Zoom (HTTP {status}): {detail}")]
    UnexpectedResponse {
        /// HTTP status.
        status: u16,
        /// What was wrong with it.
        detail: String,
    },

    /// The configuration is incomplete or contradictory (nothing was sent).
    #[error("configuration: {0}")]
    Config(String),

    /// The token request this call waited for failed; the caller that made it got the full
    /// error. Waiting calls share one failure, so that many calls against an OAuth host that
    /// is down make one token request, not one each.
    #[error("no token: {reason}")]
    TokenUnavailable {
        /// Why the token request failed.
        reason: String,
        /// Whether that failure may pass (a transport failure, a 5xx).
        retryable: bool,
    },

    /// The call's overall deadline ([`RetryPolicy::deadline`](crate::retry::RetryPolicy))
    /// would pass before its next wait or retry ended.
    #[error("gave up after {elapsed:?}: the next wait would end past the call's deadline")]
    Deadline {
        /// How long the call had run.
        elapsed: Duration,
    },

    /// The state shared by replicas (Redis, with the `redis` feature) could not be used, and
    /// the store is set to fail closed (`OnUnavailable::FailClosed`): nothing was sent.
    #[error("shared state unavailable ({operation}): {reason}")]
    SharedState {
        /// What needed it: `token`, `rate budget`, `event de-duplication`.
        operation: &'static str,
        /// Why it could not be used.
        reason: String,
    },
}

/// A decoding error of an answer, fit to show in an error or a log: serde quotes the value it
/// could not read (which may be a token), so quoted values are left out; field names, which
/// serde writes in backticks, stay.
pub(crate) fn decoding_error(e: &serde_json::Error) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in e.to_string().chars() {
        match (c, quoted) {
            ('"', false) => {
                out.push_str("\"…");
                quoted = true;
            }
            ('"', true) => {
                out.push('"');
                quoted = false;
            }
            (c, false) => out.push(c),
            (_, true) => {}
        }
    }
    out
}

/// The error bodies of Zoom's endpoint families, read the same way.
pub(crate) trait ErrorBody {
    fn code(&self) -> i64;
    fn message(&self) -> String;
    fn field_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

impl ErrorBody for zoom_api_gen::types::ChatbotError {
    fn code(&self) -> i64 {
        self.code.into()
    }
    fn message(&self) -> String {
        self.message.clone()
    }
}

impl ErrorBody for zoom_api_gen::types::ApiError {
    fn code(&self) -> i64 {
        self.code.into()
    }
    fn message(&self) -> String {
        self.message.clone()
    }
    fn field_errors(&self) -> Vec<FieldError> {
        self.errors.clone()
    }
}

/// Zoom's refusal, from its status, headers and error body: a 429 as [`Error::RateLimited`]
/// (with Zoom's `X-RateLimit-*` and `Retry-After`), anything else as [`Error::Zoom`] (with
/// the field errors when the body has them), both with the tracking id. The one place an
/// error answer becomes an `Error`, for generated and hand-written calls alike.
pub(crate) fn refusal(status: u16, headers: &reqwest::header::HeaderMap, body: impl ErrorBody) -> Error {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let tracking_id = header(zoom_api_gen::TRACKING_ID_HEADER);
    if status == 429 {
        return Error::RateLimited {
            category: header("x-ratelimit-category").unwrap_or_default(),
            kind: header("x-ratelimit-type").unwrap_or_default(),
            retry_after: header("retry-after").as_deref().and_then(RetryAfter::parse),
            tracking_id,
        };
    }
    Error::Zoom { status, code: body.code(), message: body.message(), field_errors: body.field_errors(), tracking_id }
}

/// One field Zoom rejected: the spec's generated `ApiFieldError` (`field`, `message`).
pub use zoom_api_gen::types::ApiFieldError as FieldError;

/// When Zoom said a rate-limited request may be tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// After this long.
    Delay(Duration),
    /// At this time (daily limits name the reset time).
    At(DateTime<Utc>),
}

impl RetryAfter {
    /// Reads a `Retry-After` header: seconds, an HTTP date, or an ISO-8601 date-time.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Self::Delay(Duration::from_secs(seconds)));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(value) {
            return Some(Self::At(at.with_timezone(&Utc)));
        }
        DateTime::parse_from_rfc2822(value).ok().map(|at| Self::At(at.with_timezone(&Utc)))
    }

    /// How long to wait from `now`.
    pub fn delay_from(self, now: DateTime<Utc>) -> Duration {
        match self {
            Self::Delay(d) => d,
            Self::At(at) => (at - now).to_std().unwrap_or(Duration::ZERO),
        }
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Delay(d) => write!(f, "{} s", d.as_secs()),
            Self::At(at) => write!(f, "{}", at.to_rfc3339()),
        }
    }
}

fn tracking_suffix(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" (tracking id {id})")).unwrap_or_default()
}

fn retry_suffix(r: &Option<RetryAfter>) -> String {
    r.map(|r| format!(", retry after {r}")).unwrap_or_default()
}

impl Error {
    pub(crate) fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self::InvalidInput { field: field.into(), rule: rule.into() }
    }

    /// Whether trying the same call again later may succeed: rate limits, Zoom's 5xx
    /// answers and transport failures. Invalid input, refusals and bad credentials are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Transport(_) | Self::SharedState { .. } => true,
            Self::TokenUnavailable { retryable, .. } => *retryable,
            Self::Zoom { status, .. } | Self::UnexpectedResponse { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Zoom's error code, when Zoom answered with one.
    pub fn zoom_code(&self) -> Option<i64> {
        match self {
            Self::Zoom { code, .. } => Some(*code),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The `x-zm-trackingid` of Zoom's answer, when there was one.
    pub fn tracking_id(&self) -> Option<&str> {
        match self {
            Self::Zoom { tracking_id, .. } | Self::RateLimited { tracking_id, .. } => tracking_id.as_deref(),
            _ => None,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
