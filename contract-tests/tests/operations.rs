//! One contract test per operation of the spec (by `contract!` where the spec's examples make
//! the whole request; written out where a typed id, a form body or an empty body is checked):
//! the generated client calls the generated httpmock mock; the mock must see exactly the
//! request the spec describes (method, path, query, body, and no `api-version` header) and the
//! typed response must come back. The requests and answers are the spec's own examples.

use contract_tests::{operations, parameter_example, parameter_str, request_example, response_example};
use httpmock::MockServer;
use zoom_api_gen::types::{self, GrantType};
use zoom_api_gen::{Client, Error, hooks::Hooks};
use zoom_mock::MockServerExt;
use zoom_mock::form::FormBodyExt;

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), Hooks::none())
}

/// What every request must not carry: progenitor's version header is not for Zoom.
fn no_version_header(when: httpmock::When) {
    when.header_missing("api-version");
}

/// A contract test of `$method` (the spec's `$op`) whose request is the spec's examples: its
/// path parameters (`name = "theirName"` from the spec's example, `name: "value"` as given),
/// its query parameters (`query [..]`: `name = "theirName"` from the spec's example,
/// `name => value` as given; `absent [..]`: those the mock must not see), its JSON body
/// (`body Type`) when it has one; the mock must see exactly that (a body as JSON), and the
/// answer (`then.$then` with the example of `$status`, typed `$answer`, or one with no body)
/// must come back with the status `$code`. `request |body| {..}` and `answer |got| {..}` add
/// what the test checks of the example body and of the example answer (which the typed
/// answer was found equal to).
macro_rules! contract {
    ($test:ident: $op:literal, $method:ident
        [$($param:ident $(= $name:literal)? $(: $value:literal)?),*]
        $(query [$($q:ident $(= $qname:literal)? $(=> $qvalue:expr)?),*])?
        $(absent [$($absent:ident),*])?
        $(body $body:ty)?
        => $code:literal $then:ident $(($status:literal, $answer:ty))?
        $(request |$request:ident| $request_check:block)?
        $(answer |$got:ident| $answer_check:block)?
    ) => {
        #[tokio::test]
        async fn $test() {
            let server = MockServer::start_async().await;
            $(let $param: String = contract!(@param $op $(= $name)? $(: $value)?);)*
            $($($(let $q: String = parameter_str($op, $qname);)?)*)?
            $(let body: $body = request_example($op);)?
            $(let answer: $answer = response_example($op, $status);)?
            let mock = server.$method(|when, then| {
                let when = when$(.$param(&$param))*;
                $($(let when = when.$q(contract!(@mock $q $(= $qname)? $(=> $qvalue)?));)*)?
                $($(let when = when.$absent(None);)*)?
                $(let when = { let _: Option<$body> = None; when.body(&body) };)?
                let when = when.into_inner();
                $(let when = { let _: Option<$body> = None; when.header("content-type", "application/json") };)?
                no_version_header(when);
                then.$then($({ let _: Option<$answer> = None; &answer })?);
            });
            let client = client(&server);
            let request = client.$method()$(.$param(&$param))*;
            $($(let request = contract!(@client request $q $(= $qname)? $(=> $qvalue)?);)*)?
            $(let request = { let _: Option<$body> = None; request.body(body.clone()) };)?
            let got = request.send().await.unwrap();
            mock.assert_async().await;
            assert_eq!(got.status(), $code);
            $({ let _: Option<$answer> = None; assert_eq!(got.into_inner(), answer); })?
            $({ let $request = &body; $request_check })?
            $({ let $got = &answer; $answer_check })?
        }
    };
    (@param $op:literal = $name:literal) => { parameter_str($op, $name) };
    (@param $op:literal : $value:literal) => { $value.to_owned() };
    (@mock $q:ident = $name:literal) => { $q.as_str() };
    (@mock $q:ident => $value:expr) => { $value };
    (@client $request:ident $q:ident = $name:literal) => { $request.$q($q.as_str()) };
    (@client $request:ident $q:ident => $value:expr) => { $request.$q($value) };
}

/// A page size or limit from the spec's example.
fn nonzero(op: &str, name: &str) -> std::num::NonZeroU64 {
    std::num::NonZeroU64::new(parameter_example(op, name).as_u64().unwrap()).unwrap()
}

