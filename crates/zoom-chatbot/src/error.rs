//! One error type for everything the client can meet, and the one place Zoom's answers and
//! the generated client's failures become it (`refusal`, `zoom_error`).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use zoom_api_gen::operations::RateLabel;

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
    #[error("rate limited by Zoom ({}{kind}){}{}", category_prefix(.category), retry_suffix(.retry_after), tracking_suffix(.tracking_id))]
    RateLimited {
        /// The rate-limit label (`X-RateLimit-Category`), when Zoom named one this client
        /// knows (the pacing's labels).
        category: Option<RateLabel>,
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
    #[error("unexpected answer from Zoom{}: {detail}", status_suffix(.status))]
    UnexpectedResponse {
        /// HTTP status, when the answer's status is known (not for a body that did not fit
        /// its type, or a failure the generated client reports without one).
        status: Option<u16>,
        /// What was wrong with it.
        detail: String,
    },

    /// A setting the call needs was not given (nothing was sent).
    #[error("configuration: {setting} is needed: {rule}")]
    MissingSetting {
        /// The setting.
        setting: Setting,
        /// What needs it, and how to give it.
        rule: String,
    },

    /// A setting was given but breaks a rule (nothing was sent).
    #[error("configuration: {setting}: {rule}")]
    InvalidSetting {
        /// The setting.
        setting: Setting,
        /// The rule it breaks.
        rule: String,
    },

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

    /// Zoom's answer redirected a call to a host the bearer may not go to (neither one of
    /// Zoom's `https` hosts nor a configured base URL's origin): it was not followed, and
    /// nothing was sent there.
    #[error("a redirect to {origin} was not followed: the token goes only to Zoom's hosts and the configured ones")]
    UntrustedRedirect {
        /// The origin (scheme, host and port) the answer named; never its path or query.
        origin: String,
    },

    /// A file given as a one-shot stream had to be sent again (a retry after a 429, a
    /// redirect) after its bytes had gone: a stream cannot be read twice, so the call stops.
    /// A path or bytes are read again on every attempt.
    #[error("the file's stream was already sent and cannot be sent again ({why})")]
    StreamSpent {
        /// What needed it again: `retry` or `redirect`.
        why: &'static str,
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

/// A setting of the client (or of a shared store) that a configuration error names; its
/// `Display` names the environment variable or builder method that gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The app's client id (`ZOOM_CLIENT_ID`, `ClientBuilder::credentials`).
    ClientId,
    /// The app's client secret (`ZOOM_CLIENT_SECRET`, `ClientBuilder::credentials`).
    ClientSecret,
    /// The account (`ZOOM_ACCOUNT_ID`, `ClientBuilder::account_id`).
    AccountId,
    /// The bot's JID (`ZOOM_ROBOT_JID`, `ClientBuilder::robot_jid`).
    RobotJid,
    /// The API's base URL (`ZOOM_API_URL`, `ClientBuilder::api_url`).
    ApiUrl,
    /// The OAuth host's base URL (`ZOOM_OAUTH_URL`, `ClientBuilder::oauth_url`).
    OAuthUrl,
    /// The incoming-webhook host's base URL (`ZOOM_WEBHOOK_URL`, `ClientBuilder::webhook_url`).
    WebhookUrl,
    /// The file host's base URL (`ZOOM_FILE_URL`, `ClientBuilder::file_url`).
    FileUrl,
    /// Where chatbot tokens come from: the app's credentials, or `ClientBuilder::bot_tokens`.
    BotTokens,
    /// Where the user-level chat API's tokens come from: the account id with the app's
    /// credentials (server-to-server), or `ClientBuilder::chat_tokens`.
    ChatTokens,
    /// The Redis URL of a shared store (`RedisStore::builder`, the `redis` feature).
    RedisUrl,
}

impl Setting {
    /// The `ZOOM_*` variable `from_env` reads it from, if any.
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            Self::ClientId => Some("ZOOM_CLIENT_ID"),
            Self::ClientSecret => Some("ZOOM_CLIENT_SECRET"),
            Self::AccountId => Some("ZOOM_ACCOUNT_ID"),
            Self::RobotJid => Some("ZOOM_ROBOT_JID"),
            Self::ApiUrl => Some("ZOOM_API_URL"),
            Self::OAuthUrl => Some("ZOOM_OAUTH_URL"),
            Self::WebhookUrl => Some("ZOOM_WEBHOOK_URL"),
            Self::FileUrl => Some("ZOOM_FILE_URL"),
            Self::BotTokens | Self::ChatTokens | Self::RedisUrl => None,
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::ClientId => "the client id",
            Self::ClientSecret => "the client secret",
            Self::AccountId => "the account id",
            Self::RobotJid => "the bot's JID",
            Self::ApiUrl => "the API URL",
            Self::OAuthUrl => "the OAuth URL",
            Self::WebhookUrl => "the incoming-webhook URL",
            Self::FileUrl => "the file host URL",
            Self::BotTokens => {
                return f.write_str(
                    "a chatbot token source (the client id and secret: ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET; or ClientBuilder::bot_tokens)",
                );
            }
            Self::ChatTokens => {
                return f.write_str(
                    "a chat token source (the account id ZOOM_ACCOUNT_ID with the client id and secret; or ClientBuilder::chat_tokens)",
                );
            }
            Self::RedisUrl => return f.write_str("the Redis URL"),
        };
        match self.env_var() {
            Some(var) => write!(f, "{name} ({var})"),
            None => f.write_str(name),
        }
    }
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
            category: header("x-ratelimit-category").as_deref().and_then(RateLabel::parse),
            kind: header("x-ratelimit-type").unwrap_or_default(),
            retry_after: header("retry-after").as_deref().and_then(RetryAfter::parse),
            tracking_id,
        };
    }
    Error::Zoom { status, code: body.code(), message: body.message(), field_errors: body.field_errors(), tracking_id }
}

