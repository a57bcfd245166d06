//! What keeps other web sites off the fake's page, forms and controls (Zoom's own paths are
//! not guarded: clients reach them by any name).
//!
//! - The `Host` allowlist: the page, the preview, the change stream, the forms and the controls
//!   answer only a request whose `Host` names loopback (`localhost`, 127.0.0.0/8, `[::1]`), the
//!   address the fake is bound to, or a name added with `--allow-host` or
//!   [`ZoomMockBuilder::allow_host`](super::ZoomMockBuilder::allow_host), on any port. A
//!   DNS-rebinding page (a name of the attacker's that resolves to 127.0.0.1) sends its own name as
//!   `Host`, and is refused.
//! - The forms (`POST /preview`, `/_fake/act/*`, `/_fake/bot`) need an `Origin`, on an allowed host
//!   and equal to the `Host`: the fake's own page, as a browser posts it.
//! - The controls (`/_fake/rate-limit`, `/_fake/invalidate-tokens`) take a request without an
//!   `Origin` (curl, tests: the binary has no other control channel), and refuse one that carries a
//!   foreign `Origin`.
//! - A `Sec-Fetch-Site` of `cross-site` or `same-site` (another port of localhost) is foreign on
//!   both.
//! - The page's answers forbid framing (no other site can overlay the page to steer clicks) and
//!   carry a content security policy that lets only the page's own script run.
//!
//! Every refusal is a 403 with a plain message that says why.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A host as a `Host` header or an `Origin` names it, its port set aside.
#[derive(Clone, Debug, PartialEq, Eq)]
enum HostName {
    Ip(IpAddr),
    /// A name, lower-cased.
    Name(String),
}

/// The host of `authority` (`name`, `name:port`, `1.2.3.4:port`, `[::1]:port`), or `None` when
/// it is not one.
fn host_of(authority: &str) -> Option<HostName> {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = v6.parse().ok()?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(digits);
        return port_ok.then_some(HostName::Ip(IpAddr::V6(ip)));
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if port.is_some_and(|p| !digits(p)) {
        return None;
    }
    let name_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_';
    if host.is_empty() || !host.bytes().all(name_char) {
        return None;
    }
    Some(match host.parse::<IpAddr>() {
        Ok(ip) => HostName::Ip(ip),
        Err(_) => HostName::Name(host.to_ascii_lowercase()),
    })
}

/// A name for [`ZoomMockBuilder::allow_host`](super::ZoomMockBuilder::allow_host): a host
/// name or address, a port (ignored: every port is allowed) tolerated. `Err` says what is
/// wrong with it.
pub(crate) fn allowed_host(text: &str) -> Result<(), String> {
    match host_of(text.trim()) {
        Some(_) => Ok(()),
        None => Err(format!(
            "{text:?} is not a host name or address (give a name such as zoom-mock.test, an address such as 192.168.1.20, or [::1])"
        )),
    }
}

/// The hosts the page and the controls answer on.
#[derive(Debug)]
pub(crate) struct Guard {
    allowed: Vec<HostName>,
}

impl Guard {
    /// Loopback, the address the fake is `bound` to (and the name it was told to listen on),
    /// and the `extra` names.
    pub(crate) fn new(bound: SocketAddr, listen_on: &str, extra: &[String]) -> Self {
        let mut allowed = vec![HostName::Name("localhost".into())];
        if !bound.ip().is_unspecified() {
            allowed.push(HostName::Ip(bound.ip()));
        }
        allowed.extend(std::iter::once(listen_on).chain(extra.iter().map(String::as_str)).filter_map(|h| {
            // An unspecified address (0.0.0.0, [::]) is no name a browser sends.
            host_of(h.trim()).filter(|h| !matches!(h, HostName::Ip(ip) if ip.is_unspecified()))
        }));
        Self { allowed }
    }

    fn allows(&self, host: &HostName) -> bool {
        matches!(host, HostName::Ip(ip) if ip.is_loopback()) || self.allowed.contains(host)
    }
}

/// Why a request to the page or a control is refused.
fn refuse(why: String) -> Response {
    (StatusCode::FORBIDDEN, format!("zoom-mock: {why}\n")).into_response()
}

/// Text of a header, for a message: at most 100 characters, quoted and escaped.
fn shown(text: &str) -> String {
    format!("{:?}", text.chars().take(100).collect::<String>())
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// The request's `Host` (its authority, for a request in absolute form), when allowed.
fn check_host<'r>(guard: &Guard, request: &'r Request) -> Result<&'r str, Response> {
    let host = header_text(request.headers(), header::HOST)
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .ok_or_else(|| refuse("a request to the fake's page or controls must name its Host".into()))?;
    match host_of(host) {
        Some(name) if guard.allows(&name) => Ok(host),
        _ => Err(refuse(format!(
            "the Host {} is not one the fake's page and controls answer on (loopback, the fake's own address, and the names given with --allow-host NAME)",
            shown(host)
        ))),
    }
}

