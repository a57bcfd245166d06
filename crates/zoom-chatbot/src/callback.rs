//! Answering Zoom through the URLs an event carries: the one reply an interactive event
//! allows (`callback_url` with its `callback_token`), and the preview of a shared link
//! (`response_url` of `team_chat.link_shared`).
//!
//! A [`Callback`] is used once. Every clone shares that one use, and the client refuses
//! locally, before sending, a second reply or one later than 30 minutes after the event.
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient, event: zoom_chatbot::types::ZoomEvent) -> zoom_chatbot::Result<()> {
//! use std::time::SystemTime;
//! use zoom_chatbot::callback::Callback;
//! use zoom_chatbot::card::{Card, Text};
//!
//! if let Some(callback) = Callback::from_event(&event, SystemTime::now()) {
//!     let card = Card::new().head("Deploy started").push(Text::new("Build 312")).build()?;
//!     zoom.callback_reply(&callback, card).markdown().await?;
//!     // A second reply is refused here, without a request.
//!     assert!(callback.is_used());
//! }
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use zoom_api_gen::hooks::Hooks;
use zoom_api_gen::types::{self, ZoomEvent};

use crate::client::ZoomClient;
use crate::error::{Error, Result, zoom_error};
use crate::ids::{MessageId, TriggerId, UserId};
use crate::macros::{awaitable, setters};
use crate::policy::Policy;

/// How long after its event a callback may be used, as Zoom documents it.
pub const CALLBACK_LIFETIME: Duration = Duration::from_secs(30 * 60);

const CALLBACK_PATH: &str = "/im/chat/callback/";

/// The one reply an interactive event allows: its URL, its token and its deadline.
#[derive(Clone)]
pub struct Callback {
    url: String,
    token: SecretString,
    deadline: SystemTime,
    used: Arc<AtomicBool>,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("url", &self.url)
            .field("token", &"[redacted]")
            .field("deadline", &self.deadline)
            .field("used", &self.is_used())
            .finish()
    }
}

impl Callback {
    /// The callback of an `interactive_message_actions`, `_editable` or `_fields_editable`
    /// event, if it carries one. Its deadline is 30 minutes after the event's `event_ts`, or
    /// after `received` when the event has no time.
    pub fn from_event(event: &ZoomEvent, received: SystemTime) -> Option<Self> {
        let (url, token, event_ts) = match event {
            ZoomEvent::InteractiveMessageActions { callback_url, callback_token, event_ts, .. }
            | ZoomEvent::InteractiveMessageEditable { callback_url, callback_token, event_ts, .. }
            | ZoomEvent::InteractiveMessageFieldsEditable { callback_url, callback_token, event_ts, .. } => {
                (callback_url.as_ref()?, callback_token.as_ref()?, *event_ts)
            }
            _ => return None,
        };
        let at = event_ts
            .and_then(|ms| u64::try_from(ms).ok())
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
            .unwrap_or(received);
        Some(Self {
            url: url.clone(),
            token: SecretString::from(token.clone()),
            deadline: at + CALLBACK_LIFETIME,
            used: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The URL the reply goes to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Until when Zoom takes the reply.
    pub fn deadline(&self) -> SystemTime {
        self.deadline
    }

    /// Whether the reply has been made (or is being made).
    pub fn is_used(&self) -> bool {
        self.used.load(Ordering::Acquire)
    }

    /// Takes the one use, or says why it cannot be had.
    fn take(&self, now: SystemTime) -> Result<()> {
        if now > self.deadline {
            return Err(Error::invalid("callback", "has expired: Zoom takes the reply within 30 minutes of the event"));
        }
        if self.used.swap(true, Ordering::AcqRel) {
            return Err(Error::invalid("callback", "was already used: Zoom takes one reply per event"));
        }
        Ok(())
    }

    /// Gives the use back, for a reply that Zoom refused as invalid (it spent nothing).
    fn give_back(&self) {
        self.used.store(false, Ordering::Release);
    }
}

/// What Zoom said of a callback reply. Zoom does not document the answer: the id is there
/// when the answer carries one.
#[derive(Clone, Debug, PartialEq)]
pub struct CallbackReceipt {
    /// The reply's message id, if Zoom gave it.
    pub message_id: Option<MessageId>,
}

/// Splits `url` at `marker` into its base and the rest, for a URL that is Zoom's own (an
/// `https` host under `zoom.us` or `zoomgov.com`) or on the client's API host (a fake Zoom,
/// say). Tokens go to no other host, and to no other path on it: the path is read
/// percent-decoded first, and one with a backslash, a dot segment, a query or a fragment is
/// refused before any check of where it leads.
fn split_zoom_url(zoom: &ZoomClient, url: &str, marker: &str, field: &str) -> Result<(String, String)> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::invalid(field, format!("is not a URL ({e})")))?;
    plain_path(url, field)?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::invalid(field, "has a query or a fragment, which Zoom's URLs do not"));
    }
    let api = reqwest::Url::parse(zoom.api_base_url()).ok();
    let configured: Vec<&reqwest::Url> = api.iter().collect();
    if !crate::hosts::is_trusted(&parsed, &configured) {
        return Err(Error::invalid(field, "is not on a Zoom host, so no token is sent there"));
    }
    let path = parsed.path();
    let at = path.rfind(marker).ok_or_else(|| Error::invalid(field, format!("has no {marker} in its path")))?;
    let base = format!("{}{}", parsed.origin().ascii_serialization(), &path[..at]);
    Ok((base, path[at + marker.len()..].to_owned()))
}

