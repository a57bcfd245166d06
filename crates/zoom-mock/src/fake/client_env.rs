//! The fake's app as a client is configured for it: the `ZOOM_*` variables a deployment sets
//! for the real Zoom, with the fake's credentials, account, bot and hosts. A client reads
//! them with `zoom_chatbot::ClientBuilder::from_vars`, the `zoom-chatbot` program from its
//! environment (`Command::envs`), so the fake needs no client of its own.

use std::fmt;

use super::ZoomMock;

/// The `ZOOM_*` variables of a client configured for a fake Zoom, as name and value pairs.
/// `Debug` shows the client secret's name, not its value.
///
/// ```
/// # async fn run() -> std::io::Result<()> {
/// let fake = zoom_mock::fake::ZoomMock::start().await?;
/// let vars = fake.client_env();
/// assert_eq!(vars.get("ZOOM_API_URL"), Some(fake.api_base_url().as_str()));
/// let mut program = std::process::Command::new("zoom-chatbot");
/// program.env_clear().envs(vars);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientEnv(Vec<(&'static str, String)>);

/// The variable that holds a secret, kept out of `Debug`.
const SECRET: &str = "ZOOM_CLIENT_SECRET";

impl ClientEnv {
    /// The value of one variable, if the fake sets it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The variables, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(n, v)| (*n, v.as_str()))
    }
}

impl IntoIterator for ClientEnv {
    type Item = (&'static str, String);
    type IntoIter = std::vec::IntoIter<(&'static str, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Debug for ClientEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.0.iter().map(|(n, v)| (*n, if *n == SECRET { "[redacted]" } else { v.as_str() }));
        f.debug_map().entries(shown).finish()
    }
}

impl ZoomMock {
    /// The `ZOOM_*` variables that point a client at this fake: `ZOOM_CLIENT_ID`,
    /// `ZOOM_CLIENT_SECRET`, `ZOOM_ACCOUNT_ID` (the first account), `ZOOM_ROBOT_JID`,
    /// `ZOOM_API_URL`, `ZOOM_OAUTH_URL`, `ZOOM_WEBHOOK_URL` and `ZOOM_FILE_URL` (the fake
    /// serves the file host's paths on its one listener).
    pub fn client_env(&self) -> ClientEnv {
        ClientEnv(vec![
            ("ZOOM_CLIENT_ID", self.client_id()),
            (SECRET, self.client_secret()),
            ("ZOOM_ACCOUNT_ID", self.account_id()),
            ("ZOOM_ROBOT_JID", self.robot_jid()),
            ("ZOOM_API_URL", self.api_base_url()),
            ("ZOOM_OAUTH_URL", self.oauth_base_url()),
            ("ZOOM_WEBHOOK_URL", self.webhook_base_url()),
            ("ZOOM_FILE_URL", self.file_base_url()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_variables_name_the_fake_and_debug_hides_the_secret() {
        let fake = ZoomMock::start().await.unwrap();
        let vars = fake.client_env();
        assert_eq!(vars.get("ZOOM_CLIENT_SECRET"), Some(fake.client_secret().as_str()));
        assert_eq!(vars.get("ZOOM_ROBOT_JID"), Some(fake.robot_jid().as_str()));
        assert_eq!(vars.get("ZOOM_FILE_URL"), Some(fake.file_base_url().as_str()));
        assert_eq!(vars.iter().count(), 8);
        let shown = format!("{vars:?}");
        assert!(!shown.contains(&fake.client_secret()) && shown.contains("[redacted]"), "{shown}");
        assert!(shown.contains(&fake.api_base_url()), "{shown}");
    }
}
