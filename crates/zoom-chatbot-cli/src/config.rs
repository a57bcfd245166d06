//! The connection: `ZoomClient::from_env`'s `ZOOM_*` variables, overridden by flags. Secrets
//! are read from the environment or from a file, never from an argument.

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret as _;
use zoom_chatbot::ids::{AccountId, BotJid};
use zoom_chatbot::pacing::Pacing;
use zoom_chatbot::shared::{OnUnavailable, RedisStore};
use zoom_chatbot::{ClientBuilder, SecretString, ZoomClient};

use crate::exit::Failure;

/// Where and as whom to connect.
#[derive(clap::Args, Debug)]
pub struct Connection {
    /// The app's client id (else ZOOM_CLIENT_ID).
    #[arg(long, global = true)]
    client_id: Option<String>,
    /// A file holding the app's client secret (else ZOOM_CLIENT_SECRET).
    #[arg(long, global = true)]
    client_secret_file: Option<PathBuf>,
    /// The account the bot's messages go to (else ZOOM_ACCOUNT_ID). A Marketplace bot serves
    /// every account that installed it: name the one this call is for.
    #[arg(long = "account", visible_alias = "account-id", global = true)]
    account_id: Option<AccountId>,
    /// The bot's JID (else ZOOM_ROBOT_JID).
    #[arg(long, global = true)]
    robot_jid: Option<BotJid>,
    /// The API's base URL (else ZOOM_API_URL, else Zoom's).
    #[arg(long, global = true)]
    api_url: Option<String>,
    /// The OAuth host's base URL (else ZOOM_OAUTH_URL, else Zoom's).
    #[arg(long, global = true)]
    oauth_url: Option<String>,
    /// With ZOOM_REDIS_URL (the URL may hold a password, so it is never an argument): the
    /// prefix of the keys that the processes sharing tokens and the rate budget use.
    #[arg(long, global = true, default_value = "zoom-chatbot")]
    redis_prefix: String,
    /// With ZOOM_REDIS_URL: when Redis is unreachable, go on alone (own token, own pacing; a
    /// warning says so) instead of failing with exit code 5.
    #[arg(long, global = true)]
    redis_fallback: bool,
}

/// A secret from the variable `name`, or from `file` (which wins); `None` when neither is set.
pub fn secret(name: &str, file: Option<&Path>) -> Result<Option<SecretString>, Failure> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        return Ok(Some(SecretString::from(text.trim().to_owned())));
    }
    Ok(std::env::var(name).ok().filter(|v| !v.trim().is_empty()).map(SecretString::from))
}

impl Connection {
    /// The builder the environment and the flags describe.
    pub fn builder(&self) -> Result<ClientBuilder, Failure> {
        let mut b = ClientBuilder::from_env();
        let client_id = self.client_id.clone().or_else(|| std::env::var("ZOOM_CLIENT_ID").ok());
        if let (Some(id), Some(secret)) = (client_id, secret("ZOOM_CLIENT_SECRET", self.client_secret_file.as_deref())?)
        {
            b = b.credentials(id, secret);
        }
        if let Some(account) = &self.account_id {
            b = b.account_id(account.clone());
        }
        if let Some(jid) = &self.robot_jid {
            b = b.robot_jid(jid.clone());
        }
        if let Some(url) = &self.api_url {
            b = b.api_url(url);
        }
        if let Some(url) = &self.oauth_url {
            b = b.oauth_url(url);
        }
        if let Some(url) = secret("ZOOM_REDIS_URL", None)? {
            let on_unavailable =
                if self.redis_fallback { OnUnavailable::FallBackToLocal } else { OnUnavailable::FailClosed };
            let store = RedisStore::builder(url.expose_secret())
                .prefix(&self.redis_prefix)
                .on_unavailable(on_unavailable)
                .build()?;
            b = b.shared_state(store);
        }
        Ok(b)
    }

    /// The client the environment and the flags describe.
    pub fn client(&self) -> Result<ZoomClient, Failure> {
        Ok(self.builder()?.build()?)
    }

    /// The client, pacing at `pacing`.
    pub fn paced_client(&self, pacing: Pacing) -> Result<ZoomClient, Failure> {
        Ok(self.builder()?.pacing(pacing).build()?)
    }
}
