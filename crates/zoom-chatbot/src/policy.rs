//! The request policy behind every API call of a [`ZoomClient`](crate::ZoomClient): the
//! right token for the operation, pacing, retries, renewal after a 401, and a tracing span.
//! It plugs into the generated client through `zoom_api_gen::hooks`.

use std::borrow::Cow;
use std::future::Future;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use chrono::Utc;
use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tracing::{Instrument as _, Span};
use zoom_api_gen::hooks::{BoxFuture, RequestPolicy};
use zoom_api_gen::operations::{OperationId, OperationInfo, Tag};

use crate::auth::{OAuth, Token, TokenCache};
use crate::error::{Error, PolicyFailure, RetryAfter, STAND_IN, Setting};
use crate::pacing::Pacer;
use crate::retry::{RetryPolicy, idempotent};

/// Zoom's id for a request, which its support can look up.
static TRACKING_ID: HeaderName = HeaderName::from_static(zoom_api_gen::TRACKING_ID_HEADER);

/// Zoom's codes for a token it does not accept: 124 (API) and 7010 (chatbot).
const TOKEN_REFUSED: [i64; 2] = [124, 7010];

pub(crate) struct Policy {
    pub oauth: OAuth,
    /// Send API requests to the host a token's `api_url` names (the account's region), as
    /// long as no API URL was configured explicitly: `Some` with the OAuth host configured,
    /// the one host besides Zoom's own that a region may name.
    pub follow_api_url: Option<reqwest::Url>,
    /// The last `api_url` refused, so that the WARN is given once per value, not per call.
    pub refused_region: Mutex<Option<String>>,
    pub bot: Option<TokenCache>,
    pub user: Option<TokenCache>,
    pub retry: RetryPolicy,
    pub pacer: Option<Arc<Pacer>>,
    /// The `Authorization` of a call that carries no OAuth token (an incoming webhook's
    /// verification token); sent marked sensitive.
    pub authorization: Option<SecretString>,
    /// The configured base URLs, whose origins a file call's redirect may go to with the
    /// bearer (besides Zoom's own hosts).
    pub trusted: Vec<reqwest::Url>,
}

/// How many redirects a file call follows before it gives up with the last answer.
const MAX_REDIRECTS: u32 = 5;

/// A fresh copy of the request for each attempt: a buffered body is cloned; a file is read
/// again from its path or bytes; a one-shot stream gives `None` once it has been sent.
pub(crate) type Attempt<'a> = dyn FnMut() -> Option<reqwest::Request> + Send + 'a;

impl Policy {
    /// The policy of calls authorised by a fixed `authorization` instead of an OAuth token (an
    /// incoming webhook, a callback reply): the same retries, span and metrics as every API
    /// call, no token source and no pacing (Zoom documents no rate label for them).
    pub fn fixed(http: &reqwest::Client, retry: RetryPolicy, authorization: SecretString) -> Self {
        Self {
            // Without a token source no token is ever asked for: the OAuth host is a placeholder.
            oauth: OAuth::new("http://127.0.0.1", http.clone(), "", &SecretString::from(String::new())),
            follow_api_url: None,
            refused_region: Mutex::new(None),
            bot: None,
            user: None,
            retry,
            pacer: None,
            authorization: Some(authorization),
            trusted: Vec::new(),
        }
    }

    /// The token cache an operation's tag asks for. An API operation whose kind of token this
    /// client has no source for is refused before it is sent: without a token it would only
    /// come back as a 401 that does not say why.
    fn cache_for(&self, info: &OperationInfo) -> Result<Option<&TokenCache>, Error> {
        match info.tag {
            Tag::Chatbot => self
                .bot
                .as_ref()
                .map(Some)
                .ok_or_else(|| Error::missing(Setting::BotTokens, "chatbot calls are made with a chatbot token")),
            Tag::Chat | Tag::Users | Tag::Channels | Tag::Files => self.user.as_ref().map(Some).ok_or_else(|| {
                Error::missing(
                    Setting::ChatTokens,
                    "chat, users, channels and files calls are made with a server-to-server or user token",
                )
            }),
            Tag::Oauth | Tag::IncomingWebhook | Tag::Callback => Ok(None),
        }
    }