/// `Err` when the request comes from another site: an `Origin` that is not `host` itself (or
/// that is missing, when `required`), or a `Sec-Fetch-Site` that says another site.
fn check_origin(headers: &HeaderMap, host: &str, required: bool) -> Result<(), Response> {
    if let Some(site) = header_text(headers, header::HeaderName::from_static("sec-fetch-site"))
        && (site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site"))
    {
        return Err(refuse(format!("a request from another site (Sec-Fetch-Site: {}) is refused", shown(site))));
    }
    let Some(origin) = header_text(headers, header::ORIGIN) else {
        return if required {
            Err(refuse("only the fake's own page may post here, and a browser's post names its Origin".into()))
        } else {
            Ok(())
        };
    };
    let authority = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    match authority {
        Some(authority) if authority.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(refuse(format!(
            "only the fake's own page may post here: the Origin {} is not http://{host}",
            shown(origin)
        ))),
    }
}

/// The page itself (`GET /`, `GET /preview`, the change stream): an allowed `Host`; the
/// answer may not be framed, and runs only the page's own script.
pub(crate) async fn page(AxumState(guard): AxumState<Arc<Guard>>, request: Request, next: Next) -> Response {
    if let Err(refused) = check_host(&guard, &request) {
        return refused;
    }
    protect(next.run(request).await)
}

/// A form of the page (`POST /preview`, `/_fake/act/*`, `/_fake/bot`): an allowed `Host`, and
/// the page's own `Origin`.
pub(crate) async fn form(AxumState(guard): AxumState<Arc<Guard>>, request: Request, next: Next) -> Response {
    let checked = check_host(&guard, &request).and_then(|host| check_origin(request.headers(), host, true));
    match checked {
        Ok(()) => protect(next.run(request).await),
        Err(refused) => refused,
    }
}

/// A control (`/_fake/rate-limit`, `/_fake/invalidate-tokens`): an allowed `Host`, and no
/// foreign `Origin` (none at all is fine: curl and tests send none).
pub(crate) async fn control(AxumState(guard): AxumState<Arc<Guard>>, request: Request, next: Next) -> Response {
    let checked = check_host(&guard, &request).and_then(|host| check_origin(request.headers(), host, false));
    match checked {
        Ok(()) => next.run(request).await,
        Err(refused) => refused,
    }
}

/// The page's answers: never inside another site's frame, and only the page's own script
/// runs (its hash), should anything ever slip past the escaping.
fn protect(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(policy) = HeaderValue::from_str(super::page::content_security_policy()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_with_or_without_a_port() {
        let ip = |s: &str| Some(HostName::Ip(s.parse().unwrap()));
        assert_eq!(host_of("127.0.0.1:9090"), ip("127.0.0.1"));
        assert_eq!(host_of("127.0.0.1"), ip("127.0.0.1"));
        assert_eq!(host_of("[::1]:9090"), ip("::1"));
        assert_eq!(host_of("[::1]"), ip("::1"));
        assert_eq!(host_of("LocalHost:80"), Some(HostName::Name("localhost".into())));
        for bad in ["", ":80", "a:b", "a:", "[::1", "[::1]x", "[::1]:", "[nope]:1", "a b", "a/b", "a@b", "::1"] {
            assert_eq!(host_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn loopback_the_bound_address_and_the_added_names_are_allowed() {
        let guard = Guard::new("192.168.1.20:9090".parse().unwrap(), "192.168.1.20", &["Fake.Test:1".into()]);
        for host in ["localhost:1", "127.0.0.1:9090", "127.9.8.7", "[::1]:2", "192.168.1.20:9090", "fake.test:3"] {
            assert!(guard.allows(&host_of(host).unwrap()), "{host}");
        }
        for host in ["evil.example", "localhost.evil.example", "192.168.1.21", "0.0.0.0", "[::2]"] {
            assert!(!guard.allows(&host_of(host).unwrap()), "{host}");
        }
        // Bound to every address: loopback only, unless names are added.
        let guard = Guard::new("0.0.0.0:9090".parse().unwrap(), "0.0.0.0", &[]);
        assert!(!guard.allows(&host_of("0.0.0.0:9090").unwrap()));
        assert!(guard.allows(&host_of("127.0.0.1:9090").unwrap()));
    }
}
