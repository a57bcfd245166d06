//! The fake's OAuth host and token checks, through real HTTP.

use crate::common;

use std::time::Duration;

use base64::Engine as _;
use common::*;
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zoom_mock::fake::{TokenKind, ZoomMock};

async fn post_token(zoom: &ZoomMock, secret: &str, form: &[(&str, &str)], query: &str) -> (u16, Value) {
    let r = http()
        .post(format!("{}/oauth/token{query}", zoom.oauth_base_url()))
        .basic_auth(zoom.client_id(), Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    answer(r).await
}

#[tokio::test]
async fn client_credentials_give_a_chatbot_token_whose_payload_names_the_bot() {
    let zoom = ZoomMock::start().await.unwrap();
    let (status, body) = post_token(&zoom, &zoom.client_secret(), &[("grant_type", "client_credentials")], "").await;
    assert_eq!(status, 200);
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64()), (Some("bearer"), Some(3600)));
    assert_eq!(body["scope"], "imchat:bot");
    assert_eq!(body["api_url"].as_str(), Some(zoom.oauth_base_url().as_str()));
    let payload = body["access_token"].as_str().unwrap().split('.').nth(1).unwrap();
    let payload: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(payload["uid"].as_str(), Some(zoom.bot_user_id().as_str()));
    assert_eq!(zoom.tokens_issued()[0].kind, TokenKind::Chatbot);
}

#[tokio::test]
async fn grant_type_is_accepted_in_the_query_too() {
    let zoom = ZoomMock::start().await.unwrap();
    let (status, _) = post_token(&zoom, &zoom.client_secret(), &[], "?grant_type=client_credentials").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn oauth_errors_have_zooms_shape() {
    let zoom = ZoomMock::start().await.unwrap();
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], u16, &'a str);
    let cases: [Case; 5] = [
        ("wrong", &[("grant_type", "client_credentials")], 401, "invalid_client"),
        ("", &[], 400, "invalid_request"),
        ("", &[("grant_type", "password")], 400, "unsupported_grant_type"),
        ("", &[("grant_type", "account_credentials"), ("account_id", "someone-else")], 400, "invalid_request"),
        ("", &[("grant_type", "refresh_token"), ("refresh_token", "never-issued")], 400, "invalid_grant"),
    ];
    for (secret, form, status, error) in cases {
        let secret = if secret.is_empty() { zoom.client_secret() } else { secret.to_owned() };
        let (got, body) = post_token(&zoom, &secret, form, "").await;
        assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{form:?}: {body}");
        assert!(body["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    assert_eq!(zoom.token_count(), 0);
}

#[tokio::test]
async fn account_credentials_give_a_server_to_server_token() {
    let zoom = ZoomMock::start().await.unwrap();
    let account = zoom.account_id();
    let (status, body) = post_token(
        &zoom,
        &zoom.client_secret(),
        &[("grant_type", "account_credentials"), ("account_id", &account)],
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("refresh_token").is_none());
    assert_eq!(zoom.tokens_issued()[0].kind, TokenKind::ServerToServer);
}

#[tokio::test]
async fn authorization_code_with_pkce_then_refresh_tokens_rotate() {
    let zoom = ZoomMock::start().await.unwrap();
    let verifier = "a-long-random-verifier-string-of-forty-three-chars";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    let secret = zoom.client_secret();

    let code = zoom.authorization_code("ana", Some("https://bot.example/cb"), Some(&challenge));
    let wrong = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://bot.example/cb"),
        ("code_verifier", "nope"),
    ];
    assert_eq!(post_token(&zoom, &secret, &wrong, "").await.1["error"], "invalid_grant");

    let code = zoom.authorization_code("ana", Some("https://bot.example/cb"), Some(&challenge));
    let right = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://bot.example/cb"),
        ("code_verifier", verifier),
    ];
    let (status, body) = post_token(&zoom, &secret, &right, "").await;
    assert_eq!(status, 200, "{body}");
    // A code is used up by its exchange.
    assert_eq!(post_token(&zoom, &secret, &right, "").await.1["error"], "invalid_grant");

    let first = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, refreshed) =
        post_token(&zoom, &secret, &[("grant_type", "refresh_token"), ("refresh_token", &first)], "").await;
    assert_eq!(status, 200);
    let second = refreshed["refresh_token"].as_str().unwrap();
    assert_ne!(second, first);
    let (status, again) =
        post_token(&zoom, &secret, &[("grant_type", "refresh_token"), ("refresh_token", &first)], "").await;
    assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")), "the old refresh token is used up");
    assert_eq!(zoom.tokens_issued().last().unwrap().kind, TokenKind::User("ana".into()));
}

#[tokio::test]
async fn revoked_expired_and_invalidated_tokens_are_refused() {
    // A second is ample for one request on a loaded machine, and short for a test.
    let zoom = ZoomMock::builder().token_lifetime(Duration::from_secs(1)).start().await.unwrap();
    let list = |token: &str| api(&zoom, Method::GET, "/chat/users/me/messages?to_channel=c1", token).send();

    let token = api_token(&zoom).await;
    assert_eq!(list(&token).await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    expect_error(list(&token).await.unwrap(), 401, 124, "expired").await;

    let token = api_token(&zoom).await;
    let revoke = http()
        .post(format!("{}/oauth/revoke", zoom.oauth_base_url()))
        .basic_auth(zoom.client_id(), Some(zoom.client_secret()))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer(revoke).await, (200, serde_json::json!({"status": "success"})));
    expect_error(list(&token).await.unwrap(), 401, 124, "Invalid access token").await;

    let bot = bot_token(&zoom).await;
    zoom.invalidate_tokens();
    expect_error(bot_send(&zoom, &bot, CHANNEL, "hi").await, 401, 7010, "Invalid authorization token").await;
}

#[tokio::test]
async fn each_family_wants_its_own_kind_of_token() {
    let zoom = ZoomMock::start().await.unwrap();
    let bot = bot_token(&zoom).await;
    let s2s = api_token(&zoom).await;
    expect_error(bot_send(&zoom, &s2s, CHANNEL, "hi").await, 401, 7010, "Invalid authorization token").await;
    let r = api(&zoom, Method::GET, "/chat/users/me/messages?to_channel=c1", &bot).send().await.unwrap();
    expect_error(r, 401, 124, "Invalid access token").await;
    expect_error(bot_send(&zoom, "not-a-token", CHANNEL, "hi").await, 401, 7010, "Invalid").await;
    let r = http().post(format!("{}/im/chat/messages", zoom.api_base_url())).send().await.unwrap();
    expect_error(r, 401, 7010, "Invalid authorization token").await;
}
