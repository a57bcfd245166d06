//! The install route of a Marketplace bot (the `axum` feature): [`InstallRoute`].
//!
//! Zoom's "Installation and authentication" page for chat apps gives the flow: the user goes
//! to `https://zoom.us/oauth/authorize?response_type=code&client_id=..&redirect_uri=..` (the
//! same link as the Marketplace's Add button), consents, and Zoom redirects to the
//! `redirect_uri` with the authorization `code` in the query. The code is needed only to
//! call APIs as the installing user: a bot that calls only the chatbot API ignores it (its
//! token is the app's, `client_credentials`). Zoom then sends `bot_installed` to the bot's
//! endpoint ([`Bot::installations`](crate::bot::Bot::installations) records it).
//!
//! - `GET {install path}` redirects to that authorize URL with a `state` (and, with
//!   [`pkce`](InstallRouteBuilder::pkce), a PKCE S256 challenge), and sets a cookie that ties the
//!   `state` to this browser.
//! - `GET {the redirect URI's path}?code=..&state=..` checks the `state` (signed, short-lived, and
//!   matching the cookie: a link made for someone else's browser is refused), exchanges the code
//!   for the user's tokens when the app asked for them
//!   ([`on_authorized`](InstallRouteBuilder::on_authorized), which keeps the refresh token), then
//!   redirects to the app's [`done_url`](InstallRouteBuilder::done_url).
//!
//! The state carries no server-side record: it is a nonce, an expiry and an HMAC-SHA256 over
//! both, keyed (by default) from the app's client secret, so any replica can check it. The
//! PKCE verifier is derived from the nonce with the same key, never sent to the browser.
//!
//! Where to send the browser at the end: the page says the redirect can open the Zoom client
//! on the chatbot ("deep linking"), but the snapshot of Zoom's pages read for this crate
//! shows no format for such a link for a chatbot (the Marketplace API's deeplink operation
//! is for Zoom Apps), so the URL is the app's to configure.
//!
//! ```no_run
//! # async fn run() -> zoom_chatbot::Result<()> {
//! use zoom_chatbot::install::InstallRoute;
//! use zoom_chatbot::SecretString;
//!
//! let route = InstallRoute::builder(
//!     "my-client-id",
//!     SecretString::from("my-client-secret".to_owned()),
//!     "https://bot.example.com/zoom/installed",
//! )
//! .install_path("/zoom/install")
//! .done_url("https://example.com/installed.html")
//! .build()?;
//! let app = route.router(); // merge it with the bot's router
//! # let _ = app; Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use http::{HeaderValue, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::auth::{BoxFuture, OAuth, Pkce, Token, authorize_url, exchange};
use crate::client::ZOOM_OAUTH_URL;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::macros::{debug_fields, setters};

/// How long an install link's `state` is good for by default.
pub const DEFAULT_STATE_TTL: Duration = Duration::from_secs(10 * 60);
/// The cookie that ties a `state` to the browser it was given to.
pub const STATE_COOKIE: &str = "zoom_install_state";

type OnAuthorized = Arc<dyn Fn(AuthorizedUser) -> BoxFuture<'static, Result<()>> + Send + Sync>;

/// What the code exchange brought: the installing user's tokens. Its `Debug` shows neither.
pub struct AuthorizedUser {
    /// The user (`uid` of the access token), when the token says.
    pub user_id: Option<UserId>,
    /// The access token (about an hour of life).
    pub token: Token,
    /// The refresh token: keep it (per user), and start a
    /// [`UserOAuth`](crate::auth::UserOAuth) (or `RedisStore::user_oauth` with the `redis`
    /// feature) from it; refresh tokens rotate on each use.
    pub refresh_token: SecretString,
}

impl fmt::Debug for AuthorizedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizedUser")
            .field("user_id", &self.user_id)
            .field("token", &self.token)
            .field("refresh_token", &"[redacted]")
            .finish()
    }
}

/// Sets up an [`InstallRoute`].
pub struct InstallRouteBuilder {
    client_id: String,
    client_secret: SecretString,
    redirect_uri: String,
    oauth_url: String,
    install_path: String,
    done_url: Option<String>,
    pkce: bool,
    state_ttl: Duration,
    state_key: Option<SecretString>,
    http: Option<reqwest::Client>,
    on_authorized: Option<OnAuthorized>,
}

