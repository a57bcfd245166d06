//! Awaitable builders: a request being built is sent by awaiting it, through its own
//! `async fn run(self)`.

/// `impl IntoFuture` for a builder with an `async fn run(self) -> $output`: awaiting it runs
/// it, boxed (its future is `Send`, so that it can be spawned).
macro_rules! awaitable {
    ($builder:ty => $output:ty) => {
        impl std::future::IntoFuture for $builder {
            type Output = $output;
            type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = $output> + Send>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.run())
            }
        }
    };
}
pub(crate) use awaitable;
