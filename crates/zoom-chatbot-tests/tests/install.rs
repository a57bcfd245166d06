//! The install route against the fake Zoom, driven as a browser would be, one redirect at a
//! time: the install link sends the browser to Zoom's consent page; the user's consent is
//! simulated with the fake's `authorization_code`; Zoom's redirect back is exchanged at the
//! fake's /oauth/token, the refresh token handed to the app, and the browser sent on.

use crate::common;

use std::sync::{Arc, Mutex};

use reqwest::Url;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use secrecy::ExposeSecret as _;
use zoom_chatbot::SecretString;
use zoom_chatbot::auth::{OAuth, TokenSource as _, UserOAuth};
use zoom_chatbot::install::{AuthorizedUser, InstallRoute, InstallRouteBuilder};
use zoom_mock::fake::ZoomMock;

const DONE: &str = "https://example.com/installed";

/// What the app kept of each installing user: their id and refresh token.
type Kept = Arc<Mutex<Vec<(Option<String>, String)>>>;

/// The route served on loopback; returns its base URL.
async fn serve(route: InstallRouteBuilder, listener: tokio::net::TcpListener) -> String {
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = route.build().unwrap().router();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn listener() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://{}/zoom/installed", listener.local_addr().unwrap());
    (listener, redirect_uri)
}

fn builder(fake: &ZoomMock, redirect_uri: &str) -> InstallRouteBuilder {
    InstallRoute::builder(fake.client_id(), SecretString::from(fake.client_secret()), redirect_uri)
        .oauth_url(fake.oauth_base_url())
        .install_path("/zoom/install")
        .done_url(DONE)
}

fn keeping(
    kept: &Kept,
) -> impl Fn(AuthorizedUser) -> std::future::Ready<zoom_chatbot::Result<()>> + Send + Sync + use<> {
    let kept = kept.clone();
    move |user: AuthorizedUser| {
        let id = user.user_id.map(|u| u.to_string());
        kept.lock().unwrap().push((id, user.refresh_token.expose_secret().to_owned()));
        std::future::ready(Ok(()))
    }
}

