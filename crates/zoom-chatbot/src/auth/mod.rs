//! Tokens: where they come from ([`TokenSource`]), and one cache per client that every clone
//! shares. Concurrent calls make one token request between them (single flight). The token
//! is renewed ahead of expiry. A 401 renews it once.
//!
//! ```
//! use zoom_chatbot::auth::Pkce;
//!
//! let pkce = Pkce::new();
//! assert_eq!(pkce.challenge().len(), 43); // base64url(SHA-256(verifier))
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};
pub use zoom_api_gen::hooks::BoxFuture;
use zoom_api_gen::hooks::{Hooks, RequestPolicy};
use zoom_api_gen::types::{self, GrantType};

use crate::error::{Error, Result, decoding_error};

/// An access token and what came with it. Its `Debug` never shows the token.
#[derive(Clone)]
pub struct Token {
    secret: SecretString,
    /// `Bearer {secret}`, built once and marked sensitive (never printed by `http`'s `Debug`).
    header: Option<reqwest::header::HeaderValue>,
    expires_at: Option<Instant>,
    lifetime: Option<Duration>,
    /// The API host for the account's region (`api_url` of the token answer).
    pub api_url: Option<String>,
    /// The user id the token acts as (`uid` in the token's payload): for a chatbot token, the
    /// bot's own user id.
    pub uid: Option<String>,
    /// The granted scopes.
    pub scope: String,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("secret", &"[redacted]")
            .field("expires_in", &self.expires_at.map(|e| e.saturating_duration_since(Instant::now())))
            .field("uid", &self.uid)
            .field("scope", &self.scope)
            .finish()
    }
}

impl Token {
    /// A token from Zoom's token answer.
    fn from_response(r: types::TokenResponse) -> Self {
        let lifetime = Duration::from_secs(r.expires_in.max(0) as u64);
        let uid = jwt_uid(&r.access_token);
        Self {
            header: bearer_header(&r.access_token),
            secret: SecretString::from(r.access_token),
            expires_at: Some(Instant::now() + lifetime),
            lifetime: Some(lifetime),
            api_url: r.api_url,
            uid,
            scope: r.scope,
        }
    }

    /// A token you already hold; it is never renewed.
    pub fn fixed(secret: SecretString) -> Self {
        let header = bearer_header(secret.expose_secret());
        Self { secret, header, expires_at: None, lifetime: None, api_url: None, uid: None, scope: String::new() }
    }

    /// The token itself, for calls outside this client (revoking it with [`OAuth::revoke`],
    /// say). It stays a secret type: nothing prints it.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// How long it stays valid from now (`None` for a token you supplied).
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_at.map(|e| e.saturating_duration_since(Instant::now()))
    }

    /// The `Authorization` header value, or `None` if the token cannot be a header.
    pub(crate) fn header(&self) -> Option<&reqwest::header::HeaderValue> {
        self.header.as_ref()
    }

    /// How long the token lived when it was issued (`None` for a token you supplied).
    #[cfg(feature = "redis")]
    pub(crate) fn lifetime(&self) -> Option<Duration> {
        self.lifetime
    }

    /// A token kept elsewhere (in a store replicas share): `remaining` of its `lifetime`.
    #[cfg(feature = "redis")]
    pub(crate) fn kept(
        secret: SecretString,
        remaining: Duration,
        lifetime: Duration,
        api_url: Option<String>,
        scope: String,
    ) -> Self {
        let uid = jwt_uid(secret.expose_secret());
        Self {
            header: bearer_header(secret.expose_secret()),
            secret,
            expires_at: Some(Instant::now() + remaining),
            lifetime: Some(lifetime),
            api_url,
            uid,
            scope,
        }
    }

    /// Whether the token is good for more than its renewal margin from now, and `slack`.
    #[cfg(feature = "redis")]
    pub(crate) fn good_beyond_renewal(&self, slack: Duration) -> bool {
        self.fresh_for(self.renew_ahead() + slack)
    }

    /// Whether the token is still good for `ahead` from now.
    fn fresh_for(&self, ahead: Duration) -> bool {
        self.expires_at.is_none_or(|e| Instant::now() + ahead < e)
    }

    /// How long before expiry to renew: a minute, or a tenth of the lifetime if that is less.
    fn renew_ahead(&self) -> Duration {
        self.lifetime.map(|l| (l / 10).min(Duration::from_secs(60))).unwrap_or_default()
    }
}

