//! Posts end to end: the Worker in workerd stages in R2 and its Post objects publish to the
//! emulator — now or at a time, exactly once, with the same bytes.

use letspost_e2e::api::{Session, connected_creator, expire, grants, new_account};
use letspost_e2e::cron::timing;
use letspost_e2e::posts::{caption, in_secs, new_post, now_ms, sha256_hex, tiktok_posts, unique_video};
use serde_json::json;
use std::time::Duration;
fn id_of(created: &serde_json::Value) -> String {
    created["post"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn post_now_publishes_once_with_byte_identical_media() {
    let (s, account) = connected_creator("now").await;
    let video = unique_video(2_000);
    let cap = caption("post now ✨");
    let mut body = new_post(&account, &cap, video.len());
    body["disable_stitch"] = json!(true);
    body["is_aigc"] = json!(true);
    let (created, staged) = s.post_video(body, &video).await;
    let c = &created.body;
    assert_eq!(c["post"]["state"], "awaiting_media");
    assert_eq!(c["upload"]["url"], format!("/api/posts/{}/media", id_of(c)));
    assert_eq!(c["upload"]["total_chunk_count"], 1);
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = id_of(c);
    let post = s.wait_linked(&id, Duration::from_secs(60)).await;
    assert!(post["post_url"].as_str().unwrap_or("").starts_with("https://www.tiktok.com/@now."), "{post}");
    assert!(post["published_at"].as_str().is_some());
    assert_eq!(post["uploaded_bytes"], video.len());
    assert_eq!(post["error"], serde_json::Value::Null);
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1, "exactly one publish: {at_tiktok:?}");
    let t = &at_tiktok[0];
    assert_eq!(t["sha256"], sha256_hex(&video));
    assert_eq!(t["content_type"], "video/mp4");
    assert_eq!(t["publish_id"], post["publish_id"]);
    assert_eq!(t["post_info"]["disable_stitch"], true);
    assert_eq!(t["post_info"]["is_aigc"], true);
    assert_eq!(t["post_info"]["video_cover_timestamp_ms"], 1000);
    assert_eq!(t["post_info"]["privacy_level"], "PUBLIC_TO_EVERYONE");
    let listed = s.get("/api/posts").await;
    assert_eq!(listed.body["posts"][0]["id"], id.as_str());
    s.assert_no_secrets(&[&account]).await;
}

#[tokio::test]
async fn a_scheduled_post_is_published_at_its_time_not_before() {
    let (s, account) = connected_creator("sched").await;
    let video = unique_video(1_000);
    let cap = caption("scheduled");
    let mut body = new_post(&account, &cap, video.len());
    // 10 s past the run's upload lead (30 s ahead with a 30 s lead before): staged and waiting
    // before the upload starts, then the upload starts ahead and the last chunk waits.
    let lead = timing().await.lead_secs();
    let at = in_secs(lead + 10);
    body["publish_at"] = json!(at);
    let (created, staged) = s.post_video(body, &video).await;
    assert_eq!(staged.body["post"]["state"], "scheduled");
    assert_eq!(staged.body["post"]["publish_at"], at.as_str());
    let due = letspost_core::time_fmt::parse_rfc3339_ms(&at).unwrap();
    // Until the time, TikTok has not received the last chunk.
    while now_ms() + 2_000 < due {
        let p = tiktok_posts(&cap).await;
        assert!(p.iter().all(|p| p["completed_at_ms"].is_null()), "early: {p:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let post = s.wait_state(&id_of(&created.body), &["published"], Duration::from_secs(60)).await;
    let p = tiktok_posts(&cap).await;
    assert_eq!(p.len(), 1);
    let completed = p[0]["completed_at_ms"].as_u64().unwrap();
    // When TikTok saw the init (the upload's start), against the time: for the messages.
    let init = p[0]["created_at_ms"].as_u64().unwrap();
    let init_at = format!("init {} ms after the time, lead {lead} s", init as i64 - due as i64);
    assert!(completed + 1_000 >= due, "not early by more than 1 s: {completed} vs {due} ({init_at})");
    assert!(completed <= due + 5_000, "on time: {} ms late ({init_at})", completed - due);
    // The upload began no earlier than the lead this run set.
    assert!(init + 1_000 >= due - lead as u64 * 1_000, "the upload began too early: {init_at}");
    assert_eq!(post["state"], "published");
}

#[tokio::test]
async fn cancel_and_reschedule_until_the_upload_starts() {
    let (s, account) = connected_creator("cancel").await;
    let video = unique_video(500);
    let cap = caption("to cancel");
    let mut body = new_post(&account, &cap, video.len());
    body["publish_at"] = json!(in_secs(3_600));
    let (created, _) = s.post_video(body, &video).await;
    let id = id_of(&created.body);
    let bad = s.patch(&format!("/api/posts/{id}"), json!({ "publish_at": in_secs(-600) })).await;
    assert_eq!((bad.status, bad.body["error"]["field"].as_str()), (422, Some("publish_at")));
    let later = in_secs(7_200);
    let moved = s.patch(&format!("/api/posts/{id}"), json!({ "publish_at": later })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["post"]["publish_at"], later.as_str());
    let gone = s.delete(&format!("/api/posts/{id}")).await;
    assert_eq!((gone.status, gone.body["post"]["state"].as_str()), (200, Some("cancelled")));
    assert!(tiktok_posts(&cap).await.is_empty());
    // A cancelled post's video is deleted at once.
    wait_media_gone(&s, &id, Duration::from_secs(15)).await;
    assert_eq!(s.post(&format!("/api/posts/{id}/retry"), json!({})).await.status, 409);
    // Rescheduled to now, a second post goes out soon; once it is uploading, cancel is 409.
    let cap2 = caption("rescheduled to soon");
    let video2 = unique_video(600);
    let mut body = new_post(&account, &cap2, video2.len());
    body["publish_at"] = json!(in_secs(3_600));
    let (created, _) = s.post_video(body, &video2).await;
    let id = id_of(&created.body);
    let soon = s.patch(&format!("/api/posts/{id}"), json!({ "publish_at": null })).await;
    assert_eq!(soon.status, 200, "{}", soon.body);
    s.wait_state(&id, &["published"], Duration::from_secs(60)).await;
    assert_eq!(s.delete(&format!("/api/posts/{id}")).await.status, 409);
    assert_eq!(tiktok_posts(&cap2).await.len(), 1);
}

#[tokio::test]
async fn a_refused_post_is_retried_with_the_staged_media() {
    let (s, account) = connected_creator("retry").await;
    let cap2 = caption("retry me 2");
    let video2 = unique_video(900);
    // TikTok refuses this creator from after the create (which asks creator_info) and before
    // the video is staged, so the upload can't start first (it was 40 s ahead to dodge that).
    let created2 = s.post("/api/posts", new_post(&account, &cap2, video2.len())).await;
    assert_eq!(created2.status, 201, "{}", created2.body);
    let id = id_of(&created2.body);
    letspost_e2e::api::emulator_patch_account(&account, json!({ "cannot_post": "reached_active_user_cap" })).await;
    assert_eq!(s.stage(&created2.body, &video2).await.status, 201);
    let failed = s.wait_state(&id, &["failed"], Duration::from_secs(60)).await;
    assert_eq!(failed["error"]["code"], "reached_active_user_cap", "{failed}");
    assert!(failed["error"]["message"].as_str().unwrap().contains("today"), "{failed}");
    letspost_e2e::api::emulator_patch_account(&account, json!({ "cannot_post": null })).await;
    let again = s.post(&format!("/api/posts/{id}/retry"), json!({})).await;
    assert_eq!((again.status, again.body["post"]["state"].as_str()), (200, Some("scheduled")), "{}", again.body);
    s.wait_state(&id, &["published"], Duration::from_secs(60)).await;
    let p = tiktok_posts(&cap2).await;
    assert_eq!(p.iter().filter(|p| p["published"] == true).count(), 1, "{p:?}");
    assert_eq!(p.iter().find(|p| p["published"] == true).unwrap()["sha256"], sha256_hex(&video2));
}

#[tokio::test]
async fn an_interrupted_staging_upload_resumes_where_it_stopped() {
    let (s, account) = connected_creator("resume").await;
    let video = unique_video(41_000_000); // three 20 MB parts, two TikTok chunks
    let cap = caption("resumed");
    let created = s.post("/api/posts", new_post(&account, &cap, video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["upload"]["total_chunk_count"], 3);
    let url = created.body["upload"]["url"].as_str().unwrap().to_string();
    let part = created.body["upload"]["chunk_size"].as_u64().unwrap() as usize;
    assert_eq!(s.put_part(&url, &video, 0, part - 1).await.status, 206);
    // The connection drops half-way through the second part.
    let half = video[part..part + part / 2].to_vec();
    let broken = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(half)), Err(std::io::Error::other("cable pulled"))]);
    let r = letspost_e2e::http()
        .put(format!("{}{url}", letspost_e2e::app_url()))
        .header("Cookie", s.cookie().unwrap())
        .header("Origin", letspost_e2e::app_url())
        .header("Content-Range", format!("bytes {part}-{}/{}", 2 * part - 1, video.len()))
        .header("Content-Length", part.to_string())
        .body(reqwest::Body::wrap_stream(broken))
        .send()
        .await;
    assert!(r.is_err() || !r.unwrap().status().is_success());
    let stored = s.get(&url).await;
    assert_eq!(stored.body["received_bytes"], part, "only whole parts count");
    // A repeated first part changes nothing.
    let again = s.put_part(&url, &video, 0, part - 1).await;
    assert_eq!((again.status, again.body["received_bytes"].as_u64()), (416, Some(part as u64)));
    assert_eq!(s.put_part(&url, &video, part, 2 * part - 1).await.status, 206);
    let last = s.put_part(&url, &video, 2 * part, video.len() - 1).await;
    assert_eq!(last.status, 201, "{}", last.body);
    s.wait_state(&id_of(&created.body), &["published"], Duration::from_secs(120)).await;
    let p = tiktok_posts(&cap).await;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["sha256"], sha256_hex(&video));
    assert_eq!(p[0]["total_chunk_count"], 2);
}

