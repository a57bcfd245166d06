//! The fake's accounts: a handle on one ([`FakeAccount`]: its conversations, its events, its
//! plan), and installing or removing the app, which Zoom tells the bot with `bot_installed`
//! and `app_deauthorized`.

use zoom_api_gen::events::EventKind;

use super::config::AccountSpec;
use super::delivery::DeliveryError;
use super::event_builders::{app_deauthorized_event, bot_installed_event};
use super::limits::Plan;
use super::shared::Shared;
use super::state::{ConversationId, FakeChannel, FakeFile, StoredMessage};
use super::{ZoomMock, act};

impl Shared {
    /// Marks the app installed in (or removed from) `account`, then tells the page's bot:
    /// `bot_installed`, the account's default user installing, or `app_deauthorized`, that
    /// user removing it. The account changes whether or not the bot answers (as in Zoom, where
    /// the install is the account's), and the delivery is recorded either way.
    pub(crate) async fn set_installed(&self, account: &str, installed: bool) -> Result<u16, DeliveryError> {
        let event = {
            let mut state = self.lock();
            let (robot, client_id) = (state.config.robot_jid.clone(), state.config.client_id.clone());
            let user_jid = state.user_jid(account);
            let signature = format!("{}{}", state.new_message_id(), state.new_message_id()).replace('-', "");
            let Some(spec) = state.account_mut(account) else {
                return Err(DeliveryError::Unknown(format!("no account {account:?}")));
            };
            spec.installed = installed;
            if installed {
                bot_installed_event(account, &robot, &user_jid, &format!("{} (admin)", spec.user_id))
            } else {
                app_deauthorized_event(account, &client_id, &spec.user_id, &signature.to_ascii_lowercase())
            }
        };
        self.changed();
        let name = if installed { EventKind::BotInstalled } else { EventKind::AppDeauthorized }.as_str();
        match self.page_bot().await {
            Ok(bot) => self.deliver(&bot, &event).await,
            Err(why) => {
                act::record_refusal(self, name, account.to_owned(), why.clone());
                Err(DeliveryError::Unreachable(why))
            }
        }
    }
}

/// One account of a running fake, as [`ZoomMock::account`] names it: what it holds, and what
/// its users do. An id the fake does not hold names an empty account with the app not
/// installed.
#[derive(Debug)]
pub struct FakeAccount<'a> {
    mock: &'a ZoomMock,
    id: String,
}

impl FakeAccount<'_> {
    fn spec(&self) -> Option<AccountSpec> {
        self.mock.shared.lock().account(&self.id).cloned()
    }

    /// The account id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the app is installed there.
    pub fn is_installed(&self) -> bool {
        self.spec().is_some_and(|a| a.installed)
    }

    /// The plan whose limits apply there (`None`: no plan limits, or no such account).
    pub fn plan(&self) -> Option<Plan> {
        self.spec().and_then(|a| a.plan)
    }

    /// Its default user's JID (`{user_id}@xmpp.zoom.us`, lower-cased): who installs the app
    /// and who the page acts as there.
    pub fn user_jid(&self) -> String {
        self.mock.shared.lock().user_jid(&self.id)
    }

    /// Switches its plan; `None` lifts its limits. Its per-second schedules start again.
    pub fn set_plan(&self, plan: Option<Plan>) {
        let mut state = self.mock.shared.lock();
        if let Some(spec) = state.account_mut(&self.id) {
            spec.plan = plan;
            state.limiter.plan_changed(&self.id);
        }
    }

    /// The messages of one of its conversations, oldest first, deleted ones included.
    pub fn conversation(&self, id: &ConversationId) -> Vec<StoredMessage> {
        self.mock.shared.lock().conversation(&self.id, id).into_iter().cloned().collect()
    }

    /// One of its stored files (uploaded or sent), by id, with its bytes.
    pub fn file(&self, id: &str) -> Option<FakeFile> {
        self.mock.shared.lock().files.get(&self.id, id).cloned()
    }

    /// One of its channels (made through the channel API), by id, with its members.
    pub fn channel(&self, id: &str) -> Option<FakeChannel> {
        self.mock.shared.lock().channel(&self.id, id).cloned()
    }

    /// The messages of its conversation a JID names.
    pub fn conversation_of_jid(&self, jid: &str) -> Vec<StoredMessage> {
        jid.parse::<ConversationId>().map(|id| self.conversation(&id)).unwrap_or_default()
    }
}

impl ZoomMock {
    /// Every account, the first (the default, [`account_id`](Self::account_id)) first, as
    /// they are now.
    pub fn accounts(&self) -> Vec<AccountSpec> {
        self.shared.lock().accounts.clone()
    }

    /// One account, by id.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use zoom_mock::fake::{AccountSpec, ConversationId, ZoomMock};
    ///
    /// let zoom = ZoomMock::builder().account(AccountSpec::new("AcmeAccount")).start().await?;
    /// let acme = zoom.account("AcmeAccount");
    /// assert!(acme.is_installed());
    /// assert_eq!(acme.user_jid(), "acmeaccountuser@xmpp.zoom.us");
    /// assert!(acme.conversation(&ConversationId::channel("general").unwrap()).is_empty());
    /// # Ok(()) }
    /// ```
    pub fn account(&self, id: &str) -> FakeAccount<'_> {
        FakeAccount { mock: self, id: id.to_owned() }
    }

    /// Installs the app in `account`, and delivers `bot_installed` (its default user
    /// installing) to the bot the page acts on, signed; returns the bot's status. The account
    /// takes chatbot calls from now on even when the delivery fails (no bot connected, say:
    /// an error saying so); an account the fake does not hold is an error, and nothing changes.
    pub async fn install(&self, account: &str) -> Result<u16, DeliveryError> {
        self.shared.set_installed(account, true).await
    }

    /// Removes the app from `account`, and delivers `app_deauthorized` to the bot the page
    /// acts on; chatbot calls naming the account are refused (403, code 7004) from now on.
    /// What its conversations hold stays. Errors as [`install`](Self::install).
    pub async fn uninstall(&self, account: &str) -> Result<u16, DeliveryError> {
        self.shared.set_installed(account, false).await
    }
}
