//! The card drawing holds up against any input: arbitrary JSON in every field a card element
//! has (valid cards, invalid ones, and values of every JSON type, with strings full of `<`,
//! quotes, `;`, `url(` and `javascript:`), drawn by `render_card_html`, never puts markup of
//! the input's choosing in the output.

use crate::common;

use common::markup::{Allowed, foreign_markup};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use zoom_api_gen::cards::CARD_ELEMENT_KINDS as KINDS;
use zoom_mock::fake::render_card_html;

/// Every field the drawing reads, at any level.
const FIELDS: &[&str] = &[
    "type",
    "text",
    "link",
    "editable",
    "items",
    "key",
    "value",
    "style",
    "static_source",
    "selected_item",
    "select_items",
    "information",
    "title",
    "description",
    "resource_url",
    "img_url",
    "sidebar_color",
    "sections",
    "footer",
    "current_page",
    "total_pages",
    "initial_date",
    "initial_time",
    "placeholder",
    "initial_option",
    "initial_options",
    "options",
    "initial_value",
    "level",
    "image_url",
    "alt_text",
    "file_url",
    "video_url",
];

/// Text an attacker would try, in pieces that combine.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<script>alert(1)</script>".to_owned()),
        Just("\"><img src=x onerror=alert(1)>".to_owned()),
        Just("' onmouseover='alert(1)".to_owned()),
        Just("red;position:fixed;background:url(http://evil.example/x)".to_owned()),
        Just("javascript:alert(1)".to_owned()),
        Just("JaVaScRiPt:alert(1)".to_owned()),
        Just("http://ok.example/\" onerror=\"alert(1)".to_owned()),
        Just("#00ff00".to_owned()),
        Just("#00FF00;color:red".to_owned()),
        Just("</textarea><script>alert(1)</script>".to_owned()),
        Just("</p><style>*{}</style>".to_owned()),
        Just("<!--".to_owned()),
        Just("&lt;&#x3c;".to_owned()),
        Just("primary danger".to_owned()),
        "[ -~]{0,12}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|pieces| pieces.concat())
}

/// A JSON value of any type.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        hostile_text().prop_map(Value::from),
        hostile_text().prop_map(Value::from),
    ]
}

/// Objects and arrays nested a few levels, whose keys are the fields the drawing reads (an
/// element kind as `type` most of the time), or anything else.
fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![4 => prop::sample::select(FIELDS).prop_map(str::to_owned), 1 => hostile_text()];
        let object = (prop::sample::select(KINDS), prop::collection::btree_map(key, inner.clone(), 0..8)).prop_map(
            |(kind, fields)| {
                let mut object: Map<String, Value> = fields.into_iter().collect();
                object.entry("type").or_insert_with(|| kind.into());
                Value::Object(object)
            },
        );
        prop_oneof![2 => object, 1 => prop::collection::vec(inner, 0..4).prop_map(Value::Array)]
    })
}

/// A card: a head, settings and a body of elements, each part of any shape.
fn card() -> impl Strategy<Value = Value> {
    let shaped = (value(), value(), scalar(), prop::collection::vec(value(), 0..6)).prop_map(
        |(head, sub_head, colour, body)| {
            json!({
                "head": {"text": head.clone(), "sub_head": {"text": sub_head}, "style": head},
                "settings": {"default_sidebar_color": colour},
                "body": body,
            })
        },
    );
    prop_oneof![4 => shaped, 1 => value()]
}

proptest! {
    // Failures are printed, not saved beside the sources.
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_card_puts_its_own_markup_in_the_drawing(card in card()) {
        let html = render_card_html(&card);
        let foreign = foreign_markup(&html, Allowed::default());
        prop_assert!(foreign.is_empty(), "{foreign:#?}\nin {html}\nfrom {card}");
    }
}

/// The checker itself finds what the property test looks for: each kind of injection, in a
/// document made to hold it.
#[test]
fn the_checker_finds_injected_markup() {
    let cases = [
        "<p><img src=x onerror=alert(1)></p>",
        "<div style=\"border-left-color: red;position:fixed\"></div>",
        "<div style=\"border-left-color:#00ff00;x\"></div>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<p>page <script>alert(1)</script></p>",
        "<p class=\"muted evil\">x</p>",
        "<input type=\"image\">",
        "<form action=\"http://evil.example/\"></form>",
        "<!-- x -->",
    ];
    for html in cases {
        assert!(!foreign_markup(html, Allowed::default()).is_empty(), "{html} passed");
    }
    let own = "<div class=\"element section\"><div class=\"section\" style=\"border-left-color:#00ff00\"><p>a &lt;b&gt;</p></div></div>";
    assert_eq!(foreign_markup(own, Allowed::default()), Vec::<String>::new());
}