/// A browser that follows nothing by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The install link's answer: Zoom's consent page (parsed) and the state cookie.
async fn start(browser: &reqwest::Client, base: &str) -> (Url, String) {
    let answer = browser.get(format!("{base}/zoom/install")).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let location = Url::parse(answer.headers()[LOCATION].to_str().unwrap()).unwrap();
    let cookie = answer.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    (location, cookie)
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Zoom's redirect back to `redirect_uri`, as the browser brings it.
async fn back(
    browser: &reqwest::Client,
    redirect_uri: &str,
    query: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = browser.get(Url::parse_with_params(redirect_uri, query).unwrap());
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

/// An install begun in a browser: the route of an app that keeps users' tokens, served, and
/// its install link followed to Zoom's consent page.
struct Begun {
    redirect_uri: String,
    kept: Kept,
    base: String,
    browser: reqwest::Client,
    cookie: String,
    state: String,
}

async fn begin_keeping(fake: &ZoomMock) -> Begun {
    let (listener, redirect_uri) = listener().await;
    let kept: Kept = Arc::default();
    let base = serve(builder(fake, &redirect_uri).on_authorized(keeping(&kept)), listener).await;
    let browser = browser();
    let (consent, cookie) = start(&browser, &base).await;
    let state = param(&consent, "state").unwrap();
    Begun { redirect_uri, kept, base, browser, cookie, state }
}

#[tokio::test]
async fn an_install_goes_through_zoom_and_the_app_keeps_the_users_refresh_token() {
    let fake = ZoomMock::start().await.unwrap();
    let (listener, redirect_uri) = listener().await;
    let kept: Kept = Arc::default();
    let (logs, _guard) = common::capture_logs();
    let base = serve(builder(&fake, &redirect_uri).pkce().on_authorized(keeping(&kept)), listener).await;
    let browser = browser();

    // The install link: Zoom's consent page, for this app, back to this route.
    let (consent, cookie) = start(&browser, &base).await;
    assert_eq!(consent.as_str().split('?').next().unwrap(), format!("{}/oauth/authorize", fake.oauth_base_url()));
    assert_eq!(param(&consent, "response_type").as_deref(), Some("code"));
    assert_eq!(param(&consent, "client_id"), Some(fake.client_id()));
    assert_eq!(param(&consent, "redirect_uri").as_deref(), Some(redirect_uri.as_str()));
    assert_eq!(param(&consent, "code_challenge_method").as_deref(), Some("S256"));
    let state = param(&consent, "state").expect("a state");
    let challenge = param(&consent, "code_challenge").expect("a PKCE challenge");
    assert!(cookie.starts_with("zoom_install_state="), "{cookie}");

    // Ana consents: Zoom sends her back with a code bound to this redirect URI and challenge.
    let code = fake.authorization_code("ana", Some(&redirect_uri), Some(&challenge));
    let answer = back(&browser, &redirect_uri, &[("code", &code), ("state", &state)], Some(&cookie)).await;
    assert_eq!(answer.status(), 302);
    assert_eq!(answer.headers()[LOCATION], DONE);
    assert!(answer.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"), "the state cookie is cleared");

    let (user, refresh) = kept.lock().unwrap().pop().expect("the app was handed the user's tokens");
    assert_eq!(user.as_deref(), Some("ana"));
    // The refresh token is a real one: it brings a token for Ana (and rotates).
    let oauth = OAuth::new(
        &fake.oauth_base_url(),
        reqwest::Client::new(),
        &fake.client_id(),
        &SecretString::from(fake.client_secret()),
    );
    let rotated: Kept = Arc::default();
    let source = UserOAuth::from_refresh_token(SecretString::from(refresh.clone()), move |t: &SecretString| {
        rotated.lock().unwrap().push((None, t.expose_secret().to_owned()));
        Ok(())
    });
    assert_eq!(source.fetch(&oauth).await.unwrap().uid.as_deref(), Some("ana"));
    assert!(logs.text().contains("a user authorized the app's install"), "{}", logs.text());
    assert!(!logs.text().contains(&refresh), "the refresh token is never logged");
    assert!(!logs.text().contains(&fake.client_secret()));
}

#[tokio::test]
async fn a_bad_or_missing_state_is_refused_with_400_and_nothing_is_exchanged() {
    let fake = ZoomMock::start().await.unwrap();
    let Begun { redirect_uri, kept, base, browser, cookie, state } = begin_keeping(&fake).await;
    let code = fake.authorization_code("ana", Some(&redirect_uri), None);

    let mut forged = state.clone();
    forged.replace_range(0..1, if forged.starts_with('A') { "B" } else { "A" });
    let (_, other_browser) = start(&browser, &base).await;
    for (why, query, cookie) in [
        ("no state", vec![("code", code.as_str())], Some(cookie.as_str())),
        ("a forged state", vec![("code", &code), ("state", &forged)], Some(&cookie)),
        ("no cookie", vec![("code", &code), ("state", &state)], None),
        ("another browser's cookie", vec![("code", &code), ("state", &state)], Some(&other_browser)),
    ] {
        let answer = back(&browser, &redirect_uri, &query, cookie).await;
        assert_eq!(answer.status(), 400, "{why}");
        assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/plain"), "{why}");
        let text = answer.text().await.unwrap();
        assert!(
            text.contains("not valid in this browser, or it expired") && text.contains("/zoom/install"),
            "{why}: {text}"
        );
    }
    assert_eq!(fake.token_count(), 0, "no code was exchanged");
    assert!(kept.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_code_zoom_refuses_is_shown_as_zooms_error_without_secrets() {
    let fake = ZoomMock::start().await.unwrap();
    let Begun { redirect_uri, kept, browser, cookie, state, .. } = begin_keeping(&fake).await;

    let answer =
        back(&browser, &redirect_uri, &[("code", "not-a-code-zoom-gave"), ("state", &state)], Some(&cookie)).await;
    assert_eq!(answer.status(), 400);
    let text = answer.text().await.unwrap();
    assert!(text.contains("invalid_grant") && text.contains("Invalid authorization code"), "{text}");
    assert!(!text.contains(&fake.client_secret()), "{text}");

    // The user declined on Zoom's page: Zoom's error, said plainly.
    let answer = back(&browser, &redirect_uri, &[("error", "access_denied"), ("state", &state)], Some(&cookie)).await;
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await.unwrap().contains("access_denied"));
    assert!(kept.lock().unwrap().is_empty());
}

#[tokio::test]
async fn without_a_use_for_user_tokens_the_code_is_not_exchanged() {
    let fake = ZoomMock::start().await.unwrap();
    let (listener, redirect_uri) = listener().await;
    let base = serve(builder(&fake, &redirect_uri), listener).await;
    let browser = browser();
    let (consent, cookie) = start(&browser, &base).await;
    assert_eq!(param(&consent, "code_challenge"), None, "no PKCE unless the app uses it");
    let state = param(&consent, "state").unwrap();
    let code = fake.authorization_code("ana", Some(&redirect_uri), None);
    let answer = back(&browser, &redirect_uri, &[("code", &code), ("state", &state)], Some(&cookie)).await;
    assert_eq!(answer.status(), 302);
    assert_eq!(answer.headers()[LOCATION], DONE);
    assert_eq!(fake.token_count(), 0, "a chatbot-only app needs no user token");
}
