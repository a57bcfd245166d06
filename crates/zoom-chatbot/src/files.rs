//! Chat files (`ZoomClient::files()`): send one as a message, upload one for `file_ids`, read
//! and delete. Uploads and sends go to Zoom's file host, streamed: a file is read in chunks
//! as it is sent, never held whole in memory.
//!
//! ```no_run
//! # async fn run(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
//! use zoom_chatbot::chat::Conversation;
//! use zoom_chatbot::files::FileSource;
//!
//! let team = Conversation::channel("825c9e31f1064c73b394c5e4557d3447")?;
//! let message = zoom
//!     .files()
//!     .send(&team, FileSource::path("build.log"))
//!     .on_progress(|p| eprintln!("{} of {} bytes", p.sent, p.total))
//!     .await?;
//! let id = zoom.files().upload(FileSource::bytes("notes.txt", "hello")).await?;
//! zoom.chat().send(&team, "the notes").file_ids([id.clone()]).await?;
//! zoom.files().delete(&id).await?;
//! # let _ = message; Ok(()) }
//! ```
//!
//! Retries: an upload refused for rate limiting (429) is sent again whole, within the call's
//! deadline: a path is opened again and bytes are read from the start. A 5xx is not retried
//! (it is a `POST`, and the file may have been stored). A one-shot stream
//! ([`FileSource::stream`]) cannot be read twice: once its bytes have gone, a retry or a
//! redirect fails with [`Error::StreamSpent`].

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt as _;
use zoom_api_gen::operations::OperationId;
use zoom_api_gen::types;

use crate::client::ZoomClient;
use crate::error::{Error, PolicyFailure, Result, refusal, zoom_error};
use crate::ids::{Conversation, FileId, MessageId, UserId};
use crate::macros::{awaitable, setters};

/// The longest file name sent, in bytes. Zoom states no rule for names; 255 is what common
/// file systems hold, and a name must be one (no path, no control characters).
pub const MAX_NAME_BYTES: usize = 255;

/// The size of the chunks a file is read and sent in.
const CHUNK: usize = 64 * 1024;

/// Extensions Zoom treats as images ("All files are sent as common files except `png`,
/// `jpg`, `jpeg` and `gif`"), whose limit on a send is lower.
const IMAGE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "gif"];

/// How far a file's upload has come: bytes sent of the total. An attempt that is retried
/// starts again from zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file sent so far in this attempt.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
}

type OnProgress = Arc<dyn Fn(Progress) + Send + Sync>;
type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// A file to send: a path (opened again for each attempt), bytes, or a one-shot stream of
/// known length; and the name Zoom shows.
pub struct FileSource {
    name: String,
    body: Body,
}

enum Body {
    Path(PathBuf),
    Bytes(Bytes),
    /// Taken by the first attempt.
    Stream {
        len: u64,
        stream: Mutex<Option<ByteStream>>,
    },
}

impl std::fmt::Debug for FileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.body {
            Body::Path(p) => format!("path {}", p.display()),
            Body::Bytes(b) => format!("{} bytes", b.len()),
            Body::Stream { len, .. } => format!("a stream of {len} bytes"),
        };
        f.debug_struct("FileSource").field("name", &self.name).field("body", &kind).finish()
    }
}