/// Refuses a URL whose path, percent-decoded, has a backslash or a `.` or `..` segment: a
/// URL parser would resolve those to another path on the same host.
fn plain_path(url: &str, field: &str) -> Result<()> {
    // A URL parser drops tabs and newlines before it reads the path: so does this check.
    let url: String = url.chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let url = url.as_str();
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let raw = after_scheme.find(['/', '\\']).map_or("", |at| &after_scheme[at..]);
    let raw = raw.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decoded(raw);
    if decoded.contains('\\') {
        return Err(Error::invalid(field, "has a backslash in its path"));
    }
    if decoded.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(Error::invalid(field, "has a dot segment (. or ..) in its path"));
    }
    Ok(())
}

/// `%XX` sequences as the bytes they stand for (invalid ones kept as they are).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A reply to an interactive event about to be posted through its callback; await it, or
/// set options first (the same as a chatbot send's: [`SendMessage`](crate::SendMessage)).
#[must_use = "a reply is posted only when awaited"]
pub struct ReplyToCallback {
    zoom: ZoomClient,
    callback: Callback,
    reply: types::CallbackReply,
}

impl ReplyToCallback {
    pub(crate) fn new(zoom: ZoomClient, callback: Callback, card: types::Card) -> Self {
        let reply =
            types::CallbackReply { content: card, is_markdown_support: None, reply_to: None, visible_to_user: None };
        Self { zoom, callback, reply }
    }

    setters! { self.reply;
        /// Posts it as a reply in this message's thread.
        pub fn reply_to(parent: &MessageId) => reply_to = Some(parent.to_string());
    }

    setters! { self.reply;
        /// In a channel, only this member (a user id) sees it.
        pub fn visible_to(user_id: &UserId) => visible_to_user = Some(user_id.to_string());
    }

    setters! { self.reply;
        /// Reads the card's texts as markdown.
        pub fn markdown() => is_markdown_support = Some(true);
    }

    /// `replyToCallback`: the reply as the one answer to the callback, with its token as
    /// bearer.
    async fn run(self) -> Result<CallbackReceipt> {
        let Self { zoom, callback, reply } = self;
        let (base, id) = split_zoom_url(&zoom, &callback.url, CALLBACK_PATH, "callback_url")?;
        let id = id.as_str();
        if id.is_empty() || id.contains('/') {
            return Err(Error::invalid("callback_url", "must end with /im/chat/callback/{id}"));
        }
        callback.take(SystemTime::now())?;
        let header = SecretString::from(format!("Bearer {}", callback.token.expose_secret()));
        // The client's request policy, with the callback's token: its retries, span, metrics.
        let policy = Policy::fixed(zoom.http(), zoom.retry_policy().clone(), header);
        let hooks = Hooks::with_policy(Arc::new(policy));
        let client = zoom_api_gen::Client::new_with_client(&base, zoom.http().clone(), hooks);
        let outcome = client.reply_to_callback().callback_id(id).body(reply).send().await;
        use zoom_api_gen::Error as G;
        match outcome {
            Ok(answer) => Ok(CallbackReceipt { message_id: answer.into_inner().message_id.parse().ok() }),
            // Zoom documents no answer: any 2xx is the reply posted.
            Err(G::UnexpectedResponse(r)) if r.status().is_success() => Ok(CallbackReceipt { message_id: None }),
            Err(G::InvalidResponsePayload(..)) => Ok(CallbackReceipt { message_id: None }),
            Err(e) => {
                let error = zoom_error(e);
                if matches!(&error, Error::InvalidInput { .. } | Error::Zoom { status: 400, .. }) {
                    callback.give_back();
                }
                Err(error)
            }
        }
    }
}

