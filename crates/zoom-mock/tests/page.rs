//! The page at `/`: the conversations the fake holds, every card element drawn, threads,
//! edits and deletions marked, and nothing from a message ever run as markup.

use crate::common;

use common::markup::{Allowed, foreign_markup};
use common::*;
use reqwest::Method;
use serde_json::json;
use zoom_mock::fake::{Faults, ZoomMock, render_card_html};

/// The page's one script, as the page writes it: the only script the markup check lets through.
const LIVE: &str = "let t;const v=document.body.dataset.version;new EventSource('/_fake/changes').addEventListener('change',e=>{if(e.data!==v){clearTimeout(t);t=setTimeout(()=>location.reload(),150)}});";

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
    let foreign = foreign_markup(&html, Allowed { script: Some(LIVE), style: true });
    assert!(foreign.is_empty(), "{foreign:#?}\n{html}");
    assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"), "{html}");
    assert!(!html.contains("<script>alert") && !html.contains("javascript:"), "{html}");
    assert!(html.contains("Deploy &lt;b&gt;now&lt;/b&gt;?"));
    // Every element, drawn.
    for kind in zoom_api_gen::cards::CARD_ELEMENT_KINDS {
        assert!(html.contains(&format!("class=\"element {kind}\"")), "{kind} is not drawn");
    }
    // No bot is connected: the controls are drawn, disabled.
    assert!(
        html.contains("<button class=\"primary\" name=\"value\" value=\"go\" data-value=\"go\" disabled>Go</button>")
    );
    assert!(html.contains("<option value=\"us\" selected>US</option>"));
    assert!(!html.contains("action=\"/_fake/act/click\""), "{html}");
    assert!(html.contains("<progress max=\"100\" value=\"40\"></progress>"));
    assert!(html.contains("border-left-color:#00ff00"));
    // Threads, edits and deletions.
    let thread = html.find("class=\"replies\"").expect("a thread is drawn");
    assert!(html[thread..].contains("a reply"));
    assert!(html.contains("main, edited") && html.contains("edited 1 time(s)"));
    // The edited message keeps its history: the earlier text is under "earlier versions".
    let history = html.find("earlier versions").expect("an edit history");
    assert!(html[history..].find(">main<").is_some(), "{html}");
    assert!(html.contains("class=\"message deleted\"") && html.contains("· deleted"));
    // Newest activity first: the conversation with the deletion was written last.
    assert!(html.find("<h2>other@conference").unwrap() < html.find("<h2>general@conference").unwrap());
}

/// The preview of `card` (JSON), posted from the page's own origin as its form is.
async fn preview(zoom: &ZoomMock, card: &str) -> String {
    let url = format!("{}/preview", zoom.oauth_base_url());
    let answer =
        http().post(&url).header("origin", zoom.oauth_base_url()).form(&[("card", card)]).send().await.unwrap();
    answer.text().await.unwrap()
}

#[tokio::test]
async fn the_card_preview_draws_a_card_and_names_every_rule_it_breaks() {
    let zoom = ZoomMock::start().await.unwrap();
    let url = format!("{}/preview", zoom.oauth_base_url());
    let empty = http().get(&url).send().await.unwrap().text().await.unwrap();
    assert!(empty.contains("<form method=\"post\""));
    let bad = r#"{"head": {"text": "<img src=x onerror=alert(1)>"}, "body": [{"type": "message"}, {"type": "progress_bar", "value": 101}]}"#;
    let page = preview(&zoom, bad).await;
    assert!(page.contains("content.body[0].text: is required"), "{page}");
    assert!(page.contains("content.body[1].value: must be at most 100"), "{page}");
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img src=x"), "{page}");
    let good = preview(&zoom, r#"{"head": {"text": "ok"}}"#).await;
    assert!(good.contains("A valid card.") && good.contains("<h3>ok</h3>"));
}

/// The page updates itself: `/_fake/changes` streams an event when an API call changes what
/// the fake holds, and the page's one script listens to it.
#[tokio::test]
async fn a_change_reaches_the_page_as_a_server_sent_event() {
    let zoom = ZoomMock::start().await.unwrap();
    let page = http().get(format!("{}/", zoom.oauth_base_url())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("new EventSource('/_fake/changes')"), "{page}");
    assert!(page.contains("<body data-version=\"0\">"), "the page says which state it shows: {page}");

    // A change made before the page listens (while it loads) is not missed: the stream opens
    // with the current version, which the page compares with its own.
    let token = bot_token(&zoom).await;
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "while loading").await.status(), 201);
    let mut stream = http().get(format!("{}/_fake/changes", zoom.oauth_base_url())).send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut read_until = async |text: &str, seen: &mut String| {
        while !seen.contains(text) {
            let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.expect("within 5 s").unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk.expect("the stream stays open")));
        }
    };
    read_until("event: change\ndata: 1\n", &mut seen).await;
    // And each change after it.
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "live").await.status(), 201);
    read_until("data: 2\n", &mut seen).await;
    let page = http().get(format!("{}/", zoom.oauth_base_url())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<body data-version=\"2\">"), "{page}");
}

