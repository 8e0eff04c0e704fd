//! The LetsPost Worker. Requests under `/api/` reach this code (wrangler's `run_worker_first`);
//! everything else is the front end, served by the assets binding without running Rust.

mod config;
mod media_check;
mod routes;

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    routes::handle(req, env).await
}
