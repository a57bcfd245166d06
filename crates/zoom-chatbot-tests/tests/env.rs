//! Configuration from the environment (its own test binary: it sets process variables).

mod common;

use zoom_chatbot::ZoomClient;
use zoom_mock::fake::ZoomMock;

#[tokio::test]
async fn from_env_reads_credentials_and_url_overrides() {
    let fake = ZoomMock::start().await.unwrap();
    // The fake's own variables, but a webhook URL of the test's, to see an override read.
    for (k, v) in fake.client_env() {
        let v = if k == "ZOOM_WEBHOOK_URL" { "http://127.0.0.1:1/hooks".to_owned() } else { v };
        // SAFETY: this test binary has this one test; nothing else reads the environment.
        unsafe { std::env::set_var(k, v) };
    }
    let zoom = ZoomClient::from_env().unwrap();
    assert_eq!(zoom.webhook_url(), "http://127.0.0.1:1/hooks");
    zoom.send(common::CHANNEL, common::card("from env")).await.unwrap();
    assert_eq!(fake.conversation_of_jid(common::CHANNEL).len(), 1);

    unsafe { std::env::remove_var("ZOOM_CLIENT_SECRET") };
    let err = ZoomClient::from_env().unwrap_err();
    assert!(err.to_string().contains("ZOOM_CLIENT_SECRET"), "{err}");
    unsafe { std::env::set_var("ZOOM_CLIENT_SECRET", "x") };
    unsafe { std::env::set_var("ZOOM_ROBOT_JID", "not a jid") };
    let err = ZoomClient::from_env().unwrap_err();
    assert!(
        matches!(&err, zoom_chatbot::Error::InvalidSetting { setting: zoom_chatbot::error::Setting::RobotJid, rule } if rule.contains("robot_jid"))
            && err.to_string().contains("ZOOM_ROBOT_JID"),
        "the variable and the rule are named: {err}"
    );
}
