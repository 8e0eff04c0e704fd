//! The cron and the Worker's test hooks, as the suite and `cargo xtask bench sweep` drive them:
//! fire a run as the platform would, read its report from health, and play lost alarms and
//! upgrades through the Worker's `/api/test/*` routes (worker/src/api/test_hooks.rs); the
//! Worker's own clocks as this run set them (`timing`), and whether an armed fault fired.
//!
//! Only `tests/worker_cron.rs` fires the shared Worker's cron, one test at a time: a run re-arms
//! whatever it finds overdue, which another test may be looking at.

use crate::{app_url, http};
use serde_json::Value;
use std::sync::OnceLock;

/// One cron run, as Cloudflare's trigger fires it (wrangler dev's local endpoint).
pub async fn fire_cron_at(base: &str) {
    let r = http().get(format!("{base}/cdn-cgi/local/scheduled?cron=*+*+*+*+*")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

pub async fn fire_cron() {
    fire_cron_at(&app_url()).await;
}

/// `POST /api/test/{path}`; the answer's JSON (null when empty).
pub async fn test_hook(path: &str, body: Value) -> Value {
    let r = http().post(format!("{}/api/test/{path}", app_url())).header("Origin", app_url()).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// `GET /api/test/{path}`; the answer's JSON.
pub async fn test_get(path: &str) -> Value {
    let r = http().get(format!("{}/api/test/{path}", app_url())).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// When the post's alarm is set for, if it is.
pub async fn alarm_of(id: &str) -> Option<u64> {
    let v: Value = http().get(format!("{}/api/test/posts/{id}/alarm", app_url())).send().await.unwrap().json().await.unwrap();
    v["alarm_ms"].as_f64().map(|t| t as u64)
}

/// `GET /api/health`'s `sweep`: the last cron run's report.
pub async fn sweep_report() -> Value {
    let v: Value = http().get(format!("{}/api/health", app_url())).send().await.unwrap().json().await.unwrap();
    v["sweep"].clone()
}

/// The Worker's clocks in this run (`GET /api/test/timing`; the vars `cargo xtask test` passes).
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// `UPLOAD_LEAD_MARGIN_SECS`: a scheduled post's upload starts this long before its time
    /// (plus what is sent ahead; nothing for a one-chunk video).
    pub upload_lead_margin_ms: u64,
    /// `QUEUE_LEAD_SECS`: "Add to queue" takes the first slot at least this far ahead.
    pub queue_lead_ms: u64,
    /// `MEDIA_RETENTION_SECS`: a finished post's video is deleted this long after.
    pub media_retention_ms: u64,
}

impl Timing {
    /// Whole seconds of upload lead, rounded up (for `posts::in_secs`).
    pub fn lead_secs(&self) -> i64 {
        self.upload_lead_margin_ms.div_ceil(1_000) as i64
    }
}

pub async fn timing() -> Timing {
    static TIMING: OnceLock<Timing> = OnceLock::new();
    if let Some(t) = TIMING.get() {
        return *t;
    }
    let r = http().get(format!("{}/api/test/timing", app_url())).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET /api/test/timing (is the Worker's TEST_HOOKS on?)");
    let v: Value = r.json().await.unwrap();
    let ms = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("timing lacks {k}: {v}"));
    *TIMING.get_or_init(|| Timing {
        upload_lead_margin_ms: ms("upload_lead_margin_ms"),
        queue_lead_ms: ms("queue_lead_ms"),
        media_retention_ms: ms("media_retention_ms"),
    })
}

/// The Worker's fault `hook` (armed with `posts::arm_worker_fault`) went off for `caption`, and
/// is no longer armed: the test saw the fault it meant, not a request that went through.
pub async fn assert_fault_fired(hook: &str, caption: &str) {
    let v: Value = http().get(format!("{}/api/test/armed", app_url())).send().await.unwrap().json().await.unwrap();
    let has = |list: &str| v[list][hook].as_array().unwrap_or_else(|| panic!("no {list}.{hook} in {v}")).iter().any(|c| c == caption);
    assert!(has("fired") && !has("armed"), "{hook} did not fire for {caption:?}: {v}");
}
