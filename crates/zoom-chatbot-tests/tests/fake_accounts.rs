//! One bot, many accounts, against the fake Zoom: the example echo bot, built with client
//! credentials and no account, answers slash commands from two accounts each in its own
//! account; the fake's install and uninstall reach the bot, whose installations store records
//! and removes them. Everything is checked in the fake's state.

use crate::common;
use crate::echo_bot;
use common::eventually;

use zoom_chatbot::ids::AccountId;
use zoom_chatbot::installs::{InstallStore, MemoryInstalls};
use zoom_chatbot::{SecretString, ZoomClient};
use zoom_mock::fake::{AccountSpec, ConversationId, Sender, StoredMessage, ZoomMock};

const SECRET: &str = "webhook-secret-token";
const ACME: &str = "AcmeAccount";
const GLOBEX: &str = "GlobexAccount";

/// A Marketplace app's client: client credentials, no account, no bot JID.
fn marketplace_client(fake: &ZoomMock) -> ZoomClient {
    ZoomClient::builder()
        .credentials(fake.client_id(), SecretString::from(fake.client_secret()))
        .api_url(fake.api_base_url())
        .oauth_url(fake.oauth_base_url())
        .build()
        .unwrap()
}

/// The echo bot, with `installs` as its store, served as the example serves it.
async fn serve_echo_bot(fake: &ZoomMock, installs: MemoryInstalls) -> String {
    let bot =
        echo_bot::echo_bot(marketplace_client(fake), SecretString::from(SECRET.to_owned())).installations(installs);
    let (listener, url) = common::events_endpoint().await;
    tokio::spawn(echo_bot::serve(listener, bot));
    url
}

#[tokio::test]
async fn the_echo_bot_answers_two_accounts_each_in_its_own() {
    let fake = ZoomMock::builder().account(AccountSpec::new(ACME)).start().await.unwrap();
    let url = serve_echo_bot(&fake, MemoryInstalls::new()).await;
    let bot = fake.connect_bot(&url, SECRET).await.unwrap();
    let team = ConversationId::channel("team").unwrap();
    let channel = "team@conference.xmpp.zoom.us";

    let first_user = format!("{}@xmpp.zoom.us", fake.accounts()[0].user_id);
    let acme_user = fake.account(ACME).user_jid();
    assert_eq!(fake.slash_command(&bot, &first_user, channel, "from the first").await.unwrap(), 200);
    assert_eq!(fake.slash_command(&bot, &acme_user, channel, "from acme").await.unwrap(), 200);

    let first: StoredMessage = eventually("the first account's echo", || fake.conversation(&team).pop()).await;
    let acme: StoredMessage = eventually("acme's echo", || fake.account(ACME).conversation(&team).pop()).await;
    let said = |m: &StoredMessage| serde_json::to_value(m.card().unwrap()).unwrap()["body"][0]["text"].clone();
    assert_eq!(said(&first), "You said: from the first");
    assert_eq!(said(&acme), "You said: from acme");
    assert_eq!((first.account.as_str(), acme.account.as_str()), ("FakeAccount01", ACME));
    assert_eq!(acme.sender, Sender::Bot(fake.robot_jid()), "as the event's bot");
    assert_eq!(fake.conversation(&team).len(), 1, "acme's answer did not land in the first account");

    // A click on Acme's card edits it in Acme.
    assert_eq!(fake.click(&bot, &acme_user, &acme.id, "shout").await.unwrap(), 200);
    let edited = eventually("acme's edited card", || fake.message(&acme.id).filter(|m| m.is_edited())).await;
    assert_eq!(said(&edited), "You said: FROM ACME");
}

