//! `GET /`: the conversations the fake holds, drawn as Zoom draws them, for a person to look
//! at. Server-rendered HTML with no external resource and one small script, which reloads
//! the page when a change arrives on `/_fake/changes` (server-sent events).
//!
//! Drawn with maud, which escapes every text and attribute value it is given: nothing from a
//! message or a card is ever written as markup. What reaches an attribute is checked further:
//! only `http(s)` URLs become links or images, a colour only as `#rrggbb`, a class only from
//! the page's own names, a number only as a JSON number.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::response::Html;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use super::config::AccountSpec;
use super::shared::Shared;
use super::state::{ConversationId, MessageContent, Sender, StoredMessage};
use super::state::{Delivery, FakeChannel, PageBot, State};
use zoom_api_gen::types;

/// The stream of changes the page listens to (outside Zoom's paths).
pub(crate) const CHANGES: &str = "/_fake/changes";

/// The page's one script: a reload shortly after the fake's state moves past the version the
/// page was drawn at (`data-version` of the body). The stream says the current version as
/// soon as it opens, so a change made while the page loaded is not missed.
const LIVE: &str = "let t;const v=document.body.dataset.version;new EventSource('/_fake/changes').addEventListener('change',e=>{if(e.data!==v){clearTimeout(t);t=setTimeout(()=>location.reload(),150)}});";

/// The page's content security policy: nothing loads but its own script (by its hash), its
/// inline style, images over http(s) and its own change stream; forms post only to the fake;
/// no other site may frame it.
pub(crate) fn content_security_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use base64::Engine as _;
        use sha2::Digest as _;
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(LIVE.as_bytes()));
        format!(
            "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; img-src http: https:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
    })
}

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
/// The accounts listed with their install buttons (all of them can be picked to act in).
const ACCOUNTS: usize = 100;
/// How many channels the page draws (the oldest of each account first), and members of each.
const CHANNELS: usize = 50;
const MEMBERS: usize = 100;
/// How deep sections inside sections are drawn (a card's JSON may nest them without end).
const SECTION_DEPTH: usize = 4;

/// Whether `url` is `http(s)`: only those become links and images.
fn is_http(url: &str) -> bool {
    let url = url.as_bytes();
    [&b"http://"[..], b"https://"].iter().any(|p| url.len() >= p.len() && url[..p.len()].eq_ignore_ascii_case(p))
}

/// A link to `url` when it is `http(s)`, else the label as text.
fn link(url: &str, label: &str) -> Markup {
    html! {
        @if is_http(url) { a href=(url) { (label) } } @else { (label) }
    }
}

/// An optional text, or none.
fn or_empty(text: &Option<String>) -> &str {
    text.as_deref().unwrap_or("")
}

/// A colour for a style attribute: the generated type holds only `#rrggbb` (the spec's
/// pattern), drawn lower-cased.
fn colour(color: &types::CardColor) -> String {
    color.to_ascii_lowercase()
}

/// `value` when it is one of `names` (compared lower-cased), else `otherwise`: what may become
/// a class.
fn one_of(value: &str, names: &[&'static str], otherwise: &'static str) -> &'static str {
    let lower = value.to_ascii_lowercase();
    names.iter().find(|n| **n == lower).copied().unwrap_or(otherwise)
}

/// The spec's violations of a card's JSON, as `content.PATH: rule` lines: what the fake would
/// refuse, before anything is sent.
pub fn card_violations(card: &Value) -> Vec<String> {
    let validator = zoom_spec::Validator::new(zoom_spec::spec());
    let found = validator.validate_component("Card", card, "content").unwrap_or_default();
    found.iter().map(ToString::to_string).collect()
}

