//! The LetsPost Worker. Requests under `/api/` reach this code (wrangler's `run_worker_first`);
//! everything else is the front end, served by the assets binding without running Rust.

mod account_do;
mod accounts_api;
mod bench;
mod chunk_put;
mod config;
mod media_check;
mod objects;
mod post_do;
mod posts_api;
mod rand;
mod registry_do;
mod reply;
mod routes;
mod session_do;
mod sweep;
mod test_hooks;
mod tiktok;

pub use account_do::Account;
pub use post_do::PostObject;
pub use registry_do::Registry;
pub use session_do::Session;

use worker::{event, Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    match routes::handle(req, env).await {
        Ok(resp) => Ok(resp),
        Err(e) => {
            // Storage, binding and JSON errors; none carries a token.
            worker::console_error!("api: {e}");
            reply::internal()
        }
    }
}

/// The cron trigger (`[triggers] crons` in wrangler.toml).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(e) = sweep::run(&env).await {
        worker::console_error!("sweep: {e}");
    }
}
