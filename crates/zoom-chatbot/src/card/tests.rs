use super::*;
use crate::error::Error;
use serde_json::json;

fn json_of(card: Card) -> serde_json::Value {
    serde_json::to_value(card.build().unwrap()).unwrap()
}

#[tokio::test]
async fn a_card_is_a_template_that_crosses_tasks() {
    let template = Card::new().head("Deploy").push(Section::new().push(Text::new("ready")));
    let one = template.clone().push(Text::new("one"));
    // Held across an `.await` on a spawned task: the card is `Send`.
    let task = tokio::spawn(async move {
        tokio::task::yield_now().await;
        one.build()
    });
    let two = template.push(Text::new("two")).build().unwrap();
    let one = task.await.unwrap().unwrap();
    assert_eq!((one.body.len(), two.body.len()), (2, 2), "the template was not consumed by its clone");
    assert_ne!(serde_json::to_value(&one).unwrap()["body"][1], serde_json::to_value(&two).unwrap()["body"][1]);
}

#[test]
fn a_default_sidebar_colour_is_rrggbb_or_refused_by_its_field() {
    let built = json_of(Card::new().head("x").default_sidebar_color("#0E72ED"));
    assert_eq!(built["settings"]["default_sidebar_color"], "#0E72ED");
    let err = Card::new().head("x").default_sidebar_color("red;position:fixed").build().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "content.settings.default_sidebar_color"),
        "{err}"
    );
}

#[test]
fn the_seeds_cards_build_exactly() {
    assert_eq!(json_of(Card::new().head("Hello World")), json!({"head": {"text": "Hello World"}}));
    assert_eq!(json_of(Card::new().head("Aloha World")), json!({"head": {"text": "Aloha World"}}));
    assert_eq!(
        json_of(Card::new().head("I am a header").push(Text::new("I am a message with text"))),
        json!({"head": {"text": "I am a header"}, "body": [{"type": "message", "text": "I am a message with text"}]})
    );
}

#[test]
fn every_element_builds_zooms_json() {
    let card = Card::new()
        .form()
        .head_styled("Deploy?", Style::new().bold())
        .sub_head("requested by Ana")
        .push(Text::new("See [notes](https://x)").markdown())
        .push(Text::new("Docs").link("https://x/docs"))
        .push(Fields::new().short("Env", "prod").editable("Reason", ""))
        .push(
            Actions::new().button(Button::primary("Go", "go").submit()).button(Button::danger("Stop", "stop")).limit(2),
        )
        .push(Select::new("Region").option("EU", "eu").option("US", "us").selected("us"))
        .push(Select::members("Notify"))
        .push(Attachment::new("https://x/r").image("https://x/i.png").title("Report").file(10, "pdf"))
        .push(Section::new().color("#00FF00").push(Text::new("nested")).push(Divider::new()).footer("CI"))
        .push(Divider::new().dotted().color("#CCCCCC"))
        .push(ProgressBar::new(40))
        .push(File::new("log.txt", "https://x/log.txt").size(3).icon_url("https://x/icon.png"))
        .push(Page::new(1, 3))
        .push(DatePicker::new("day").initial("2026-11-22"))
        .push(TimePicker::new("time").initial("09:30"))
        .push(RadioButtons::new("size").option("S", "s").initial("s"))
        .push(Checkboxes::new("f").option("A", "a").checked("a"))
        .push(TextInput::new("why").placeholder("Reason").multiline())
        .push(Alert::new("Freeze Friday").level(AlertLevel::Warning))
        .push(Images::new().image_with_alt("https://x/a.png", "graph"))
        .push(Video::new("https://x/v.mp4"));
    let json = json_of(card);
    let types: Vec<&str> = json["body"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    // Every element the spec defines, in the spec's order (from the generated table), with a
    // second message and a second select.
    let expected: Vec<&str> = zoom_api_gen::cards::CARD_ELEMENT_KINDS
        .iter()
        .flat_map(|&kind| if matches!(kind, "message" | "select") { vec![kind, kind] } else { vec![kind] })
        .collect();
    assert_eq!(types, expected);
    assert_eq!(json["settings"], json!({"form": true}));
    assert_eq!(
        json["head"],
        json!({"text": "Deploy?", "style": {"bold": true}, "sub_head": {"text": "requested by Ana"}})
    );
    assert_eq!(json["body"][3]["items"][0], json!({"text": "Go", "value": "go", "style": "Primary", "submit": true}));
    assert_eq!(json["body"][4]["selected_item"], json!({"text": "US", "value": "us"}));
    assert_eq!(json["body"][5], json!({"type": "select", "text": "Notify", "static_source": "members"}));
    assert_eq!(json["body"][7]["sections"][1], json!({"type": "divider"}));
    assert_eq!(json["body"][10]["icon_url"], "https://x/icon.png");
    assert_eq!(json["body"][17], json!({"type": "alert", "text": "Freeze Friday", "level": "warning"}));
}

#[test]
fn rules_are_the_specs_and_name_the_place() {
    let err = |card: Card| card.build().unwrap_err().to_string();
    assert_eq!(
        err(Card::new().push(Text::new("a")).push(ProgressBar::new(101))),
        "invalid content.body[1].value: must be at most 100"
    );
    assert_eq!(
        err(Card::new().push(Section::new().push(Divider::new().color("grey")))),
        "invalid content.body[0].sections[0].style.color: must match ^#[0-9A-Fa-f]{6}$"
    );
    assert_eq!(err(Card::new().sub_head("x")), "invalid content.head.text: is required");
    assert_eq!(err(Card::new().push(Actions::new().limit(0))), "invalid content.body[0].limit: must be at least 1");
    assert_eq!(err(Card::new().push(Page::new(0, 3))), "invalid content.body[0].current_page: must be at least 1");
    assert_eq!(
        err(Card::new().push(Select::new("x"))),
        "invalid content.body[0].static_source: is required when select_items is not given"
    );
}

/// What Zoom's documents do not forbid, the client does not refuse either (it once refused
/// empty lists and a date's shape, which the fake and `card check` accept).
#[test]
fn what_the_spec_allows_builds() {
    for card in [
        Card::new().push(Actions::new()),
        Card::new().push(Fields::new()),
        Card::new().push(Images::new()),
        Card::new().push(Section::new()),
        Card::new().push(RadioButtons::new("r")),
        Card::new().push(Checkboxes::new("c")),
        Card::new().push(DatePicker::new("d").initial("22/11/2026")),
        Card::new().push(TimePicker::new("t").initial("9.30")),
        Card::new().push(Page::new(3, 2)),
    ] {
        let shown = format!("{card:?}");
        assert!(card.build().is_ok(), "{shown}");
    }
}

#[test]
fn a_card_being_built_is_a_value() {
    let one = Card::new().head("x").push(Text::new("a").style(Style::new().color("#00FF00")));
    let two = Card::new().head("x").push(Text::new("a").style(Style::new().color("#00FF00")));
    assert_eq!(one, two);
    assert_ne!(one, two.clone().push(Divider::new()));
    assert!(matches!(&one.body()[0], types::CardBodyItem::Message(m) if m.text == "a"));
    let select = Select::new("Region").option("EU", "eu").selected("eu");
    assert_eq!(Element::from(select.clone()).item(), Element::from(select).item());
}