/// The HTML that `/preview` draws for a card's JSON: its head and every element, with its
/// controls read-only, inside a `<section class="conversation">`. Any JSON is drawn: each part
/// that reads as the spec's generated type (the head, the settings, each element) is drawn
/// from it, and an element that does not is named by its `type`, not drawn. Nothing in it
/// becomes markup: texts and values are escaped, only `http(s)` URLs become links and images,
/// a colour is drawn only as `#rrggbb` and a number only as a number.
///
/// ```
/// use zoom_mock::fake::render_card_html;
///
/// let card = serde_json::json!({"head": {"text": "<b>Deploy?</b>"}, "body": [
///     {"type": "section", "sidebar_color": "red;position:fixed", "sections": []}
/// ]});
/// let html = render_card_html(&card);
/// assert!(html.contains("<h3>&lt;b&gt;Deploy?&lt;/b&gt;</h3>"));
/// assert!(!html.contains("position:fixed"));
/// ```
pub fn render_card_html(card: &Value) -> String {
    fn read<T: serde::de::DeserializeOwned>(value: Option<&Value>) -> Option<T> {
        value.and_then(|v| T::deserialize(v).ok())
    }
    let head: Option<types::CardHead> = read(card.get("head"));
    let settings: Option<types::CardSettings> = read(card.get("settings"));
    let body: Vec<Result<types::CardBodyItem, &str>> = card
        .get("body")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|item| read(Some(item)).ok_or_else(|| item.get("type").and_then(Value::as_str).unwrap_or("")))
        .collect();
    let drawn = draw_parts(head.as_ref(), settings.as_ref(), body.iter().map(|i| i.as_ref().map_err(|k| *k)), None);
    html! { section class="conversation" { (drawn) } }.into_string()
}

/// How an element is drawn: live (with the id of the bot message its forms act on) or
/// read-only, the card's default sidebar colour, and how deep in sections it is.
#[derive(Clone, Copy)]
struct Draw<'a> {
    actionable: Option<&'a str>,
    default_colour: Option<&'a types::CardColor>,
    depth: usize,
}

/// A form of the page that acts as the user on the bot's message `message_id`: its fields
/// (hidden `message_id` first) and its visible controls.
fn act_form(action: &'static str, message_id: &str, controls: Markup) -> Markup {
    html! {
        form class="act" method="post" action={ "/_fake/act/" (action) } {
            input type="hidden" name="message_id" value=(message_id);
            (controls)
        }
    }
}

/// One card element, by its generated type; its `type` is its class. Live, its buttons,
/// menus and editable texts and fields are forms that act as the user; read-only, they are
/// drawn disabled.
fn element(item: &types::CardBodyItem, draw: Draw<'_>) -> Markup {
    use types::CardBodyItem as E;
    html! {
        div class={ "element " (item.kind()) } {
            @match item {
                E::Message(m) => (message_element(m, draw)),
                E::Fields(f) => (fields_element(f, draw)),
                E::Actions(a) => (actions_element(a, draw)),
                E::Select(s) => (select_element(s, draw)),
                E::Attachments(a) => {
                    @let title = a.information.as_ref().and_then(|i| i.title.as_ref()).map_or("", |t| t.text.as_str());
                    p { (link(&a.resource_url, if title.is_empty() { &a.resource_url } else { title })) }
                    @if let Some(d) = a.information.as_ref().and_then(|i| i.description.as_ref()) {
                        p class="muted" { (d.text) }
                    }
                    @if is_http(or_empty(&a.img_url)) {
                        img src=(or_empty(&a.img_url)) alt="";
                    }
                }
                E::Section(section) => {
                    @let shown = section.sidebar_color.as_ref().or(draw.default_colour);
                    div class="section" style=[shown.map(|c| format!("border-left-color:{}", colour(c)))] {
                        @if draw.depth < SECTION_DEPTH {
                            @for inner in &section.sections {
                                (element(inner, Draw { depth: draw.depth + 1, ..draw }))
                            }
                        } @else {
                            p class="muted" { "(sections nested too deep)" }
                        }
                        @if let Some(footer) = section.footer.as_deref().filter(|f| !f.is_empty()) {
                            p class="muted" { (footer) }
                        }
                    }
                }
                E::Divider(_) => hr;
                E::ProgressBar(bar) => {
                    progress max="100" value=(bar.value) {}
                    " " (bar.value) "%"
                }
                E::File(f) => {
                    @let title = f.title.as_ref().map_or("file", |t| t.text.as_str());
                    p { (link(or_empty(&f.file_url), title)) }
                }
                E::Page(page) => {
                    @let n = |v: Option<std::num::NonZeroU64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
                    p { "page " (n(page.current_page)) " of " (n(page.total_pages)) }
                }
                E::Datepicker(d) => input type="date" value=(or_empty(&d.initial_date)) placeholder=(or_empty(&d.placeholder)) disabled;,
                E::Timepicker(t) => input type="time" value=(or_empty(&t.initial_time)) placeholder=(or_empty(&t.placeholder)) disabled;,
                E::RadioButtons(r) => (choices(&r.options, r.initial_option.iter(), true)),
                E::Checkboxes(c) => (choices(&c.options, c.initial_options.iter(), false)),
                E::PlainTextInput(t) => textarea placeholder=(or_empty(&t.placeholder)) disabled { (or_empty(&t.initial_value)) },
                E::Alert(alert) => {
                    @let level = one_of(or_empty(&alert.level), &["info", "success", "warning", "error"], "");
                    p class={ "alert" @if !level.is_empty() { " " (level) } } { (alert.text) }
                }
                E::Images(images) => {
                    @for image in &images.items {
                        @if is_http(&image.image_url) {
                            img src=(image.image_url) alt=(or_empty(&image.alt_text));
                        }
                    }
                }
                E::Video(v) => {
                    @let title = v.title.as_deref().filter(|t| !t.is_empty()).unwrap_or("video");
                    p { (link(&v.video_url, title)) }
                }
            }
        }
    }
}

