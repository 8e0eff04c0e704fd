//! "Upload to the creator's inbox" (`inbox/video/init`, scope `video.upload`): a draft the
//! creator finishes in the TikTok app, played by the `/__emulator/inbox` hook.

mod common;
use common::{Emu, REDIRECT, VERIFIER, start};
use serde_json::json;

async fn inbox_init(e: &Emu, token: &str, size: u64, chunk: u64, count: u64) -> (u16, serde_json::Value) {
    let source = json!({ "source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count });
    e.api(token, "/v2/post/publish/inbox/video/init/", json!({ "source_info": source })).await
}

/// Init and upload a fixture to the inbox; the publish_id.
async fn send_to_inbox(e: &Emu, token: &str, name: &str) -> String {
    let bytes = Emu::fixture(name);
    let n = bytes.len() as u64;
    let (s, b) = inbox_init(e, token, n, n, 1).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(e.put(b["data"]["upload_url"].as_str().unwrap(), (0, n - 1, n), bytes).await.status(), 201);
    b["data"]["publish_id"].as_str().unwrap().to_string()
}

async fn status_now(e: &Emu, token: &str, id: &str) -> serde_json::Value {
    e.status(token, id).await.1["data"].clone()
}

async fn wait_status(e: &Emu, token: &str, id: &str, want: &str) -> serde_json::Value {
    for _ in 0..60 {
        let s = status_now(e, token, id).await;
        if s["status"] == want {
            return s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{id} never reached {want}: {}", status_now(e, token, id).await);
}

async fn finish(e: &Emu, id: &str, body: serde_json::Value) -> u16 {
    e.http.post(e.url(&format!("/__emulator/inbox/{id}"))).json(&body).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_draft_waits_in_the_inbox_until_the_creator_posts_it() {
    let e = start(|c| c.moderation_ms = 100).await;
    let t = e.token("open-ana").await;
    let id = send_to_inbox(&e, &t, "vertical_15s_faststart.mp4").await;
    assert!(id.starts_with("v_inbox_file~"), "{id}");
    assert_eq!(finish(&e, &id, json!({ "action": "post" })).await, 409, "still processing: not in the inbox yet");
    let waiting = wait_status(&e, &t, &id, "SEND_TO_USER_INBOX").await;
    assert_eq!(waiting["publicaly_available_post_id"], json!([]));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(status_now(&e, &t, &id).await["status"], "SEND_TO_USER_INBOX", "it waits for the creator, however long");
    assert_eq!(finish(&e, &id, json!({ "action": "post", "caption": "finished in the app", "privacy_level": "PUBLIC_TO_EVERYONE" })).await, 204);
    let done = wait_status(&e, &t, &id, "PUBLISH_COMPLETE").await;
    let mut post_id = done["publicaly_available_post_id"].clone();
    for _ in 0..20 {
        if post_id != json!([]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        post_id = status_now(&e, &t, &id).await["publicaly_available_post_id"].clone();
    }
    assert_eq!(post_id.as_array().map(Vec::len), Some(1), "public after moderation: {post_id}");
    let posts: serde_json::Value = e.http.get(e.url("/__emulator/posts")).send().await.unwrap().json().await.unwrap();
    let mine = posts.as_array().unwrap().iter().find(|p| p["publish_id"] == id.as_str()).unwrap();
    assert_eq!((mine["mode"].as_str(), mine["caption"].as_str()), (Some("inbox"), Some("finished in the app")));
    assert_eq!(finish(&e, &id, json!({ "action": "delete" })).await, 409, "already posted");
}

#[tokio::test]
async fn a_deleted_draft_is_failed_as_cancelled() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    let id = send_to_inbox(&e, &t, "vertical_15s_faststart.mp4").await;
    wait_status(&e, &t, &id, "SEND_TO_USER_INBOX").await;
    assert_eq!(finish(&e, &id, json!({ "action": "delete" })).await, 204);
    let s = wait_status(&e, &t, &id, "FAILED").await;
    assert_eq!(s["fail_reason"], "publish_cancelled");
}

#[tokio::test]
async fn the_sixth_pending_draft_is_refused_until_one_is_finished() {
    let e = start(|_| {}).await;
    let t = e.token("open-pat").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(send_to_inbox(&e, &t, "vertical_15s_faststart.mp4").await);
    }
    // Rate limit: 6 inits a minute per token, so the 6th is the pending rule's, not the rate's.
    let (s, b) = inbox_init(&e, &t, 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("spam_risk_too_many_pending_share")), "{b}");
    // Another creator's inbox is their own.
    let other = e.token("open-ana").await;
    assert_eq!(inbox_init(&e, &other, 1_000, 1_000, 1).await.0, 200);
    // The creator posts one in the app: a slot frees (a new token: the 6-a-minute limit).
    wait_status(&e, &t, &ids[0], "SEND_TO_USER_INBOX").await;
    assert_eq!(finish(&e, &ids[0], json!({ "action": "post" })).await, 204);
    let fresh = e.token("open-pat").await;
    assert_eq!(inbox_init(&e, &fresh, 1_000, 1_000, 1).await.0, 200);
}

#[tokio::test]
async fn the_inbox_needs_the_video_upload_scope_and_direct_posting_needs_video_publish() {
    let e = start(|_| {}).await;
    let code = e.code_for("open-ana", Some(&["user.info.basic", "video.publish"])).await;
    let publish_only = e.exchange(&code, VERIFIER, REDIRECT).await.1["access_token"].as_str().unwrap().to_string();
    let (s, b) = inbox_init(&e, &publish_only, 1_000, 1_000, 1).await;
    assert_eq!((s, b["error"]["code"].as_str()), (401, Some("scope_not_authorized")), "{b}");
    let code = e.code_for("open-ana", Some(&["user.info.basic", "video.upload"])).await;
    let upload_only = e.exchange(&code, VERIFIER, REDIRECT).await.1["access_token"].as_str().unwrap().to_string();
    assert_eq!(inbox_init(&e, &upload_only, 1_000, 1_000, 1).await.0, 200);
    assert_eq!(e.init(&upload_only, "x", "SELF_ONLY", 1_000, 1_000, 1).await.1["error"]["code"], "scope_not_authorized");
}

#[tokio::test]
async fn a_64_mib_chunk_from_a_published_client_is_accepted() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    let mib64 = 64 * 1_048_576;
    let (s, b) = inbox_init(&e, &t, 200_000_000, mib64, 2).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = e.init(&t, "x", "SELF_ONLY", 200_000_000, mib64, 2).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = inbox_init(&e, &t, 200_000_000, mib64 + 1, 2).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_param")), "{b}");
    let (s, _) = inbox_init(&e, &t, 6_000_000, 4_999_999, 1).await;
    assert_eq!(s, 400, "the 5 MB floor holds");
}

#[tokio::test]
async fn an_upload_only_app_follows_its_drafts_with_status_fetch() {
    // TikTok's Get Post Status takes video.upload or video.publish (found by tiktok-studio-mcp).
    let e = start(|_| {}).await;
    let code = e.code_for("open-ana", Some(&["user.info.basic", "video.upload"])).await;
    let upload_only = e.exchange(&code, VERIFIER, REDIRECT).await.1["access_token"].as_str().unwrap().to_string();
    let id = send_to_inbox(&e, &upload_only, "vertical_15s_faststart.mp4").await;
    wait_status(&e, &upload_only, &id, "SEND_TO_USER_INBOX").await;
}
