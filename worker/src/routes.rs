//! The `/api` router.

use crate::config::Config;
use crate::media_check;
use serde_json::json;
use tiktok_rules::{chunk, media, CAPTION_MAX_UTF16};
use worker::{Env, Request, Response, Result, Router};

/// The R2 bucket where uploads are staged.
pub const MEDIA_BUCKET: &str = "MEDIA";

pub async fn handle(req: Request, env: Env) -> Result<Response> {
    Router::new()
        .get("/api/health", |_, ctx| health(&Config::from_env(&ctx.env)))
        .get_async("/api/media/:key/check", |_, ctx| async move {
            let key = ctx.param("key").cloned().unwrap_or_default();
            let bucket = ctx.env.bucket(MEDIA_BUCKET)?;
            match media_check::probe_object(&bucket, &key).await? {
                Some(report) => Response::from_json(&report),
                None => Response::from_json(&json!({ "error": "not_found", "key": key })).map(|r| r.with_status(404)),
            }
        })
        .or_else_any_method("/api/*path", |req, _| {
            Response::from_json(&json!({ "error": "not_found", "path": req.path() })).map(|r| r.with_status(404))
        })
        .run(req, env)
        .await
}

/// Liveness plus what the front end needs to know before it asks for anything else.
fn health(cfg: &Config) -> Result<Response> {
    Response::from_json(&json!({
        "status": "ok",
        "service": "letspost-worker",
        "version": env!("CARGO_PKG_VERSION"),
        "tiktok": {
            "api_base": cfg.tiktok_api_base,
            "auth_base": cfg.tiktok_auth_base,
            "client_configured": !cfg.client_key.is_empty() && cfg.has_client_secret,
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
