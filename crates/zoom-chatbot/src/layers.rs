//! The bot's middleware: layers that see every event before its handler, in the order they
//! were added, and may stop it ([`Bot::layer`](crate::bot::Bot::layer)).
//!
//! A layer is an async function from the event's context to a [`Flow`]: `Continue` with the
//! context (changed or not: a layer may put a value in its extensions for the handler, the
//! account's settings read from the install store, say) hands it to the next layer, then to
//! the handler; `Stop` ends the event there. Layers run on the event's task, after Zoom was
//! answered, so they do not count against Zoom's three seconds: a stopped event has been
//! answered 200 like any other, and Zoom does not deliver it again.

use std::future::Future;
use std::sync::Arc;

use crate::auth::BoxFuture;

/// What a layer decides for an event.
#[derive(Debug)]
pub enum Flow<C> {
    /// Hand the event on, with this context, to the next layer and then to its handler.
    Continue(C),
    /// Stop the event: no later layer and no handler runs.
    Stop,
}

type LayerFn<C> = Arc<dyn Fn(C) -> BoxFuture<'static, Flow<C>> + Send + Sync>;

/// A bot's layers, in order.
pub(crate) struct Layers<C> {
    layers: Vec<LayerFn<C>>,
}

impl<C> Clone for Layers<C> {
    fn clone(&self) -> Self {
        Self { layers: self.layers.clone() }
    }
}

impl<C> Default for Layers<C> {
    fn default() -> Self {
        Self { layers: Vec::new() }
    }
}

impl<C: Send + 'static> Layers<C> {
    /// Adds `layer` after the others.
    pub(crate) fn push<F, Fut>(&mut self, layer: F)
    where
        F: Fn(C) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Flow<C>> + Send + 'static,
    {
        self.layers.push(Arc::new(move |ctx| Box::pin(layer(ctx))));
    }

    /// Whether there is none.
    pub(crate) fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Runs the layers in order: the context the last one handed on, or `None` when one
    /// stopped the event.
    pub(crate) async fn run(&self, mut ctx: C) -> Option<C> {
        for layer in &self.layers {
            match layer(ctx).await {
                Flow::Continue(next) => ctx = next,
                Flow::Stop => return None,
            }
        }
        Some(ctx)
    }
}