#[test]
fn every_operation_in_the_spec_has_a_contract_test() {
    let source =
        [include_str!("operations.rs"), include_str!("../../crates/zoom-chatbot-tests/tests/files_contract.rs")]
            .concat();
    let missing: Vec<String> = operations()
        .into_iter()
        .map(|(id, method, path)| {
            // The client method's name, as the generated operation table pairs it with the id.
            let known = id.parse::<zoom_api_gen::operations::OperationId>();
            (
                known.map_or_else(
                    |_| format!("<{id} missing from the operation table>"),
                    |o| o.method_name().to_owned(),
                ),
                method,
                path,
            )
        })
        .filter(|(name, _, _)| {
            !source.contains(&format!("async fn contract_{name}()"))
                && !source.contains(&format!("contract!(contract_{name}:"))
        })
        .map(|(name, method, path)| format!("contract_{name} ({method} {path})"))
        .collect();
    assert!(missing.is_empty(), "operations without a contract test: {missing:?}");
    assert_eq!(operations().len(), 39, "the spec's operation count changed; add the new contract tests");
}

// ----- chatbot messages ---------------------------------------------------------------------

contract!(contract_send_chatbot_message: "sendChatbotMessage", send_chatbot_message []
    body types::SendChatbotMessageRequest => 201 created("201", types::ChatbotMessageSent));

contract!(contract_edit_chatbot_message: "editChatbotMessage", edit_chatbot_message [message_id = "message_id"]
    body types::EditChatbotMessageRequest => 200 ok("200", types::ChatbotMessageChanged));

#[tokio::test]
async fn contract_delete_chatbot_message() {
    let server = MockServer::start_async().await;
    let op = "deleteChatbotMessage";
    let (id, robot, account) =
        (parameter_str(op, "message_id"), parameter_str(op, "robot_jid"), parameter_str(op, "account_id"));
    let changed: types::ChatbotMessageChanged = response_example(op, "200");
    let mock = server.delete_chatbot_message(|when, then| {
        // No body, and the bot and account in the query: the mistake other SDKs make.
        no_version_header(
            when.message_id(&id).robot_jid(&robot).account_id(&account).user_jid(None).into_inner().body(""),
        );
        then.ok(&changed);
    });
    let got = client(&server)
        .delete_chatbot_message()
        .message_id(&id)
        .robot_jid(&robot)
        .account_id(&account)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.into_inner(), changed);
}

contract!(contract_unfurl_link: "unfurlLink", unfurl_link [user_id = "userId", trigger_id = "triggerId"]
    body types::UnfurlLinkRequest => 204 no_content);

contract!(contract_reply_to_callback: "replyToCallback", reply_to_callback [callback_id = "callbackId"]
    body types::CallbackReply => 201 created("201", types::CallbackReplySent));

// ----- user-level chat messages -------------------------------------------------------------

contract!(contract_list_chat_messages: "listChatMessages", list_chat_messages [user_id: "me"]
    query [to_channel = "to_channel", page_size => nonzero("listChatMessages", "page_size"),
        next_page_token = "next_page_token", include_deleted_and_edited_message => true]
    absent [to_contact]
    => 200 ok("200", types::ChatMessagePage)
    answer |got| { assert_eq!(got.messages[0].status, Some(types::ChatMessageStatus::Normal)); });

contract!(contract_send_chat_message: "sendChatMessage", send_chat_message [user_id: "me"]
    body types::SendChatMessageRequest => 201 created("201", types::ChatMessageCreated));

// `@` in the query arrives decoded, as Zoom reads it.
contract!(contract_get_chat_message: "getChatMessage", get_chat_message [user_id: "me", message_id = "messageId"]
    query [to_contact = "to_contact"] absent [to_channel] => 200 ok("200", types::ChatMessage));

// ----- files --------------------------------------------------------------------------------

// `uploadChatFile` and `sendChatFile` have multipart bodies, which progenitor does not
// generate: zoom-chatbot builds them, and their contract tests are with it, in
// crates/zoom-chatbot-tests/tests/files_contract.rs (which the count above reads too).

contract!(contract_get_chat_file: "getChatFile", get_chat_file [file_id = "fileId"]
    => 200 ok("200", types::ChatFileInfo));

#[tokio::test]
async fn contract_delete_chat_file() {
    let server = MockServer::start_async().await;
    let id = parameter_str("deleteChatFile", "fileId");
    let mock = server.delete_chat_file(|when, then| {
        no_version_header(when.file_id(&id).into_inner().body(""));
        then.no_content();
    });
    let got = client(&server).delete_chat_file().file_id(&id).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.status(), 204);
}

// ----- users --------------------------------------------------------------------------------

#[tokio::test]
async fn contract_get_user() {
    let server = MockServer::start_async().await;
    let op = "getUser";
    let email = parameter_str(op, "userId");
    let user: types::User = response_example(op, "200");
    let path_id: types::GetUserUserId = email.parse().unwrap();
    let mock = server.get_user(|when, then| {
        no_version_header(when.user_id(&path_id).login_type(None).encrypted_email(None).into_inner());
        then.ok(&user);
    });
    let got = client(&server).get_user().user_id(email.as_str()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.into_inner(), user);
}

