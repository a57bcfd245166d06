//! The tables the xtask writes beside progenitor's output, from the same spec, as data only:
//! each is the invocation of a macro of `crates/zoom-api-gen/src/shapes/` (which holds the
//! code that does not depend on the spec) with the spec's rows. The operations (`OperationId`,
//! `Tag`, `OperationInfo`, the rate limits) go into `crates/zoom-api-gen/src/operations.rs`,
//! the events (`EventKind`, `ZoomEvent::kind`) into `events.rs`, the card elements into
//! `cards.rs`, and the doc line of each generated operation (method, path, token, rate label)
//! into the generated client's docs.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// One operation of the spec, as the tables need it.
#[derive(Clone)]
pub struct Op {
    /// The spec's `operationId` (ours, camelCase): what the fake keys operations by.
    pub id: String,
    /// The client method's name, as progenitor derives it and reports it to hooks.
    pub name: String,
    /// `x-zoom-operation-id`, unless it is `none`.
    pub zoom_id: Option<String>,
    pub method: String,
    pub path: String,
    /// The path part of the operation's server (`/v2` for the REST API, empty elsewhere).
    pub base_path: String,
    /// The operation's server URL, as the spec names it (`https://file.zoom.us/v2`).
    pub server: String,
    /// `x-rate-limit-label`, unless it is `none`.
    pub label: Option<String>,
    pub tag: String,
    pub summary: String,
    /// The description of the operation's security scheme: the kind of token it takes.
    pub token: String,
}

impl Op {
    /// The sentence that restates the operation's method, path, id, token and rate label.
    pub fn doc_line(&self) -> String {
        let token = self.token.trim().trim_end_matches('.');
        let mut chars = token.chars();
        let token = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
            None => String::new(),
        };
        let label = match &self.label {
            Some(label) => format!("rate label {label}"),
            None => "no rate label".to_owned(),
        };
        format!("Sends `{} {}` (`{}`) with {token}; {label}.", self.method, self.path, self.id)
    }
}

/// The path of a server URL: `https://api.zoom.us/v2` -> `/v2`.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/').map_or(String::new(), |i| rest[i..].trim_end_matches('/').to_owned())
}

/// Every operation of the spec, in its order.
pub fn operations_of(spec: &openapiv3::OpenAPI) -> Result<Vec<Op>, String> {
    let schemes = spec.components.as_ref().map(|c| &c.security_schemes);
    let mut out = Vec::new();
    for (path, item) in spec.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, op) in item.iter() {
            let id = op.operation_id.clone().ok_or_else(|| format!("{method} {path} has no operationId"))?;
            let text = |key: &str| op.extensions.get(key).and_then(|v| v.as_str()).filter(|v| *v != "none");
            let server = op
                .servers
                .first()
                .or_else(|| item.servers.first())
                .or_else(|| spec.servers.first())
                .ok_or_else(|| format!("{id}: no server"))?;
            let scheme = op
                .security
                .as_ref()
                .and_then(|s| s.first())
                .and_then(|r| r.keys().next())
                .ok_or_else(|| format!("{id}: no security requirement"))?;
            let token = schemes
                .and_then(|s| s.get(scheme))
                .and_then(|s| serde_json::to_value(s).ok())
                .and_then(|v| v["description"].as_str().map(str::to_owned))
                .ok_or_else(|| format!("{id}: security scheme {scheme} has no description"))?;
            out.push(Op {
                name: id.to_snake_case(),
                zoom_id: text("x-zoom-operation-id").map(str::to_owned),
                method: method.to_uppercase(),
                path: path.clone(),
                base_path: path_of(&server.url),
                server: server.url.trim_end_matches('/').to_owned(),
                label: text("x-rate-limit-label").map(str::to_owned),
                tag: op.tags.first().cloned().ok_or_else(|| format!("{id}: no tag"))?,
                summary: op.summary.clone().unwrap_or_default(),
                token,
                id,
            });
        }
    }
    Ok(out)
}

/// progenitor documents each operation (its method and builder) with "Sends a `METHOD`
/// request to `PATH`"; this puts the operation's whole doc line there instead.
pub fn with_operation_docs(mut code: String, ops: &[Op]) -> Result<String, String> {
    for op in ops {
        let generated = format!("Sends a `{}` request to `{}`", op.method, op.path);
        if !code.contains(&generated) {
            return Err(format!("{}: progenitor's doc line ({generated}) was not found", op.id));
        }
        code = code.replace(&generated, &op.doc_line());
    }
    Ok(code)
}

/// A Rust string literal of `text`.
fn lit(text: &str) -> String {
    format!("{text:?}")
}

/// `Some("text")`, or `None`.
fn some_lit(text: Option<&str>) -> String {
    text.map_or("None".to_owned(), |t| format!("Some({})", lit(t)))
}