/// A `message` element: its text (a link when it has an `http(s)` link), and when live and
/// editable, a form to edit it.
fn message_element(m: &types::CardMessage, draw: Draw<'_>) -> Markup {
    let editable = m.editable == Some(true);
    html! {
        p {
            (link(or_empty(&m.link), &m.text))
            @if editable { " " span class="tag" { "editable" } }
        }
        @if let (Some(id), true) = (draw.actionable, editable) {
            (act_form("edit", id, html! {
                input name="text" value=(m.text) aria-label="new text";
                button type="submit" { "Save" }
            }))
        }
    }
}

/// A `fields` element: each key and value, an editable one a form when live.
fn fields_element(fields: &types::CardFields, draw: Draw<'_>) -> Markup {
    html! {
        dl {
            @for f in &fields.items {
                dt { (f.key) }
                dd {
                    @match (draw.actionable, f.editable == Some(true)) {
                        (Some(id), true) => (act_form("edit", id, html! {
                            input type="hidden" name="key" value=(f.key);
                            input name="text" value=(f.value) aria-label=(f.key);
                            button type="submit" { "Save" }
                        })),
                        (None, true) => { (f.value) " " span class="tag" { "editable" } },
                        _ => (f.value),
                    }
                }
            }
        }
    }
}

/// An `actions` element: its buttons, in one form when live.
fn actions_element(actions: &types::CardActions, draw: Draw<'_>) -> Markup {
    let live = draw.actionable.is_some();
    let buttons = html! {
        @for b in &actions.items {
            @let style = b.style.map(|s| s.to_string()).unwrap_or_default();
            button class=(one_of(&style, &["default", "primary", "danger", "disabled"], "default"))
                name="value" value=(b.value) data-value=(b.value) type=[live.then_some("submit")] disabled[!live] {
                (b.text)
            }
        }
    };
    match draw.actionable {
        Some(id) => act_form("click", id, buttons),
        None => buttons,
    }
}

/// A `select` element: its menu, in a form with a button when live.
fn select_element(select: &types::CardSelect, draw: Draw<'_>) -> Markup {
    let selected = select.selected_item.as_ref().map_or("", |o| o.value.as_str());
    let menu = html! {
        label {
            (select.text) " "
            select name="value" disabled[draw.actionable.is_none()] {
                @if let Some(source) = &select.static_source {
                    option value="" { "(the account's " (source) ")" }
                }
                @for o in &select.select_items {
                    option value=(o.value) selected[!selected.is_empty() && o.value == selected] { (o.text) }
                }
            }
        }
    };
    match draw.actionable {
        Some(id) => act_form("select", id, html! { (menu) button type="submit" { "Choose" } }),
        None => menu,
    }
}

/// Radio buttons (`radio`) or checkboxes, read-only, the initial choices checked.
fn choices<'o>(
    options: &[types::CardOption],
    chosen: impl Iterator<Item = &'o types::CardOption>,
    radio: bool,
) -> Markup {
    let chosen: Vec<&str> = chosen.map(|o| o.value.as_str()).collect();
    html! {
        @for o in options {
            label {
                input type=(if radio { "radio" } else { "checkbox" }) checked[chosen.contains(&o.value.as_str())] disabled;
                " " (o.text)
            }
        }
    }
}