/// Turns what a generated call returned into this crate's [`Error`]: Zoom's refusals through
/// [`refusal`], a failure the policy met through its stand-in answer ([`PolicyFailure`]).
pub(crate) fn zoom_error<E: ErrorBody>(e: zoom_api_gen::Error<E>) -> Error {
    use zoom_api_gen::Error as G;
    match e {
        G::ErrorResponse(rv) => {
            let (status, headers) = (rv.status().as_u16(), rv.headers().clone());
            refusal(status, &headers, rv.into_inner())
        }
        G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => Error::Transport(e),
        G::InvalidRequest(why) => Error::invalid("request", why),
        G::UnexpectedResponse(r) => PolicyFailure::take(&r).unwrap_or_else(|| Error::UnexpectedResponse {
            status: Some(r.status().as_u16()),
            detail: "undocumented status".into(),
        }),
        // The answer's bytes are never shown: only what did not fit.
        G::InvalidResponsePayload(_, e) => Error::UnexpectedResponse {
            status: None,
            detail: format!("the answer does not fit its type ({})", decoding_error(&e)),
        },
        G::Custom(why) => Error::UnexpectedResponse { status: None, detail: why },
    }
}

/// The status of the stand-in answer a request policy gives when it has no answer from Zoom.
pub(crate) const STAND_IN: u16 = 599;

/// A failure a request policy met that a `reqwest` result cannot carry (a token that could
/// not be had). It rides in the extensions of the stand-in answer, which every generated call
/// hands back untouched as an undocumented response; [`PolicyFailure::take`] gets it out again.
#[derive(Clone)]
pub(crate) struct PolicyFailure(Arc<Mutex<Option<Error>>>);

impl PolicyFailure {
    /// The stand-in answer that carries `failure`.
    pub(crate) fn stand_in(failure: Error) -> reqwest::Response {
        let stand_in = http::Response::builder()
            .status(STAND_IN)
            .extension(PolicyFailure(Arc::new(Mutex::new(Some(failure)))))
            .body(bytes::Bytes::new())
            .expect("a valid response");
        reqwest::Response::from(stand_in)
    }

