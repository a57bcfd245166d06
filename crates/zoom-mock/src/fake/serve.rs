//! The accept loop: each connection served by hyper, so that a dropped-connection fault can
//! close a connection with no answer; accept errors waited out; slow and idle clients closed
//! and the open connections capped, so that no client can hold the fake.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use super::router::DropConnection;

/// Waits after a failed accept (out of file descriptors, say) instead of spinning on it: 1 ms,
/// doubling up to 1 s, and no wait again after a success.
#[derive(Debug, Default)]
struct AcceptBackoff(Duration);

impl AcceptBackoff {
    fn failed(&mut self) -> Duration {
        self.0 = (self.0 * 2).clamp(Duration::from_millis(1), Duration::from_secs(1));
        self.0
    }

    fn succeeded(&mut self) {
        self.0 = Duration::ZERO;
    }
}

/// What a connection may hold: how long it may go without a request in flight, and how many
/// connections are served at once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: usize,
}

/// The accept loop. Hand-rolled rather than `axum::serve` for one reason: a dropped-connection
/// fault must close the connection with no answer at all, which hyper does when the service
/// fails, and which axum's infallible services cannot express.
pub(crate) async fn serve(listener: TcpListener, router: Router, limits: Limits) {
    serve_from(|| listener.accept(), router, limits).await
}

async fn serve_from<A, F>(mut accept: A, router: Router, limits: Limits)
where
    A: FnMut() -> F,
    F: std::future::Future<Output = io::Result<(tokio::net::TcpStream, SocketAddr)>>,
{
    let mut connections = JoinSet::new();
    let mut backoff = AcceptBackoff::default();
    // One permit per open connection. At the cap the loop waits for a connection to close
    // before it accepts another, rather than accepting and closing at once: a burst of
    // clients (a load test, a fuzzer) is served late instead of refused, the system's backlog
    // holds them meanwhile, and the idle timeout bounds how long any client that sends
    // nothing can keep a slot.
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        let stream = match accept().await {
            Ok((stream, _)) => {
                backoff.succeeded();
                stream
            }
            Err(e) => {
                let wait = backoff.failed();
                eprintln!("zoom-mock: accept failed ({e}); waiting {wait:?}");
                tokio::time::sleep(wait).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        while connections.try_join_next().is_some() {}
        let router = router.clone();
        connections.spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let router = router.clone();
                async move {
                    let req = req.map(|body| Body::new(StallLimit::new(body, limits.idle_timeout)));
                    let response = router.oneshot(req).await.unwrap_or_else(|e| match e {});
                    if response.extensions().get::<DropConnection>().is_some() {
                        Err(io::Error::new(io::ErrorKind::ConnectionAborted, "fault: dropped connection"))
                    } else {
                        Ok(response)
                    }
                }
            });
            // hyper's header-read timer starts whenever the connection waits for a request
            // (hyper 1.12: `poll_read_head` arms it while no request is in flight, at the
            // opening and after each answer), and stops once the head is read: so it is the
            // idle timeout too. A streaming answer (the change stream) is in flight and never
            // times out.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.idle_timeout)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A request's body that fails when it has not all arrived within `limit` of the handler's
/// first wait for it: a client that sends a head and then trickles (or stops sending) its body is
/// not waiting for a request, so hyper's header-read timer does not cover it, and it would
/// hold its slot for ever. The handler then meets a body error (axum answers 400), and hyper
/// closes the connection, whose body was not read to its end. The clock runs only while the
/// body is awaited: a handler that reads it late (after an injected latency) loses nothing.
struct StallLimit {
    inner: hyper::body::Incoming,
    limit: Duration,
    deadline: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl StallLimit {
    fn new(inner: hyper::body::Incoming, limit: Duration) -> Self {
        Self { inner, limit, deadline: None }
    }
}

impl hyper::body::Body for StallLimit {
    type Data = bytes::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        match std::pin::Pin::new(&mut self.inner).poll_frame(cx) {
            // The limit is the whole body's, from the handler's first wait for it: a part that
            // arrives does not start it again, so a body trickled a byte at a time cannot
            // hold the connection either.
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending => {
                let limit = self.limit;
                let deadline = self.deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        Poll::Ready(Some(Err(format!("the request's body did not all come within {limit:?}").into())))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[tokio::test]
    async fn failed_accepts_are_waited_out_not_spun_on() {
        let attempts = std::sync::Arc::new(AtomicU64::new(0));
        let counted = attempts.clone();
        let accept = move || {
            counted.fetch_add(1, Ordering::Relaxed);
            async { Err(io::Error::other("too many open files")) }
        };
        let limits = Limits { idle_timeout: Duration::from_secs(1), max_connections: 4 };
        let ran = tokio::time::timeout(Duration::from_millis(300), serve_from(accept, Router::new(), limits)).await;
        assert!(ran.is_err(), "the loop goes on after failures");
        // 1, 2, 4, ... 128 ms: about nine attempts in 300 ms, where a spinning loop makes
        // hundreds of thousands.
        let n = attempts.load(Ordering::Relaxed);
        assert!((2..=20).contains(&n), "{n} accept attempts in 300 ms");
    }

    #[test]
    fn the_accept_backoff_doubles_to_a_second_and_resets() {
        let mut b = AcceptBackoff::default();
        let waits: Vec<u64> = (0..12).map(|_| b.failed().as_millis() as u64).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000]);
        b.succeeded();
        assert_eq!(b.failed(), Duration::from_millis(1));
    }
}