/// A card's parts: its head and each element (live when `actionable` names its message); an
/// element that is not one of the spec's (`Err`, its `type`) is named, not drawn.
fn draw_parts<'c>(
    head: Option<&types::CardHead>,
    settings: Option<&types::CardSettings>,
    body: impl Iterator<Item = Result<&'c types::CardBodyItem, &'c str>>,
    actionable: Option<&str>,
) -> Markup {
    let default_colour = settings.and_then(|s| s.default_sidebar_color.as_ref());
    let draw = Draw { actionable, default_colour, depth: 0 };
    html! {
        @if let Some(head) = head {
            h3 { (head.text) }
            @if let Some(sub) = &head.sub_head {
                h4 { (sub.text) }
            }
        }
        @for item in body {
            @match item {
                Ok(item) => (element(item, draw)),
                Err(kind) => div class="element unknown" { p class="muted" { "(" (kind) ")" } },
            }
        }
    }
}

/// A stored card: its head and each element (live when `actionable` names its message).
fn draw_card(card: &types::Card, actionable: Option<&str>) -> Markup {
    draw_parts(card.head.as_ref(), card.settings.as_ref(), card.body.iter().map(Ok), actionable)
}

/// A message's content: its card (or text).
fn content(content: &MessageContent, actionable: Option<&str>) -> Markup {
    match content {
        MessageContent::Text(t) => html! { p { (&*t.message) } },
        MessageContent::Card { card, .. } => draw_card(card, actionable),
    }
}

/// One message: its card (or text), its sender and time, its earlier versions and its
/// deletion. With `acting`, a live bot card's controls act as the user.
/// What the page shows of a stored file: its name, size and whether it is an image.
pub(crate) struct ShownFile {
    name: String,
    size: usize,
    image: bool,
}

/// The stored files the shown messages carry, by id (copied out under the lock).
fn shown_files<'a>(state: &State, messages: impl Iterator<Item = &'a StoredMessage>) -> HashMap<String, ShownFile> {
    let mut out = HashMap::new();
    for m in messages {
        if let MessageContent::Text(t) = &m.content {
            for id in &t.file_ids {
                if let Some(f) = state.files.get(&m.account, id) {
                    out.insert(
                        id.clone(),
                        ShownFile { name: f.name.clone(), size: f.bytes.len(), image: f.is_image() },
                    );
                }
            }
        }
    }
    out
}

/// A size for people: bytes, KB or MB.
fn size(bytes: usize) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// The files a message carries: an image inline, any other file as a link, with its name and
/// size (the bytes come from the fake's own `/_fake/files/{id}`).
fn attachments(m: &StoredMessage, files: &HashMap<String, ShownFile>) -> Markup {
    let ids: &[String] = match &m.content {
        MessageContent::Text(t) => &t.file_ids,
        MessageContent::Card { .. } => &[],
    };
    html! {
        @for (id, f) in ids.iter().filter_map(|id| files.get(id).map(|f| (id, f))) {
            @let href = format!("{}/{id}", super::files::FILE_PATH);
            @if f.image {
                figure class="file" {
                    img src=(href) alt=(f.name);
                    figcaption { (f.name) " · " (size(f.size)) }
                }
            } @else {
                p class="file" { "📎 " a href=(href) download=(f.name) { (f.name) } " · " (size(f.size)) }
            }
        }
    }
}

/// The form that uploads a file into a conversation as its account's user (a file message).
fn upload_form(to_jid: &str, account: &str) -> Markup {
    html! {
        form class="upload" method="post" action=(super::files::UPLOAD) enctype="multipart/form-data" {
            input type="hidden" name="account" value=(account);
            input type="hidden" name="to_jid" value=(to_jid);
            input type="file" name="file" aria-label="file";
            button type="submit" { "Upload" }
        }
    }
}

