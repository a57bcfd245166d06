//! Where credentials may travel: Zoom's own hosts over `https`, or a host the user configured
//! (a fake Zoom on loopback, say). Every URL that arrives from outside (a token answer's
//! `api_url`, an event's `callback_url` or `response_url`, an incoming webhook's URL) is held
//! to these rules before a token is sent to it.

use reqwest::Url;

/// The domains whose hosts are Zoom's: the commercial cloud and the government one.
const ZOOM_DOMAINS: [&str; 2] = ["zoom.us", "zoomgov.com"];

/// Whether `url` is on one of Zoom's hosts (`zoom.us`, `*.zoom.us`, `zoomgov.com`,
/// `*.zoomgov.com`) over `https` on the default port.
pub(crate) fn is_zoom(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    url.scheme() == "https"
        && url.port().is_none()
        && ZOOM_DOMAINS.iter().any(|d| host == *d || host.strip_suffix(d).is_some_and(|rest| rest.ends_with('.')))
}

/// Whether `url` is on a loopback address (`localhost`, `127.0.0.0/8`, `[::1]`): this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `url` is on one of Zoom's hosts, or has the same origin (scheme, host and port) as
/// one of the `configured` base URLs.
pub(crate) fn is_trusted(url: &Url, configured: &[&Url]) -> bool {
    is_zoom(url) || configured.iter().any(|c| c.origin() == url.origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn zoom_hosts_are_https_on_zoom_domains_only() {
        for ok in [
            "https://api.zoom.us/v2",
            "https://zoom.us",
            "https://api-eu.zoom.us",
            "https://api.zoomgov.com",
            "https://API.ZOOM.US",
        ] {
            assert!(is_zoom(&url(ok)), "{ok}");
        }
        for bad in [
            "http://api.zoom.us",
            "https://api.zoom.us:8443",
            "https://zoom.us.evil.example",
            "https://evilzoom.us",
            "https://evil.example/api.zoom.us",
            "https://127.0.0.1",
            "https://api.zoomgov.com.evil.example",
        ] {
            assert!(!is_zoom(&url(bad)), "{bad}");
        }
    }

    #[test]
    fn loopback_is_this_machine_only() {
        for ok in ["http://localhost:3000", "http://127.0.0.1", "http://127.8.0.1", "http://[::1]:9"] {
            assert!(is_loopback(&url(ok)), "{ok}");
        }
        for bad in ["http://localhost.evil.example", "http://10.0.0.1", "http://example.com", "http://0.0.0.0"] {
            assert!(!is_loopback(&url(bad)), "{bad}");
        }
    }

    #[test]
    fn a_configured_origin_is_trusted_with_its_port_and_scheme() {
        let fake = url("http://127.0.0.1:4000/oauth");
        assert!(is_trusted(&url("http://127.0.0.1:4000/v2"), &[&fake]));
        assert!(!is_trusted(&url("http://127.0.0.1:4001/v2"), &[&fake]));
        assert!(!is_trusted(&url("https://127.0.0.1:4000/v2"), &[&fake]));
    }
}
