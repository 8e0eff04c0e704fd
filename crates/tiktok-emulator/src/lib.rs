//! The TikTok emulator: TikTok's Content Posting API as LetsPost uses it, over real HTTP.
//!
//! Paths, shapes, codes and limits come from `shared/tiktok-api.md` and, wherever a rule is
//! LetsPost's too (caption length, chunk plan, privacy, error codes), from `tiktok-rules`, so
//! the emulator and the client cannot drift apart. The media checks TikTok makes after an
//! upload use the same `video-probe` the browser and the Worker use. The Display API
//! (`video/query`, `video/list`, `user/info`'s counts) serves what LetsPost reads back.

// axum's way: a handler's early exit is the `Response` itself (`Result<_, Response>`), 128
// bytes; boxing it on every refusal would buy nothing in an emulator.
#![allow(clippy::result_large_err)]

pub mod accounts;
pub mod config;
mod display;
mod faults;
mod hooks;
pub mod metrics;
mod oauth;
mod posting;
mod reply;
mod state;
mod upload;
mod webhooks;

pub use config::Config;
pub use state::Emulator;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use std::sync::Arc;
use tiktok_rules::api::paths;

/// The emulator's routes. Test hooks only when the config enables them.
pub fn router(emu: Arc<Emulator>) -> Router {
    let mut app = Router::new()
        .route(paths::AUTHORIZE, get(oauth::authorize_page))
        .route("/v2/auth/authorize/decision/", post(oauth::decision))
        .route(paths::TOKEN, post(oauth::token))
        .route(paths::REVOKE, post(oauth::revoke))
        .route(paths::USER_INFO, get(posting::user_info))
        .route(paths::CREATOR_INFO, post(posting::creator_info))
        .route(paths::VIDEO_INIT, post(posting::init))
        .route(paths::INBOX_VIDEO_INIT, post(posting::inbox_init))
        .route(paths::STATUS_FETCH, post(posting::status))
        .route(paths::VIDEO_QUERY, post(display::query))
        .route(paths::VIDEO_LIST, post(display::list))
        .route(upload::PATH, put(upload::put_chunk).layer(DefaultBodyLimit::disable()))
        .route("/health", get(|| async { "ok" }));
    if emu.config.test_hooks {
        app = app.nest("/__emulator", hooks::router());
    }
    app.layer(axum::middleware::from_fn_with_state(emu.clone(), faults::inject)).with_state(emu)
}

/// Serve until the listener fails or the process ends.
pub async fn serve(listener: tokio::net::TcpListener, emu: Arc<Emulator>) -> std::io::Result<()> {
    axum::serve(listener, router(emu)).await
}
