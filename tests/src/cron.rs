//! The cron and its test hooks, as the suite and `cargo xtask bench sweep` drive them: fire a
//! run as the platform would, read its report from health, and play lost alarms and upgrades
//! through the Worker's `/api/test/*` routes (worker/src/api/test_hooks.rs).

use crate::{app_url, http};
use serde_json::Value;

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
