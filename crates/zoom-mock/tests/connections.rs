//! Slow and idle clients cannot hold the fake: a connection that sends half a request, or
//! stays idle between requests, is closed after the idle timeout; a request in flight (the
//! page's change stream) is not idle; and past the connection cap, a new connection waits,
//! unserved, until one closes. Timeouts here only guard against a hang.

use crate::common;

use std::io::ErrorKind;
use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zoom_mock::fake::ZoomMock;

/// Longer than anything here should take; a test that reaches it has hung.
const GUARD: Duration = Duration::from_secs(10);

/// Reads until the server closes the connection; returns what it sent. Panics when it stays
/// open past [`GUARD`].
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(GUARD, stream.read(&mut buf)).await.expect("the server closes the connection") {
            Ok(0) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            // A close with unread data is a reset: closed all the same.
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("{e}"),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

async fn short_timeout() -> ZoomMock {
    ZoomMock::builder().idle_timeout(Duration::from_millis(300)).start().await.unwrap()
}

/// A form post's head announcing a body of 100 bytes.
const POST_HEAD: &str = "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";

/// What a fake with a short idle timeout answers a connection that sends `pieces` and then
/// nothing, until it closes the connection.
async fn answer_before_close(pieces: &[&[u8]]) -> String {
    let zoom = short_timeout().await;
    let mut stream = TcpStream::connect(zoom.addr()).await.unwrap();
    for piece in pieces {
        stream.write_all(piece).await.unwrap();
    }
    read_to_close(&mut stream).await
}

#[tokio::test]
async fn a_connection_that_sends_half_a_request_is_closed() {
    let answer = answer_before_close(&[b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "]).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_connection_that_never_sends_anything_is_closed() {
    assert_eq!(answer_before_close(&[]).await, "");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_its_answer() {
    let answer = answer_before_close(&[b"GET /v2/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]).await;
    assert!(answer.starts_with("HTTP/1.1 404"), "answered first: {answer}");
}

#[tokio::test]
async fn the_change_stream_outlives_the_idle_timeout_while_it_streams() {
    let zoom = short_timeout().await;
    let token = bot_token(&zoom).await;
    let mut stream = http().get(format!("{}/_fake/changes", zoom.oauth_base_url())).send().await.unwrap();
    let mut seen = String::new();
    let mut read_until = async |text: &str, seen: &mut String| {
        while !seen.contains(text) {
            let chunk = tokio::time::timeout(GUARD, stream.chunk()).await.expect("an event").unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk.expect("the stream stays open")));
        }
    };
    read_until("data: 0\n", &mut seen).await;
    // Several idle timeouts with nothing sent either way: the stream is a request in flight.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "later").await.status(), 201);
    read_until("data: 1\n", &mut seen).await;
}

#[tokio::test]
async fn past_the_cap_a_connection_waits_until_one_closes() {
    let zoom = ZoomMock::builder().max_connections(1).idle_timeout(Duration::from_secs(60)).start().await.unwrap();
    let request = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    // The first holds the only slot: answered, and kept open.
    let mut first = TcpStream::connect(zoom.addr()).await.unwrap();
    first.write_all(request("/v2/first").as_bytes()).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(GUARD, first.read(&mut buf)).await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 404"));
    // The second is held back: not answered, not even read.
    let mut second = TcpStream::connect(zoom.addr()).await.unwrap();
    second.write_all(request("/v2/second").as_bytes()).await.unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(500), second.read(&mut buf)).await;
    assert!(waited.is_err(), "served past the cap: {waited:?}");
    assert!(zoom.requests().iter().all(|r| r.path != "/v2/second"), "{:?}", zoom.requests());
    // Once the first closes, the second is served.
    drop(first);
    let n = tokio::time::timeout(GUARD, second.read(&mut buf)).await.expect("served once a slot is free").unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 404"));
    assert!(zoom.requests().iter().any(|r| r.path == "/v2/second"));
}

#[tokio::test]
async fn a_request_whose_body_stalls_is_closed() {
    // The head in full, then ten of the hundred bytes it announces, then nothing.
    let answer = answer_before_close(&[POST_HEAD.as_bytes(), b"grant_type"]).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

/// A body trickled a byte at a time, each well within the idle timeout, cannot hold the
/// connection either: the body as a whole has the idle timeout, from the handler's first
/// wait for it.
#[tokio::test]
async fn a_request_whose_body_trickles_is_closed() {
    let zoom = short_timeout().await;
    let mut stream = TcpStream::connect(zoom.addr()).await.unwrap();
    stream.write_all(POST_HEAD.as_bytes()).await.unwrap();
    let closed = tokio::time::timeout(GUARD, async {
        // A byte every 100 ms (the idle timeout is 300 ms) until the server gives up.
        for _ in 0..100 {
            if stream.write_all(b"g").await.is_err() {
                return true;
            }
            let mut buf = [0u8; 512];
            match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => return true, // answered (an error) and closing
                Err(_) => {}              // nothing yet: trickle on
            }
        }
        false
    });
    assert!(closed.await.expect("within the guard"), "a trickling body kept its connection for 10 s");
}

/// The body's clock runs only while the handler waits for it: an injected latency longer than
/// the idle timeout, before the body is read, loses nothing.
#[tokio::test]
async fn a_body_read_after_a_long_injected_latency_is_whole() {
    let zoom = short_timeout().await;
    let token = bot_token(&zoom).await;
    zoom.set_faults(zoom_mock::fake::Faults { latency: Duration::from_millis(900), ..Default::default() });
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "late but whole").await.status(), 201);
}
