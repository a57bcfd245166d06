//! The fake's user-level chat endpoints, through real HTTP.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use zoom_mock::fake::ZoomMock;

async fn send(zoom: &ZoomMock, token: &str, body: Value) -> (u16, Value) {
    answer(api(zoom, Method::POST, "/chat/users/me/messages", token).json(&body).send().await.unwrap()).await
}

/// A fake that does not throttle sends per sender and channel (these tests send many to one
/// channel), and an API token for it.
async fn unthrottled() -> (ZoomMock, String) {
    let zoom = ZoomMock::builder().channel_limits(false).start().await.unwrap();
    let token = api_token(&zoom).await;
    (zoom, token)
}

async fn get(zoom: &ZoomMock, token: &str, path: &str) -> reqwest::Response {
    api(zoom, Method::GET, path, token).send().await.unwrap()
}

async fn send_ok(zoom: &ZoomMock, token: &str, body: Value) -> String {
    let (status, reply) = send(zoom, token, body).await;
    assert_eq!(status, 201, "{reply}");
    reply["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn send_get_edit_delete_round() {
    let (zoom, token) = unthrottled().await;
    let id = send_ok(&zoom, &token, json!({"message": "hello", "to_channel": "c1"})).await;
    let get = |q: &str| api(&zoom, Method::GET, &format!("/chat/users/me/messages/{id}{q}"), &token).send();
    let (status, got) = answer(get("?to_channel=c1").await.unwrap()).await;
    assert_eq!((status, got["message"].as_str(), got["id"].as_str()), (200, Some("hello"), Some(id.as_str())));
    expect_error(get("?to_channel=other").await.unwrap(), 404, 4131, "Message does not exist").await;

    let r = api(&zoom, Method::PUT, &format!("/chat/users/me/messages/{id}"), &token)
        .json(&json!({"message": "hello, edited", "to_channel": "c1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let stored = zoom.message(&id).unwrap();
    assert_eq!((stored.text(), stored.edits.len()), ("hello, edited".to_owned(), 1));

    let delete = || api(&zoom, Method::DELETE, &format!("/chat/users/me/messages/{id}?to_channel=c1"), &token).send();
    assert_eq!(delete().await.unwrap().status(), 204);
    expect_error(delete().await.unwrap(), 404, 4131, "Message does not exist").await;
    expect_error(get("").await.unwrap(), 404, 4131, "Message does not exist").await;
}

#[tokio::test]
async fn validation_names_the_field_with_code_300() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = api_token(&zoom).await;
    let (status, body) = send(&zoom, &token, json!({"message": "x".repeat(1025), "to_channel": "c1"})).await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(300)));
    assert_eq!(body["errors"][0], json!({"field": "message", "message": "must have at most 1024 characters"}));
    assert!(body["message"].as_str().unwrap().contains("message: must have at most 1024 characters"));
    assert_eq!(send(&zoom, &token, json!({"message": "x".repeat(1024), "to_channel": "c1"})).await.0, 201);

    let (_, body) = send(&zoom, &token, json!({"message": "hi"})).await;
    assert_eq!(body["code"], 300, "a conversation must be named: {body}");
    let (_, body) = send(&zoom, &token, json!({"to_channel": "c1"})).await;
    assert_eq!(body["errors"][0]["field"], "message");
    let (_, body) =
        send(&zoom, &token, json!({"message": "hi", "to_channel": "c1", "rich_text": [{"format_type": "Sparkly"}]}))
            .await;
    assert_eq!(body["errors"][0]["field"], "rich_text[0].format_type");
    let r = get(&zoom, &token, "/chat/users/me/messages?to_channel=c1&page_size=51").await;
    expect_error(r, 400, 300, "page_size: must be at most 50").await;
    let r = get(&zoom, &token, "/chat/users/me/messages?to_channel=c1&search_type=video").await;
    expect_error(r, 400, 300, "search_type: must be one of: message, file").await;
    let r = get(&zoom, &token, "/chat/users/me/messages?to_channel=c1&page_size=ten").await;
    expect_error(r, 400, 300, "page_size: must be an integer").await;
}

#[tokio::test]
async fn list_pages_newest_first_and_shows_changes_on_request() {
    let (zoom, token) = unthrottled().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(send_ok(&zoom, &token, json!({"message": format!("m{i}"), "to_channel": "c1"})).await);
    }
    send_ok(&zoom, &token, json!({"message": "elsewhere", "to_channel": "c2"})).await;
    api(&zoom, Method::DELETE, &format!("/chat/users/me/messages/{}", ids[4]), &token).send().await.unwrap();

    let list = |q: String| {
        let request = api(&zoom, Method::GET, &format!("/chat/users/me/messages?to_channel=c1{q}"), &token);
        async move { answer(request.send().await.unwrap()).await.1 }
    };
    let page1 = list("&page_size=2".into()).await;
    let texts = |page: &Value| {
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&page1), ["m3", "m2"]);
    let token1 = page1["next_page_token"].as_str().unwrap();
    let page2 = list(format!("&page_size=2&next_page_token={token1}")).await;
    assert_eq!(texts(&page2), ["m1", "m0"]);
    assert_eq!(page2["next_page_token"], "", "the last page has an empty token");

    let all = list("&include_deleted_and_edited_message=true".into()).await;
    assert_eq!(texts(&all), ["m4", "m3", "m2", "m1", "m0"]);
    assert_eq!(all["messages"][0]["status"], "Deleted");
    assert_eq!(all["messages"][1]["status"], "Normal");

    let r = get(&zoom, &token, "/chat/users/me/messages?to_channel=c1&next_page_token=bogus").await;
    expect_error(r, 400, 300, "next_page_token").await;
}

