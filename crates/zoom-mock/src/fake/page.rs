//! `GET /`: the conversations the fake holds, drawn as Zoom draws them, for a person to look
//! at. Server-rendered HTML with no external resource and one small script, which reloads
//! the page when a change arrives on `/_fake/changes` (server-sent events). Every text from a
//! message is escaped, and only `http(s)` links become links.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::response::Html;
use serde_json::Value;

use super::Shared;
use super::events::{Delivery, PageBot};
use super::state::{ConversationId, MessageContent, Sender, StoredMessage};

/// The stream of changes the page listens to (outside Zoom's paths).
pub(crate) const CHANGES: &str = "/_fake/changes";

/// The page's one script: a reload shortly after the fake's state moves past the version the
/// page was drawn at (`data-version` of the body). The stream says the current version as
/// soon as it opens, so a change made while the page loaded is not missed.
const LIVE: &str = "<script>let t;const v=document.body.dataset.version;new EventSource('/_fake/changes').addEventListener('change',e=>{if(e.data!==v){clearTimeout(t);t=setTimeout(()=>location.reload(),150)}});</script>";

/// `GET /_fake/changes`: an event `change` with the fake's version (how many changes so far)
/// when the stream opens, and again each time the fake's state changes.
pub(crate) async fn changes(
    AxumState(shared): AxumState<Arc<Shared>>,
) -> axum::response::sse::Sse<
    impl futures_core::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use tokio::sync::broadcast::error::RecvError;
    let event = |version: u64| axum::response::sse::Event::default().event("change").data(version.to_string());
    // Subscribed before the version is read: a change after it is told too.
    let receiver = shared.changes.subscribe();
    let first = futures_util::stream::once(std::future::ready(Ok(event(shared.version()))));
    let next = futures_util::stream::unfold((receiver, shared), move |(mut receiver, shared)| async move {
        match receiver.recv().await {
            // Changes that came too fast to be told one by one are still one change.
            Ok(()) | Err(RecvError::Lagged(_)) => Some((Ok(event(shared.version())), (receiver, shared))),
            Err(RecvError::Closed) => None,
        }
    });
    let stream = futures_util::StreamExt::chain(first, next);
    axum::response::sse::Sse::new(stream).keep_alive(axum::response::sse::KeepAlive::default())
}

/// The conversations shown, newest activity first, and the messages shown of each.
const CONVERSATIONS: usize = 50;
const MESSAGES: usize = 100;
/// The deliveries shown, newest first.
const DELIVERIES: usize = 50;

/// Text made safe for HTML, in element content and in quoted attributes alike.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A link to `url` when it is `http(s)`, else the URL as text.
fn link(url: &str, label: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!("<a href=\"{}\">{}</a>", escape(url), escape(label))
    } else {
        escape(label)
    }
}

