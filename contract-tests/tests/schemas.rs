//! The generated types held to the spec's schemas:
//! - each generated type's JSON Schema (derived with schemars) has the spec schema's properties,
//!   required list, enum values and, for the card union, its variants;
//! - every example in the spec deserialises into its generated type and serialises back to the same
//!   JSON;
//! - the seeds' cards and messages round-trip the same way.

use std::collections::{BTreeMap, BTreeSet};

use contract_tests::{spec, status_text};
use openapiv3::ReferenceOr;
use serde_json::{Value, json};
use zoom_api_gen::types;

macro_rules! generated_types {
    ($($name:ident),* $(,)?) => {
        /// The component schemas that have a generated type, by name.
        const GENERATED: &[&str] = &[$(stringify!($name)),*];

        fn generated_schema(name: &str) -> Option<Value> {
            match name {
                $(stringify!($name) => Some(serde_json::to_value(schemars::schema_for!(types::$name)).unwrap()),)*
                _ => None,
            }
        }

        fn round_trip(name: &str, value: &Value) -> Result<Value, String> {
            match name {
                $(stringify!($name) => serde_json::from_value::<types::$name>(value.clone())
                    .map(|typed| serde_json::to_value(&typed).unwrap())
                    .map_err(|e| e.to_string()),)*
                _ => Err(format!("no generated type is listed for {name}")),
            }
        }
    };
}

generated_types!(
    ChatbotError,
    ApiError,
    ApiFieldError,
    OAuthError,
    SendChatbotMessageRequest,
    EditChatbotMessageRequest,
    ChatbotMessageSent,
    ChatbotMessageChanged,
    UnfurlLinkRequest,
    Card,
    CardSettings,
    CardHead,
    CardSubHead,
    TextStyle,
    ButtonStyle,
    CardField,
    CardButton,
    CardOption,
    CardText,
    CardAttachmentInformation,
    DividerStyle,
    CardImage,
    CardBodyItem,
    CardColor,
    CardMessage,
    CardFields,
    CardActions,
    CardSelect,
    CardAttachments,
    CardSection,
    CardDivider,
    CardProgressBar,
    CardFile,
    CardPage,
    CardDatepicker,
    CardTimepicker,
    CardRadioButtons,
    CardCheckboxes,
    CardPlainTextInput,
    CardAlert,
    CardImages,
    CardVideo,
    SendChatMessageRequest,
    ChatMessageCreated,
    User,
    Contact,
    ContactPage,
    ChannelType,
    UserType,
    LoginType,
    ChannelMemberEmail,
    NewChannelSettings,
    SharedSpace,
    CreateChannelRequest,
    ChannelCreated,
    DesignatedPostingMember,
    ChannelSettings,
    Channel,
    ChannelPage,
    ChannelMember,
    ChannelMemberPage,
    InviteChannelMembersRequest,
    ChannelMembersInvited,
    ChannelJoined,
    PostingMember,
    UpdateChannelSettings,
    UpdateChannelRequest,
    EditChatMessageRequest,
    ReactToChatMessageRequest,
    MarkChatMessageRequest,
    AtItem,
    RichTextRange,
    InteractiveCard,
    ChatFile,
    ChatReaction,
    ReactionSender,
    ChatMessage,
    ChatMessagePage,
    ThreadReaction,
    ThreadMessage,
    ChatThread,
    ScheduledMessagePage,
    ScheduledMessage,
    ScheduledFile,
    CreateReminderRequest,
    ReminderPage,
    Reminder,
    ArchiveChannelsRequest,
    ChannelsArchived,
    FailedChannel,
    GrantType,
    TokenRequest,
    TokenResponse,
    RevokeTokenRequest,
    RevokeTokenResponse,
    IncomingWebhookFormat,
    IncomingWebhookCard,
    ChatFileUploaded,
    ChatFileSent,
    ChatFileInfo,
    ZoomEvent,
    UrlValidationPayload,
    UrlValidationResponse,
    BotNotificationPayload,
    BotInstalledPayload,
    ActionsPayload,
    SelectPayload,
    EditablePayload,
    FieldsEditablePayload,
    ActionItem,
    SelectedItem,
    EditItem,
    FieldEditItem,
    EchoedCard,
    EchoedCardHead,
    EchoedCardSubHead,
    EchoedCardElement,
    EchoedCardItem,
    EchoedOption,
    IntegerOrString,
    BooleanOrString,
    NumberOrString,
    TeamChatMessageType,
    AppMentionPayload,
    AppMentionObject,
    MentionFile,
    MentionFormatRange,
    LinkSharedPayload,
    LinkSharedObject,
    AppDeauthorizedPayload,
    TeamChatChannelMessagePayload,
    TeamChatChannelMessage,
    TeamChatAtItem,
    TeamChatChannelMessageDeletedPayload,
    TeamChatChannelMessageDeleted,
    TeamChatDmMessagePayload,
    TeamChatDmMessage,
    TeamChatDmMessageDeletedPayload,
    TeamChatDmMessageDeleted,
    TeamChatChannelReactionPayload,
    TeamChatChannelReaction,
    TeamChatDmReactionPayload,
    TeamChatDmReaction,
    TeamChatFileSharedPayload,
    TeamChatFilesShared,
    TeamChatFileInfo,
    TeamChatFileDeletedPayload,
    TeamChatFilesDeleted,
    ChatChannelMembersPayload,
    ChatChannelMembers,
    EventChannelMember,
    EventChannelType,
    ChatChannelMemberPayload,
    ChatChannelChanged,
    TeamChatChannelAppPayload,
    TeamChatChannelApps,
    CallbackReply,
    CallbackReplySent,
);

