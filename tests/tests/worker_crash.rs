//! workerd killed with SIGKILL in the middle of an upload to TikTok, restarted on the same
//! state: the post's alarm resumes from what it persisted, and TikTok publishes it once, with
//! the right bytes.

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::own_worker::OwnWorker;
use letspost_e2e::posts::{caption, clear_faults, fault, new_post, sha256_hex, tiktok_posts, unique_video};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn kill_9_mid_upload_then_restart_publishes_exactly_once() {
    let mut worker = OwnWorker::start("crash").await;
    let account = new_account("crash", "creator").await;
    let s = Session::at(&worker.url());
    assert_eq!(s.connect(&account).await.status, 200);
    let video = unique_video(41_000_000);
    let cap = caption("crash");
    let created = s.post("/api/posts", new_post(&account, &cap, video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // The first chunk to TikTok is slow, so the crash lands in the middle of it.
    fault(&account, json!({ "endpoint": "upload", "kind": "slow", "delay_ms": 4000, "count": 1 })).await;
    assert_eq!(s.stage(&created.body, &video).await.status, 201);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tiktok_posts(&cap).await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "init never reached TikTok");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let before = tiktok_posts(&cap).await;
    assert!(before.iter().all(|p| p["published"] == false), "the crash comes before the last chunk: {before:?}");
    worker.kill9();
    // Should the slow chunk not have begun yet, the restarted Worker's first one goes at speed.
    clear_faults(&account).await;
    worker.restart().await;
    // workerd fires the alarm that fell due while it was down (measured; DEVELOPERS.md). The
    // cron runs too, as the platform would; it steps in only for what is overdue by more than
    // its margin (a lost alarm: tests/worker_cron.rs).
    letspost_e2e::cron::fire_cron_at(&worker.url()).await;
    let id = created.body["post"]["id"].as_str().unwrap();
    let post = s.wait_state(id, &["published", "failed"], Duration::from_secs(120)).await;
    assert_eq!(post["state"], "published", "{post}");
    let after = tiktok_posts(&cap).await;
    let published: Vec<_> = after.iter().filter(|p| p["published"] == true).collect();
    assert_eq!(published.len(), 1, "{after:?}");
    assert_eq!(published[0]["sha256"], sha256_hex(&video));
}
