#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Mutex, OnceLock};

pub use openapiv3;
use openapiv3::{
    AdditionalProperties, IntegerFormat, OpenAPI, Parameter, ReferenceOr, Response, Schema, SchemaKind, StringFormat,
    Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

/// The text of `crates/zoom-spec/spec/chatbot.yaml`, as compiled in.
pub const SPEC_YAML: &str = include_str!("../spec/chatbot.yaml");

/// Parses an OpenAPI 3.0 document written in YAML.
pub fn parse(yaml: &str) -> Result<OpenAPI, String> {
    yaml_serde::from_str(yaml)
        .map_err(|e| format!("crates/zoom-spec/spec/chatbot.yaml is not a valid OpenAPI 3.0 document: {e}"))
}

/// The embedded spec, parsed once.
///
/// # Panics
/// If the embedded spec does not parse; `cargo xtask codegen` refuses such a spec first.
pub fn spec() -> &'static OpenAPI {
    static SPEC: OnceLock<OpenAPI> = OnceLock::new();
    SPEC.get_or_init(|| parse(SPEC_YAML).unwrap_or_else(|e| panic!("{e}")))
}

/// The component schema called `name`, if the spec has one.
pub fn component_schema<'a>(spec: &'a OpenAPI, name: &str) -> Option<&'a Schema> {
    match spec.components.as_ref()?.schemas.get(name)? {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => resolve(spec, reference),
    }
}

/// A parameter, following a `$ref` into `#/components/parameters` (one level, as the spec
/// writes them); `None` if the reference leads nowhere.
pub fn parameter<'a>(spec: &'a OpenAPI, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    follow(spec, p, "#/components/parameters/", |c, name| c.parameters.get(name))
}

/// A response, following a `$ref` into `#/components/responses`; `None` if it leads nowhere.
pub fn response<'a>(spec: &'a OpenAPI, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
    follow(spec, r, "#/components/responses/", |c, name| c.responses.get(name))
}

/// `item`, or the component its `$ref` names under `prefix` (found by `get`), one level deep.
fn follow<'a, T>(
    spec: &'a OpenAPI,
    item: &'a ReferenceOr<T>,
    prefix: &str,
    get: impl FnOnce(&'a openapiv3::Components, &str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    match item {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            get(spec.components.as_ref()?, reference.strip_prefix(prefix)?)?.as_item()
        }
    }
}

fn resolve<'a>(spec: &'a OpenAPI, reference: &str) -> Option<&'a Schema> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    component_schema(spec, name)
}

/// One rule a value broke: where (a dotted path such as `content.body[0].text`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The field, as a dotted path from the root name given to the validator.
    pub path: String,
    /// The rule, in words: "is required", "must have at most 1024 characters", ...
    pub rule: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