#[tokio::test]
async fn refused_fields_name_the_field() {
    let (s, account) = connected_creator("fields").await;
    let mut body = new_post(&account, "x", 1_000);
    body["caption"] = json!("a".repeat(2_201));
    let r = s.post("/api/posts", body).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (422, Some("caption")), "{}", r.body);
    let mut body = new_post(&account, "x", 1_000);
    body["publish_at"] = json!(in_secs(-3_600));
    assert_eq!(s.post("/api/posts", body).await.body["error"]["field"], "publish_at");
    let mut body = new_post(&account, "x", 1_000);
    body["publish_at"] = json!(in_secs(31 * 86_400));
    assert_eq!(s.post("/api/posts", body).await.body["error"]["field"], "publish_at");
    let mut body = new_post(&account, "x", 1_000);
    body["video_size"] = json!(287_600_001u64);
    assert_eq!(s.post("/api/posts", body).await.body["error"]["field"], "video_size");
    let mut body = new_post(&account, "x", 1_000);
    body["privacy_level"] = json!("SELF_ONLY");
    body["brand_content_toggle"] = json!(true);
    assert_eq!(s.post("/api/posts", body).await.body["error"]["field"], "brand_content_toggle");
    let mut body = new_post(&account, "x", 1_000);
    body["privacy_level"] = json!("FOLLOWER_OF_CREATOR");
    assert_eq!(s.post("/api/posts", body).await.body["error"]["field"], "privacy_level");
    assert_eq!(s.post("/api/posts", json!({ "nope": 1 })).await.status, 400);
}

