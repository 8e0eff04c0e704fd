//! Content Posting: creator info, init rules and limits, chunked upload, status, fail reasons.

mod common;
use common::*;
use serde_json::json;

const CREATOR_INFO: &str = "/v2/post/publish/creator_info/query/";

#[tokio::test]
async fn creator_info_reflects_the_account() {
    let e = start(|_| {}).await;
    let t = e.token("open-pat").await;
    let (s, b) = e.api(&t, CREATOR_INFO, json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(b["error"]["code"], "ok");
    let d = &b["data"];
    assert_eq!(d["creator_nickname"], "Pat (private)");
    assert_eq!(d["privacy_level_options"], json!(["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]));
    assert_eq!(d["duet_disabled"], true);
    assert_eq!(d["max_video_post_duration_sec"], 600);
    let t = e.token("open-carl").await;
    let (s, b) = e.api(&t, CREATOR_INFO, json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("reached_active_user_cap")));
    let t = e.token("open-brand").await;
    let (s, b) = e.api(&t, CREATOR_INFO, json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("unsupported_account_type")), "business accounts can't direct-post");
}

#[tokio::test]
async fn tiktoks_chunk_example_uploads_in_five_chunks_and_is_checked() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    let (s, b) = e.init(&t, "#example", "PUBLIC_TO_EVERYONE", 50_000_123, 10_000_000, 5).await;
    assert_eq!(s, 200, "{b}");
    let url = b["data"]["upload_url"].as_str().unwrap().to_string();
    let publish_id = b["data"]["publish_id"].as_str().unwrap().to_string();
    let total = 50_000_123u64;
    for i in 0..5u64 {
        let first = i * 10_000_000;
        let last = if i == 4 { total - 1 } else { first + 9_999_999 };
        let r = e.put(&url, (first, last, total), vec![i as u8; (last - first + 1) as usize]).await;
        let want = if i == 4 { 201 } else { 206 };
        assert_eq!(r.status().as_u16(), want, "chunk {i}");
        assert_eq!(r.headers()["content-range"], format!("bytes 0-{last}/{total}"));
        if i == 1 {
            let (_, st) = e.status(&t, &publish_id).await;
            assert_eq!(st["data"]["status"], "PROCESSING_UPLOAD");
            assert_eq!(st["data"]["uploaded_bytes"], 20_000_000);
        }
    }
    // Not a video: TikTok's check after upload fails it.
    let st = e.final_status(&t, &publish_id).await;
    assert_eq!((st["status"].as_str(), st["fail_reason"].as_str()), (Some("FAILED"), Some("file_format_check_failed")));
    let posts = e.http.get(e.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(posts[0]["bytes_received"], total);
    assert_eq!(posts[0]["sha256"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn chunk_plan_errors_are_invalid_param() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    for (size, chunk, count) in [(50_000_123, 10_000_000, 6), (4_000_000, 2_000_000, 2), (200_000_000, 68_000_000, 2), (0, 0, 0)] {
        let (s, b) = e.init(&t, "", "PUBLIC_TO_EVERYONE", size, chunk, count).await;
        assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_param")), "{size}/{chunk}/{count}");
        // refused inits count toward the rate limit: keep under it
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn the_seventh_init_in_a_minute_is_429() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    for i in 0..6 {
        let (s, b) = e.init(&t, "x", "SELF_ONLY", 1_000, 1_000, 1).await;
        assert_eq!(s, 200, "init {i}: {b}");
    }
    let (s, b) = e.init(&t, "x", "SELF_ONLY", 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (429, Some("rate_limit_exceeded")));
    // Per token: another token of the same creator is not limited.
    let t2 = e.token("open-ana").await;
    assert_eq!(e.init(&t2, "x", "SELF_ONLY", 1_000, 1_000, 1).await.0, 200);
}

#[tokio::test]
async fn post_info_rules() {
    let e = start(|_| {}).await;
    let pat = e.token("open-pat").await;
    let (s, b) = e.init(&pat, "x", "PUBLIC_TO_EVERYONE", 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("privacy_level_option_mismatch")));
    let (s, b) = e.init(&pat, &"😀".repeat(1_101), "SELF_ONLY", 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_param")), "2,202 UTF-16 units");
    assert_eq!(e.init(&pat, &"😀".repeat(1_100), "SELF_ONLY", 1_000, 1_000, 1).await.0, 200);
    let brand = e.token("open-brand").await;
    let (s, b) = e.init(&brand, "x", "PUBLIC_TO_EVERYONE", 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("unsupported_account_type")));
    let body = json!({
        "post_info": { "title": "ad", "privacy_level": "SELF_ONLY", "brand_content_toggle": true },
        "source_info": { "source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1 },
    });
    let (s, b) = e.api(&pat, "/v2/post/publish/video/init/", body).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_param")), "branded content can't be private");
}

#[tokio::test]
async fn unaudited_clients_post_only_privately_to_private_accounts() {
    let e = start(|c| c.unaudited = true).await;
    let ana = e.token("open-ana").await;
    let (s, b) = e.init(&ana, "x", "SELF_ONLY", 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("unaudited_client_can_only_post_to_private_accounts")));
    let pat = e.token("open-pat").await;
    let (_, b) = e.init(&pat, "x", "FOLLOWER_OF_CREATOR", 1_000, 1_000, 1).await;
    assert_eq!(b["error"]["code"], "unaudited_client_can_only_post_to_private_accounts");
    assert_eq!(e.init(&pat, "x", "SELF_ONLY", 1_000, 1_000, 1).await.0, 200);
}

#[tokio::test]
async fn daily_cap_is_spam_risk_too_many_posts() {
    let e = start(|c| c.daily_cap = 2).await;
    let t = e.token("open-ana").await;
    assert_eq!(e.init(&t, "1", "SELF_ONLY", 1_000, 1_000, 1).await.0, 200);
    assert_eq!(e.init(&t, "2", "SELF_ONLY", 1_000, 1_000, 1).await.0, 200);
    let (s, b) = e.init(&t, "3", "SELF_ONLY", 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("spam_risk_too_many_posts")));
}

#[tokio::test]
async fn upload_protocol_errors() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    let (_, b) = e.init(&t, "x", "SELF_ONLY", 12_000_000, 6_000_000, 2).await;
    let url = b["data"]["upload_url"].as_str().unwrap().to_string();
    let total = 12_000_000;
    // Out of order: the second chunk first.
    let r = e.put(&url, (6_000_000, 11_999_999, total), vec![0; 6_000_000]).await;
    assert_eq!(r.status(), 416);
    assert_eq!(r.headers()["content-range"], "bytes */12000000");
    // Bad headers.
    let r = e.http.put(&url).header("content-type", "video/mp4").body(vec![0u8; 10]).send().await.unwrap();
    assert_eq!(r.status(), 400, "no Content-Range");
    let r = e
        .http
        .put(&url)
        .header("content-type", "image/png")
        .header("content-range", "bytes 0-5999999/12000000")
        .body(vec![0u8; 6_000_000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "wrong Content-Type");
    let r = e.put(&url, (0, 5_999_999, 99), vec![0; 6_000_000]).await;
    assert_eq!(r.status(), 400, "TOTAL is not video_size");
    let r = e.put(&url, (0, 4_999_999, total), vec![0; 5_000_000]).await;
    assert_eq!(r.status(), 400, "not a chunk of the plan");
    // In order works; the same chunk again is 416 with what was received.
    assert_eq!(e.put(&url, (0, 5_999_999, total), vec![1; 6_000_000]).await.status(), 206);
    let r = e.put(&url, (0, 5_999_999, total), vec![1; 6_000_000]).await;
    assert_eq!(r.status(), 416);
    assert_eq!(r.headers()["content-range"], "bytes 0-5999999/12000000");
    // Unknown and expired upload URLs.
    let unknown = url.replace("upload_id=up", "upload_id=nope");
    assert_eq!(e.put(&unknown, (0, 5_999_999, total), vec![0; 6_000_000]).await.status(), 404);
    let upload_id = url.split("upload_id=").nth(1).unwrap().split('&').next().unwrap();
    e.hook("/expire", json!({ "token": upload_id })).await;
    assert_eq!(e.put(&url, (6_000_000, 11_999_999, total), vec![0; 6_000_000]).await.status(), 403);
}

/// Upload a fixture whole (all fixtures are under 5 MB) and return the final status data.
async fn publish_fixture(e: &Emu, token: &str, name: &str, privacy: &str) -> serde_json::Value {
    let bytes = Emu::fixture(name);
    let n = bytes.len() as u64;
    let (s, b) = e.init(token, name, privacy, n, n, 1).await;
    assert_eq!(s, 200, "{b}");
    let url = b["data"]["upload_url"].as_str().unwrap();
    assert_eq!(e.put(url, (0, n - 1, n), bytes).await.status(), 201);
    e.final_status(token, b["data"]["publish_id"].as_str().unwrap()).await
}

#[tokio::test]
async fn a_good_public_video_is_published_with_a_post_id_after_moderation() {
    let e = start(|c| c.moderation_ms = 300).await;
    let t = e.token("open-ana").await;
    let bytes = Emu::fixture("vertical_15s_faststart.mp4");
    let n = bytes.len() as u64;
    let (_, b) = e.init(&t, "hello", "PUBLIC_TO_EVERYONE", n, n, 1).await;
    let publish_id = b["data"]["publish_id"].as_str().unwrap().to_string();
    e.put(b["data"]["upload_url"].as_str().unwrap(), (0, n - 1, n), bytes.clone()).await;
    let done = e.final_status(&t, &publish_id).await;
    assert_eq!(done["status"], "PUBLISH_COMPLETE");
    let mut post_id = done["publicaly_available_post_id"].clone();
    for _ in 0..20 {
        if post_id.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        post_id = e.status(&t, &publish_id).await.1["data"]["publicaly_available_post_id"].clone();
    }
    assert_eq!(post_id.as_array().unwrap().len(), 1);
    let posts = e.http.get(e.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(posts[0]["sha256"], sha);
    assert_eq!(posts[0]["caption"], "hello");
    assert_eq!(posts[0]["published"], true);
    // Private posts get no public id.
    let private = publish_fixture(&e, &t, "vertical_15s_faststart.mp4", "SELF_ONLY").await;
    assert_eq!(private["status"], "PUBLISH_COMPLETE");
    assert_eq!(private["publicaly_available_post_id"], json!([]));
}

#[tokio::test]
async fn each_fail_reason_from_the_shared_probe() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    for (file, reason) in
        [("fps_120.mp4", "frame_rate_check_failed"), ("too_small_picture.mp4", "picture_size_check_failed"), ("image.png", "file_format_check_failed")]
    {
        let st = publish_fixture(&e, &t, file, "SELF_ONLY").await;
        assert_eq!((st["status"].as_str(), st["fail_reason"].as_str()), (Some("FAILED"), Some(reason)), "{file}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // 15 s is LetsPost's minimum, not TikTok's: TikTok publishes a 10 s video.
    let st = publish_fixture(&e, &t, "too_short.mp4", "SELF_ONLY").await;
    assert_eq!(st["status"], "PUBLISH_COMPLETE", "{st}");
    // The creator's own cap: 15 s max → a 16 s video fails the duration check.
    let e = start(|_| {}).await;
    let open_id = "open-ana";
    let patch = e.http.patch(e.url(&format!("/__emulator/accounts/{open_id}"))).json(&json!({"max_video_post_duration_sec": 15})).send().await.unwrap();
    assert_eq!(patch.status(), 200);
    let t = e.token(open_id).await;
    let st = publish_fixture(&e, &t, "moov_at_end.mp4", "SELF_ONLY").await;
    assert_eq!(st["fail_reason"], "duration_check_failed");
}

#[tokio::test]
async fn status_of_someone_elses_or_unknown_publish_is_refused() {
    let e = start(|_| {}).await;
    let ana = e.token("open-ana").await;
    let (_, b) = e.init(&ana, "x", "SELF_ONLY", 1_000, 1_000, 1).await;
    let id = b["data"]["publish_id"].as_str().unwrap();
    let pat = e.token("open-pat").await;
    let (s, b) = e.status(&pat, id).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("token_not_authorized_for_specified_publish_id")));
    let (s, b) = e.status(&ana, "v_pub_file~nope").await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_publish_id")));
}

#[tokio::test]
async fn status_fetch_allows_30_a_minute_per_token() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    let (_, b) = e.init(&t, "x", "SELF_ONLY", 1_000, 1_000, 1).await;
    let id = b["data"]["publish_id"].as_str().unwrap().to_string();
    for i in 0..30 {
        assert_eq!(e.status(&t, &id).await.0, 200, "call {i}");
    }
    let (s, b) = e.status(&t, &id).await;
    assert_eq!((s, b["error"]["code"].as_str()), (429, Some("rate_limit_exceeded")));
}
