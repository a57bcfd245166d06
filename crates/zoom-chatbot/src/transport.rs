//! The HTTP client every request goes through (the configured timeout, a short pool idle
//! timeout, no redirects) and the TLS backend it speaks with: [`ZoomClient`](crate::ZoomClient)
//! and an [`IncomingWebhook`](crate::incoming::IncomingWebhook) made from its URL alike.

use std::time::Duration;

use crate::error::{Error, Result, Setting};

/// The timeout of each HTTP exchange unless configured (`ClientBuilder::timeout`).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an unused connection stays open for reuse.
///
/// Shorter than reqwest's 90 s default, for two reasons. Servers and the proxies before them
/// close idle connections too, and a request started on a connection the far end has just
/// closed fails. And it keeps the pool's idle check (a timer that fires at this interval)
/// due before any request deadline of the default timeout: tokio's timer driver then never
/// has to be woken to arm a deadline, which measurably costs a loopback send (see
/// BENCHMARKS.md).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// The HTTP client: `timeout` for each exchange and for connecting, the pool idle timeout,
/// and no redirects followed (credentials go only to the hosts they were meant for).
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(Error::Transport)
}

/// With `rustls`: makes `ring` the process's crypto provider, unless the application installed
/// one already (which then serves this client too). Users do nothing.
pub(crate) fn install_crypto_provider() {
    #[cfg(feature = "rustls")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may have installed one in between: theirs stands, and is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The TLS backend this build has, if any (the `rustls` or `native-tls` feature).
pub(crate) const TLS_BACKEND: Option<&str> = if cfg!(feature = "rustls") {
    Some("rustls")
} else if cfg!(feature = "native-tls") {
    Some("native-tls")
} else {
    None
};

/// Refuses, with the fix in the message, an `https` URL in a build without TLS: otherwise it
/// would only fail at the first request, as an opaque transport error.
pub(crate) fn needs_no_tls_or_has_it(urls: &[(Setting, &str)], backend: Option<&str>) -> Result<()> {
    match (urls.iter().find(|(_, u)| u.starts_with("https://")), backend) {
        (Some((setting, url)), None) => Err(Error::InvalidSetting {
            setting: *setting,
            rule: format!(
                "{url} needs TLS, and this build of zoom-chatbot has none: enable its `rustls` (default) or `native-tls` feature"
            ),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_without_tls_refuses_https_urls_and_says_how_to_fix_it() {
        let urls = [(Setting::ApiUrl, "http://127.0.0.1:9090/v2"), (Setting::OAuthUrl, "https://zoom.us")];
        let err = needs_no_tls_or_has_it(&urls, None).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSetting { setting: Setting::OAuthUrl, rule } if rule.contains("https://zoom.us") && rule.contains("`rustls`")),
            "{err}"
        );
        assert!(needs_no_tls_or_has_it(&urls, Some("rustls")).is_ok());
        let plain = [(Setting::ApiUrl, "http://127.0.0.1:1/v2"), (Setting::OAuthUrl, "http://127.0.0.1:1")];
        assert!(needs_no_tls_or_has_it(&plain, None).is_ok());
        assert_eq!(TLS_BACKEND, Some("rustls"), "the default features bring rustls");
    }
}
