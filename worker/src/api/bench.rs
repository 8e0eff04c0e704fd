//! Bare pipes through the same workerd, for `cargo xtask bench` only: compiled in only with the
//! `test-routes` feature (never in a deploy), and on only with `BENCH_ROUTES = "1"` and an API
//! base that is not real TikTok. LetsPost's two media legs are measured against these, which do
//! the same I/O with nothing around it.
//!
//! `POST /api/bench/multipart/{key}` → `{"upload_id"}`; `PUT …/{key}/{upload_id}/{part}` →
//! `{"etag"}` (the request's stream straight into `upload_part`); `POST …/{key}/{upload_id}`
//! with `[[part, etag]…]` completes; `POST /api/bench/push` `{"key", "upload_url",
//! "content_type"}` sends the object's TikTok chunks straight from R2.
//!
//! `cargo xtask bench history`: `POST /api/bench/history` `Fill` writes lightweight posts (index
//! rows only) into an account's index; `GET /api/bench/drafts-check/{open_id}` runs a draft
//! create's pending-drafts check alone → `{"pending"}`.

use crate::base::config::MEDIA_BUCKET;
use crate::base::reply;
use crate::tiktok::chunk_put::{ChunkAnswer, put_chunk};
use serde::Deserialize;
use serde_json::json;
use tiktok_rules::chunk::ChunkPlan;
use worker::{Env, Method, Request, Response, Result, UploadedPart};

/// Set, and never against real TikTok (these routes push any staged object to any URL).
pub fn enabled(env: &Env) -> bool {
    env.var("BENCH_ROUTES").map(|v| v.to_string() == "1").unwrap_or(false) && !crate::api::test_hooks::real_tiktok(env)
}

#[derive(Deserialize)]
struct Push {
    key: String,
    upload_url: String,
    content_type: String,
}

pub async fn handle(mut req: Request, env: Env, segments: &[&str]) -> Result<Response> {
    let bucket = env.bucket(MEDIA_BUCKET)?;
    match (req.method(), segments) {
        (Method::Post, ["multipart", key]) => {
            let up = bucket.create_multipart_upload(format!("bench/{key}")).execute().await?;
            Response::from_json(&json!({ "upload_id": up.upload_id().await }))
        }
        (Method::Put, ["multipart", key, upload_id, part]) => {
            let n: u16 = part.parse().map_err(|_| worker::Error::RustError("part".into()))?;
            let body = req.inner().body().ok_or_else(|| worker::Error::RustError("no body".into()))?;
            let up = bucket.resume_multipart_upload(format!("bench/{key}"), upload_id.to_string())?;
            let done = up.upload_part(n, body).await?;
            Response::from_json(&json!({ "etag": done.etag() }))
        }
        (Method::Post, ["multipart", key, upload_id]) => {
            let parts: Vec<(u16, String)> = req.json().await?;
            let up = bucket.resume_multipart_upload(format!("bench/{key}"), upload_id.to_string())?;
            let obj = up.complete(parts.into_iter().map(|(n, e)| UploadedPart::new(n, e))).await?;
            Response::from_json(&json!({ "size": obj.size() }))
        }
        (Method::Post, ["push"]) => {
            let p: Push = req.json().await?;
            let Some(head) = bucket.head(p.key.clone()).await? else { return reply::not_found("object") };
            let plan = ChunkPlan::for_size(head.size()).map_err(|e| worker::Error::RustError(e.to_string()))?;
            for i in 0..plan.total_chunk_count {
                match put_chunk(&bucket, &p.key, &plan, i, &p.upload_url, &p.content_type).await {
                    Ok(ChunkAnswer::Taken) => {}
                    Ok(_) => return reply::error(502, "chunk_refused", &format!("chunk {i} refused")),
                    Err(e) => return reply::error(502, &e.code, &e.message),
                }
            }
            Response::from_json(&json!({ "chunks": plan.total_chunk_count }))
        }
        (Method::Post, ["history"]) => {
            let f: crate::objects::post_index_bench::Fill = req.json().await?;
            let account = f.account.clone();
            crate::objects::expect_ok(crate::objects::call(&env, crate::objects::ACCOUNTS, &account, Method::Post, "test/index-fill", Some(&f)).await?)
        }
        (Method::Get, ["drafts-check", open_id]) => {
            use crate::objects::post_index::{self, Ask};
            let now = crate::base::rand::now_ms();
            let posts = post_index::ask(&env, open_id, None, Ask::Drafts { since_ms: post_index::drafts_since(now) }).await?.unwrap_or_default();
            Response::from_json(&json!({ "pending": post_lifecycle::drafts::pending_at(&posts, now, now) }))
        }
        _ => reply::not_found("bench route"),
    }
}
