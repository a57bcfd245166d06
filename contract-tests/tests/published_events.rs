//! The spec's events held to what Zoom publishes (crates/zoom-spec/spec/zoom-published/):
//! - every published example validates against the spec's `ZoomEvent` and reads into the generated
//!   variant of its name;
//! - every field path Zoom's page declares is declared by the spec, under the same event, and
//!   accepts a value of Zoom's type, format and enum;
//! - the spec requires nothing that Zoom's published example leaves out.

use std::collections::BTreeMap;

use contract_tests::spec;
use serde_json::{Value, json};
use zoom_api_gen::types;
use zoom_spec::Validator;

const FACTS: &str = include_str!("../../crates/zoom-spec/spec/zoom-published/events-facts.json");
const EXAMPLES: &str = include_str!("../../crates/zoom-spec/spec/zoom-published/event-examples.json");
const TEAM_CHAT_FACTS: &str = include_str!("../../crates/zoom-spec/spec/zoom-published/team-chat-events-facts.json");
const TEAM_CHAT_EXAMPLES: &str =
    include_str!("../../crates/zoom-spec/spec/zoom-published/team-chat-event-examples.json");

/// The events of both of Zoom's pages (chatbot webhooks, Team Chat webhooks).
fn facts() -> Vec<Value> {
    let mut events = Vec::new();
    for file in [FACTS, TEAM_CHAT_FACTS] {
        let facts: Value = serde_json::from_str(file).unwrap();
        events.extend(facts["events"].as_array().unwrap().iter().cloned());
    }
    events
}

fn examples() -> BTreeMap<String, Value> {
    let mut examples: BTreeMap<String, Value> = serde_json::from_str(EXAMPLES).unwrap();
    let team_chat: BTreeMap<String, Value> = serde_json::from_str(TEAM_CHAT_EXAMPLES).unwrap();
    let before = examples.len();
    examples.extend(team_chat.clone());
    assert_eq!(examples.len(), before + team_chat.len(), "an event is published on both pages");
    examples
}

fn spec_json() -> Value {
    serde_json::to_value(spec()).unwrap()
}

/// Follows a `$ref` of the spec.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The `ZoomEvent` variant whose `event` is `name`.
fn variant<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["components"]["schemas"]["ZoomEvent"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["properties"]["event"]["enum"][0] == name)
        .unwrap_or_else(|| panic!("the spec's ZoomEvent has no variant for {name}"))
}

/// The schema the spec declares at a facts path (`payload.original.body[].items[].key`).
fn declared<'a>(doc: &'a Value, name: &str, path: &str) -> Result<&'a Value, String> {
    let mut schema = variant(doc, name);
    for step in path.split('.') {
        let (field, items) = match step.strip_suffix("[]") {
            Some(field) => (field, true),
            None => (step, false),
        };
        schema = resolve(doc, &schema["properties"][field]);
        if schema.is_null() {
            return Err(format!("{name}: {path} is not declared (no {field})"));
        }
        if items {
            schema = resolve(doc, &schema["items"]);
            if schema.is_null() {
                return Err(format!("{name}: {path} is declared, but not as an array"));
            }
        }
    }
    Ok(schema)
}

/// A value of the type, format and enum Zoom's page gives a field.
fn sample(fact: &Value) -> Option<Value> {
    if let Some(first) = fact["enum"].get(0) {
        return Some(first.clone());
    }
    Some(match (fact["type"].as_str()?, fact["format"].as_str()) {
        ("string", Some("date-time")) => json!("2023-10-10T05:08:10Z"),
        ("string", Some("email")) => json!("someone@example.com"),
        ("string", _) => json!("text"),
        // Zoom labels some integer timestamps `date-time`: the integer is what it sends.
        ("integer", _) => json!(1696914490157_i64),
        ("number", _) => json!(1.5),
        ("boolean", _) => json!(true),
        ("object", _) => json!({}),
        ("array", _) => json!([]),
        _ => return None,
    })
}

