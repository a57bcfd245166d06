//! What the fake knows about each operation, read from the spec at start-up (never re-typed):
//! its rate-limit label, its query parameters and its body schema. Requests are validated
//! here against those schemas.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;
use zoom_spec::openapiv3::{
    Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use zoom_spec::{Validator, Violation};

use zoom_api_gen::operations::{OperationId, RateLabel};

/// One operation of the spec, as the fake uses it.
pub(crate) struct Operation {
    pub label: Option<RateLabel>,
    pub query: Vec<&'static Parameter>,
    pub body: Option<&'static ReferenceOr<Schema>>,
    /// A multipart/form-data body's schema (the file operations).
    pub form: Option<&'static ReferenceOr<Schema>>,
    /// The operation's `x-required-one-of`: groups of query parameters, one of each needed.
    pub query_one_of: Vec<Vec<String>>,
}

/// Why a request was refused by validation.
pub(crate) enum Invalid {
    /// The body is not JSON at all.
    Malformed(String),
    /// The body or query broke these rules.
    Rules(Vec<Violation>),
}

pub(crate) struct Operations {
    by_id: HashMap<OperationId, Operation>,
    /// (method, path segments, operation), to tell which operation a request is for.
    routes: Vec<(String, Vec<String>, OperationId)>,
    validator: Validator<'static>,
}

pub(crate) fn operations() -> &'static Operations {
    static OPS: OnceLock<Operations> = OnceLock::new();
    OPS.get_or_init(|| {
        let spec = zoom_spec::spec();
        let mut by_id = HashMap::new();
        let mut routes = Vec::new();
        for (path, item) in spec.paths.iter() {
            let ReferenceOr::Item(item) = item else { continue };
            for (method, op) in item.iter() {
                let Some(id) = op.operation_id.as_deref() else { continue };
                // The table is generated from this same spec, so every id is in it.
                let id: OperationId = id.parse().expect("the operation table is generated from the spec");
                let segments = path.trim_matches('/').split('/').map(str::to_owned).collect();
                routes.push((method.to_uppercase(), segments, id));
                let label = id.info().rate_limit_label;
                let query = item
                    .parameters
                    .iter()
                    .chain(&op.parameters)
                    .filter_map(|p| zoom_spec::parameter(spec, p))
                    .filter(|p| matches!(p, Parameter::Query { .. }))
                    .collect();
                let content = op.request_body.as_ref().and_then(|b| b.as_item()).map(|b| &b.content);
                // A multipart body is read by its handler (`files.rs`), which checks its
                // fields against the schema with `validate_form`.
                let media = |multipart: bool| {
                    content.and_then(|c| c.iter().find(|(m, _)| (*m == "multipart/form-data") == multipart))
                };
                let body = media(false).and_then(|(_, media)| media.schema.as_ref());
                let form = media(true).and_then(|(_, media)| media.schema.as_ref());
                let query_one_of = op
                    .extensions
                    .get("x-required-one-of")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default();
                by_id.insert(id, Operation { label, query, body, form, query_one_of });
            }
        }
        Operations { by_id, routes, validator: Validator::new(spec) }
    })
}

impl Operations {
    pub fn get(&self, id: OperationId) -> &Operation {
        self.by_id.get(&id).unwrap_or_else(|| panic!("the spec has no operation {id}"))
    }

