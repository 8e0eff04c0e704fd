//! Test builds only (`test-routes`): how many Durable Object calls one request made, answered
//! as `X-LetsPost-Object-Calls`, so the suite can prove that a request without a session costs
//! none. Requests interleave in one isolate, so the count follows the request's own future: it
//! is the current one only while that future is being polled (wasm has one thread, and a call
//! is counted when it is made, inside a poll).

use crate::base::request_local::WithLocal;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

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
pub fn counted<F: Future>(inner: F, calls: Rc<Cell<u32>>) -> impl Future<Output = F::Output> {
    WithLocal::new(inner, &CURRENT, calls)
}
