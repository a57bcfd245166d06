//! The accept loop: each connection served by hyper, so that a dropped-connection fault can
//! close a connection with no answer; accept errors waited out.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
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

/// The accept loop. Hand-rolled rather than `axum::serve` for one reason: a dropped-connection
/// fault must close the connection with no answer at all, which hyper does when the service
/// fails, and which axum's infallible services cannot express.
pub(crate) async fn serve(listener: TcpListener, router: Router) {
    serve_from(|| listener.accept(), router).await
}

async fn serve_from<A, F>(mut accept: A, router: Router)
where
    A: FnMut() -> F,
    F: std::future::Future<Output = io::Result<(tokio::net::TcpStream, SocketAddr)>>,
{
    let mut connections = JoinSet::new();
    let mut backoff = AcceptBackoff::default();
    loop {
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
            let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let router = router.clone();
                async move {
                    let response = router.oneshot(req.map(Body::new)).await.unwrap_or_else(|e| match e {});
                    if response.extensions().get::<DropConnection>().is_some() {
                        Err(io::Error::new(io::ErrorKind::ConnectionAborted, "fault: dropped connection"))
                    } else {
                        Ok(response)
                    }
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
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
        let ran = tokio::time::timeout(Duration::from_millis(300), serve_from(accept, Router::new())).await;
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
