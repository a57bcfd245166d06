//! The generated client against the fake Zoom: every operation works end to end, and every
//! answer the fake gave (successes and errors alike) conforms to the spec's response schema
//! for that operation and status.

use std::collections::BTreeSet;

use base64::Engine as _;
use contract_tests::{operation, operations, status_text};
use openapiv3::ReferenceOr;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::{Value, json};
use zoom_api_gen::types::{self, GrantType};
use zoom_api_gen::{Client, Error, hooks::Hooks};
use zoom_mock::fake::{Plan, ZoomMock};

fn client_with(base: &str, authorization: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(authorization).unwrap());
    let http = reqwest::Client::builder().default_headers(headers).build().unwrap();
    Client::new_with_client(base, http, Hooks::none())
}

fn card(value: Value) -> types::Card {
    serde_json::from_value(value).unwrap()
}

/// Drives every operation through the generated client, with some refusals on the way.
async fn exercise(zoom: &ZoomMock) {
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", zoom.client_id(), zoom.client_secret()));
    let oauth = client_with(&zoom.oauth_base_url(), &format!("Basic {basic}"));
    let grant = |g: GrantType, account: Option<String>| -> types::TokenRequest {
        types::TokenRequest::builder().grant_type(g).account_id(account).try_into().unwrap()
    };
    let bot_token = oauth.request_token().body(grant(GrantType::ClientCredentials, None)).send().await.unwrap();
    let api_token =
        oauth.request_token().body(grant(GrantType::AccountCredentials, Some(zoom.account_id()))).send().await.unwrap();
    let spare = oauth.request_token().body(grant(GrantType::ClientCredentials, None)).send().await.unwrap();
    let revoke = types::RevokeTokenRequest { token: spare.access_token.clone() };
    oauth.revoke_token().body(revoke).send().await.unwrap();
    let wrong_secret = client_with(&zoom.oauth_base_url(), "Basic d3Jvbmc6d3Jvbmc=");
    wrong_secret.request_token().body(grant(GrantType::ClientCredentials, None)).send().await.unwrap_err();

    // Chatbot messages.
    let bot = client_with(&zoom.api_base_url(), &format!("Bearer {}", bot_token.access_token));
    let send = |to_jid: &str, text: &str| types::SendChatbotMessageRequest {
        robot_jid: zoom.robot_jid(),
        to_jid: to_jid.to_owned(),
        account_id: zoom.account_id(),
        content: card(json!({"head": {"text": text}})),
        visible_to_user: None,
        user_jid: None,
        reply_to: None,
        is_markdown_support: None,
    };
    let sent = bot.send_chatbot_message().body(send("general@conference.xmpp.zoom.us", "hi")).send().await.unwrap();
    let edit = types::EditChatbotMessageRequest {
        robot_jid: zoom.robot_jid(),
        account_id: zoom.account_id(),
        content: card(json!({"head": {"text": "edited"}})),
        user_jid: None,
        is_markdown_support: None,
    };
    bot.edit_chatbot_message().message_id(&sent.message_id).body(edit).send().await.unwrap();
    let delete = || {
        bot.delete_chatbot_message()
            .message_id(&sent.message_id)
            .robot_jid(zoom.robot_jid())
            .account_id(zoom.account_id())
    };
    delete().send().await.unwrap();
    assert_eq!(delete().send().await.unwrap_err().status().map(|s| s.as_u16()), Some(404));
    bot.send_chatbot_message().body(send("nobody@example.com", "lost")).send().await.unwrap_err();
    let trigger = zoom.link_shared_trigger();
    let unfurl = types::UnfurlLinkRequest { content: json!({"head": {"text": "preview"}}).to_string() };
    bot.unfurl_link().user_id("me").trigger_id(&trigger).body(unfurl.clone()).send().await.unwrap();
    bot.unfurl_link().user_id("me").trigger_id("unknown").body(unfurl).send().await.unwrap_err();
    // The one reply an interactive event allows, with the event's token; a second is refused.
    let card_message = bot.send_chatbot_message().body(send("general@conference.xmpp.zoom.us", "card")).send().await;
    let grant = zoom.callback_for(&card_message.unwrap().message_id).unwrap();
    let url = grant.url.unwrap();
    let (base, id) = url.rsplit_once("/im/chat/callback/").unwrap();
    let callback = client_with(base, &format!("Bearer {}", grant.token.unwrap()));
    let reply = types::CallbackReply {
        content: card(json!({"head": {"text": "thanks"}})),
        reply_to: None,
        visible_to_user: None,
        is_markdown_support: None,
    };
    callback.reply_to_callback().callback_id(id).body(reply.clone()).send().await.unwrap();
    callback.reply_to_callback().callback_id(id).body(reply).send().await.unwrap_err();
    zoom.force_rate_limit(1);
    bot.send_chatbot_message().body(send("general@conference.xmpp.zoom.us", "limited")).send().await.unwrap_err();

    // User-level chat messages.
    let chat = client_with(&zoom.api_base_url(), &format!("Bearer {}", api_token.access_token));
    let message: types::SendChatMessageRequest =
        serde_json::from_value(json!({"message": "hello", "to_channel": "c1"})).unwrap();
    let created = chat.send_chat_message().user_id("me").body(message).send().await.unwrap();
    let id = created.id.clone().unwrap();
    let reply: types::SendChatMessageRequest =
        serde_json::from_value(json!({"message": "reply", "to_channel": "c1", "reply_main_message_id": id})).unwrap();
    chat.send_chat_message().user_id("me").body(reply).send().await.unwrap();
    let with_file: types::SendChatMessageRequest =
        serde_json::from_value(json!({"message": "ok", "to_channel": "c1", "file_ids": ["1"]})).unwrap();
    chat.send_chat_message().user_id("me").body(with_file).send().await.unwrap();
    let page = chat
        .list_chat_messages()
        .user_id("me")
        .to_channel("c1")
        .include_deleted_and_edited_message(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 3);
    chat.get_chat_message().user_id("me").message_id(&id).to_channel("c1").send().await.unwrap();
    chat.get_chat_message().user_id("me").message_id("NOPE").send().await.unwrap_err();
    let edit: types::EditChatMessageRequest = serde_json::from_value(json!({"message": "hello again"})).unwrap();
    chat.edit_chat_message().user_id("me").message_id(&id).body(edit).send().await.unwrap();
    let react: types::ReactToChatMessageRequest =
        serde_json::from_value(json!({"action": "add", "emoji": "U+1F44D"})).unwrap();
    chat.react_to_chat_message().user_id("me").message_id(&id).body(react).send().await.unwrap();
    let mark: types::MarkChatMessageRequest = serde_json::from_value(json!({"action": "unread"})).unwrap();
    chat.mark_chat_message().user_id("me").message_id(&id).body(mark).send().await.unwrap();
    let thread =
        chat.get_chat_message_thread().user_id("me").message_id(&id).from("2026-01-01T00:00:00Z").send().await.unwrap();
    assert_eq!(thread.total, 2);
    // Reminders on the message: set, listed, deleted; a second delete (404, code 4200), a time
    // in the past (400, code 4105) and an unknown message (404, code 4200) refused.
    let remind: types::CreateReminderRequest =
        serde_json::from_value(json!({"to_channel": "c1", "delay_seconds": 1800, "reminder_note": "n"})).unwrap();
    chat.create_reminder().message_id(&id).body(remind.clone()).send().await.unwrap();
    let reminders = chat.list_reminders().to_channel("c1").send().await.unwrap();
    assert_eq!(reminders.reminders.len(), 1);
    chat.delete_reminder().message_id(&id).to_channel("c1").send().await.unwrap();
    chat.delete_reminder().message_id(&id).to_channel("c1").send().await.unwrap_err();
    let past: types::CreateReminderRequest =
        serde_json::from_value(json!({"to_channel": "c1", "remind_time": "2020-01-01T00:00:00Z"})).unwrap();
    chat.create_reminder().message_id(&id).body(past).send().await.unwrap_err();
    chat.create_reminder().message_id("NOPE").body(remind).send().await.unwrap_err();
    // A scheduled message: listed, cancelled; cancelled again (400, code 5404) and one
    // scheduled too soon (400, code 300) refused.
    let later = (zoom.now() + chrono::TimeDelta::hours(2)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let scheduled: types::SendChatMessageRequest =
        serde_json::from_value(json!({"message": "later", "to_channel": "c1", "scheduled_time": later})).unwrap();
    let draft = chat.send_chat_message().user_id("me").body(scheduled).send().await.unwrap().id.clone().unwrap();
    let pending = chat.list_scheduled_messages().to_channel("c1").send().await.unwrap();
    assert_eq!(pending.messages.len(), 1);
    chat.delete_scheduled_message().draft_id(&draft).to_channel("c1").send().await.unwrap();
    chat.delete_scheduled_message().draft_id(&draft).to_channel("c1").send().await.unwrap_err();
    let soon = (zoom.now() + chrono::TimeDelta::minutes(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let too_soon: types::SendChatMessageRequest =
        serde_json::from_value(json!({"message": "soon", "to_channel": "c1", "scheduled_time": soon})).unwrap();
    chat.send_chat_message().user_id("me").body(too_soon).send().await.unwrap_err();
    chat.delete_chat_message().user_id("me").message_id(&id).send().await.unwrap();

    // Users: the token's own, and one the account does not hold (404, code 1001).
    let me = chat.get_user().user_id("me").send().await.unwrap();
    assert!(me.jid.as_deref().is_some_and(|jid| jid.ends_with("@xmpp.zoom.us")), "{me:?}");
    chat.get_user().user_id("nobody@example.com").send().await.unwrap_err();
    // A contact search over two pages (the page's token continues it).
    let first = chat.search_contacts().search_key("ExAmple").send().await.unwrap();
    assert_eq!(first.contacts.len(), 1, "Zoom's default page holds one");
    let token = first.next_page_token.clone().filter(|t| !t.is_empty()).expect("a second page");
    let second = chat.search_contacts().search_key("ExAmple").next_page_token(token).send().await.unwrap();
    assert_ne!(first.contacts, second.contacts);

    // Channels: one made with a member, read, listed, its members listed and one invited;
    // an unknown channel (404, code 4130) and a taken name (400, code 300) refused.
    let new: types::CreateChannelRequest =
        serde_json::from_value(json!({"name": "ops", "type": 1, "members": [{"email": "ana@example.com"}]})).unwrap();
    let made = chat.create_channel().user_id("me").body(new.clone()).send().await.unwrap();
    let channel_id = made.id.clone().unwrap();
    chat.get_channel().channel_id(&channel_id).send().await.unwrap();
    let mine = chat.list_channels().user_id("me").send().await.unwrap();
    assert_eq!(mine.channels.len(), 1);
    let invite: types::InviteChannelMembersRequest =
        serde_json::from_value(json!({"members": [{"email": "bo@example.com"}]})).unwrap();
    chat.invite_channel_members().channel_id(&channel_id).body(invite).send().await.unwrap();
    let members = chat.list_channel_members().channel_id(&channel_id).send().await.unwrap();
    assert_eq!(members.members.len(), 3, "the maker and two invited");
    // Ana, with a user-managed app's token (her own), joins a public channel and leaves it;
    // a private channel, and one she is no longer in, are refused (400, code 5301).
    let open: types::CreateChannelRequest = serde_json::from_value(json!({"name": "open", "type": 3})).unwrap();
    let open_id = chat.create_channel().user_id("me").body(open).send().await.unwrap().id.clone().unwrap();
    let code = zoom.authorization_code("AnaId", None, None);
    let by_code: types::TokenRequest =
        types::TokenRequest::builder().grant_type(GrantType::AuthorizationCode).code(Some(code)).try_into().unwrap();
    let ana_token = oauth.request_token().body(by_code).send().await.unwrap();
    let ana = client_with(&zoom.api_base_url(), &format!("Bearer {}", ana_token.access_token));
    let joined = ana.join_channel().channel_id(&open_id).send().await.unwrap();
    assert_eq!(joined.id.as_deref(), Some("AnaId"));
    ana.join_channel().channel_id(&channel_id).send().await.unwrap_err();
    ana.leave_channel().channel_id(&open_id).send().await.unwrap();
    ana.leave_channel().channel_id(&open_id).send().await.unwrap_err();
    chat.get_channel().channel_id("0123456789abcdef").send().await.unwrap_err();
    chat.create_channel().user_id("me").body(new).send().await.unwrap_err();
    // Renamed, a member removed, deleted: then it is unknown (404, code 4130).
    let rename: types::UpdateChannelRequest =
        serde_json::from_value(json!({"name": "ops-done", "channel_settings": {"posting_permissions": 3,
            "designated_posting_members": [{"user_id": "x"}]}}))
        .unwrap();
    chat.update_channel().channel_id(&channel_id).body(rename).send().await.unwrap();
    chat.remove_channel_member().channel_id(&channel_id).identifier("bo@example.com").send().await.unwrap();
    let after = chat.get_channel().channel_id(&channel_id).send().await.unwrap();
    assert_eq!(after.name.as_deref(), Some("ops-done"));
    // Archived, it takes no message (400, code 3205); archived again, Zoom names it in a 200;
    // unarchived. Members removed at once by user id; the token's own user among them is
    // refused (400, code 300).
    let archive = |method: &str| -> types::ArchiveChannelsRequest {
        serde_json::from_value(json!({"method": method, "channel_ids": [channel_id]})).unwrap()
    };
    let done = chat.archive_channels().body(archive("archive")).send().await.unwrap();
    assert!(done.failed_channels.is_empty(), "{done:?}");
    let to_archived: types::SendChatMessageRequest =
        serde_json::from_value(json!({"message": "hello", "to_channel": channel_id})).unwrap();
    chat.send_chat_message().user_id("me").body(to_archived).send().await.unwrap_err();
    let again = chat.archive_channels().body(archive("archive")).send().await.unwrap();
    assert_eq!(again.failed_channels[0].error_code.as_deref(), Some("3205"));
    chat.archive_channels().body(archive("unarchive")).send().await.unwrap();
    let ana: types::RemoveChannelMembersUserIds = "nobody,ana@example.com".parse().unwrap();
    chat.remove_channel_members().channel_id(&channel_id).user_ids(ana).send().await.unwrap();
    let me_too: types::RemoveChannelMembersUserIds = zoom.accounts()[0].user_id.parse().unwrap();
    chat.remove_channel_members().channel_id(&channel_id).user_ids(me_too).send().await.unwrap_err();
    chat.delete_channel().channel_id(&channel_id).send().await.unwrap();
    chat.get_channel().channel_id(&channel_id).send().await.unwrap_err();
    let listed = chat
        .list_chat_messages()
        .user_id("me")
        .to_channel("c1")
        .page_size(std::num::NonZeroU64::new(1).unwrap())
        .send()
        .await
        .unwrap();
    assert!(!listed.next_page_token.clone().unwrap_or_default().is_empty());
    match chat.list_chat_messages().user_id("me").send().await.unwrap_err() {
        Error::ErrorResponse(e) => assert_eq!(e.code, 300),
        other => panic!("{other:?}"),
    }

    // Files: the two uploads have multipart bodies, which progenitor does not generate.
    let http = reqwest::Client::new();
    let post_form = |path: &str, query: &[(&str, &str)], example: Value, id: &str| {
        let (content_type, body) = multipart(id, &example);
        http.post(format!("{}{path}", zoom.api_base_url()))
            .query(query)
            .bearer_auth(&api_token.access_token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let uploaded: types::ChatFileUploaded = post_form(
        "/chat/users/me/files",
        &[("postToPersonalChat", "false")],
        json!({"file": "notes.txt"}),
        "uploadChatFile",
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let info = chat.get_chat_file().file_id(&uploaded.id).send().await.unwrap();
    assert_eq!(info.file_name, "notes.txt");
    let sent = post_form(
        "/chat/users/me/messages/files",
        &[],
        json!({"files": ["a.png"], "to_channel": "c1"}),
        "sendChatFile",
    )
    .await
    .unwrap();
    assert_eq!(sent.status(), 201);
    // Refusals: no conversation, an unknown main message, a file past the cap, both hosts.
    for (example, status) in [
        (json!({"files": ["a.png"]}), 400),
        (json!({"files": ["a.png"], "to_channel": "c1", "reply_main_message_id": "NOPE"}), 404),
        (json!({"files": ["a.png"], "to_channel": "c1", "to_contact": "x@example.com"}), 400),
    ] {
        let refused = post_form("/chat/users/me/messages/files", &[], example.clone(), "sendChatFile").await.unwrap();
        assert_eq!(refused.status(), status, "{example}");
    }
    // A plain form field where the schema has a file (`format: binary`) is not a file.
    let text_part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\n{{}}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"to_channel\"\r\n\r\nc1\r\n--{BOUNDARY}--\r\n"
    );
    let not_a_file = http
        .post(format!("{}/chat/users/me/messages/files", zoom.api_base_url()))
        .bearer_auth(&api_token.access_token)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(text_part)
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_file.status(), 400);
    let (content_type, _) = multipart("uploadChatFile", &json!({"file": "big.bin"}));
    let oversized = http
        .post(format!("{}/chat/users/me/files", zoom.api_base_url()))
        .bearer_auth(&api_token.access_token)
        .header("content-type", content_type.clone())
        .body(form_with_file(&content_type, "file", "big.bin", &vec![0; (32 << 20) + (128 << 10)]))
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status(), 400, "past the fake's per-file cap");
    chat.delete_chat_file().file_id(&uploaded.id).send().await.unwrap();
    chat.delete_chat_file().file_id(&uploaded.id).send().await.unwrap_err();

    // Incoming webhooks.
    let (hook, hook_token) = zoom.incoming_webhook("alerts");
    let hooks = client_with(&zoom.webhook_base_url(), &hook_token);
    let body = types::IncomingWebhookCard { content: card(json!({"head": {"text": "Disk full"}})) };
    hooks
        .send_incoming_webhook()
        .webhook_id(&hook)
        .format(types::IncomingWebhookFormat::Full)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let stranger = client_with(&zoom.webhook_base_url(), "wrong");
    stranger
        .send_incoming_webhook()
        .webhook_id(&hook)
        .format(types::IncomingWebhookFormat::Full)
        .body(body)
        .send()
        .await
        .unwrap_err();
}

/// The boundary of the tests' multipart bodies.
const BOUNDARY: &str = "contract-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body from a multipart operation's example (as the spec writes one:
/// a file part by its name), each file a few bytes: its content type and bytes.
fn multipart(op_id: &str, example: &Value) -> (String, Vec<u8>) {
    let (op, _) = operation(op_id);
    let media = op.request_body.as_ref().and_then(|b| b.as_item()).and_then(|b| b.content.get("multipart/form-data"));
    let schema = serde_json::to_value(media.and_then(|m| m.schema.as_ref())).unwrap();
    let mut body = Vec::new();
    for (name, value) in example.as_object().unwrap() {
        let part = &schema["properties"][name];
        let binary = part["format"] == "binary" || part["items"]["format"] == "binary";
        let values = value.as_array().cloned().unwrap_or_else(|| vec![value.clone()]);
        for v in values {
            let text = v.as_str().unwrap();
            body.extend(format!("--{BOUNDARY}\r\n").bytes());
            if binary {
                body.extend(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{text}\"\r\n").bytes(),
                );
                body.extend(b"Content-Type: application/octet-stream\r\n\r\nsome bytes\r\n");
            } else {
                body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{text}\r\n").bytes());
            }
        }
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// A form of one file part `name` with `data`.
fn form_with_file(_content_type: &str, name: &str, filename: &str, data: &[u8]) -> Vec<u8> {
    let mut body =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\r\n")
            .into_bytes();
    body.extend_from_slice(data);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
    body
}

/// The response schema the spec gives an operation for a status, or `None` for no body.
fn response_schema(op_id: &str, status: u16) -> Result<Option<ReferenceOr<openapiv3::Schema>>, String> {
    let (op, _) = operation(op_id);
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    let response = op
        .responses
        .responses
        .iter()
        .find(|(code, _)| status_text(code) == exact)
        .or_else(|| op.responses.responses.iter().find(|(code, _)| status_text(code) == range))
        .map(|(_, r)| r)
        .ok_or_else(|| format!("{op_id} documents no {status} answer"))?;
    let response = contract_tests::resolve_response(response);
    Ok(response.content.values().next().and_then(|m| m.schema.clone()))
}

#[tokio::test]
async fn every_answer_of_the_fake_conforms_to_the_spec() {
    let zoom = ZoomMock::builder()
        .plan(Plan::Business)
        .user("AnaId", "ana@example.com")
        .user("BoId", "bo@example.com")
        .start()
        .await
        .unwrap();
    exercise(&zoom).await;

    let validator = zoom_spec::Validator::new(zoom_spec::spec());
    let mut problems = Vec::new();
    let mut seen_ok = BTreeSet::new();
    let mut errors_checked = 0;
    let mut independently_checked = 0;
    let seen = zoom.requests();
    for r in &seen {
        let Some(op) = r.operation.map(|op| op.as_str()) else {
            problems.push(format!("{} {} was not handled by an operation", r.method, r.path));
            continue;
        };
        if r.status < 300 {
            seen_ok.insert(op.to_owned());
        } else {
            errors_checked += 1;
        }
        match response_schema(op, r.status) {
            Err(e) => problems.push(e),
            Ok(None) if !r.response_body.is_empty() => {
                problems.push(format!("{op} {} has a body it should not", r.status))
            }
            Ok(None) => {}
            Ok(Some(schema)) => match serde_json::from_slice::<Value>(&r.response_body) {
                Err(e) => problems.push(format!("{op} {}: body is not JSON ({e})", r.status)),
                Ok(body) => {
                    for v in validator.validate(&schema, &body, "") {
                        problems.push(format!("{op} {}: {v} in {body}", r.status));
                    }
                    // The same answer, judged by an independent JSON Schema validator.
                    let document = contract_tests::json_schema(&serde_json::to_value(&schema).unwrap());
                    let independent = jsonschema::options()
                        .should_validate_formats(true)
                        .build(&document)
                        .unwrap_or_else(|e| panic!("{op} {}: the converted schema does not load: {e}", r.status));
                    for e in independent.iter_errors(&body) {
                        problems.push(format!("{op} {} (jsonschema): {e} at {}", r.status, e.instance_path()));
                    }
                    independently_checked += 1;
                }
            },
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let all: BTreeSet<String> = operations().into_iter().map(|(id, ..)| id).collect();
    assert_eq!(seen_ok, all, "every operation answered successfully at least once");
    assert_eq!(errors_checked, 28, "the scenario makes twenty-eight refusals; each must be checked");
    assert!(independently_checked >= 20, "only {independently_checked} answers had a body to check");
}

/// The spec's own request examples, sent as they are (path, query and body), are never
/// refused as invalid: a fake that refused what Zoom documents would be a false friend.
#[tokio::test]
async fn the_spec_examples_are_never_refused_as_invalid() {
    use contract_tests::{parameter_example, request_example_json};
    // The identities the examples use.
    let zoom = ZoomMock::builder()
        .robot_jid("v1pky3tyBBB5pl8q@xmpp.zoom.us")
        .account_id("Wk9PTV9BQ0NPVU5UX0lE")
        .channel_limits(false)
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let token = |form: Vec<(&'static str, String)>| {
        let request = http
            .post(format!("{}/oauth/token", zoom.oauth_base_url()))
            .basic_auth(zoom.client_id(), Some(zoom.client_secret()))
            .form(&form);
        async move {
            request.send().await.unwrap().json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
        }
    };
    let bot = token(vec![("grant_type", "client_credentials".into())]).await;
    let user = token(vec![("grant_type", "account_credentials".into()), ("account_id", zoom.account_id())]).await;

    let mut checked = 0;
    for (id, method, path) in operations() {
        let (op, params) = operation(&id);
        let mut url_path = path.clone();
        let mut query = Vec::new();
        for p in &params {
            let data = p.parameter_data_ref();
            let value = parameter_example(&id, &data.name);
            let text = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
            match p {
                openapiv3::Parameter::Path { .. } => url_path = url_path.replace(&format!("{{{}}}", data.name), &text),
                _ => query.push((data.name.clone(), text)),
            }
        }
        let base = if path.starts_with("/oauth") || path.starts_with("/chat/webhooks") {
            zoom.oauth_base_url()
        } else {
            zoom.api_base_url()
        };
        let mut request = http.request(method.parse().unwrap(), format!("{base}{url_path}")).query(&query);
        request = if path.starts_with("/oauth") {
            request.basic_auth(zoom.client_id(), Some(zoom.client_secret()))
        } else if path.starts_with("/im/") {
            request.bearer_auth(&bot)
        } else {
            request.bearer_auth(&user)
        };
        if op.request_body.is_some() {
            let example = request_example_json(&id);
            let is_form = op
                .request_body
                .as_ref()
                .and_then(|b| b.as_item())
                .is_some_and(|b| b.content.contains_key("multipart/form-data"));
            request = if path.starts_with("/oauth") {
                request.form(&example)
            } else if is_form {
                let (content_type, body) = multipart(&id, &example);
                request.header("content-type", content_type).body(body)
            } else {
                request.json(&example)
            };
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        // Schema refusals are worded by the validator; other 400s (an unknown page token, say)
        // are about state, and Zoom answers those too.
        let message = body["message"].as_str().unwrap_or_default();
        let schema_refusal =
            ["Validation Failed", "Invalid parameter", "Invalid request body"].iter().any(|p| message.starts_with(p));
        let refused_as_invalid = status == 400 && schema_refusal || body["error"] == "invalid_request" || status >= 500;
        assert!(!refused_as_invalid, "{id}: the spec's example was refused: {status} {body}");
        checked += 1;
    }
    assert_eq!(checked, operations().len());
}

/// The independent validator, on the converted schemas, is not a formality: it accepts the
/// spec's own examples and refuses what breaks them, as the spec's validator does.
#[test]
fn the_independent_validator_agrees_with_the_spec_on_examples_and_their_breakage() {
    let validator = zoom_spec::Validator::new(zoom_spec::spec());
    let answer = |op: &str, code: &str| contract_tests::response_example_json(op, code).unwrap();
    let cases = [
        ("ChatbotMessageSent", answer("sendChatbotMessage", "201"), "message_id", json!(null)),
        ("ChatMessagePage", answer("listChatMessages", "200"), "messages", json!("not a list")),
        ("TokenResponse", answer("requestToken", "200"), "expires_in", json!(-1)),
        ("CallbackReplySent", answer("replyToCallback", "201"), "message_id", json!(7)),
    ];
    for (name, example, field, broken) in cases {
        let schema = zoom_spec::component_schema(zoom_spec::spec(), name).unwrap();
        let document = contract_tests::json_schema(&serde_json::to_value(schema).unwrap());
        let independent = jsonschema::options().should_validate_formats(true).build(&document).unwrap();
        assert!(independent.is_valid(&example), "{name}: the example is refused");
        let mut bad = example.clone();
        bad[field] = broken;
        assert!(!independent.is_valid(&bad), "{name}: {field} broken is accepted");
        assert!(!validator.validate_schema(schema, &bad, "").is_empty(), "{name}: the spec's validator disagrees");
    }
}
