//! The LetsPost Worker. Requests under `/api/` reach this code (wrangler's `run_worker_first`);
//! everything else is the front end, served by the assets binding without running Rust.

mod account_do;
mod accounts_api;
mod config;
mod media_check;
mod objects;
mod rand;
mod reply;
mod routes;
mod session_do;
mod tiktok;

pub use account_do::Account;
pub use session_do::Session;

use worker::{event, Context, Env, Request, Response, Result};

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
