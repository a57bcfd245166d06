//! The fake's chatbot endpoints, through real HTTP.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::json;
use zoom_mock::fake::{ConversationId, Sender, ZoomMock};

fn is_send_time(s: &str) -> bool {
    // yyyy-MM-dd HH:mm:ss
    s.len() == 19 && s.as_bytes()[10] == b' ' && chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok()
}

#[tokio::test]
async fn send_stores_the_card_and_answers_like_zoom() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let (status, body) = answer(bot_send(&zoom, &token, CHANNEL, "Hello World").await).await;
    assert_eq!(status, 201);
    assert!(is_send_time(body["sent_time"].as_str().unwrap()), "{body}");
    assert_eq!((body["to_jid"].as_str(), body["robot_jid"].as_str()), (Some(CHANNEL), Some(zoom.robot_jid().as_str())));
    let id = body["message_id"].as_str().unwrap();
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "URL-safe id: {id}");

    let stored = zoom.conversation(&ConversationId::channel("general").unwrap());
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].id.as_str(), stored[0].text()), (id, "Hello World".to_owned()));
    assert_eq!(stored[0].sender, Sender::Bot(zoom.robot_jid()));
}

#[tokio::test]
async fn the_seed_hello_world_without_user_jid_is_accepted() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let body = json!({"robot_jid": zoom.robot_jid(), "to_jid": "wk9ptv9vu0vsx0le@xmpp.zoom.us",
                      "account_id": zoom.account_id(), "content": {"head": {"text": "Hello World"}}});
    let r = api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(zoom.conversation_of_jid("wk9ptv9vu0vsx0le@xmpp.zoom.us").len(), 1);
}

#[tokio::test]
async fn replies_thread_and_a_reply_to_a_reply_joins_the_main_thread() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let main =
        answer(bot_send(&zoom, &token, CHANNEL, "main").await).await.1["message_id"].as_str().unwrap().to_owned();
    let mut body = send_body(&zoom, CHANNEL, "reply");
    body["reply_to"] = json!(main);
    let reply = api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send().await.unwrap();
    let reply = answer(reply).await.1["message_id"].as_str().unwrap().to_owned();
    body["reply_to"] = json!(reply);
    let nested = api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send().await.unwrap();
    let nested = answer(nested).await.1["message_id"].as_str().unwrap().to_owned();
    assert_eq!(zoom.message(&reply).unwrap().reply_to.as_deref(), Some(main.as_str()));
    assert_eq!(zoom.message(&nested).unwrap().reply_to.as_deref(), Some(main.as_str()));
    body["reply_to"] = json!("NO-SUCH-MESSAGE");
    let r = api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send().await.unwrap();
    expect_error(r, 404, 8001, "does not exist").await;
}

#[tokio::test]
async fn edit_keeps_history_and_answers_with_the_zone_suffix() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let id = answer(bot_send(&zoom, &token, CHANNEL, "v1").await).await.1["message_id"].as_str().unwrap().to_owned();
    let edit = json!({"robot_jid": zoom.robot_jid(), "account_id": zoom.account_id(), "content": card("v2")});
    let r = api(&zoom, Method::PUT, &format!("/im/chat/messages/{id}"), &token).json(&edit).send().await.unwrap();
    let (status, body) = answer(r).await;
    assert_eq!(status, 200);
    let sent_time = body["sent_time"].as_str().unwrap();
    assert!(sent_time.ends_with(" +0000") && is_send_time(&sent_time[..19]), "{sent_time}");
    assert_eq!(body["to_jid"], CHANNEL);
    let stored = zoom.message(&id).unwrap();
    assert_eq!((stored.text(), stored.edits.len()), ("v2".to_owned(), 1));
    assert_eq!(
        stored.edits[0].content,
        zoom_mock::fake::MessageContent::Card { card: serde_json::from_value(card("v1")).unwrap(), markdown: false }
    );
}

#[tokio::test]
async fn delete_takes_query_parameters_and_then_the_message_is_gone() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let id = answer(bot_send(&zoom, &token, CHANNEL, "bye").await).await.1["message_id"].as_str().unwrap().to_owned();
    // As real clients do: `@` encoded as %40, and a JSON content type with no body.
    let path = format!(
        "/im/chat/messages/{id}?robot_jid={}&account_id={}",
        zoom.robot_jid().replace('@', "%40"),
        zoom.account_id()
    );
    let delete = || api(&zoom, Method::DELETE, &path, &token).header("content-type", "application/json").send();
    let (status, body) = answer(delete().await.unwrap()).await;
    assert_eq!((status, body["message_id"].as_str()), (200, Some(id.as_str())));
    assert!(zoom.message(&id).unwrap().deleted_at.is_some());
    expect_error(delete().await.unwrap(), 404, 8001, "Message does not exist").await;
    let edit = json!({"robot_jid": zoom.robot_jid(), "account_id": zoom.account_id(), "content": card("x")});
    let r = api(&zoom, Method::PUT, &format!("/im/chat/messages/{id}"), &token).json(&edit).send().await.unwrap();
    expect_error(r, 404, 8001, "Message does not exist").await;
    let missing_query = api(&zoom, Method::DELETE, &format!("/im/chat/messages/{id}"), &token).send().await.unwrap();
    expect_error(missing_query, 400, 7001, "robot_jid: is required").await;
}