debug_fields!(InstallRouteBuilder { client_id, redirect_uri, install_path });

impl InstallRouteBuilder {
    setters! {
        /// The OAuth host's base URL (default `https://zoom.us`).
        pub fn oauth_url(url: impl Into<String>) = url.into();

        /// Where the install starts (default `/zoom/install`): the link to put on the app's
        /// site.
        pub fn install_path(path: impl Into<String>) = path.into();

        /// Where the browser goes once the app is installed (required): a page of the app, or a
        /// link that opens the Zoom client.
        pub fn done_url(url: impl Into<String>) = Some(url.into());

        /// Starts the flow with a PKCE S256 challenge, and sends its verifier with the code
        /// (off by default: Zoom takes PKCE, and the app's client secret already guards the
        /// exchange).
        pub fn pkce() = true;

        /// How long an install link is good for (default [`DEFAULT_STATE_TTL`]).
        pub fn state_ttl(ttl: Duration);

        /// The key that signs the `state` (default: derived from the client secret, so that
        /// every replica of the app checks what another signed).
        pub fn state_key(key: SecretString) = Some(key);

        /// The HTTP client for the code exchange (default: one made as a
        /// [`ZoomClient`](crate::ZoomClient)'s is, with a 30 s timeout, following no redirects).
        pub fn http(http: reqwest::Client) = Some(http);
    }

    /// Exchanges the code for the installing user's tokens and hands them to `keep` (which
    /// stores the refresh token, per user) before the browser is sent on. Without it the code
    /// is not used: a bot that calls only the chatbot API needs none. When `keep` fails, the
    /// user is shown that the install could not be completed (500).
    pub fn on_authorized<F, Fut>(mut self, keep: F) -> Self
    where
        F: Fn(AuthorizedUser) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        self.on_authorized = Some(Arc::new(move |user| Box::pin(keep(user))));
        self
    }

    /// The route. Refuses a redirect URI that is not an absolute `http(s)` URL, a missing
    /// done URL, an install path that is not a path, or one that is the redirect URI's path.
    pub fn build(self) -> Result<InstallRoute> {
        let redirect = reqwest::Url::parse(&self.redirect_uri)
            .map_err(|e| Error::invalid("redirect_uri", format!("is not a URL ({e})")))?;
        if !matches!(redirect.scheme(), "http" | "https") {
            return Err(Error::invalid("redirect_uri", "must be an http or https URL"));
        }
        let done_url = self.done_url.ok_or_else(|| {
            Error::invalid("done_url", "is required: where the browser goes once the app is installed")
        })?;
        // Kept as the parser wrote it: it drops characters (tabs, newlines) that a Location
        // header cannot carry.
        let done_url = reqwest::Url::parse(&done_url)
            .map_err(|e| Error::invalid("done_url", format!("is not a URL ({e})")))?
            .to_string();
        if !self.install_path.starts_with('/') {
            return Err(Error::invalid("install_path", "must start with /"));
        }
        let callback_path = redirect.path().to_owned();
        if callback_path == self.install_path {
            return Err(Error::invalid("install_path", "must differ from the redirect URI's path"));
        }
        if self.state_ttl.is_zero() {
            return Err(Error::invalid("state_ttl", "must be more than zero"));
        }
        let key = match &self.state_key {
            Some(key) if key.expose_secret().len() < 32 => {
                return Err(Error::invalid(
                    "state_key",
                    "must be at least 32 bytes: a shorter key makes states guessable",
                ));
            }
            Some(key) => key.expose_secret().as_bytes().to_vec(),
            None => mac(self.client_secret.expose_secret().as_bytes(), &[b"zoom-chatbot install state v1"]),
        };
        let http = match self.http {
            Some(http) => http,
            // The client's own (the TLS provider installed, 30 s timeouts, no redirects).
            None => crate::transport::http_client(crate::transport::DEFAULT_TIMEOUT)?,
        };
        let oauth = OAuth::new(&self.oauth_url, http, &self.client_id, &self.client_secret);
        Ok(InstallRoute {
            inner: Arc::new(Inner {
                oauth,
                oauth_url: self.oauth_url,
                client_id: self.client_id,
                secure_cookie: redirect.scheme() == "https",
                redirect_uri: self.redirect_uri,
                callback_path,
                install_path: self.install_path,
                done_url,
                pkce: self.pkce,
                state_ttl: self.state_ttl,
                key: SecretString::from(URL_SAFE_NO_PAD.encode(key)),
                on_authorized: self.on_authorized,
            }),
        })
    }
}

