//! `cargo xtask bench pipeline`: the post pipeline's figures, against the Worker (workerd,
//! with its bench-only bare-pipe routes) and the emulator that xtask started.
//!
//! - Leg A, browser → Worker → R2: staging a ~287 MB video through the posts API, against the
//!   same parts PUT through a bare route (`upload_part` straight from the request).
//! - Leg B, R2 → Worker → TikTok: from "staged" to TikTok accepting the last chunk, against a
//!   bare route that pipes the same object's chunks from R2 (init included in both), and a
//!   plain PUT of the chunks from this process to the emulator.
//! - workerd's memory after each of 5 rounds.
//! - Publish lateness of 20 scheduled posts.

use letspost_e2e::api::{Session, VERIFIER, mint_code_for, new_account};
use letspost_e2e::posts::{new_post, now_ms, tiktok_posts, unique_video};
use letspost_e2e::{app_url, emulator_url, http};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tiktok_rules::chunk::ChunkPlan;

const ROUNDS: usize = 5;
const SIZE: usize = 287_000_000;

/// A TikTok access token for `open_id`, straight from the emulator (for the bare legs).
async fn direct_token(open_id: &str) -> String {
    let redirect = format!("{}/oauth/callback", app_url());
    let code = mint_code_for(open_id, &redirect).await;
    let form = [
        ("client_key", "letspost-local"),
        ("client_secret", "letspost-local-secret"),
        ("code", code.as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", redirect.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let t: Value = http().post(format!("{}/v2/oauth/token/", emulator_url())).form(&form).send().await.unwrap().json().await.unwrap();
    t["access_token"].as_str().unwrap().to_string()
}

async fn direct_init(token: &str, size: u64, title: &str) -> String {
    let plan = ChunkPlan::for_size(size).unwrap();
    let body = json!({
        "post_info": { "title": title, "privacy_level": "SELF_ONLY" },
        "source_info": { "source": "FILE_UPLOAD", "video_size": plan.video_size, "chunk_size": plan.chunk_size, "total_chunk_count": plan.total_chunk_count },
    });
    let r: Value =
        http().post(format!("{}/v2/post/publish/video/init/", emulator_url())).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
    r["data"]["upload_url"].as_str().unwrap_or_else(|| panic!("init: {r}")).to_string()
}

fn workerd_memory() -> (u64, u64) {
    let port = app_url().rsplit(':').next().unwrap().to_string();
    let out = std::process::Command::new("pgrep").args(["-f", &format!("entry=127.0.0.1:{port}")]).output().unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_string();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |k: &str| status.lines().find(|l| l.starts_with(k)).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()).unwrap_or(0);
    (kb("VmRSS:") / 1024, kb("VmHWM:") / 1024)
}

async fn wait_completed(caption: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Some(p) = tiktok_posts(caption).await.into_iter().find(|p| p["completed_at_ms"].is_u64()) {
            return p["completed_at_ms"].as_u64().unwrap();
        }
        assert!(Instant::now() < deadline, "{caption} never completed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn mb_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

#[tokio::main]
async fn main() {
    let who = new_account("bench", "creator").await;
    let bare_who = new_account("benchbare", "creator").await;
    let plain_who = new_account("benchplain", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&who).await.status, 200);
    let (bare_token, plain_token) = (direct_token(&bare_who).await, direct_token(&plain_who).await);
    println!("round | A letspost s | A bare s | A ratio | B letspost s | B bare s | B ratio | plain PUT s | workerd RSS MB | VmHWM MB");
    let mut rss = Vec::new();
    for round in 1..=ROUNDS {
        let video = unique_video(SIZE - 9_618);
        let cap = format!("bench {round} {}", now_ms());
        // Leg A through LetsPost, and leg B measured from the 201 to TikTok's completion.
        let mut body = new_post(&who, &cap, video.len());
        body["privacy_level"] = json!("SELF_ONLY");
        let t = Instant::now();
        let (_, staged) = s.post_video(body, &video).await;
        let a_lp = t.elapsed().as_secs_f64();
        assert_eq!(staged.status, 201, "{}", staged.body);
        let staged_at = now_ms();
        let b_lp = (wait_completed(&cap).await - staged_at) as f64 / 1000.0;
        // Leg A bare.
        let key = format!("round-{round}-{}", now_ms());
        let up: Value = http().post(format!("{}/api/bench/multipart/{key}", app_url())).send().await.unwrap().json().await.unwrap();
        let upload_id = up["upload_id"].as_str().unwrap().to_string();
        let t = Instant::now();
        let mut parts = Vec::new();
        for (i, chunk) in video.chunks(20_000_000).enumerate() {
            let r: Value = http()
                .put(format!("{}/api/bench/multipart/{key}/{upload_id}/{}", app_url(), i + 1))
                .body(chunk.to_vec())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            parts.push(json!([i + 1, r["etag"]]));
        }
        let done: Value = http().post(format!("{}/api/bench/multipart/{key}/{upload_id}", app_url())).json(&parts).send().await.unwrap().json().await.unwrap();
        let a_bare = t.elapsed().as_secs_f64();
        assert_eq!(done["size"], video.len());
        // Leg B bare: init + the same chunks from R2 through the Worker.
        let t = Instant::now();
        let url = direct_init(&bare_token, video.len() as u64, &format!("bare {round}")).await;
        let pushed = http()
            .post(format!("{}/api/bench/push", app_url()))
            .json(&json!({ "key": format!("bench/{key}"), "upload_url": url, "content_type": "video/mp4" }))
            .send()
            .await
            .unwrap();
        assert_eq!(pushed.status(), 200, "{}", pushed.text().await.unwrap());
        let b_bare = t.elapsed().as_secs_f64();
        // A plain PUT of the chunks from here.
        let plan = ChunkPlan::for_size(video.len() as u64).unwrap();
        let t = Instant::now();
        let url = direct_init(&plain_token, video.len() as u64, &format!("plain {round}")).await;
        for i in 0..plan.total_chunk_count {
            let (first, last) = plan.chunk_range(i);
            let r = http()
                .put(&url)
                .header("Content-Type", "video/mp4")
                .header("Content-Range", plan.content_range(i))
                .body(video[first as usize..=last as usize].to_vec())
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "plain chunk {i}: {}", r.status());
        }
        let plain = t.elapsed().as_secs_f64();
        let (now_rss, hwm) = workerd_memory();
        rss.push(now_rss);
        println!(
            "{round} | {a_lp:.2} ({:.0} MB/s) | {a_bare:.2} | {:.2} | {b_lp:.2} ({:.0} MB/s) | {b_bare:.2} | {:.2} | {plain:.2} | {now_rss} | {hwm}",
            mb_s(video.len(), a_lp),
            a_bare / a_lp,
            mb_s(video.len(), b_lp),
            b_bare / b_lp,
        );
    }
    if rss.len() >= 5 {
        println!("workerd RSS growth from the 2nd to the 5th round: {} MB", rss[4] as i64 - rss[1] as i64);
    }

    // Publish lateness: 20 posts across 4 accounts (TikTok allows 6 inits a minute a token).
    let mut posts = Vec::new();
    let mut sessions = Vec::new();
    for a in 0..4 {
        let acc = new_account(&format!("late{a}"), "creator").await;
        let s = Session::new();
        assert_eq!(s.connect(&acc).await.status, 200);
        sessions.push((s, acc));
    }
    let start = now_ms() + 45_000;
    for i in 0..20u64 {
        let (s, acc) = &sessions[(i % 4) as usize];
        let video = unique_video(2_000);
        let cap = format!("late {i} {}", now_ms());
        let at = start + i * 1_000;
        let mut body = new_post(acc, &cap, video.len());
        body["privacy_level"] = json!("SELF_ONLY");
        body["publish_at"] = json!(letspost_core::time_fmt::rfc3339_utc(at));
        let (_, staged) = s.post_video(body, &video).await;
        assert_eq!(staged.status, 201, "{}", staged.body);
        posts.push((cap, at / 1000 * 1000));
    }
    let mut late: Vec<i64> = Vec::new();
    for (cap, at) in &posts {
        late.push(wait_completed(cap).await as i64 - *at as i64);
    }
    late.sort();
    let pct = |p: f64| late[((late.len() as f64 * p).ceil() as usize).clamp(1, late.len()) - 1];
    println!(
        "publish lateness over {} scheduled posts (last chunk accepted − publish_at): p50 {} ms, p99 {} ms, max {} ms, earliest {} ms",
        late.len(),
        pct(0.5),
        pct(0.99),
        late[late.len() - 1],
        late[0]
    );
}
