//! Faults the end-to-end suite injects into the Worker itself: compiled in only with the
//! `test-routes` feature (`cargo xtask test`, `bench`, `soak`; never a deploy), and on only with
//! `TEST_HOOKS = "1"` and an API base that is not real TikTok.
//!
//! `POST /api/test/fail-next-media-put` `{"caption"}` → the next `PUT /api/posts/{id}/media`
//! of a post with that caption answers 503 without storing anything, as a gateway timing out
//! would. `POST /api/test/drop-next-create-answer` `{"caption"}` → the next `POST /api/posts`
//! with that caption makes its post, then its answer breaks off mid-body: the client sees a
//! network error, as when a phone changes networks, and can only retry.
//! Each fault is armed per caption, any number at once, so tests running side by side neither
//! take nor overwrite each other's; each fires once. `GET /api/test/armed` →
//! `{"armed": {hook: [caption]}, "fired": {hook: [caption]}}`: what is still waiting and what
//! went off, so a test can check that its fault really happened.
//!
//! `GET /api/test/timing` → `{"upload_lead_margin_ms", "queue_lead_ms", "media_retention_ms"}`:
//! the Worker's own clocks as this run configured them, so tests wait for them, not for a guess.
//!
//! `GET /api/test/client-address` → `{"cf_connecting_ip"}`: the header the per-address limits
//! read, as this runtime sets it.
//!
//! `GET /api/test/csp-reports` → every CSP violation the pages reported since workerd started
//! (`[{"page", "directive", "blocked"}]`).
//!
//! Sessions (`tests/worker_sessions.rs`):
//! - `POST /api/test/session/age` `{"created_by_secs", "seen_by_secs"}`: the request's own
//!   session is dated back, as if issued and last used that long ago; its alarm moves to its
//!   (maybe past) end.
//! - `GET /api/test/sessions/{id}` → `{"stored"}`: whether a session (by public id) keeps any
//!   storage or alarm.
//!
//! For the cron's safety net (e2e suite and `cargo xtask bench sweep`):
//! - `POST /api/test/posts` `{"account", "count", "publish_in_ms", "video_size"?}` → `{"ids"}`:
//!   scheduled posts made straight in their objects (no staging; at most 100 a call), indexed and
//!   counted against the account's caps as any post.
//! - `POST /api/test/posts/stall` `{"ids", "overdue_ms"}`: each post's alarm deleted and its
//!   index entry dated `overdue_ms` ago, as a lost alarm looks to the cron.
//! - `GET /api/test/posts/{id}/alarm` → `{"alarm_ms"}`; `GET /api/test/posts/{id}/stored` →
//!   `{"stored"}`: whether the post's object still keeps it (a finished post is shed).
//! - `POST /api/test/legacy-post-ids` `{"account", "ids"}`: the account as before its post index
//!   (issue 35): these ids in its old list, their rows gone. `GET
//!   /api/test/accounts/{open_id}/legacy-post-ids` → `{"ids"}` (null once moved over).
//! - Analytics (`tests/worker_analytics.rs`): `POST /api/test/accounts/{open_id}/analytics/shift`
//!   `{"by_ms"}`: every time the account's numbers keep moves back by `by_ms` (as if that long
//!   had passed), then its alarm's round runs now → `{"video_queries", "posts_read",
//!   "snapshots"}`; `…/analytics/round` (`{}`): the round alone; `…/analytics/track`
//!   `[{"id", "tiktok_post_id", "published_at_ms", "first_day_views"?}]`: posts followed as if
//!   published then (a history for best times, or many posts for one round).
//! - `POST /api/test/legacy-registry` `{"kind": "posts" | "accounts", "id"}`: an entry in the old
//!   Registry, as a deployment before the sharded index wrote it, and the drain marked undone.

use crate::objects::session::Age;
use crate::objects::{self, ACCOUNTS, POSTS, REGISTRY, SESSIONS, SWEEP, post::ops::Stall, sweep_state};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Mutex;
use worker::{Env, Method, Request, Response, Result};

/// A fault armed per caption: the captions still armed, and those it fired for.
pub struct Armed {
    name: &'static str,
    captions: Mutex<(BTreeSet<String>, BTreeSet<String>)>,
}

pub static FAIL_NEXT_MEDIA_PUT: Armed = Armed::new("fail-next-media-put");
pub static DROP_NEXT_CREATE_ANSWER: Armed = Armed::new("drop-next-create-answer");
const FAULTS: [&Armed; 2] = [&FAIL_NEXT_MEDIA_PUT, &DROP_NEXT_CREATE_ANSWER];

impl Armed {
    const fn new(name: &'static str) -> Armed {
        Armed { name, captions: Mutex::new((BTreeSet::new(), BTreeSet::new())) }
    }

    pub fn arm(&self, caption: String) {
        if let Ok(mut c) = self.captions.lock() {
            c.0.insert(caption);
        }
    }

    /// Spends the fault if it is armed for this post's caption (and hooks are on).
    pub fn fires(&self, env: &Env, caption: &str) -> bool {
        if !enabled(env) {
            return false;
        }
        let Ok(mut c) = self.captions.lock() else { return false };
        if c.0.remove(caption) {
            c.1.insert(caption.to_string());
            return true;
        }
        false
    }

    /// (still armed, fired)
    fn captions(&self) -> (Vec<String>, Vec<String>) {
        self.captions.lock().map(|c| (c.0.iter().cloned().collect(), c.1.iter().cloned().collect())).unwrap_or_default()
    }
}

