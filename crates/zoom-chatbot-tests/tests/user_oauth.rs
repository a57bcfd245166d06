//! User OAuth: the PKCE code exchange, and refresh tokens that rotate into a store.

use crate::common;

use std::sync::{Arc, Mutex};

use common::*;
use secrecy::ExposeSecret;
use zoom_chatbot::SecretString;
use zoom_chatbot::auth::{OAuth, Pkce, UserOAuth};
use zoom_chatbot::chat::Conversation;
use zoom_mock::fake::{Sender, TokenKind, ZoomMock};

#[tokio::test]
async fn code_exchange_then_rotating_refresh_tokens_are_never_lost() {
    let fake = ZoomMock::start().await.unwrap();
    let pkce = Pkce::new();
    let redirect = "https://bot.example/oauth/callback";
    let url = pkce.authorize_url(&fake.oauth_base_url(), &fake.client_id(), redirect);
    assert!(
        url.contains(&format!("code_challenge={}", pkce.challenge())) && url.contains("code_challenge_method=S256")
    );
    // The user consents; Zoom redirects back with a code bound to the challenge.
    let code = fake.authorization_code("ana", Some(redirect), Some(pkce.challenge()));

    let saved: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = {
        let saved = saved.clone();
        move |t: &SecretString| {
            saved.lock().unwrap().push(t.expose_secret().to_owned());
            Ok(())
        }
    };
    // The client's own HTTP client: with rustls, building it installs the crypto provider.
    let http = client(&fake).http().clone();
    let oauth = OAuth::new(&fake.oauth_base_url(), http, &fake.client_id(), &SecretString::from(fake.client_secret()));
    let (source, first) = UserOAuth::exchange_code(&oauth, &code, redirect, &pkce, store).await.unwrap();
    assert_eq!(first.uid.as_deref(), Some("ana"));
    assert_eq!(saved.lock().unwrap().len(), 1, "the first refresh token was stored");

    let zoom = builder(&fake).chat_tokens(source).build().unwrap();
    let team = Conversation::channel("c1").unwrap();
    zoom.chat().send(&team, "from Ana").await.unwrap();
    fake.invalidate_tokens();
    zoom.chat().send(&team, "still Ana").await.unwrap();

    let saved = saved.lock().unwrap().clone();
    assert_eq!(saved.len(), 3, "each refresh rotated the token into the store");
    assert!(saved.windows(2).all(|w| w[0] != w[1]));
    let kinds: Vec<TokenKind> = fake.tokens_issued().into_iter().map(|t| t.kind).collect();
    assert!(kinds.iter().all(|k| *k == TokenKind::User("ana".into())), "{kinds:?}");
    let senders: Vec<Sender> =
        fake.conversation_of_jid("c1@conference.xmpp.zoom.us").into_iter().map(|m| m.sender).collect();
    assert_eq!(senders, [Sender::User("ana".into()), Sender::User("ana".into())]);
}

#[tokio::test]
async fn a_wrong_verifier_is_refused() {
    let fake = ZoomMock::start().await.unwrap();
    let pkce = Pkce::new();
    let code = fake.authorization_code("ana", None, Some(pkce.challenge()));
    // The client's own HTTP client: with rustls, building it installs the crypto provider.
    let http = client(&fake).http().clone();
    let oauth = OAuth::new(&fake.oauth_base_url(), http, &fake.client_id(), &SecretString::from(fake.client_secret()));
    let other = Pkce::new();
    let err = UserOAuth::exchange_code(&oauth, &code, "", &other, |_: &SecretString| Ok(())).await.err().unwrap();
    assert!(matches!(err, zoom_chatbot::Error::Auth { ref error, .. } if error == "invalid_grant"), "{err:?}");
}
