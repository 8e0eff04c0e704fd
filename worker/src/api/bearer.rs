//! A request made with a personal API key (`Authorization: Bearer lp_…`). The router admits
//! it once: a well-formed secret, a route keys may use, the key's rate limit, then its object
//! (one call; a secret nobody issued finds none: 401). The routes then run inside `Scoped`,
//! which hands the admitted key to `session::current` wherever they ask for "the session":
//! the same checks then hold for a key as for a browser, and a cookie sent beside a key is
//! never read. Requests interleave in one isolate, so the key is the current one only while
//! its request's own future is polled (as `base::object_calls` counts calls).

use crate::api::limits;
use crate::base::reply;
use crate::base::request_local::WithLocal;
use crate::objects::api_key::ApiKeyOp;
use letspost_core::api_key::{self, KeyRecord, PRINCIPAL_PREFIX, codes};
use letspost_core::limits::{Client, KEYS};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use worker::{Env, Method, Request, Response, Result};

/// The key a request was admitted with.
pub struct Key {
    /// `key:<id>`: where a session's public id would go (rate limits, holder checks).
    pub principal: String,
    pub record: KeyRecord,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Key>>> = const { RefCell::new(None) };
}

/// The key of the request being handled, if it came with one.
pub fn current() -> Option<Rc<Key>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Does the request carry an `Authorization` header (a key, or an attempt at one)?
pub fn present(req: &Request) -> bool {
    req.headers().has("Authorization").unwrap_or(false)
}

/// The request's key secret, if it carries a well-formed one.
pub fn secret(req: &Request) -> Option<String> {
    let header = req.headers().get("Authorization").ok().flatten()?;
    api_key::secret_from_header(&header).map(str::to_string)
}

fn invalid() -> Result<Response> {
    let mut resp =
        reply::error(401, codes::INVALID_KEY, "This API key is not valid: it was revoked, or LetsPost never issued it. Make a new one on the Accounts page.")?;
    resp.headers_mut().set("WWW-Authenticate", "Bearer")?;
    Ok(resp)
}

/// Admit a request that carries an `Authorization` header: `Ok(key)`, or the answer refusing it.
pub async fn admit(env: &Env, req: &Request, method: &Method, segments: &[&str]) -> Result<std::result::Result<Rc<Key>, Response>> {
    let Some(secret) = secret(req) else { return Ok(Err(invalid()?)) };
    if !api_key::key_may(method.as_ref(), segments) {
        let message = "An API key can't do this: making or listing keys, connecting accounts and managing sessions need the app in a browser.";
        return Ok(Err(reply::error(403, codes::KEY_NOT_ALLOWED, message)?));
    }
    let id = api_key::key_id(&secret);
    let principal = format!("{PRINCIPAL_PREFIX}{id}");
    // Counted before any object is asked: a flood with one key costs no Durable Object.
    if let Some(refused) = limits::check(env, &KEYS, "request", &Client::Session(&principal)).await? {
        return Ok(Err(refused));
    }
    let mut found = ApiKeyOp::Use.send(env, &id).await?;
    if found.status_code() != 200 {
        return Ok(Err(invalid()?));
    }
    Ok(Ok(Rc::new(Key { principal, record: found.json().await? })))
}

/// `inner`, with `key` as the current key while it runs.
pub fn scoped<F: Future>(inner: F, key: Rc<Key>) -> impl Future<Output = F::Output> {
    WithLocal::new(inner, &CURRENT, key)
}
