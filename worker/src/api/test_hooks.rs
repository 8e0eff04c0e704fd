//! Faults the end-to-end suite injects into the Worker itself (`TEST_HOOKS = "1"`, set only by
//! `cargo xtask test`; wrangler.toml has no such var, so a deploy never has these routes).
//!
//! `POST /api/test/fail-next-media-put` `{"caption"}` → the next `PUT /api/posts/{id}/media`
//! of a post with that caption answers 503 without storing anything, as a gateway timing out
//! would. (By caption, so tests running side by side don't take each other's fault.)
//!
//! For the cron's safety net (e2e suite and `cargo xtask bench sweep`):
//! - `POST /api/test/posts` `{"account", "count", "publish_in_ms"}` → `{"ids"}`: scheduled posts
//!   made straight in their objects (no staging; at most 100 a call), indexed as any post.
//! - `POST /api/test/posts/stall` `{"ids", "overdue_ms"}`: each post's alarm deleted and its
//!   index entry dated `overdue_ms` ago, as a lost alarm looks to the cron.
//! - `GET /api/test/posts/{id}/alarm` → `{"alarm_ms"}`.
//! - `POST /api/test/legacy-registry` `{"kind": "posts" | "accounts", "id"}`: an entry in the old
//!   Registry, as a deployment before the sharded index wrote it, and the drain marked undone.

use crate::objects::{self, post::Stall, sweep_state, POSTS, REGISTRY, SWEEP};
use serde::Deserialize;
use serde_json::json;
use std::sync::Mutex;
use worker::{Env, Method, Request, Response, Result};

static FAIL_NEXT_MEDIA_PUT: Mutex<Option<String>> = Mutex::new(None);

pub fn enabled(env: &Env) -> bool {
    env.var("TEST_HOOKS").map(|v| v.to_string() == "1").unwrap_or(false)
}

pub fn arm_media_put_failure(caption: String) {
    if let Ok(mut armed) = FAIL_NEXT_MEDIA_PUT.lock() {
        *armed = Some(caption);
    }
}

/// Spends the armed failure if it is for this post's caption.
pub fn media_put_should_fail(caption: &str) -> bool {
    let Ok(mut armed) = FAIL_NEXT_MEDIA_PUT.lock() else { return false };
    if armed.as_deref() == Some(caption) {
        *armed = None;
        return true;
    }
    false
}

#[derive(Deserialize)]
struct Many {
    account: String,
    count: u32,
    publish_in_ms: u64,
}

#[derive(Deserialize)]
struct StallMany {
    ids: Vec<String>,
    overdue_ms: u64,
}

#[derive(Deserialize)]
struct Legacy {
    kind: String,
    id: String,
}

pub async fn handle(mut req: Request, env: Env, segments: &[&str]) -> Result<Response> {
    match (req.method(), segments) {
        (Method::Post, ["posts"]) => {
            let m: Many = req.json().await?;
            let mut ids = Vec::new();
            for _ in 0..m.count.min(100) {
                use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
                let id = URL_SAFE_NO_PAD.encode(crate::base::rand::bytes::<16>()?);
                let body = json!({ "id": id, "account": m.account, "publish_at_ms": crate::base::rand::now_ms() + m.publish_in_ms });
                objects::expect_ok(objects::call(&env, POSTS, &id, Method::Post, "test/scheduled", Some(&body)).await?)?;
                ids.push(id);
            }
            Response::from_json(&json!({ "ids": ids }))
        }
        (Method::Post, ["posts", "stall"]) => {
            let s: StallMany = req.json().await?;
            for id in &s.ids {
                objects::expect_ok(objects::call(&env, POSTS, id, Method::Post, "test/stall", Some(&Stall { overdue_ms: s.overdue_ms })).await?)?;
            }
            Ok(Response::empty()?.with_status(204))
        }
        (Method::Get, ["posts", id, "alarm"]) => objects::get(&env, POSTS, id, "test/alarm").await,
        (Method::Post, ["legacy-registry"]) => {
            let l: Legacy = req.json().await?;
            objects::expect_ok(objects::call(&env, REGISTRY, objects::registry::NAME, Method::Post, &l.kind, Some(&json!({ "id": l.id }))).await?)?;
            objects::expect_ok(objects::call::<()>(&env, SWEEP, sweep_state::NAME, Method::Post, "test/undrain", None).await?)?;
            Ok(Response::empty()?.with_status(204))
        }
        _ => crate::base::reply::not_found("test hook"),
    }
}
