//! Chat files: upload (`uploadChatFile`), send one as a message (`sendChatFile`), both on the
//! file host's paths (served on the fake's one listener), and read and delete on the API's.
//! The bytes are kept, capped (`state/files.rs`); a file sent lands in its conversation as a
//! message that carries it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use zoom_api_gen::operations::OperationId;
use zoom_api_gen::types;
use zoom_spec::Violation;

use super::chat::{account_of, acting, refuse_archived, resolve_conversation, resolve_user, thread_of};
use super::http::{Answer, Call, ErrorShape, Incoming, RequestBody, error, json, validation_error};
use super::ops::{Invalid, operations};
use super::shared::Shared;
use super::state::files::Refused;
use super::state::{MessageContent, Sender, State, StoredMessage};

const F: ErrorShape = ErrorShape::Api;

/// Room for a multipart body's boundaries, headers and text fields beside its file.
const FORM_OVERHEAD: usize = 64 * 1024;

/// Where the page's images and file links get a file's bytes (behind the page's guard).
pub(crate) const FILE_PATH: &str = "/_fake/files";
/// Where the page's upload form posts (a form of the page's, guarded as the others are).
pub(crate) const UPLOAD: &str = "/_fake/act/upload";

/// Zoom's refusal of a file too large: 400, code 300, "Maximum file size exceeded: ${maxSize}".
fn too_large(max: usize) -> Response {
    error(F, StatusCode::BAD_REQUEST, 300, format!("Maximum file size exceeded: {max}."))
}

/// One part of a multipart body.
#[derive(Debug, PartialEq)]
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Bytes,
}

/// The parts of a multipart/form-data body (`content_type` names its boundary). The body is
/// whole in memory (read within the cap), and each part's data is a slice of it.
pub(crate) fn parse_multipart(content_type: &str, body: &Bytes) -> Result<Vec<Part>, String> {
    let (kind, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err("the body is not multipart/form-data".into());
    }
    let boundary = param(params, "boundary").ok_or("the content type names no boundary")?;
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut at = memchr::memmem::find(body, delimiter.as_bytes()).ok_or("no boundary in the body")? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let rest = rest.strip_prefix(b"\r\n").ok_or("a boundary is not followed by a line break")?;
        at += 2;
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let (used, headers) = match httparse::parse_headers(rest, &mut headers) {
            Ok(httparse::Status::Complete((used, headers))) => (used, headers),
            _ => return Err("a part's headers do not parse".into()),
        };
        let disposition = headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-disposition"))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .ok_or("a part has no Content-Disposition")?;
        let name = param(disposition, "name").ok_or("a part has no name")?;
        let filename = param(disposition, "filename");
        let start = at + used;
        let len =
            memchr::memmem::find(&body[start..], next_delimiter.as_bytes()).ok_or("the body ends inside a part")?;
        parts.push(Part { name, filename, data: body.slice(start..start + len) });
        at = start + len + next_delimiter.len();
    }
}

/// A `key=value` or `key="value"` parameter of a header value.
fn param(params: &str, key: &str) -> Option<String> {
    params.split(';').skip_while(|p| !p.contains('=')).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Reads a file operation's request, its body within the fake's per-file cap (past it, Zoom's
/// refusal of a file too large).
pub(crate) async fn incoming(shared: &Shared, request: Request) -> Result<Incoming, Response> {
    let max = shared.lock().config.max_file_bytes;
    Incoming::read(request, max.saturating_add(FORM_OVERHEAD)).await.ok_or_else(|| too_large(max))
}

/// A multipart/form-data body, in its parts: a file operation's body.
pub(crate) struct Form(Vec<Part>);

impl Form {
    fn parse(req: &Incoming) -> Result<Self, Invalid> {
        let content_type = req.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        parse_multipart(content_type, &req.body)
            .map(Self)
            .map_err(|why| Invalid::Malformed(format!("the body is not a form ({why})")))
    }
}

/// A form is checked as Zoom checks it: each field that holds files holds parts with a filename
/// (a plain form field there is not a file, whatever its text), and the rest fits the spec.
impl RequestBody for Form {
    fn read(op: OperationId, req: &Incoming) -> Result<Self, Invalid> {
        operations().validate(op, &req.query, &[])?;
        let form = Self::parse(req)?;
        if let Some(field) = operations()
            .form_files(op)
            .into_iter()
            .find(|f| form.0.iter().any(|p| p.name == *f && p.filename.is_none()))
        {
            let rule = "must be a file (a part with a filename)".into();
            return Err(Invalid::Rules(vec![Violation { path: field.into(), rule }]));
        }
        operations().validate_form(op, &as_json(&form.0, &operations().form_arrays(op)))?;
        Ok(form)
    }
}

/// The form's fields as JSON, for the spec's schema: text fields as strings, file parts as
/// their names (an array for a field the schema makes one).
fn as_json(form: &[Part], arrays: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for part in form {
        let value = match &part.filename {
            Some(name) => Value::from(name.clone()),
            None => Value::from(String::from_utf8_lossy(&part.data).into_owned()),
        };
        if arrays.contains(&part.name.as_str()) {
            if let Some(list) = out.entry(part.name.clone()).or_insert_with(|| Value::Array(Vec::new())).as_array_mut()
            {
                list.push(value);
            }
        } else {
            out.insert(part.name.clone(), value);
        }
    }
    Value::Object(out)
}

fn text<'a>(form: &'a [Part], name: &str) -> Option<&'a str> {
    form.iter().find(|p| p.name == name && p.filename.is_none()).and_then(|p| std::str::from_utf8(&p.data).ok())
}

