//! The fake routes every operation of the spec: each path and method of the generated
//! operation table reaches a handler (never the fallback's 404 or a 405), and the request log
//! names it by its `OperationId`. An operation added to the spec without a route fails here.

use crate::common;

use reqwest::Method;
use zoom_mock::fake::{OperationId, ZoomMock};

/// The path template with every `{name}` filled in.
fn filled(template: &str) -> String {
    template.split('/').map(|s| if s.starts_with('{') { "x1" } else { s }).collect::<Vec<_>>().join("/")
}

#[tokio::test]
async fn every_operation_is_routed_and_logged_under_its_id() {
    let zoom = ZoomMock::start().await.unwrap();
    // Every host of the fake is served at one origin.
    let origin = zoom.oauth_base_url();
    assert_eq!(OperationId::ALL.len(), zoom_spec::spec().operations().count(), "one id per operation");
    for &id in OperationId::ALL {
        let info = id.info();
        let url = format!("{origin}{}{}", info.base_path, filled(info.path));
        let method = Method::from_bytes(info.method.as_bytes()).unwrap();
        let answer = common::http().request(method, &url).send().await.unwrap();
        let status = answer.status().as_u16();
        let body = answer.text().await.unwrap();
        assert_ne!(status, 405, "{id}: {} {url} has no route for its method", info.method);
        assert!(!body.contains("The requested resource does not exist."), "{id}: {url} fell to the fallback");
        let logged = zoom.requests().last().map(|r| r.operation);
        assert_eq!(logged, Some(Some(id)), "{id}: logged under another id");
    }
}
