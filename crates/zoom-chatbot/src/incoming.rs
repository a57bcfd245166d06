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
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use zoom_api_gen::hooks::Hooks;
use zoom_api_gen::types;

use crate::auth::FixedAuthorization;
use crate::client::zoom_error;
use crate::error::{Error, Result, refusal};

/// One incoming webhook: its id and verification token.
#[derive(Clone)]
pub struct IncomingWebhook {
    /// Generated client for `format=full`, with the token as its `Authorization`.
    client: zoom_api_gen::Client,
    http: reqwest::Client,
    url: String,
    token: SecretString,
    webhook_id: String,
}

impl std::fmt::Debug for IncomingWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncomingWebhook").field("url", &self.url).field("token", &"[redacted]").finish()
    }
}

impl IncomingWebhook {
    pub(crate) fn new(base_url: &str, http: reqwest::Client, webhook_id: &str, token: SecretString) -> Self {
        // Zoom's guide shows the token after `Bearer `; the service takes it bare too.
        let header = SecretString::from(format!("Bearer {}", token.expose_secret()));
        let policy = Arc::new(FixedAuthorization { header });
        Self {
            client: zoom_api_gen::Client::new_with_client(base_url, http.clone(), Hooks::with_policy(policy)),
            url: format!("{}/chat/webhooks/incomingwebhook/{webhook_id}", base_url.trim_end_matches('/')),
            http,
            token,
            webhook_id: webhook_id.to_owned(),
        }
    }

    /// The incoming webhook at `url`, as `/inc connect` printed it
    /// (`https://integrations.zoom.us/chat/webhooks/incomingwebhook/{id}`), with its
    /// verification token. It needs no app credentials.
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
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(Error::Transport)?;
        Ok(Self::new(&base, http, id, token))
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
    /// operation (one body type per operation) cannot send them.
    async fn post(&self, format: &str, content_type: &str, body: Vec<u8>) -> Result<()> {
        let mut authorization =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.token.expose_secret()))
                .map_err(|_| Error::invalid("token", "is not a valid header value"))?;
        authorization.set_sensitive(true);
        let response = self
            .http
            .post(&self.url)
            .query(&[("format", format)])
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(Error::Transport)?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(());
        }
        let headers = response.headers().clone();
        let text = response.text().await.map_err(Error::Transport)?;
        match serde_json::from_str::<types::ApiError>(&text) {
            Ok(body) => Err(refusal(status, &headers, body)),
            Err(_) => Err(Error::UnexpectedResponse {
                status,
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
