//! TikTok misbehaving while a post goes out: 5xx, 429, dropped connections, a call that never
//! answers, and the nasty `drop_after` (TikTok did the work, the answer is lost). Every post is
//! published exactly once with the right bytes. Each test's faults name its own account, so
//! the tests run at once (and beside every other binary) on one emulator; each checks that
//! every fault it counted was met.

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::posts::{caption, fault, faults_of, new_post, sha256_hex, tiktok_posts, unique_video};
use serde_json::{Value, json};
use std::time::Duration;

/// Post now under `faults` (each for the test's own account); the post must end published,
/// once, with its bytes, and every fault must have been met.
async fn publish_through(label: &str, faults: &[Value], video_len: usize) -> Vec<Value> {
    let account = new_account(label, "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&account).await.status, 200);
    let video = unique_video(video_len);
    let cap = caption(label);
    let created = s.post("/api/posts", new_post(&account, &cap, video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    for f in faults {
        fault(&account, f.clone()).await;
    }
    let staged = s.stage(&created.body, &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap();
    let post = s.wait_state(id, &["published", "failed"], Duration::from_secs(150)).await;
    assert_eq!(post["state"], "published", "{post}");
    let at_tiktok = tiktok_posts(&cap).await;
    let published: Vec<&Value> = at_tiktok.iter().filter(|p| p["published"] == true).collect();
    assert_eq!(published.len(), 1, "exactly one publish: {at_tiktok:?}");
    assert_eq!(published[0]["sha256"], sha256_hex(&video));
    assert_eq!(published[0]["publish_id"], post["publish_id"]);
    let left = faults_of(&account).await;
    assert!(left.is_empty(), "every fault was met on the way: {left:?}");
    at_tiktok
}

#[tokio::test]
async fn init_5xx_429_and_a_dropped_connection() {
    let faults = [
        json!({ "endpoint": "init", "kind": "status", "status": 503, "count": 1 }),
        json!({ "endpoint": "init", "kind": "rate_limit", "count": 1 }),
        json!({ "endpoint": "init", "kind": "drop", "count": 1 }),
    ];
    publish_through("initfaults", &faults, 1_000).await;
}

#[tokio::test]
async fn an_init_whose_answer_is_lost_leaves_an_orphan_never_a_second_post() {
    let all = publish_through("initlost", &[json!({ "endpoint": "init", "kind": "drop_after", "count": 1 })], 1_000).await;
    assert_eq!(all.len(), 2, "the lost init's publish_id got no bytes: {all:?}");
    assert!(all.iter().any(|p| p["bytes_received"] == 0 && p["published"] == false));
}

#[tokio::test]
async fn an_init_that_never_answers_is_given_up_and_tried_again() {
    // TikTok holds the init for 5 minutes, past this test's patience: only the Worker's own
    // deadline on a TikTok call (20 s) lets the post go out, once.
    let all = publish_through("inithangs", &[json!({ "endpoint": "init", "kind": "slow", "delay_ms": 300_000, "count": 1 })], 1_000).await;
    assert!(all.len() <= 2, "at most the held init's orphan besides the post: {all:?}");
}

#[tokio::test]
async fn chunk_5xx_and_drops() {
    let faults = [json!({ "endpoint": "upload", "kind": "status", "status": 500, "count": 1 }), json!({ "endpoint": "upload", "kind": "drop", "count": 1 })];
    publish_through("chunkfaults", &faults, 1_000).await;
}

#[tokio::test]
async fn the_final_chunk_accepted_but_its_answer_lost_is_not_sent_twice() {
    publish_through("finallost", &[json!({ "endpoint": "upload", "kind": "drop_after", "count": 1 })], 1_000).await;
}

#[tokio::test]
async fn the_final_of_two_chunks_lost_after_acceptance() {
    // 41 MB: chunk 0 (20 MB) then the last (21 MB); the first upload call is chunk 0, so the
    // fault hits it: drop_after on a middle chunk means TikTok has it, and says so with 416.
    let faults = [json!({ "endpoint": "upload", "kind": "drop_after", "count": 1 })];
    publish_through("twochunks", &faults, 41_000_000).await;
}

#[tokio::test]
async fn status_faults_while_processing() {
    // TikTok pushes "complete" about 500 ms after the last chunk, long before the first
    // fallback poll (15 s): with its two webhooks (complete, publicly_available) dropped, only
    // the Worker's status/fetch polls can end the post, and they meet every status fault.
    let faults = [
        json!({ "endpoint": "webhook", "kind": "drop", "count": 2 }),
        json!({ "endpoint": "status", "kind": "status", "status": 503, "count": 2 }),
        json!({ "endpoint": "status", "kind": "rate_limit", "count": 1 }),
        json!({ "endpoint": "status", "kind": "drop", "count": 1 }),
    ];
    publish_through("statusfaults", &faults, 1_000).await;
}
