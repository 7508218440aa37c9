//! Statements per request. The web layer runs each request inside
//! [`counted`]; every statement the store sends on its behalf adds one, so
//! tests can hold core pages to their query budget and a benchmark run can
//! print queries per operation. Outside a request (sweeps, the console)
//! nothing is counted.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

tokio::task_local! {
    static COUNTER: Arc<AtomicU32>;
}

/// Runs `f` with a fresh counter, returning its output and the statements
/// it sent.
pub async fn counted<F: Future>(f: F) -> (F::Output, u32) {
    let counter = Arc::new(AtomicU32::new(0));
    let out = COUNTER.scope(counter.clone(), f).await;
    (out, counter.load(Ordering::Relaxed))
}

/// The counter of the request this task serves, if any (a reader takes it
/// along, wherever its reads run).
pub(crate) fn current() -> Option<Arc<AtomicU32>> {
    COUNTER.try_with(Arc::clone).ok()
}

/// One statement sent for the current request.
pub(crate) fn note() {
    let _ = COUNTER.try_with(|c| c.fetch_add(1, Ordering::Relaxed));
}