/// Where the validator is in a value. Built on the stack as the walk descends, and turned
/// into text only when a violation is reported, so valid values cost no string work.
#[derive(Clone, Copy)]
enum At<'a> {
    Root(&'a str),
    Field(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root(name) => f.write_str(name),
            At::Field(parent, name) => match parent {
                At::Root("") => f.write_str(name),
                parent => write!(f, "{parent}.{name}"),
            },
            At::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Checks JSON values against the schemas of one spec.
pub struct Validator<'a> {
    spec: &'a OpenAPI,
    patterns: Mutex<HashMap<String, regex::Regex>>,
}

impl<'a> Validator<'a> {
    /// A validator for the schemas of `spec`.
    pub fn new(spec: &'a OpenAPI) -> Self {
        Self { spec, patterns: Mutex::new(HashMap::new()) }
    }

    /// Checks `value` against a schema or a `$ref` to one; `root` names the value in the
    /// violations (for example `body` or the query parameter's name).
    pub fn validate(&self, schema: &ReferenceOr<Schema>, value: &Value, root: &str) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check_ref(schema, value, &At::Root(root), &mut out);
        out
    }

    /// Checks `value` against a schema.
    pub fn validate_schema(&self, schema: &Schema, value: &Value, root: &str) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(schema, value, &At::Root(root), &mut out);
        out
    }

    /// Checks `value` against the component schema called `name`; `None` if there is none.
    pub fn validate_component(&self, name: &str, value: &Value, root: &str) -> Option<Vec<Violation>> {
        component_schema(self.spec, name).map(|s| self.validate_schema(s, value, root))
    }

    fn collect(&self, schema: &ReferenceOr<Schema>, value: &Value, path: &At<'_>) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check_ref(schema, value, path, &mut out);
        out
    }

    fn check_ref(&self, schema: &ReferenceOr<Schema>, value: &Value, path: &At<'_>, out: &mut Vec<Violation>) {
        match schema {
            ReferenceOr::Item(s) => self.check(s, value, path, out),
            ReferenceOr::Reference { reference } => match resolve(self.spec, reference) {
                Some(s) => self.check(s, value, path, out),
                None => out.push(violation(path, format!("refers to {reference}, which the spec lacks"))),
            },
        }
    }

    fn check_boxed(&self, schema: &ReferenceOr<Box<Schema>>, value: &Value, path: &At<'_>, out: &mut Vec<Violation>) {
        match schema {
            ReferenceOr::Item(s) => self.check(s, value, path, out),
            ReferenceOr::Reference { reference } => {
                self.check_ref(&ReferenceOr::Reference { reference: reference.clone() }, value, path, out)
            }
        }
    }

    fn check(&self, schema: &Schema, value: &Value, path: &At<'_>, out: &mut Vec<Violation>) {
        if value.is_null() {
            if !schema.schema_data.nullable {
                out.push(violation(path, "must not be null"));
            }
            return;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                let Some(text) = value.as_str() else {
                    return out.push(violation(path, "must be a string"));
                };
                let len = text.chars().count();
                let (min, max) = (s.min_length.map(|m| (m, false)), s.max_length.map(|m| (m, false)));
                check_bounds(len, min, max, ("have", " characters"), path, out);
                if !s.enumeration.is_empty() && !s.enumeration.iter().flatten().any(|e| e == text) {
                    let allowed: Vec<&str> = s.enumeration.iter().flatten().map(String::as_str).collect();
                    out.push(violation(path, format!("must be one of: {}", allowed.join(", "))));
                }
                if let Some(pattern) = &s.pattern
                    && !self.matches(pattern, text)
                {
                    out.push(violation(path, format!("must match {pattern}")));
                }
                match &s.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) if !is_date(text) => {
                        out.push(violation(path, "must be a date, yyyy-mm-dd"))
                    }
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) if !is_date_time(text) => {
                        out.push(violation(path, "must be an RFC 3339 date-time"))
                    }
                    VariantOrUnknownOrEmpty::Unknown(f) if f == "email" && !is_email(text) => {
                        out.push(violation(path, "must be an email address, name@domain"))
                    }
                    _ => {}
                }
            }
            SchemaKind::Type(Type::Integer(i)) => {
                // Integers of any size are compared exactly (i128 holds every i64 and u64);
                // one beyond 64 bits is an integer that does not fit its format.
                let n: Option<i128> = value.as_i64().map(i128::from).or_else(|| value.as_u64().map(i128::from));
                let Some(n) = n else {
                    let whole = value.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0);
                    return out.push(violation(path, if whole { "must fit in 64 bits" } else { "must be an integer" }));
                };
                let fits = match i.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => {
                        i32::try_from(n).is_ok().then_some(()).ok_or("32")
                    }
                    _ => i64::try_from(n).is_ok().then_some(()).ok_or("64"),
                };
                if let Err(bits) = fits {
                    out.push(violation(path, format!("must fit in {bits} bits")));
                }
                let min = i.minimum.map(|m| (i128::from(m), i.exclusive_minimum));
                let max = i.maximum.map(|m| (i128::from(m), i.exclusive_maximum));
                check_bounds(n, min, max, ("be", ""), path, out);
                if !i.enumeration.is_empty() && !i.enumeration.iter().flatten().any(|e| i128::from(*e) == n) {
                    out.push(violation(path, "is not an allowed value"));
                }
            }
            SchemaKind::Type(Type::Number(num)) => {
                let Some(n) = value.as_f64() else {
                    return out.push(violation(path, "must be a number"));
                };
                let (min, max) = (num.minimum.map(|m| (m, false)), num.maximum.map(|m| (m, false)));
                check_bounds(n, min, max, ("be", ""), path, out);
            }
            SchemaKind::Type(Type::Boolean(_)) => {
                if !value.is_boolean() {
                    out.push(violation(path, "must be a boolean"));
                }
            }
            SchemaKind::Type(Type::Array(a)) => {
                let Some(items) = value.as_array() else {
                    return out.push(violation(path, "must be an array"));
                };
                let (min, max) = (a.min_items.map(|m| (m, false)), a.max_items.map(|m| (m, false)));
                check_bounds(items.len(), min, max, ("have", " items"), path, out);
                if let Some(item_schema) = &a.items {
                    for (i, item) in items.iter().enumerate() {
                        self.check_boxed(item_schema, item, &At::Index(path, i), out);
                    }
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                let Some(map) = value.as_object() else {
                    return out.push(violation(path, "must be an object"));
                };
                for name in &o.required {
                    if !map.contains_key(name) {
                        out.push(violation(&At::Field(path, name), "is required"));
                    }
                }
                // `x-required-when: [{field, equals, require: [...]}]`: fields a value needs.
                for (field, equals, needed) in required_when(schema) {
                    if map.get(field).and_then(Value::as_str) == Some(equals) {
                        for name in needed.iter().filter(|n| !map.contains_key(**n)) {
                            out.push(violation(
                                &At::Field(path, name),
                                format!("is required when {field} is {equals}"),
                            ));
                        }
                    }
                }
                // `x-required-one-of: [[a, b], ...]`: each group needs one of its fields.
                for group in required_one_of(schema) {
                    if !group.iter().any(|name| map.contains_key(*name)) {
                        let last = group.last().copied().unwrap_or_default();
                        let rule = format!("is required when {} is not given", group[..group.len() - 1].join(" or "));
                        out.push(violation(&At::Field(path, last), rule));
                    }
                }
                // `x-at-most-one-of: [[a, b], ...]`: no two fields of a group together.
                for group in extension_groups(schema, "x-at-most-one-of") {
                    let mut given = group.iter().filter(|name| map.contains_key(**name));
                    if let (Some(first), Some(second)) = (given.next(), given.next()) {
                        out.push(violation(&At::Field(path, second), format!("must not be given with {first}")));
                    }
                }
                for (name, field) in map {
                    let field_path = At::Field(path, name);
                    match o.properties.get(name) {
                        Some(s) => self.check_boxed(s, field, &field_path, out),
                        None => match &o.additional_properties {
                            Some(AdditionalProperties::Any(false)) => {
                                out.push(violation(&field_path, "is not a known field"))
                            }
                            Some(AdditionalProperties::Schema(s)) => self.check_ref(s, field, &field_path, out),
                            _ => {}
                        },
                    }
                }
            }
            SchemaKind::OneOf { one_of } => self.check_one_of(one_of, value, path, out),
            SchemaKind::AnyOf { any_of } => {
                let all: Vec<Vec<Violation>> = any_of.iter().map(|s| self.collect(s, value, path)).collect();
                if !all.iter().any(Vec::is_empty) {
                    out.push(violation(path, "matches none of the allowed forms"));
                }
            }
            SchemaKind::AllOf { all_of } => {
                for s in all_of {
                    self.check_ref(s, value, path, out);
                }
            }
            SchemaKind::Not { .. } | SchemaKind::Any(_) => {}
        }
    }

    /// `oneOf`: exactly one variant must hold. When every variant is told apart by a one-value
    /// `type` property (as the card body items are), the value's `type` picks the one variant
    /// to check, so the violations name the real field and the other variants cost nothing.
    fn check_one_of(&self, variants: &[ReferenceOr<Schema>], value: &Value, path: &At<'_>, out: &mut Vec<Violation>) {
        if variants.iter().all(|v| self.type_tags(v).is_some()) {
            let tag_path = At::Field(path, "type");
            let Some(given) = value.get("type").and_then(Value::as_str) else {
                return out.push(violation(&tag_path, "is required"));
            };
            let has =
                |v: &ReferenceOr<Schema>| self.type_tags(v).is_some_and(|t| t.iter().flatten().any(|x| x == given));
            match variants.iter().find(|v| has(v)) {
                Some(variant) => self.check_ref(variant, value, path, out),
                None => {
                    let all: Vec<&str> = variants
                        .iter()
                        .filter_map(|v| self.type_tags(v))
                        .flatten()
                        .flatten()
                        .map(String::as_str)
                        .collect();
                    out.push(violation(&tag_path, format!("must be one of: {}", all.join(", "))));
                }
            }
            return;
        }
        match variants.iter().filter(|s| self.collect(s, value, path).is_empty()).count() {
            1 => {}
            0 => out.push(violation(path, "matches none of the allowed forms")),
            _ => out.push(violation(path, "matches more than one of the allowed forms")),
        }
    }

    /// The values of a variant's `type` enum, if the variant is tagged that way.
    fn type_tags<'s>(&'s self, variant: &'s ReferenceOr<Schema>) -> Option<&'s [Option<String>]> {
        let schema = match variant {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { reference } => resolve(self.spec, reference)?,
        };
        let SchemaKind::Type(Type::Object(o)) = &schema.schema_kind else { return None };
        let ReferenceOr::Item(tag) = o.properties.get("type")? else { return None };
        let SchemaKind::Type(Type::String(s)) = &tag.schema_kind else { return None };
        (!s.enumeration.is_empty()).then_some(s.enumeration.as_slice())
    }

    fn matches(&self, pattern: &str, text: &str) -> bool {
        let mut cache = self.patterns.lock().unwrap_or_else(|e| e.into_inner());
        if !cache.contains_key(pattern) {
            match regex::Regex::new(pattern) {
                Ok(re) => {
                    cache.insert(pattern.to_owned(), re);
                }
                // A pattern the regex engine cannot read refuses nothing; the xtask reports it.
                Err(_) => return true,
            }
        }
        cache[pattern].is_match(text)
    }
}