fn message(m: &StoredMessage, acting: bool, files: &HashMap<String, ShownFile>) -> Markup {
    let sender = match &m.sender {
        Sender::Bot(jid) => format!("bot {jid}"),
        Sender::User(user) => user.clone(),
        Sender::IncomingWebhook(id) => format!("incoming webhook {id}"),
    };
    let deleted = m.deleted_at.is_some();
    let live_bot_card = acting && !deleted && matches!(m.sender, Sender::Bot(_));
    html! {
        article class={ "message" @if deleted { " deleted" } } id={ "m-" (m.id) } {
            p class="meta" {
                (sender) " · " (m.sent_at.format("%Y-%m-%d %H:%M:%S"))
                @if m.is_edited() { " · edited " (m.edits.len()) " time(s)" }
                @if deleted { " · deleted" }
            }
            (content(&m.content, live_bot_card.then_some(m.id.as_str())))
            (attachments(m, files))
            @if m.is_edited() {
                details class="history" {
                    summary { "earlier versions" }
                    @for revision in m.edits.iter().rev() {
                        div class="revision" {
                            p class="meta" { "until " (revision.replaced_at.format("%H:%M:%S")) }
                            (content(&revision.content, None))
                        }
                    }
                }
            }
        }
    }
}

/// The form that types a message in `to_jid` as the user: `/command text` for the bot. In a
/// conversation it acts in that conversation's account; the new-conversation form offers
/// every account (`accounts`) to pick from.
fn command_form(to_jid: &str, account: Result<&str, &[AccountSpec]>) -> Markup {
    html! {
        form class="command" method="post" action="/_fake/act/command" {
            @match account {
                Ok(account) => {
                    input type="hidden" name="account" value=(account);
                    input type="hidden" name="to_jid" value=(to_jid);
                }
                Err(accounts) => {
                    label {
                        "in "
                        select name="account" aria-label="account" {
                            @for a in accounts {
                                option value=(a.id) { (a.id) " (" (a.user_id) ")" }
                            }
                        }
                    }
                    " "
                    input name="to_jid" value=(to_jid) size="36" aria-label="conversation";
                }
            }
            input name="text" placeholder="/command text" size="40" aria-label="message";
            button type="submit" { "Send" }
        }
    }
}

/// The channels of the accounts, each with its members and bots, a form to post in it as one
/// of its account's users (`team_chat.channel_message_posted` to the bot) and a button that
/// adds the bot to it (`team_chat.channel_app_added`).
fn channels_panel(channels: &[(AccountSpec, FakeChannel)]) -> Markup {
    html! {
        @if !channels.is_empty() {
            section class="panel" id="channels" {
                h2 { "Channels" }
                @for (account, channel) in channels {
                    div class="channel" {
                        h3 { (channel.name) " · " (account.id) }
                        p class="meta" { "id " code { (channel.id) } " · " (channel.jid().to_string()) }
                        ul class="members" {
                            @for m in channel.members.iter().take(MEMBERS) {
                                li {
                                    (m.email.as_deref().or(m.user_id.as_deref()).unwrap_or(&m.member_id))
                                    " " span class="tag" { (m.role.to_string()) }
                                }
                            }
                            @for b in &channel.bots { li { (b) " " span class="tag" { "bot" } } }
                        }
                        @if channel.members.len() > MEMBERS {
                            p class="muted" { "... and " (channel.members.len() - MEMBERS) " more member(s)." }
                        }
                        form class="act" method="post" action="/_fake/act/post" {
                            input type="hidden" name="account" value=(account.id);
                            input type="hidden" name="channel" value=(channel.id);
                            label {
                                "as "
                                select name="user" aria-label="user" {
                                    option value=(account.user_id) { (account.user_id) }
                                    @for u in account.users.iter().filter(|u| u.id != account.user_id) {
                                        option value=(u.id) { (u.email) }
                                    }
                                }
                            }
                            " "
                            input name="text" placeholder="a message in the channel" size="40" aria-label="message";
                            button type="submit" { "Post" }
                        }
                        @let (action, label) = if channel.bots.is_empty() {
                            ("/_fake/act/add_bot", "Add the bot")
                        } else {
                            ("/_fake/act/remove_bot", "Remove the bot")
                        };
                        form class="act" method="post" action=(action) {
                            input type="hidden" name="account" value=(account.id);
                            input type="hidden" name="channel" value=(channel.id);
                            button type="submit" { (label) }
                        }
                    }
                }
            }
        }
    }
}