fn component_names() -> Vec<String> {
    spec().components.as_ref().unwrap().schemas.keys().cloned().collect()
}

fn spec_schema(name: &str) -> Value {
    serde_json::to_value(zoom_spec::component_schema(spec(), name).unwrap()).unwrap()
}

#[test]
fn every_component_schema_has_a_listed_generated_type() {
    let listed: BTreeSet<&str> = GENERATED.iter().copied().collect();
    let missing: Vec<String> = component_names().into_iter().filter(|n| !listed.contains(n.as_str())).collect();
    assert!(missing.is_empty(), "add these to generated_types!: {missing:?}");
}

/// The parts of a schema this test compares.
#[derive(Debug, PartialEq)]
enum Shape {
    Object { properties: BTreeMap<String, Property>, required: BTreeSet<String> },
    Enum(BTreeSet<String>),
    Union(BTreeMap<String, Box<Shape>>),
}

/// A property's JSON type (`string`, `integer`, `object`, ...) and, for enums, its values.
#[derive(Debug, PartialEq)]
struct Property {
    json_type: Option<String>,
    values: BTreeSet<String>,
}

/// Follows `$ref`s into a document: the spec (`#/components/schemas/X`) or a schemars root
/// schema (`#/definitions/X`).
struct Doc<'a>(&'a Value);

impl Doc<'_> {
    fn resolve<'v>(&'v self, schema: &'v Value) -> &'v Value {
        // schemars writes an optional reference as anyOf/allOf [{$ref}, {type: null}].
        // An untagged union of references (the card elements) is an anyOf with no null.
        for key in ["anyOf", "allOf"] {
            if let Some(parts) = schema.get(key).and_then(Value::as_array)
                && (key == "allOf" || parts.iter().any(|p| p["type"] == "null"))
                && let Some(r) = parts.iter().find(|p| p.get("$ref").is_some())
            {
                return self.resolve(r);
            }
        }
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/definitions/") => &self.0["definitions"][&r["#/definitions/".len()..]],
            Some(r) => {
                let name = r.trim_start_matches("#/components/schemas/");
                self.0.get(name).unwrap_or_else(|| panic!("unresolved {r}"))
            }
            None => schema,
        }
    }

    /// Reads the shape of a schema, from the spec or from schemars, which write optional and
    /// nullable values differently; both are brought to the same form.
    fn shape(&self, schema: &Value) -> Shape {
        let schema = self.resolve(schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return Shape::Enum(values.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect());
        }
        // The spec writes unions as `oneOf`; schemars writes an untagged enum as `anyOf`.
        if let Some(variants) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
            return Shape::Union(
                variants
                    .iter()
                    .map(|v| {
                        // A variant may be a named component (the card elements are).
                        let v = self.resolve(v);
                        // Cards are tagged by `type`, events by `event`; a union of plain
                        // values (an integer or a string) by the JSON type of each.
                        let tag = ["type", "event"]
                            .iter()
                            .find_map(|t| self.resolve(&v["properties"][*t])["enum"][0].as_str())
                            .or_else(|| v["type"].as_str())
                            .expect("variants are tagged by type or event, or are plain values");
                        (tag.to_owned(), Box::new(self.shape(v)))
                    })
                    .collect(),
            );
        }
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.clone(), self.property(v))).collect())
            .unwrap_or_default();
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        Shape::Object { properties, required }
    }

    fn property(&self, property: &Value) -> Property {
        let mut property = self.resolve(property);
        // schemars writes an optional union as `anyOf: [union, null]`.
        if let Some([only]) = property
            .get("anyOf")
            .and_then(Value::as_array)
            .map(|vs| vs.iter().filter(|v| v.get("type").and_then(Value::as_str) != Some("null")).collect::<Vec<_>>())
            .as_deref()
        {
            property = self.resolve(only);
        }
        let json_type = match property.get("type") {
            Some(Value::String(t)) => Some(t.clone()),
            // schemars adds `null` to the type of optional fields.
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").map(str::to_owned),
            _ if property.get("oneOf").or_else(|| property.get("anyOf")).is_some() => Some("union".into()),
            _ => None,
        };
        let values = property
            .get("enum")
            .and_then(Value::as_array)
            .map(|vs| vs.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        Property { json_type, values }
    }
}

