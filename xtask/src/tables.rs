//! The tables the xtask writes beside progenitor's output, from the same spec: the operations
//! (`OperationId`, `Tag`, `OperationInfo`, the rate limits) into
//! `crates/zoom-api-gen/src/operations.rs`, the events (`EventKind`, `ZoomEvent::kind`) into
//! `crates/zoom-api-gen/src/events.rs`, and the doc line of each generated operation (method,
//! path, token, rate label) into the generated client's docs.

use heck::{ToSnakeCase, ToUpperCamelCase};
use quote::{format_ident, quote};

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

/// The spec's operations, tags and rate limits as tables a request policy (and the fake)
/// consult at run time.
pub fn operation_table(spec: &openapiv3::OpenAPI, ops: &[Op]) -> Result<proc_macro2::TokenStream, String> {
    let limits =
        spec.extensions.get("x-rate-limits").ok_or("crates/zoom-spec/spec/chatbot.yaml has no x-rate-limits")?;
    let plans = limits["plans"].as_object().ok_or("x-rate-limits.plans must be a map")?;
    let mut labels: Vec<String> = Vec::new();
    let (mut plan_idents, mut plan_names, mut rate_rows) = (Vec::new(), Vec::new(), Vec::new());
    for (plan, per_label) in plans {
        let ident = format_ident!("{}", plan.to_upper_camel_case());
        plan_idents.push(ident.clone());
        plan_names.push(plan.clone());
        for (label, rate) in per_label.as_object().ok_or("a plan maps labels to rates")? {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
            let label_ident = format_ident!("{}", label);
            let per_second = rate["per_second"].as_u64().ok_or("per_second must be a number")? as u32;
            let per_day = match rate.get("per_day").and_then(|d| d.as_u64()) {
                Some(d) => {
                    let d = d as u32;
                    quote!(Some(#d))
                }
                None => quote!(None),
            };
            rate_rows.push(quote! {
                PlanRate { plan: Plan::#ident, label: RateLabel::#label_ident, per_second: #per_second, per_day: #per_day },
            });
        }
    }
    let label_idents: Vec<_> = labels.iter().map(|l| format_ident!("{}", l)).collect();
    let mut windows = Vec::new();
    for w in limits["channel_send_windows"].as_array().ok_or("channel_send_windows must be a list")? {
        let (m, s, b) = (w["messages"].as_u64(), w["seconds"].as_u64(), w["blocked_seconds"].as_u64());
        let (Some(m), Some(s), Some(b)) = (m, s, b) else {
            return Err("a channel window needs messages, seconds, blocked_seconds".into());
        };
        let m = m as u32;
        windows.push(quote! { ChannelWindow { messages: #m, seconds: #s, blocked_seconds: #b }, });
    }

    let tag_names: Vec<String> = spec.tags.iter().map(|t| t.name.clone()).collect();
    let tag_docs: Vec<String> = spec.tags.iter().map(|t| t.description.clone().unwrap_or_default()).collect();
    let tag_idents: Vec<_> = tag_names.iter().map(|t| format_ident!("{}", t.to_upper_camel_case())).collect();

    let mut rows = Vec::new();
    let (mut variants, mut ids, mut names, mut zoom_ids, mut docs, mut summaries) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for op in ops {
        let variant = format_ident!("{}", op.id.to_upper_camel_case());
        let label = match &op.label {
            None => quote!(None),
            Some(l) if labels.contains(l) => {
                let l = format_ident!("{}", l);
                quote!(Some(RateLabel::#l))
            }
            Some(l) => return Err(format!("{}: x-rate-limit-label {l:?} is not a label of x-rate-limits", op.id)),
        };
        if !tag_names.contains(&op.tag) {
            return Err(format!("{}: tag {:?} is not one of the spec's tags", op.id, op.tag));
        }
        let tag = format_ident!("{}", op.tag.to_upper_camel_case());
        let (method, path, base_path, server, doc) = (&op.method, &op.path, &op.base_path, &op.server, op.doc_line());
        rows.push(quote! {
            OperationInfo {
                id: OperationId::#variant, method: #method, path: #path, base_path: #base_path, server: #server,
                rate_limit_label: #label, tag: Tag::#tag, doc: #doc,
            },
        });
        zoom_ids.push(match &op.zoom_id {
            Some(z) => quote!(Some(#z)),
            None => quote!(None),
        });
        variants.push(variant);
        ids.push(op.id.clone());
        names.push(op.name.clone());
        docs.push(doc);
        summaries.push(op.summary.clone());
    }
    let id_idents: Vec<_> = ids.iter().map(|id| format_ident!("{}", id)).collect();
    Ok(quote! {
        //! Every operation of the spec (its id, tag, method, path and rate label), and Zoom's
        //! rate limits, for request policies (and the fake Zoom) that act per operation.

        /// A rate-limit label, as the spec's `x-rate-limit-label` names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RateLabel { #(#[doc = #labels] #label_idents,)* }

        impl RateLabel {
            /// Every label.
            pub const ALL: &'static [RateLabel] = &[#(RateLabel::#label_idents,)*];

            /// The label as Zoom writes it (`X-RateLimit-Category`).
            pub fn as_str(self) -> &'static str {
                match self { #(RateLabel::#label_idents => #labels,)* }
            }

            /// Reads a label, ignoring case.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|l| l.as_str().eq_ignore_ascii_case(text))
            }
        }

        impl ::std::fmt::Display for RateLabel {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// An account plan, which sets the limit of each label.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Plan { #(#[doc = #plan_names] #plan_idents,)* }

        impl Plan {
            /// Every plan.
            pub const ALL: &'static [Plan] = &[#(Plan::#plan_idents,)*];

            /// The plan's name, lower case.
            pub fn as_str(self) -> &'static str {
                match self { #(Plan::#plan_idents => #plan_names,)* }
            }

            /// Reads a plan name, ignoring case.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|p| p.as_str().eq_ignore_ascii_case(text))
            }

            /// Requests per second the plan allows for `label`.
            pub fn per_second(self, label: RateLabel) -> u32 {
                PLAN_RATES.iter().find(|r| r.plan == self && r.label == label).map_or(u32::MAX, |r| r.per_second)
            }

            /// Requests per UTC day the plan allows for `label`, where it has a daily quota.
            pub fn per_day(self, label: RateLabel) -> Option<u32> {
                PLAN_RATES.iter().find(|r| r.plan == self && r.label == label).and_then(|r| r.per_day)
            }
        }

        /// One plan's limit for one label.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct PlanRate {
            /// The plan.
            pub plan: Plan,
            /// The label.
            pub label: RateLabel,
            /// Requests per second.
            pub per_second: u32,
            /// Requests per UTC day, if limited.
            pub per_day: Option<u32>,
        }

        /// Every plan's limits.
        pub const PLAN_RATES: &[PlanRate] = &[ #(#rate_rows)* ];

        /// A window of the per-sender, per-channel limit on user-level sends.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct ChannelWindow {
            /// At most this many messages ...
            pub messages: u32,
            /// ... within this many seconds ...
            pub seconds: u64,
            /// ... or the sender is blocked in the channel for this long.
            pub blocked_seconds: u64,
        }

        /// The windows, shortest first.
        pub const CHANNEL_SEND_WINDOWS: &[ChannelWindow] = &[ #(#windows)* ];

        /// An operation's tag (its first), which says what authorises it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Tag { #(#[doc = #tag_docs] #tag_idents,)* }

        impl Tag {
            /// Every tag, in the spec's order.
            pub const ALL: &'static [Tag] = &[#(Tag::#tag_idents,)*];

            /// The tag as the spec names it.
            pub const fn as_str(self) -> &'static str {
                match self { #(Tag::#tag_idents => #tag_names,)* }
            }
        }

        impl ::std::fmt::Display for Tag {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// An operation of the spec: what the client's request hooks are handed and what the
        /// fake Zoom keys its handlers and its request log by.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationId { #(#[doc = #summaries] #variants,)* }

        impl OperationId {
            /// Every operation, in the spec's order.
            pub const ALL: &'static [OperationId] = &[#(OperationId::#variants,)*];

            /// The spec's `operationId` (`sendChatbotMessage`).
            pub const fn as_str(self) -> &'static str {
                match self { #(OperationId::#variants => #ids,)* }
            }

            /// The generated client method's name (`send_chatbot_message`), which is also the
            /// name progenitor hands to request hooks.
            pub const fn method_name(self) -> &'static str {
                match self { #(OperationId::#variants => #names,)* }
            }

            /// Zoom's own id for the operation (`x-zoom-operation-id`), where Zoom documents one.
            pub const fn zoom_operation_id(self) -> Option<&'static str> {
                match self { #(OperationId::#variants => #zoom_ids,)* }
            }

            /// The operation's row of [`OPERATIONS`].
            pub const fn info(self) -> &'static OperationInfo {
                &OPERATIONS[self as usize]
            }

            /// The operation whose client method is called `name`.
            pub fn from_method_name(name: &str) -> Option<Self> {
                match name { #(#names => Some(OperationId::#variants),)* _ => None }
            }
        }

        impl ::std::str::FromStr for OperationId {
            type Err = UnknownOperation;

            /// Reads the spec's `operationId`, exactly.
            fn from_str(id: &str) -> Result<Self, UnknownOperation> {
                match id { #(#ids => Ok(OperationId::#variants),)* _ => Err(UnknownOperation(id.to_owned())) }
            }
        }

        impl ::std::fmt::Display for OperationId {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A name that is not an operation id of the spec.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct UnknownOperation(pub String);

        impl ::std::fmt::Display for UnknownOperation {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{:?} is not an operation id of the spec", self.0)
            }
        }

        impl ::std::error::Error for UnknownOperation {}

        /// One operation of the spec.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct OperationInfo {
            /// The operation.
            pub id: OperationId,
            /// HTTP method.
            pub method: &'static str,
            /// Path template, relative to the operation's server.
            pub path: &'static str,
            /// The path of the operation's server (`/v2` for the REST API, empty for the
            /// OAuth and incoming-webhook hosts).
            pub base_path: &'static str,
            /// The operation's server as the spec names it (`https://api.zoom.us/v2`, or
            /// `https://file.zoom.us/v2` for file uploads): which configured base URL it uses.
            pub server: &'static str,
            /// Zoom's rate-limit label, where Zoom documents one.
            pub rate_limit_label: Option<RateLabel>,
            /// The operation's first tag.
            pub tag: Tag,
            /// The operation restated in one line: method, path, id, token and rate label.
            pub doc: &'static str,
        }

        /// All operations, in the spec's order (the order of [`OperationId`]).
        pub const OPERATIONS: &[OperationInfo] = &[ #(#rows)* ];

        /// The doc line of an operation, by its id (`operation_doc!(sendChatbotMessage)`): the
        /// method, path, token and rate label, for a wrapper's docs
        /// (`#[doc = zoom_api_gen::operation_doc!(sendChatbotMessage)]`).
        #[macro_export]
        macro_rules! operation_doc {
            #( (#id_idents) => { #docs }; )*
        }
    })
}

/// The spec's events: `EventKind`, one variant per `ZoomEvent` variant, and `ZoomEvent::kind`.
pub fn event_table(spec: &openapiv3::OpenAPI) -> Result<proc_macro2::TokenStream, String> {
    let schema = zoom_spec::component_schema(spec, "ZoomEvent").ok_or("the spec has no ZoomEvent schema")?;
    let value = serde_json::to_value(schema).map_err(|e| e.to_string())?;
    let events = value["oneOf"].as_array().ok_or("ZoomEvent must be a oneOf")?;
    let (mut names, mut variants, mut payloads, mut docs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for v in events {
        let name = match v["properties"]["event"]["enum"].as_array().map(Vec::as_slice) {
            Some([serde_json::Value::String(name)]) => name.clone(),
            _ => return Err(format!("ZoomEvent variant {} must give `event` a one-value enum", v["title"])),
        };
        let payload = v["properties"]["payload"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| format!("ZoomEvent variant {name}: `payload` must be a $ref to a component"))?;
        // As progenitor names the variants of an enum told apart by a tag.
        variants.push(format_ident!("{}", name.to_upper_camel_case()));
        payloads.push(format_ident!("{}", payload.to_upper_camel_case()));
        docs.push(format!("`{name}`: {}", v["description"].as_str().unwrap_or_default()));
        names.push(name);
    }
    Ok(quote! {
        //! The kinds of event the spec's `ZoomEvent` defines, with the names Zoom gives them.

        use crate::types::ZoomEvent;

        /// A kind of event the spec defines: one per variant of [`ZoomEvent`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventKind { #(#[doc = #docs] #variants,)* }

        impl EventKind {
            /// Every kind, in the spec's order.
            pub const ALL: &'static [EventKind] = &[#(EventKind::#variants,)*];

            /// The name Zoom sends in the event's `event` field.
            pub const fn as_str(self) -> &'static str {
                match self { #(EventKind::#variants => #names,)* }
            }

            /// Calls `visitor` with the generated type of this kind's `payload`.
            pub fn visit_payload<V: PayloadVisitor>(self, visitor: V) -> V::Output {
                match self { #(EventKind::#variants => visitor.visit::<crate::types::#payloads>(),)* }
            }
        }

        impl ::std::str::FromStr for EventKind {
            type Err = UnknownEvent;

            /// Reads an event's name, exactly as Zoom sends it.
            fn from_str(name: &str) -> Result<Self, UnknownEvent> {
                match name { #(#names => Ok(EventKind::#variants),)* _ => Err(UnknownEvent(name.to_owned())) }
            }
        }

        impl ::std::fmt::Display for EventKind {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ZoomEvent {
            /// The event's kind.
            pub fn kind(&self) -> EventKind {
                match self { #(ZoomEvent::#variants { .. } => EventKind::#variants,)* }
            }
        }

        /// Something done with the type of an event's payload, chosen by its kind at run time
        /// ([`EventKind::visit_payload`]).
        pub trait PayloadVisitor {
            /// What the visit gives.
            type Output;
            /// Visits the payload type `P`.
            fn visit<P: ::serde::de::DeserializeOwned>(self) -> Self::Output;
        }

        /// A name that is not one of the spec's events.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct UnknownEvent(pub String);

        impl ::std::fmt::Display for UnknownEvent {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{:?} is not an event of the spec", self.0)
            }
        }

        impl ::std::error::Error for UnknownEvent {}
    })
}