static CSP_REPORTS: Mutex<Vec<letspost_core::csp_report::Violation>> = Mutex::new(Vec::new());

pub fn keep_csp_reports(found: Vec<letspost_core::csp_report::Violation>) {
    if let Ok(mut all) = CSP_REPORTS.lock() {
        all.extend(found);
    }
}

/// Set, and never against real TikTok (`/api/test/posts` makes posts for any account).
pub fn enabled(env: &Env) -> bool {
    env.var("TEST_HOOKS").map(|v| v.to_string() == "1").unwrap_or(false) && !real_tiktok(env)
}

/// Is this Worker talking to real TikTok? Then no test or bench route runs, whatever the vars.
pub fn real_tiktok(env: &Env) -> bool {
    tiktok_rules::api::is_real_tiktok(&crate::base::config::Config::from_env(env).tiktok_api_base)
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
    /// Each post's video size (default 10 MB): the caps' test fills an account's bytes.
    #[serde(default)]
    video_size: Option<u64>,
}

#[derive(Deserialize)]
struct StallMany {
    ids: Vec<String>,
    overdue_ms: u64,
}

#[derive(Deserialize)]
struct AgeBy {
    created_by_secs: u64,
    seen_by_secs: u64,
}

#[derive(Deserialize)]
struct LegacyIds {
    account: String,
    ids: Vec<String>,
}

#[derive(Deserialize)]
struct Legacy {
    kind: String,
    id: String,
}

pub async fn handle(mut req: Request, env: Env, segments: &[&str]) -> Result<Response> {
    match (req.method(), segments) {
        (Method::Post, [fault]) if FAULTS.iter().any(|f| f.name == *fault) => {
            let f: ForCaption = req.json().await?;
            FAULTS.iter().find(|f| f.name == *fault).expect("matched").arm(f.caption);
            Ok(Response::empty()?.with_status(204))
        }
        (Method::Get, ["armed"]) => {
            let (mut armed, mut fired) = (serde_json::Map::new(), serde_json::Map::new());
            for f in FAULTS {
                let (a, d) = f.captions();
                armed.insert(f.name.into(), json!(a));
                fired.insert(f.name.into(), json!(d));
            }
            Response::from_json(&json!({ "armed": armed, "fired": fired }))
        }
        (Method::Get, ["timing"]) => Response::from_json(&json!({
            "upload_lead_margin_ms": crate::base::config::upload_lead_margin_ms(&env),
            "queue_lead_ms": crate::base::config::queue_lead_ms(&env),
            "media_retention_ms": crate::base::config::media_retention_ms(&env),
        })),
        // What the platform says the client's address is (DEVELOPERS.md records wrangler dev's).
        (Method::Get, ["client-address"]) => Response::from_json(&json!({ "cf_connecting_ip": req.headers().get("CF-Connecting-IP")? })),
        (Method::Get, ["csp-reports"]) => Response::from_json(&*CSP_REPORTS.lock().map_err(|_| worker::Error::RustError("poisoned".into()))?),
        (Method::Post, ["session", "age"]) => {
            let a: AgeBy = req.json().await?;
            let Some(cookie) = crate::api::session::session_id(&req) else { return crate::base::reply::not_found("session") };
            let age = Age { created_by_ms: a.created_by_secs * 1000, seen_by_ms: a.seen_by_secs * 1000 };
            objects::call(&env, SESSIONS, &letspost_core::session::public_id(&cookie), Method::Post, "test/age", Some(&age)).await
        }
        (Method::Get, ["sessions", id]) if letspost_core::session::valid_public_id(id) => objects::get(&env, SESSIONS, id, "test/stored").await,
        (Method::Post, ["posts"]) => {
            let m: Many = req.json().await?;
            let mut ids = Vec::new();
            for _ in 0..m.count.min(100) {
                use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
                let id = URL_SAFE_NO_PAD.encode(crate::base::rand::bytes::<16>()?);
                let body =
                    json!({ "id": id, "account": m.account, "publish_at_ms": crate::base::rand::now_ms() + m.publish_in_ms, "video_size": m.video_size });
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
        (Method::Get, ["posts", id, "stored"]) => objects::get(&env, POSTS, id, "test/stored").await,
        (Method::Post, ["legacy-post-ids"]) => {
            let l: LegacyIds = req.json().await?;
            objects::expect_ok(objects::call(&env, ACCOUNTS, &l.account, Method::Post, "test/legacy-posts", Some(&l.ids)).await?)
        }
        (Method::Get, ["accounts", open_id, "legacy-post-ids"]) => objects::get(&env, ACCOUNTS, open_id, "test/legacy-posts").await,
        (Method::Post, ["accounts", open_id, "analytics", hook @ ("shift" | "round" | "track")]) => {
            let body: serde_json::Value = req.json().await.unwrap_or(serde_json::Value::Null);
            objects::call(&env, ACCOUNTS, open_id, Method::Post, &format!("test/analytics/{hook}"), Some(&body)).await
        }
        (Method::Post, ["legacy-registry"]) => {
            let l: Legacy = req.json().await?;
            objects::expect_ok(objects::call(&env, REGISTRY, objects::registry::NAME, Method::Post, &l.kind, Some(&json!({ "id": l.id }))).await?)?;
            objects::expect_ok(objects::call::<()>(&env, SWEEP, sweep_state::NAME, Method::Post, "test/undrain", None).await?)?;
            Ok(Response::empty()?.with_status(204))
        }
        _ => crate::base::reply::not_found("test hook"),
    }
}