impl FileSource {
    /// The file at `path`, named by its last component (see [`name`](Self::name)). Its size
    /// is read before anything is sent; it is opened again for each attempt.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Self { name, body: Body::Path(path) }
    }

    /// A file of these bytes, named `name`.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self { name: name.into(), body: Body::Bytes(bytes.into()) }
    }

    /// A file read from `stream`, which must give exactly `len` bytes (Zoom's limits are
    /// checked on `len` before anything is sent). It is read once: it cannot be sent again
    /// for a retry or a redirect ([`Error::StreamSpent`]).
    pub fn stream(
        name: impl Into<String>,
        len: u64,
        stream: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    ) -> Self {
        Self { name: name.into(), body: Body::Stream { len, stream: Mutex::new(Some(Box::pin(stream))) } }
    }

    setters! {
        /// The name Zoom shows for the file (by default a path's file name).
        pub fn name(name: impl Into<String>) = name.into();
    }

    /// The file's size: a path's is read from the file system.
    fn len(&self) -> Result<u64> {
        match &self.body {
            Body::Path(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| Error::invalid("file", format!("{} cannot be read ({e})", path.display()))),
            Body::Bytes(b) => Ok(b.len() as u64),
            Body::Stream { len, .. } => Ok(*len),
        }
    }

    fn is_image(&self) -> bool {
        let ext = self.name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        ext.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()))
    }

    /// The part's content type. Zoom states none; images get theirs, anything else is bytes.
    fn mime(&self) -> &'static str {
        match self.name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).as_deref() {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("gif") => "image/gif",
            _ => "application/octet-stream",
        }
    }

    /// Checks the name and size against the operation's limits (the spec's
    /// `x-max-file-bytes`, `x-max-image-bytes`), naming the field; the size.
    fn check(&self, operation: OperationId, field: &str) -> Result<u64> {
        check_name(&self.name)?;
        let len = self.len()?;
        if len == 0 {
            return Err(Error::invalid(field, "must not be empty"));
        }
        let (max, which) = match limit(operation, "x-max-image-bytes") {
            Some(max) if self.is_image() => (max, "an image (png, jpg, jpeg, gif)"),
            _ => (limit(operation, "x-max-file-bytes").unwrap_or(u64::MAX), "a file"),
        };
        if len > max {
            return Err(Error::invalid(
                field,
                format!("{len} bytes is more than Zoom takes for {which} here ({max} bytes)"),
            ));
        }
        Ok(len)
    }

    /// One attempt's body, or `None` once a stream has been taken. Reading a path that
    /// cannot be opened any more ends the body with that error.
    fn attempt(&self, len: u64, progress: Option<&OnProgress>) -> Option<reqwest::Body> {
        let stream: ByteStream = match &self.body {
            Body::Path(path) => match std::fs::File::open(path) {
                Ok(file) => {
                    Box::pin(tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), CHUNK))
                }
                Err(e) => Box::pin(futures_util::stream::once(async move { Err(e) })),
            },
            Body::Bytes(bytes) => {
                let bytes = bytes.clone();
                let chunks =
                    (0..bytes.len()).step_by(CHUNK).map(move |at| Ok(bytes.slice(at..(at + CHUNK).min(bytes.len()))));
                Box::pin(futures_util::stream::iter(chunks.collect::<Vec<_>>()))
            }
            Body::Stream { stream, .. } => stream.lock().unwrap_or_else(|e| e.into_inner()).take()?,
        };
        let Some(progress) = progress.cloned() else { return Some(reqwest::Body::wrap_stream(stream)) };
        let mut sent = 0u64;
        let counted = stream.map(move |chunk| {
            if let Ok(c) = &chunk {
                sent += c.len() as u64;
                progress(Progress { sent, total: len });
            }
            chunk
        });
        Some(reqwest::Body::wrap_stream(counted))
    }
}

/// A size limit an operation states in the spec (`x-max-file-bytes`, `x-max-image-bytes`).
fn limit(operation: OperationId, extension: &str) -> Option<u64> {
    let info = operation.info();
    let item = zoom_spec::spec().paths.paths.get(info.path)?.as_item()?;
    let op = item.iter().find(|(m, _)| m.eq_ignore_ascii_case(info.method))?.1;
    op.extensions.get(extension)?.as_u64()
}

/// A name Zoom can show: not empty, one name (no `/`, `\`, or a dot segment), no control
/// characters, at most [`MAX_NAME_BYTES`]. Zoom states no rule; these keep a name from
/// being read as a path or breaking the part's header.
fn check_name(name: &str) -> Result<()> {
    let rule = if name.trim().is_empty() {
        "must not be empty".to_owned()
    } else if name.len() > MAX_NAME_BYTES {
        format!("is {} bytes; at most {MAX_NAME_BYTES}", name.len())
    } else if name.contains(['/', '\\']) || name == "." || name == ".." {
        "must be a file name, not a path".to_owned()
    } else if let Some(c) = name.chars().find(|c| c.is_control()) {
        format!("{c:?} is not allowed (no control characters)")
    } else {
        return Ok(());
    };
    Err(Error::invalid("file name", rule))
}

/// Files, as one user (`me` for the token's own).
#[derive(Clone, Debug)]
pub struct Files {
    client: ZoomClient,
    user: UserId,
}

impl Files {
    pub(crate) fn new(client: ZoomClient, user: UserId) -> Self {
        Self { client, user }
    }

