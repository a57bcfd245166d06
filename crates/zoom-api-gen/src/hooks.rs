//! The glue between the generated [`Client`](crate::Client) and a request policy supplied by
//! a higher crate.
//!
//! progenitor lets a client customise requests through `ClientHooks`, but that trait can only
//! be implemented in the crate that defines `Client` (the orphan rule). So this crate
//! implements it once, here, and forwards every request to a [`RequestPolicy`] trait object
//! that the higher crate provides. Credentials, retries, pacing and tracing live there; the
//! generated code stays generated.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::operations::OperationId;

/// A boxed future, as a dyn-compatible trait needs.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What happens to a request between the generated builder and the network.
///
/// `execute` receives the finished request (URL, query, body; no credentials) and the
/// operation it is for ([`OperationId`]: the spec's id, the method's name, and through
/// [`OperationId::info`] its tag and rate label); it must return the response to hand back
/// to the generated code. An implementation typically adds the `Authorization` header, waits for a
/// rate-limit slot, sends with `client.execute(request)`, and retries where that is safe (use
/// `reqwest::Request::try_clone` to send the same request twice).
pub trait RequestPolicy: Send + Sync + 'static {
    /// Sends `request` for `operation`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: OperationId,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>>;
}

/// The inner value every generated [`Client`](crate::Client) carries: the policy its
/// requests go through, or none (requests are sent as they are).
#[derive(Clone, Default)]
pub struct Hooks {
    policy: Option<Arc<dyn RequestPolicy>>,
}

impl Hooks {
    /// No policy: requests go out as the generated code built them (minus `api-version`).
    pub fn none() -> Self {
        Self::default()
    }

    /// Every request goes through `policy`.
    pub fn with_policy(policy: Arc<dyn RequestPolicy>) -> Self {
        Self { policy: Some(policy) }
    }

    /// The policy, if one was set.
    pub fn policy(&self) -> Option<&Arc<dyn RequestPolicy>> {
        self.policy.as_ref()
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks").field("policy", &self.policy.as_ref().map(|_| "..")).finish()
    }
}

/// The header progenitor adds to every request from `info.version`; Zoom has no use for it.
pub const API_VERSION_HEADER: &str = "api-version";

impl ClientHooks<Hooks> for crate::Client {
    async fn pre<E>(&self, request: &mut reqwest::Request, _info: &OperationInfo) -> Result<(), Error<E>> {
        static API_VERSION: reqwest::header::HeaderName = reqwest::header::HeaderName::from_static(API_VERSION_HEADER);
        request.headers_mut().remove(&API_VERSION);
        Ok(())
    }

    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        match self.inner().policy() {
            Some(policy) => {
                // progenitor names the operation by its method; the table is made from the same
                // spec, so every name it can hand here is in it.
                let operation = OperationId::from_method_name(info.operation_id)
                    .expect("the generated client calls only the spec's operations");
                policy.execute(self.client(), request, operation).await
            }
            None => self.client().execute(request).await,
        }
    }
}