#[tokio::test]
async fn the_page_acts_as_a_user_and_lists_each_delivery_with_the_bots_answer() {
    let zoom = ZoomMock::start().await.unwrap();
    let base = zoom.oauth_base_url();
    // As the page's forms post: with the page's own Origin.
    let post = |path: &str, form: &[(&str, &str)]| {
        browser().post(format!("{base}{path}")).header("origin", &base).form(form).send()
    };
    let page = || async { http().get(format!("{base}/")).send().await.unwrap().text().await.unwrap() };

    // No bot yet: the page says so, and a command is refused with the reason.
    assert!(page().await.contains("No bot connected."));
    let answer = post("/_fake/act/command", &[("to_jid", CHANNEL), ("text", "/echo hi")]).await.unwrap();
    assert_eq!((answer.status().as_u16(), answer.headers()["location"].to_str().unwrap()), (303, "/"));
    assert!(zoom.deliveries()[0].outcome.as_ref().unwrap_err().contains("no bot is connected"));

    // A bot named on the command line (it may start later) is checked at the first event.
    let (url, events) = recording_bot("/events").await;
    zoom.expect_bot(&url, "s");
    assert!(page().await.contains("checked at the first event"));
    post("/_fake/act/command", &[("to_jid", CHANNEL), ("text", "/echo hi <there>")]).await.unwrap();
    {
        let seen = events.lock().unwrap();
        assert_eq!(seen[0]["event"], "endpoint.url_validation");
        assert_eq!(seen[1]["event"], "bot_notification");
        assert_eq!(seen[1]["payload"]["cmd"], "hi <there>", "the text after the command");
        assert_eq!(seen[1]["payload"]["toJid"], CHANNEL);
        assert_eq!(seen[1]["payload"]["userJid"], "fakeuser01@xmpp.zoom.us");
    }

    // The bot's card: every control of it acts as the user.
    let token = bot_token(&zoom).await;
    let mut body = send_body(&zoom, CHANNEL, "x");
    body["content"] = json!({"head": {"text": "Deploy?"}, "body": [
        {"type": "message", "text": "v1.2", "editable": true},
        {"type": "fields", "items": [{"key": "env", "value": "prod", "editable": true}]},
        {"type": "actions", "items": [{"text": "Go", "value": "go", "style": "Primary"}]},
        {"type": "select", "text": "Region", "select_items": [{"text": "EU", "value": "eu"}]}
    ]});
    let sent: serde_json::Value =
        api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send().await.unwrap().json().await.unwrap();
    let id = sent["message_id"].as_str().unwrap();
    let html = page().await;
    assert!(html.contains(&format!("Connected: {url}")), "{html}");
    let foreign = foreign_markup(&html, Allowed { script: Some(LIVE), style: true });
    assert!(foreign.is_empty(), "the live page's forms are the page's own: {foreign:#?}\n{html}");
    for action in ["click", "select", "edit"] {
        assert!(html.contains(&format!("action=\"/_fake/act/{action}\"")), "{action} is offered: {html}");
    }
    let clicked = post("/_fake/act/click", &[("message_id", id), ("value", "go")]).await.unwrap();
    assert_eq!(clicked.headers()["location"].to_str().unwrap(), format!("/#m-{id}"), "back at the card");
    post("/_fake/act/select", &[("message_id", id), ("value", "eu")]).await.unwrap();
    post("/_fake/act/edit", &[("message_id", id), ("text", "v1.3")]).await.unwrap();
    post("/_fake/act/edit", &[("message_id", id), ("key", "env"), ("text", "staging")]).await.unwrap();
    {
        let seen = events.lock().unwrap();
        let kinds: Vec<&str> = seen[2..].iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "interactive_message_actions",
                "interactive_message_select",
                "interactive_message_editable",
                "interactive_message_fields_editable"
            ]
        );
        assert_eq!(seen[2]["payload"]["actionItem"]["value"], "go");
        assert!(seen[2]["callback_url"].as_str().unwrap().starts_with(&base), "a click carries a callback");
        assert_eq!(seen[3]["payload"]["selectedItems"][0]["value"], "eu");
        assert_eq!(seen[4]["payload"]["editItem"]["target"], "v1.3");
        assert_eq!(seen[5]["payload"]["fieldEditItem"]["newValue"], "staging");
        assert_eq!(seen[2]["payload"]["messageId"], id);
    }

    // An unknown button delivers nothing, and the page says why.
    post("/_fake/act/click", &[("message_id", id), ("value", "nope")]).await.unwrap();
    assert_eq!(events.lock().unwrap().len(), 6);
    // Another site's form is refused before anything is delivered.
    let forged = browser()
        .post(format!("{base}/_fake/act/command"))
        .header("origin", "http://evil.example")
        .form(&[("to_jid", CHANNEL), ("text", "/echo pwned")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(events.lock().unwrap().len(), 6);

    // Every delivery is listed, newest first, with the bot's answer and the time it took.
    let html = page().await;
    let table = &html[html.find("class=\"deliveries\"").unwrap()..];
    assert!(table.find("has no button").unwrap() < table.find("fields_editable").unwrap(), "{table}");
    assert_eq!(table.matches("<td class=\"status\">HTTP 200</td>").count(), 6, "{table}");
    assert!(table.contains("<td>hi &lt;there&gt;</td>"), "{table}");
    assert!(table.contains("no bot is connected"), "{table}");
    let kinds: Vec<String> = zoom.deliveries().into_iter().map(|d| d.event).collect();
    assert_eq!(
        kinds,
        [
            "command",
            "endpoint.url_validation",
            "bot_notification",
            "interactive_message_actions",
            "interactive_message_select",
            "interactive_message_editable",
            "interactive_message_fields_editable",
            "click"
        ]
    );
}

/// The issue's reproductions: a `page` element's numbers given as strings of markup, and a
/// section's colour (or the card's default colour) carrying CSS of its own. Neither reaches
/// the page as markup, through `/preview` (which draws invalid cards too) or `/`.
#[tokio::test]
async fn a_cards_numbers_and_colours_never_become_markup_or_css() {
    let zoom = ZoomMock::start().await.unwrap();
    let hostile = json!({
        "settings": {"default_sidebar_color": "blue;background:url(http://evil.example/d)"},
        "body": [
            {"type": "page", "current_page": "<img src=x onerror=alert(1)>", "total_pages": "</p><script>alert(2)</script>"},
            {"type": "section", "sidebar_color": "red;position:fixed;background:url(http://evil.example/x)", "sections": []},
            {"type": "section", "sections": [{"type": "message", "text": "uses the default"}]}
        ]
    });
    let page = preview(&zoom, &hostile.to_string()).await;
    let drawn = &page[page.find("<section class=\"conversation\">").expect("the card is drawn")..];
    assert!(!drawn.contains("<img src=x") && !drawn.contains("<script>alert(2)"), "{drawn}");
    assert!(!drawn.contains("position:fixed") && !drawn.contains("url("), "{drawn}");
    assert!(!drawn.contains("style="), "a colour that is not #rrggbb draws no style: {drawn}");
    let foreign = foreign_markup(&page, Allowed { script: None, style: true });
    assert!(foreign.is_empty(), "{foreign:#?}\n{page}");

    // A good colour is drawn, and a section without one takes the card's default.
    let good = json!({"settings": {"default_sidebar_color": "#0000FF"}, "body": [
        {"type": "section", "sidebar_color": "#00FF00", "sections": []},
        {"type": "section", "sections": []},
        {"type": "page", "current_page": 2, "total_pages": 5}
    ]});
    let page = render_card_html(&good);
    assert!(page.contains("style=\"border-left-color:#00ff00\""), "{page}");
    assert!(page.contains("style=\"border-left-color:#0000ff\""), "{page}");
    assert!(page.contains("<p>page 2 of 5</p>"), "{page}");
}
