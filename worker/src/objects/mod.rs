//! Calling the Durable Objects: one Account per TikTok `open_id`, one Session per browser
//! session. Requests to them are internal: each object's operations are one enum both sides
//! share (`PostOp`, `AccountOp`, `SessionOp`, `DueOp`, `SweepOp`, `StartOp`, `RegistryOp`),
//! sent whole as JSON by `send`; only the test hooks' stay paths (`https://object/test/…`).
//! Only the Worker's routes decide what reaches the browser.
//!
//! The objects themselves are this folder's modules: `account` (with `schedule`, its posting
//! schedule and the times its posts hold, `usage`, what its posts count against its caps,
//! `holders`, the sessions holding it, `account_keys`, the API keys naming it, and
//! `post_index`, its posts as the queue shows them), `api_key` (one per personal API key),
//! `session`, `post` (with
//! `media_probe`, its video probe over R2), `due_index` (the cron's index, sharded),
//! `sweep_state` (the cron's lease and last report), `oauth_start` (a browser's sign-ins under
//! way) and `registry` (the old single index, kept only until upgrades have drained it). They import from `tiktok` and `base`,
//! never from `api` or `cron`.

pub mod account;
pub mod account_keys;
pub mod api_key;
pub mod due_index;
pub mod holders;
mod media_probe;
pub mod oauth_start;
pub mod post;
pub mod post_index;
#[cfg(feature = "test-routes")]
pub mod post_index_bench;
pub mod registry;
pub mod schedule;
pub mod session;
pub mod sweep_state;
pub mod usage;

use serde::Serialize;
use worker::{Env, Headers, Method, Request, RequestInit, Response, Result};

pub const ACCOUNTS: &str = "ACCOUNTS";
pub const SESSIONS: &str = "SESSIONS";
pub const POSTS: &str = "POSTS";
pub const REGISTRY: &str = "REGISTRY";
pub const DUE: &str = "DUE";
pub const SWEEP: &str = "SWEEP";
pub const OAUTH_STARTS: &str = "OAUTH_STARTS";
pub const API_KEYS: &str = "API_KEYS";

pub async fn call<B: Serialize>(env: &Env, binding: &str, name: &str, method: Method, op: &str, body: Option<&B>) -> Result<Response> {
    #[cfg(feature = "test-routes")]
    crate::base::object_calls::count();
    let stub = env.durable_object(binding)?.id_from_name(name)?.get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(method);
    if let Some(b) = body {
        let h = Headers::new();
        h.set("Content-Type", "application/json")?;
        init.with_headers(h).with_body(Some(serde_json::to_string(b)?.into()));
    }
    stub.fetch_with_request(Request::new_with_init(&format!("https://object/{op}"), &init)?).await
}

/// A typed operation (`post::ops::PostOp`…): one JSON body whose enum both sides share, so
/// an operation can't be misspelled or left unhandled.
pub async fn send<O: Serialize>(env: &Env, binding: &str, name: &str, op: &O) -> Result<Response> {
    call(env, binding, name, Method::Post, "op", Some(op)).await
}

/// A test hook's call without a body (`/test/*` paths: the test operations stay out of the
/// objects' operation enums, compiled only into test builds).
#[cfg(feature = "test-routes")]
pub async fn get(env: &Env, binding: &str, name: &str, op: &str) -> Result<Response> {
    call::<()>(env, binding, name, Method::Get, op, None).await
}

/// An object's answer, or an error naming its status (for calls whose failure must be retried).
pub fn expect_ok(r: Response) -> Result<Response> {
    if (200..300).contains(&r.status_code()) { Ok(r) } else { Err(worker::Error::RustError(format!("object answered {}", r.status_code()))) }
}