/// The install route: the authorize redirect and Zoom's redirect back (see the module's
/// docs). Cheap to clone.
#[derive(Clone)]
pub struct InstallRoute {
    inner: Arc<Inner>,
}

struct Inner {
    oauth: OAuth,
    oauth_url: String,
    client_id: String,
    redirect_uri: String,
    callback_path: String,
    install_path: String,
    done_url: String,
    pkce: bool,
    secure_cookie: bool,
    state_ttl: Duration,
    /// The state's signing key (base64url, to keep it in a secret type).
    key: SecretString,
    on_authorized: Option<OnAuthorized>,
}

debug_fields!(InstallRoute {
    install_path: inner.install_path,
    redirect_uri: inner.redirect_uri,
    done_url: inner.done_url,
});

/// HMAC-SHA256 of `parts` under `key`.
fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Why a `state` was refused (said to the user in one sentence, logged at INFO).
#[derive(Debug, PartialEq, Eq)]
enum BadState {
    Missing,
    Malformed,
    Forged,
    Expired,
    OtherBrowser,
}

impl InstallRoute {
    /// A builder: the app's client id and secret, and the redirect URI registered with the app
    /// on the Marketplace (its path is where this route takes Zoom's redirect back).
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: impl Into<String>,
    ) -> InstallRouteBuilder {
        InstallRouteBuilder {
            client_id: client_id.into(),
            client_secret,
            redirect_uri: redirect_uri.into(),
            oauth_url: ZOOM_OAUTH_URL.into(),
            install_path: "/zoom/install".into(),
            done_url: None,
            pkce: false,
            state_ttl: DEFAULT_STATE_TTL,
            state_key: None,
            http: None,
            on_authorized: None,
        }
    }

    fn key(&self) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(self.inner.key.expose_secret()).unwrap_or_default()
    }

    /// A new state, good until `now_ms` plus the TTL, and its nonce (for the cookie).
    fn new_state(&self, now_ms: u64) -> (String, String) {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the operating system's random generator is available");
        let nonce = URL_SAFE_NO_PAD.encode(bytes);
        let expires = (now_ms + self.inner.state_ttl.as_millis() as u64).to_string();
        let signature =
            URL_SAFE_NO_PAD.encode(mac(&self.key(), &[b"state:", nonce.as_bytes(), b".", expires.as_bytes()]));
        (format!("{nonce}.{expires}.{signature}"), nonce)
    }

    /// The nonce of `state` if it is one this app signed, not expired at `now_ms`, and given
    /// to the browser whose cookie is `cookie`.
    fn check_state(&self, state: Option<&str>, cookie: Option<&str>, now_ms: u64) -> Result<String, BadState> {
        let state = state.filter(|s| !s.is_empty()).ok_or(BadState::Missing)?;
        let mut parts = state.split('.');
        let (Some(nonce), Some(expires), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(BadState::Malformed);
        };
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| BadState::Malformed)?;
        let mut check = <Hmac<Sha256> as Mac>::new_from_slice(&self.key()).expect("HMAC takes a key of any length");
        for part in [b"state:".as_slice(), nonce.as_bytes(), b".", expires.as_bytes()] {
            check.update(part);
        }
        check.verify_slice(&signature).map_err(|_| BadState::Forged)?;
        let expires: u64 = expires.parse().map_err(|_| BadState::Malformed)?;
        if now_ms >= expires {
            return Err(BadState::Expired);
        }
        let same_browser = cookie.is_some_and(|c| subtle::ConstantTimeEq::ct_eq(c.as_bytes(), nonce.as_bytes()).into());
        if !same_browser {
            return Err(BadState::OtherBrowser);
        }
        Ok(nonce.to_owned())
    }

    /// The PKCE pair of the flow that `nonce` started.
    fn pkce_for(&self, nonce: &str) -> Pkce {
        Pkce::from_verifier(URL_SAFE_NO_PAD.encode(mac(&self.key(), &[b"pkce:", nonce.as_bytes()])))
    }

    /// Zoom's consent page for a flow with this state (and nonce).
    fn authorize_location(&self, state: &str, nonce: &str) -> String {
        let inner = &self.inner;
        let pkce = inner.pkce.then(|| self.pkce_for(nonce));
        let mut extra = vec![("state", state)];
        if let Some(pkce) = &pkce {
            extra.extend(pkce.challenge_params());
        }
        authorize_url(&inner.oauth_url, &inner.client_id, &inner.redirect_uri, &extra)
    }

    fn cookie(&self, value: &str, max_age: u64) -> String {
        let secure = if self.inner.secure_cookie { "; Secure" } else { "" };
        format!(
            "{STATE_COOKIE}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
            self.inner.callback_path
        )
    }

    /// `GET {install path}`: to Zoom's consent page.
    fn start(&self) -> Response {
        let (state, nonce) = self.new_state(now_ms());
        let location = self.authorize_location(&state, &nonce);
        let mut answer = redirect(&location);
        if let Ok(cookie) = HeaderValue::from_str(&self.cookie(&nonce, self.inner.state_ttl.as_secs().max(1))) {
            answer.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        answer
    }

    /// `GET {redirect path}`: Zoom's redirect back, with the code (or Zoom's error).
    async fn finish(&self, uri: &http::Uri, cookies: Option<&str>) -> Response {
        let query: Vec<(String, String)> = uri
            .query()
            .map(|q| reqwest::Url::parse(&format!("http://x/?{q}")).map(|u| u.query_pairs().into_owned().collect()))
            .and_then(|r| r.ok())
            .unwrap_or_default();
        let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let cookie = cookies.and_then(|all| {
            all.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == STATE_COOKIE).map(|(_, v)| v)
        });
        let nonce = match self.check_state(param("state"), cookie, now_ms()) {
            Ok(nonce) => nonce,
            Err(why) => {
                tracing::info!(reason = ?why, "refused an install redirect whose state is not good");
                let text = format!(
                    "This install link is not valid in this browser, or it expired. Start again at {}.",
                    self.inner.install_path
                );
                return plain(StatusCode::BAD_REQUEST, text);
            }
        };
        if let Some(error) = param("error") {
            let error: String = error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
            return plain(StatusCode::BAD_REQUEST, format!("Zoom did not authorize the app: {error}."));
        }
        let Some(code) = param("code").filter(|c| !c.is_empty()) else {
            return plain(StatusCode::BAD_REQUEST, "Zoom's redirect brought no authorization code.".into());
        };
        if let Some(keep) = &self.inner.on_authorized {
            let pkce = self.inner.pkce.then(|| self.pkce_for(&nonce));
            let (token, refresh_token) = match exchange(
                &self.inner.oauth,
                code,
                &self.inner.redirect_uri,
                pkce.as_ref(),
            )
            .await
            {
                Ok(tokens) => tokens,
                Err(Error::Auth { error, reason, .. }) => {
                    tracing::warn!(error = %error, reason = %reason, "Zoom refused an install's authorization code");
                    let text = format!("Zoom refused the authorization: {error}: {reason}");
                    return plain(StatusCode::BAD_REQUEST, text);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "an install's authorization code could not be exchanged");
                    // The details are in the log, not on a page any browser can open.
                    return plain(
                        StatusCode::BAD_GATEWAY,
                        "Zoom could not be reached to finish the install; try again.".to_owned(),
                    );
                }
            };
            let user_id: Option<UserId> = token.uid.as_deref().and_then(|uid| uid.parse().ok());
            tracing::info!(user_id = ?user_id.as_ref().map(UserId::as_str), "a user authorized the app's install");
            if let Err(e) = keep(AuthorizedUser { user_id, token, refresh_token }).await {
                tracing::warn!(error = %e, "the app could not keep an installing user's tokens");
                let text = "The app could not complete the install. Please try again.".to_owned();
                return plain(StatusCode::INTERNAL_SERVER_ERROR, text);
            }
        }
        let mut answer = redirect(&self.inner.done_url);
        if let Ok(cleared) = HeaderValue::from_str(&self.cookie("", 0)) {
            answer.headers_mut().insert(header::SET_COOKIE, cleared);
        }
        answer
    }

    /// An `axum::Router` serving `GET {install path}` and `GET {the redirect URI's path}`;
    /// merge it with the bot's router.
    pub fn router(self) -> axum::Router {
        let (start, finish) = (self.clone(), self.clone());
        axum::Router::new()
            .route(&self.inner.install_path, axum::routing::get(move || std::future::ready(start.start())))
            .route(
                &self.inner.callback_path,
                axum::routing::get(move |request: axum::extract::Request| {
                    let route = finish.clone();
                    async move {
                        let cookies = request.headers().get(header::COOKIE).and_then(|v| v.to_str().ok());
                        route.finish(request.uri(), cookies).await
                    }
                }),
            )
    }
}

