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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
pub use zoom_api_gen::hooks::BoxFuture;
use zoom_api_gen::hooks::{Hooks, RequestPolicy};
use zoom_api_gen::types::{self, GrantType};

use crate::error::{Error, Result, decoding_error};
use crate::ids::AccountId;

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

    /// The `Authorization` header value, or `None` if the token cannot be a header.
    pub(crate) fn header(&self) -> Option<&reqwest::header::HeaderValue> {
        self.header.as_ref()
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

/// Adds a fixed `Authorization` value (the app's Basic credentials, an incoming webhook's
/// token) to every request, at the last moment, marked sensitive.
pub(crate) struct FixedAuthorization {
    pub header: SecretString,
}

impl RequestPolicy for FixedAuthorization {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        _operation: &'static str,
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
    async fn token_with_refresh(&self, request: types::TokenRequest) -> Result<(Token, Option<SecretString>)> {
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

/// Where tokens come from.
pub trait TokenSource: Send + Sync + 'static {
    /// Gets a new token.
    fn fetch<'a>(&'a self, oauth: &'a OAuth) -> BoxFuture<'a, Result<Token>>;
}

/// A chatbot app's token (grant `client_credentials`, scope `imchat:bot`).
#[derive(Debug, Default)]
pub struct ChatbotCredentials;

impl TokenSource for ChatbotCredentials {
    fn fetch<'a>(&'a self, oauth: &'a OAuth) -> BoxFuture<'a, Result<Token>> {
        Box::pin(async move { oauth.token(grant(GrantType::ClientCredentials)).await })
    }
}

/// A server-to-server app's token for an account (grant `account_credentials`).
#[derive(Debug)]
pub struct ServerToServer {
    account_id: AccountId,
}

impl ServerToServer {
    /// Tokens for this account.
    pub fn new(account_id: AccountId) -> Self {
        Self { account_id }
    }
}

impl TokenSource for ServerToServer {
    fn fetch<'a>(&'a self, oauth: &'a OAuth) -> BoxFuture<'a, Result<Token>> {
        Box::pin(async move {
            let mut request = grant(GrantType::AccountCredentials);
            request.account_id = Some(self.account_id.to_string());
            oauth.token(request).await
        })
    }
}

/// A token you already hold. It cannot be renewed: when Zoom refuses it, calls fail with
/// [`Error::Zoom`] (401).
pub struct StaticToken(pub SecretString);

impl TokenSource for StaticToken {
    fn fetch<'a>(&'a self, _: &'a OAuth) -> BoxFuture<'a, Result<Token>> {
        Box::pin(async move { Ok(Token::fixed(self.0.clone())) })
    }
}

/// Where a user's refresh token is kept. Zoom rotates refresh tokens: each refresh uses the
/// old one up and returns a new one, which is handed to `save` before the new access token
/// is used, so it is never lost.
pub trait RefreshTokenStore: Send + Sync + 'static {
    /// Keeps the new refresh token (in a database, a keyring, a file ...).
    fn save(&self, refresh_token: &SecretString) -> BoxFuture<'_, Result<()>>;
}

impl<F> RefreshTokenStore for F
where
    F: Fn(&SecretString) -> Result<()> + Send + Sync + 'static,
{
    fn save(&self, refresh_token: &SecretString) -> BoxFuture<'_, Result<()>> {
        let outcome = self(refresh_token);
        Box::pin(async move { outcome })
    }
}

/// A user's token (authorization code with PKCE, then refresh tokens that rotate).
pub struct UserOAuth {
    refresh_token: tokio::sync::Mutex<SecretString>,
    store: Box<dyn RefreshTokenStore>,
}

impl UserOAuth {
    /// Continues from a refresh token you kept.
    pub fn from_refresh_token(refresh_token: SecretString, store: impl RefreshTokenStore) -> Self {
        Self { refresh_token: tokio::sync::Mutex::new(refresh_token), store: Box::new(store) }
    }

    /// Exchanges the code Zoom's redirect brought (with the PKCE verifier that started the
    /// flow) for tokens. The refresh token goes to `store` before this returns.
    pub async fn exchange_code(
        oauth: &OAuth,
        code: &str,
        redirect_uri: &str,
        pkce: &Pkce,
        store: impl RefreshTokenStore,
    ) -> Result<(Self, Token)> {
        let mut request = grant(GrantType::AuthorizationCode);
        request.code = Some(code.to_owned());
        request.redirect_uri = Some(redirect_uri.to_owned());
        request.code_verifier = Some(pkce.verifier.expose_secret().to_owned());
        let (token, refresh) = oauth.token_with_refresh(request).await?;
        let refresh = refresh.ok_or_else(|| Error::Auth {
            error: "no_refresh_token".into(),
            reason: "Zoom's answer to the code exchange had no refresh token".into(),
            status: None,
        })?;
        store.save(&refresh).await?;
        Ok((Self::from_refresh_token(refresh, store), token))
    }
}

impl TokenSource for UserOAuth {
    fn fetch<'a>(&'a self, oauth: &'a OAuth) -> BoxFuture<'a, Result<Token>> {
        Box::pin(async move {
            let mut current = self.refresh_token.lock().await;
            let mut request = grant(GrantType::RefreshToken);
            request.refresh_token = Some(current.expose_secret().to_owned());
            let (token, next) = oauth.token_with_refresh(request).await?;
            if let Some(next) = next {
                // Saved first: if saving fails, the caller learns it while the old one is
                // still in hand.
                self.store.save(&next).await?;
                *current = next;
            }
            Ok(token)
        })
    }
}