/// Stores the file of a form's part `field` in the account, or Zoom's refusal.
fn store(state: &mut State, account: &str, form: &[Part], field: &str) -> Result<(String, String, usize), Response> {
    let part = form.iter().find(|p| p.name == field).expect("the validator requires the part");
    let name = part.filename.clone().unwrap_or_else(|| field.to_owned());
    let len = part.data.len();
    match state.store_file(account, &name, part.data.clone()) {
        Ok(id) => Ok((id, name, len)),
        Err(Refused::TooLarge(max)) => Err(too_large(max)),
        Err(Refused::Full) => {
            Err(too_large(state.config.max_stored_file_bytes.saturating_sub(state.files.stored_bytes())))
        }
    }
}

/// `uploadChatFile`: stores the file; with `postToPersonalChat` (Zoom's default, `"true"`)
/// it is also posted to the user's own chat.
pub(crate) fn upload(state: &mut State, call: Call<'_, String, Form>) -> Answer {
    let (account, user) = acting(state, &call.token, &call.path)?;
    let (id, name, _) = store(state, &account, &call.body.0, "file")?;
    if call.req.query("postToPersonalChat") != Some("false")
        && let Ok(own) = super::state::ConversationId::user(&user)
        && state.exists(&account, &own)
    {
        post_file(state, &account, own, &user, &id, &name, None);
    }
    Ok(json(StatusCode::CREATED, &types::ChatFileUploaded { id }))
}

/// A message carrying a file, stored in its conversation: a text message whose text is the
/// file's name and whose `file_ids` names it.
fn post_file(
    state: &mut State,
    account: &str,
    conversation: super::state::ConversationId,
    user: &str,
    file_id: &str,
    name: &str,
    reply_to: Option<String>,
) -> String {
    let body = types::SendChatMessageRequest {
        message: text_of(name),
        file_ids: vec![file_id.to_owned()],
        at_items: Vec::new(),
        interactive_cards: Vec::new(),
        reply_main_message_id: reply_to.clone(),
        rich_text: Vec::new(),
        scheduled_time: None,
        to_channel: None,
        to_contact: None,
    };
    let id = state.new_message_id();
    let mut message = StoredMessage::new(
        account,
        id.clone(),
        conversation,
        Sender::User(user.to_owned()),
        MessageContent::Text(body),
    );
    message.reply_to = reply_to;
    state.store(message);
    id
}

/// A file message's text: the file's name (cut to the text's 1,024 characters), or `file`.
fn text_of(name: &str) -> types::SendChatMessageRequestMessage {
    let text: String = if name.trim().is_empty() { "file".into() } else { name.chars().take(1024).collect() };
    text.try_into().unwrap_or_else(|_| "file".to_owned().try_into().expect("a short text fits"))
}

/// `sendChatFile`: stores the file and posts it to the contact or channel, or in a thread.
pub(crate) fn send(state: &mut State, call: Call<'_, String, Form>) -> Answer {
    let (account, user) = acting(state, &call.token, &call.path)?;
    let form = &call.body.0;
    let conversation = resolve_conversation(state, &account, text(form, "to_channel"), text(form, "to_contact"))?;
    let reply_to = thread_of(state, &account, text(form, "reply_main_message_id"), &conversation)?;
    refuse_archived(state, &account, &conversation)?;
    let (file_id, name, _) = store(state, &account, form, "files")?;
    if let Some(file) = state.files.get(&account, &file_id).cloned() {
        state.file_changed(&account, &user, &file, Some(&conversation));
    }
    let id = post_file(state, &account, conversation, &user, &file_id, &name, reply_to);
    Ok(json(StatusCode::CREATED, &types::ChatFileSent { id }))
}

/// A stored file as Zoom describes it.
fn described(shared_origin: &str, file: &super::state::FakeFile) -> types::ChatFileInfo {
    let ms = file.created_at.timestamp_millis();
    types::ChatFileInfo {
        file_id: file.id.clone(),
        file_name: file.name.clone(),
        os_file_type: file.extension(),
        length: file.bytes.len() as i64,
        digest: file.digest.clone(),
        created_time: ms,
        modified_time: ms,
        download_url: format!("{shared_origin}{FILE_PATH}/{}", file.id),
        public_url: None,
    }
}

