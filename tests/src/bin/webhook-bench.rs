//! `cargo xtask bench pipeline`, its webhook half: the same 20 posts now, once with polling
//! alone (`LETSPOST_WEBHOOKS=off`: the Worker with `TIKTOK_WEBHOOKS` off, the emulator
//! sending none) and once with webhooks on. Prints the status/fetch calls TikTok answered and
//! how long after TikTok's completion each post was seen `published` (and with its link),
//! watching `GET /api/posts` every 100 ms. The "on" run compares with the "off" run's figures
//! (`target/webhook-bench-off.json`).

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::posts::{caption, new_post, now_ms, tiktok_posts, unique_video};
use letspost_e2e::soak::report::percentiles;
use letspost_e2e::{emulator_url, http};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const POSTS: usize = 20;
/// Posts per account: TikTok allows 6 inits a minute per token.
const PER_ACCOUNT: usize = 4;
/// The emulator's `--moderation-ms` in the bench.
const MODERATION_MS: u64 = 300;

async fn status_calls() -> u64 {
    let calls: Value = http().get(format!("{}/__emulator/calls", emulator_url())).send().await.unwrap().json().await.unwrap();
    calls["status"].as_u64().unwrap_or(0)
}

fn figures(xs: &mut [u64]) -> String {
    match percentiles(xs) {
        Some((p50, p99, max)) => format!("p50 {p50} ms, p99 {p99} ms, max {max} ms"),
        None => "none".into(),
    }
}

#[tokio::main]
async fn main() {
    let mode = std::env::var("LETSPOST_WEBHOOKS").unwrap_or_else(|_| "on".into());
    let s = Session::new();
    let mut accounts = Vec::new();
    for i in 0..POSTS.div_ceil(PER_ACCOUNT) {
        let a = new_account(&format!("hookbench{i}"), "creator").await;
        assert_eq!(s.connect(&a).await.status, 200);
        accounts.push(a);
    }
    let before = status_calls().await;
    // id → caption
    let mut made = HashMap::new();
    for i in 0..POSTS {
        let video = unique_video(500 + i);
        let cap = caption(&format!("hookbench {mode} {i}"));
        let mut body = new_post(&accounts[i / PER_ACCOUNT], &cap, video.len());
        body["privacy_level"] = json!("PUBLIC_TO_EVERYONE");
        let (created, staged) = s.post_video(body, &video).await;
        assert_eq!(staged.status, 201, "{}", staged.body);
        made.insert(created.body["post"]["id"].as_str().unwrap().to_string(), cap);
    }
    // First seen published, and with its link.
    let (mut published, mut linked): (HashMap<String, u64>, HashMap<String, u64>) = (HashMap::new(), HashMap::new());
    let deadline = Instant::now() + Duration::from_secs(300);
    while linked.len() < made.len() {
        assert!(Instant::now() < deadline, "{} of {} posts linked after 5 minutes", linked.len(), made.len());
        let list = s.get("/api/posts").await.body;
        let now = now_ms();
        for p in list["posts"].as_array().into_iter().flatten() {
            let id = p["id"].as_str().unwrap_or_default().to_string();
            if !made.contains_key(&id) || p["state"] != "published" {
                continue;
            }
            published.entry(id.clone()).or_insert(now);
            if p["post_url"].is_string() {
                linked.entry(id).or_insert(now);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let calls = status_calls().await - before;
    let (mut to_published, mut to_link) = (Vec::new(), Vec::new());
    for (id, cap) in &made {
        let at_tiktok = tiktok_posts(cap).await;
        assert_eq!(at_tiktok.len(), 1, "{cap}: published exactly once");
        let done = at_tiktok[0]["final_at_ms"].as_u64().expect("TikTok's completion time");
        to_published.push(published[id].saturating_sub(done));
        to_link.push(linked[id].saturating_sub(done + MODERATION_MS));
    }
    println!("webhooks {mode}: {POSTS} public posts now, {calls} status/fetch calls ({:.1} a post)", calls as f64 / POSTS as f64);
    println!("  TikTok complete → LetsPost published: {}", figures(&mut to_published));
    println!("  TikTok public   → LetsPost has the link: {}", figures(&mut to_link));
    let target = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target");
    let this = json!({ "calls": calls, "published_p50_ms": percentiles(&mut to_published).map(|p| p.0) });
    std::fs::write(target.join(format!("webhook-bench-{mode}.json")), this.to_string()).unwrap();
    if mode == "on"
        && let Some(off) = std::fs::read(target.join("webhook-bench-off.json")).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
        let off_calls = off["calls"].as_u64().unwrap_or(0);
        let ratio = off_calls as f64 / calls.max(1) as f64;
        println!("  status/fetch: {off_calls} polling alone → {calls} with webhooks ({ratio:.1}× fewer{})", if calls == 0 { ", none at all" } else { "" });
    }
}