fn grant(grant_type: GrantType) -> types::TokenRequest {
    types::TokenRequest {
        grant_type,
        account_id: None,
        code: None,
        redirect_uri: None,
        code_verifier: None,
        refresh_token: None,
    }
}

/// A PKCE verifier and its S256 challenge, for the authorization-code flow.
pub struct Pkce {
    verifier: SecretString,
    challenge: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce").field("verifier", &"[redacted]").field("challenge", &self.challenge).finish()
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

impl Pkce {
    /// A fresh verifier (32 random bytes, base64url) from the operating system's generator.
    pub fn new() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random generator is available");
        Self::from_verifier(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A PKCE pair from a verifier you chose.
    pub fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self { verifier: SecretString::from(verifier), challenge }
    }

    /// The S256 challenge, for the authorization URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The URL to send the user to: Zoom's consent page, which redirects back with a code.
    pub fn authorize_url(&self, oauth_base: &str, client_id: &str, redirect_uri: &str) -> String {
        let page = format!("{}/oauth/authorize", oauth_base.trim_end_matches('/'));
        let query = [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("code_challenge", &self.challenge),
            ("code_challenge_method", "S256"),
        ];
        match reqwest::Url::parse_with_params(&page, query) {
            Ok(url) => url.into(),
            // Not a URL base: the page and its query, encoded all the same.
            Err(_) => {
                let encoded: String = reqwest::Url::parse_with_params("http://x/", query)
                    .map(|u| u.query().unwrap_or_default().to_owned())
                    .unwrap_or_default();
                format!("{page}?{encoded}")
            }
        }
    }
}

/// How long a failed token request answers for later callers too: within it, calls fail at
/// once with [`Error::TokenUnavailable`] instead of asking again.
pub(crate) const FAILURE_HOLD: Duration = Duration::from_secs(1);

/// The last failed token request: which one, when, and what went wrong (shown without
/// secrets, as every error of this crate is).
struct Failure {
    attempt: u64,
    at: tokio::time::Instant,
    reason: String,
    retryable: bool,
}

/// One token shared by every clone of a client: renewed ahead of expiry, by one caller at a
/// time, however many calls need it at once. A failed request is shared too: the calls that
/// waited for it, and those that come within [`FAILURE_HOLD`] after, fail with it rather than
/// each asking again.
pub(crate) struct TokenCache {
    source: Box<dyn TokenSource>,
    current: RwLock<Option<Arc<Token>>>,
    renewing: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
    failure: std::sync::Mutex<Option<Failure>>,
}

impl TokenCache {
    pub fn new(source: impl TokenSource) -> Self {
        Self::boxed(Box::new(source))
    }

    pub fn boxed(source: Box<dyn TokenSource>) -> Self {
        Self {
            source,
            current: RwLock::new(None),
            renewing: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
            failure: std::sync::Mutex::new(None),
        }
    }

    fn fresh(&self) -> Option<Arc<Token>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|t| t.fresh_for(t.renew_ahead())).cloned()
    }

    /// The failure a caller that arrived when `seen` requests had been made must share: one
    /// made since it arrived, or one recent enough.
    fn shared_failure(&self, seen: u64) -> Option<Error> {
        let failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        let f = failure.as_ref()?;
        (f.attempt > seen || f.at.elapsed() < FAILURE_HOLD)
            .then(|| Error::TokenUnavailable { reason: f.reason.clone(), retryable: f.retryable })
    }

    /// A token good for at least the renewal margin; fetches one if needed (single flight).
    pub async fn get(&self, oauth: &OAuth) -> Result<Arc<Token>> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let seen = self.fetches();
        if let Some(failure) = self.shared_failure(seen) {
            return Err(failure);
        }
        let _turn = self.renewing.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token); // renewed by whoever held the lock before us
        }
        if let Some(failure) = self.shared_failure(seen) {
            return Err(failure); // the request we waited for failed
        }
        self.fetch(oauth).await
    }

    /// After Zoom refused `stale` with 401: a new token, unless another caller already
    /// replaced it.
    pub async fn renew(&self, oauth: &OAuth, stale: &Arc<Token>) -> Result<Arc<Token>> {
        let seen = self.fetches();
        let _turn = self.renewing.lock().await;
        let current = self.current.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(current) = current.filter(|c| !Arc::ptr_eq(c, stale)) {
            return Ok(current);
        }
        if let Some(failure) = self.shared_failure(seen) {
            return Err(failure);
        }
        self.fetch(oauth).await
    }

    async fn fetch(&self, oauth: &OAuth) -> Result<Arc<Token>> {
        let attempt = self.fetches.fetch_add(1, Ordering::Relaxed) + 1;
        match self.source.fetch(oauth).await {
            Ok(token) => {
                let token = Arc::new(token);
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
                *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(token)
            }
            Err(e) => {
                let failure = Failure {
                    attempt,
                    at: tokio::time::Instant::now(),
                    reason: e.to_string(),
                    retryable: e.is_retryable(),
                };
                *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure);
                Err(e)
            }
        }
    }

    /// How many tokens this cache has asked for.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_debug_never_shows_the_secret() {
        let t = Token::fixed(SecretString::from("super-secret-token".to_owned()));
        let shown = format!("{t:?}");
        assert!(!shown.contains("super-secret-token") && shown.contains("redacted"), "{shown}");
        let p = Pkce::from_verifier("my-verifier".into());
        assert!(!format!("{p:?}").contains("my-verifier"));
    }

    #[test]
    fn pkce_challenge_is_rfc7636_s256() {
        // RFC 7636, appendix B.
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(p.authorize_url("https://zoom.us/", "cid", "https://x/cb").starts_with(
            "https://zoom.us/oauth/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fx%2Fcb&code_challenge=E9M"
        ));
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
