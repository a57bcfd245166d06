//! The fake Zoom's page in a real browser: headless Chromium driven over WebDriver
//! (`chromedriver`). The fake and the example echo bot run in this process; the browser types
//! a slash command on the page, sees the bot's card arrive without a reload, clicks its button,
//! sees the card edited, and a hostile text shown as text and never run.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them when missing);
//! `CHROME` and `CHROMEDRIVER` name other binaries. Screenshots of the page are written to
//! `target/browser/` (the README's come from there).

use crate::child::KillOnDrop;
use crate::common;
use crate::echo_bot;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use zoom_chatbot::SecretString;
use zoom_mock::fake::ZoomMock;

const SECRET: &str = "browser-test-secret";
/// How long the browser may take to show what the test waits for.
const PATIENCE: Duration = Duration::from_secs(30);

/// A program the test needs: from the environment variable `var`, else Debian's path.
fn program(var: &str, debian: &str, package: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(debian));
    assert!(
        path.exists(),
        "{} not found: install Debian's {package} package (`.ci/run` does), or set {var}",
        path.display()
    );
    path
}

/// `chromedriver` on a free port, killed when dropped.
struct Driver {
    _process: KillOnDrop,
    url: String,
}

async fn start_driver() -> Driver {
    let binary = program("CHROMEDRIVER", "/usr/bin/chromedriver", "chromium-driver");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver { _process: KillOnDrop(child), url: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(started.elapsed() < PATIENCE, "chromedriver did not listen on port {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    driver
}

/// A headless Chromium session. The flags keep it off the network (this machine has none
/// beyond loopback) and out of the user's profile.
async fn browser(driver: &Driver, profile: &Path) -> Client {
    let chrome = program("CHROME", "/usr/bin/chromium", "chromium");
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--no-first-run".to_owned(),
        "--window-size=1200,1150".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), json!({"binary": chrome, "args": args}));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(capabilities).connect(&driver.url).await.expect("a Chromium session")
}

/// The browser on the fake's page, with what the fake saw, for the messages of a failure.
struct Page<'a> {
    browser: &'a Client,
    fake: &'a ZoomMock,
}