fn shape_of_spec(name: &str) -> Shape {
    let schemas = serde_json::to_value(&spec().components.as_ref().unwrap().schemas).unwrap();
    Doc(&schemas).shape(&spec_schema(name))
}

fn shape_of_generated(name: &str) -> Shape {
    let root = generated_schema(name).unwrap();
    Doc(&root).shape(&root)
}

#[test]
fn each_generated_schema_matches_the_spec_schema() {
    let mut mismatches = Vec::new();
    for name in component_names() {
        let ours = shape_of_spec(&name);
        let generated = shape_of_generated(&name);
        if ours != generated {
            mismatches.push(format!("{name}:\n  spec:      {ours:?}\n  generated: {generated:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn the_card_union_has_every_element_type() {
    let Shape::Union(variants) = shape_of_generated("CardBodyItem") else { panic!("not a union") };
    let tags: Vec<&str> = variants.keys().map(String::as_str).collect();
    let mut kinds = zoom_api_gen::cards::CARD_ELEMENT_KINDS.to_vec();
    kinds.sort_unstable();
    assert_eq!(tags, kinds);
    assert_eq!(kinds.len(), 18, "the spec's 18 elements");
}

/// Every example in the spec, with the component schema it is written against.
fn spec_examples() -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    let ref_name = |schema: &Option<ReferenceOr<openapiv3::Schema>>| match schema {
        Some(ReferenceOr::Reference { reference }) => reference.trim_start_matches("#/components/schemas/").to_owned(),
        _ => panic!("bodies $ref a component schema (the xtask checks this)"),
    };
    for name in component_names() {
        if let ReferenceOr::Item(s) = &spec().components.as_ref().unwrap().schemas[&name]
            && let Some(example) = &s.schema_data.example
        {
            out.push((format!("schema {name}"), name.clone(), example.clone()));
        }
    }
    for (path, item) in spec().paths.iter() {
        let ReferenceOr::Item(item) = item else { continue };
        for (method, op) in item.iter() {
            let id = op.operation_id.clone().unwrap();
            if let Some(ReferenceOr::Item(body)) = &op.request_body {
                // A multipart body has no generated type (progenitor does not build them): its
                // example is checked against its schema by the xtask, and sent to the fake by
                // fake_conformance.rs.
                for (_, media) in body.content.iter().filter(|(kind, _)| *kind != "multipart/form-data") {
                    let example = media.example.clone().expect("request example");
                    out.push((format!("{id} request ({method} {path})"), ref_name(&media.schema), example));
                }
            }
            for (code, response) in &op.responses.responses {
                let response = contract_tests::resolve_response(response);
                for media in response.content.values() {
                    if let Some(example) = &media.example {
                        out.push((
                            format!("{id} response {}", status_text(code)),
                            ref_name(&media.schema),
                            example.clone(),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_spec_example_round_trips_through_its_generated_type() {
    let examples = spec_examples();
    assert!(examples.len() >= 30, "expected the spec's examples, found {}", examples.len());
    let mut failures = Vec::new();
    for (where_, schema, example) in examples {
        match round_trip(&schema, &example) {
            Ok(back) if back == example => {}
            Ok(back) => failures.push(format!("{where_} ({schema}) changed:\n  in:  {example}\n  out: {back}")),
            Err(e) => failures.push(format!("{where_} ({schema}) does not deserialise: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seeds_round_trip() {
    let fixtures: [(&str, &str, &str); 7] = [
        ("hello_world_send", "SendChatbotMessageRequest", include_str!("../fixtures/seeds/hello_world_send.json")),
        ("hello_world_sent", "ChatbotMessageSent", include_str!("../fixtures/seeds/hello_world_sent.json")),
        ("aloha_world_card", "Card", include_str!("../fixtures/seeds/aloha_world_card.json")),
        ("incoming_webhook_full", "IncomingWebhookCard", include_str!("../fixtures/seeds/incoming_webhook_full.json")),
        ("sample_send", "SendChatbotMessageRequest", include_str!("../fixtures/seeds/sample_send.json")),
        ("sample_sent", "ChatbotMessageSent", include_str!("../fixtures/seeds/sample_sent.json")),
        ("sample_edited", "ChatbotMessageChanged", include_str!("../fixtures/seeds/sample_edited.json")),
    ];
    for (file, schema, text) in fixtures {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(round_trip(schema, &value).as_ref(), Ok(&value), "{file} as {schema}");
        let violations = zoom_spec::Validator::new(spec()).validate_component(schema, &value, "").unwrap();
        assert!(violations.is_empty(), "{file} breaks the spec: {violations:?}");
    }
}

#[test]
fn a_card_with_every_element_round_trips() {
    let card = json!({
        "settings": {"default_sidebar_color": "#336699", "form": true},
        "head": {"text": "Deploy 1.4?", "style": {"bold": true, "color": "#112233"},
                 "sub_head": {"text": "requested by Ana", "style": {"italic": true}}},
        "body": [
            {"type": "message", "text": "See the [notes](https://example.com)", "is_markdown_support": true},
            {"type": "message", "text": "Docs", "link": "https://example.com/docs", "editable": false},
            {"type": "fields", "items": [{"key": "Env", "value": "prod", "short": true, "editable": true}]},
            {"type": "actions", "limit": 2, "items": [
                {"text": "Approve", "value": "approve", "style": "Primary", "submit": true},
                {"text": "Reject", "value": "reject", "style": "Danger"}]},
            {"type": "select", "text": "Pick a region", "select_items": [{"text": "EU", "value": "eu"}],
             "selected_item": {"text": "EU", "value": "eu"}},
            {"type": "select", "text": "Notify", "static_source": "members"},
            {"type": "attachments", "resource_url": "https://example.com/r", "img_url": "https://example.com/i.png",
             "information": {"title": {"text": "Report"}, "description": {"text": "Q3"}}, "size": 2048, "ext": "pdf"},
            {"type": "section", "sidebar_color": "#00FF00", "footer": "CI", "footer_icon": "https://example.com/f.png",
             "ts": 1795166100000i64, "sections": [{"type": "message", "text": "nested"}, {"type": "divider"}]},
            {"type": "divider", "style": {"bold": true, "dotted": false, "color": "#CCCCCC"}},
            {"type": "progress_bar", "value": 40},
            {"type": "file", "title": {"text": "log.txt"}, "description": {"text": "build log"},
             "file_url": "https://example.com/log.txt", "icon_url": "https://example.com/t.png", "size": 10},
            {"type": "page", "text": "Page", "current_page": 1, "total_pages": 3},
            {"type": "datepicker", "action_id": "day", "initial_date": "2026-11-22", "placeholder": "Day"},
            {"type": "timepicker", "action_id": "time", "initial_time": "10:30"},
            {"type": "radio_buttons", "action_id": "size", "options": [{"text": "S", "value": "s"}],
             "initial_option": {"text": "S", "value": "s"}},
            {"type": "checkboxes", "action_id": "flags", "options": [{"text": "A", "value": "a"}],
             "initial_options": [{"text": "A", "value": "a"}]},
            {"type": "plain_text_input", "action_id": "why", "placeholder": "Reason", "multiline": true},
            {"type": "alert", "text": "Freeze starts Friday", "level": "warning"},
            {"type": "images", "items": [{"image_url": "https://example.com/a.png", "alt_text": "graph"}]},
            {"type": "video", "video_url": "https://example.com/v.mp4", "title": "Demo"}
        ]
    });
    assert_eq!(round_trip("Card", &card), Ok(card.clone()));
    assert!(zoom_spec::Validator::new(spec()).validate_component("Card", &card, "").unwrap().is_empty());
}

#[test]
fn an_unknown_element_type_is_refused_by_the_generated_type() {
    // The elements are an untagged union of named types, each holding its one `type`.
    let err = round_trip("Card", &json!({"body": [{"type": "carousel", "items": []}]})).unwrap_err();
    assert!(err.contains("did not match any variant of untagged enum CardBodyItem"), "{err}");
}
