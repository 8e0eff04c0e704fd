//! Faults the end-to-end suite injects into the Worker itself (`TEST_HOOKS = "1"`, set only by
//! `cargo xtask test`; wrangler.toml has no such var, so a deploy never has these routes).
//!
//! `POST /api/test/fail-next-media-put` `{"caption"}` → the next `PUT /api/posts/{id}/media`
//! of a post with that caption answers 503 without storing anything, as a gateway timing out
//! would. (By caption, so tests running side by side don't take each other's fault.)
//! `POST /api/test/drop-next-create-answer` `{"caption"}` → the next `POST /api/posts` with
//! that caption makes its post, then its answer breaks off mid-body: the client sees a network
//! error, as when a phone changes networks, and can only retry.
//!
//! `GET /api/test/csp-reports` → every CSP violation the pages reported since workerd started
//! (`[{"page", "directive", "blocked"}]`).
//!
//! For the cron's safety net (e2e suite and `cargo xtask bench sweep`):
//! - `POST /api/test/posts` `{"account", "count", "publish_in_ms"}` → `{"ids"}`: scheduled posts
//!   made straight in their objects (no staging; at most 100 a call), indexed as any post.
//! - `POST /api/test/posts/stall` `{"ids", "overdue_ms"}`: each post's alarm deleted and its
//!   index entry dated `overdue_ms` ago, as a lost alarm looks to the cron.
//! - `GET /api/test/posts/{id}/alarm` → `{"alarm_ms"}`.
//! - `POST /api/test/legacy-registry` `{"kind": "posts" | "accounts", "id"}`: an entry in the old
//!   Registry, as a deployment before the sharded index wrote it, and the drain marked undone.

use crate::objects::{self, POSTS, REGISTRY, SWEEP, post::Stall, sweep_state};
use serde::Deserialize;
use serde_json::json;
use std::sync::Mutex;
use worker::{Env, Method, Request, Response, Result};

/// An armed fault: the caption of the post it is for.
pub struct Armed(Mutex<Option<String>>);

pub static FAIL_NEXT_MEDIA_PUT: Armed = Armed(Mutex::new(None));
pub static DROP_NEXT_CREATE_ANSWER: Armed = Armed(Mutex::new(None));

impl Armed {
    pub fn arm(&self, caption: String) {
        if let Ok(mut armed) = self.0.lock() {
            *armed = Some(caption);
        }
    }

    /// Spends the fault if it is armed for this post's caption (and hooks are on).
    pub fn fires(&self, env: &Env, caption: &str) -> bool {
        if !enabled(env) {
            return false;
        }
        let Ok(mut armed) = self.0.lock() else { return false };
        if armed.as_deref() == Some(caption) {
            *armed = None;
            return true;
        }
        false
    }
}

static CSP_REPORTS: Mutex<Vec<letspost_core::csp_report::Violation>> = Mutex::new(Vec::new());

pub fn keep_csp_reports(found: Vec<letspost_core::csp_report::Violation>) {
    if let Ok(mut all) = CSP_REPORTS.lock() {
        all.extend(found);
    }
}

pub fn enabled(env: &Env) -> bool {
    env.var("TEST_HOOKS").map(|v| v.to_string() == "1").unwrap_or(false)
}

/// An answer that breaks off after its first byte: the status line went out, the body never
/// arrives whole, and the client sees a network error.
pub fn lost_answer() -> Result<Response> {
    let parts: Vec<Result<Vec<u8>>> = vec![Ok(b"{".to_vec()), Err(worker::Error::RustError("answer dropped by a test hook".into()))];
    Ok(Response::from_stream(futures_util::stream::iter(parts))?.with_status(201))
}

#[derive(Deserialize)]
struct ForCaption {
    caption: String,
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
        (Method::Post, [fault @ ("fail-next-media-put" | "drop-next-create-answer")]) => {
            let f: ForCaption = req.json().await?;
            let armed = if *fault == "fail-next-media-put" { &FAIL_NEXT_MEDIA_PUT } else { &DROP_NEXT_CREATE_ANSWER };
            armed.arm(f.caption);
            Ok(Response::empty()?.with_status(204))
        }
        (Method::Get, ["csp-reports"]) => Response::from_json(&*CSP_REPORTS.lock().map_err(|_| worker::Error::RustError("poisoned".into()))?),
        (Method::Post, ["posts"]) => {
            let m: Many = req.json().await?;
            let mut ids = Vec::new();
            for _ in 0..m.count.min(100) {
                use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
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