fn bearer_header(token: &str) -> Option<reqwest::header::HeaderValue> {
    let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Reads the `uid` claim of a JWT-shaped token without checking its signature (only Zoom
/// needs to trust it; the client reads its own token).
fn jwt_uid(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.get("uid")?.as_str().map(str::to_owned)
}

/// The OAuth host, with the app's credentials. Token sources use it to ask for tokens.
#[derive(Clone)]
pub struct OAuth {
    client: zoom_api_gen::Client,
}

/// Adds a fixed `Authorization` value (the app's Basic credentials) to every request to the
/// OAuth host, at the last moment, marked sensitive. Calls to Zoom's other hosts with a
/// fixed token (incoming webhooks, callbacks) go through `Policy::fixed` instead.
pub(crate) struct FixedAuthorization {
    pub header: SecretString,
}

impl RequestPolicy for FixedAuthorization {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        _operation: zoom_api_gen::operations::OperationId,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        if let Ok(mut value) = reqwest::header::HeaderValue::from_str(self.header.expose_secret()) {
            value.set_sensitive(true);
            request.headers_mut().insert(reqwest::header::AUTHORIZATION, value);
        }
        Box::pin(client.execute(request))
    }
}

impl OAuth {
    /// The OAuth host at `base_url` (`https://zoom.us`), for the app `client_id`.
    pub fn new(base_url: &str, http: reqwest::Client, client_id: &str, client_secret: &SecretString) -> Self {
        let basic = STANDARD.encode(format!("{client_id}:{}", client_secret.expose_secret()));
        let policy = Arc::new(FixedAuthorization { header: SecretString::from(format!("Basic {basic}")) });
        Self { client: zoom_api_gen::Client::new_with_client(base_url, http, Hooks::with_policy(policy)) }
    }

    /// Asks for a token.
    pub async fn token(&self, request: types::TokenRequest) -> Result<Token> {
        let grant = request.grant_type;
        let response = self.client.request_token().body(request).send().await.map_err(oauth_error)?;
        let token = Token::from_response(response.into_inner());
        tracing::debug!(grant = %grant, uid = ?token.uid, "issued a Zoom token");
        Ok(token)
    }

    /// Revokes a token.
    pub async fn revoke(&self, token: &SecretString) -> Result<()> {
        let body = types::RevokeTokenRequest { token: token.expose_secret().to_owned() };
        self.client.revoke_token().body(body).send().await.map_err(oauth_error)?;
        Ok(())
    }

    /// Asks for a token and, with it, a rotated refresh token.
    pub(crate) async fn token_with_refresh(
        &self,
        request: types::TokenRequest,
    ) -> Result<(Token, Option<SecretString>)> {
        let response = self.client.request_token().body(request).send().await.map_err(oauth_error)?.into_inner();
        let refresh = response.refresh_token.clone().map(SecretString::from);
        Ok((Token::from_response(response), refresh))
    }
}

fn oauth_error(e: zoom_api_gen::Error<types::OAuthError>) -> Error {
    match e {
        zoom_api_gen::Error::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let body = rv.into_inner();
            Error::Auth { error: body.error, reason: body.reason, status: Some(status) }
        }
        zoom_api_gen::Error::CommunicationError(e) | zoom_api_gen::Error::ResponseBodyError(e) => Error::Transport(e),
        // Never the generated error's own text: it carries the answer's bytes, which for a
        // token answer are the tokens.
        zoom_api_gen::Error::InvalidResponsePayload(_, e) => Error::Auth {
            error: "unexpected_response".into(),
            reason: format!("the token answer does not fit the token type ({})", decoding_error(&e)),
            status: None,
        },
        zoom_api_gen::Error::UnexpectedResponse(r) => Error::Auth {
            error: "unexpected_response".into(),
            reason: "the OAuth host answered with a status it does not document".into(),
            status: Some(r.status().as_u16()),
        },
        zoom_api_gen::Error::InvalidRequest(why) => Error::invalid("token request", why),
        zoom_api_gen::Error::InvalidUpgrade(e) => Error::Transport(e),
        zoom_api_gen::Error::Custom(why) => {
            Error::Auth { error: "unexpected_response".into(), reason: why, status: None }
        }
    }
}

pub(crate) fn grant(grant_type: GrantType) -> types::TokenRequest {
    types::TokenRequest {
        grant_type,
        account_id: None,
        code: None,
        redirect_uri: None,
        code_verifier: None,
        refresh_token: None,
    }
}

mod cache;
mod sources;

pub(crate) use cache::TokenCache;
pub use sources::{ChatbotCredentials, Pkce, RefreshTokenStore, ServerToServer, StaticToken, TokenSource, UserOAuth};
#[cfg(feature = "axum")]
pub(crate) use sources::{authorize_url, exchange};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_debug_never_shows_the_secret() {
        let t = Token::fixed(SecretString::from("super-secret-token".to_owned()));
        let shown = format!("{t:?}");
        assert!(!shown.contains("super-secret-token") && shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn renewal_margin_is_a_minute_or_a_tenth() {
        let mut t = Token::fixed(SecretString::from("t".to_owned()));
        t.lifetime = Some(Duration::from_secs(3600));
        assert_eq!(t.renew_ahead(), Duration::from_secs(60));
        t.lifetime = Some(Duration::from_secs(10));
        assert_eq!(t.renew_ahead(), Duration::from_secs(1));
    }

    #[test]
    fn uid_is_read_from_the_token_payload() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"uid":"botuser","aid":"a"}"#);
        assert_eq!(jwt_uid(&format!("h.{payload}.s")), Some("botuser".into()));
        assert_eq!(jwt_uid("opaque"), None);
    }
}
