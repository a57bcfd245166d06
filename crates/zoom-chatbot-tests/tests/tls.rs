//! The default TLS backend works with nothing set up by the user: `rustls` on the `ring`
//! provider, which the client installs itself. A listener on loopback reads what the client
//! opens an `https` call with: a TLS handshake (a ClientHello record), not a panic for a
//! missing crypto provider.

use crate::common;

use tokio::io::AsyncReadExt as _;
use zoom_chatbot::{Error, SecretString, ZoomClient};

#[tokio::test]
async fn an_https_call_opens_with_a_tls_handshake_on_the_built_in_provider() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first_bytes = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 3];
        stream.read_exact(&mut head).await.unwrap();
        head // then the connection drops: the call fails, as it should
    });
    let zoom = ZoomClient::builder()
        .credentials("id", SecretString::from("secret".to_owned()))
        .bot_tokens(zoom_chatbot::auth::StaticToken(SecretString::from("token".to_owned())))
        .account_id("ACCT".parse().unwrap())
        .robot_jid("v1bot@xmpp.zoom.us".parse().unwrap())
        .api_url(format!("https://127.0.0.1:{port}/v2"))
        .retry(zoom_chatbot::retry::RetryPolicy::default().max_attempts(1))
        .build()
        .unwrap();
    let err = zoom.send(common::CHANNEL, common::card("x")).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    // A TLS handshake record (0x16), version 3.x.
    let head = first_bytes.await.unwrap();
    assert_eq!((head[0], head[1]), (0x16, 0x03), "{head:?}");
}
