//! Chat files against the fake Zoom: a file sent lands in its conversation with its bytes, an
//! upload's id travels in `file_ids`, the progress callback sees the whole size, bad files are
//! refused before anything is sent, and a retry after a 429 sends the whole file again.

use crate::common;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use zoom_chatbot::Error;
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::files::{FileSource, Progress};
use zoom_mock::fake::{ConversationId, MessageContent, OperationId, ZoomMock};

/// A file of `len` bytes whose content tells its offsets apart.
fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn team() -> Conversation {
    Conversation::channel("team").unwrap()
}

#[tokio::test]
async fn a_file_sent_lands_in_the_conversation_with_its_bytes() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let bytes = content(300_000);

    let id = zoom.files().send(&team(), FileSource::bytes("build.log", bytes.clone())).await.unwrap();

    let chat = fake.conversation(&ConversationId::channel("team").unwrap());
    let message = chat.iter().find(|m| m.id == id.as_str()).expect("the file's message is in the channel");
    let MessageContent::Text(text) = &message.content else { panic!("a file message is a user's message") };
    let file = fake.file(&text.file_ids[0]).expect("the message names a stored file");
    assert_eq!(file.name, "build.log");
    assert_eq!(file.bytes, Bytes::from(bytes), "every byte arrived");

    // The chat API's view of it, and Zoom's file info.
    let listed = zoom.chat().get(&team(), &id).await.unwrap();
    assert_eq!(listed.file_name.as_deref(), Some("build.log"));
    assert_eq!(listed.file_size, Some(300_000));
    let info = zoom.files().get(&file.id.parse().unwrap()).await.unwrap();
    assert_eq!((info.length, info.os_file_type.as_str()), (300_000, "log"));
    assert_eq!(info.digest.len(), 64, "a SHA-256 digest in hex");
}

#[tokio::test]
async fn a_reply_goes_in_the_thread_and_an_upload_travels_in_file_ids() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let main = zoom.chat().send(&team(), "the nightly build").await.unwrap();
    let reply = zoom.files().send(&team(), FileSource::bytes("shot.png", vec![1u8; 10])).reply_to(&main).await.unwrap();
    let chat = fake.conversation(&ConversationId::channel("team").unwrap());
    let stored = chat.iter().find(|m| m.id == reply.as_str()).unwrap();
    assert_eq!(stored.reply_to.as_deref(), Some(main.as_str()));

    let file = zoom.files().upload(FileSource::bytes("notes.txt", "hello")).await.unwrap();
    assert_eq!(fake.file(file.as_str()).unwrap().bytes, Bytes::from_static(b"hello"));
    let sent = zoom.chat().send(&team(), "the notes").file_ids([file.clone()]).await.unwrap();
    let chat = fake.conversation(&ConversationId::channel("team").unwrap());
    let MessageContent::Text(text) = &chat.iter().find(|m| m.id == sent.as_str()).unwrap().content else { panic!() };
    assert_eq!(text.file_ids, vec![file.to_string()]);

    zoom.files().delete(&file).await.unwrap();
    assert!(fake.file(file.as_str()).is_none());
    let err = zoom.files().get(&file).await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 404, .. }), "{err:?}");
}

#[tokio::test]
async fn the_progress_callback_sees_the_whole_size_of_a_file_read_from_a_path() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let dir = std::env::temp_dir().join(format!("zoom-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.csv");
    std::fs::write(&path, content(1_000_000)).unwrap();

    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let record = seen.clone();
    zoom.files()
        .send(&team(), FileSource::path(&path))
        .on_progress(move |p| record.lock().unwrap().push(p))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 1, "a 1 MB file is reported in several chunks: {}", seen.len());
    assert!(seen.windows(2).all(|w| w[0].sent < w[1].sent), "it only grows");
    assert_eq!(seen.last(), Some(&Progress { sent: 1_000_000, total: 1_000_000 }));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_empty_oversized_or_badly_named_file_is_refused_before_anything_is_sent() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let never = || futures_util::stream::empty::<std::io::Result<Bytes>>();
    let cases = [
        (FileSource::stream("big.log", 20 * 1024 * 1024 + 1, never()), "files", "20971520 bytes"),
        (FileSource::stream("big.png", 16 * 1024 * 1024 + 1, never()), "files", "an image"),
        (FileSource::bytes("empty.txt", Bytes::new()), "files", "must not be empty"),
        (FileSource::bytes("a/b.txt", "x"), "file name", "not a path"),
        (FileSource::bytes("", "x"), "file name", "must not be empty"),
    ];
    for (file, field, rule) in cases {
        let shown = format!("{file:?}");
        let err = zoom.files().send(&team(), file).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field: f, rule: r } if f == field && r.contains(rule)),
            "{shown}: {err}"
        );
    }
    let missing = zoom.files().upload(FileSource::path("/nonexistent/file.txt")).await.unwrap_err();
    assert!(matches!(&missing, Error::InvalidInput { field, .. } if field == "file"), "{missing}");
    let seen = fake.requests().iter().filter(|r| r.path.contains("files")).count();
    assert_eq!(seen, 0, "nothing reached the file host");
}

