//! Runs of external programs spread over the machine's cores.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many runs go at a time: one per core.
pub fn at_a_time(runs: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(runs).max(1)
}

/// `run` of every item, [`at_a_time`] of them at once; each result as `run` gave it, in the
/// items' order. `run` prints its own report (whole, once its run ends, so that two runs'
/// lines do not interleave).
pub fn each<T: Sync, R: Send>(items: &[T], run: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..at_a_time(items.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = run(item);
                    done.lock().unwrap_or_else(|e| e.into_inner()).push((i, result));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}