    /// Answers with a stand-in carrying `failure`, which the generated code does not mistake
    /// for Zoom's (the call returns `failure` instead).
    fn fail(&self, failure: Error) -> reqwest::Result<reqwest::Response> {
        tracing::warn!(error = %failure, "the call was not sent");
        Ok(PolicyFailure::stand_in(failure))
    }

    /// A WARN for a token's `api_url` that is not followed, once for each value.
    fn refuse_region(&self, api_url: &str, why: &str) {
        let mut last = self.refused_region.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_deref() != Some(api_url) {
            tracing::warn!(api_url, why, "the token's api_url is not followed; calls stay on the configured API host");
            *last = Some(api_url.to_owned());
        }
    }

    /// Runs one call: `method` and `account` describe it (the account its budget is), `next`
    /// gives each attempt's request.
    async fn run(
        &self,
        client: &reqwest::Client,
        method: &reqwest::Method,
        account: Option<&str>,
        next: &mut Attempt<'_>,
        info: &'static OperationInfo,
        span: &Span,
    ) -> reqwest::Result<reqwest::Response> {
        // Recording costs a little on every request; it is skipped when no subscriber listens.
        let traced = !span.is_disabled();
        // The call's deadline counts from here: the token, the waits and the retries.
        let started = Instant::now();
        let deadline = started + self.retry.deadline;
        let cache = match self.cache_for(info) {
            Ok(cache) => cache,
            Err(e) => return self.fail(e),
        };
        let fixed = match self.authorization.as_ref().map(|a| HeaderValue::from_str(a.expose_secret())) {
            None => None,
            Some(Ok(mut value)) => {
                value.set_sensitive(true);
                Some(value)
            }
            Some(Err(_)) => return self.fail(Error::invalid("token", "is not a valid header value")),
        };
        let mut token: Option<Arc<Token>> = match cache {
            None => None,
            Some(cache) => match cache.get(&self.oauth).await {
                Ok(t) => Some(t),
                Err(e) => return self.fail(e),
            },
        };
        // Zoom's limits are the account's: the budget this call is paced on, and corrected by
        // its 429s, is that of the account it names.
        let paced = match (&self.pacer, info.rate_limit_label) {
            (Some(pacer), Some(label)) => Some((pacer, label, pacer.account(account))),
            _ => None,
        };
        let may_repeat = idempotent(method);
        // Where a file call's answer redirected it (a trusted host), and how many times.
        let (mut redirected, mut hops): (Option<reqwest::Url>, u32) = (None, 0);
        // Whether a wait of `wait` from now still ends within the call's deadline.
        let in_time = |wait: std::time::Duration| Instant::now() + wait <= deadline;
        let mut renewed = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if traced {
                span.record("attempts", attempt);
            }
            if let Some((pacer, label, account)) = &paced
                && let Err(refused) = pacer.label(account, *label, deadline).await
            {
                return self.fail(refused.into_error(started.elapsed()));
            }
            let Some(mut outgoing) = next() else {
                let why = if redirected.is_some() { "redirect" } else { "retry" };
                return self.fail(Error::StreamSpent { why });
            };
            // The file host is one for every region: a token's `api_url` does not move it.
            let on_api_host = info.tag != Tag::Files || !info.server.starts_with("https://file.");
            if let Some(target) = &redirected {
                *outgoing.url_mut() = target.clone();
            } else if on_api_host
                && let Some(oauth_host) = &self.follow_api_url
                && let Some(api_url) = token.as_ref().and_then(|t| t.api_url.as_deref())
                && let Err(why) = regional(outgoing.url_mut(), api_url, oauth_host)
            {
                self.refuse_region(api_url, why);
            }
            if let Some(value) = token.as_ref().and_then(|t| t.header()).or(fixed.as_ref()) {
                outgoing.headers_mut().insert(reqwest::header::AUTHORIZATION, value.clone());
            }
            let retries_left = attempt < self.retry.max_attempts;
            let sent_to = outgoing.url().clone();
            match client.execute(outgoing).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if info.tag == Tag::Files
                        && response.status().is_redirection()
                        && let Some(target) = location(&response, &sent_to)
                    {
                        // Zoom: "The caller must support HTTP 30x redirects" and keep the
                        // header across hosts. The bearer goes only where it may go; anywhere
                        // else the redirect is refused rather than followed without it (an
                        // upload there would fail anyway, after sending the whole file).
                        let trusted: Vec<&reqwest::Url> = self.trusted.iter().collect();
                        if !crate::hosts::is_trusted(&target, &trusted) {
                            return self
                                .fail(Error::UntrustedRedirect { origin: target.origin().ascii_serialization() });
                        }
                        if hops < MAX_REDIRECTS {
                            hops += 1;
                            tracing::debug!(status, origin = %target.origin().ascii_serialization(), "following a redirect");
                            redirected = Some(target);
                            attempt -= 1; // a redirect is not a retry
                            continue;
                        }
                    }
                    if traced && let Some(id) = response.headers().get(&TRACKING_ID).and_then(|v| v.to_str().ok()) {
                        span.record("tracking_id", id);
                    }
                    if status == 401
                        && !renewed
                        && let (Some(cache), Some(stale)) = (cache, &token)
                    {
                        let (response, body) = buffered(response).await?;
                        let code = serde_json::from_slice::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|v| v.get("code").and_then(serde_json::Value::as_i64));
                        if !code.is_some_and(|c| TOKEN_REFUSED.contains(&c)) {
                            return Ok(response);
                        }
                        // Zoom refused the token (expired early, revoked, replaced): renew once.
                        renewed = true;
                        tracing::info!(code, "Zoom refused the token; renewing it once");
                        match cache.renew(&self.oauth, stale).await {
                            Ok(fresh) => token = Some(fresh),
                            Err(e) => return self.fail(e),
                        }
                        attempt -= 1; // the renewal's retry does not count against the budget
                        retried(info, "token_refused");
                        continue;
                    }
                    if status == 429 {
                        crate::metrics::count(crate::metrics::RATE_LIMITED, &[("operation", op_name(info))]);
                        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
                        let retry_after = header("retry-after").and_then(RetryAfter::parse);
                        if let Some((pacer, label, account)) = &paced {
                            let kind = header("x-ratelimit-type").unwrap_or_default();
                            // A spent day: nothing is gained by trying before the reset, and the
                            // account's next calls are refused before they are sent.
                            if pacer.limited(account, *label, kind, retry_after).await {
                                return Ok(response);
                            }
                        }
                        if retries_left {
                            let wait = retry_after
                                .map(|r| r.delay_from(Utc::now()).min(self.retry.max_delay))
                                .unwrap_or_else(|| self.retry.backoff(attempt));
                            if !in_time(wait) {
                                return Ok(response);
                            }
                            tracing::info!(wait_ms = wait.as_millis() as u64, "rate limited by Zoom; waiting");
                            tokio::time::sleep(wait).await;
                            retried(info, "rate_limited");
                            continue;
                        }
                    }
                    if response.status().is_server_error() && may_repeat && retries_left {
                        let wait = self.retry.backoff(attempt);
                        if !in_time(wait) {
                            return Ok(response);
                        }
                        tracing::info!(status, wait_ms = wait.as_millis() as u64, "Zoom failed; retrying");
                        tokio::time::sleep(wait).await;
                        retried(info, "server_error");
                        continue;
                    }
                    return Ok(response);
                }
                Err(e) => {
                    // A POST goes again only if it never left: a connection that was not made.
                    let safe = may_repeat || e.is_connect();
                    let wait = self.retry.backoff(attempt);
                    if safe && retries_left && in_time(wait) {
                        tracing::info!(error = %e, wait_ms = wait.as_millis() as u64, "transport failure; retrying");
                        tokio::time::sleep(wait).await;
                        retried(info, "transport");
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }
}

