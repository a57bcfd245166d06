//! The `zoom-chatbot` program set up for a fake Zoom: for the tests and the replicas bench.

use std::process::Command;

use zoom_mock::fake::ZoomMock;

pub const BIN: &str = env!("CARGO_BIN_EXE_zoom-chatbot");

/// The program with nothing from this environment but the fake's `ZOOM_*` configuration.
pub fn program(fake: &ZoomMock) -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().envs(fake.client_env());
    command
}
