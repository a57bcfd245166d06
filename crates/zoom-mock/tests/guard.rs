//! Other web sites get nothing from the fake's page, forms and controls: a request whose
//! `Host` is not the fake's own (a DNS-rebinding page), a form without the page's own
//! `Origin`, and a control called from another site are refused with a 403 that says why,
//! before anything happens. Zoom's own paths answer on any name.

use crate::common;

use common::*;
use reqwest::{RequestBuilder, StatusCode};
use zoom_mock::fake::ZoomMock;

/// Status and text of an answer (not read for the change stream, which never ends).
async fn sent(request: RequestBuilder) -> (StatusCode, String) {
    let guard = std::time::Duration::from_secs(10);
    let r = tokio::time::timeout(guard, request.send()).await.expect("an answer").unwrap();
    let streams = r.headers().get("content-type").is_some_and(|t| t == "text/event-stream");
    let status = r.status();
    (status, if streams { String::new() } else { r.text().await.unwrap() })
}

/// The fake's port.
fn port(zoom: &ZoomMock) -> u16 {
    zoom.addr().port()
}

#[tokio::test]
async fn the_page_answers_only_its_own_names() {
    let zoom = ZoomMock::builder().allow_host("zoom-mock.test").start().await.unwrap();
    let base = zoom.oauth_base_url();
    let p = port(&zoom);
    for path in ["/", "/preview", "/_fake/changes"] {
        // Loopback by any of its names, any port, and the added name.
        for host in [format!("127.0.0.1:{p}"), format!("localhost:{p}"), "127.8.9.10".into(), "[::1]:1".into()] {
            let (status, _) = sent(browser().get(format!("{base}{path}")).header("host", &host)).await;
            assert_eq!(status, 200, "{path} with Host {host}");
        }
        let (status, _) = sent(browser().get(format!("{base}{path}")).header("host", "Zoom-Mock.test:8080")).await;
        assert_eq!(status, 200, "{path} with the added name");
        // A rebinding page's own name, or a name with loopback's only as a prefix.
        for host in ["evil.example", "localhost.evil.example:80", "127.0.0.1.evil.example", "zoom-mock.test.evil"] {
            let (status, text) = sent(browser().get(format!("{base}{path}")).header("host", host)).await;
            assert_eq!(status, 403, "{path} with Host {host}: {text}");
            assert!(text.contains("is not one the fake's page and controls answer on"), "{text}");
            assert!(text.contains("--allow-host"), "{text}");
        }
    }
    // Zoom's own paths answer on any name: clients reach the fake by names of their own.
    let token = browser()
        .post(format!("{base}/oauth/token"))
        .header("host", "evil.example")
        .basic_auth(zoom.client_id(), Some(zoom.client_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
}

#[tokio::test]
async fn the_pages_answers_may_not_be_framed_and_run_only_its_own_script() {
    let zoom = ZoomMock::start().await.unwrap();
    let page = browser().get(format!("{}/", zoom.oauth_base_url())).send().await.unwrap();
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'sha256-"), "{policy}");
    let script = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap();
    assert_eq!(script.split(' ').count(), 2, "one hash, nothing else: {policy}");
    // The hash is the page's own script's: the page's live reload runs.
    let html = page.text().await.unwrap();
    let own = &html[html.find("<script>").unwrap() + 8..html.find("</script>").unwrap()];
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(own.as_bytes()));
    assert_eq!(script, format!("script-src 'sha256-{hash}'"));
}

#[tokio::test]
async fn a_form_needs_the_pages_own_origin() {
    let (url, events) = recording_bot("/events").await;
    let zoom = ZoomMock::start().await.unwrap();
    zoom.connect_bot(&url, "s").await.unwrap();
    let base = zoom.oauth_base_url();
    let own = format!("127.0.0.1:{}", port(&zoom));
    let command = [("to_jid", CHANNEL), ("text", "/echo pwned")];
    let forms: [(&str, Vec<(&str, &str)>); 3] = [
        ("/_fake/act/command", command.to_vec()),
        ("/_fake/bot", vec![("url", "http://127.0.0.1:1/elsewhere"), ("secret", "x")]),
        ("/preview", vec![("card", r#"{"head": {"text": "hi"}}"#)]),
    ];
    for (path, form) in &forms {
        let post = || browser().post(format!("{base}{path}")).form(form);
        let refusals = [
            ("no Origin", post()),
            ("another site's Origin", post().header("origin", "http://evil.example")),
            ("another port's Origin", post().header("origin", "http://127.0.0.1:1")),
            ("an opaque Origin", post().header("origin", "null")),
            // A rebinding page: its Origin and Host agree, on the attacker's name.
            ("a rebinding page", post().header("origin", "http://evil.example:80").header("host", "evil.example:80")),
            (
                "Sec-Fetch-Site: cross-site",
                post().header("origin", format!("http://{own}")).header("sec-fetch-site", "cross-site"),
            ),
        ];
        for (what, request) in refusals {
            let (status, text) = sent(request).await;
            assert_eq!(status, 403, "{path} with {what}: {text}");
            assert!(text.starts_with("zoom-mock: "), "{text}");
        }
        // The page's own post.
        let (status, text) = sent(post().header("origin", format!("http://{own}"))).await;
        assert!(status == 303 || status == 200, "{path} from the page: {status} {text}");
    }
    // Only the page's own command reached the bot (after the handshake), and the bot stayed.
    let seen = events.lock().unwrap();
    let kinds: Vec<&str> = seen.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["endpoint.url_validation", "bot_notification"]);
}

#[tokio::test]
async fn a_control_refuses_another_site_but_not_curl() {
    let zoom = ZoomMock::start().await.unwrap();
    let token = bot_token(&zoom).await;
    let base = zoom.oauth_base_url();
    let control = |path: &str| browser().post(format!("{base}/_fake/{path}"));
    for path in ["rate-limit?n=5", "invalidate-tokens"] {
        let refusals = [
            ("another site's Origin", control(path).header("origin", "http://evil.example")),
            ("a foreign Host", control(path).header("host", "evil.example")),
            ("Sec-Fetch-Site: cross-site", control(path).header("sec-fetch-site", "cross-site")),
        ];
        for (what, request) in refusals {
            let (status, text) = sent(request).await;
            assert_eq!(status, 403, "{path} with {what}: {text}");
        }
    }
    // Nothing was done: the token works and no 429 is queued.
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "still fine").await.status(), 201);
    // Without an Origin (curl, a test), and from the page itself, the controls work.
    assert_eq!(sent(control("rate-limit?n=1")).await.0, 200);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "limited").await.status(), 429);
    let own = format!("http://127.0.0.1:{}", port(&zoom));
    assert_eq!(sent(control("invalidate-tokens").header("origin", own)).await.0, 200);
    assert_eq!(bot_send(&zoom, &token, CHANNEL, "gone").await.status(), 401);
}

#[tokio::test]
async fn a_name_that_is_no_host_is_refused_at_start() {
    let err = ZoomMock::builder().allow_host("http://zoom-mock.test/").start().await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("is not a host name or address"), "{err}");
}