impl RequestPolicy for Policy {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: OperationId,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        let info = operation.info();
        let span = tracing::info_span!(
            "zoom_request",
            operation = operation.method_name(),
            method = %request.method(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            tracking_id = tracing::field::Empty,
        );
        let account = account_of(info, &request).map(Cow::into_owned);
        let method = request.method().clone();
        Box::pin(self.traced(client, operation, span, method, account, Box::new(move || request.try_clone())))
    }
}

impl Policy {
    /// A request built here rather than by the generated client (a streamed file): the same
    /// token, pacing, retries, redirects and span, each attempt's request from `next`.
    pub(crate) async fn execute_built(
        &self,
        client: &reqwest::Client,
        operation: OperationId,
        method: reqwest::Method,
        next: Box<Attempt<'_>>,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "zoom_request",
            operation = operation.method_name(),
            method = %method,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            tracking_id = tracing::field::Empty,
        );
        self.traced(client, operation, span, method, None, next).await
    }

    fn traced<'a>(
        &'a self,
        client: &'a reqwest::Client,
        operation: OperationId,
        span: Span,
        method: reqwest::Method,
        account: Option<String>,
        mut next: Box<Attempt<'a>>,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a {
        let info = operation.info();
        let inner = span.clone();
        {
            async move {
                let started = Instant::now();
                let outcome = self.run(client, &method, account.as_deref(), &mut *next, info, &inner).await;
                let outcome = counted(operation.method_name(), outcome).await;
                let traced = !inner.is_disabled();
                if traced {
                    inner.record("duration_ms", started.elapsed().as_millis() as u64);
                }
                match &outcome {
                    Ok(r) if r.status().as_u16() == STAND_IN => {}
                    Ok(r) => {
                        if traced {
                            inner.record("status", r.status().as_u16());
                        }
                        tracing::debug!("answered");
                    }
                    Err(e) => tracing::warn!(error = %e, "no answer"),
                }
                outcome
            }
            .instrument(span)
        }
    }
}

