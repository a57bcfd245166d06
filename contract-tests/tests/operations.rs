//! One contract test per operation of the spec, by `contract!`: the generated client calls the
//! generated httpmock mock; the mock must see exactly the request the spec describes (method,
//! path, query, body or none, and no `api-version` header) and the typed response must come
//! back. The requests and answers are the spec's own examples.

use contract_tests::{operations, parameter_example, parameter_str, request_example, response_example};
use httpmock::MockServer;
use zoom_api_gen::operations::OperationId;
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

/// What a request of `op`, which has no body in the spec, must carry: no body (a `GET` is left
/// as it is: it has none, and httpmock refuses a body matcher on one).
fn no_body(op: &str, when: httpmock::When) -> httpmock::When {
    let operation: OperationId = op.parse().unwrap();
    if operation.info().method == "GET" { when } else { when.body("") }
}

/// A contract test of `$method` (the spec's `$op`) whose request is the spec's examples: its
/// path parameters (`name = "theirName"` from the spec's example, `name: "value"` as given),
/// its query parameters (`query [..]`: `name = "theirName"` from the spec's example,
/// `name => value` as given; `absent [..]`: those the mock must not see), a parameter of a
/// typed id read from the spec's example as that type (`name as Type = "theirName"`), and its
/// body: JSON (`body Type`), a form (`form(Type)`), or none (then the mock must see none). The
/// mock must see exactly that, and the answer (`then.$then` with the example of `$status`,
/// typed `$answer`, or one with no body) must come back with the status `$code`.
/// `request |body| {..}` and `answer |got| {..}` add what the test checks of the example body
/// and of the example answer (which the typed answer was found equal to).
macro_rules! contract {
    ($test:ident: $op:literal, $method:ident
        [$($param:ident $(as $pty:ty)? $(= $name:literal)? $(: $value:literal)?),*]
        $(query [$($q:ident $(as $qty:ty)? $(= $qname:literal)? $(=> $qvalue:expr)?),*])?
        $(absent [$($absent:ident),*])?
        $(form($form:ty))?
        $(body $body:ty)?
        => $code:literal $then:ident $(($status:literal, $answer:ty))?
        $(request |$request:ident| $request_check:block)?
        $(answer |$got:ident| $answer_check:block)?
    ) => {
        #[tokio::test]
        async fn $test() {
            let server = MockServer::start_async().await;
            $(contract!(@let $op $param $(as $pty)? $(= $name)? $(: $value)?);)*
            $($(contract!(@let $op $q $(as $qty)? $(= $qname)? $(=> $qvalue)?);)*)?
            $(let body: $body = request_example($op);)?
            $(let body: $form = request_example($op);)?
            $(let answer: $answer = response_example($op, $status);)?
            let mock = server.$method(|when, then| {
                let when = when$(.$param(&$param))*;
                $($(let when = when.$q(contract!(@mock $q $(as $qty)? $(= $qname)? $(=> $qvalue)?));)*)?
                $($(let when = when.$absent(None);)*)?
                $(let when = { let _: Option<$body> = None; when.body(&body) };)?
                $(let when = { let _: Option<$form> = None; when.form_body(&body) };)?
                let when = when.into_inner();
                $(let when = { let _: Option<$body> = None; when.header("content-type", "application/json") };)?
                let when = contract!(@no_body $op when $($body)? $($form)?);
                no_version_header(when);
                then.$then($({ let _: Option<$answer> = None; &answer })?);
            });
            let client = client(&server);
            let request = client.$method()$(.$param($param.clone()))*;
            $($(let request = contract!(@client request $q $(as $qty)? $(= $qname)? $(=> $qvalue)?);)*)?
            $(let request = { let _: Option<$body> = None; request.body(body.clone()) };)?
            $(let request = { let _: Option<$form> = None; request.body(body.clone()) };)?
            let got = request.send().await.unwrap();
            mock.assert_async().await;
            assert_eq!(got.status(), $code);
            $({ let _: Option<$answer> = None; assert_eq!(got.into_inner(), answer); })?
            $({ let $request = &body; $request_check })?
            $({ let $got = &answer; $answer_check })?
        }
    };
    // A parameter's value, bound to its name (one given `=> value` is written where it is used).
    (@let $op:literal $p:ident = $name:literal) => { let $p = parameter_str($op, $name); };
    (@let $op:literal $p:ident as $ty:ty = $name:literal) => {
        let $p: $ty = parameter_str($op, $name).parse().unwrap();
    };
    (@let $op:literal $p:ident : $value:literal) => { let $p = $value.to_owned(); };
    (@let $op:literal $p:ident => $value:expr) => {};
    (@mock $q:ident = $name:literal) => { $q.as_str() };
    (@mock $q:ident as $ty:ty = $name:literal) => { &$q };
    (@mock $q:ident => $value:expr) => { $value };
    (@client $request:ident $q:ident = $name:literal) => { $request.$q($q.as_str()) };
    (@client $request:ident $q:ident as $ty:ty = $name:literal) => { $request.$q($q.clone()) };
    (@client $request:ident $q:ident => $value:expr) => { $request.$q($value) };
    // An operation with no body in the spec sends none.
    (@no_body $op:literal $when:ident) => { no_body($op, $when) };
    (@no_body $op:literal $when:ident $body:ty) => { $when };
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

// No body, and the bot and account in the query: the mistake other SDKs make.
contract!(contract_delete_chatbot_message: "deleteChatbotMessage", delete_chatbot_message [message_id = "message_id"]
    query [robot_jid = "robot_jid", account_id = "account_id"] absent [user_jid]
    => 200 ok("200", types::ChatbotMessageChanged));

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

contract!(contract_delete_chat_file: "deleteChatFile", delete_chat_file [file_id = "fileId"] => 204 no_content);

// ----- users --------------------------------------------------------------------------------

contract!(contract_get_user: "getUser", get_user [user_id as types::GetUserUserId = "userId"]
    absent [login_type, encrypted_email] => 200 ok("200", types::User));

contract!(contract_search_contacts: "searchContacts", search_contacts []
    query [search_key as types::SearchContactsSearchKey = "search_key",
        page_size => nonzero("searchContacts", "page_size"), next_page_token = "next_page_token"]
    => 200 ok("200", types::ContactPage));

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

contract!(contract_remove_channel_members: "removeChannelMembers", remove_channel_members [channel_id = "channelId"]
    query [user_ids as types::RemoveChannelMembersUserIds = "user_ids"] absent [member_ids] => 204 no_content);

#[test]
fn a_removal_names_at_most_20_users() {
    // The spec's pattern holds the list of ids to 20.
    let many = vec!["u"; 21].join(",");
    assert!(many.parse::<types::RemoveChannelMembersUserIds>().is_err());
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

contract!(contract_request_token: "requestToken", request_token [] form(types::TokenRequest)
    => 200 ok("200", types::TokenResponse)
    request |body| { assert_eq!(body.grant_type, GrantType::AccountCredentials); });

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

contract!(contract_revoke_token: "revokeToken", revoke_token [] form(types::RevokeTokenRequest)
    => 200 ok("200", types::RevokeTokenResponse)
    answer |got| { assert_eq!(got.status, "success"); });

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

/// A test that the spec's 4XX example of `$op`, answered with the status `$status` to
/// `$method` (path parameters as given, the spec's request example as its body), comes back
/// typed as `$error` with that status; `|got| {..}` checks what it says.
macro_rules! refusal {
    ($test:ident: $op:literal, $method:ident [$($param:ident: $value:literal),*]
        body $body:ty => $status:literal $error:ty |$got:ident| $check:block
    ) => {
        #[tokio::test]
        async fn $test() {
            let server = MockServer::start_async().await;
            let refusal: $error = response_example($op, "4XX");
            server.$method(|_, then| {
                then.client_error($status, &refusal);
            });
            let body: $body = request_example($op);
            let err = client(&server).$method()$(.$param($value))*.body(body).send().await.unwrap_err();
            let $got = expect_error_response(err, $status);
            $check
        }
    };
}

refusal!(chatbot_errors_come_back_typed: "sendChatbotMessage", send_chatbot_message []
    body types::SendChatbotMessageRequest => 403 types::ChatbotError
    |got| { assert_eq!((got.code, got.message.as_str(), got.result), (7004, "Not authorized.", Some(false))); });

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

refusal!(api_validation_errors_keep_their_field_errors: "sendChatMessage", send_chat_message [user_id: "me"]
    body types::SendChatMessageRequest => 400 types::ApiError
    |got| { assert_eq!((got.code, got.errors[0].field.as_str()), (300, "message")); });

refusal!(oauth_errors_come_back_typed: "requestToken", request_token []
    body types::TokenRequest => 401 types::OAuthError |got| { assert_eq!(got.error, "invalid_client"); });

#[tokio::test]
async fn a_policy_sees_every_request_and_its_operation_id() {
    use std::sync::{Arc, Mutex};
    use zoom_api_gen::hooks::{BoxFuture, RequestPolicy};

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