/// Checks the patterns of every schema in `spec` compile; returns the ones that do not.
pub fn unreadable_patterns(spec: &OpenAPI) -> Vec<String> {
    let mut bad = HashSet::new();
    let text = serde_json::to_value(spec).unwrap_or(Value::Null);
    collect_patterns(&text, &mut |p| {
        if regex::Regex::new(p).is_err() {
            bad.insert(p.to_owned());
        }
    });
    let mut bad: Vec<String> = bad.into_iter().collect();
    bad.sort();
    bad
}

fn collect_patterns(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("pattern", Value::String(p)) => f(p),
                    _ => collect_patterns(v, f),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, f)),
        _ => {}
    }
}

/// The rules of an object schema's `x-required-when` extension: (field, value, fields needed).
fn required_when(schema: &Schema) -> Vec<(&str, &str, Vec<&str>)> {
    let rules = schema.schema_data.extensions.get("x-required-when").and_then(Value::as_array);
    rules
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let needed = r["require"].as_array()?.iter().filter_map(Value::as_str).collect();
            Some((r["field"].as_str()?, r["equals"].as_str()?, needed))
        })
        .collect()
}

/// The groups of an object schema's `x-required-one-of` extension.
fn required_one_of(schema: &Schema) -> Vec<Vec<&str>> {
    extension_groups(schema, "x-required-one-of")
}

