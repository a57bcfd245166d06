//! Where tokens come from: the app's own grants, a token you hold, and a user's OAuth with
//! PKCE and rotating refresh tokens.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use zoom_api_gen::types::GrantType;

use super::{BoxFuture, OAuth, Token, grant};
use crate::error::{Error, Result};
use crate::ids::AccountId;

/// Where tokens come from.
pub trait TokenSource: Send + Sync + 'static {
    /// Gets a new token.
    fn fetch<'a>(&'a self, oauth: &'a OAuth) -> BoxFuture<'a, Result<Token>>;

    /// Zoom refused `stale` (401): a source that keeps tokens somewhere shared forgets it, so
    /// that the next [`fetch`](Self::fetch) brings a new one. By default, nothing to do.
    fn discard<'a>(&'a self, stale: &'a Token) -> BoxFuture<'a, ()> {
        let _ = stale;
        Box::pin(async {})
    }
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
        let (token, refresh) = exchange(oauth, code, redirect_uri, Some(pkce)).await?;
        store.save(&refresh).await?;
        Ok((Self::from_refresh_token(refresh, store), token))
    }
}

/// The authorization-code grant: the code (and the PKCE verifier, when the flow began with
/// a challenge) for a token and the refresh token that comes with it.
pub(crate) async fn exchange(
    oauth: &OAuth,
    code: &str,
    redirect_uri: &str,
    pkce: Option<&Pkce>,
) -> Result<(Token, SecretString)> {
    let mut request = grant(GrantType::AuthorizationCode);
    request.code = Some(code.to_owned());
    request.redirect_uri = Some(redirect_uri.to_owned());
    request.code_verifier = pkce.map(|p| p.verifier.expose_secret().to_owned());
    let (token, refresh) = oauth.token_with_refresh(request).await?;
    let refresh = refresh.ok_or_else(|| Error::Auth {
        error: "no_refresh_token".into(),
        reason: "Zoom's answer to the code exchange had no refresh token".into(),
        status: None,
    })?;
    Ok((token, refresh))
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
        authorize_url(oauth_base, client_id, redirect_uri, &self.challenge_params())
    }

    /// The challenge's query parameters.
    pub(crate) fn challenge_params(&self) -> [(&'static str, &str); 2] {
        [("code_challenge", &self.challenge), ("code_challenge_method", "S256")]
    }
}

/// Zoom's consent page, `{oauth_base}/oauth/authorize?response_type=code&client_id=..&
/// redirect_uri=..` and `extra`, encoded by the URL parser.
pub(crate) fn authorize_url(oauth_base: &str, client_id: &str, redirect_uri: &str, extra: &[(&str, &str)]) -> String {
    let page = format!("{}/oauth/authorize", oauth_base.trim_end_matches('/'));
    let query = [("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect_uri)]
        .into_iter()
        .chain(extra.iter().copied());
    match reqwest::Url::parse_with_params(&page, query.clone()) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_pkce_verifier_is_never_printed() {
        let p = Pkce::from_verifier("my-verifier".into());
        assert!(!format!("{p:?}").contains("my-verifier"));
    }
}