    /// The operation a request is for, by the spec's path templates. API paths carry the
    /// `/v2` of their server; OAuth and incoming-webhook paths have none.
    pub fn identify(&self, method: &str, path: &str) -> Option<OperationId> {
        let path = path.strip_prefix("/v2").filter(|_| path.starts_with("/v2/")).unwrap_or(path);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        // A literal segment matches before a template (OpenAPI's rule, and axum's):
        // `PATCH /chat/channels/events` is `archiveChannels`, not `updateChannel`.
        self.routes
            .iter()
            .filter(|(m, template, _)| {
                m == method
                    && template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(t, s)| t.starts_with('{') || t == s)
            })
            .max_by_key(|(_, template, _)| template.iter().filter(|t| !t.starts_with('{')).count())
            .map(|(_, _, id)| *id)
    }

    pub fn validator(&self) -> &Validator<'static> {
        &self.validator
    }

    /// The fields of the operation's multipart body that the spec makes arrays (a part may
    /// stand several times); none for an operation without one.
    pub fn form_arrays(&self, id: OperationId) -> Vec<&'static str> {
        self.form_fields(id, |field| matches!(field.schema_kind, SchemaKind::Type(Type::Array(_))))
    }

    /// The fields of the operation's multipart body that hold files (`format: binary`, or an
    /// array of them); none for an operation without one.
    pub fn form_files(&self, id: OperationId) -> Vec<&'static str> {
        self.form_fields(id, is_binary)
    }

    /// The fields of the operation's multipart body whose schema is `pick`'s.
    fn form_fields(&self, id: OperationId, pick: impl Fn(&Schema) -> bool) -> Vec<&'static str> {
        let Some(ReferenceOr::Item(schema)) = self.get(id).form else { return Vec::new() };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else { return Vec::new() };
        object
            .properties
            .iter()
            .filter(|(_, field)| matches!(field, ReferenceOr::Item(f) if pick(f)))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Checks a multipart body's fields, given as JSON (a file part as its name), against the
    /// operation's schema.
    pub fn validate_form(&self, id: OperationId, form: &Value) -> Result<(), Invalid> {
        let Some(schema) = self.get(id).form else { return Ok(()) };
        let violations = self.validator.validate(schema, form, "");
        if violations.is_empty() { Ok(()) } else { Err(Invalid::Rules(violations)) }
    }

    /// Checks the query parameters of `id` and, if it has a JSON body, parses and checks the
    /// body. Returns the parsed body.
    pub fn validate(&self, id: OperationId, query: &[(String, String)], body: &[u8]) -> Result<Option<Value>, Invalid> {
        let op = self.get(id);
        let mut violations = self.validate_query(op, query);
        let parsed = match op.body {
            None => None,
            Some(schema) => {
                if body.iter().all(u8::is_ascii_whitespace) {
                    violations.push(Violation { path: "body".into(), rule: "is required".into() });
                    None
                } else {
                    let value: Value = serde_json::from_slice(body)
                        .map_err(|e| Invalid::Malformed(format!("the body is not valid JSON ({e})")))?;
                    violations.extend(self.validator.validate(schema, &value, ""));
                    Some(value)
                }
            }
        };
        if violations.is_empty() { Ok(parsed) } else { Err(Invalid::Rules(violations)) }
    }

    fn validate_query(&self, op: &Operation, query: &[(String, String)]) -> Vec<Violation> {
        let mut out = Vec::new();
        for group in &op.query_one_of {
            if !group.iter().any(|name| query.iter().any(|(k, _)| k == name)) {
                let (last, others) = group.split_last().expect("groups are not empty");
                let rule = format!("is required when {} is not given", others.join(" or "));
                out.push(Violation { path: last.clone(), rule });
            }
        }
        for p in &op.query {
            let data = p.parameter_data_ref();
            let ParameterSchemaOrContent::Schema(schema) = &data.format else { continue };
            match query.iter().find(|(k, _)| *k == data.name) {
                None if data.required => out.push(Violation { path: data.name.clone(), rule: "is required".into() }),
                None => {}
                Some((_, raw)) => match typed_query_value(schema, raw) {
                    Ok(value) => out.extend(self.validator.validate(schema, &value, &data.name)),
                    Err(rule) => out.push(Violation { path: data.name.clone(), rule }),
                },
            }
        }
        out
    }
}

/// Whether a schema is a file's (`type: string, format: binary`), or an array of files.
fn is_binary(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => matches!(s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Binary)),
        SchemaKind::Type(Type::Array(a)) => matches!(&a.items, Some(ReferenceOr::Item(items)) if is_binary(items)),
        _ => false,
    }
}

/// A query value is text; the schema says what JSON value it stands for.
fn typed_query_value(schema: &ReferenceOr<Schema>, raw: &str) -> Result<Value, String> {
    let kind = match schema {
        ReferenceOr::Item(s) => &s.schema_kind,
        ReferenceOr::Reference { .. } => return Ok(Value::String(raw.to_owned())),
    };
    match kind {
        SchemaKind::Type(Type::Integer(_)) => {
            raw.parse::<i64>().map(Value::from).map_err(|_| "must be an integer".to_owned())
        }
        SchemaKind::Type(Type::Boolean(_)) => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("must be true or false".to_owned()),
        },
        _ => Ok(Value::String(raw.to_owned())),
    }
}
