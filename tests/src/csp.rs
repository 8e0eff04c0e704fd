//! The pages' Content-Security-Policy, seen from the browsers: every engine sends its
//! violation reports to the Worker's `report-uri`, which keeps them under `TEST_HOOKS`
//! (`GET /api/test/csp-reports`). A guard image from a host the policy doesn't allow proves,
//! in each engine, that a violation does arrive; any other report fails.

use crate::{Engine, app_url, http, wait_text};
use fantoccini::Client;
use serde_json::Value;
use std::time::Duration;

/// The host of the guard's image: `.invalid` never resolves, and the policy blocks it before
/// the browser would try.
pub const GUARD_HOST: &str = "https://csp-guard.invalid";

/// Every violation reported so far, by every page of every test.
pub async fn reports() -> Vec<Value> {
    let r = http().get(format!("{}/api/test/csp-reports", app_url())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Reports that are not a guard's: each is a page breaking its own policy.
pub fn real(reports: &[Value]) -> Vec<&Value> {
    reports.iter().filter(|r| !r["blocked"].as_str().unwrap_or_default().starts_with(GUARD_HOST)).collect()
}

/// No page has broken the policy (after `settle`: browsers send reports shortly after).
pub async fn assert_no_violation(settle: Duration, what: &str) {
    tokio::time::sleep(settle).await;
    let all = reports().await;
    let real = real(&all);
    assert!(real.is_empty(), "CSP violations ({what}): {real:#?}");
}

/// Load an image the policy forbids, and wait for this engine's report of it.
pub async fn guard(c: &Client, engine: Engine) {
    let src = format!("{GUARD_HOST}/{engine:?}-{}.png", std::process::id());
    let js = "const i = new Image(); i.alt = ''; i.src = arguments[0]; document.body.appendChild(i);";
    c.execute(js, vec![Value::String(src.clone())]).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    while !reports().await.iter().any(|r| r["blocked"] == src.as_str()) {
        assert!(tokio::time::Instant::now() < deadline, "{engine:?} sent no report for {src}: is the policy in force?");
        poll.pause().await;
    }
}

/// Open `path` and wait until the app has rendered it.
pub async fn open(c: &Client, path: &str, ready_css: &str) {
    c.goto(&format!("{}{path}", app_url())).await.unwrap();
    wait_text(c, ready_css, |t| !t.is_empty()).await;
}