/// Where a redirect answer points, resolved against the URL it answered.
fn location(response: &reqwest::Response, sent_to: &reqwest::Url) -> Option<reqwest::Url> {
    let value = response.headers().get(reqwest::header::LOCATION)?.to_str().ok()?;
    sent_to.join(value).ok()
}

/// The operation's name, as the metrics label it.
fn op_name(info: &OperationInfo) -> &'static str {
    info.id.method_name()
}

/// Counts a retry of the operation, by reason (see [`crate::metrics`]).
fn retried(info: &OperationInfo, reason: &str) {
    crate::metrics::count(crate::metrics::RETRIES, &[("operation", op_name(info)), ("reason", reason)]);
}

/// The OAuth error names (RFC 6749) a refusal's metric may carry as its `code`.
const OAUTH_ERRORS: [&str; 6] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

/// Counts a call's outcome: answered, refused (with Zoom's code, read from the refusal's
/// small body, which is given back whole), rate limited, not sent, or no answer at all.
async fn counted(
    operation: &'static str,
    outcome: reqwest::Result<reqwest::Response>,
) -> reqwest::Result<reqwest::Response> {
    use crate::metrics::{REFUSALS, REQUESTS, count};
    let response = match outcome {
        Err(e) => {
            count(REQUESTS, &[("operation", operation), ("outcome", "transport")]);
            return Err(e);
        }
        Ok(response) => response,
    };
    let status = response.status().as_u16();
    let label = match status {
        STAND_IN => "not_sent",
        200..=299 => "ok",
        429 => "rate_limited",
        _ => "refused",
    };
    count(REQUESTS, &[("operation", operation), ("outcome", label)]);
    if label != "refused" || !cfg!(feature = "metrics") {
        return Ok(response);
    }
    let (response, body) = buffered(response).await?;
    let value = serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default();
    // Zoom's numeric `code`, or the OAuth host's `error`.
    let code = match (value.get("code"), value.get("error").and_then(serde_json::Value::as_str)) {
        (Some(serde_json::Value::Number(code)), _) => code.to_string(),
        // Strings are labels only from the OAuth host's documented set, so that a label's
        // values stay bounded whatever a body says.
        (_, Some(error)) if OAUTH_ERRORS.contains(&error) => error.to_owned(),
        _ => format!("http_{status}"),
    };
    count(REFUSALS, &[("operation", operation), ("code", &code)]);
    Ok(response)
}