#[tokio::test]
async fn contract_search_contacts() {
    let server = MockServer::start_async().await;
    let op = "searchContacts";
    let key = parameter_str(op, "search_key");
    let token = parameter_str(op, "next_page_token");
    let size = std::num::NonZeroU64::new(parameter_example(op, "page_size").as_u64().unwrap()).unwrap();
    let page: types::ContactPage = response_example(op, "200");
    let typed_key: types::SearchContactsSearchKey = key.parse().unwrap();
    let mock = server.search_contacts(|when, then| {
        no_version_header(when.search_key(&typed_key).page_size(size).next_page_token(token.as_str()).into_inner());
        then.ok(&page);
    });
    let got = client(&server)
        .search_contacts()
        .search_key(typed_key.clone())
        .page_size(size)
        .next_page_token(&token)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.into_inner(), page);
}

// ----- channels -----------------------------------------------------------------------------

contract!(contract_create_channel: "createChannel", create_channel [user_id: "me"]
    body types::CreateChannelRequest => 201 created("201", types::ChannelCreated));

contract!(contract_get_channel: "getChannel", get_channel [channel_id = "channelId"]
    => 200 ok("200", types::Channel));

contract!(contract_list_channels: "listChannels", list_channels [user_id: "me"]
    query [page_size => nonzero("listChannels", "page_size"), next_page_token = "next_page_token"]
    => 200 ok("200", types::ChannelPage));

contract!(contract_list_channel_members: "listChannelMembers", list_channel_members [channel_id = "channelId"]
    query [page_size => nonzero("listChannelMembers", "page_size"), next_page_token = "next_page_token"]
    => 200 ok("200", types::ChannelMemberPage));

contract!(contract_invite_channel_members: "inviteChannelMembers", invite_channel_members [channel_id = "channelId"]
    body types::InviteChannelMembersRequest => 201 created("201", types::ChannelMembersInvited));

contract!(contract_update_channel: "updateChannel", update_channel [channel_id = "channelId"]
    body types::UpdateChannelRequest => 204 no_content);

contract!(contract_delete_channel: "deleteChannel", delete_channel [channel_id = "channelId"]
    => 204 no_content);

contract!(contract_join_channel: "joinChannel", join_channel [channel_id = "channelId"]
    => 201 created("201", types::ChannelJoined));
contract!(contract_leave_channel: "leaveChannel", leave_channel [channel_id = "channelId"] => 204 no_content);
contract!(contract_remove_channel_member: "removeChannelMember", remove_channel_member
    [channel_id = "channelId", identifier = "identifier"] => 204 no_content);

#[tokio::test]
async fn contract_remove_channel_members() {
    let server = MockServer::start_async().await;
    let op = "removeChannelMembers";
    let id = parameter_str(op, "channelId");
    let users: types::RemoveChannelMembersUserIds = parameter_str(op, "user_ids").parse().unwrap();
    // The pattern holds a list to 20 ids.
    let many = vec!["u"; 21].join(",");
    assert!(many.parse::<types::RemoveChannelMembersUserIds>().is_err());
    let mock = server.remove_channel_members(|when, then| {
        no_version_header(when.channel_id(&id).user_ids(&users).member_ids(None).into_inner());
        then.no_content();
    });
    let got = client(&server).remove_channel_members().channel_id(&id).user_ids(users.clone()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.status(), 204);
}

contract!(contract_archive_channels: "archiveChannels", archive_channels []
    body types::ArchiveChannelsRequest => 200 ok("200", types::ChannelsArchived)
    answer |got| { assert_eq!(got.failed_channels[0].error_code.as_deref(), Some("4130")); });

// ----- scheduled messages and reminders -----------------------------------------------------

contract!(contract_list_scheduled_messages: "listScheduledMessages", list_scheduled_messages []
    query [to_channel = "to_channel", page_size => nonzero("listScheduledMessages", "page_size"),
        next_page_token = "next_page_token"]
    absent [to_contact]
    => 200 ok("200", types::ScheduledMessagePage)
    answer |got| { assert_eq!(got.messages[0].draft_id, "8cfaf567-bf5a-4acc-b4f2-88b3d371aca5"); });

contract!(contract_delete_scheduled_message: "deleteScheduledMessage", delete_scheduled_message [draft_id = "draftId"]
    query [to_channel = "to_channel"] absent [to_contact] => 204 no_content);

