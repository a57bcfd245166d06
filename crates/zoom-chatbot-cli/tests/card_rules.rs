//! Every card rule of the spec is enforced once, in the same words, everywhere: for each
//! element the spec's `CardBodyItem` names, the test reads the element's rules from the spec
//! (required fields, patterns, bounds, enums, `x-required-one-of`, `x-at-most-one-of`), builds a
//! card breaking each one, and finds it refused with the same field path and rule by the fake Zoom
//! (its answer to a send), by `zoom-chatbot card check`, and by the client (`card::check`, which
//! `Card::build` and every send run before anything is sent), where the generated types can
//! hold the card at all; a valid card of each element is accepted by all three. The builders'
//! own refusals (a colour, a zero count) are held to the fake's words too.

use std::process::Output;

use serde_json::{Map, Value, json};
use zoom_chatbot::card::{self, Actions, Card, Divider, Page, ProgressBar, Section, Select, Style, Text};
use zoom_chatbot::{Error, SecretString, ZoomClient, types};
use zoom_mock::fake::ZoomMock;

use crate::support;
use support::program;

/// The spec as JSON, and a schema with its `$ref` followed.
struct Spec(Value);

impl Spec {
    fn load() -> Self {
        Self(serde_json::to_value(zoom_spec::spec()).unwrap())
    }

    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => self.resolve(&self.0["components"]["schemas"][name]),
            None => schema,
        }
    }

    /// The element schemas of the card body, in the spec's order.
    fn elements(&self) -> Vec<&Value> {
        let variants = self.0["components"]["schemas"]["CardBodyItem"]["oneOf"].as_array().unwrap();
        variants.iter().map(|v| self.resolve(v)).collect()
    }

    /// A valid value of `schema`: every required field (and one of each `x-required-one-of`
    /// group), each valid; with `all`, the optional object fields too (so that their own
    /// rules can be broken).
    fn valid(&self, schema: &Value, all: bool, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if let Some(example) = schema.get("example").filter(|_| schema["type"] == "string") {
            return example.clone();
        }
        if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
            return first.clone();
        }
        if let Some(first) = schema["oneOf"].as_array().and_then(|v| v.first()) {
            return self.valid(first, false, depth + 1);
        }
        match schema["type"].as_str() {
            Some("string") => json!("x"),
            Some("integer") => json!(schema["minimum"].as_i64().unwrap_or(1)),
            Some("boolean") => json!(true),
            Some("array") => json!([self.valid(&schema["items"], all, depth + 1)]),
            _ => {
                let required = names(&schema["required"]);
                let mut out = Map::new();
                let empty = Map::new();
                for (name, property) in schema["properties"].as_object().unwrap_or(&empty) {
                    let is_object = self.resolve(property)["type"] == "object";
                    if required.contains(&name.as_str()) || (all && is_object && depth < 2) {
                        out.insert(name.clone(), self.valid(property, all, depth + 1));
                    }
                }
                for group in schema["x-required-one-of"].as_array().into_iter().flatten() {
                    let first = group[0].as_str().unwrap();
                    out.insert(first.to_owned(), self.valid(&schema["properties"][first], all, depth + 1));
                }
                Value::Object(out)
            }
        }
    }

    /// Every way to break `schema`'s rules in `value` (a valid value of it), each as the
    /// value broken and the path (from `value`) of the field that breaks the rule.
    fn breaks(&self, schema: &Value, value: &Value, path: &str) -> Vec<(Value, String)> {
        let schema = self.resolve(schema);
        let mut out = Vec::new();
        let at = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        if schema["pattern"].is_string() {
            // No pattern of the card schemas (a colour) takes a space.
            out.push((json!("not a colour;x"), path.to_owned()));
        }
        if let Some(min) = schema["minimum"].as_i64() {
            out.push((json!(min - 1), path.to_owned()));
        }
        if let Some(max) = schema["maximum"].as_i64() {
            out.push((json!(max + 1), path.to_owned()));
        }
        if schema["enum"].as_array().is_some_and(|e| e.len() > 1) {
            out.push((json!("not-one-of-them"), path.to_owned()));
        }
        if let Some(object) = value.as_object() {
            for name in names(&schema["required"]) {
                if name != "type" {
                    let mut broken = object.clone();
                    broken.remove(name);
                    out.push((Value::Object(broken), at(name)));
                }
            }
            for group in schema["x-required-one-of"].as_array().into_iter().flatten() {
                let group = names(group);
                let mut broken = object.clone();
                group.iter().for_each(|n| drop(broken.remove(*n)));
                out.push((Value::Object(broken), at(group.last().unwrap())));
            }
            for group in schema["x-at-most-one-of"].as_array().into_iter().flatten() {
                let group = names(group);
                let mut broken = object.clone();
                for n in &group {
                    broken.entry(*n).or_insert_with(|| self.valid(&schema["properties"][*n], false, 2));
                }
                out.push((Value::Object(broken), at(group[1])));
            }
            let empty = Map::new();
            for (name, property) in schema["properties"].as_object().unwrap_or(&empty) {
                if name == "type" {
                    continue;
                }
                // A field the valid value leaves out is broken by setting it (a scalar's rules).
                let inner = object.get(name).cloned().unwrap_or_else(|| self.valid(property, true, 2));
                for (broken_inner, inner_path) in self.breaks(property, &inner, &at(name)) {
                    let mut broken = object.clone();
                    broken.insert(name.clone(), broken_inner);
                    out.push((Value::Object(broken), inner_path));
                }
            }
        }
        if let Some(items) = value.as_array().filter(|_| schema["type"] == "array")
            && let Some(first) = items.first()
        {
            for (broken_item, item_path) in self.breaks(&schema["items"], first, &format!("{path}[0]")) {
                out.push((json!([broken_item]), item_path));
            }
        }
        out
    }
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

