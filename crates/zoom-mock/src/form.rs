//! Matching form-encoded request bodies, which the generated `body(...)` matchers (JSON only)
//! never match.
//!
//! ```no_run
//! use httpmock::MockServer;
//! use zoom_mock::{MockServerExt, form::FormBodyExt};
//! use zoom_api_gen::types::{GrantType, TokenRequest, TokenResponse};
//!
//! let server = MockServer::start();
//! let request = TokenRequest::builder().grant_type(GrantType::ClientCredentials).try_into().unwrap();
//! let token = TokenResponse::builder()
//!     .access_token("t").token_type("bearer").expires_in(3600).scope("imchat:bot")
//!     .try_into().unwrap();
//! server.request_token(|when, then| {
//!     when.form_body(&request);
//!     then.ok(&token);
//! });
//! ```

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::operations::{RequestTokenWhen, RevokeTokenWhen};
use zoom_api_gen::types::{RevokeTokenRequest, TokenRequest};

/// Adds an exact form-body matcher to the generated `When` of a form-encoded operation.
pub trait FormBodyExt: Sized {
    /// The operation's body type.
    type Body: Serialize + JsonSchema;

    /// Matches a form-encoded body equal to `body`: every field it sets is present with the
    /// same value, and every field it leaves unset is absent.
    fn form_body(self, body: &Self::Body) -> Self;
}

impl FormBodyExt for RequestTokenWhen {
    type Body = TokenRequest;

    fn form_body(self, body: &TokenRequest) -> Self {
        Self::new(match_form(self.into_inner(), body))
    }
}

impl FormBodyExt for RevokeTokenWhen {
    type Body = RevokeTokenRequest;

    fn form_body(self, body: &RevokeTokenRequest) -> Self {
        Self::new(match_form(self.into_inner(), body))
    }
}

fn match_form<T: Serialize + JsonSchema>(when: httpmock::When, body: &T) -> httpmock::When {
    let value = serde_json::to_value(body).expect("a generated body type serialises");
    let fields = value.as_object().cloned().unwrap_or_default();
    let mut when = when.header("content-type", "application/x-www-form-urlencoded");
    for (name, value) in &fields {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        when = when.form_urlencoded_tuple(name.as_str(), text);
    }
    // The schema knows the fields `body` left out; require them absent, so the match is exact.
    let schema = schemars::schema_for!(T);
    if let Some(object) = schema.schema.object {
        for name in object.properties.keys().filter(|n| !fields.contains_key(*n)) {
            when = when.form_urlencoded_tuple_missing(name.as_str());
        }
    }
    when
}
