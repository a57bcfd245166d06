//! The HTTP side shared by all handlers: the raw request, Zoom's three error shapes, the
//! rate-limit answer, and the pipeline every API call goes through (token, rate limit,
//! validation) before its handler touches the state.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use zoom_api_gen::operations::{OperationId, Tag};
use zoom_api_gen::types;

use super::limits::{Limited, RetryAfter};
use super::ops::{Invalid, operations};
use super::shared::Shared;
use super::state::{State, TokenInfo, TokenKind};

/// The largest body the fake reads.
const MAX_BODY: usize = 1 << 20;

/// A request as it arrived: the fake parses and judges it itself, so that every refusal is
/// worded as Zoom words it (an extractor's own rejection would not be).
pub(crate) struct Incoming {
    pub path: String,
    pub headers: HeaderMap,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Incoming {
    type Rejection = Response;

    async fn from_request(req: Request, _: &S) -> Result<Self, Response> {
        Self::read(req, MAX_BODY)
            .await
            .ok_or_else(|| (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response())
    }
}

impl Incoming {
    /// Reads a request whose body is at most `limit` bytes; `None` for a larger one.
    pub async fn read(req: Request, limit: usize) -> Option<Self> {
        let (parts, body) = req.into_parts();
        let query = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned().collect();
        let body = axum::body::to_bytes(body, limit).await.ok()?;
        Some(Self { path: parts.uri.path().to_owned(), headers: parts.headers, query, body })
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Which of Zoom's error shapes an endpoint answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorShape {
    /// `{code, message, result}`.
    Chatbot,
    /// `{code, message, errors?}`.
    Api,
}

impl ErrorShape {
    /// The shape of an operation's errors: the chatbot API's for the chatbot's operations, the
    /// REST API's for the others.
    pub fn of(op: OperationId) -> Self {
        if matches!(op.info().tag, Tag::Chatbot) { Self::Chatbot } else { Self::Api }
    }
}

pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, axum::Json(body)).into_response()
}

pub(crate) fn error(shape: ErrorShape, status: StatusCode, code: i32, message: impl Into<String>) -> Response {
    let message = message.into();
    match shape {
        ErrorShape::Chatbot => json(status, &types::ChatbotError { code, message, result: Some(false) }),
        ErrorShape::Api => json(status, &types::ApiError { code, message, errors: Vec::new() }),
    }
}

pub(crate) fn oauth_error(status: StatusCode, error: &str, reason: impl Into<String>) -> Response {
    json(status, &types::OAuthError { error: error.into(), reason: reason.into() })
}

/// A 429 as Zoom sends it: the shape's error body and the `X-RateLimit-*` headers.
pub(crate) fn limited(shape: ErrorShape, l: Limited) -> Response {
    let mut response = error(shape, StatusCode::TOO_MANY_REQUESTS, 429, l.message);
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set("x-ratelimit-category", l.category);
    set("x-ratelimit-type", l.kind.to_owned());
    set("x-ratelimit-limit", l.limit.to_string());
    set("x-ratelimit-remaining", "0".to_owned());
    set(
        "retry-after",
        match l.retry_after {
            RetryAfter::Seconds(s) => s.to_string(),
            RetryAfter::At(at) => at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
    );
    response
}

/// A request refused by validation, as each shape words it.
pub(crate) fn validation_error(shape: ErrorShape, invalid: Invalid) -> Response {
    match (shape, invalid) {
        (ErrorShape::Chatbot, Invalid::Malformed(why)) => {
            error(shape, StatusCode::BAD_REQUEST, 7001, format!("Invalid request body: {why}."))
        }
        (ErrorShape::Api, Invalid::Malformed(why)) => {
            error(shape, StatusCode::BAD_REQUEST, 300, format!("Invalid request body: {why}."))
        }
        (ErrorShape::Chatbot, Invalid::Rules(v)) => {
            let list: Vec<String> = v.iter().map(ToString::to_string).collect();
            error(shape, StatusCode::BAD_REQUEST, 7001, format!("Invalid parameter: {}.", list.join("; ")))
        }
        (ErrorShape::Api, Invalid::Rules(v)) => {
            let list: Vec<String> = v.iter().map(ToString::to_string).collect();
            json(
                StatusCode::BAD_REQUEST,
                &types::ApiError {
                    code: 300,
                    message: format!("Validation Failed. {}.", list.join("; ")),
                    errors: v.into_iter().map(|v| types::ApiFieldError { field: v.path, message: v.rule }).collect(),
                },
            )
        }
    }
}

/// A refusal for one field breaking one rule.
pub(crate) fn invalid_field(shape: ErrorShape, field: &str, rule: &str) -> Response {
    validation_error(shape, Invalid::Rules(vec![zoom_spec::Violation { path: field.into(), rule: rule.into() }]))
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// What an operation's handler answers: a refusal is an answer too, so that a handler can
/// pass on its checks' refusals with `?`.
pub(crate) type Answer = Result<Response, Response>;

/// What an operation's handler gets once the pipeline let the request through: the token, the
/// path's parameters (`P`, as axum's `Path` reads them), the body (`B`, read and checked against
/// the spec) and the request itself, for its query.
pub(crate) struct Call<'a, P = (), B = ()> {
    pub token: TokenInfo,
    pub path: P,
    pub body: B,
    pub req: &'a Incoming,
    /// The fake's own origin (`http://host:port`), for the URLs an answer gives.
    pub origin: &'a str,
}

/// A request's body as an operation's handler takes it, read from the request and checked
/// against the operation's spec (its query too) before the handler runs.
pub(crate) trait RequestBody: Sized {
    fn read(op: OperationId, req: &Incoming) -> Result<Self, Invalid>;
}

/// A JSON body, as its generated type; `()` for an operation without one.
impl<T: DeserializeOwned> RequestBody for T {
    fn read(op: OperationId, req: &Incoming) -> Result<Self, Invalid> {
        let value = operations().validate(op, &req.query, &req.body)?.unwrap_or(Value::Null);
        serde_json::from_value(value).map_err(|e| Invalid::Malformed(e.to_string()))
    }
}

/// What a chatbot call names its account by: its `account_id` (in the query of a delete, the
/// JSON body of a send or an edit), or for an unfurl its trigger. Read before validation, for
/// the rate limit, and outside the lock; a body that does not parse names none (validation
/// then refuses it).
enum Named {
    Account(String),
    Trigger(String),
    Nothing,
}

fn named(req: &Incoming) -> Named {
    #[derive(serde::Deserialize)]
    struct Body {
        account_id: Option<String>,
    }
    if let Some(account) = req.query("account_id") {
        return Named::Account(account.to_owned());
    }
    if req.path.contains("/unfurls/") {
        return Named::Trigger(req.path.rsplit('/').next().unwrap_or("").to_owned());
    }
    match serde_json::from_slice::<Body>(&req.body).ok().and_then(|b| b.account_id) {
        Some(account) => Named::Account(account),
        None => Named::Nothing,
    }
}

impl Shared {
    /// The pipeline of every API call: a valid token of the right kind, a free rate-limit
    /// slot of the account the call acts in (both under the lock), a request valid against
    /// the spec (outside it); then `handler` runs with the state locked, given the token and the
    /// body, and its answer or refusal is the response.
    ///
    /// A chatbot call counts against the account it names when that account exists and has
    /// the app installed (any other is refused by its handler, as Zoom refuses it, and spends
    /// no one's budget); a user-level call against its token's account.
    pub(crate) fn run<B: RequestBody>(
        self: &Arc<Self>,
        op: OperationId,
        req: &Incoming,
        handler: impl FnOnce(&mut State, TokenInfo, B) -> Answer,
    ) -> Response {
        let shape = ErrorShape::of(op);
        let now = Instant::now();
        let named = if shape == ErrorShape::Chatbot { named(req) } else { Named::Nothing };
        let token = {
            let mut state = self.lock();
            let token = match authorize(&state, shape, req, now) {
                Ok(t) => t,
                Err(response) => return response,
            };
            let account = match shape {
                ErrorShape::Chatbot => match named {
                    Named::Account(account) => Some(account),
                    Named::Trigger(trigger) => state.unfurl_triggers.get(&trigger).cloned(),
                    Named::Nothing => None,
                }
                .filter(|a| state.installed(a)),
                ErrorShape::Api => token.account.clone(),
            };
            if let (Some(label), Some(account)) = (operations().get(op).label, account) {
                let plan = state.account(&account).and_then(|a| a.plan);
                let (instant, today) = (state.instant(), state.now());
                if let Err(l) = state.limiter.check_label(&account, plan, label, instant, today) {
                    return limited(shape, l);
                }
            }
            token
        };
        // Validation reads only the request, so it runs without the lock: a large body does
        // not hold up every other request.
        let body = match B::read(op, req) {
            Ok(body) => body,
            Err(invalid) => return validation_error(shape, invalid),
        };
        handler(&mut self.lock(), token, body).unwrap_or_else(|refusal| refusal)
    }
}

fn authorize(state: &State, shape: ErrorShape, req: &Incoming, now: Instant) -> Result<TokenInfo, Response> {
    let (status, code, missing, wrong_kind) = match shape {
        ErrorShape::Chatbot => {
            (StatusCode::UNAUTHORIZED, 7010, "Invalid authorization token.", "Invalid authorization token.")
        }
        ErrorShape::Api => (
            StatusCode::UNAUTHORIZED,
            124,
            "Invalid access token.",
            "Invalid access token, does not contain scopes:[chat_message:write].",
        ),
    };
    let Some(token) = bearer(&req.headers) else {
        return Err(error(shape, status, code, missing));
    };
    let Some(info) = state.tokens.get(token) else {
        return Err(error(shape, status, code, missing));
    };
    if info.generation < state.token_generation {
        return Err(error(shape, status, code, missing));
    }
    if info.expires <= now {
        return Err(error(shape, status, code, "Access token is expired."));
    }
    let right_kind = match shape {
        ErrorShape::Chatbot => info.kind == TokenKind::Chatbot,
        ErrorShape::Api => info.kind != TokenKind::Chatbot,
    };
    if !right_kind {
        return Err(error(shape, status, code, wrong_kind));
    }
    Ok(info.clone())
}
