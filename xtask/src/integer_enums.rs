//! Zoom's integer enums. typify makes no usable type of an integer `enum`, so the spec names
//! each one as a component (`type: integer`, `enum`, `x-enum-varnames`, optionally
//! `x-enum-descriptions`), and a field takes it with its own `enum` (the values it accepts,
//! which the validator enforces) and `x-enum-type: Component`. For progenitor, each such field
//! becomes a `$ref` to its component and each component is replaced by the type that
//! `integer_enum!` (`crates/zoom-api-gen/src/shapes/integer_enums.rs`) defines in the
//! generated `types`, from the rows written here.

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

/// One integer enum of the spec.
pub struct IntegerEnum {
    pub name: String,
    description: String,
    /// Each value, its variant's name and its description.
    values: Vec<(i64, String, String)>,
}

/// The spec's integer-enum components, in its order.
pub fn of(spec: &openapiv3::OpenAPI) -> Result<Vec<IntegerEnum>, String> {
    let mut out = Vec::new();
    let Some(components) = &spec.components else { return Ok(out) };
    for (name, schema) in &components.schemas {
        let schema = serde_json::to_value(schema).map_err(|e| e.to_string())?;
        let Some(names) = schema.get("x-enum-varnames") else { continue };
        let text_list = |v: &Value, what: &str| -> Result<Vec<String>, String> {
            v.as_array()
                .and_then(|vs| vs.iter().map(|v| v.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| format!("{name}: {what} must be a list of strings"))
        };
        let names = text_list(names, "x-enum-varnames")?;
        let values: Vec<i64> = schema["enum"]
            .as_array()
            .and_then(|vs| vs.iter().map(Value::as_i64).collect())
            .filter(|_| schema["type"] == "integer")
            .ok_or_else(|| format!("{name}: an enum with x-enum-varnames must be an integer enum"))?;
        let docs = match schema.get("x-enum-descriptions") {
            Some(d) => text_list(d, "x-enum-descriptions")?,
            None => names.clone(),
        };
        if names.len() != values.len() || docs.len() != values.len() {
            return Err(format!("{name}: x-enum-varnames and x-enum-descriptions need one entry per value"));
        }
        let values = values.into_iter().zip(names).zip(docs).map(|((v, n), d)| (v, n, d)).collect();
        let description = schema["description"].as_str().unwrap_or_default().to_owned();
        out.push(IntegerEnum { name: name.clone(), description, values });
    }
    Ok(out)
}

/// The spec as progenitor is given it: every schema with `x-enum-type` becomes a `$ref` to
/// its component, after its values are checked to be the component's. (The spec's own order
/// of paths and properties is kept: it is the order of the generated code.)
pub fn for_progenitor(spec: &openapiv3::OpenAPI, enums: &[IntegerEnum]) -> Result<openapiv3::OpenAPI, String> {
    let mut spec = spec.clone();
    let mut problems = Vec::new();
    let mut walk = |s: &mut ReferenceOr<Schema>| refer(s, enums, &mut problems);
    if let Some(components) = &mut spec.components {
        components.schemas.values_mut().for_each(&mut walk);
        for p in components.parameters.values_mut() {
            parameter_schema(p).map(&mut walk);
        }
    }
    for item in spec.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else { continue };
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        let params = ops.into_iter().flatten().flat_map(|op| op.parameters.iter_mut());
        for p in params.chain(item.parameters.iter_mut()) {
            parameter_schema(p).map(&mut walk);
        }
    }
    if problems.is_empty() { Ok(spec) } else { Err(problems.join("\n")) }
}

fn parameter_schema(p: &mut ReferenceOr<openapiv3::Parameter>) -> Option<&mut ReferenceOr<Schema>> {
    let ReferenceOr::Item(p) = p else { return None };
    use openapiv3::Parameter::{Cookie, Header, Path, Query};
    let data = match p {
        Query { parameter_data, .. }
        | Header { parameter_data, .. }
        | Path { parameter_data, .. }
        | Cookie { parameter_data, .. } => parameter_data,
    };
    match &mut data.format {
        openapiv3::ParameterSchemaOrContent::Schema(s) => Some(s),
        openapiv3::ParameterSchemaOrContent::Content(_) => None,
    }
}

fn refer(schema: &mut ReferenceOr<Schema>, enums: &[IntegerEnum], problems: &mut Vec<String>) {
    let ReferenceOr::Item(item) = schema else { return };
    if let Some(name) = item.schema_data.extensions.get("x-enum-type").and_then(Value::as_str) {
        let own = match &item.schema_kind {
            SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().flatten().copied().collect(),
            _ => Vec::new(),
        };
        match enums.iter().find(|e| e.name == name) {
            None => problems.push(format!("x-enum-type {name} is not an integer enum of the spec")),
            Some(found) if own.is_empty() || own.iter().any(|v| !found.values.iter().any(|(k, _, _)| k == v)) => {
                problems.push(format!("a field of type {name} must list its values, each one of {name}'s"))
            }
            Some(_) => *schema = ReferenceOr::Reference { reference: format!("#/components/schemas/{name}") },
        }
        return;
    }
    let mut boxed = |s: &mut ReferenceOr<Box<Schema>>| {
        let mut unboxed = match std::mem::replace(s, ReferenceOr::Reference { reference: String::new() }) {
            ReferenceOr::Item(b) => ReferenceOr::Item(*b),
            ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference },
        };
        refer(&mut unboxed, enums, problems);
        *s = match unboxed {
            ReferenceOr::Item(b) => ReferenceOr::Item(Box::new(b)),
            ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference },
        };
    };
    match &mut item.schema_kind {
        SchemaKind::Type(Type::Object(o)) => o.properties.values_mut().for_each(&mut boxed),
        SchemaKind::Type(Type::Array(a)) => a.items.iter_mut().for_each(&mut boxed),
        SchemaKind::OneOf { one_of: all } | SchemaKind::AllOf { all_of: all } | SchemaKind::AnyOf { any_of: all } => {
            all.iter_mut().for_each(|s| refer(s, enums, problems))
        }
        _ => {}
    }
}

/// The `integer_enum!` invocation of one enum, to be put into the generated `types`.
pub fn invocation(e: &IntegerEnum) -> Result<syn::Item, String> {
    let rows: String = e.values.iter().map(|(v, n, d)| format!("#[doc = {d:?}] {n} = {v},\n")).collect();
    let code = format!("crate::shapes::integer_enum! {{ #[doc = {:?}] {} {{ {rows} }} }}", e.description, e.name);
    syn::parse_str(&code).map_err(|err| format!("{}: the integer enum does not parse: {err}", e.name))
}

/// progenitor writes a replaced type's path as it is given (`crate::types::X`), which in the
/// mocks' crate must name the generated crate.
pub fn in_mocks(mut code: String, enums: &[IntegerEnum]) -> String {
    for e in enums {
        code = code.replace(&format!("crate::types::{}", e.name), &format!("zoom_api_gen::types::{}", e.name));
    }
    code
}
