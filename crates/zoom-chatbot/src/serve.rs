//! Serving a bot on the open internet. Zoom must reach a bot's endpoint, so anyone can:
//! [`Server`] serves an `axum::Router` (a [`Bot::router`](crate::bot::Bot::router), and any
//! routes of your own) with what `axum::serve` leaves out. A client that sends its headers too
//! slowly, or keeps a connection idle, is disconnected within seconds; one whose request (its
//! body, then the answer) takes too long gets 408; no more than a set number of connections
//! are open at once. The bot's router also caps a request's body at
//! [`MAX_EVENT_BYTES`](crate::bot::MAX_EVENT_BYTES).
//!
//! ```no_run
//! # async fn run(bot: zoom_chatbot::bot::Bot) -> std::io::Result<()> {
//! use zoom_chatbot::serve::Server;
//!
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
//! let shutdown = async { tokio::signal::ctrl_c().await.ok(); };
//! Server::new().serve_with_shutdown(listener, bot.router("/zoom/events"), shutdown).await?;
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

use crate::bot::Bot;
use crate::macros::setters;

/// How long a client has to send a request's headers, and how long a connection may sit idle
/// between requests, by default.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request may take, from its headers to the end of the answer, by default. The
/// bot answers Zoom at once (handlers run after), and Zoom gives up after three seconds.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How many connections may be open at once, by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Serves a router with timeouts and a connection cap: see the [module](self).
#[derive(Clone, Debug)]
pub struct Server {
    header_read_timeout: Duration,
    request_timeout: Duration,
    max_connections: usize,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Server {
    /// A server with the default timeouts and cap.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// How long a client has to send a request's headers; a connection kept open with no
        /// request is closed after the same time (default [`DEFAULT_HEADER_READ_TIMEOUT`]).
        pub fn header_read_timeout(timeout: Duration);

        /// How long a request may take once its headers are in: reading its body, then the
        /// answer. Past it the client gets 408 (default [`DEFAULT_REQUEST_TIMEOUT`]).
        pub fn request_timeout(timeout: Duration);

        /// How many connections may be open at once (default [`DEFAULT_MAX_CONNECTIONS`], at
        /// least one). At the cap, new connections wait in the listener's backlog until one
        /// closes.
        pub fn max_connections(connections: usize) = connections.max(1);
    }

    /// Serves `app` on `listener` until the task is dropped.
    pub async fn serve(self, listener: TcpListener, app: Router) -> io::Result<()> {
        self.serve_with_shutdown(listener, app, std::future::pending()).await
    }

    /// Serves `app` on `listener` until `shutdown` completes, then stops accepting and waits
    /// for the open connections to finish their requests. Then stop the bot's handlers with
    /// [`Bot::shutdown`](crate::bot::Bot::shutdown).
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        app: Router,
        shutdown: impl Future<Output = ()> + Send,
    ) -> io::Result<()> {
        let slots = Arc::new(Semaphore::new(self.max_connections));
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        let mut backoff = Duration::ZERO;
        loop {
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
                () = &mut shutdown => break,
            };
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        backoff = Duration::ZERO;
                        stream
                    }
                    Err(e) => {
                        // Out of file descriptors, say: wait it out rather than spin on it.
                        backoff = (backoff * 2).clamp(Duration::from_millis(1), Duration::from_secs(1));
                        tracing::warn!(error = %e, wait_ms = backoff.as_millis() as u64, "accept failed");
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(self.header_read_timeout)
                .serve_connection(TokioIo::new(stream), service(app.clone(), self.request_timeout));
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                // A client that was too slow, or went away, is no error of the server's.
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "connection closed");
                }
                drop(slot);
            });
        }
        drop(listener);
        graceful.shutdown().await;
        Ok(())
    }

    /// Serves `bot`'s events at `path` until `shutdown` completes, then waits up to `grace`
    /// for the running handlers (a [`Bot::shutdown`](crate::bot::Bot::shutdown)). Returns how
    /// many handlers still ran then, after logging them at WARN.
    ///
    /// ```no_run
    /// # async fn run(bot: zoom_chatbot::bot::Bot) -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use zoom_chatbot::serve::{Server, ctrl_c};
    ///
    /// let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
    /// let grace = Duration::from_secs(10);
    /// Server::new().serve_bot(listener, bot, "/zoom/events", ctrl_c(), grace).await?;
    /// # Ok(()) }
    /// ```
    pub async fn serve_bot(
        self,
        listener: TcpListener,
        bot: Bot,
        path: &str,
        shutdown: impl Future<Output = ()> + Send,
        grace: Duration,
    ) -> io::Result<usize> {
        self.serve_with_shutdown(listener, bot.clone().router(path), shutdown).await?;
        let still_running = bot.shutdown(grace).await;
        if still_running > 0 {
            tracing::warn!(still_running, "handlers still running at exit");
        }
        Ok(still_running)
    }
}

/// Completes on Ctrl-C (SIGINT), for [`Server::serve_bot`]'s `shutdown`. Where the signal
/// cannot be listened for, it logs why at ERROR and never completes: the process serves until
/// it is stopped.
pub async fn ctrl_c() {
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!(error = %e, "cannot listen for Ctrl-C; serving until the process is stopped");
        std::future::pending::<()>().await;
    }
}

type Incoming = hyper::Request<hyper::body::Incoming>;

/// `app` for one connection, each request bounded by `timeout`.
fn service(
    app: Router,
    timeout: Duration,
) -> impl hyper::service::Service<Incoming, Response = axum::response::Response, Error = Infallible, Future: Send> + Clone
{
    hyper::service::service_fn(move |request: Incoming| {
        let app = app.clone();
        async move {
            let answer = app.oneshot(request.map(axum::body::Body::new));
            match tokio::time::timeout(timeout, answer).await {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(never)) => match never {},
                Err(_) => {
                    tracing::warn!(timeout_ms = timeout.as_millis() as u64, "a request took too long; answered 408");
                    Ok((http::StatusCode::REQUEST_TIMEOUT, [(http::header::CONNECTION, "close")]).into_response())
                }
            }
        }
    })
}