#[test]
fn every_published_example_validates_and_reads_into_its_variant() {
    let validator = Validator::new(spec());
    let examples = examples();
    assert_eq!(examples.len(), 27, "eight chatbot events, app_deauthorized and 18 Team Chat events");
    for (name, example) in &examples {
        let violations = validator.validate_component("ZoomEvent", example, "").unwrap();
        assert!(violations.is_empty(), "{name}: {violations:?}");
        let typed: types::ZoomEvent =
            serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{name} does not read: {e}"));
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(back["event"], *name, "{name} read as another variant");
    }
}

#[test]
fn every_published_field_is_declared_with_zooms_type() {
    let doc = spec_json();
    let validator = Validator::new(spec());
    let mut problems = Vec::new();
    let mut checked = 0;
    for event in facts() {
        let name = event["event"].as_str().unwrap();
        for (path, fact) in event["fields"].as_object().unwrap() {
            checked += 1;
            let schema = match declared(&doc, name, path) {
                Ok(schema) => schema,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            // Objects and arrays: the same kind (their fields and items are checked on their own).
            if matches!(fact["type"].as_str(), Some("object" | "array")) {
                if schema["type"] != fact["type"] {
                    problems.push(format!(
                        "{name}: {path} is a {} in the spec, a {} at Zoom",
                        schema["type"], fact["type"]
                    ));
                }
                continue;
            }
            // The top-level `event` is the variant's tag: its value is the event's name.
            let value = if path == "event" { json!(name) } else { sample(fact).unwrap() };
            let schema: openapiv3::Schema = serde_json::from_value(schema.clone()).unwrap();
            let violations = validator.validate_schema(&schema, &value, path);
            if !violations.is_empty() {
                problems.push(format!("{name}: {path} refuses Zoom's {fact}: {violations:?}"));
            }
            for value in fact["enum"].as_array().into_iter().flatten() {
                let violations = validator.validate_schema(&schema, value, path);
                if !violations.is_empty() {
                    problems.push(format!("{name}: {path} refuses Zoom's enum value {value}"));
                }
            }
        }
    }
    assert!(checked > 540, "only {checked} field paths were read from the facts file");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn where_zooms_example_and_schema_disagree_both_are_accepted() {
    let doc = spec_json();
    let validator = Validator::new(spec());
    let mut seen = 0;
    for event in facts() {
        let name = event["event"].as_str().unwrap();
        for (path, differs) in event["example_type_differs_from_schema"].as_object().into_iter().flatten() {
            let schema: openapiv3::Schema =
                serde_json::from_value(declared(&doc, name, path).unwrap().clone()).unwrap();
            // The schema's side keeps the format Zoom gives the field (a date-time text, say).
            let format = &event["fields"][path]["format"];
            for (key, format) in [("schema_type", format), ("example_value_type", &Value::Null)] {
                let value = sample(&json!({"type": differs[key], "format": format})).unwrap();
                let violations = validator.validate_schema(&schema, &value, path);
                assert!(violations.is_empty(), "{name}: {path} refuses a {}: {violations:?}", differs[key]);
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 5, "the facts files list five disagreements");
}

/// Every path of `value` whose schema marks it required, as facts paths.
fn required_paths(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<(String, bool)>) {
    let schema = resolve(doc, schema);
    match value {
        Value::Object(map) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                let path = if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") };
                out.push((path, map.contains_key(name)));
            }
            for (name, field) in map {
                let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
                required_paths(doc, &schema["properties"][name], field, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                required_paths(doc, &schema["items"], item, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_spec_requires_only_what_zooms_examples_carry() {
    let doc = spec_json();
    let mut missing = Vec::new();
    let mut required = 0;
    for (name, example) in examples() {
        let mut paths = Vec::new();
        required_paths(&doc, variant(&doc, &name), &example, "", &mut paths);
        required += paths.len();
        missing.extend(paths.into_iter().filter(|(_, present)| !present).map(|(p, _)| format!("{name}: {p}")));
    }
    assert!(required > 200, "only {required} required fields were met");
    assert!(missing.is_empty(), "required by the spec, absent from Zoom's example: {missing:?}");
}