contract!(contract_create_reminder: "createReminder", create_reminder [message_id = "messageId"]
    body types::CreateReminderRequest => 204 no_content
    request |body| { assert_eq!(body.delay_seconds, Some(1800)); });

contract!(contract_delete_reminder: "deleteReminder", delete_reminder [message_id = "messageId"]
    query [to_contact = "to_contact"] absent [to_channel] => 204 no_content);

contract!(contract_list_reminders: "listReminders", list_reminders []
    query [page_size => nonzero("listReminders", "page_size")] absent [to_channel, to_contact, next_page_token]
    => 200 ok("200", types::ReminderPage)
    answer |got| { assert_eq!(got.reminders[0].reminder_note, "Check the rollout"); });

contract!(contract_edit_chat_message: "editChatMessage", edit_chat_message [user_id: "me", message_id = "messageId"]
    body types::EditChatMessageRequest => 204 no_content);

contract!(contract_delete_chat_message: "deleteChatMessage", delete_chat_message
    [user_id: "me", message_id = "messageId"] query [to_channel = "to_channel"] absent [to_contact] => 204 no_content);

contract!(contract_react_to_chat_message: "reactToChatMessage", react_to_chat_message
    [user_id: "me", message_id = "messageId"] body types::ReactToChatMessageRequest => 204 no_content
    request |body| { assert_eq!(body.action, types::ReactToChatMessageRequestAction::Add); });

contract!(contract_mark_chat_message: "markChatMessage", mark_chat_message [user_id: "me", message_id = "messageId"]
    body types::MarkChatMessageRequest => 204 no_content);

contract!(contract_get_chat_message_thread: "getChatMessageThread", get_chat_message_thread
    [user_id: "me", message_id = "messageId"]
    query [from = "from", to_channel = "to_channel", limit => nonzero("getChatMessageThread", "limit"),
        sort => types::GetChatMessageThreadSort::Asc]
    => 200 ok("200", types::ChatThread)
    answer |got| { assert_eq!(got.messages.iter().filter(|m| m.is_reply).count(), 1); });

// ----- OAuth --------------------------------------------------------------------------------

#[tokio::test]
async fn contract_request_token() {
    let server = MockServer::start_async().await;
    let body: types::TokenRequest = request_example("requestToken");
    assert_eq!(body.grant_type, GrantType::AccountCredentials);
    let token: types::TokenResponse = response_example("requestToken", "200");
    let mock = server.request_token(|when, then| {
        no_version_header(when.form_body(&body).into_inner());
        then.ok(&token);
    });
    let got = client(&server).request_token().body(body.clone()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.into_inner(), token);
}

