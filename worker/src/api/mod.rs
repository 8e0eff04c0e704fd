//! The `/api` router. Writes from another site are refused before any route runs.
//!
//! One module per resource: `oauth` (`/api/oauth/*`), `accounts` (`/api/accounts*`), `posts`
//! (`/api/posts*`), `keys` (`/api/keys*`), with `session` the session-cookie check both accounts
//! and posts need, and `bearer` the API key a script sends instead (exempt from the Origin
//! check: a browser never sends it by itself);
//! `webhooks` (TikTok's deliveries, signed instead of same-origin); `csp_report` (the pages'
//! CSP violations, logged); `body` reads bodies and headers within limits; `limits` the rate
//! limits; `bench` and `test_hooks` only in a build with the `test-routes` feature (never a
//! deploy) and only when their vars are set (`test_hooks_off` stands in for the hooks
//! elsewhere). They import from `objects`, `tiktok` and `base`; nothing below imports from here.

mod accounts;
mod bearer;
#[cfg(feature = "test-routes")]
mod bench;
mod body;
mod csp_report;
mod keys;
mod limits;
mod media_part;
mod oauth;
mod posts;
mod session;
#[cfg(feature = "test-routes")]
pub mod test_hooks;
#[cfg(not(feature = "test-routes"))]
#[path = "test_hooks_off.rs"]
pub mod test_hooks;
mod webhooks;

use crate::base::config::{self, Config};
use crate::base::reply;
use crate::objects::account::analytics::AnalyticsOp;
use crate::objects::post::ops::{CancelBody, PostOp};
use letspost_core::api::codes;
use letspost_core::session::write_allowed;
use serde_json::json;
use tiktok_rules::{CAPTION_MAX_UTF16, chunk, media};
use worker::{Env, Method, Request, Response, Result};

pub async fn handle(req: Request, env: Env) -> Result<Response> {
    let url = req.url()?;
    let app_origin = url.origin().ascii_serialization();
    let header = |name: &str| req.headers().get(name).ok().flatten();
    // TikTok is not a browser: its deliveries carry a signature instead of an Origin.
    if req.method() == Method::Post && url.path().trim_end_matches('/') == letspost_core::api::paths::TIKTOK_WEBHOOK {
        return webhooks::receive(req, env).await;
    }
    // Browsers send CSP reports without credentials, and not always with an Origin.
    if req.method() == Method::Post && url.path() == letspost_core::headers::CSP_REPORT_PATH {
        return csp_report::receive(req, env).await;
    }
    let path = url.path().to_string();
    let segments: Vec<&str> = path.trim_start_matches("/api/").trim_end_matches('/').split('/').collect();
    // A script with an API key: no cookie is read, so no other site can make it act.
    if bearer::present(&req) {
        let key = match bearer::admit(&env, &req, &req.method(), &segments).await? {
            Ok(k) => k,
            Err(refused) => return Ok(refused),
        };
        return bearer::scoped(route(req, env, app_origin), key).await;
    }
    if !write_allowed(req.method().as_ref(), header("Origin").as_deref(), header("Sec-Fetch-Site").as_deref(), &app_origin) {
        return reply::error(403, codes::FORBIDDEN_ORIGIN, "This request came from another site, so LetsPost refused it.");
    }
    route(req, env, app_origin).await
}

