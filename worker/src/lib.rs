//! The LetsPost Worker. Requests under `/api/` reach this code (wrangler's `run_worker_first`);
//! everything else is the front end, served by the assets binding without running Rust.
//!
//! `src/` by role, each layer importing only from the ones below it: `api/` (the HTTP surface)
//! and `cron` (the cron trigger's work) on top, then `objects/` (the Durable Objects), then
//! `tiktok/` (the TikTok client), then `base/` (configuration, bindings, replies, random bytes).

mod api;
mod base;
mod cron;
mod objects;
mod tiktok;

pub use objects::account::Account;
pub use objects::api_key::ApiKey;
pub use objects::due_index::DueIndex;
pub use objects::oauth_start::OAuthStart;
pub use objects::post::PostObject;
pub use objects::registry::Registry;
pub use objects::session::Session;
pub use objects::sweep_state::SweepState;

use base::reply;
use worker::{Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    answer(req, env).await
}

/// The API's answer, or the generic 500 for a failure inside LetsPost.
fn answered(handled: Result<Response>) -> Result<Response> {
    let resp = match handled {
        Ok(resp) => resp,
        Err(e) => {
            // Storage, binding and JSON errors; none carries a token.
            base::log::error("api_failed", &[("error", &e.to_string())]);
            reply::internal()?
        }
    };
    reply::with_api_headers(resp)
}

#[cfg(not(feature = "test-routes"))]
async fn answer(req: Request, env: Env) -> Result<Response> {
    answered(api::handle(req, env).await)
}

/// A test build also says how many Durable Object calls the request made.
#[cfg(feature = "test-routes")]
async fn answer(req: Request, env: Env) -> Result<Response> {
    use base::object_calls::{HEADER, counted};
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let mut resp = answered(counted(api::handle(req, env), calls.clone()).await)?;
    resp.headers_mut().set(HEADER, &calls.get().to_string())?;
    Ok(resp)
}

/// The cron trigger (`[triggers] crons` in wrangler.toml).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(e) = cron::run(&env).await {
        base::log::error("sweep_failed", &[("error", &e.to_string())]);
    }
}