    /// Sends one file as a message to a contact or a channel. Await it, or set options first
    /// (a thread, a progress callback).
    ///
    #[doc = zoom_api_gen::operation_doc!(sendChatFile)]
    ///
    /// On the file host. At most 20 MB (16 MB for an image); an empty file, one too large or
    /// a name that is not one is refused before anything is sent. Scope `chat_message:write`.
    pub fn send(&self, to: &Conversation, file: FileSource) -> SendChatFile {
        SendChatFile { files: self.clone(), to: to.clone(), file, reply_to: None, on_progress: None }
    }

    /// Uploads one file, for `file_ids` of a chat message. Await it, or set options first.
    ///
    #[doc = zoom_api_gen::operation_doc!(uploadChatFile)]
    ///
    /// On the file host. At most 1 GB. Scope `chat_message:write`.
    pub fn upload(&self, file: FileSource) -> UploadChatFile {
        UploadChatFile { files: self.clone(), file, post_to_personal_chat: false, on_progress: None }
    }

    /// A file's name, type, length, SHA-256 digest and download URL.
    ///
    #[doc = zoom_api_gen::operation_doc!(getChatFile)]
    ///
    /// Scope `chat:read`.
    pub async fn get(&self, id: &FileId) -> Result<types::ChatFileInfo> {
        let request = self.client.api().get_chat_file().file_id(id.as_str());
        Ok(request.send().await.map_err(zoom_error)?.into_inner())
    }

    /// Deletes a file.
    ///
    #[doc = zoom_api_gen::operation_doc!(deleteChatFile)]
    ///
    /// Scope `chat:write`.
    pub async fn delete(&self, id: &FileId) -> Result<()> {
        let request = self.client.api().delete_chat_file().file_id(id.as_str());
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// Posts `file` as the multipart body's part `part` with the text `fields`, through the
    /// client's request policy (its token, retries, redirects and span), each attempt with a
    /// body of its own; Zoom's answer, read as `T`. The file is checked first against the
    /// operation's limits, the part naming it in an error.
    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        operation: OperationId,
        file: &FileSource,
        form: Form,
        progress: Option<OnProgress>,
    ) -> Result<T> {
        let Form { part, fields, query } = form;
        let len = file.check(operation, part)?;
        let info = operation.info();
        let path = info.path.replace("{userId}", self.user.as_str());
        let url = format!("{}{path}", self.client.file_url());
        let http = self.client.http().clone();
        let name = file.name.clone();
        let mime = file.mime();
        let next = move || {
            let body = file.attempt(len, progress.as_ref())?;
            let stream = reqwest::multipart::Part::stream_with_length(body, len).file_name(name.clone());
            let stream = stream.mime_str(mime).expect("a valid content type");
            let form = fields
                .iter()
                .fold(reqwest::multipart::Form::new(), |form, (k, v)| form.text(*k, v.clone()))
                .part(part, stream);
            http.post(&url).query(&query).multipart(form).build().ok()
        };
        let method = reqwest::Method::POST;
        let response = self
            .client
            .policy()
            .execute_built(self.client.http(), operation, method, Box::new(next))
            .await
            .map_err(Error::Transport)?;
        if let Some(failure) = PolicyFailure::take(&response) {
            return Err(failure);
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(Error::Transport)?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|e| Error::UnexpectedResponse {
                status: Some(status),
                detail: format!("the answer does not fit its type ({e})"),
            });
        }
        match serde_json::from_str::<types::ApiError>(&text) {
            Ok(body) => Err(refusal(status, &headers, body)),
            Err(_) => {
                Err(Error::UnexpectedResponse { status: Some(status), detail: "an answer that is not Zoom's".into() })
            }
        }
    }
}

