//! The spec's own invariants, checked before anything is generated. Each problem names the
//! operation (or schema) it is about.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    MediaType, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Response, StatusCode,
};
use zoom_spec::Validator;

/// The extensions every operation carries.
const REQUIRED_EXTENSIONS: [&str; 2] = ["x-zoom-operation-id", "x-rate-limit-label"];
const RATE_LIMIT_LABELS: [&str; 5] = ["Light", "Medium", "Heavy", "Resource-intensive", "none"];

pub fn check(spec: &OpenAPI) -> Vec<String> {
    let validator = Validator::new(spec);
    let mut problems = Vec::new();
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();

    for pattern in zoom_spec::unreadable_patterns(spec) {
        problems.push(format!("pattern {pattern:?} is not a valid regular expression"));
    }

    for (path, item) in spec.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            problems.push(format!("{path}: path items must be written out, not $ref'd (progenitor refuses them)"));
            continue;
        };
        for (method, op) in item.iter() {
            let where_ = format!("{} {path}", method.to_uppercase());
            let Some(id) = op.operation_id.as_deref() else {
                problems.push(format!("{where_}: has no operationId"));
                continue;
            };
            let name = format!("{id} ({where_})");
            if let Some(previous) = ids.insert(id, where_.clone()) {
                problems.push(format!("{name}: operationId is also used by {previous}"));
            }
            for ext in REQUIRED_EXTENSIONS {
                if !op.extensions.contains_key(ext) {
                    problems.push(format!("{name}: lacks {ext}"));
                }
            }
            if let Some(label) = op.extensions.get("x-rate-limit-label").and_then(|v| v.as_str())
                && !RATE_LIMIT_LABELS.contains(&label)
            {
                problems.push(format!("{name}: x-rate-limit-label {label:?} is not one of {RATE_LIMIT_LABELS:?}"));
            }

            let params: Vec<&Parameter> =
                item.parameters.iter().chain(&op.parameters).filter_map(|p| zoom_spec::parameter(spec, p)).collect();
            check_path_parameters(&name, path, &params, &mut problems);
            for p in &params {
                check_parameter_example(&validator, &name, p, &mut problems);
            }
            check_request_body(&validator, &name, op, &mut problems);
            check_responses(spec, &validator, &name, op, &mut problems);
        }
    }

    if let Some(components) = &spec.components {
        for (schema_name, schema) in &components.schemas {
            if let ReferenceOr::Item(s) = schema
                && let Some(example) = &s.schema_data.example
            {
                for v in validator.validate_schema(s, example, "") {
                    problems.push(format!("schema {schema_name}: its example breaks a rule: {v}"));
                }
            }
        }
    }
    problems
}

fn check_path_parameters(name: &str, path: &str, params: &[&Parameter], problems: &mut Vec<String>) {
    let in_path: BTreeSet<&str> =
        path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(n, _)| n)).collect();
    let declared: BTreeSet<&str> = params
        .iter()
        .filter_map(|p| match p {
            Parameter::Path { parameter_data, .. } => Some(parameter_data.name.as_str()),
            _ => None,
        })
        .collect();
    for missing in in_path.difference(&declared) {
        problems.push(format!("{name}: path parameter {{{missing}}} is not declared"));
    }
    for extra in declared.difference(&in_path) {
        problems.push(format!("{name}: declares path parameter {extra:?}, which the path lacks"));
    }
}

fn check_parameter_example(validator: &Validator, name: &str, p: &Parameter, problems: &mut Vec<String>) {
    let data = p.parameter_data_ref();
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return problems.push(format!("{name}: parameter {:?} must use `schema`, not `content`", data.name));
    };
    match &data.example {
        None => problems.push(format!("{name}: parameter {:?} has no example", data.name)),
        Some(example) => {
            for v in validator.validate(schema, example, &data.name) {
                problems.push(format!("{name}: example of parameter {:?} breaks a rule: {v}", data.name));
            }
        }
    }
}

fn check_request_body(validator: &Validator, name: &str, op: &Operation, problems: &mut Vec<String>) {
    let Some(body) = &op.request_body else { return };
    let body = match body {
        ReferenceOr::Item(b) => b,
        ReferenceOr::Reference { reference } => {
            return problems.push(format!("{name}: request body {reference} must be written out"));
        }
    };
    if body.content.len() != 1 {
        problems
            .push(format!("{name}: request body has {} media types; progenitor takes exactly one", body.content.len()));
    }
    for (media, content) in &body.content {
        // progenitor cannot build multipart bodies: `main.rs` leaves such operations out of
        // its input (the tables keep them), and they must say which part carries the file.
        if media == "multipart/form-data" && !multipart_has_binary(content) {
            problems.push(format!("{name}: a multipart/form-data body needs a `format: binary` part"));
        }
        let (example, body) = (format!("{name}: request example"), format!("{name}: request body ({media}) has"));
        check_example(validator, content, &example, &body, problems);
    }
}

/// Whether a multipart body's schema has a part of `format: binary` (or an array of them).
fn multipart_has_binary(media: &MediaType) -> bool {
    let Some(ReferenceOr::Item(schema)) = &media.schema else { return false };
    let value = serde_json::to_value(schema).unwrap_or_default();
    let binary = |v: &serde_json::Value| v["format"] == "binary" || v["items"]["format"] == "binary";
    value["properties"].as_object().is_some_and(|parts| parts.values().any(binary))
}

