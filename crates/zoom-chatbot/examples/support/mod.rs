//! What the example bots share: how a bot is served, and how `main` starts one from the
//! environment.

use zoom_chatbot::bot::Bot;
use zoom_chatbot::serve::{Server, ctrl_c};
use zoom_chatbot::{SecretString, ZoomClient};

/// Serves `bot` on `listener` until Ctrl-C, safe on the open internet (slow and idle clients
/// are disconnected, connections capped), then lets the running handlers finish.
pub async fn serve(listener: tokio::net::TcpListener, bot: Bot) -> std::io::Result<()> {
    Server::new().serve_bot(listener, bot, "/zoom/events", ctrl_c(), std::time::Duration::from_secs(10)).await?;
    Ok(())
}

/// Runs the bot `make` builds, as `cargo run --example` does: logs to stdout, takes the app's
/// secret token from `ZOOM_WEBHOOK_SECRET_TOKEN` and the client from the `ZOOM_*` variables,
/// and serves the bot (named `name` in what it prints) on `127.0.0.1:${PORT:-3000}`.
pub async fn run(
    name: &str,
    make: impl FnOnce(ZoomClient, SecretString) -> Bot,
) -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let secret = std::env::var("ZOOM_WEBHOOK_SECRET_TOKEN")
        .map_err(|_| "set ZOOM_WEBHOOK_SECRET_TOKEN (the app's secret token)")?;
    let zoom = ZoomClient::from_env()?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("{name} listening on http://{}/zoom/events", listener.local_addr()?);
    serve(listener, make(zoom, SecretString::from(secret))).await?;
    Ok(())
}