#[tokio::test]
async fn a_creator_who_turned_duet_off_cannot_post_with_duet_on() {
    let s = Session::new();
    assert_eq!(s.connect("open-pat").await.status, 200);
    let mut body = new_post("open-pat", "x", 1_000);
    body["privacy_level"] = json!("FOLLOWER_OF_CREATOR");
    let r = s.post("/api/posts", body.clone()).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (422, Some("disable_duet")), "{}", r.body);
    body["disable_duet"] = json!(true);
    assert_eq!(s.post("/api/posts", body).await.status, 201);
}

#[tokio::test]
async fn the_access_token_expiring_mid_job_is_refreshed_and_the_post_goes_out() {
    let (s, account) = connected_creator("midjob").await;
    let video = unique_video(700);
    let cap = caption("mid job");
    // Made (creator_info with the access token), then the token expires before the video is
    // staged and the upload needs it: no race with the upload (it was scheduled 8 s ahead).
    let created = s.post("/api/posts", new_post(&account, &cap, video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    expire(&account, "access").await;
    assert_eq!(s.stage(&created.body, &video).await.status, 201);
    s.wait_state(&id_of(&created.body), &["published"], Duration::from_secs(60)).await;
    assert!(grants(&account).await["refreshes"].as_u64().unwrap() >= 1);
    assert_eq!(tiktok_posts(&cap).await.len(), 1);
}

#[tokio::test]
async fn another_session_cannot_see_or_touch_the_posts() {
    let (s, account) = connected_creator("iso").await;
    let video = unique_video(300);
    let mut body = new_post(&account, &caption("isolated"), video.len());
    body["publish_at"] = json!(in_secs(3_600));
    let (created, _) = s.post_video(body, &video).await;
    let id = id_of(&created.body);
    let (other, _) = connected_creator("other").await;
    assert_eq!(other.get("/api/posts").await.body["posts"], json!([]));
    for (method, path) in letspost_e2e::api::post_routes(&id) {
        let body = (method == reqwest::Method::PATCH).then(|| json!({ "publish_at": null }));
        let r = other.send(method.clone(), &path, body, Some(&letspost_e2e::app_url())).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
    }
    let r = other.post("/api/posts", new_post(&account, "not mine", 1_000)).await;
    assert_eq!(r.status, 404, "posting as someone else's account");
    assert_eq!(s.get(&format!("/api/posts/{id}")).await.body["post"]["state"], "scheduled", "untouched");
}

#[tokio::test]
async fn disconnecting_cancels_pending_posts_with_that_reason() {
    let account = new_account("disc", "creator").await;
    let (a, b) = (Session::new(), Session::new());
    assert_eq!(a.connect(&account).await.status, 200);
    assert_eq!(b.connect(&account).await.status, 200);
    let video = unique_video(400);
    let mut body = new_post(&account, &caption("pending"), video.len());
    body["publish_at"] = json!(in_secs(3_600));
    let (created, _) = a.post_video(body, &video).await;
    assert_eq!(b.delete(&format!("/api/accounts/{account}")).await.status, 204);
    let path = format!("/api/posts/{}", id_of(&created.body));
    // Disconnect is for good: the other session holds the account no more...
    assert_eq!(a.get(&path).await.status, 404);
    // ...until the creator connects again there, and finds the post cancelled, saying why.
    assert_eq!(a.connect(&account).await.status, 200);
    let post = a.get(&path).await.body["post"].clone();
    assert_eq!(post["state"], "cancelled");
    assert_eq!(post["error"]["code"], "account_disconnected");
}

/// Until the staged video is no longer in R2 (`/check` answers 404).
async fn wait_media_gone(s: &Session, id: &str, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let r = s.get(&format!("/api/posts/{id}/check")).await;
        if r.status == 404 {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the video of {id} is still stored: {} {}", r.status, r.body);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_published_posts_video_is_deleted_after_the_retention_window() {
    let (s, account) = connected_creator("retain").await;
    let video = unique_video(300);
    let mut body = new_post(&account, &caption("retained"), video.len());
    body["privacy_level"] = json!("SELF_ONLY");
    let (created, _) = s.post_video(body, &video).await;
    let id = id_of(&created.body);
    s.wait_state(&id, &["published"], Duration::from_secs(60)).await;
    assert_eq!(s.get(&format!("/api/posts/{id}/check")).await.status, 200, "kept for a while");
    // `cargo xtask test` sets a short MEDIA_RETENTION_SECS; 30 s more for a loaded machine.
    let retention = Duration::from_millis(timing().await.media_retention_ms);
    wait_media_gone(&s, &id, retention + Duration::from_secs(30)).await;
    assert_eq!(s.get(&format!("/api/posts/{id}")).await.body["post"]["state"], "published");
}

#[tokio::test]
async fn a_lost_connection_fails_the_post_plainly_and_retry_after_reconnecting_publishes_it() {
    let (s, account) = connected_creator("reconn").await;
    let video = unique_video(350);
    let cap = caption("needs reconnect");
    // TikTok stops honouring both tokens after the create and before the video is staged, so
    // the upload can't begin first. (Scheduled 5 s ahead and expired after staging, the upload
    // sometimes beat `expire` on a busy machine and published; 40 s ahead cost 40 s.)
    let created = s.post("/api/posts", new_post(&account, &cap, video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = id_of(&created.body);
    expire(&account, "both").await;
    assert_eq!(s.stage(&created.body, &video).await.status, 201);
    let failed = s.wait_state(&id, &["failed"], Duration::from_secs(60)).await;
    assert_eq!(failed["error"]["code"], "reconnect_needed", "{failed}");
    assert!(failed["error"]["message"].as_str().unwrap().contains("Reconnect"), "{failed}");
    assert_eq!(s.account(&account).await.unwrap()["status"], "reconnect_needed");
    assert!(tiktok_posts(&cap).await.is_empty());
    assert_eq!(s.connect(&account).await.status, 200);
    let again = s.post(&format!("/api/posts/{id}/retry"), json!({})).await;
    assert_eq!(again.status, 200, "{}", again.body);
    s.wait_state(&id, &["published"], Duration::from_secs(60)).await;
    let p = tiktok_posts(&cap).await;
    assert_eq!((p.len(), p[0]["sha256"].as_str()), (1, Some(sha256_hex(&video).as_str())));
}