/// A body's example against its schema: `example` names the example in a broken rule's
/// message, `body` begins the message when the example or the schema is missing.
fn check_example(validator: &Validator, media: &MediaType, example: &str, body: &str, problems: &mut Vec<String>) {
    match (&media.schema, &media.example) {
        (Some(schema), Some(value)) => {
            for v in validator.validate(schema, value, "") {
                problems.push(format!("{example} breaks a rule: {v}"));
            }
        }
        (_, None) => problems.push(format!("{body} no example")),
        (None, _) => problems.push(format!("{body} no schema")),
    }
}

fn check_responses(spec: &OpenAPI, validator: &Validator, name: &str, op: &Operation, problems: &mut Vec<String>) {
    // progenitor gives each operation one success type and one error type: every success
    // response must carry the same body (or none), and so must every error response.
    let mut success: BTreeSet<String> = BTreeSet::new();
    let mut error: BTreeSet<String> = BTreeSet::new();
    let mut entries: Vec<(String, bool, &ReferenceOr<Response>)> = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| {
            let is_success = match code {
                StatusCode::Code(c) => (200..300).contains(c),
                StatusCode::Range(r) => *r == 2,
            };
            (code.to_string(), is_success, r)
        })
        .collect();
    if let Some(default) = &op.responses.default {
        entries.push(("default".into(), false, default));
    }
    if !entries.iter().any(|(_, ok, _)| *ok) {
        problems.push(format!("{name}: has no success response"));
    }
    for (code, is_success, r) in entries {
        let Some(response) = zoom_spec::response(spec, r) else {
            problems.push(format!("{name}: response {code} refers to a missing component"));
            continue;
        };
        if response.content.len() > 1 {
            problems.push(format!("{name}: response {code} has more than one media type"));
        }
        let body_type = match response.content.iter().next() {
            None => "no body".to_owned(),
            Some((_, media)) => {
                let example = format!("{name}: example of response {code}");
                check_example(validator, media, &example, &format!("{name}: response {code} has a body but"), problems);
                match &media.schema {
                    Some(ReferenceOr::Reference { reference }) => reference.clone(),
                    Some(ReferenceOr::Item(_)) => {
                        problems.push(format!("{name}: response {code} must $ref a component schema"));
                        format!("inline schema of {code}")
                    }
                    None => "no schema".into(),
                }
            }
        };
        if is_success {
            success.insert(body_type)
        } else {
            error.insert(body_type)
        };
    }
    if success.len() > 1 {
        problems.push(format!(
            "{name}: success responses have {} body types ({}); progenitor takes one",
            success.len(),
            success.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if error.len() > 1 {
        problems.push(format!(
            "{name}: error responses have {} body types ({}); progenitor takes one",
            error.len(),
            error.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_after(edit: impl Fn(&str) -> String) -> Vec<String> {
        let text = edit(zoom_spec::SPEC_YAML);
        let spec = zoom_spec::parse(&text).expect("edited spec still parses");
        check(&spec)
    }

    #[test]
    fn the_committed_spec_holds_every_invariant() {
        assert_eq!(problems_after(str::to_owned), Vec::<String>::new());
    }

    #[test]
    fn duplicate_operation_ids_are_named() {
        let p = problems_after(|s| s.replacen("operationId: editChatMessage", "operationId: getChatMessage", 1));
        assert!(
            p.iter().any(|p| p.starts_with(
                "getChatMessage (PUT /chat/users/{userId}/messages/{messageId}): operationId is also used by GET"
            )),
            "{p:?}"
        );
    }

    #[test]
    fn an_invalid_example_is_named_with_its_operation_and_field() {
        let p =
            problems_after(|s| s.replacen("                    value: 100\n", "                    value: 101\n", 1));
        assert_eq!(
            p,
            vec![
                "editChatbotMessage (PUT /im/chat/messages/{message_id}): request example breaks a rule: content.body[0].value: must be at most 100"
            ]
        );
    }

    #[test]
    fn two_error_body_types_are_refused() {
        let p = problems_after(|s| {
            s.replacen(
                "        \"429\":\n          $ref: \"#/components/responses/ChatbotRateLimited\"\n",
                "        \"429\":\n          $ref: \"#/components/responses/ApiRateLimited\"\n",
                1,
            )
        });
        assert!(
            p.iter().any(
                |p| p.starts_with("sendChatbotMessage (POST /im/chat/messages): error responses have 2 body types")
            ),
            "{p:?}"
        );
    }

    #[test]
    fn undeclared_path_parameters_are_named() {
        let p = problems_after(|s| {
            s.replace("/im/chat/users/{userId}/unfurls/{triggerId}:", "/im/chat/users/{userId}/unfurls/{trigger}:")
        });
        assert!(p.contains(&"unfurlLink (POST /im/chat/users/{userId}/unfurls/{trigger}): path parameter {trigger} is not declared".to_owned()), "{p:?}");
    }

    #[test]
    fn a_missing_rate_limit_label_is_named() {
        let p = problems_after(|s| s.replacen("      x-rate-limit-label: Medium\n", "", 1));
        assert_eq!(p, vec!["sendChatbotMessage (POST /im/chat/messages): lacks x-rate-limit-label"]);
    }
}
