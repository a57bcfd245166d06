//! The fake's HTML read as a browser reads it: tokenized by html5gum (the WHATWG tokenizer,
//! switching to raw text after `script`, `style` and `textarea` as a browser's parser does),
//! then every tag, attribute and class held to the fixed set the page itself writes. Anything
//! else in the output came from the input: markup an attacker controls.

use html5gum::{DefaultEmitter, Token, Tokenizer};
use zoom_api_gen::cards::CARD_ELEMENT_KINDS;

/// Every tag the fake writes.
const TAGS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "a",
    "span",
    "div",
    "section",
    "article",
    "form",
    "input",
    "button",
    "select",
    "option",
    "label",
    "textarea",
    "dl",
    "dt",
    "dd",
    "hr",
    "progress",
    "img",
    "details",
    "summary",
    "ul",
    "li",
    "table",
    "tr",
    "th",
    "td",
    "code",
    "br",
    "script",
    "figure",
    "figcaption",
];

/// Every attribute the fake writes (`style`, `href`, `src`, `class`, `type` and `action` are
/// checked further, by value).
const ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "lang",
    "charset",
    "method",
    "action",
    "type",
    "name",
    "value",
    "data-value",
    "data-version",
    "aria-label",
    "placeholder",
    "size",
    "disabled",
    "selected",
    "checked",
    "href",
    "src",
    "alt",
    "max",
    "style",
    "rows",
    "cols",
    "enctype",
    "download",
];

/// Every class the fake writes but the element kinds (which are the spec's, each element's
/// `type`: `CARD_ELEMENT_KINDS`).
const CLASSES: &[&str] = &[
    "element",
    "unknown",
    "muted",
    "tag",
    "act",
    "command",
    "connect",
    "primary",
    "danger",
    "default",
    "disabled",
    "info",
    "success",
    "warning",
    "error",
    "deleted",
    "meta",
    "history",
    "revision",
    "replies",
    "conversation",
    "panel",
    "bot",
    "connected",
    "pending",
    "none",
    "deliveries",
    "ok",
    "failed",
    "status",
    "violations",
    "accounts",
    "upload",
    "file",
];

/// A link to one of the fake's stored files: `/_fake/files/` and a URL-safe id.
fn own_file(value: &str) -> bool {
    value
        .strip_prefix("/_fake/files/")
        .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

/// Every `type` of an input or button the fake writes.
const TYPES: &[&str] = &["hidden", "submit", "password", "date", "time", "radio", "checkbox", "file"];

/// What a document may hold beyond the card's own markup.
#[derive(Clone, Copy, Debug, Default)]
pub struct Allowed<'a> {
    /// The text of the page's one script, when it may have one.
    pub script: Option<&'a str>,
    /// Whether the page's `<style>` may appear (once).
    pub style: bool,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn is_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Every way `html` departs from the fake's fixed markup, one line each (empty: none).
pub fn foreign_markup(html: &str, allowed: Allowed<'_>) -> Vec<String> {
    let mut found = Vec::new();
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let (mut scripts, mut styles) = (0, 0);
    // The raw text of the element just opened (script or style), to compare with the page's own.
    let mut raw: Option<(String, String)> = None;
    for token in Tokenizer::new_with_emitter(html, emitter) {
        let Ok(token) = token;
        match token {
            Token::StartTag(tag) => {
                let name = text(&tag.name);
                if !TAGS.contains(&name.as_str()) {
                    found.push(format!("tag <{name}>"));
                }
                match name.as_str() {
                    "script" => {
                        scripts += 1;
                        raw = Some((name.clone(), String::new()));
                    }
                    "style" => {
                        styles += 1;
                        raw = Some((name.clone(), String::new()));
                    }
                    _ => {}
                }
                for (key, value) in &tag.attributes {
                    let (key, value) = (text(key), text(value));
                    if !ATTRIBUTES.contains(&key.as_str()) || key.starts_with("on") {
                        found.push(format!("attribute {key}={value:?} on <{name}>"));
                        continue;
                    }
                    let ok = match key.as_str() {
                        "style" => {
                            value.len() == 25
                                && value.starts_with("border-left-color:#")
                                && value[19..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                        }
                        // The page links to itself (`/`, `/preview`); a card, only over http(s).
                        // A stored file's bytes are the fake's own `/_fake/files/{id}`.
                        "href" => is_http(&value) || value == "/" || value == "/preview" || own_file(&value),
                        "src" => is_http(&value) || own_file(&value),
                        "enctype" => value == "multipart/form-data",
                        "class" => value
                            .split_ascii_whitespace()
                            .all(|c| CLASSES.contains(&c) || CARD_ELEMENT_KINDS.contains(&c)),
                        "type" => TYPES.contains(&value.as_str()),
                        "action" => value == "/preview" || value == "/_fake/bot" || value.starts_with("/_fake/act/"),
                        "charset" => value == "utf-8",
                        _ => true,
                    };
                    if !ok {
                        found.push(format!("{key}={value:?} on <{name}>"));
                    }
                }
            }
            Token::String(s) => {
                if let Some((_, body)) = raw.as_mut() {
                    body.push_str(&text(&s));
                }
            }
            Token::EndTag(tag) => {
                if let Some((open, body)) = raw.take() {
                    let name = text(&tag.name);
                    if open == "script" && Some(body.as_str()) != allowed.script {
                        found.push(format!("a script that is not the page's own: {body:?}"));
                    }
                    if open != name {
                        found.push(format!("<{open}> closed by </{name}>"));
                    }
                }
            }
            Token::Comment(c) => found.push(format!("comment {:?}", text(&c))),
            Token::Doctype(d) => {
                if text(&d.name) != "html" {
                    found.push(format!("doctype {:?}", text(&d.name)));
                }
            }
            // Parse errors (a NUL or a control character in a text, say) change no structure;
            // the tokens above are what the browser builds from.
            Token::Error(_) => {}
        }
    }
    if scripts > usize::from(allowed.script.is_some()) {
        found.push(format!("{scripts} scripts"));
    }
    if styles > usize::from(allowed.style) {
        found.push(format!("{styles} style elements"));
    }
    found
}