/// The groups of fields an object schema's extension `name` lists (`[[a, b], ...]`).
fn extension_groups<'s>(schema: &'s Schema, name: &str) -> Vec<Vec<&'s str>> {
    let groups = schema.schema_data.extensions.get(name).and_then(Value::as_array);
    groups
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_array().map(|names| names.iter().filter_map(Value::as_str).collect::<Vec<_>>()))
        .filter(|g| !g.is_empty())
        .collect()
}

/// A bound (`maximum`/`minimum`, `maxLength`/`minLength`, `maxItems`/`minItems`): `n` against
/// `max` and `min`, each `(bound, exclusive)`, in the words "must {verb} at most {max}{unit}".
fn check_bounds<T: PartialOrd + std::fmt::Display>(
    n: T,
    min: Option<(T, bool)>,
    max: Option<(T, bool)>,
    (verb, unit): (&str, &str),
    path: &At<'_>,
    out: &mut Vec<Violation>,
) {
    if let Some((max, exclusive)) = max
        && (n > max || (exclusive && n == max))
    {
        out.push(violation(path, format!("must {verb} at most {max}{unit}")));
    }
    if let Some((min, exclusive)) = min
        && (n < min || (exclusive && n == min))
    {
        out.push(violation(path, format!("must {verb} at least {min}{unit}")));
    }
}