#[tokio::test]
async fn bot_account_and_recipient_errors_use_zooms_codes() {
    let zoom = ZoomMock::builder().strict().channel("known").user("ana", "ana@example.com").start().await.unwrap();
    let token = bot_token(&zoom).await;
    let send = |body: serde_json::Value| api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send();

    let mut body = send_body(&zoom, "known@conference.xmpp.zoom.us", "hi");
    assert_eq!(send(body.clone()).await.unwrap().status(), 201);
    assert_eq!(send(send_body(&zoom, "ana@xmpp.zoom.us", "hi")).await.unwrap().status(), 201);

    body["robot_jid"] = json!("not a jid");
    expect_error(send(body.clone()).await.unwrap(), 404, 7002, "Invalid robot_jid").await;
    body["robot_jid"] = json!("v1otherbot@xmpp.zoom.us");
    expect_error(send(body.clone()).await.unwrap(), 403, 7003, "Robot not found").await;
    body["robot_jid"] = json!(zoom.robot_jid());
    body["account_id"] = json!("another-account");
    expect_error(send(body.clone()).await.unwrap(), 403, 7004, "Not authorized").await;
    expect_error(
        send(send_body(&zoom, "unknown@conference.xmpp.zoom.us", "hi")).await.unwrap(),
        403,
        7004,
        "Not authorized",
    )
    .await;
    expect_error(send(send_body(&zoom, "bob@example.com", "hi")).await.unwrap(), 403, 7004, "Not authorized").await;
}

#[tokio::test]
async fn invalid_bodies_get_7001_naming_the_field() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let send = |body: String| {
        api(&zoom, Method::POST, "/im/chat/messages", &token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    expect_error(send("{not json".into()).await.unwrap(), 400, 7001, "not valid JSON").await;
    let mut body = send_body(&zoom, CHANNEL, "x");
    body.as_object_mut().unwrap().remove("account_id");
    expect_error(send(body.to_string()).await.unwrap(), 400, 7001, "account_id: is required").await;
    let mut body = send_body(&zoom, CHANNEL, "x");
    body["is_markdown_support"] = json!("yes");
    expect_error(send(body.to_string()).await.unwrap(), 400, 7001, "is_markdown_support: must be a boolean").await;
    body = send_body(&zoom, CHANNEL, "x");
    body["content"]["body"] = json!([{"type": "actions", "items": [{"text": "Go", "value": "go", "style": "Blue"}]}]);
    expect_error(send(body.to_string()).await.unwrap(), 400, 7001, "content.body[0].items[0].style: must be one of")
        .await;
    body["content"]["body"] = json!([{"type": "progress_bar", "value": 101}]);
    expect_error(send(body.to_string()).await.unwrap(), 400, 7001, "content.body[0].value: must be at most 100").await;
    assert!(zoom.conversation_of_jid(CHANNEL).is_empty(), "nothing refused was stored");
}

#[tokio::test]
async fn unfurls_need_a_known_trigger_and_a_card() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let trigger = zoom.link_shared_trigger();
    let unfurl = |trigger: String, content: String| {
        api(&zoom, Method::POST, &format!("/im/chat/users/me/unfurls/{trigger}"), &token)
            .json(&json!({"content": content}))
            .send()
    };
    let good = card("PR #42").to_string();
    let r = unfurl(trigger.clone(), good.clone()).await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(zoom.unfurls(), vec![(trigger.clone(), good.clone())]);
    expect_error(unfurl("unknown".into(), good).await.unwrap(), 404, 8002, "Unfurl id does not exist").await;
    expect_error(unfurl(trigger, "{oops".into()).await.unwrap(), 400, 7001, "content: must be a JSON-encoded").await;
}

#[tokio::test]
async fn unknown_paths_answer_404_in_zooms_shape() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let r = api(&zoom, Method::GET, "/meetings/123", &token).send().await.unwrap();
    expect_error(r, 404, 404, "does not exist").await;
    // A path of the spec, but not for a chatbot token: the Users API wants the account's.
    let r = api(&zoom, Method::GET, "/users/me", &token).send().await.unwrap();
    expect_error(r, 401, 124, "Invalid access token").await;
}
