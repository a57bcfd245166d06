"""Schemathesis hooks for the fuzz run against the fake Zoom (`cargo xtask fuzz`).

Four things a fuzzer cannot learn from an OpenAPI 3.0 document, and that the spec states
another way, so that the run checks the rules the spec states and nothing looser:

- `x-required-one-of` (on a body schema, or on an operation for its query): at least one of
  the listed fields must be present.
  OpenAPI 3.0 can only say this with `anyOf`, which would turn the generated Rust types into
  unions; the spec states it as an extension, which the fake's validator enforces. Generated
  bodies that break it are given one of the fields, so that the positive cases are positive,
  inside a body too (a card's select). A body made to break the schema is left as made.
- `x-at-most-one-of` (on a schema inside a body): no two of the listed fields together (a
  select's options and its source). Generated bodies keep the first of them.
- `x-required-when` (on a body schema): fields that one value of another field needs (an
  `account_credentials` grant needs its `account_id`). Generated bodies get them.
- A `next_page_token` is state: only an earlier page can give one. A positive case cannot
  invent it, so the token is dropped from generated queries; Rust tests cover paging.

A multipart body that keeps the spec is not counted as a schema-violating request accepted:
schemathesis cannot judge a body holding a file, and sometimes labels such a valid one as
invalid (`multipart_body_keeps_the_spec` checks it as the server reads it).

And the refusals that depend on state rather than on the request's form, which Zoom documents
with their own codes (`x-state-refusals` on each operation, as `"STATUS/CODE"`, or
`"STATUS/error: reason"` on the OAuth host): a
schema-valid request refused that way (editing another user's message, say) is not a
defect, and only those exact answers are excused.
"""

import json
import os

import jsonschema_rs

import schemathesis
import yaml

with open(os.environ["ZOOM_SPEC"], encoding="utf-8") as f:
    SPEC = yaml.safe_load(f)


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = SPEC["components"]["schemas"][name]
    return node


def definition(operation):
    return SPEC["paths"][operation.path][operation.method.lower()]


def body_schema(operation):
    body = definition(operation).get("requestBody", {})
    # JSON for the API, a form for the OAuth host: the one media type an operation takes.
    media = next(iter(body.get("content", {}).values()), {})
    return resolve(media.get("schema", {}))


def complete_one_of(schema, value, depth=0):
    """Inside a body (a card's select, say), each object whose schema has `x-required-one-of`
    is given the group's last field when it has none, with a value of that field's schema;
    of an `x-at-most-one-of` group, only the first field given is kept."""
    schema = resolve(schema)
    if not isinstance(schema, dict) or depth > 32:
        return
    if "oneOf" in schema and isinstance(value, dict):
        # A variant told apart by its one-value `type`, as the card elements are.
        for variant in map(resolve, schema["oneOf"]):
            if value.get("type") in variant.get("properties", {}).get("type", {}).get("enum", []):
                complete_one_of(variant, value, depth + 1)
        return
    if isinstance(value, list):
        for item in value:
            complete_one_of(schema.get("items"), item, depth + 1)
        return
    if not isinstance(value, dict):
        return
    for group in schema.get("x-required-one-of", []):
        if not any(field in value for field in group):
            field = resolve(schema.get("properties", {}).get(group[-1], {}))
            if "enum" in field:
                value[group[-1]] = field["enum"][0]
            else:
                value[group[-1]] = "" if field.get("type") == "string" else []
    for group in schema.get("x-at-most-one-of", []):
        for extra in [field for field in group if field in value][1:]:
            del value[extra]
    for key, inner in value.items():
        complete_one_of(schema.get("properties", {}).get(key), inner, depth + 1)


# `before_call` sees every case of every phase (the map hooks do not reach the examples and
# coverage phases). The body and query are changed only in the way the spec's own rules say.
def negative_body(case):
    """Whether schemathesis made the body to break the schema: it is then sent as made (a
    group filled in could make it valid, and the check that it is refused would fail)."""
    meta = getattr(case, "meta", None)
    components = getattr(meta, "components", None) or {}
    return any(str(getattr(location, "value", location)) == "body" and component.mode.is_negative
               for location, component in components.items())


@schemathesis.hook
def before_call(context, case, kwargs):
    if isinstance(case.body, dict) and not negative_body(case):
        schema = body_schema(case.operation)
        for group in schema.get("x-required-one-of", []):
            if not any(field in case.body for field in group):
                case.body[group[-1]] = "general"
        for key, value in case.body.items():
            complete_one_of(schema.get("properties", {}).get(key), value)
        for rule in schema.get("x-required-when", []):
            if case.body.get(rule["field"]) == rule["equals"]:
                for name in rule["require"]:
                    case.body.setdefault(name, "unknown")
    groups = definition(case.operation).get("x-required-one-of", [])
    if groups and case.query is None:
        case.query = {}
    if isinstance(case.query, dict):
        case.query.pop("next_page_token", None)
        for group in groups:
            if not any(name in case.query for name in group):
                case.query[group[-1]] = "general"


def as_text(value):
    """A form part's value as the server reads it: a file is bytes, anything else is text
    (a number, a list or an object as schemathesis writes it: its JSON)."""
    if type(value).__name__ == "Binary" or isinstance(value, bytes):
        return "(file)"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def on_the_wire(schema, body):
    """A multipart body as the server reads it: each part is text or a file, and a field the
    schema makes an array is the list of its parts."""
    wire = {}
    for key, value in body.items():
        field = resolve(schema.get("properties", {}).get(key, {}))
        if isinstance(field, dict) and field.get("type") == "array":
            wire[key] = [as_text(v) for v in (value if isinstance(value, list) else [value])]
        else:
            wire[key] = as_text(value)
    return wire


def multipart_body_keeps_the_spec(case):
    """Whether a multipart body, as sent, keeps its schema and the spec's groups. schemathesis
    (4.32.5) cannot judge a body holding a file (it takes any such body as invalid once it is
    looked at again), so it sometimes expects a valid multipart request to be refused."""
    if not (case.media_type or "").startswith("multipart/") or not isinstance(case.body, dict):
        return False
    schema = body_schema(case.operation)
    plain = {k: v for k, v in schema.items() if not k.startswith("x-")}
    body = on_the_wire(schema, case.body)
    if not jsonschema_rs.validator_for(plain).is_valid(body):
        return False
    one_of = all(any(f in body for f in group) for group in schema.get("x-required-one-of", []))
    at_most = all(sum(f in body for f in group) <= 1 for group in schema.get("x-at-most-one-of", []))
    return one_of and at_most


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if failure.code == "ST201":  # schema-violating request accepted
        others_positive = all(info.mode.is_positive for location, info in case.meta.components.items()
                              if str(getattr(location, "value", location)) != "body")
        return not (others_positive and multipart_body_keeps_the_spec(case))
    if failure.code != "ST202":  # schema-valid request rejected
        return True
    allowed = definition(case.operation).get("x-state-refusals", [])
    try:
        body = json.loads(response.content)
    except ValueError:
        return True
    if not isinstance(body, dict):
        return True
    # API bodies carry a numeric `code`; the OAuth host's carry `error` and `reason`.
    code = body["code"] if "code" in body else f"{body.get('error')}: {body.get('reason')}"
    return f"{response.status_code}/{code}" not in allowed