fn violation(path: &At<'_>, rule: impl Into<String>) -> Violation {
    let path = path.to_string();
    Violation { path: if path.is_empty() { "body".into() } else { path }, rule: rule.into() }
}

/// An email address's shape: text, `@`, text (the last `@` splits them), no whitespace or
/// control characters. Looser than RFC 5321 on purpose: it refuses what is plainly no
/// address and nothing Zoom's examples or a mail client would take.
fn is_email(text: &str) -> bool {
    let shaped = text.rsplit_once('@').is_some_and(|(name, domain)| !name.is_empty() && !domain.is_empty());
    shaped && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `yyyy-mm-dd`, and a day of the calendar: what the generated types (chrono) read.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// RFC 3339's shape, and a real date, time and offset: what the generated types (chrono) read.
fn is_date_time(text: &str) -> bool {
    // yyyy-mm-ddThh:mm:ss[.frac](Z|+hh:mm|-hh:mm)
    let b = text.as_bytes();
    if b.len() < 20 || !text.get(..10).is_some_and(is_date) || !matches!(b[10], b'T' | b't') {
        return false;
    }
    let time = &b[11..19];
    let digits_ok =
        time.iter().enumerate().all(|(i, c)| if i == 2 || i == 5 { *c == b':' } else { c.is_ascii_digit() });
    let mut rest = &b[19..];
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    let zone_ok = match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    digits_ok && zone_ok && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(name: &str, value: Value) -> Vec<String> {
        Validator::new(spec())
            .validate_component(name, &value, "")
            .expect("schema exists")
            .into_iter()
            .map(|v| v.to_string())
            .collect()
    }

    #[test]
    fn missing_required_field_is_named() {
        assert_eq!(
            check("SendChatbotMessageRequest", json!({"robot_jid": "a", "to_jid": "b", "content": {}})),
            vec!["account_id: is required"]
        );
    }

    #[test]
    fn length_limit_names_the_limit() {
        let long = "x".repeat(1025);
        assert_eq!(
            check("SendChatMessageRequest", json!({ "message": long, "to_channel": "c1" })),
            vec!["message: must have at most 1024 characters"]
        );
        assert!(check("SendChatMessageRequest", json!({ "message": "x".repeat(1024), "to_channel": "c1" })).is_empty());
    }

    #[test]
    fn card_body_errors_point_into_the_tagged_variant() {
        let card = json!({"body": [{"type": "message", "text": "ok"}, {"type": "actions", "items": [{"text": "Go"}]}]});
        assert_eq!(check("Card", card), vec!["body[1].items[0].value: is required"]);
        assert_eq!(
            check("Card", json!({"body": [{"type": "carousel"}]}))[0].split(": must be one of").next(),
            Some("body[0].type")
        );
        assert_eq!(check("Card", json!({"body": [{"text": "no type"}]})), vec!["body[0].type: is required"]);
    }

    #[test]
    fn enums_types_patterns_and_formats() {
        assert_eq!(check("TextStyle", json!({"color": "#12345G"})), vec!["color: must match ^#[0-9A-Fa-f]{6}$"]);
        assert_eq!(check("TextStyle", json!({"bold": "yes"})), vec!["bold: must be a boolean"]);
        assert_eq!(
            check("ReactToChatMessageRequest", json!({"action": "toggle", "emoji": "U+1F44D"})),
            vec!["action: must be one of: add, remove"]
        );
        assert_eq!(
            check("SendChatMessageRequest", json!({"message": "m", "to_channel": "c", "scheduled_time": "tomorrow"})),
            vec!["scheduled_time: must be an RFC 3339 date-time"]
        );
        assert!(
            check(
                "SendChatMessageRequest",
                json!({"message": "m", "to_channel": "c", "scheduled_time": "2026-11-22T10:00:00.5+01:00"})
            )
            .is_empty()
        );
        assert_eq!(
            check(
                "SendChatMessageRequest",
                json!({"message": "m", "to_channel": "c", "file_ids": ["1","2","3","4","5","6","7"]})
            ),
            vec!["file_ids: must have at most 6 items"]
        );
        assert_eq!(
            check("ChatbotError", json!({"code": 1u64 << 40, "message": ""})),
            vec!["code: must fit in 32 bits"]
        );
        // `format: email` (the fuzzer's find: an address without `@` was taken).
        for bad in ["useratexample.com", "@example.com", "ana@", "ana @example.com", ""] {
            assert_eq!(
                check("ChannelMemberEmail", json!({ "email": bad })),
                vec!["email: must be an email address, name@domain"],
                "{bad:?}"
            );
        }
        for good in ["ana@example.com", "b$|0md8@9yq.test", "a.b+c@sub.example.org"] {
            assert!(check("ChannelMemberEmail", json!({ "email": good })).is_empty(), "{good:?}");
        }
    }

    #[test]
    fn every_pattern_in_the_spec_compiles() {
        assert_eq!(unreadable_patterns(spec()), Vec::<String>::new());
    }

    #[test]
    fn a_multi_byte_character_in_a_date_is_a_violation_not_a_panic() {
        // The fuzzer's find: a character of two bytes around byte 10 once panicked here.
        for text in ["2026-11-2é0T00:00:00Z", "2026-11-20é00:00:00Z", "2026-11-é", "ééééééééééééééééééééé"]
        {
            let schema = json!({"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"}, "on": {"type": "string", "format": "date"}}});
            let schema: Schema = serde_json::from_value(schema).unwrap();
            let violations = Validator::new(spec()).validate_schema(&schema, &json!({"at": text, "on": text}), "");
            assert_eq!(violations.len(), 2, "{text}: {violations:?}");
        }
    }

    #[test]
    fn the_extension_rules_are_enforced_and_named() {
        assert_eq!(
            check("SendChatMessageRequest", json!({ "message": "hi" })),
            vec!["to_channel: is required when to_contact is not given"]
        );
        assert!(check("SendChatMessageRequest", json!({ "message": "hi", "to_contact": "a@b.c" })).is_empty());
        assert_eq!(
            check("TokenRequest", json!({ "grant_type": "account_credentials" })),
            vec!["account_id: is required when grant_type is account_credentials"]
        );
        assert!(check("TokenRequest", json!({ "grant_type": "client_credentials" })).is_empty());
        let both = json!({"type": "select", "text": "t", "select_items": [], "static_source": "members"});
        assert_eq!(check("CardSelect", both), vec!["static_source: must not be given with select_items"]);
        assert!(check("CardSelect", json!({"type": "select", "text": "t", "static_source": "members"})).is_empty());
    }

    #[test]
    fn integers_are_read_exactly_whatever_their_size() {
        let schema: Schema =
            serde_json::from_value(json!({"type": "integer", "format": "int64", "minimum": 1})).unwrap();
        let v = Validator::new(spec());
        let rules = |value: Value| -> Vec<String> {
            v.validate_schema(&schema, &value, "n").into_iter().map(|v| v.rule).collect()
        };
        assert!(rules(json!(i64::MAX)).is_empty());
        assert_eq!(rules(json!(u64::MAX)), ["must fit in 64 bits"], "no wrap to a negative number");
        assert_eq!(rules(serde_json::from_str("1e30").unwrap()), ["must fit in 64 bits"]);
        assert_eq!(rules(json!(1.5)), ["must be an integer"]);
        assert_eq!(rules(json!(0)), ["must be at least 1"]);
    }

    /// Found by the `spec_validator` fuzz target: a date-time of the right shape but no real
    /// date (month 73) passed, and the generated type, which reads it with chrono, refused
    /// the event the validator had taken.
    #[test]
    fn impossible_dates_and_times_are_violations() {
        let schema: Schema = serde_json::from_value(json!({"type": "object", "properties": {
            "at": {"type": "string", "format": "date-time"}, "on": {"type": "string", "format": "date"}}}))
        .unwrap();
        let rules = |value: Value| -> Vec<String> {
            Validator::new(spec()).validate_schema(&schema, &value, "").into_iter().map(|v| v.to_string()).collect()
        };
        for at in [
            "2023-73-10T05:08:10Z",
            "2026-02-30T00:00:00Z",
            "2026-00-10T00:00:00Z",
            "2026-11-00T00:00:00Z",
            "2026-11-20T24:00:00Z",
            "2026-11-20T00:61:00Z",
            "2026-11-20T00:00:61Z",
            "2026-11-20T00:00:00+24:00",
            "2026-11-20T00:00:00-01:60",
        ] {
            assert_eq!(rules(json!({ "at": at })), ["at: must be an RFC 3339 date-time"], "{at}");
        }
        for on in ["2026-13-01", "2026-02-29", "2026-04-31", "0000-00-00"] {
            assert_eq!(rules(json!({ "on": on })), ["on: must be a date, yyyy-mm-dd"], "{on}");
        }
        for (at, on) in [("2024-02-29T23:59:59.5+05:30", "2024-02-29"), ("2026-12-31t23:59:60z", "2000-02-29")] {
            assert_eq!(rules(json!({ "at": at, "on": on })), Vec::<String>::new(), "{at} {on}");
        }

        // The fuzzer's input: Zoom's link_shared example with that date.
        let events: Value = serde_json::from_str(include_str!("../spec/zoom-published/event-examples.json")).unwrap();
        let v = Validator::new(spec());
        let mut event = events["team_chat.link_shared"].clone();
        assert_eq!(v.validate_component("ZoomEvent", &event, "").unwrap(), []);
        event["payload"]["object"]["date_time"] = json!("2023-73-10T05:08:10Z");
        assert_ne!(v.validate_component("ZoomEvent", &event, "").unwrap(), []);
        let found = v.validate_component("LinkSharedObject", &event["payload"]["object"], "object").unwrap();
        assert_eq!(
            found.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["object.date_time: must be an RFC 3339 date-time"]
        );
    }

    proptest::proptest! {
        /// No string makes a format check panic, and the date-time check agrees with chrono's
        /// RFC 3339 reader wherever the text has the shape the spec asks for.
        #[test]
        fn format_checks_never_panic(text in "\\PC{0,40}") {
            let _ = is_date(&text);
            let accepted = is_date_time(&text);
            if accepted {
                proptest::prop_assert!(chrono_like_rfc3339(&text), "{text} accepted");
            }
        }

        /// Near misses of a valid date-time, one character changed, never panic either.
        #[test]
        fn near_misses_never_panic(at in 0usize..20, c in proptest::char::any()) {
            let mut text: Vec<char> = "2026-11-20T00:00:00Z".chars().collect();
            text[at] = c;
            let text: String = text.into_iter().collect();
            let _ = is_date_time(&text);
            let _ = is_date(&text[..text.char_indices().nth(10).map_or(text.len(), |(i, _)| i)]);
        }

        /// Every pattern of the spec takes any string without panicking.
        #[test]
        fn patterns_take_any_string(text in "\\PC{0,40}") {
            let v = Validator::new(spec());
            let mut patterns = Vec::new();
            collect_patterns(&serde_json::to_value(spec()).unwrap(), &mut |p| patterns.push(p.to_owned()));
            for p in patterns {
                let _ = v.matches(&p, &text);
            }
        }
    }

    /// A hand check of RFC 3339's shape, independent of `is_date_time`'s code.
    fn chrono_like_rfc3339(text: &str) -> bool {
        let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$").unwrap();
        re.is_match(text)
    }
}