#[tokio::test]
async fn replies_threads_and_the_reply_to_a_reply_rule() {
    let (zoom, token) = unthrottled().await;
    let main = send_ok(&zoom, &token, json!({"message": "main", "to_channel": "c1"})).await;
    let r1 = send_ok(&zoom, &token, json!({"message": "r1", "to_channel": "c1", "reply_main_message_id": main})).await;
    send_ok(&zoom, &token, json!({"message": "r2", "to_channel": "c1", "reply_main_message_id": main})).await;
    let (status, body) =
        send(&zoom, &token, json!({"message": "r3", "to_channel": "c1", "reply_main_message_id": r1})).await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(5402)), "{body}");
    let (status, body) =
        send(&zoom, &token, json!({"message": "r3", "to_channel": "c1", "reply_main_message_id": "NOPE"})).await;
    assert_eq!((status, body["code"].as_i64()), (404, Some(4131)));

    let thread =
        |id: &str, q: &str| api(&zoom, Method::GET, &format!("/chat/users/me/messages/{id}/thread?{q}"), &token).send();
    let (status, body) = answer(thread(&main, "from=2026-01-01T00:00:00Z&sort=asc").await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3);
    let texts: Vec<&str> =
        body["messages"].as_array().unwrap().iter().map(|m| m["message"].as_str().unwrap()).collect();
    assert_eq!(texts, ["main", "r1", "r2"]);
    assert_eq!(body["messages"][1]["is_reply"], true);
    expect_error(thread(&main, "sort=asc").await.unwrap(), 400, 300, "from: is required").await;
    expect_error(thread("NOPE", "from=2026-01-01T00:00:00Z").await.unwrap(), 404, 4131, "does not exist").await;

    let list = get(&zoom, &token, "/chat/users/me/messages?to_channel=c1&exclude_child_message=true").await;
    assert_eq!(answer(list).await.1["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn reactions_and_read_status() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = api_token(&zoom).await;
    let id = send_ok(&zoom, &token, json!({"message": "react to me", "to_contact": "ana@example.com"})).await;
    let patch = |what: &str, body: Value| {
        api(&zoom, Method::PATCH, &format!("/chat/users/me/messages/{id}/{what}"), &token).json(&body).send()
    };
    assert_eq!(patch("emoji_reactions", json!({"action": "add", "emoji": "U+1F44D"})).await.unwrap().status(), 204);
    assert_eq!(zoom.message(&id).unwrap().reactions["U+1F44D"].len(), 1);
    let r = get(&zoom, &token, &format!("/chat/users/me/messages/{id}")).await;
    assert_eq!(answer(r).await.1["reactions"][0]["total_count"], 1);
    assert_eq!(patch("emoji_reactions", json!({"action": "remove", "emoji": "U+1F44D"})).await.unwrap().status(), 204);
    assert!(zoom.message(&id).unwrap().reactions.is_empty());
    expect_error(
        patch("emoji_reactions", json!({"action": "wave", "emoji": "U+1F44D"})).await.unwrap(),
        400,
        300,
        "action: must be one of",
    )
    .await;
    expect_error(patch("emoji_reactions", json!({"emoji": "U+1F44D"})).await.unwrap(), 400, 300, "action: is required")
        .await;

    assert_eq!(patch("status", json!({"action": "unread"})).await.unwrap().status(), 204);
    assert!(!zoom.message(&id).unwrap().unread_by.is_empty());
    assert_eq!(patch("status", json!({"action": "read"})).await.unwrap().status(), 204);
    assert!(zoom.message(&id).unwrap().unread_by.is_empty());
}

#[tokio::test]
async fn strict_directory_answers_1001_and_4130() {
    let zoom = ZoomMock::builder().strict().channel("c1").user("ana", "ana@example.com").start().await.unwrap();
    let token = api_token(&zoom).await;
    assert_eq!(send(&zoom, &token, json!({"message": "hi", "to_contact": "ana@example.com"})).await.0, 201);
    let (status, body) = send(&zoom, &token, json!({"message": "hi", "to_channel": "nope"})).await;
    assert_eq!((status, body["code"].as_i64()), (404, Some(4130)));
    let (status, body) = send(&zoom, &token, json!({"message": "hi", "to_contact": "bob@example.com"})).await;
    assert_eq!((status, body["code"].as_i64()), (404, Some(1001)));
    let r = get(&zoom, &token, "/chat/users/stranger/messages?to_channel=c1").await;
    expect_error(r, 404, 1001, "User does not exist: stranger").await;
    // The email and the id name the same conversation.
    assert_eq!(zoom.conversation(&zoom_mock::fake::ConversationId::user("ana").unwrap()).len(), 1);
}

#[tokio::test]
async fn the_eleventh_send_in_a_second_to_one_channel_is_throttled() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = api_token(&zoom).await;
    // The window is one second: on a paused clock the ten fit in it however slow the machine.
    zoom.pause_clock();
    for i in 0..10 {
        send_ok(&zoom, &token, json!({"message": format!("m{i}"), "to_channel": "busy"})).await;
    }
    let one_too_many = || {
        api(&zoom, Method::POST, "/chat/users/me/messages", &token)
            .json(&json!({"message": "one too many", "to_channel": "busy"}))
            .send()
    };
    let r = one_too_many().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "10");
    assert_eq!(r.headers()["x-ratelimit-type"], "Channel-limit");
    // Other channels are not affected.
    send_ok(&zoom, &token, json!({"message": "fine", "to_channel": "quiet"})).await;
    assert_eq!(zoom.conversation_of_jid("busy@conference.xmpp.zoom.us").len(), 10);
    // The block lasts the ten seconds it says, on the fake's clock.
    zoom.advance(std::time::Duration::from_secs(9));
    assert_eq!(one_too_many().await.unwrap().status(), 429);
    zoom.advance(std::time::Duration::from_secs(1));
    assert_eq!(one_too_many().await.unwrap().status(), 201);
}