impl Page<'_> {
    /// What the page and the fake showed when something was not found: the page's source, the
    /// requests the fake answered and the events it delivered.
    async fn diagnosis(&self) -> String {
        let source = self.browser.source().await.unwrap_or_default();
        let requests: Vec<String> =
            self.fake.requests().iter().map(|r| format!("{} {} -> {}", r.method, r.path, r.status)).collect();
        let deliveries: Vec<String> =
            self.fake.deliveries().iter().map(|d| format!("{} {:?} {:?}", d.event, d.detail, d.outcome)).collect();
        format!("page:\n{source}\nrequests the fake answered:\n{requests:#?}\ndeliveries:\n{deliveries:#?}")
    }

    /// Waits until the page shows an element at the XPath `xpath` and returns its text. The
    /// page reloads itself on every change, so a lookup may meet a page being replaced: it
    /// retries.
    async fn text_of(&self, xpath: &str) -> String {
        let started = Instant::now();
        loop {
            if let Ok(element) = self.browser.find(Locator::XPath(xpath)).await
                && let Ok(text) = element.text().await
            {
                return text;
            }
            assert!(started.elapsed() < PATIENCE, "the page never showed {xpath}:\n{}", self.diagnosis().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element at `xpath`, retrying while the page reloads under it.
    async fn click(&self, xpath: &str) {
        let started = Instant::now();
        loop {
            if let Ok(element) = self.browser.find(Locator::XPath(xpath)).await
                && element.click().await.is_ok()
            {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "could not click {xpath}:\n{}", self.diagnosis().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the bot panel's command box and sends it.
    async fn type_command(&self, text: &str) {
        let started = Instant::now();
        loop {
            let typed = async {
                let form = self.browser.find(Locator::Css("#bot form.command")).await?;
                form.find(Locator::Css("input[name=text]")).await?.send_keys(text).await?;
                form.find(Locator::Css("button[type=submit]")).await?.click().await
            };
            if typed.await.is_ok() {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "could not type {text:?}:\n{}", self.diagnosis().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Writes a screenshot of the window to `target/browser/NAME.png`.
async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG image");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

// Several threads: the fake, the bot and its handlers go on while the test waits on the browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_talks_to_the_echo_bot_through_the_fakes_page() {
    let fake = ZoomMock::start().await.unwrap();
    let bot = echo_bot::echo_bot(common::client(&fake), SecretString::from(SECRET.to_owned()));
    let (listener, bot_url) = common::events_endpoint().await;
    tokio::spawn(async move { axum::serve(listener, bot.router("/zoom/events")).await });
    fake.connect_bot(&bot_url, SECRET).await.expect("the echo bot passes the handshake");

    let driver = start_driver().await;
    let profile = std::env::temp_dir().join(format!("zoom-browser-test-{}", std::process::id()));
    let browser = browser(&driver, &profile).await;
    let page = Page { browser: &browser, fake: &fake };
    let outcome = async {
        browser.goto(&format!("{}/", fake.oauth_base_url())).await.unwrap();
        assert_eq!(browser.title().await.unwrap(), "Fake Zoom");
        assert!(page.text_of("//p[contains(@class,'connected')]").await.contains(&bot_url));

        // A slash command typed on the page: the bot's card appears without a reload.
        page.type_command("/echo hello from the browser").await;
        let card = "//article[.//h3[text()='Echo']]";
        let said = page.text_of(&format!("{card}//div[contains(@class,'message')]/p")).await;
        assert_eq!(said, "You said: hello from the browser");
        let delivered = page.text_of("//table[@class='deliveries']//tr[td[text()='bot_notification']]").await;
        assert!(delivered.contains("hello from the browser") && delivered.contains("HTTP 200"), "{delivered}");

        // Its "Shout" button, clicked: the same card, edited by the bot.
        page.click(&format!("{card}//button[@data-value='shout']")).await;
        let meta = page.text_of(&format!("{card}[contains(.,'HELLO FROM THE BROWSER')]/p[@class='meta']")).await;
        assert!(meta.contains("edited 1 time(s)"), "{meta}");
        let clicked = page.text_of("//tr[td[text()='interactive_message_actions']]").await;
        assert!(clicked.contains("button shout") && clicked.contains("HTTP 200"), "{clicked}");

        // A hostile command is echoed as text: the markup is shown, and nothing of it runs.
        let hostile = "/echo <script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
        page.type_command(hostile).await;
        let shown = page.text_of("//article//div[contains(@class,'message')]/p[contains(.,'<script>')]").await;
        assert_eq!(shown, "You said: <script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">");
        let pwned = browser.execute("return typeof window.pwned;", vec![]).await.unwrap();
        assert_eq!(pwned, json!("undefined"), "the hostile text ran");
        assert!(browser.find_all(Locator::Css("article img[src='x']")).await.unwrap().is_empty());
        browser.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
        screenshot(&browser, "conversation").await;

        // The card preview: a pasted card drawn, with every rule it breaks.
        browser.goto(&format!("{}/preview", fake.oauth_base_url())).await.unwrap();
        let sample = json!({"head": {"text": "Release 1.4", "sub_head": {"text": "ready to ship"}}, "body": [
            {"type": "fields", "items": [{"key": "Branch", "value": "main"}, {"key": "Tests", "value": "312 passed"}]},
            {"type": "progress_bar", "value": 140},
            {"type": "actions", "items": [{"text": "Deploy", "value": "deploy", "style": "Primary"}]}
        ]});
        browser
            .find(Locator::Css("textarea[name=card]"))
            .await
            .unwrap()
            .send_keys(&serde_json::to_string_pretty(&sample).unwrap())
            .await
            .unwrap();
        browser.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
        let rule = page.text_of("//ul[@class='violations']/li").await;
        assert_eq!(rule, "content.body[1].value: must be at most 100");
        screenshot(&browser, "preview").await;
    };
    // The session is closed whatever happened, so no Chromium outlives the test.
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(outcome)).await;
    let _ = browser.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