/// The spec's operations, tags and rate limits, as the rows of `operation_table!`
/// (`crates/zoom-api-gen/src/shapes/operations.rs`), and each operation's `operation_doc!` arm.
pub fn operation_table(spec: &openapiv3::OpenAPI, ops: &[Op]) -> Result<String, String> {
    let limits =
        spec.extensions.get("x-rate-limits").ok_or("crates/zoom-spec/spec/chatbot.yaml has no x-rate-limits")?;
    let plans = limits["plans"].as_object().ok_or("x-rate-limits.plans must be a map")?;
    let mut labels: Vec<String> = Vec::new();
    let (mut plan_rows, mut rate_rows) = (String::new(), String::new());
    for (plan, per_label) in plans {
        let ident = plan.to_upper_camel_case();
        plan_rows += &format!("        {ident} = {},\n", lit(plan));
        for (label, rate) in per_label.as_object().ok_or("a plan maps labels to rates")? {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
            let per_second = rate["per_second"].as_u64().ok_or("per_second must be a number")?;
            let per_day = rate.get("per_day").and_then(|d| d.as_u64()).map_or("None".into(), |d| format!("Some({d})"));
            rate_rows += &format!("        ({ident}, {label}, {per_second}, {per_day}),\n");
        }
    }
    let label_rows: String = labels.iter().map(|l| format!("        {l} = {},\n", lit(l))).collect();
    let mut window_rows = String::new();
    for w in limits["channel_send_windows"].as_array().ok_or("channel_send_windows must be a list")? {
        let (m, s, b) = (w["messages"].as_u64(), w["seconds"].as_u64(), w["blocked_seconds"].as_u64());
        let (Some(m), Some(s), Some(b)) = (m, s, b) else {
            return Err("a channel window needs messages, seconds, blocked_seconds".into());
        };
        window_rows += &format!("        ({m}, {s}, {b}),\n");
    }
    let tag_names: Vec<&str> = spec.tags.iter().map(|t| t.name.as_str()).collect();
    let tag_rows: String = spec
        .tags
        .iter()
        .map(|t| {
            let doc = lit(t.description.as_deref().unwrap_or_default());
            format!("        #[doc = {doc}] {} = {},\n", t.name.to_upper_camel_case(), lit(&t.name))
        })
        .collect();
    let (mut op_rows, mut doc_arms) = (String::new(), String::new());
    for op in ops {
        let label = match &op.label {
            None => "None".to_owned(),
            Some(l) if labels.contains(l) => format!("Some(RateLabel::{l})"),
            Some(l) => return Err(format!("{}: x-rate-limit-label {l:?} is not a label of x-rate-limits", op.id)),
        };
        if !tag_names.contains(&op.tag.as_str()) {
            return Err(format!("{}: tag {:?} is not one of the spec's tags", op.id, op.tag));
        }
        let doc = lit(&op.doc_line());
        op_rows += &format!(
            "        #[doc = {}]\n        {} {{\n            id: {}, method_name: {}, zoom_id: {},\n            \
             method: {}, path: {}, base_path: {}, server: {},\n            label: {label}, tag: {}, doc: {doc},\n        }},\n",
            lit(&op.summary),
            op.id.to_upper_camel_case(),
            lit(&op.id),
            lit(&op.name),
            some_lit(op.zoom_id.as_deref()),
            lit(&op.method),
            lit(&op.path),
            lit(&op.base_path),
            lit(&op.server),
            op.tag.to_upper_camel_case(),
        );
        doc_arms += &format!("    ({}) => {{ {doc} }};\n", op.id);
    }
    Ok(format!(
        "//! Every operation of the spec (its id, tag, method, path and rate label), and Zoom's\n\
         //! rate limits, for request policies (and the fake Zoom) that act per operation.\n\n\
         crate::shapes::operation_table! {{\n    labels: [\n{label_rows}    ],\n    plans: [\n{plan_rows}    ],\n    \
         plan_rates: [\n{rate_rows}    ],\n    channel_send_windows: [\n{window_rows}    ],\n    tags: [\n{tag_rows}    ],\n    \
         operations: [\n{op_rows}    ],\n}}\n\n\
         /// The doc line of an operation, by its id (`operation_doc!(sendChatbotMessage)`): the\n\
         /// method, path, token and rate label, for a wrapper's docs\n\
         /// (`#[doc = zoom_api_gen::operation_doc!(sendChatbotMessage)]`).\n\
         #[macro_export]\nmacro_rules! operation_doc {{\n{doc_arms}}}\n"
    ))
}