/// `getChatFile`: a file of the token's account, or 404/404 "Resource not found.".
pub(crate) fn get(state: &mut State, call: Call<'_, String>) -> Answer {
    let account = account_of(state, &call.token);
    match state.files.get(&account, &call.path) {
        Some(file) => Ok(json(StatusCode::OK, &described(call.origin, file))),
        None => Err(file_missing()),
    }
}

/// `deleteChatFile`: 204, or 404/404 for a file the account does not hold.
pub(crate) fn delete(state: &mut State, call: Call<'_, String>) -> Answer {
    let account = account_of(state, &call.token);
    let file = state.files.remove(&account, &call.path).ok_or_else(file_missing)?;
    if let Ok(user) = resolve_user(state, &account, &call.token.kind, "me") {
        state.file_changed(&account, &user, &file, None);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn file_missing() -> Response {
    error(F, StatusCode::NOT_FOUND, 404, "Resource not found.")
}

/// The page's upload form: the file, stored in the form's account within the caps, posted to
/// the form's conversation as that account's user; then back to the page.
pub(crate) async fn page_upload(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let req = match incoming(&shared, request).await {
        Ok(req) => req,
        Err(refused) => return refused,
    };
    let Form(form) = match Form::parse(&req) {
        Ok(form) => form,
        Err(invalid) => return validation_error(F, invalid),
    };
    let (account, to_jid) = (text(&form, "account").unwrap_or_default(), text(&form, "to_jid").unwrap_or_default());
    let Some(part) = form.iter().find(|p| p.name == "file" && p.filename.as_deref().is_some_and(|n| !n.is_empty()))
    else {
        return (StatusCode::BAD_REQUEST, "choose a file to upload").into_response();
    };
    let Ok(conversation) = to_jid.parse::<super::state::ConversationId>() else {
        return (StatusCode::BAD_REQUEST, "the form names no conversation").into_response();
    };
    {
        let mut state = shared.lock();
        let Some(user) = state.account(account).map(|a| a.user_id.clone()) else {
            return (StatusCode::BAD_REQUEST, "the form names no account of the fake").into_response();
        };
        let name = part.filename.clone().unwrap_or_default();
        match store(&mut state, account, std::slice::from_ref(part), "file") {
            Ok((id, _, _)) => post_file(&mut state, account, conversation, &user, &id, &name, None),
            Err(refused) => return refused,
        };
    }
    shared.changed();
    (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, "/")]).into_response()
}

/// The page's view of a file's bytes (an image inline, a link to download), by id: its
/// content type from its extension, never sniffed, and downloaded rather than shown unless
/// it is an image.
pub(crate) async fn bytes(AxumState(shared): AxumState<Arc<Shared>>, Path(file_id): Path<String>) -> Response {
    let state = shared.lock();
    let Some(file) = state.files.all().find(|f| f.id == file_id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match file.extension().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        _ => "application/octet-stream",
    };
    let mut response = (StatusCode::OK, file.bytes.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", axum::http::HeaderValue::from_static(content_type));
    headers.insert("x-content-type-options", axum::http::HeaderValue::from_static("nosniff"));
    if !file.is_image() {
        headers.insert("content-disposition", axum::http::HeaderValue::from_static("attachment"));
    }
    response
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_form_is_read_into_its_parts() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"to_channel\"\r\n\r\nC1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a b.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n",
        );
        let parts = parse_multipart("multipart/form-data; boundary=XyZ", &body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), &parts[0].data[..]), ("to_channel", &b"C1"[..]));
        assert_eq!(parts[1].filename.as_deref(), Some("a b.txt"));
        assert_eq!(&parts[1].data[..], b"line1\r\nline2", "a line break inside the data is kept");
        let arrays = operations().form_arrays(OperationId::SendChatFile);
        assert_eq!(arrays, ["files"], "the spec's array fields");
        assert_eq!(as_json(&parts, &arrays), json!({"to_channel": "C1", "files": ["a b.txt"]}));
        assert!(operations().form_arrays(OperationId::UploadChatFile).is_empty());
        assert!(operations().form_arrays(OperationId::SendChatbotMessage).is_empty(), "no form at all");
        for bad in [
            ("application/json", &body),
            ("multipart/form-data", &body),
            ("multipart/form-data; boundary=Other", &body),
            (
                "multipart/form-data; boundary=XyZ",
                &Bytes::from_static(b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"),
            ),
        ] {
            assert!(parse_multipart(bad.0, bad.1).is_err(), "{bad:?}");
        }
    }
}
