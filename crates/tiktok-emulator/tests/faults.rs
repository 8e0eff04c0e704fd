//! Injected faults, and state that survives a restart.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_5xx_for_the_next_call_then_normal_service() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.http.post(e.url("/__emulator/faults")).json(&json!({"endpoint": "creator_info", "kind": "status", "status": 503, "count": 1})).send().await.unwrap();
    let (s, b) = e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (503, Some("internal_error")));
    assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
}

#[tokio::test]
async fn rate_limit_and_slow_faults() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.hook("/faults", json!({"endpoint": "status", "kind": "rate_limit", "count": 1})).await;
    let (s, b) = e.status(&t, "whatever").await;
    assert_eq!((s, b["error"]["code"].as_str()), (429, Some("rate_limit_exceeded")));
    e.hook("/faults", json!({"endpoint": "creator_info", "kind": "slow", "delay_ms": 300, "count": 1})).await;
    let started = std::time::Instant::now();
    assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_and_drop_after_still_does_the_work() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.hook("/faults", json!({"endpoint": "init", "kind": "drop", "count": 1})).await;
    let body = json!({"post_info": {"title": "a", "privacy_level": "SELF_ONLY"},
                      "source_info": {"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1}});
    let sent = e.http.post(e.url("/v2/post/publish/video/init/")).bearer_auth(&t).json(&body).send().await;
    assert!(sent.is_err(), "expected a transport error, got {:?}", sent.map(|r| r.status()));
    let posts = e.http.get(e.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(posts.as_array().unwrap().len(), 0, "drop: nothing was done");

    e.hook("/faults", json!({"endpoint": "init", "kind": "drop_after", "count": 1})).await;
    let sent = e.http.post(e.url("/v2/post/publish/video/init/")).bearer_auth(&t).json(&body).send().await;
    assert!(sent.is_err());
    let posts = e.http.get(e.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(posts.as_array().unwrap().len(), 1, "drop_after: the init happened, the answer was lost");
}

#[tokio::test]
async fn unknown_fault_endpoints_are_refused() {
    let e = start(|_| {}).await;
    let r = e.http.post(e.url("/__emulator/faults")).json(&json!({"endpoint": "nope", "kind": "drop"})).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn hooks_are_absent_unless_enabled() {
    let e = start(|c| c.test_hooks = false).await;
    let r = e.http.get(e.url("/__emulator/posts")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_state_dir_keeps_tokens_and_half_done_uploads_across_restarts() {
    let dir = std::env::temp_dir().join(format!("emu-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let e = start(|c| c.state_dir = Some(dir.clone())).await;
    let t = e.token("open-ana").await;
    let (_, b) = e.init(&t, "x", "SELF_ONLY", 12_000_000, 6_000_000, 2).await;
    let url = b["data"]["upload_url"].as_str().unwrap().to_string();
    assert_eq!(e.put(&url, (0, 5_999_999, 12_000_000), vec![7; 6_000_000]).await.status(), 206);

    // A second emulator on the same folder: the token and the first chunk are still there.
    let e2 = start(|c| c.state_dir = Some(dir.clone())).await;
    let url2 = url.replace(&e.base, &e2.base);
    assert_eq!(e2.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
    assert_eq!(e2.put(&url2, (6_000_000, 11_999_999, 12_000_000), vec![7; 6_000_000]).await.status(), 201);
    let posts = e2.http.get(e2.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(vec![7u8; 12_000_000]).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(posts[0]["sha256"], sha, "hash resumed from the bytes on disk");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn probability_zero_never_fires_and_one_always_does() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.hook("/faults", json!({"endpoint": "creator_info", "kind": "status", "status": 500, "probability": 0.0})).await;
    for _ in 0..5 {
        assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
    }
    e.http.delete(e.url("/__emulator/faults")).send().await.unwrap();
    e.hook("/faults", json!({"endpoint": "*", "kind": "status", "status": 502, "probability": 1.0})).await;
    for _ in 0..3 {
        assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 502);
    }
}
