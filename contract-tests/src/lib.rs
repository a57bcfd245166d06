//! Helpers for the contract tests: the spec's own examples, looked up by operation id, so the
//! tests exercise exactly what the spec documents.

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The spec the code was generated from.
pub fn spec() -> &'static OpenAPI {
    zoom_spec::spec()
}

/// Every operation of the spec: (operation id, method, path).
pub fn operations() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in spec().paths.iter() {
        let ReferenceOr::Item(item) = item else { continue };
        for (method, op) in item.iter() {
            out.push((op.operation_id.clone().unwrap_or_default(), method.to_uppercase(), path.clone()));
        }
    }
    out
}

/// The operation with this id, with its path-level parameters.
pub fn operation(id: &str) -> (&'static Operation, Vec<&'static Parameter>) {
    for (_, item) in spec().paths.iter() {
        let ReferenceOr::Item(item) = item else { continue };
        for (_, op) in item.iter() {
            if op.operation_id.as_deref() == Some(id) {
                let params = item.parameters.iter().chain(&op.parameters).map(resolve_parameter).collect();
                return (op, params);
            }
        }
    }
    panic!("the spec has no operation {id}")
}

fn resolve_parameter(p: &'static ReferenceOr<Parameter>) -> &'static Parameter {
    zoom_spec::parameter(spec(), p).expect("parameter references resolve (the xtask checks)")
}

/// A response, with its `$ref` followed.
pub fn resolve_response(r: &'static ReferenceOr<Response>) -> &'static Response {
    zoom_spec::response(spec(), r).expect("response references resolve (the xtask checks)")
}

/// The request-body example of an operation, as JSON.
pub fn request_example_json(id: &str) -> Value {
    let (op, _) = operation(id);
    let ReferenceOr::Item(body) = op.request_body.as_ref().expect("operation has a body") else {
        panic!("request body $ref")
    };
    body.content.values().next().and_then(|m| m.example.clone()).expect("request example")
}

/// The request-body example of an operation, typed.
pub fn request_example<T: DeserializeOwned>(id: &str) -> T {
    serde_json::from_value(request_example_json(id)).expect("request example fits the generated type")
}

/// The status and example body of a response of an operation (`code` such as "201" or "4XX").
pub fn response_example_json(id: &str, code: &str) -> Option<Value> {
    let (op, _) = operation(id);
    let (_, r) = op.responses.responses.iter().find(|(c, _)| status_text(c) == code)?;
    resolve_response(r).content.values().next().and_then(|m| m.example.clone())
}

/// The example of a response of an operation, typed.
pub fn response_example<T: DeserializeOwned>(id: &str, code: &str) -> T {
    let json = response_example_json(id, code).unwrap_or_else(|| panic!("{id} {code} has an example"));
    serde_json::from_value(json).expect("response example fits the generated type")
}

/// The example of a parameter of an operation.
pub fn parameter_example(id: &str, name: &str) -> Value {
    let (_, params) = operation(id);
    params
        .iter()
        .map(|p| p.parameter_data_ref())
        .find(|d| d.name == name)
        .and_then(|d| d.example.clone())
        .unwrap_or_else(|| panic!("{id} has an example for parameter {name}"))
}

/// The example of a string parameter of an operation.
pub fn parameter_str(id: &str, name: &str) -> String {
    parameter_example(id, name).as_str().expect("a string example").to_owned()
}

/// A status code as the spec writes it.
pub fn status_text(code: &StatusCode) -> String {
    match code {
        StatusCode::Code(c) => c.to_string(),
        StatusCode::Range(r) => format!("{r}XX"),
    }
}

/// An OpenAPI 3.0 schema of the spec as a JSON Schema (2020-12) document that an independent
/// validator can read: the spec's component schemas under `$defs`, references pointed there,
/// and `nullable` written as a `null` type. OpenAPI's own keywords (`example`, `x-...`) are
/// annotations to JSON Schema and are left as they are.
pub fn json_schema(schema: &Value) -> Value {
    fn convert(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => {
                            out.insert(k.clone(), Value::String(r.replace("#/components/schemas/", "#/$defs/")));
                        }
                        ("nullable", _) => {}
                        _ => {
                            out.insert(k.clone(), convert(v));
                        }
                    }
                }
                if map.get("nullable") == Some(&Value::Bool(true))
                    && let Some(Value::String(t)) = map.get("type")
                {
                    out.insert("type".into(), serde_json::json!([t, "null"]));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
            other => other.clone(),
        }
    }
    let components = serde_json::to_value(&spec().components.as_ref().expect("components").schemas).expect("json");
    let mut document = convert(schema);
    if let Value::Object(map) = &mut document {
        map.insert("$schema".into(), Value::String("https://json-schema.org/draft/2020-12/schema".into()));
        map.insert("$defs".into(), convert(&components));
    }
    document
}