fn str_of<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn items(value: &Value, key: &str) -> Vec<Value> {
    value.get(key).and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The spec's violations of a card's JSON, as `content.PATH: rule` lines: what the fake would
/// refuse, before anything is sent.
pub fn card_violations(card: &Value) -> Vec<String> {
    let validator = zoom_spec::Validator::new(zoom_spec::spec());
    let found = validator.validate_component("Card", card, "content").unwrap_or_default();
    found.iter().map(ToString::to_string).collect()
}

/// A form of the page that acts as the user on the bot's message `message_id`: its fields
/// (hidden `message_id` first) and its visible controls.
fn act_form(out: &mut String, action: &str, message_id: &str, controls: &str) {
    let _ = write!(
        out,
        "<form class=\"act\" method=\"post\" action=\"/_fake/act/{action}\"><input type=\"hidden\" name=\"message_id\" value=\"{}\">{controls}</form>",
        escape(message_id)
    );
}

/// One card element, as HTML. With `actionable` (the id of a live bot message), its buttons,
/// menus and editable texts and fields are forms that act as the user; otherwise they are
/// drawn disabled.
fn element(out: &mut String, item: &Value, actionable: Option<&str>) {
    let s = |key: &str| str_of(item, key);
    let kind = s("type");
    let _ = write!(out, "<div class=\"element {}\">", escape(kind));
    match kind {
        "message" => {
            let text = if s("link").is_empty() { escape(s("text")) } else { link(s("link"), s("text")) };
            let editable = if item["editable"] == true { " <span class=\"tag\">editable</span>" } else { "" };
            let _ = write!(out, "<p>{text}{editable}</p>");
            if let (Some(id), true) = (actionable, item["editable"] == true) {
                let controls = format!(
                    "<input name=\"text\" value=\"{}\" aria-label=\"new text\"><button type=\"submit\">Save</button>",
                    escape(s("text"))
                );
                act_form(out, "edit", id, &controls);
            }
        }
        "fields" => {
            out.push_str("<dl>");
            for f in items(item, "items") {
                let (key, value) = (str_of(&f, "key"), str_of(&f, "value"));
                let _ = write!(out, "<dt>{}</dt><dd>", escape(key));
                match (actionable, f["editable"] == true) {
                    (Some(id), true) => {
                        let controls = format!(
                            "<input type=\"hidden\" name=\"key\" value=\"{}\"><input name=\"text\" value=\"{}\" aria-label=\"{}\"><button type=\"submit\">Save</button>",
                            escape(key),
                            escape(value),
                            escape(key)
                        );
                        act_form(out, "edit", id, &controls);
                    }
                    (None, true) => {
                        let _ = write!(out, "{} <span class=\"tag\">editable</span>", escape(value));
                    }
                    _ => out.push_str(&escape(value)),
                }
                out.push_str("</dd>");
            }
            out.push_str("</dl>");
        }
        "actions" => {
            let mut buttons = String::new();
            for b in items(item, "items") {
                let style = str_of(&b, "style").to_ascii_lowercase();
                let _ = write!(
                    buttons,
                    "<button class=\"{class}\" name=\"value\" value=\"{value}\" data-value=\"{value}\"{kind}>{text}</button>",
                    class = escape(if style.is_empty() { "default" } else { &style }),
                    value = escape(str_of(&b, "value")),
                    kind = if actionable.is_some() { " type=\"submit\"" } else { " disabled" },
                    text = escape(str_of(&b, "text"))
                );
            }
            match actionable {
                Some(id) => act_form(out, "click", id, &buttons),
                None => out.push_str(&buttons),
            }
        }
        "select" => {
            let mut menu = format!(
                "<label>{} <select name=\"value\"{}>",
                escape(s("text")),
                if actionable.is_some() { "" } else { " disabled" }
            );
            let source = s("static_source");
            if !source.is_empty() {
                let _ = write!(menu, "<option value=\"\">(the account's {})</option>", escape(source));
            }
            let selected = item.get("selected_item").map(|o| str_of(o, "value")).unwrap_or("");
            for o in items(item, "select_items") {
                let value = str_of(&o, "value");
                let mark = if !selected.is_empty() && value == selected { " selected" } else { "" };
                let _ =
                    write!(menu, "<option value=\"{}\"{mark}>{}</option>", escape(value), escape(str_of(&o, "text")));
            }
            menu.push_str("</select></label>");
            match actionable {
                Some(id) => act_form(out, "select", id, &(menu + "<button type=\"submit\">Choose</button>")),
                None => out.push_str(&menu),
            }
        }
        "attachments" => {
            let info = item.get("information").cloned().unwrap_or(Value::Null);
            let title = info.get("title").map(|t| str_of(t, "text")).unwrap_or("");
            let _ = write!(
                out,
                "<p>{}</p>",
                link(s("resource_url"), if title.is_empty() { s("resource_url") } else { title })
            );
            if let Some(d) = info.get("description") {
                let _ = write!(out, "<p class=\"muted\">{}</p>", escape(str_of(d, "text")));
            }
            if s("img_url").starts_with("http") {
                let _ = write!(out, "<img src=\"{}\" alt=\"\">", escape(s("img_url")));
            }
        }
        "section" => {
            let _ = write!(out, "<div class=\"section\" style=\"border-left-color: {}\">", escape(s("sidebar_color")));
            for inner in items(item, "sections") {
                element(out, &inner, actionable);
            }
            if !s("footer").is_empty() {
                let _ = write!(out, "<p class=\"muted\">{}</p>", escape(s("footer")));
            }
            out.push_str("</div>");
        }
        "divider" => out.push_str("<hr>"),
        "progress_bar" => {
            let value = item["value"].as_i64().unwrap_or(0);
            let _ = write!(out, "<progress max=\"100\" value=\"{value}\"></progress> {value}%");
        }
        "file" => {
            let title = item.get("title").map(|t| str_of(t, "text")).unwrap_or("file");
            let _ = write!(out, "<p>{}</p>", link(s("file_url"), title));
        }
        "page" => {
            let _ = write!(out, "<p>page {} of {}</p>", item["current_page"], item["total_pages"]);
        }
        "datepicker" | "timepicker" => {
            let (input, initial) =
                if kind == "datepicker" { ("date", s("initial_date")) } else { ("time", s("initial_time")) };
            let _ = write!(
                out,
                "<input type=\"{input}\" value=\"{}\" placeholder=\"{}\" disabled>",
                escape(initial),
                escape(s("placeholder"))
            );
        }
        "radio_buttons" | "checkboxes" => {
            let (input, chosen): (&str, Vec<String>) = if kind == "radio_buttons" {
                ("radio", item.get("initial_option").map(|o| str_of(o, "value").to_owned()).into_iter().collect())
            } else {
                ("checkbox", items(item, "initial_options").iter().map(|o| str_of(o, "value").to_owned()).collect())
            };
            for o in items(item, "options") {
                let mark = if chosen.iter().any(|c| c == str_of(&o, "value")) { " checked" } else { "" };
                let _ = write!(
                    out,
                    "<label><input type=\"{input}\"{mark} disabled> {}</label>",
                    escape(str_of(&o, "text"))
                );
            }
        }
        "plain_text_input" => {
            let _ = write!(
                out,
                "<textarea placeholder=\"{}\" disabled>{}</textarea>",
                escape(s("placeholder")),
                escape(s("initial_value"))
            );
        }
        "alert" => {
            let _ = write!(out, "<p class=\"alert {}\">{}</p>", escape(s("level")), escape(s("text")));
        }
        "images" => {
            for image in items(item, "items") {
                let url = str_of(&image, "image_url");
                if url.starts_with("http") {
                    let _ = write!(out, "<img src=\"{}\" alt=\"{}\">", escape(url), escape(str_of(&image, "alt_text")));
                }
            }
        }
        "video" => {
            let title = if s("title").is_empty() { "video" } else { s("title") };
            let _ = write!(out, "<p>{}</p>", link(s("video_url"), title));
        }
        other => {
            let _ = write!(out, "<p class=\"muted\">({})</p>", escape(other));
        }
    }
    out.push_str("</div>");
}

/// A card's JSON, as HTML: its head and each element (see [`element`] for `actionable`).
fn draw_card(out: &mut String, card: &Value, actionable: Option<&str>) {
    if let Some(head) = card.get("head") {
        let _ = write!(out, "<h3>{}</h3>", escape(str_of(head, "text")));
        if let Some(sub) = head.get("sub_head") {
            let _ = write!(out, "<h4>{}</h4>", escape(str_of(sub, "text")));
        }
    }
    for item in items(card, "body") {
        element(out, &item, actionable);
    }
}

/// The HTML that `/preview` draws for a card's JSON (valid or not), its controls read-only.
///
/// ```
/// let html = zoom_mock::fake::render_card_html(&serde_json::json!({"head": {"text": "a < b"}}));
/// assert!(html.contains("a &lt; b"));
/// ```
pub fn render_card_html(card: &Value) -> String {
    let mut out = String::new();
    draw_card(&mut out, card, None);
    out
}

/// A message's content: its card (or text).
fn content(out: &mut String, content: &MessageContent, actionable: Option<&str>) {
    match content {
        MessageContent::Text(t) => {
            let _ = write!(out, "<p>{}</p>", escape(&t.message));
        }
        MessageContent::Card { card, .. } => {
            draw_card(out, &serde_json::to_value(card).unwrap_or(Value::Null), actionable);
        }
    }
}

/// One message, as HTML: its card (or text), its sender and time, its earlier versions and
/// its deletion. With `acting`, a live bot card's controls act as the user.
fn message(out: &mut String, m: &StoredMessage, acting: bool) {
    let sender = match &m.sender {
        Sender::Bot(jid) => format!("bot {jid}"),
        Sender::User(user) => user.clone(),
        Sender::IncomingWebhook(id) => format!("incoming webhook {id}"),
    };
    let deleted = if m.deleted_at.is_some() { " deleted" } else { "" };
    let _ = write!(out, "<article class=\"message{deleted}\" id=\"m-{}\">", escape(&m.id));
    let mut meta = format!("{} · {}", escape(&sender), m.sent_at.format("%Y-%m-%d %H:%M:%S"));
    if m.is_edited() {
        let _ = write!(meta, " · edited {} time(s)", m.edits.len());
    }
    if m.deleted_at.is_some() {
        meta.push_str(" · deleted");
    }
    let _ = write!(out, "<p class=\"meta\">{meta}</p>");
    let live_bot_card = acting && m.deleted_at.is_none() && matches!(m.sender, Sender::Bot(_));
    content(out, &m.content, live_bot_card.then_some(m.id.as_str()));
    if m.is_edited() {
        out.push_str("<details class=\"history\"><summary>earlier versions</summary>");
        for revision in m.edits.iter().rev() {
            let _ = write!(
                out,
                "<div class=\"revision\"><p class=\"meta\">until {}</p>",
                revision.replaced_at.format("%H:%M:%S")
            );
            content(out, &revision.content, None);
            out.push_str("</div>");
        }
        out.push_str("</details>");
    }
    out.push_str("</article>");
}

/// The form that types a message in `to_jid` as the user: `/command text` for the bot.
fn command_form(out: &mut String, to_jid: &str, editable_target: bool) {
    let target = if editable_target {
        format!("<input name=\"to_jid\" value=\"{}\" size=\"36\" aria-label=\"conversation\">", escape(to_jid))
    } else {
        format!("<input type=\"hidden\" name=\"to_jid\" value=\"{}\">", escape(to_jid))
    };
    let _ = write!(
        out,
        "<form class=\"command\" method=\"post\" action=\"/_fake/act/command\">{target}<input name=\"text\" placeholder=\"/command text\" size=\"40\" aria-label=\"message\"><button type=\"submit\">Send</button></form>"
    );
}

/// The bot panel: which bot the page acts on, a form to connect one, a command box for a new
/// conversation, and the events delivered with the bot's answers, newest first.
fn bot_panel(out: &mut String, bot: &PageBot, user: &str, deliveries: &[Delivery]) {
    out.push_str("<section class=\"panel\" id=\"bot\"><h2>Your bot</h2>");
    let status = match bot {
        PageBot::Connected(b) => format!("<p class=\"bot connected\">Connected: {}</p>", escape(b.url())),
        PageBot::Pending(b) => {
            format!("<p class=\"bot pending\">{}: checked at the first event</p>", escape(b.url()))
        }
        PageBot::None => "<p class=\"bot none\">No bot connected.</p>".to_owned(),
    };
    out.push_str(&status);
    out.push_str("<form class=\"connect\" method=\"post\" action=\"/_fake/bot\"><input name=\"url\" placeholder=\"http://127.0.0.1:3000/zoom/events\" size=\"36\" aria-label=\"bot endpoint\"><input name=\"secret\" type=\"password\" placeholder=\"secret token\" aria-label=\"secret token\"><button type=\"submit\">Connect</button></form>");
    let _ = write!(out, "<p class=\"muted\">You act as {}. Type <code>/command text</code>:</p>", escape(user));
    command_form(out, "general@conference.xmpp.zoom.us", true);
    out.push_str("<h3 id=\"deliveries\">Events delivered</h3><table class=\"deliveries\"><tr><th>time</th><th>event</th><th>what</th><th>bot answered</th><th>took</th></tr>");
    for d in deliveries.iter().rev() {
        let (class, answer) = match &d.outcome {
            Ok(status) if (200..300).contains(status) => ("ok", format!("HTTP {status}")),
            Ok(status) => ("failed", format!("HTTP {status}")),
            Err(why) => ("failed", escape(why)),
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"status\">{answer}</td><td>{} ms</td></tr>",
            d.at.format("%H:%M:%S%.3f"),
            escape(&d.event),
            escape(&d.detail),
            d.elapsed.as_millis()
        );
    }
    out.push_str("</table></section>");
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:2em;background:#f5f6f8}\
section.conversation{background:#fff;border-radius:8px;padding:1em;margin-bottom:1.5em}\
article.message{border-top:1px solid #e3e5e8;padding:.5em 0}article.deleted{opacity:.5;text-decoration:line-through}\
.replies{margin-left:2em;border-left:3px solid #d0d4da;padding-left:1em}.meta,.muted{color:#6b7280;font-size:12px}\
.section{border-left:4px solid #999;padding-left:.8em}button{margin-right:.4em}button.primary{background:#0e72ed;color:#fff}\
button.danger{background:#e02828;color:#fff}.alert{padding:.4em;background:#fff7e0}.alert.error{background:#fde8e8}\
.tag{font-size:11px;color:#0e72ed}img{max-height:120px;margin-right:.4em}form.act,form.command,form.connect{margin:.3em 0}\
section.panel{background:#fff;border-radius:8px;padding:1em;margin-bottom:1.5em}table.deliveries{border-collapse:collapse;font-size:12px}\
table.deliveries td,table.deliveries th{padding:.2em .6em;text-align:left}tr.failed .status{color:#e02828}tr.ok .status{color:#1a7f37}\
.history{font-size:12px;color:#6b7280}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dd{margin:0}dt{color:#6b7280}";

/// The page.
pub(crate) async fn index(AxumState(shared): AxumState<Arc<Shared>>) -> Html<String> {
    // Copied out under the lock (bounded: the newest conversations and their newest messages).
    // Read before the state: a change in between only makes the page reload once more.
    let version = shared.version();
    let (bot, user, deliveries, conversations) = {
        let state = shared.lock();
        let mut all: Vec<(ConversationId, Vec<StoredMessage>)> = state
            .conversation_ids()
            .into_iter()
            .map(|id| {
                let messages: Vec<StoredMessage> = state.conversation(&id).into_iter().cloned().collect();
                (id, messages)
            })
            .collect();
        all.sort_by_key(|(_, messages)| std::cmp::Reverse(messages.iter().map(|m| m.sent_at).max()));
        all.truncate(CONVERSATIONS);
        let deliveries: Vec<Delivery> = state.deliveries.iter().rev().take(DELIVERIES).rev().cloned().collect();
        let user = format!("{}@xmpp.zoom.us", state.config.default_user_id);
        (state.page_bot.clone(), user, deliveries, all)
    };
    let acting = !matches!(bot, PageBot::None);
    let mut out = head("Fake Zoom", Some(version));
    bot_panel(&mut out, &bot, &user, &deliveries);
    let _ = write!(
        out,
        "<p class=\"muted\">{} conversation(s), newest activity first. <a href=\"/preview\">Card preview</a></p>",
        conversations.len()
    );
    for (id, messages) in conversations {
        let _ = write!(out, "<section class=\"conversation\"><h2>{}</h2>", escape(&id.jid()));
        command_form(&mut out, &id.jid(), false);
        let shown = &messages[messages.len().saturating_sub(MESSAGES)..];
        let mut replies: BTreeMap<&str, Vec<&StoredMessage>> = BTreeMap::new();
        for m in shown {
            if let Some(parent) = &m.reply_to {
                replies.entry(parent.as_str()).or_default().push(m);
            }
        }
        for m in shown.iter().filter(|m| m.reply_to.is_none()) {
            message(&mut out, m, acting);
            if let Some(thread) = replies.get(m.id.as_str()) {
                out.push_str("<div class=\"replies\">");
                for r in thread {
                    message(&mut out, r, acting);
                }
                out.push_str("</div>");
            }
        }
        out.push_str("</section>");
    }
    out.push_str(LIVE);
    out.push_str("</body></html>");
    Html(out)
}

/// The start of a page: its title, the style, the heading; a live page carries the version
/// of the state it shows.
fn head(title: &str, version: Option<u64>) -> String {
    let version = version.map(|v| format!(" data-version=\"{v}\"")).unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title><style>{STYLE}</style></head><body{version}><h1>{0}</h1>",
        escape(title)
    )
}

/// `GET /preview`, and `POST /preview` with a form field `card`: a card's JSON drawn, and
/// every rule of the spec it breaks, by field path.
pub(crate) async fn preview(body: axum::body::Bytes) -> Html<String> {
    let text =
        form_urlencoded::parse(&body).find(|(k, _)| k == "card").map(|(_, v)| v.into_owned()).unwrap_or_default();
    let mut out = head("Card preview", None);
    let _ = write!(
        out,
        "<form method=\"post\" action=\"/preview\"><textarea name=\"card\" rows=\"12\" cols=\"80\">{}</textarea><br><button type=\"submit\">Check and draw</button> <a href=\"/\">Conversations</a></form>",
        escape(&text)
    );
    if !text.trim().is_empty() {
        match serde_json::from_str::<Value>(&text) {
            Err(e) => {
                let _ = write!(out, "<p class=\"alert error\">Not JSON: {}</p>", escape(&e.to_string()));
            }
            Ok(card) => {
                let problems = card_violations(&card);
                if problems.is_empty() {
                    out.push_str("<p class=\"alert success\">A valid card.</p>");
                } else {
                    out.push_str("<ul class=\"violations\">");
                    for p in problems {
                        let _ = write!(out, "<li>{}</li>", escape(&p));
                    }
                    out.push_str("</ul>");
                }
                out.push_str("<section class=\"conversation\">");
                draw_card(&mut out, &card, None);
                out.push_str("</section>");
            }
        }
    }
    out.push_str("</body></html>");
    Html(out)
}