/// The account a request is for: the `account_id` a chatbot call names, in its query
/// (`deleteChatbotMessage`) or its JSON body (`sendChatbotMessage`, `editChatbotMessage`).
/// Other calls name none: the chat calls carry the account's own token, and `unfurlLink` and
/// the OAuth calls have no account field. Only chatbot bodies are read, in one pass that
/// keeps nothing but that field (borrowed from the body when it has no escapes).
fn account_of<'r>(info: &OperationInfo, request: &'r reqwest::Request) -> Option<Cow<'r, str>> {
    #[derive(serde::Deserialize)]
    struct Named<'a> {
        #[serde(borrow, default)]
        account_id: Option<Cow<'a, str>>,
    }
    if info.tag != Tag::Chatbot {
        return None;
    }
    if let Some((_, id)) = request.url().query_pairs().find(|(name, _)| name == "account_id") {
        return Some(id);
    }
    let body = request.body()?.as_bytes()?;
    serde_json::from_slice::<Named>(body).ok()?.account_id
}

/// Points `url` at the host of `api_url` (scheme, host and port), keeping its path: the token
/// answer names the account's regional API host, such as `https://api-eu.zoom.us`. The bearer
/// goes with the request, so `api_url` is followed only to one of Zoom's own hosts over
/// `https`, or to the OAuth host the user configured (a fake Zoom); anything else leaves `url`
/// as it is and says why. It is checked on every use: a token read back from Redis is held to
/// the same rule as one from Zoom.
fn regional(url: &mut reqwest::Url, api_url: &str, oauth_host: &reqwest::Url) -> Result<(), &'static str> {
    let region = reqwest::Url::parse(api_url).map_err(|_| "it is not a URL")?;
    if region.host_str().is_none() {
        return Err("it names no host");
    }
    if !crate::hosts::is_trusted(&region, &[oauth_host]) {
        return Err("it is neither one of Zoom's https hosts nor the configured OAuth host");
    }
    if url.origin() == region.origin() {
        return Ok(());
    }
    let moved = url.set_scheme(region.scheme()).is_ok()
        && url.set_host(region.host_str()).is_ok()
        && url.set_port(region.port()).is_ok();
    if moved { Ok(()) } else { Err("its host cannot be set on the request") }
}