async fn route(req: Request, env: Env, app_origin: String) -> Result<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_start_matches("/api/").trim_end_matches('/').split('/').collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["health"]) => health(&env).await,
        (Method::Get, ["oauth", "config"]) => oauth::oauth_config(&env),
        (Method::Get, ["openapi.json"]) => openapi(),
        (Method::Get, ["settings"]) => {
            Response::from_json(&letspost_core::api::AppSettings { preselect_public: config::preselect_public(&env), analytics: config::analytics_on(&env) })
        }
        (Method::Post, ["oauth", "start"]) => oauth::start(req, env).await,
        (Method::Post, ["oauth", "token"]) => oauth::exchange(req, env, &app_origin).await,
        (Method::Get, ["accounts"]) => accounts::list(req, env).await,
        (Method::Delete, ["accounts", open_id]) => accounts::disconnect(req, env, open_id).await,
        (Method::Get, ["accounts", open_id, "sessions"]) => accounts::sessions(req, env, open_id).await,
        (Method::Delete, ["accounts", open_id, "sessions", id]) => accounts::sign_out_session(req, env, open_id, id).await,
        (Method::Post, ["session", "logout"]) => session::logout(req, env).await,
        (Method::Get, ["accounts", open_id, "creator-info"]) => accounts::creator_info(req, env, open_id).await,
        (Method::Get, ["accounts", open_id, "schedule"]) => accounts::schedule(req, env, open_id).await,
        (Method::Put, ["accounts", open_id, "schedule"]) => accounts::put_schedule(req, env, open_id).await,
        (Method::Get, ["accounts", open_id, "queue"]) => accounts::next_free(req, env, open_id).await,
        (Method::Get, ["accounts", open_id, "slots"]) => accounts::free_slots(req, env, open_id).await,
        (Method::Get, ["accounts", open_id, "stats"]) => accounts::numbers(req, env, open_id, AnalyticsOp::Stats).await,
        (Method::Get, ["accounts", open_id, "best-times"]) => accounts::numbers(req, env, open_id, AnalyticsOp::BestTimes).await,
        (Method::Post, ["keys"]) => keys::create(req, env).await,
        (Method::Get, ["keys"]) => keys::list(req, env).await,
        (Method::Delete, ["keys", id]) => keys::revoke(req, env, id).await,
        (Method::Post, ["posts"]) => posts::create(req, env).await,
        (Method::Get, ["posts"]) => posts::list(req, env).await,
        (Method::Get, ["posts", id]) => posts::forward(req, env, id, PostOp::Get).await,
        (Method::Patch, ["posts", id]) => posts::reschedule(req, env, id).await,
        (Method::Delete, ["posts", id]) => posts::write(req, env, id, PostOp::Cancel(CancelBody::default())).await,
        (Method::Post, ["posts", id, "retry"]) => posts::retry(req, env, id).await,
        (Method::Get, ["posts", id, "metrics"]) => posts::readings(req, env, id).await,
        (Method::Post, ["posts", id, "metrics", "refresh"]) => posts::refresh_metrics(req, env, id).await,
        (Method::Put, ["posts", id, "media"]) => posts::put_media(req, env, id).await,
        (Method::Get, ["posts", id, "media"]) => posts::forward(req, env, id, PostOp::Received).await,
        // The probe's report of the staged video, re-read from R2.
        (Method::Get, ["posts", id, "check"]) => posts::forward(req, env, id, PostOp::Check).await,
        #[cfg(feature = "test-routes")]
        (_, ["bench", rest @ ..]) if bench::enabled(&env) => bench::handle(req, env, rest).await,
        #[cfg(feature = "test-routes")]
        (_, ["test", rest @ ..]) if test_hooks::enabled(&env) => test_hooks::handle(req, env, rest).await,
        _ => reply::error(404, codes::NOT_FOUND, &format!("There is no API at {path}.")),
    }
}

/// The OpenAPI document of this API, made natively from the shared types by crates/api-doc
/// (`cargo run -p api-doc`; a test fails while it is stale) and embedded as text, so the
/// Worker carries no utoipa.
fn openapi() -> Result<Response> {
    let mut resp = Response::ok(include_str!("../../../docs/openapi.json"))?;
    resp.headers_mut().set("Content-Type", "application/json")?;
    Ok(resp)
}

/// Liveness plus what the front end needs to know before it asks for anything else.
async fn health(env: &Env) -> Result<Response> {
    let cfg = Config::from_env(env);
    let sweep = last_sweep(env).await;
    Response::from_json(&json!({
        "sweep": sweep,
        "status": "ok",
        "service": "letspost-worker",
        "version": env!("CARGO_PKG_VERSION"),
        "tiktok": {
            "api_base": cfg.tiktok_api_base,
            "auth_base": cfg.tiktok_auth_base,
            "client_configured": cfg.configured(env),
        },
        "limits": {
            "caption_max_utf16": CAPTION_MAX_UTF16,
            "max_size_bytes": media::MAX_SIZE_BYTES,
            "min_duration_ms": media::MIN_DURATION_MS,
            "max_duration_ms": media::MAX_DURATION_MS,
            "chunk_size": chunk::PREFERRED_CHUNK,
        },
    }))
}

/// The last cron run's report, as the cron's own object keeps it. Each isolate asks at most every
/// few seconds: every page view calls health, and one object must not take every visitor.
async fn last_sweep(env: &Env) -> Option<letspost_core::api::SweepReport> {
    use crate::objects::sweep_state;
    use std::cell::RefCell;
    const FRESH_MS: u64 = 5_000;
    thread_local! {
        static CACHED: RefCell<Option<(u64, letspost_core::api::SweepReport)>> = const { RefCell::new(None) };
    }
    let now = crate::base::rand::now_ms();
    if let Some(r) = CACHED.with(|c| c.borrow().as_ref().filter(|(at, _)| now < at + FRESH_MS).map(|(_, r)| r.clone())) {
        return Some(r);
    }
    let report: letspost_core::api::SweepReport = sweep_state::SweepOp::Report.send(env).await.ok()?.json().await.ok()?;
    CACHED.with(|c| *c.borrow_mut() = Some((now, report.clone())));
    Some(report)
}
