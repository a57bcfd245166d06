//! The page at `/`: the conversations the fake holds, every card element drawn, threads,
//! edits and deletions marked, and nothing from a message ever run as markup.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;
use zoom_mock::fake::{Faults, ZoomMock};

/// A card with one of each element the spec defines.
fn every_element() -> serde_json::Value {
    json!({
        "head": {"text": "Deploy <b>now</b>?", "sub_head": {"text": "requested by Ana"}},
        "body": [
            {"type": "message", "text": "<script>alert('x')</script>", "link": "javascript:alert(1)"},
            {"type": "fields", "items": [{"key": "env", "value": "prod", "editable": true}]},
            {"type": "actions", "items": [{"text": "Go", "value": "go", "style": "Primary"}, {"text": "Stop", "value": "stop", "style": "Danger"}]},
            {"type": "select", "text": "Region", "select_items": [{"text": "EU", "value": "eu"}, {"text": "US", "value": "us"}], "selected_item": {"text": "US", "value": "us"}},
            {"type": "attachments", "resource_url": "https://example.com/r", "img_url": "https://example.com/i.png", "information": {"title": {"text": "Report"}}},
            {"type": "section", "sidebar_color": "#00FF00", "sections": [{"type": "message", "text": "nested"}], "footer": "CI"},
            {"type": "divider"},
            {"type": "progress_bar", "value": 40},
            {"type": "file", "title": {"text": "log.txt"}, "file_url": "https://example.com/log.txt"},
            {"type": "page", "current_page": 1, "total_pages": 3},
            {"type": "datepicker", "action_id": "day", "initial_date": "2026-11-30"},
            {"type": "timepicker", "action_id": "time", "initial_time": "09:30"},
            {"type": "radio_buttons", "action_id": "size", "options": [{"text": "S", "value": "s"}], "initial_option": {"text": "S", "value": "s"}},
            {"type": "checkboxes", "action_id": "f", "options": [{"text": "A", "value": "a"}], "initial_options": [{"text": "A", "value": "a"}]},
            {"type": "plain_text_input", "action_id": "why", "placeholder": "Reason"},
            {"type": "alert", "text": "Freeze Friday", "level": "warning"},
            {"type": "images", "items": [{"image_url": "https://example.com/a.png", "alt_text": "graph"}]},
            {"type": "video", "video_url": "https://example.com/v.mp4", "title": "Demo"}
        ]
    })
}

#[tokio::test]
async fn the_page_draws_every_element_escaped_with_threads_edits_and_deletions() {
    // Faults on the API do not reach the page.
    let zoom = ZoomMock::builder().unlimited().start().await.unwrap();
    let token = bot_token(&zoom).await;
    let mut body = send_body(&zoom, CHANNEL, "x");
    body["content"] = every_element();
    let sent = api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send().await.unwrap();
    assert_eq!(sent.status(), 201, "{}", sent.text().await.unwrap());
    let main = bot_send(&zoom, &token, CHANNEL, "main").await.json::<serde_json::Value>().await.unwrap();
    let main_id = main["message_id"].as_str().unwrap().to_owned();
    let mut reply = send_body(&zoom, CHANNEL, "a reply");
    reply["reply_to"] = main_id.clone().into();
    api(&zoom, Method::POST, "/im/chat/messages", &token).json(&reply).send().await.unwrap();
    let edit = json!({"robot_jid": zoom.robot_jid(), "account_id": zoom.account_id(), "content": card("main, edited")});
    api(&zoom, Method::PUT, &format!("/im/chat/messages/{main_id}"), &token).json(&edit).send().await.unwrap();
    let gone = bot_send(&zoom, &token, "other@conference.xmpp.zoom.us", "gone")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let gone_id = gone["message_id"].as_str().unwrap();
    let query = format!("/im/chat/messages/{gone_id}?robot_jid={}&account_id={}", zoom.robot_jid(), zoom.account_id());
    api(&zoom, Method::DELETE, &query, &token).send().await.unwrap();
    zoom.set_faults(Faults { error_rate: 1.0, ..Faults::default() });

    let page = http().get(format!("{}/", zoom.oauth_base_url())).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();

    // Hostile text is shown, never run; a javascript: link is not a link.
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "{html}");
    assert!(!html.contains("<script>alert") && !html.contains("javascript:"), "{html}");
    assert!(html.contains("Deploy &lt;b&gt;now&lt;/b&gt;?"));
    // Every element, drawn.
    for kind in [
        "message",
        "fields",
        "actions",
        "select",
        "attachments",
        "section",
        "divider",
        "progress_bar",
        "file",
        "page",
        "datepicker",
        "timepicker",
        "radio_buttons",
        "checkboxes",
        "plain_text_input",
        "alert",
        "images",
        "video",
    ] {
        assert!(html.contains(&format!("class=\"element {kind}\"")), "{kind} is not drawn");
    }
    assert!(html.contains("<button class=\"primary\" data-value=\"go\" disabled>Go</button>"));
    assert!(html.contains("<option selected>US</option>"));
    assert!(html.contains("<progress max=\"100\" value=\"40\"></progress>"));
    assert!(html.contains("border-left-color: #00FF00"));
    // Threads, edits and deletions.
    let thread = html.find("class=\"replies\"").expect("a thread is drawn");
    assert!(html[thread..].contains("a reply"));
    assert!(html.contains("main, edited") && html.contains("edited 1 time(s)"));
    assert!(html.contains("class=\"message deleted\"") && html.contains("· deleted"));
    // Newest activity first: the conversation with the deletion was written last.
    assert!(html.find("other@conference").unwrap() < html.find("general@conference").unwrap());
}

#[tokio::test]
async fn the_card_preview_draws_a_card_and_names_every_rule_it_breaks() {
    let zoom = ZoomMock::start().await.unwrap();
    let url = format!("{}/preview", zoom.oauth_base_url());
    let empty = http().get(&url).send().await.unwrap().text().await.unwrap();
    assert!(empty.contains("<form method=\"post\""));
    let bad = r#"{"head": {"text": "<img src=x onerror=alert(1)>"}, "body": [{"type": "message"}, {"type": "progress_bar", "value": 101}]}"#;
    let page = http().post(&url).form(&[("card", bad)]).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("content.body[0].text: is required"), "{page}");
    assert!(page.contains("content.body[1].value: must be at most 100"), "{page}");
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img src=x"), "{page}");
    let good =
        http().post(&url).form(&[("card", r#"{"head": {"text": "ok"}}"#)]).send().await.unwrap().text().await.unwrap();
    assert!(good.contains("A valid card.") && good.contains("<h3>ok</h3>"));
}

/// The page updates itself: `/_fake/changes` streams an event when an API call changes what
/// the fake holds, and the page's one script listens to it.
#[tokio::test]
async fn a_change_reaches_the_page_as_a_server_sent_event() {
    let zoom = ZoomMock::start().await.unwrap();
    let page = http().get(format!("{}/", zoom.oauth_base_url())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("new EventSource('/_fake/changes')"), "{page}");

    let mut stream = http().get(format!("{}/_fake/changes", zoom.oauth_base_url())).send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let token = bot_token(&zoom).await;
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "live").await.status(), 201);
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains("event: change") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.expect("a change within 5 s").unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk.expect("the stream stays open")));
    }
    assert!(seen.contains("data: changed"), "{seen}");
}