/// Reads a response's body and gives back an equivalent response, for answers the policy
/// must look into before the generated code does.
async fn buffered(response: reqwest::Response) -> reqwest::Result<(reqwest::Response, Bytes)> {
    let mut builder = http::Response::builder().status(response.status()).version(response.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    let body = response.bytes().await?;
    let rebuilt = builder.body(body.clone()).expect("parts of a valid response");
    Ok((reqwest::Response::from(rebuilt), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn the_account_is_read_from_a_chatbot_calls_body_or_query() {
        let http = reqwest::Client::new();
        let body = serde_json::json!({
            "robot_jid": "bot@xmpp.zoom.us", "to_jid": "c@conference.xmpp.zoom.us",
            "account_id": "Wk9PTV9BQ0NPVU5UX0lE", "content": {"head": {"text": "account_id: not this"}},
        });
        let send = http.post("https://api.zoom.us/v2/im/chat/messages").json(&body).build().unwrap();
        assert_eq!(account_of(OperationId::SendChatbotMessage.info(), &send).as_deref(), Some("Wk9PTV9BQ0NPVU5UX0lE"));
        let edit = http.put("https://api.zoom.us/v2/im/chat/messages/M1").json(&body).build().unwrap();
        assert_eq!(account_of(OperationId::EditChatbotMessage.info(), &edit).as_deref(), Some("Wk9PTV9BQ0NPVU5UX0lE"));
        let escaped = http
            .post("https://api.zoom.us/v2/im/chat/messages")
            .body(r#"{"account_id":"a\u002db","content":{}}"#)
            .build()
            .unwrap();
        assert_eq!(
            account_of(OperationId::SendChatbotMessage.info(), &escaped).as_deref(),
            Some("a-b"),
            "JSON escapes are read"
        );
        let delete = http
            .delete("https://api.zoom.us/v2/im/chat/messages/M1?robot_jid=b%40xmpp.zoom.us&account_id=Q%2BZ")
            .build()
            .unwrap();
        assert_eq!(
            account_of(OperationId::DeleteChatbotMessage.info(), &delete).as_deref(),
            Some("Q+Z"),
            "the query, decoded"
        );
    }

    #[test]
    fn calls_that_name_no_account_have_none() {
        let http = reqwest::Client::new();
        let unfurl = http
            .post("https://api.zoom.us/v2/im/chat/users/me/unfurls/T1")
            .json(&serde_json::json!({"content": "{}"}))
            .build()
            .unwrap();
        assert_eq!(account_of(OperationId::UnfurlLink.info(), &unfurl), None);
        // A chat call's body is not read, whatever it holds: its token is the account's own.
        let chat = http
            .post("https://api.zoom.us/v2/chat/users/me/messages")
            .json(&serde_json::json!({"message": "hi", "account_id": "OTHER"}))
            .build()
            .unwrap();
        assert_eq!(account_of(OperationId::SendChatMessage.info(), &chat), None);
        let garbled = http.post("https://api.zoom.us/v2/im/chat/messages").body("{not json").build().unwrap();
        assert_eq!(account_of(OperationId::SendChatbotMessage.info(), &garbled), None);
        let nameless =
            http.post("https://api.zoom.us/v2/im/chat/messages").json(&serde_json::json!({})).build().unwrap();
        assert_eq!(account_of(OperationId::SendChatbotMessage.info(), &nameless), None);
    }

    #[test]
    fn a_region_on_zooms_hosts_or_the_configured_oauth_host_is_followed() {
        let oauth = url("https://zoom.us");
        let mut request = url("https://api.zoom.us/v2/im/chat/messages");
        assert_eq!(regional(&mut request, "https://api-eu.zoom.us", &oauth), Ok(()));
        assert_eq!(request.as_str(), "https://api-eu.zoom.us/v2/im/chat/messages");

        let fake = url("http://127.0.0.1:4000");
        let mut request = url("https://api.zoom.us/v2/im/chat/messages");
        assert_eq!(regional(&mut request, "http://127.0.0.1:4000", &fake), Ok(()));
        assert_eq!(request.as_str(), "http://127.0.0.1:4000/v2/im/chat/messages");
    }

    #[test]
    fn a_region_elsewhere_is_not_followed_and_the_request_stays() {
        let oauth = url("https://zoom.us");
        for hostile in [
            "http://127.0.0.1:9999",
            "http://api.zoom.us",
            "https://api.zoom.us.evil.example",
            "https://evil.example",
            "https://api.zoom.us:8443",
            "not a url",
            "data:text/plain,x",
        ] {
            let mut request = url("https://api.zoom.us/v2/im/chat/messages");
            assert!(regional(&mut request, hostile, &oauth).is_err(), "{hostile} was followed");
            assert_eq!(request.as_str(), "https://api.zoom.us/v2/im/chat/messages", "{hostile}");
        }
        // A fake's OAuth host does not make other loopback ports trusted.
        let mut request = url("http://127.0.0.1:4000/v2/x");
        assert!(regional(&mut request, "http://127.0.0.1:4001", &url("http://127.0.0.1:4000")).is_err());
    }
}
