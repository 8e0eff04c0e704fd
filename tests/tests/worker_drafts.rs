//! Drafts ("Send to TikTok as a draft"): the inbox upload through the Worker in workerd and
//! the emulator — at its time, once, ending `sent_to_inbox`, `published` once the creator
//! posts it in the app, and TikTok's 5-pending limit said before anything is uploaded.

use letspost_e2e::api::{Session, connected_creator};
use letspost_e2e::posts::{caption, creator_finishes, in_secs, new_draft, now_ms, sha256_hex, tiktok_publish, unique_video};
use serde_json::json;
use std::time::Duration;

/// Create and stage a draft; its id.
async fn send_draft(s: &Session, body: serde_json::Value, video: &[u8]) -> String {
    let (created, staged) = s.post_video(body, video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    assert_eq!(created.body["post"]["mode"], "draft");
    created.body["post"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_scheduled_draft_reaches_the_inbox_at_its_time_with_the_same_bytes() {
    let (s, account) = connected_creator("drafttime").await;
    let video = unique_video(1_200);
    let mut body = new_draft(&account, &caption("a note for the app"), video.len());
    // 10 s past the run's upload lead, as worker_posts does: staged before the upload starts
    // (only 10 s ahead, a staging slowed by a loaded machine made the draft late, 6.2 s once);
    // whether the upload has begun by the check below is either way fine: the last chunk waits.
    let due = in_secs(letspost_e2e::cron::timing().await.lead_secs() + 10);
    body["publish_at"] = json!(due);
    // What TikTok ignores for a draft is not asked for, and not kept.
    body["privacy_level"] = json!("");
    let id = send_draft(&s, body, &video).await;
    let staged = s.get(&format!("/api/posts/{id}")).await.body["post"].clone();
    assert_eq!(staged["privacy_level"], serde_json::Value::Null);
    assert!(["scheduled", "uploading"].contains(&staged["state"].as_str().unwrap()), "{staged}");
    let post = s.wait_state(&id, &["sent_to_inbox"], Duration::from_secs(90)).await;
    let due_ms = letspost_core::time_fmt::parse_rfc3339_ms(&due).unwrap();
    let at_tiktok = tiktok_publish(post["publish_id"].as_str().unwrap()).await;
    assert_eq!(at_tiktok["mode"], "inbox");
    assert_eq!(at_tiktok["post_info"], serde_json::Value::Null, "an inbox upload carries no post_info");
    assert_eq!(at_tiktok["sha256"], sha256_hex(&video));
    assert_eq!(at_tiktok["status"], "SEND_TO_USER_INBOX");
    let completed = at_tiktok["completed_at_ms"].as_u64().unwrap();
    assert!(completed + 1_000 >= due_ms && completed <= due_ms + 5_000, "in the inbox at {completed}, due {due_ms}");
    assert!(post["sent_to_inbox_at"].as_str().is_some(), "{post}");
    assert_eq!(post["post_url"], serde_json::Value::Null);
    // Final for LetsPost: no retry, no cancel.
    assert_eq!(s.post(&format!("/api/posts/{id}/retry"), json!({})).await.status, 409);
    assert_eq!(s.delete(&format!("/api/posts/{id}")).await.status, 409);
}

#[tokio::test]
async fn a_draft_the_creator_posts_in_the_app_becomes_published_with_its_link() {
    let (s, account) = connected_creator("draftpost").await;
    let video = unique_video(1_300);
    let id = send_draft(&s, new_draft(&account, "", video.len()), &video).await;
    let post = s.wait_state(&id, &["sent_to_inbox"], Duration::from_secs(60)).await;
    let publish_id = post["publish_id"].as_str().unwrap().to_string();
    creator_finishes(&publish_id, json!({ "action": "post", "caption": "finished with a sound 🎵", "privacy_level": "PUBLIC_TO_EVERYONE" })).await;
    let p = s.wait_linked(&id, Duration::from_secs(90)).await;
    assert!(p["published_at"].as_str().is_some());
    assert!(p["post_url"].as_str().unwrap().starts_with("https://www.tiktok.com/@draftpost."), "{p}");
}

#[tokio::test]
async fn a_draft_deleted_in_the_app_is_cancelled_with_a_sentence() {
    let (s, account) = connected_creator("draftdel").await;
    let video = unique_video(1_400);
    let id = send_draft(&s, new_draft(&account, "", video.len()), &video).await;
    let post = s.wait_state(&id, &["sent_to_inbox"], Duration::from_secs(60)).await;
    creator_finishes(post["publish_id"].as_str().unwrap(), json!({ "action": "delete" })).await;
    let gone = s.wait_state(&id, &["cancelled"], Duration::from_secs(90)).await;
    assert_eq!(gone["error"]["message"], "The draft was deleted in the TikTok app, so it was not posted.");
}

#[tokio::test]
async fn the_sixth_pending_draft_is_refused_with_the_sentence_before_upload() {
    let (s, account) = connected_creator("draftsix").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let video = unique_video(1_500 + i);
        ids.push(send_draft(&s, new_draft(&account, "", video.len()), &video).await);
    }
    for id in &ids {
        s.wait_state(id, &["sent_to_inbox"], Duration::from_secs(90)).await;
    }
    let started = now_ms();
    let sixth = s.post("/api/posts", new_draft(&account, "", 10_000)).await;
    assert_eq!(sixth.status, 422, "{}", sixth.body);
    assert_eq!(sixth.body["error"]["code"], "spam_risk_too_many_pending_share");
    assert_eq!(sixth.body["error"]["field"], "mode");
    assert_eq!(
        sixth.body["error"]["message"],
        "Your TikTok inbox already has 5 drafts from apps waiting for you. Post or delete one in the TikTok app, then send this draft again."
    );
    // A direct post is not a draft: it goes.
    let direct = s.post("/api/posts", letspost_e2e::posts::new_post(&account, &caption("direct"), 10_000)).await;
    assert_eq!(direct.status, 201, "{}", direct.body);
    // A draft due after the oldest leaves TikTok's 24-hour window is taken.
    let later =
        json!({ "account": account, "mode": "draft", "publish_at": letspost_core::time_fmt::rfc3339_utc(started + 86_400_000 + 60_000), "video_size": 10_000 });
    let later = s.post("/api/posts", later).await;
    assert_eq!(later.status, 201, "{}", later.body);
    // The creator posts one in the app: LetsPost learns it (status/fetch) and has room again.
    let first = s.get(&format!("/api/posts/{}", ids[0])).await.body["post"]["publish_id"].as_str().unwrap().to_string();
    creator_finishes(&first, json!({ "action": "post" })).await;
    s.wait_state(&ids[0], &["published"], Duration::from_secs(120)).await;
    assert_eq!(s.post("/api/posts", new_draft(&account, "", 10_000)).await.status, 201);
}

/// Another app fills the creator's inbox (LetsPost can't know): TikTok refuses LetsPost's
/// init, and the draft fails with the same sentence, to retry once there is room.
#[tokio::test]
async fn drafts_from_other_apps_fill_the_inbox_and_tiktoks_refusal_is_the_sentence() {
    use letspost_e2e::api::{VERIFIER, mint_code, redirect_uri};
    let (s, account) = connected_creator("draftother").await;
    let emu = letspost_e2e::emulator_url();
    let form = [
        ("client_key", "letspost-local".to_string()),
        ("client_secret", "letspost-local-secret".to_string()),
        ("code", mint_code(&account).await),
        ("grant_type", "authorization_code".to_string()),
        ("redirect_uri", redirect_uri()),
        ("code_verifier", VERIFIER.to_string()),
    ];
    let http = letspost_e2e::http();
    let token: serde_json::Value = http.post(format!("{emu}/v2/oauth/token/")).form(&form).send().await.unwrap().json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    for _ in 0..5 {
        let body = json!({ "source_info": { "source": "FILE_UPLOAD", "video_size": 1_000, "chunk_size": 1_000, "total_chunk_count": 1 } });
        let r = http.post(format!("{emu}/v2/post/publish/inbox/video/init/")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let video = unique_video(1_600);
    let id = send_draft(&s, new_draft(&account, "", video.len()), &video).await;
    let failed = s.wait_state(&id, &["failed"], Duration::from_secs(60)).await;
    assert_eq!(failed["error"]["code"], "spam_risk_too_many_pending_share");
    assert!(failed["error"]["message"].as_str().unwrap().starts_with("Your TikTok inbox already has 5 drafts"), "{failed}");
}
