//! Work raced against the clock: a call or a request body that never ends must not hold its
//! caller (a creator's request, a post's alarm) for ever.

use futures_util::future::{Either, select};
use std::future::Future;
use std::time::Duration;
use worker::Delay;

/// `work`'s output, or `None` when `limit` passed first (the work is dropped unfinished).
pub async fn within<T>(limit: Duration, work: impl Future<Output = T>) -> Option<T> {
    let late = Delay::from(limit);
    futures_util::pin_mut!(work);
    match select(work, late).await {
        Either::Left((done, _)) => Some(done),
        Either::Right(((), _)) => None,
    }
}
