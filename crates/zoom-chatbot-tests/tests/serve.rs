//! The bot served on the open internet: slow and idle clients are disconnected, slow bodies
//! answered 408, large ones 413, and the connection cap holds. The clients here are raw TCP
//! connections on loopback that misbehave on purpose.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use zoom_chatbot::SecretString;
use zoom_chatbot::bot::Bot;
use zoom_chatbot::serve::Server;

/// Long enough never to be reached by a server that works; a guard against a hang only.
const GUARD: Duration = Duration::from_secs(10);

fn bot() -> Bot {
    Bot::new(common::offline(), SecretString::from("webhook-secret".to_owned()))
}

async fn start(server: Server) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server.serve(listener, bot().router("/zoom/events")));
    addr
}

/// Reads until the server closes the connection; what it sent, or `None` if it did not close
/// within the guard.
async fn until_closed(stream: &mut TcpStream) -> Option<String> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(GUARD, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    });
    read.await.ok().map(|()| String::from_utf8_lossy(&seen).into_owned())
}

const HALF: &[u8] = b"POST /zoom/events HTTP/1.1\r\nHost: bot.example\r\nContent-Type: applic";

#[tokio::test]
async fn a_client_that_sends_half_its_headers_is_disconnected() {
    let addr = start(Server::new().header_read_timeout(Duration::from_millis(300))).await;
    let mut slow: Vec<TcpStream> = Vec::new();
    for _ in 0..64 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(HALF).await.unwrap();
        slow.push(stream);
    }
    for stream in &mut slow {
        assert!(until_closed(stream).await.is_some(), "a half-sent request kept its connection open");
    }
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_its_answer() {
    let addr = start(Server::new().header_read_timeout(Duration::from_millis(300))).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // Unsigned: answered 401 at once, on a connection kept alive.
    let body = "{}";
    let request = format!(
        "POST /zoom/events HTTP/1.1\r\nHost: bot.example\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let seen = until_closed(&mut stream).await.expect("the idle connection was closed");
    assert!(seen.starts_with("HTTP/1.1 401"), "{seen}");
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408() {
    let addr = start(Server::new().request_timeout(Duration::from_millis(300))).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = "POST /zoom/events HTTP/1.1\r\nHost: bot.example\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ev";
    stream.write_all(head.as_bytes()).await.unwrap();
    let seen = until_closed(&mut stream).await.expect("the connection was closed");
    assert!(seen.starts_with("HTTP/1.1 408"), "{seen}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_answered_413() {
    let addr = start(Server::new()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let length = zoom_chatbot::bot::MAX_EVENT_BYTES + 1;
    let head = format!(
        "POST /zoom/events HTTP/1.1\r\nHost: bot.example\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer before it has read all of it, so the writes may fail: fine.
    let _ = stream.write_all(&vec![b' '; length]).await;
    let seen = until_closed(&mut stream).await.expect("the connection was closed");
    assert!(seen.starts_with("HTTP/1.1 413"), "{seen}");
}

#[tokio::test]
async fn past_the_connection_cap_a_client_waits_for_a_free_slot() {
    let addr = start(Server::new().max_connections(2).header_read_timeout(Duration::from_secs(30))).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(HALF).await.unwrap();
        held.push(stream);
    }
    let mut third = TcpStream::connect(addr).await.unwrap(); // in the listener's backlog
    third.write_all(b"GET /nothing HTTP/1.1\r\nHost: bot.example\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(early.is_err(), "a third connection was served while two held the only slots");
    drop(held.pop());
    let seen = until_closed(&mut third).await.expect("served once a slot freed");
    assert!(seen.starts_with("HTTP/1.1 404"), "{seen}");
}

#[tokio::test]
async fn shutdown_stops_accepting_and_returns() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(Server::new().serve_with_shutdown(listener, bot().router("/zoom/events"), async {
        let _ = stopped.await;
    }));
    TcpStream::connect(addr).await.unwrap();
    stop.send(()).unwrap();
    tokio::time::timeout(GUARD, served).await.expect("the server returned").unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed");
}

#[tokio::test]
async fn serve_bot_stops_on_its_signal_and_counts_the_handlers_past_their_grace() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bot = bot().on_command("stuck", |_| async { std::future::pending::<zoom_chatbot::Result<()>>().await });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(Server::new().serve_bot(
        listener,
        bot,
        "/zoom/events",
        async {
            let _ = stopped.await;
        },
        Duration::from_millis(50),
    ));
    let body = serde_json::json!({"event": "bot_notification", "event_ts": 1, "payload": {
        "accountId": "a", "robotJid": "bot@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
        "userJid": "u@xmpp.zoom.us", "cmd": "stuck"}});
    let (parts, body) = common::signed("webhook-secret", &body).into_parts();
    let mut request = String::from("POST /zoom/events HTTP/1.1\r\nHost: bot.example\r\nConnection: close\r\n");
    for (name, value) in &parts.headers {
        request.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()));
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let seen = until_closed(&mut stream).await.expect("answered");
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");

    stop.send(()).unwrap();
    let still_running = tokio::time::timeout(GUARD, served).await.expect("the server returned").unwrap().unwrap();
    assert_eq!(still_running, 1, "the stuck handler outlived its grace");
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed");
}