/// What one checker said of a card: `Ok` or the first `(path, rule)` it refused.
type Verdict = Result<(), (String, String)>;

/// The fake's answer to a send of `card`: 201, or 400 naming the field and the rule.
async fn fake_verdict(client: &ZoomClient, fake: &ZoomMock, token: &str, card: &Value) -> Verdict {
    let body = json!({"robot_jid": fake.robot_jid(), "to_jid": "general@conference.xmpp.zoom.us",
        "account_id": fake.account_id(), "content": card});
    let url = format!("{}/im/chat/messages", fake.api_base_url());
    let answer = client.http().post(url).bearer_auth(token).json(&body).send().await.unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    if status == 201 {
        return Ok(());
    }
    assert_eq!(status, 400, "{text}");
    let message: Value = serde_json::from_str(&text).unwrap();
    let message = message["message"].as_str().unwrap();
    let first = message.strip_prefix("Invalid parameter: ").unwrap_or(message).trim_end_matches('.');
    let first = first.split("; ").next().unwrap();
    let (path, rule) = first.split_once(": ").unwrap();
    Err((path.to_owned(), rule.to_owned()))
}

/// `zoom-chatbot card check -` on `card`: exit 0, or 2 with the violations on stderr.
async fn cli_verdict(fake: &ZoomMock, card: &Value) -> Verdict {
    let mut command = program(fake);
    command.args(["card", "check", "-"]);
    let input = card.to_string();
    let output: Output = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        command.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        command.stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    if output.status.code() == Some(0) {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let line = stderr.lines().map(str::trim).find(|l| l.starts_with("content.")).unwrap_or_else(|| panic!("{stderr}"));
    let (path, rule) = line.split_once(": ").unwrap();
    Err((path.to_owned(), rule.to_owned()))
}

/// The client's check of `card`, when the generated type can hold it (`None` when it cannot:
/// such a card cannot be given to the client at all).
fn client_verdict(card: &Value) -> Option<Verdict> {
    let typed: types::Card = serde_json::from_value(card.clone()).ok()?;
    Some(match card::check(&typed) {
        Ok(()) => Ok(()),
        Err(Error::InvalidInput { field, rule }) => Err((field, rule)),
        Err(other) => panic!("{other}"),
    })
}

fn builder_verdict(card: Card) -> Verdict {
    match card.build() {
        Ok(_) => Ok(()),
        Err(Error::InvalidInput { field, rule }) => Err((field, rule)),
        Err(other) => panic!("{other}"),
    }
}

async fn bot_token(client: &ZoomClient, fake: &ZoomMock) -> String {
    let url = format!("{}/oauth/token?grant_type=client_credentials", fake.oauth_base_url());
    let answer = client.http().post(url).basic_auth(fake.client_id(), Some(fake.client_secret())).send().await.unwrap();
    let token: Value = answer.json().await.unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

fn client_for(fake: &ZoomMock) -> ZoomClient {
    ZoomClient::builder()
        .credentials(fake.client_id(), SecretString::from(fake.client_secret()))
        .account_id(fake.account_id().parse().unwrap())
        .robot_jid(fake.robot_jid().parse().unwrap())
        .api_url(fake.api_base_url())
        .oauth_url(fake.oauth_base_url())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_element_rule_is_refused_alike_by_client_cli_and_fake() {
    let fake = ZoomMock::builder().unlimited().start().await.unwrap();
    let client = client_for(&fake);
    let token = bot_token(&client, &fake).await;
    let spec = Spec::load();
    let (mut checked, mut typed) = (0, 0);
    for element in spec.elements() {
        let valid = spec.valid(element, true, 0);
        let card = json!({"body": [valid.clone()]});
        assert_eq!(fake_verdict(&client, &fake, &token, &card).await, Ok(()), "{card}");
        assert_eq!(cli_verdict(&fake, &card).await, Ok(()), "{card}");
        assert_eq!(client_verdict(&card), Some(Ok(())), "{card}");

        // Some elements (a divider, the pickers) have no rule but their `type`.
        for (broken, path) in spec.breaks(element, &valid, "") {
            let card = json!({"body": [broken]});
            let want = format!("content.body[0].{path}");
            let fake_says = fake_verdict(&client, &fake, &token, &card).await;
            let Err((field, rule)) = &fake_says else { panic!("the fake took {card}") };
            assert_eq!(field, &want, "{card}");
            assert!(!rule.is_empty());
            assert_eq!(cli_verdict(&fake, &card).await, fake_says, "the CLI on {card}");
            if let Some(client_says) = client_verdict(&card) {
                assert_eq!(client_says, fake_says, "the client on {card}");
                typed += 1;
            }
            checked += 1;
        }
    }
    // The colour, bounds, enums, required fields and the select's one-of, of all 18 elements;
    // the generated types hold only a few of them (a progress over 100, a select with neither
    // options nor source): the others cannot be handed to the client at all.
    assert!(checked > 40 && typed >= 3, "{checked} broken cards, {typed} the generated types hold");

    // The builders' refusals are the fake's, word for word.
    let cases: Vec<(Card, Value)> = vec![
        (
            Card::new().push(Text::new("t").style(Style::new().color("green"))),
            json!({"body": [{"type": "message", "text": "t", "style": {"color": "green"}}]}),
        ),
        (
            Card::new().push(Section::new().color("red")),
            json!({"body": [{"type": "section", "sidebar_color": "red", "sections": []}]}),
        ),
        (
            Card::new().push(Section::new().push(Divider::new().color("#00ff0"))),
            json!({"body": [{"type": "section", "sections": [{"type": "divider", "style": {"color": "#00ff0"}}]}]}),
        ),
        (Card::new().default_sidebar_color("blue"), json!({"settings": {"default_sidebar_color": "blue"}})),
        (Card::new().push(Actions::new().limit(0)), json!({"body": [{"type": "actions", "items": [], "limit": 0}]})),
        (Card::new().push(Page::new(1, 0)), json!({"body": [{"type": "page", "current_page": 1, "total_pages": 0}]})),
        (Card::new().push(ProgressBar::new(101)), json!({"body": [{"type": "progress_bar", "value": 101}]})),
        (Card::new().push(Select::new("s")), json!({"body": [{"type": "select", "text": "s"}]})),
        (
            Card::new().push(Select::members("m").option("a", "a")),
            json!({"body": [{"type": "select", "text": "m", "select_items": [{"text": "a", "value": "a"}],
                "static_source": "members"}]}),
        ),
        (Card::new().sub_head("under"), json!({"head": {"sub_head": {"text": "under"}}})),
    ];
    for (built, same) in cases {
        let shown = format!("{built:?}");
        let fake_says = fake_verdict(&client, &fake, &token, &same).await;
        assert!(fake_says.is_err(), "{same}");
        assert_eq!(builder_verdict(built), fake_says, "{shown}");
        assert_eq!(cli_verdict(&fake, &same).await, fake_says, "{same}");
    }
}

/// A generated card that breaks a rule is refused by a send before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_checks_the_card_before_sending() {
    let fake = ZoomMock::start().await.unwrap();
    let client = client_for(&fake);
    let card: types::Card = serde_json::from_value(json!({"body": [{"type": "progress_bar", "value": 140}]})).unwrap();
    let before = fake.requests().len();
    let err = client.send("general@conference.xmpp.zoom.us", card.clone()).await.unwrap_err();
    assert_eq!(err.to_string(), "invalid content.body[0].value: must be at most 100");
    assert_eq!(fake.requests().len(), before, "nothing reached the fake");
    let ok = Card::new().push(ProgressBar::new(100)).build().unwrap();
    client.send("general@conference.xmpp.zoom.us", ok).await.unwrap();
}
