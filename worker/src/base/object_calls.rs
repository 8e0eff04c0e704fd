//! Test builds only (`test-routes`): how many Durable Object calls one request made, answered
//! as `X-LetsPost-Object-Calls`, so the suite can prove that a request without a session costs
//! none. Requests interleave in one isolate, so the count follows the request's own future: it
//! is the current one only while that future is being polled (wasm has one thread, and a call
//! is counted when it is made, inside a poll).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

pub const HEADER: &str = "X-LetsPost-Object-Calls";

thread_local! {
    static CURRENT: RefCell<Option<Rc<Cell<u32>>>> = const { RefCell::new(None) };
}

/// One object call by whichever request is running.
pub fn count() {
    CURRENT.with(|c| {
        if let Some(n) = c.borrow().as_ref() {
            n.set(n.get() + 1);
        }
    });
}

/// `inner`, counting the object calls made while it runs into `calls`.
pub struct Counted<F> {
    inner: Pin<Box<F>>,
    calls: Rc<Cell<u32>>,
}

impl<F> Counted<F> {
    pub fn new(inner: F, calls: Rc<Cell<u32>>) -> Counted<F> {
        Counted { inner: Box::pin(inner), calls }
    }
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let previous = CURRENT.with(|c| c.replace(Some(self.calls.clone())));
        let out = self.inner.as_mut().poll(cx);
        CURRENT.with(|c| *c.borrow_mut() = previous);
        out
    }
}