#[tokio::test]
async fn a_send_to_an_account_without_the_app_is_refused_with_zooms_code() {
    let fake = ZoomMock::builder().account(AccountSpec::new(GLOBEX).installed(false)).start().await.unwrap();
    let zoom = marketplace_client(&fake);
    let globex: AccountId = GLOBEX.parse().unwrap();
    let robot = fake.robot_jid().parse().unwrap();
    let err = zoom.account(&globex).as_bot(&robot).send(common::CHANNEL, common::card("hello")).await.unwrap_err();
    assert!(matches!(&err, zoom_chatbot::Error::Zoom { status: 403, code: 7004, .. }), "{err:?}");
    assert_eq!(fake.message_count(), 0);
}

#[tokio::test]
async fn install_and_uninstall_reach_the_bot_and_its_store() {
    let fake = ZoomMock::builder().account(AccountSpec::new(GLOBEX).installed(false)).start().await.unwrap();
    let installs = MemoryInstalls::new();
    let url = serve_echo_bot(&fake, installs.clone()).await;
    fake.connect_bot(&url, SECRET).await.unwrap();
    let globex: AccountId = GLOBEX.parse().unwrap();
    assert!(installs.get(&globex).await.unwrap().is_none());

    assert_eq!(fake.install(GLOBEX).await.unwrap(), 200);
    let install = installs.get(&globex).await.unwrap().expect("bot_installed recorded the install");
    assert_eq!(install.installer.user_jid.as_ref().map(ToString::to_string), Some(fake.account(GLOBEX).user_jid()));
    assert_eq!(installs.count().await.unwrap(), 1);

    assert_eq!(fake.uninstall(GLOBEX).await.unwrap(), 200);
    assert!(installs.get(&globex).await.unwrap().is_none(), "app_deauthorized removed it");
    let answered: Vec<(String, Result<u16, String>)> =
        fake.deliveries().iter().map(|d| (d.event.clone(), d.outcome.clone())).collect();
    assert_eq!(
        answered[1..],
        [("bot_installed".to_owned(), Ok(200)), ("app_deauthorized".to_owned(), Ok(200))],
        "{answered:?}"
    );
}

#[tokio::test]
async fn an_accounts_plan_in_its_install_record_paces_its_replies() {
    use zoom_chatbot::installs::{Installation, Update};
    use zoom_chatbot::pacing::{Pacing, Plan};
    const FREE: &str = "FreeAccount";
    let fake =
        ZoomMock::builder().account(AccountSpec::new(FREE).plan(zoom_mock::fake::Plan::Free)).start().await.unwrap();
    // The app knows this account is on Free and says so in its install record; the client's
    // pacing for every other account is Business's.
    let installs = MemoryInstalls::new();
    let installed =
        zoom_mock::fake::bot_installed_event(FREE, &fake.robot_jid(), &fake.account(FREE).user_jid(), "Admin");
    installs.record(Installation::from_event(&installed, chrono::Utc::now()).unwrap()).await.unwrap();
    installs.update(&FREE.parse().unwrap(), Update::new().plan(Some(Plan::Free))).await.unwrap();
    let zoom = ZoomClient::builder()
        .credentials(fake.client_id(), SecretString::from(fake.client_secret()))
        .api_url(fake.api_base_url())
        .oauth_url(fake.oauth_base_url())
        .pacing(Pacing::plan(Plan::Business))
        .build()
        .unwrap();
    let bot = echo_bot::echo_bot(zoom, SecretString::from(SECRET.to_owned())).installations(installs);
    let (listener, url) = common::events_endpoint().await;
    tokio::spawn(echo_bot::serve(listener, bot));
    let endpoint = fake.connect_bot(&url, SECRET).await.unwrap();

    let user = fake.account(FREE).user_jid();
    for i in 0..4 {
        let said = format!("n{i}");
        assert_eq!(fake.slash_command(&endpoint, &user, "team@conference.xmpp.zoom.us", &said).await.unwrap(), 200);
    }
    let team = ConversationId::channel("team").unwrap();
    eventually("four echoes", || (fake.account(FREE).conversation(&team).len() == 4).then_some(())).await;
    let refused = fake.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 0, "the replies were paced at Free's 2/s, not Business's");
}