#[tokio::test]
async fn form_body_matcher_is_exact() {
    let server = MockServer::start_async().await;
    let expected: types::TokenRequest = request_example("requestToken");
    let mock = server.request_token(|when, then| {
        when.form_body(&expected);
        then.ok(&response_example("requestToken", "200"));
    });
    // A different grant, and the same grant with an extra field, must both miss.
    let other: types::TokenRequest =
        types::TokenRequest::builder().grant_type(GrantType::ClientCredentials).try_into().unwrap();
    let extra: types::TokenRequest = types::TokenRequest::builder()
        .grant_type(GrantType::AccountCredentials)
        .account_id(expected.account_id.clone())
        .code(Some("stray".to_owned()))
        .try_into()
        .unwrap();
    for body in [other, extra] {
        // Nothing matched, so httpmock answers its own 404, whose body is not an OAuth error.
        let err = client(&server).request_token().body(body).send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
    }
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn contract_revoke_token() {
    let server = MockServer::start_async().await;
    let body: types::RevokeTokenRequest = request_example("revokeToken");
    let outcome: types::RevokeTokenResponse = response_example("revokeToken", "200");
    let mock = server.revoke_token(|when, then| {
        no_version_header(when.form_body(&body).into_inner());
        then.ok(&outcome);
    });
    let got = client(&server).revoke_token().body(body.clone()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.into_inner().status, "success");
}

// ----- incoming webhooks --------------------------------------------------------------------

contract!(contract_send_incoming_webhook: "sendIncomingWebhook", send_incoming_webhook [webhook_id = "webhookId"]
    query [format => types::IncomingWebhookFormat::Full] body types::IncomingWebhookCard => 200 ok);

// ----- typed error paths --------------------------------------------------------------------

/// The error body a 4XX carries must come back typed, with its status.
fn expect_error_response<E: std::fmt::Debug>(err: Error<E>, status: u16) -> E {
    match err {
        Error::ErrorResponse(rv) => {
            assert_eq!(rv.status().as_u16(), status);
            rv.into_inner()
        }
        other => panic!("expected a typed error response, got {other:?}"),
    }
}

#[tokio::test]
async fn chatbot_errors_come_back_typed() {
    let server = MockServer::start_async().await;
    let refusal: types::ChatbotError = response_example("sendChatbotMessage", "4XX");
    server.send_chatbot_message(|_, then| {
        then.client_error(403, &refusal);
    });
    let body: types::SendChatbotMessageRequest = request_example("sendChatbotMessage");
    let err = client(&server).send_chatbot_message().body(body).send().await.unwrap_err();
    let got = expect_error_response(err, 403);
    assert_eq!((got.code, got.message.as_str(), got.result), (7004, "Not authorized.", Some(false)));
}

#[tokio::test]
async fn unknown_chatbot_message_is_a_typed_404() {
    let server = MockServer::start_async().await;
    let missing = types::ChatbotError { code: 8001, message: "Message does not exist.".into(), result: Some(false) };
    server.delete_chatbot_message(|when, then| {
        when.message_id("gone");
        then.client_error(404, &missing);
    });
    let err = client(&server)
        .delete_chatbot_message()
        .message_id("gone")
        .robot_jid("bot@xmpp.zoom.us")
        .account_id("acct")
        .send()
        .await
        .unwrap_err();
    assert_eq!(expect_error_response(err, 404), missing);
}

#[tokio::test]
async fn rate_limited_answers_come_back_typed() {
    let server = MockServer::start_async().await;
    let limited: types::ApiError = response_example("listChatMessages", "429");
    server.list_chat_messages(|_, then| {
        then.too_many_requests(&limited).into_inner().header("Retry-After", "1");
    });
    let err = client(&server).list_chat_messages().user_id("me").send().await.unwrap_err();
    let Error::ErrorResponse(rv) = err else { panic!("expected a typed error") };
    assert_eq!(rv.headers().get("retry-after").unwrap(), "1");
    assert_eq!(rv.status().as_u16(), 429);
    assert_eq!(rv.into_inner().code, 429);
}

#[tokio::test]
async fn api_validation_errors_keep_their_field_errors() {
    let server = MockServer::start_async().await;
    let invalid: types::ApiError = response_example("sendChatMessage", "4XX");
    server.send_chat_message(|_, then| {
        then.client_error(400, &invalid);
    });
    let body: types::SendChatMessageRequest = request_example("sendChatMessage");
    let err = client(&server).send_chat_message().user_id("me").body(body).send().await.unwrap_err();
    let got = expect_error_response(err, 400);
    assert_eq!(got.code, 300);
    assert_eq!(got.errors[0].field, "message");
}

#[tokio::test]
async fn oauth_errors_come_back_typed() {
    let server = MockServer::start_async().await;
    let refusal: types::OAuthError = response_example("requestToken", "4XX");
    server.request_token(|_, then| {
        then.client_error(401, &refusal);
    });
    let body: types::TokenRequest = request_example("requestToken");
    let err = client(&server).request_token().body(body).send().await.unwrap_err();
    let got = expect_error_response(err, 401);
    assert_eq!(got.error, "invalid_client");
}

#[tokio::test]
async fn a_policy_sees_every_request_and_its_operation_id() {
    use std::sync::{Arc, Mutex};
    use zoom_api_gen::hooks::{BoxFuture, RequestPolicy};
    use zoom_api_gen::operations::OperationId;

    #[derive(Default)]
    struct Recording(Mutex<Vec<(OperationId, Option<String>)>>);
    impl RequestPolicy for Recording {
        fn execute<'a>(
            &'a self,
            client: &'a reqwest::Client,
            mut request: reqwest::Request,
            operation: OperationId,
        ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
            let version = request.headers().get("api-version").map(|v| v.to_str().unwrap().to_owned());
            self.0.lock().unwrap().push((operation, version));
            request.headers_mut().insert("authorization", "Bearer from-policy".parse().unwrap());
            Box::pin(client.execute(request))
        }
    }

    let server = MockServer::start_async().await;
    let sent: types::ChatbotMessageSent = response_example("sendChatbotMessage", "201");
    let mock = server.send_chatbot_message(|when, then| {
        when.into_inner().header("authorization", "Bearer from-policy");
        then.created(&sent);
    });
    let policy = Arc::new(Recording::default());
    let client = Client::new(&server.base_url(), Hooks::with_policy(policy.clone()));
    client
        .send_chatbot_message()
        .body(request_example::<types::SendChatbotMessageRequest>("sendChatbotMessage"))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(*policy.0.lock().unwrap(), vec![(OperationId::SendChatbotMessage, None)]);
}
