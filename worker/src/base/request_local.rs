//! A value that belongs to one request: requests interleave in one isolate, so a
//! thread-local holds it only while that request's future is being polled (wasm has one
//! thread). The API key a request came with (`api::bearer`) and, in test builds, its count of
//! object calls (`object_calls`) ride on it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::LocalKey;

/// `inner`, with `value` in `slot` while it runs (what was there before comes back after).
pub struct WithLocal<T: 'static, F> {
    inner: Pin<Box<F>>,
    value: T,
    slot: &'static LocalKey<RefCell<Option<T>>>,
}

impl<T: Clone + Unpin + 'static, F> WithLocal<T, F> {
    pub fn new(inner: F, slot: &'static LocalKey<RefCell<Option<T>>>, value: T) -> WithLocal<T, F> {
        WithLocal { inner: Box::pin(inner), value, slot }
    }
}

impl<T: Clone + Unpin + 'static, F: Future> Future for WithLocal<T, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let previous = self.slot.with(|c| c.replace(Some(self.value.clone())));
        let out = self.inner.as_mut().poll(cx);
        self.slot.with(|c| *c.borrow_mut() = previous);
        out
    }
}