    /// The failure behind a stand-in answer, if `response` is one.
    pub(crate) fn take(response: &reqwest::Response) -> Option<Error> {
        if response.status().as_u16() != STAND_IN {
            return None;
        }
        let failure = response.extensions().get::<PolicyFailure>()?;
        failure.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
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

fn category_prefix(category: &Option<RateLabel>) -> String {
    category.map(|c| format!("{c} ")).unwrap_or_default()
}

fn status_suffix(status: &Option<u16>) -> String {
    status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
}

fn retry_suffix(r: &Option<RetryAfter>) -> String {
    r.map(|r| format!(", retry after {r}")).unwrap_or_default()
}

/// A malformed id (read by `zoom_api_gen::ids`) is invalid input, naming its field and rule.
impl From<zoom_api_gen::ids::IdError> for Error {
    fn from(e: zoom_api_gen::ids::IdError) -> Self {
        Self::InvalidInput { field: e.field.to_owned(), rule: e.rule }
    }
}

impl Error {
    pub(crate) fn missing(setting: Setting, rule: impl Into<String>) -> Self {
        Self::MissingSetting { setting, rule: rule.into() }
    }

    pub(crate) fn invalid_setting(setting: Setting, rule: impl Into<String>) -> Self {
        Self::InvalidSetting { setting, rule: rule.into() }
    }

    pub(crate) fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self::InvalidInput { field: field.into(), rule: rule.into() }
    }

    /// Whether trying the same call again later may succeed: rate limits, Zoom's 5xx
    /// answers and transport failures. Invalid input, refusals and bad credentials are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Transport(_) | Self::SharedState { .. } => true,
            Self::TokenUnavailable { retryable, .. } => *retryable,
            Self::Zoom { status, .. } => *status >= 500,
            Self::UnexpectedResponse { status, .. } => status.is_some_and(|s| s >= 500),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> reqwest::header::HeaderMap {
        pairs.iter().map(|(k, v)| (reqwest::header::HeaderName::from_static(k), v.parse().unwrap())).collect()
    }

    fn body() -> zoom_api_gen::types::ApiError {
        serde_json::from_value(serde_json::json!({"code": 429, "message": "Too many requests"})).unwrap()
    }

    #[test]
    fn a_429_names_its_label_as_the_pacing_does_and_an_unknown_one_as_none() {
        let named = [("x-ratelimit-category", "heavy"), ("x-ratelimit-type", "QPS"), ("x-zm-trackingid", "v=2.0;t")];
        let err = refusal(429, &headers(&named), body());
        assert!(
            matches!(&err, Error::RateLimited { category: Some(RateLabel::Heavy), kind, tracking_id: Some(t), .. }
                if kind == "QPS" && t == "v=2.0;t"),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "rate limited by Zoom (Heavy QPS) (tracking id v=2.0;t)");
        let unknown = refusal(429, &headers(&[("x-ratelimit-category", "Resource-intensive")]), body());
        assert!(matches!(unknown, Error::RateLimited { category: None, .. }), "{unknown:?}");
    }

    #[test]
    fn an_answer_without_a_status_says_none_and_is_not_retried() {
        let err = Error::UnexpectedResponse { status: None, detail: "the answer does not fit its type".into() };
        assert_eq!(err.to_string(), "unexpected answer from Zoom: the answer does not fit its type");
        assert!(!err.is_retryable());
        let err = Error::UnexpectedResponse { status: Some(502), detail: "undocumented status".into() };
        assert_eq!(err.to_string(), "unexpected answer from Zoom (HTTP 502): undocumented status");
        assert!(err.is_retryable());
    }

    #[test]
    fn a_configuration_error_names_the_setting_its_variable_and_the_rule() {
        let err = Error::missing(Setting::AccountId, "chatbot messages name their account");
        assert_eq!(
            err.to_string(),
            "configuration: the account id (ZOOM_ACCOUNT_ID) is needed: chatbot messages name their account"
        );
        let err = Error::invalid_setting(Setting::OAuthUrl, "is not a URL (relative URL without a base)");
        assert_eq!(
            err.to_string(),
            "configuration: the OAuth URL (ZOOM_OAUTH_URL): is not a URL (relative URL without a base)"
        );
        assert!(Setting::BotTokens.to_string().contains("ZOOM_CLIENT_ID"));
        assert_eq!(Setting::BotTokens.env_var(), None);
    }
}
