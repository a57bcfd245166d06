//! The bot's endpoint core, `zoom_chatbot::bot::Bot::handle`, with any headers and body.
//!
//! Input: a flags byte, a field of header lines (`name: value`, one a line), then the body.
//! Flag 1 signs the body with the bot's secret at the current second (so the event is read
//! and dispatched); otherwise the request carries whatever headers the input gives and must be
//! refused (401). Every answer is JSON; a handshake is answered with its token's HMAC. Every
//! handler reads its whole context, so a panic there is a crash too. The client points at
//! 127.0.0.1:9 and is never called: no handler sends anything.
#![no_main]

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use zoom_chatbot::bot::{Bot, Context, EventKind};
use zoom_chatbot::webhook::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use zoom_chatbot::{SecretString, ZoomClient};
use zoom_fuzz::Fields;

const SECRET: &str = "fuzz-webhook-secret";

/// Reads every part of the context a handler may read.
async fn read_all(ctx: Context) -> zoom_chatbot::Result<()> {
    let _ = (ctx.command_text(), ctx.button_value(), ctx.selected_values(), ctx.text_edit(), ctx.field_edit());
    let _ = (ctx.conversation(), ctx.message_id(), ctx.original_card(), format!("{ctx:?}"));
    if let Some(callback) = ctx.callback() {
        let _ = (callback.url(), callback.deadline(), callback.is_used());
    }
    Ok(())
}

fn setup() -> &'static (tokio::runtime::Runtime, Bot) {
    static SETUP: OnceLock<(tokio::runtime::Runtime, Bot)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
        let zoom = ZoomClient::builder()
            .credentials("fuzz-client", SecretString::from("fuzz-client-secret".to_owned()))
            .api_url("http://127.0.0.1:9/v2")
            .oauth_url("http://127.0.0.1:9")
            .webhook_url("http://127.0.0.1:9")
            // Every host on loopback, over plain HTTP: the fuzz build has no TLS backend, and a
            // client refuses an https URL it could not reach (the file host's default is one).
            .file_url("http://127.0.0.1:9/v2")
            .build()
            .expect("a client");
        let bot = Bot::new(zoom, SecretString::from(SECRET.to_owned()))
            .on_command("ping", read_all)
            .on_button("go", read_all)
            .on_select("go", read_all)
            .on(EventKind::InteractiveMessageSelect, read_all)
            .on(EventKind::InteractiveMessageEditable, read_all)
            .on(EventKind::InteractiveMessageFieldsEditable, read_all)
            .on(EventKind::BotInstalled, read_all)
            .on(EventKind::TeamChatAppMention, read_all)
            .on(EventKind::TeamChatLinkShared, read_all)
            .on(EventKind::AppDeauthorized, read_all)
            .on_malformed(|m| async move {
                let _ = m.to_string();
            })
            .on_other(read_all);
        (runtime, bot)
    })
}

fuzz_target!(|data: &[u8]| {
    let (runtime, bot) = setup();
    let mut fields = Fields::new(data);
    let signed = fields.byte() & 1 == 1;
    let header_text = fields.field();
    let body = fields.rest();

    let mut request = http::Request::builder().method("POST").uri("/zoom/events");
    for line in header_text.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (Ok(name), Ok(value)) =
            (http::HeaderName::from_bytes(&line[..colon]), http::HeaderValue::from_bytes(&line[colon + 1..]))
        else {
            continue;
        };
        request = request.header(name, value);
    }
    let mut request = request.body(Bytes::copy_from_slice(body)).expect("a request");
    if signed {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
        let signature = sign(&SecretString::from(SECRET.to_owned()), now, body);
        let headers = request.headers_mut();
        headers.insert(TIMESTAMP_HEADER, now.to_string().parse().expect("digits"));
        headers.insert(SIGNATURE_HEADER, signature.parse().expect("hex"));
    }

    let response = runtime.block_on(async {
        let response = bot.handle(request).await;
        // Lets the handlers just spawned run to their end.
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
        response
    });
    let answer: serde_json::Value = serde_json::from_slice(response.body()).expect("every answer is JSON");
    let status = response.status().as_u16();
    if !signed {
        assert_eq!(status, 401, "an unsigned request was answered {status}: {answer}");
        return;
    }
    // Refused although signed: the same body twice within a second (a replay), or a body
    // that is not a JSON object (not an event).
    let event = serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v.is_object());
    let why = answer["error"].as_str().unwrap_or("");
    let refused = status == 401 && (why.contains("already received") || (!event && why.contains("not a Zoom event")));
    assert!(matches!(status, 200 | 503) || refused, "a signed request was answered {status}: {answer}");
    if status == 200
        && let Some(plain) = answer["plainToken"].as_str()
    {
        assert_eq!(answer["encryptedToken"], zoom_signature::hmac_hex(SECRET.as_bytes(), plain.as_bytes()));
    }
});
