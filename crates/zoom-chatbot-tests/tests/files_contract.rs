//! The contract tests of the file host's two multipart operations (`uploadChatFile`,
//! `sendChatFile`), which progenitor does not generate: zoom-chatbot builds their requests, so
//! the client is held here to the spec's examples (method, path, query, the parts and their
//! names, the bearer, no `api-version` header) and reads the spec's example answer back.
//! contract-tests/tests/operations.rs counts these with the generated operations' tests.

use httpmock::{Mock, MockServer, When};
use zoom_chatbot::types;

/// The spec's request example of an operation (its first media type's).
fn request_example_json(id: &str) -> serde_json::Value {
    let (path, item) = zoom_spec::spec()
        .paths
        .iter()
        .find_map(|(path, item)| {
            let item = item.as_item()?;
            item.iter().any(|(_, op)| op.operation_id.as_deref() == Some(id)).then_some((path, item))
        })
        .unwrap_or_else(|| panic!("no operation {id}"));
    let op = item.iter().find(|(_, op)| op.operation_id.as_deref() == Some(id)).unwrap().1;
    let body = op.request_body.as_ref().and_then(|b| b.as_item()).unwrap_or_else(|| panic!("{path}: no body"));
    body.content.values().next().and_then(|m| m.example.clone()).expect("a request example")
}

/// The spec's example answer of an operation for `code`.
fn response_example<T: serde::de::DeserializeOwned>(id: &str, code: &str) -> T {
    let item = zoom_spec::spec().paths.iter().find_map(|(_, item)| {
        item.as_item()?.iter().find(|(_, op)| op.operation_id.as_deref() == Some(id)).map(|(_, op)| op.clone())
    });
    let op = item.unwrap_or_else(|| panic!("no operation {id}"));
    let code = openapiv3::StatusCode::Code(code.parse().unwrap());
    let response = op.responses.responses.get(&code).and_then(|r| r.as_item()).expect("an inline response");
    let example = response.content.values().next().and_then(|m| m.example.clone()).expect("an example answer");
    serde_json::from_value(example).unwrap()
}

/// A mock of the multipart `POST` to `path` the client builds: with the client's bearer, a
/// multipart body, no `api-version` header (progenitor's is not for Zoom) and what `request`
/// adds (the query, the parts); answered 201 with `answer`.
fn multipart_post<'a>(
    server: &'a MockServer,
    path: &str,
    request: impl FnOnce(When) -> When,
    answer: &impl serde::Serialize,
) -> Mock<'a> {
    server.mock(|when, then| {
        let when = when
            .method(httpmock::Method::POST)
            .path(path)
            .header("authorization", "Bearer s2s")
            .header_includes("content-type", "multipart/form-data; boundary=");
        request(when).header_missing("api-version");
        then.status(201).header("content-type", "application/json").json_body_obj(answer);
    })
}

/// A zoom-chatbot client with a server-to-server token from `server`, whose API and file hosts
/// are `server` too: the file host's operations are built by the client (progenitor does not
/// generate multipart bodies), so their contract is held there.
fn files_client(server: &MockServer) -> zoom_chatbot::ZoomClient {
    server.mock(|when, then| {
        when.method(httpmock::Method::POST).path("/oauth/token");
        then.status(200).header("content-type", "application/json").json_body(serde_json::json!({
            "access_token": "s2s", "token_type": "bearer", "expires_in": 3599, "scope": "chat_message:write"
        }));
    });
    zoom_chatbot::ZoomClient::builder()
        .credentials("id", zoom_chatbot::SecretString::from("secret".to_owned()))
        .account_id("Wk9PTV9BQ0NPVU5UX0lE".parse().unwrap())
        .oauth_url(server.base_url())
        .api_url(format!("{}/v2", server.base_url()))
        .file_url(format!("{}/v2", server.base_url()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn contract_upload_chat_file() {
    let server = MockServer::start_async().await;
    let op = "uploadChatFile";
    let name = request_example_json(op)["file"].as_str().unwrap().to_owned();
    let uploaded: types::ChatFileUploaded = response_example(op, "201");
    let upload = |when: When| {
        when.query_param("postToPersonalChat", "false")
            .body_includes(format!("Content-Disposition: form-data; name=\"file\"; filename=\"{name}\""))
            .body_includes("the log's lines")
    };
    let mock = multipart_post(&server, "/v2/chat/users/me/files", upload, &uploaded);
    let file = zoom_chatbot::files::FileSource::bytes(name, "the log's lines");
    let id = files_client(&server).files().upload(file).await.unwrap();
    mock.assert_async().await;
    assert_eq!(id.as_str(), uploaded.id);
}

#[tokio::test]
async fn contract_send_chat_file() {
    let server = MockServer::start_async().await;
    let op = "sendChatFile";
    let example = request_example_json(op);
    let (name, channel) = (example["files"][0].as_str().unwrap(), example["to_channel"].as_str().unwrap());
    let sent: types::ChatFileSent = response_example(op, "201");
    let send = |when: When| {
        when.body_includes(format!("Content-Disposition: form-data; name=\"to_channel\"\r\n\r\n{channel}\r\n"))
            .body_includes(format!("Content-Disposition: form-data; name=\"files\"; filename=\"{name}\""))
            .body_excludes("to_contact")
    };
    let mock = multipart_post(&server, "/v2/chat/users/me/messages/files", send, &sent);
    let to = zoom_chatbot::chat::Conversation::channel(channel).unwrap();
    let file = zoom_chatbot::files::FileSource::bytes(name, "the log's lines");
    let id = files_client(&server).files().send(&to, file).await.unwrap();
    mock.assert_async().await;
    assert_eq!(id.as_str(), sent.id);
}