awaitable!(ReplyToCallback => Result<CallbackReceipt>);

/// The unfurl of a `team_chat.link_shared` event's `response_url`: the user and the trigger
/// read from it, once it is known to be Zoom's.
pub(crate) async fn unfurl_response_url(zoom: &ZoomClient, response_url: &str, card: &types::Card) -> Result<()> {
    let (_, rest) = split_zoom_url(zoom, response_url, "/im/chat/users/", "response_url")?;
    let Some((user, trigger)) = rest.split_once("/unfurls/") else {
        return Err(Error::invalid("response_url", "must end with /im/chat/users/{userId}/unfurls/{triggerId}"));
    };
    let user: UserId = user.parse()?;
    let trigger: TriggerId = trigger.parse()?;
    crate::messages::unfurl(zoom, &user, &trigger, card).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(event_ts: Option<i64>, url: &str) -> ZoomEvent {
        let body = serde_json::json!({
            "event": "interactive_message_actions",
            "event_ts": event_ts,
            "callback_url": url,
            "callback_token": "tok.en.value",
            "payload": {"accountId": "a", "robotJid": "b@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
                        "userJid": "u@xmpp.zoom.us", "messageId": "M1", "actionItem": {"value": "ok"}}
        });
        serde_json::from_value(body).unwrap()
    }

    fn client() -> ZoomClient {
        ZoomClient::builder()
            .credentials("id", SecretString::from("secret".to_owned()))
            .api_url("http://127.0.0.1:9/v2")
            .build()
            .unwrap()
    }

    fn card() -> types::Card {
        crate::card::Card::new().head("hi").build().unwrap()
    }

    #[test]
    fn the_deadline_is_thirty_minutes_after_the_event() {
        let now = SystemTime::now();
        let ms = now.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
        let callback =
            Callback::from_event(&click(Some(ms - 31 * 60 * 1000), "https://api.zoom.us/v2/im/chat/callback/x"), now)
                .unwrap();
        let err = callback.take(now).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, rule } if field == "callback" && rule.contains("expired")),
            "{err}"
        );
        // Without an event time, the clock starts at receipt.
        let fresh = Callback::from_event(&click(None, "https://api.zoom.us/v2/im/chat/callback/x"), now).unwrap();
        assert_eq!(fresh.deadline(), now + CALLBACK_LIFETIME);
        assert!(fresh.take(now).is_ok());
        assert!(fresh.clone().take(now).is_err(), "clones share the one use");
        assert!(!format!("{fresh:?}").contains("tok.en.value"), "the token is not in Debug");
    }

    #[tokio::test]
    async fn no_token_goes_to_a_host_that_is_not_zooms() {
        let zoom = client();
        for url in [
            "https://evil.example/v2/im/chat/callback/x",
            "http://api.zoom.us/v2/im/chat/callback/x",
            "https://zoom.us.evil.example/im/chat/callback/x",
            // Paths that a URL parser would resolve elsewhere on an allowed host.
            "http://127.0.0.1:9/_fake/invalidate-tokens/..\\..\\v2/im/chat/callback/x",
            "http://127.0.0.1:9/v2/im/chat/callback/../../../_fake/invalidate-tokens",
            "http://127.0.0.1:9/_fake/x/.\t./v2/im/chat/callback/x",
            "http://127.0.0.1:9/_fake/x/%2e%2e/v2/im/chat/callback/x",
            "http://127.0.0.1:9/_fake/x%2f..%2f/v2/im/chat/callback/x",
            "https://api.zoom.us/v2/im/chat/callback/x?next=/oauth/token",
            "https://api.zoom.us\\@evil.example/v2/im/chat/callback/x",
        ] {
            let callback = Callback::from_event(&click(None, url), SystemTime::now()).unwrap();
            let err = zoom.callback_reply(&callback, card()).await.unwrap_err();
            assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "callback_url"), "{url}: {err}");
            assert!(!callback.is_used(), "{url}: a refused URL does not spend the callback");
        }
        let err =
            zoom.unfurl_response_url("https://evil.example/v2/im/chat/users/u/unfurls/t", &card()).await.unwrap_err();
        assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "response_url"), "{err}");
        for url in [
            "http://127.0.0.1:9/_fake/x/..\\..\\v2/im/chat/users/u/unfurls/t",
            "http://127.0.0.1:9/_fake/x/%2E%2E/v2/im/chat/users/u/unfurls/t",
        ] {
            let err = zoom.unfurl_response_url(url, &card()).await.unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field, rule } if field == "response_url" && (rule.contains("dot") || rule.contains("backslash"))),
                "{url}: {err}"
            );
        }
    }
}
