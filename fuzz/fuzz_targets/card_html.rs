//! The fake's card rendering, `zoom_mock::fake::render_card_html`, on any JSON value (a valid
//! card or not). The HTML never holds a `<script`, and no `<` from the input reaches it
//! unescaped: the card is drawn as given, then again with a marker (`<zz`) put at the end of
//! every string but the element `type`s (which pick how an element is drawn), and the
//! marker must not appear in either drawing. Nor does the input write CSS: every declaration
//! of a `style` attribute sets a `#rrggbb` colour.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use zoom_fuzz::MARKER;

/// `value` with the marker at the end of every string but the values of `type` keys.
fn marked(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(format!("{s}{MARKER}")),
        Value::Array(items) => Value::Array(items.iter().map(marked).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), if k == "type" && v.is_string() { v.clone() } else { marked(v) }))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The values of the `style` attributes of every tag, read as attributes: a quoted value is
/// skipped whole, so text such as `x style=` inside another attribute's value is not one.
fn style_values(html: &str) -> Vec<&str> {
    let mut values = Vec::new();
    let mut in_tag = false;
    let mut i = 0;
    while let Some(c) = html[i..].chars().next() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => in_tag = false,
            '"' if in_tag => {
                // An opening quote: the attribute's name stands right before it.
                let end = html[i + 1..].find('"').map_or(html.len(), |e| i + 1 + e);
                if html[..i].ends_with(" style=") {
                    values.push(&html[i + 1..end]);
                }
                i = end + 1;
                continue;
            }
            _ => {}
        }
        i += c.len_utf8();
    }
    values
}

/// The declarations of every `style` attribute whose value is not a `#rrggbb` colour.
fn foreign_css(html: &str) -> Vec<&str> {
    let colour = |v: &str| v.len() == 7 && v.starts_with('#') && v[1..].bytes().all(|b| b.is_ascii_hexdigit());
    style_values(html)
        .into_iter()
        .flat_map(|value| value.split(';'))
        .filter(|declaration| {
            let value = declaration.split_once(':').map_or(declaration.trim(), |(_, v)| v.trim());
            !declaration.trim().is_empty() && !colour(value)
        })
        .collect()
}

fn check(card: &Value) {
    let html = zoom_mock::fake::render_card_html(card);
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script in the card's HTML:\n{html}\nfrom {card}");
    assert!(!lower.contains(MARKER), "input markup reached the card's HTML unescaped:\n{html}\nfrom {card}");
    let css = foreign_css(&html);
    assert!(css.is_empty(), "input wrote CSS {css:?} into the card's HTML:\n{html}\nfrom {card}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(card) = serde_json::from_slice::<Value>(data) else { return };
    check(&card);
    check(&marked(&card));
});