fn redirect(location: &str) -> Response {
    let mut answer = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        answer.headers_mut().insert(header::LOCATION, value);
    }
    answer.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

fn plain(status: StatusCode, text: String) -> Response {
    let mut answer = (status, text).into_response();
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route() -> InstallRoute {
        InstallRoute::builder("cid", SecretString::from("secret".to_owned()), "https://bot.example.com/zoom/installed")
            .done_url("https://example.com/done")
            .state_ttl(Duration::from_secs(600))
            .build()
            .unwrap()
    }

    #[test]
    fn a_state_is_good_only_signed_unexpired_and_in_the_browser_it_was_given_to() {
        let route = route();
        let (state, nonce) = route.new_state(1_000);
        assert_eq!(route.check_state(Some(&state), Some(&nonce), 1_001), Ok(nonce.clone()));
        assert_eq!(route.check_state(Some(&state), Some(&nonce), 1_000 + 600_000), Err(BadState::Expired));
        assert_eq!(route.check_state(Some(&state), None, 1_001), Err(BadState::OtherBrowser));
        assert_eq!(route.check_state(Some(&state), Some("another"), 1_001), Err(BadState::OtherBrowser));
        assert_eq!(route.check_state(None, Some(&nonce), 1_001), Err(BadState::Missing));
        assert_eq!(route.check_state(Some("a.b"), Some(&nonce), 1_001), Err(BadState::Malformed));
        // A longer life written into the state breaks its signature.
        let mut parts: Vec<&str> = state.split('.').collect();
        parts[1] = "99999999999999";
        assert_eq!(route.check_state(Some(&parts.join(".")), Some(&nonce), 1_001), Err(BadState::Forged));
        // Another app's key (another client secret) signs other states.
        let other = InstallRoute::builder("cid", SecretString::from("other".to_owned()), "https://b.example.com/cb")
            .done_url("https://example.com/done")
            .build()
            .unwrap();
        assert_eq!(other.check_state(Some(&state), Some(&nonce), 1_001), Err(BadState::Forged));
    }

    #[test]
    fn two_states_differ_and_the_pkce_verifier_is_not_in_the_authorize_url() {
        let route = route();
        let (a, nonce) = route.new_state(0);
        let (b, _) = route.new_state(0);
        assert_ne!(a, b);
        let with_pkce = InstallRoute::builder(
            "cid",
            SecretString::from("secret".to_owned()),
            "https://bot.example.com/zoom/installed",
        )
        .done_url("https://example.com/done")
        .pkce()
        .build()
        .unwrap();
        let pkce = with_pkce.pkce_for(&nonce);
        let url = with_pkce.authorize_location(&a, &nonce);
        assert!(url.starts_with("https://zoom.us/oauth/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fbot.example.com%2Fzoom%2Finstalled&state="), "{url}");
        assert!(
            url.contains(&format!("code_challenge={}", pkce.challenge())) && url.contains("code_challenge_method=S256")
        );
        assert!(!route.authorize_location(&a, &nonce).contains("code_challenge"), "no PKCE unless asked");
    }

    #[test]
    fn bad_configuration_is_refused_naming_the_field() {
        let field = |b: InstallRouteBuilder| match b.build() {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let base = || InstallRoute::builder("cid", SecretString::from("s".to_owned()), "https://b.example.com/cb");
        assert_eq!(field(base()), "done_url");
        assert_eq!(field(base().done_url("https://x.example.com").install_path("/cb")), "install_path");
        let not_a_url =
            InstallRoute::builder("cid", SecretString::from("s".to_owned()), "/cb").done_url("https://x.example.com");
        assert_eq!(field(not_a_url), "redirect_uri");
    }
}