/// A multipart request's shape: the file's part, the text fields, the query.
struct Form {
    part: &'static str,
    fields: Vec<(&'static str, String)>,
    query: Vec<(&'static str, &'static str)>,
}

/// A file being sent as a message ([`Files::send`]); await it for the message's id.
#[must_use = "a file is sent only when awaited"]
pub struct SendChatFile {
    files: Files,
    to: Conversation,
    file: FileSource,
    reply_to: Option<MessageId>,
    on_progress: Option<OnProgress>,
}

impl SendChatFile {
    setters! {
        /// Sends it as a reply in this main message's thread (`reply_main_message_id`).
        pub fn reply_to(main: &MessageId) = Some(main.clone());

        /// Calls `f` as the file's bytes go out (from zero again if an attempt is retried).
        pub fn on_progress(f: impl Fn(Progress) + Send + Sync + 'static) = Some(Arc::new(f));
    }

    async fn run(self) -> Result<MessageId> {
        let mut fields = Vec::new();
        match &self.to {
            Conversation::Channel(c) => fields.push(("to_channel", c.to_string())),
            Conversation::Contact(c) => fields.push(("to_contact", c.to_string())),
        }
        if let Some(main) = &self.reply_to {
            fields.push(("reply_main_message_id", main.to_string()));
        }
        let sent: types::ChatFileSent = self
            .files
            .post(
                OperationId::SendChatFile,
                &self.file,
                Form { part: "files", fields, query: Vec::new() },
                self.on_progress,
            )
            .await?;
        sent.id
            .parse()
            .map_err(|_| Error::UnexpectedResponse { status: Some(201), detail: format!("message id {:?}", sent.id) })
    }
}

awaitable!(SendChatFile => Result<MessageId>);

/// A file being uploaded ([`Files::upload`]); await it for the file's id.
#[must_use = "a file is uploaded only when awaited"]
pub struct UploadChatFile {
    files: Files,
    file: FileSource,
    post_to_personal_chat: bool,
    on_progress: Option<OnProgress>,
}

impl UploadChatFile {
    setters! {
        /// Also posts the file to the user's personal chat (Zoom's default; off here, since an
        /// upload is usually for `file_ids`).
        pub fn post_to_personal_chat(yes: bool);

        /// Calls `f` as the file's bytes go out (from zero again if an attempt is retried).
        pub fn on_progress(f: impl Fn(Progress) + Send + Sync + 'static) = Some(Arc::new(f));
    }

    async fn run(self) -> Result<FileId> {
        let query = vec![("postToPersonalChat", if self.post_to_personal_chat { "true" } else { "false" })];
        let uploaded: types::ChatFileUploaded = self
            .files
            .post(
                OperationId::UploadChatFile,
                &self.file,
                Form { part: "file", fields: Vec::new(), query },
                self.on_progress,
            )
            .await?;
        uploaded
            .id
            .parse()
            .map_err(|_| Error::UnexpectedResponse { status: Some(201), detail: format!("file id {:?}", uploaded.id) })
    }
}

awaitable!(UploadChatFile => Result<FileId>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_zoom_could_not_show_are_refused_naming_the_rule() {
        for (bad, rule) in [
            ("", "must not be empty"),
            ("  ", "must not be empty"),
            ("a/b.txt", "not a path"),
            ("..", "not a path"),
            ("c:\\x.txt", "not a path"),
            ("a\nb.txt", "control"),
        ] {
            let err = check_name(bad).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field, rule: r } if field == "file name" && r.contains(rule)),
                "{bad:?}: {err}"
            );
        }
        assert!(check_name(&"a".repeat(MAX_NAME_BYTES + 1)).is_err());
        assert!(check_name("build log (1).txt").is_ok());
    }

    #[test]
    fn the_limits_are_the_specs_and_an_image_has_the_lower_one() {
        assert_eq!(limit(OperationId::SendChatFile, "x-max-file-bytes"), Some(20 * 1024 * 1024));
        assert_eq!(limit(OperationId::SendChatFile, "x-max-image-bytes"), Some(16 * 1024 * 1024));
        assert_eq!(limit(OperationId::UploadChatFile, "x-max-file-bytes"), Some(1 << 30));
        let big = FileSource::stream("shot.PNG", 17 * 1024 * 1024, futures_util::stream::empty());
        let err = big.check(OperationId::SendChatFile, "files").unwrap_err();
        assert!(err.to_string().contains("an image"), "{err}");
        let log = FileSource::stream("build.log", 17 * 1024 * 1024, futures_util::stream::empty());
        assert_eq!(log.check(OperationId::SendChatFile, "files").unwrap(), 17 * 1024 * 1024);
        let empty = FileSource::bytes("a.txt", Bytes::new());
        let err = empty.check(OperationId::SendChatFile, "files").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, rule } if field == "files" && rule.contains("empty")),
            "{err}"
        );
    }
}
