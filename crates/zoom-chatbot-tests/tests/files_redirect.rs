//! Redirects of file calls and where the bearer goes: Zoom's file answers may redirect
//! ("the caller must support HTTP 30x redirects"), and the bearer follows only to a trusted
//! host (one of Zoom's, or a configured base URL's origin). A redirect anywhere else is not
//! followed, the call fails with `Error::UntrustedRedirect`, and that host hears nothing.

use httpmock::{Method, MockServer};
use zoom_chatbot::{ClientBuilder, Error, SecretString, ZoomClient};

/// Answers the OAuth token request on `zoom` with the server-to-server token `s2s-token`.
fn grant_token(zoom: &MockServer) {
    zoom.mock(|when, then| {
        when.method(Method::POST).path("/oauth/token");
        then.status(200).header("content-type", "application/json").json_body(serde_json::json!({
            "access_token": "s2s-token", "token_type": "bearer", "expires_in": 3599, "scope": "chat_message:write"
        }));
    });
}

/// A client's builder with OAuth on `zoom` and the API on `api`.
fn builder(zoom: &MockServer, api: &MockServer) -> ClientBuilder {
    ZoomClient::builder()
        .credentials("client-id", SecretString::from("client-secret".to_owned()))
        .account_id("Wk9PTV9BQ0NPVU5UX0lE".parse().unwrap())
        .oauth_url(zoom.base_url())
        .api_url(format!("{}/v2", api.base_url()))
}

/// A client whose OAuth, API and file hosts are all `zoom` (a stand-in for Zoom's hosts),
/// with a server-to-server token `s2s-token`.
fn client(zoom: &MockServer) -> ZoomClient {
    grant_token(zoom);
    builder(zoom, zoom).build().unwrap()
}

const FILE: &str = r#"{"file_id":"F1","file_name":"a.txt","OS_file_type":"txt","length":1,"digest":"d","created_time":1,"modified_time":1,"download_url":"https://file.zoom.us/f/F1"}"#;

#[tokio::test]
async fn a_redirect_to_an_unconfigured_host_is_not_followed_and_that_host_never_sees_the_bearer() {
    let zoom = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let zoom_client = client(&zoom);
    zoom.mock(|when, then| {
        when.method(Method::GET).path("/v2/chat/files/F1");
        then.status(307).header("location", format!("{}/v2/chat/files/F1?sig=x", elsewhere.base_url()));
    });
    let with_bearer = elsewhere.mock(|when, then| {
        when.header_exists("authorization");
        then.status(200).header("content-type", "application/json").body(FILE);
    });
    let anything = elsewhere.mock(|_, then| {
        then.status(200).header("content-type", "application/json").body(FILE);
    });

    let err = zoom_client.files().get(&"F1".parse().unwrap()).await.unwrap_err();
    assert!(
        matches!(&err, Error::UntrustedRedirect { origin } if *origin == elsewhere.base_url()),
        "the call fails, naming only the origin: {err:?}"
    );
    assert_eq!(with_bearer.calls(), 0, "the unconfigured host never received an Authorization header");
    assert_eq!(anything.calls(), 0, "nor anything else");
}

#[tokio::test]
async fn a_redirect_within_a_configured_origin_is_followed_with_the_bearer() {
    let zoom = MockServer::start_async().await;
    let zoom_client = client(&zoom);
    zoom.mock(|when, then| {
        when.method(Method::GET).path("/v2/chat/files/F1");
        then.status(302).header("location", "/v2/chat/files/F1/moved");
    });
    let moved = zoom.mock(|when, then| {
        when.method(Method::GET).path("/v2/chat/files/F1/moved").header("authorization", "Bearer s2s-token");
        then.status(200).header("content-type", "application/json").body(FILE);
    });

    let file = zoom_client.files().get(&"F1".parse().unwrap()).await.unwrap();
    assert_eq!(file.file_name, "a.txt");
    assert_eq!(moved.calls(), 1, "followed once, with the bearer");
}

#[tokio::test]
async fn an_uploads_redirect_sends_the_whole_file_again_to_the_trusted_host() {
    let zoom = MockServer::start_async().await;
    let files = MockServer::start_async().await;
    // The file host is configured (its origin is trusted); the upload first reaches `zoom`.
    let zoom_client = builder(&zoom, &zoom).file_url(format!("{}/v2", zoom.base_url())).build().unwrap();
    grant_token(&zoom);
    zoom.mock(|when, then| {
        when.method(Method::POST).path("/v2/chat/users/me/files");
        then.status(307).header("location", format!("{}/v2/chat/users/me/files?part=2", files.base_url()));
    });
    let elsewhere = files.mock(|_, then| {
        then.status(201).header("content-type", "application/json").body(r#"{"id":"F2"}"#);
    });
    let err = zoom_client
        .files()
        .upload(zoom_chatbot::files::FileSource::bytes("a.txt", "x".repeat(10_000)))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::UntrustedRedirect { .. }), "{err:?}");
    assert_eq!(elsewhere.calls(), 0, "a host that is not configured gets nothing, not even the file");

    // Once the second host is configured (as the API's host, say), the upload follows, whole.
    elsewhere.delete_async().await;
    let client = builder(&zoom, &files).file_url(format!("{}/v2", zoom.base_url())).build().unwrap();
    let whole = files.mock(|when, then| {
        when.method(Method::POST)
            .path("/v2/chat/users/me/files")
            .query_param("part", "2")
            .header("authorization", "Bearer s2s-token")
            .body_includes("x".repeat(10_000));
        then.status(201).header("content-type", "application/json").body(r#"{"id":"F3"}"#);
    });
    let id = client.files().upload(zoom_chatbot::files::FileSource::bytes("a.txt", "x".repeat(10_000))).await.unwrap();
    assert_eq!(id.as_str(), "F3");
    assert_eq!(whole.calls(), 1, "followed to the trusted host with the bearer and the whole file");
}