/// The spec's events, as the rows of `event_table!` (`crates/zoom-api-gen/src/shapes/events.rs`):
/// each `ZoomEvent` variant, its name, its payload's type and the type of the payload's
/// `object` where it has one; then each such object type once; then, for each field that says
/// who or where an event is (`account_id`, `robot_jid`, `user_jid`, `to_jid`, `message_id`:
/// the card an interactive event acted on), the events whose payload has it.
pub fn event_table(spec: &openapiv3::OpenAPI) -> Result<String, String> {
    let schema = zoom_spec::component_schema(spec, "ZoomEvent").ok_or("the spec has no ZoomEvent schema")?;
    let value = serde_json::to_value(schema).map_err(|e| e.to_string())?;
    let events = value["oneOf"].as_array().ok_or("ZoomEvent must be a oneOf")?;
    let mut rows = String::new();
    let mut objects: Vec<String> = Vec::new();
    // The fields that say who and where an event is, each with the events whose payload has it.
    let mut addressed: Vec<(&str, Vec<String>)> =
        ["account_id", "robot_jid", "user_jid", "to_jid", "message_id"].into_iter().map(|f| (f, Vec::new())).collect();
    for v in events {
        let name = match v["properties"]["event"]["enum"].as_array().map(Vec::as_slice) {
            Some([serde_json::Value::String(name)]) => name.clone(),
            _ => return Err(format!("ZoomEvent variant {} must give `event` a one-value enum", v["title"])),
        };
        let payload = v["properties"]["payload"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| format!("ZoomEvent variant {name}: `payload` must be a $ref to a component"))?;
        let doc = format!("`{name}`: {}", v["description"].as_str().unwrap_or_default());
        // The payload's `object`, where it has one: a named component, and required.
        let payload_schema = zoom_spec::component_schema(spec, payload).ok_or(format!("{payload} leads nowhere"))?;
        let payload_schema = serde_json::to_value(payload_schema).map_err(|e| e.to_string())?;
        let object = match payload_schema["properties"].get("object") {
            None => String::new(),
            Some(object) => {
                let object = object["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .ok_or_else(|| format!("{payload}: `object` must be a $ref to a component"))?
                    .to_upper_camel_case();
                if !payload_schema["required"].as_array().is_some_and(|r| r.iter().any(|f| f == "object")) {
                    return Err(format!("{payload}: `object` must be required"));
                }
                if !objects.contains(&object) {
                    objects.push(object.clone());
                }
                format!(", object {object}")
            }
        };
        // The payload's addressing fields (`accountId` and `account_id` alike), by the names
        // progenitor gives them.
        let variant = name.to_upper_camel_case();
        if let Some(properties) = payload_schema["properties"].as_object() {
            for field in properties.keys().map(|k| k.to_snake_case()) {
                if let Some((_, variants)) = addressed.iter_mut().find(|(f, _)| *f == field) {
                    variants.push(variant.clone());
                }
            }
        }
        // As progenitor names the variants of an enum told apart by a tag.
        rows += &format!(
            "        #[doc = {}]\n        {} = {} ({}{object}),\n",
            lit(&doc),
            variant,
            lit(&name),
            payload.to_upper_camel_case()
        );
    }
    let objects: String = objects.iter().map(|o| format!("{o}, ")).collect();
    let addressed: String =
        addressed.iter().map(|(field, variants)| format!("        {field}: [{}],\n", variants.join(", "))).collect();
    Ok(format!(
        "//! The kinds of event the spec's `ZoomEvent` defines, with the names Zoom gives them, the\n\
         //! objects their payloads carry and the events naming an account, a bot, a user or a\n\
         //! conversation.\n\n\
         use crate::types::ZoomEvent;\n\n\
         crate::shapes::event_table! {{\n    events: [\n{rows}    ],\n    objects: [{}],\n    \
         addressed: {{\n{addressed}    }},\n}}\n",
        objects.trim_end()
    ))
}

/// The card elements of the spec (`CardBodyItem`'s `oneOf`, one named component each), as the
/// rows of `card_table!` (`crates/zoom-api-gen/src/shapes/cards.rs`): each element's variant
/// and `type`, so that no reader of cards (the fake's page, the tests) lists the kinds by hand.
pub fn card_table(spec: &openapiv3::OpenAPI) -> Result<String, String> {
    let schema = zoom_spec::component_schema(spec, "CardBodyItem").ok_or("the spec has no CardBodyItem schema")?;
    let value = serde_json::to_value(schema).map_err(|e| e.to_string())?;
    let variants = value["oneOf"].as_array().ok_or("CardBodyItem must be a oneOf")?;
    let mut rows = String::new();
    for v in variants {
        let reference = v["$ref"].as_str().ok_or("each CardBodyItem variant must be a $ref to a named component")?;
        let name = reference.strip_prefix("#/components/schemas/").ok_or("a card element lives in components")?;
        let element = zoom_spec::component_schema(spec, name).ok_or(format!("{reference} leads nowhere"))?;
        let element = serde_json::to_value(element).map_err(|e| e.to_string())?;
        let kind = match element["properties"]["type"]["enum"].as_array().map(Vec::as_slice) {
            Some([serde_json::Value::String(kind)]) => kind.clone(),
            _ => return Err(format!("{name} must give `type` a one-value enum")),
        };
        // typify names each variant after its component, less the prefix they share.
        rows += &format!("    {} = {},\n", name.strip_prefix("Card").unwrap_or(name), lit(&kind));
    }
    Ok(format!(
        "//! The spec's card elements: each one's `type`, in the spec's order.\n\n\
         crate::shapes::card_table! {{\n{rows}}}\n"
    ))
}
