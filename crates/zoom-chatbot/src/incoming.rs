//! Posting through an incoming webhook (the Incoming Webhook app's `/inc connect`): a whole
//! card, a plain message, or key/value fields, authorised by the webhook's token.
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
//! use zoom_chatbot::SecretString;
//! use zoom_chatbot::card::{Card, Text};
//!
//! let hook = zoom.incoming_webhook("Wk9PTV9JTkNPTUlOR19XRUJIT09LX0lE", SecretString::from("token".to_owned()));
//! hook.send_card(Card::new().head("Disk almost full").push(Text::new("/var at 93%")).build()?).await?;
//! hook.send_message("Backup finished").await?;
//! hook.send_fields(&[("host", "db1"), ("load", "3.2")]).await?;
//! # Ok(()) }
//! ```

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use zoom_api_gen::ClientInfo as _;
use zoom_api_gen::hooks::{Hooks, RequestPolicy as _};
use zoom_api_gen::operations::OperationId;
use zoom_api_gen::types;

use crate::error::{Error, PolicyFailure, Result, refusal, zoom_error};
use crate::policy::Policy;
use crate::retry::RetryPolicy;
use crate::transport::{DEFAULT_TIMEOUT, http_client};

/// The operation the request policy and its span know these posts by.
const OPERATION: OperationId = OperationId::SendIncomingWebhook;

/// One incoming webhook: its id and verification token. Every format is posted through the
/// same request policy as the client's API calls (retries of what Zoom refused unprocessed, a
/// `zoom_request` span, the metrics), with the token as its `Authorization`.
#[derive(Clone)]
pub struct IncomingWebhook {
    /// Generated client for `format=full`, its hooks running `policy`.
    client: zoom_api_gen::Client,
    /// The policy every format goes through.
    policy: Arc<Policy>,
    url: String,
    webhook_id: String,
}

impl std::fmt::Debug for IncomingWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncomingWebhook").field("url", &self.url).field("token", &"[redacted]").finish()
    }
}

impl IncomingWebhook {
    /// The webhook `webhook_id` at `base_url`, posted through `http` with `retry`'s rules.
    pub(crate) fn new(
        base_url: &str,
        http: reqwest::Client,
        webhook_id: &str,
        token: SecretString,
        retry: RetryPolicy,
    ) -> Self {
        // Zoom's guide shows the token after `Bearer `; the service takes it bare too.
        let header = SecretString::from(format!("Bearer {}", token.expose_secret()));
        let policy = Arc::new(Policy::fixed(&http, retry, header));
        Self {
            client: zoom_api_gen::Client::new_with_client(base_url, http, Hooks::with_policy(policy.clone())),
            policy,
            url: format!("{}/chat/webhooks/incomingwebhook/{webhook_id}", base_url.trim_end_matches('/')),
            webhook_id: webhook_id.to_owned(),
        }
    }

    /// The incoming webhook at `url`, as `/inc connect` printed it
    /// (`https://integrations.zoom.us/chat/webhooks/incomingwebhook/{id}`), with its
    /// verification token. It needs no app credentials; its HTTP client has a
    /// [`ZoomClient`](crate::ZoomClient)'s defaults (30 s timeouts, no redirects) and its
    /// posts the default [`RetryPolicy`].
    pub fn from_url(url: &str, token: SecretString) -> Result<Self> {
        const PATH: &str = "/chat/webhooks/incomingwebhook/";
        let parsed = reqwest::Url::parse(url).map_err(|e| Error::invalid("url", format!("is not a URL ({e})")))?;
        // The token goes in clear over `http`: only to this machine (a fake Zoom), never out.
        if !(crate::hosts::is_zoom(&parsed) || crate::hosts::is_loopback(&parsed)) {
            return Err(Error::invalid(
                "url",
                "must be on one of Zoom's hosts over https (http only on loopback), so that the token goes nowhere else",
            ));
        }
        // Read from the parsed URL: its path has no dot segments or backslashes left.
        let path = parsed.path();
        let id = path
            .strip_prefix(PATH)
            .map(|id| id.trim_end_matches('/'))
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .ok_or_else(|| Error::invalid("url", format!("must be https://HOST{PATH}{{id}}")))?;
        let base = parsed.origin().ascii_serialization();
        Ok(Self::new(&base, http_client(DEFAULT_TIMEOUT)?, id, token, RetryPolicy::default()))
    }

