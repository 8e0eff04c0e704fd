//! `cargo xtask bench history`: what the queue costs against the length of a creator's history
//! (issue 35). In workerd (wrangler dev) against the emulator: one connected account whose
//! index holds N = 100, 1,000 and 10,000 posts (lightweight rows written by the bench route
//! `/api/bench/history`, three posts a day going back from now, so a month holds as many at
//! every N), then, at each N, the latency and the Durable Object calls (the test build's
//! `X-LetsPost-Object-Calls`) of `GET /api/posts?limit=50`, the last month's window and a draft
//! create's pending-drafts check (`/api/bench/drafts-check`). Prints one table; asserts nothing.

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::posts::now_ms;
use serde_json::json;
use std::time::Instant;

const SIZES: [u32; 3] = [100, 1_000, 10_000];
/// Rows one bench call writes.
const BATCH: u32 = 1_000;
/// Three posts a day.
const STEP_MS: u64 = 8 * 3_600_000;
const ROUNDS: usize = 40;

fn rank(xs: &mut [f64], p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1]
}

/// Median and p95 latency (ms) of `ROUNDS` requests, the object calls of each (all equal, or a
/// range), and the posts the last one answered.
async fn measure(s: &Session, path: &str) -> (f64, f64, String, usize) {
    let _warm = s.get(path).await;
    let (mut ms, mut calls, mut answered) = (Vec::new(), Vec::new(), 0);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let a = s.get(path).await;
        ms.push(t.elapsed().as_secs_f64() * 1_000.0);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        calls.push(a.headers.get("X-LetsPost-Object-Calls").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0));
        answered = a.body["posts"].as_array().map_or_else(|| a.body["pending"].as_u64().unwrap_or(0) as usize, Vec::len);
    }
    let (lo, hi) = (calls.iter().min().copied().unwrap_or(0), calls.iter().max().copied().unwrap_or(0));
    let calls = if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") };
    (rank(&mut ms.clone(), 0.5), rank(&mut ms, 0.95), calls, answered)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let account = new_account("historybench", "creator").await;
    let s = Session::new().unrecorded();
    assert_eq!(s.connect(&account).await.status, 200);
    let newest_ms = now_ms() - 3_600_000;
    let month = format!(
        "/api/posts?from={}&to={}",
        letspost_core::time_fmt::rfc3339_utc(newest_ms - 30 * 86_400_000),
        letspost_core::time_fmt::rfc3339_utc(newest_ms + 86_400_000)
    );
    let drafts = format!("/api/bench/drafts-check/{account}");
    let mut filled = 0;
    let mut rows = Vec::new();
    for n in SIZES {
        eprintln!("filling the index up to {n} posts…");
        while filled < n {
            let count = (n - filled).min(BATCH);
            let fill = json!({ "account": account, "first": filled, "count": count, "newest_ms": newest_ms, "step_ms": STEP_MS });
            let a = s.post("/api/bench/history", fill).await;
            assert!(a.status < 300, "fill: {} {}", a.status, a.body);
            filled += count;
        }
        for (what, path) in
            [("GET /api/posts?limit=50", "/api/posts?limit=50".to_string()), ("a month's window", month.clone()), ("drafts check", drafts.clone())]
        {
            let (p50, p95, calls, answered) = measure(&s, &path).await;
            rows.push((n, what, p50, p95, calls, answered));
        }
    }
    println!("\nthe queue against history: one account, three posts a day; {ROUNDS} requests each, after one to warm up");
    println!("| posts in the index | request | median ms | p95 ms | object calls | posts answered |");
    println!("|---|---|---|---|---|---|");
    for (n, what, p50, p95, calls, answered) in &rows {
        println!("| {n} | {what} | {p50:.1} | {p95:.1} | {calls} | {answered} |");
    }
    for what in ["GET /api/posts?limit=50", "a month's window", "drafts check"] {
        let at = |n: u32| rows.iter().find(|r| r.0 == n && r.1 == what).map(|r| r.2).unwrap_or(f64::NAN);
        println!("{what}: median at 10,000 / at 100 = {:.2}", at(10_000) / at(100));
    }
}
