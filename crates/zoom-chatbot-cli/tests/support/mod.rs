//! The `zoom-chatbot` program set up for a fake Zoom: for the tests and the replicas bench.

use std::process::Command;

use zoom_mock::fake::ZoomMock;

pub const BIN: &str = env!("CARGO_BIN_EXE_zoom-chatbot");

/// The program with nothing from this environment but the fake's `ZOOM_*` configuration.
pub fn program(fake: &ZoomMock) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("ZOOM_CLIENT_ID", fake.client_id())
        .env("ZOOM_CLIENT_SECRET", fake.client_secret())
        .env("ZOOM_ACCOUNT_ID", fake.account_id())
        .env("ZOOM_ROBOT_JID", fake.robot_jid())
        .env("ZOOM_API_URL", fake.api_base_url())
        .env("ZOOM_OAUTH_URL", fake.oauth_base_url());
    command
}