    /// Posts a whole card (`format=full`).
    ///
    #[doc = zoom_api_gen::operation_doc!(sendIncomingWebhook)]
    ///
    /// With `format=full`, to the incoming-webhook host.
    pub async fn send_card(&self, card: types::Card) -> Result<()> {
        let request = self
            .client
            .send_incoming_webhook()
            .webhook_id(&self.webhook_id)
            .format(types::IncomingWebhookFormat::Full)
            .body(types::IncomingWebhookCard { content: card });
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// Posts a plain message (`format=message`: the body is the text), to the same endpoint
    /// with the same token.
    pub async fn send_message(&self, text: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Err(Error::invalid("message", "must not be empty"));
        }
        self.post("message", "text/plain", text.to_owned().into_bytes()).await
    }

    /// Posts key/value fields (`format=fields`: the body is a flat JSON object), to the same
    /// endpoint with the same token.
    pub async fn send_fields(&self, fields: &[(&str, &str)]) -> Result<()> {
        if fields.is_empty() {
            return Err(Error::invalid("fields", "needs at least one field"));
        }
        let object: serde_json::Map<String, serde_json::Value> =
            fields.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect();
        let body = serde_json::to_vec(&object).map_err(|e| Error::invalid("fields", e.to_string()))?;
        self.post("fields", "application/json", body).await
    }

    /// The `message` and `fields` formats: their bodies are not a card, so the generated
    /// operation (one body type per operation) cannot build them. The request is built here
    /// and handed to the same policy the generated call goes through, under the same name.
    async fn post(&self, format: &str, content_type: &str, body: Vec<u8>) -> Result<()> {
        let http = self.client.client();
        let request = http
            .post(&self.url)
            .query(&[("format", format)])
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .build()
            .map_err(Error::Transport)?;
        let response = self.policy.execute(http, request, OPERATION).await.map_err(Error::Transport)?;
        if let Some(failure) = PolicyFailure::take(&response) {
            return Err(failure);
        }
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(());
        }
        let headers = response.headers().clone();
        let text = response.text().await.map_err(Error::Transport)?;
        match serde_json::from_str::<types::ApiError>(&text) {
            Ok(body) => Err(refusal(status, &headers, body)),
            Err(_) => Err(Error::UnexpectedResponse {
                status: Some(status),
                detail: "an error answer that is not Zoom's error body".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> SecretString {
        SecretString::from("verification-token".to_owned())
    }

    #[test]
    fn a_url_that_would_send_the_token_in_clear_or_elsewhere_is_refused() {
        for url in [
            "http://integrations.zoom.us/chat/webhooks/incomingwebhook/abc",
            "https://evil.example/chat/webhooks/incomingwebhook/abc",
            "http://10.0.0.5/chat/webhooks/incomingwebhook/abc",
            "https://integrations.zoom.us.evil.example/chat/webhooks/incomingwebhook/abc",
        ] {
            let err = IncomingWebhook::from_url(url, token()).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field, rule } if field == "url" && rule.contains("https")),
                "{url}: {err}"
            );
        }
    }

    #[tokio::test]
    async fn a_token_that_cannot_be_a_header_is_refused_in_every_format_before_sending() {
        // Port 9 (discard) on loopback: nothing listens, and nothing is sent.
        let url = "http://127.0.0.1:9/chat/webhooks/incomingwebhook/abc";
        let hook = IncomingWebhook::from_url(url, SecretString::from("bad\ntoken".to_owned())).unwrap();
        let card = crate::card::Card::new().head("x").build().unwrap();
        for err in [
            hook.send_card(card).await.unwrap_err(),
            hook.send_message("x").await.unwrap_err(),
            hook.send_fields(&[("k", "v")]).await.unwrap_err(),
        ] {
            assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "token"), "{err:?}");
            assert!(!err.to_string().contains("bad"), "the token is not shown: {err}");
        }
    }

    #[test]
    fn zooms_host_and_loopback_are_taken_with_the_id_from_the_normalised_path() {
        let hook = IncomingWebhook::from_url("https://integrations.zoom.us/chat/webhooks/incomingwebhook/abc", token())
            .unwrap();
        assert_eq!(hook.webhook_id, "abc");
        assert_eq!(hook.url, "https://integrations.zoom.us/chat/webhooks/incomingwebhook/abc");
        let local =
            IncomingWebhook::from_url("http://127.0.0.1:4000/chat/webhooks/incomingwebhook/x1/", token()).unwrap();
        assert_eq!(local.url, "http://127.0.0.1:4000/chat/webhooks/incomingwebhook/x1");
        // Dot segments are resolved before the path is read: this is not an incoming webhook.
        for url in [
            "https://integrations.zoom.us/chat/webhooks/incomingwebhook/../../../oauth/token",
            "https://integrations.zoom.us/x/chat/webhooks/incomingwebhook/abc",
            "https://integrations.zoom.us/chat/webhooks/incomingwebhook/",
        ] {
            assert!(IncomingWebhook::from_url(url, token()).is_err(), "{url}");
        }
    }
}