#[tokio::test]
async fn the_fake_refuses_a_file_past_its_cap_as_zoom_refuses_one_too_large() {
    let fake = ZoomMock::builder().max_file_bytes(1000).start().await.unwrap();
    let zoom = common::client(&fake);
    let err = zoom.files().send(&team(), FileSource::bytes("a.txt", content(1001))).await.unwrap_err();
    assert!(
        matches!(&err, Error::Zoom { status: 400, code: 300, message, .. } if message.contains("Maximum file size exceeded")),
        "{err:?}"
    );
    zoom.files().send(&team(), FileSource::bytes("a.txt", content(1000))).await.unwrap();
}

#[tokio::test]
async fn a_retry_after_a_429_sends_the_whole_file_again() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    let bytes = content(2_000_000);
    // A token first, so that the forced 429 meets the upload.
    zoom.chat_token().await.unwrap();
    fake.force_rate_limit(1);

    let totals: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let record = totals.clone();
    let file = zoom
        .files()
        .upload(FileSource::bytes("dump.bin", bytes.clone()))
        .on_progress(move |p| record.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(common::statuses(&fake, OperationId::UploadChatFile), vec![429, 201]);
    assert_eq!(fake.file(file.as_str()).unwrap().bytes, Bytes::from(bytes), "the second attempt sent it all");
    let restarts = totals.lock().unwrap().windows(2).filter(|w| w[1].sent < w[0].sent).count();
    assert!(restarts <= 1, "the retry started from the first byte");
}

#[tokio::test]
async fn a_one_shot_stream_is_not_sent_again_after_a_429() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    zoom.chat_token().await.unwrap();
    fake.force_rate_limit(1);
    let chunks = futures_util::stream::iter((0..4).map(|_| Ok(Bytes::from(vec![7u8; 1000]))));
    let err = zoom.files().upload(FileSource::stream("s.bin", 4000, chunks)).await.unwrap_err();
    assert!(matches!(&err, Error::StreamSpent { why: "retry" }), "{err:?}");
    assert_eq!(common::statuses(&fake, OperationId::UploadChatFile), vec![429], "sent once");
}

#[tokio::test]
async fn the_page_shows_images_inline_and_other_files_as_links_and_its_form_uploads_one() {
    let fake = ZoomMock::start().await.unwrap();
    let zoom = common::client(&fake);
    zoom.files().send(&team(), FileSource::bytes("shot.png", vec![0x89u8; 2048])).await.unwrap();
    zoom.files().send(&team(), FileSource::bytes("<b>x.log", vec![b'a'; 1500])).await.unwrap();
    let origin = fake.webhook_base_url();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(format!("{origin}/")).send().await.unwrap().text().await.unwrap();
    let files: Vec<_> = {
        let chat = fake.conversation(&ConversationId::channel("team").unwrap());
        chat.iter()
            .filter_map(|m| match &m.content {
                MessageContent::Text(t) => t.file_ids.first().cloned(),
                _ => None,
            })
            .collect()
    };
    assert!(page.contains(&format!(r#"<img src="/_fake/files/{}" alt="shot.png">"#, files[0])), "{page}");
    assert!(page.contains(&format!(r#"<a href="/_fake/files/{}" download="&lt;b&gt;x.log">"#, files[1])), "{page}");
    assert!(page.contains("1.5 KB") && !page.contains("<b>x.log"), "the name is escaped, the size shown");
    let image = http.get(format!("{origin}/_fake/files/{}", files[0])).send().await.unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().len(), 2048);

    // The page's upload form: a file into the conversation, as the account's user.
    let boundary = "page-form-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"account\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"to_jid\"\r\n\r\nteam@conference.xmpp.zoom.us\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nhello page\r\n--{boundary}--\r\n",
        fake.account_id()
    );
    let post = |origin_header: Option<&str>| {
        let mut request = http
            .post(format!("{origin}/_fake/act/upload"))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body.clone());
        if let Some(o) = origin_header {
            request = request.header("origin", o);
        }
        request.send()
    };
    let foreign = post(Some("http://evil.example")).await.unwrap();
    assert!(foreign.status().is_client_error(), "another site's form is refused: {}", foreign.status());
    let uploaded = post(Some(&origin)).await.unwrap();
    assert_eq!(uploaded.status(), 303);
    let chat = fake.conversation(&ConversationId::channel("team").unwrap());
    let last = chat.last().unwrap();
    let MessageContent::Text(t) = &last.content else { panic!() };
    assert_eq!(fake.file(&t.file_ids[0]).unwrap().bytes, Bytes::from_static(b"hello page"));
    assert_eq!(
        chat.iter()
            .filter(|m| matches!(&m.content, MessageContent::Text(t) if t.message.as_str() == "notes.txt"))
            .count(),
        1,
        "one upload: the foreign form did nothing"
    );
}