/// The accounts, each with its plan, its user and a button that installs or removes the app
/// (which tells the bot).
fn accounts_table(accounts: &[AccountSpec]) -> Markup {
    html! {
        table class="accounts" {
            tr { th { "account" } th { "plan" } th { "user" } th { "app" } }
            @for a in accounts.iter().take(ACCOUNTS) {
                tr {
                    td { (a.id) }
                    td { (a.plan.map_or("unlimited", |p| p.as_str())) }
                    td { (a.user_id) }
                    td {
                        @let (action, label) = if a.installed { ("uninstall", "Remove") } else { ("install", "Install") };
                        form class="act" method="post" action={ "/_fake/act/" (action) } {
                            input type="hidden" name="account" value=(a.id);
                            (if a.installed { "installed " } else { "not installed " })
                            button type="submit" { (label) }
                        }
                    }
                }
            }
        }
        @if accounts.len() > ACCOUNTS {
            p class="muted" { "... and " (accounts.len() - ACCOUNTS) " more account(s)." }
        }
    }
}

/// The bot panel: which bot the page acts on, a form to connect one, the accounts, a command
/// box for a new conversation in the account picked, and the events delivered with the bot's
/// answers, newest first.
fn bot_panel(bot: &PageBot, accounts: &[AccountSpec], deliveries: &[Delivery]) -> Markup {
    html! {
        section class="panel" id="bot" {
            h2 { "Your bot" }
            @match bot {
                PageBot::Connected(b) => p class="bot connected" { "Connected: " (b.url()) },
                PageBot::Pending(b) => p class="bot pending" { (b.url()) ": checked at the first event" },
                PageBot::None => p class="bot none" { "No bot connected." },
            }
            form class="connect" method="post" action="/_fake/bot" {
                input name="url" placeholder="http://127.0.0.1:3000/zoom/events" size="36" aria-label="bot endpoint";
                input name="secret" type="password" placeholder="secret token" aria-label="secret token";
                button type="submit" { "Connect" }
            }
            h3 { "Accounts" }
            (accounts_table(accounts))
            p class="muted" { "You act as the user of the account you pick. Type " code { "/command text" } ":" }
            (command_form("general@conference.xmpp.zoom.us", Err(accounts)))
            h3 id="deliveries" { "Events delivered" }
            table class="deliveries" {
                tr { th { "time" } th { "event" } th { "what" } th { "bot answered" } th { "took" } }
                @for d in deliveries.iter().rev() {
                    @let (class, answer) = match &d.outcome {
                        Ok(status) if (200..300).contains(status) => ("ok", format!("HTTP {status}")),
                        Ok(status) => ("failed", format!("HTTP {status}")),
                        Err(why) => ("failed", why.clone()),
                    };
                    tr class=(class) {
                        td { (d.at.format("%H:%M:%S%.3f")) }
                        td { (d.event) }
                        td { (d.detail) }
                        td class="status" { (answer) }
                        td { (d.elapsed.as_millis()) " ms" }
                    }
                }
            }
        }
    }
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:2em;background:#f5f6f8}\
section.conversation{background:#fff;border-radius:8px;padding:1em;margin-bottom:1.5em}\
article.message{border-top:1px solid #e3e5e8;padding:.5em 0}article.deleted{opacity:.5;text-decoration:line-through}\
.replies{margin-left:2em;border-left:3px solid #d0d4da;padding-left:1em}.meta,.muted{color:#6b7280;font-size:12px}\
.section{border-left:4px solid #999;padding-left:.8em}button{margin-right:.4em}button.primary{background:#0e72ed;color:#fff}\
button.danger{background:#e02828;color:#fff}.alert{padding:.4em;background:#fff7e0}.alert.error{background:#fde8e8}\
.tag{font-size:11px;color:#0e72ed}img{max-height:120px;margin-right:.4em}form.act,form.command,form.connect,form.upload{margin:.3em 0}\
figure.file{margin:.3em 0}figure.file img{max-height:240px}p.file{margin:.3em 0}\
section.panel{background:#fff;border-radius:8px;padding:1em;margin-bottom:1.5em}table.deliveries{border-collapse:collapse;font-size:12px}\
table.deliveries td,table.deliveries th,table.accounts td,table.accounts th{padding:.2em .6em;text-align:left}tr.failed .status{color:#e02828}tr.ok .status{color:#1a7f37}\
.history{font-size:12px;color:#6b7280}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dd{margin:0}dt{color:#6b7280}";

/// The page.
pub(crate) async fn index(AxumState(shared): AxumState<Arc<Shared>>) -> Html<String> {
    // Copied out under the lock (bounded: the newest conversations and their newest messages).
    // Read before the state: a change in between only makes the page reload once more.
    let version = shared.version();
    let (bot, accounts, deliveries, conversations, channels, files) = {
        let state = shared.lock();
        let channels: Vec<(AccountSpec, FakeChannel)> = state
            .accounts
            .iter()
            .flat_map(|a| state.channels_of(&a.id).into_iter().map(move |c| (a.clone(), c.clone())))
            .take(CHANNELS)
            .collect();
        let mut all: Vec<((String, ConversationId), Vec<StoredMessage>)> = state
            .conversation_ids()
            .into_iter()
            .map(|key| {
                let messages: Vec<StoredMessage> = state.conversation(&key.0, &key.1).into_iter().cloned().collect();
                (key, messages)
            })
            .collect();
        all.sort_by_key(|(_, messages)| std::cmp::Reverse(messages.iter().map(|m| m.sent_at).max()));
        all.truncate(CONVERSATIONS);
        let deliveries: Vec<Delivery> = state.deliveries.iter().rev().take(DELIVERIES).rev().cloned().collect();
        let files = shown_files(&state, all.iter().flat_map(|(_, messages)| messages.iter()));
        (state.page_bot.clone(), state.accounts.clone(), deliveries, all, channels, files)
    };
    let acting = !matches!(bot, PageBot::None);
    let body = html! {
        (bot_panel(&bot, &accounts, &deliveries))
        (channels_panel(&channels))
        p class="muted" {
            (conversations.len()) " conversation(s), newest activity first. "
            a href="/preview" { "Card preview" }
        }
        @for ((account, id), messages) in &conversations {
            section class="conversation" {
                h2 { (id.jid()) " · " (account) }
                (command_form(id.jid(), Ok(account)))
                (upload_form(id.jid(), account))
                @let shown = &messages[messages.len().saturating_sub(MESSAGES)..];
                @let replies = replies_of(shown);
                @for m in shown.iter().filter(|m| m.reply_to.is_none()) {
                    (message(m, acting, &files))
                    @if let Some(thread) = replies.get(m.id.as_str()) {
                        div class="replies" {
                            @for r in thread { (message(r, acting, &files)) }
                        }
                    }
                }
            }
        }
        script { (PreEscaped(LIVE)) }
    };
    Html(document("Fake Zoom", Some(version), body).into_string())
}

/// The replies among `shown`, by the id of the message they answer.
fn replies_of(shown: &[StoredMessage]) -> BTreeMap<&str, Vec<&StoredMessage>> {
    let mut replies: BTreeMap<&str, Vec<&StoredMessage>> = BTreeMap::new();
    for m in shown {
        if let Some(parent) = &m.reply_to {
            replies.entry(parent.as_str()).or_default().push(m);
        }
    }
    replies
}

/// A whole page: its title, the style, the heading and `body`; a live page carries the
/// version of the state it shows.
fn document(title: &str, version: Option<u64>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body data-version=[version] {
                h1 { (title) }
                (body)
            }
        }
    }
}

/// `GET /preview`, and `POST /preview` with a form field `card`: a card's JSON drawn, and
/// every rule of the spec it breaks, by field path.
pub(crate) async fn preview(body: axum::body::Bytes) -> Html<String> {
    let text =
        form_urlencoded::parse(&body).find(|(k, _)| k == "card").map(|(_, v)| v.into_owned()).unwrap_or_default();
    let parsed = (!text.trim().is_empty()).then(|| serde_json::from_str::<Value>(&text));
    let body = html! {
        form method="post" action="/preview" {
            textarea name="card" rows="12" cols="80" { (text) }
            br;
            button type="submit" { "Check and draw" }
            " "
            a href="/" { "Conversations" }
        }
        @match &parsed {
            None => {}
            Some(Err(e)) => p class="alert error" { "Not JSON: " (e) },
            Some(Ok(card)) => {
                @let problems = card_violations(card);
                @if problems.is_empty() {
                    p class="alert success" { "A valid card." }
                } @else {
                    ul class="violations" {
                        @for p in &problems { li { (p) } }
                    }
                }
                (PreEscaped(render_card_html(card)))
            }
        }
    };
    Html(document("Card preview", None, body).into_string())
}
