//! The probe's Worker shell: after the last part is staged, the Worker re-reads the video from
//! R2 with ranged reads and judges it as the browser did; the report stays readable at
//! `GET /api/posts/{id}/check`.

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::posts::{caption, fixture, new_post, tiktok_posts};

async fn staged(name: &str) -> (Session, String, serde_json::Value) {
    let account = new_account("probe", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&account).await.status, 200);
    let video = fixture(name);
    let cap = caption(name);
    let (created, last) = s.post_video(new_post(&account, &cap, video.len()), &video).await;
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    (s, id, last.body)
}

#[tokio::test]
async fn moov_at_the_end_is_checked_with_ranged_reads() {
    let (s, id, last) = staged("moov_at_end.mp4").await;
    assert_eq!(last["post"]["state"], "scheduled", "{last}");
    let r = s.get(&format!("/api/posts/{id}/check")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["verdict"], "ok");
    assert_eq!(r.body["container"], "mp4");
    assert_eq!(r.body["duration_ms"], 16_000);
    assert_eq!(r.body["size_bytes"], 10_060);
    assert!(r.body["bytes_read"].as_u64().unwrap() <= 10_060);
}

#[tokio::test]
async fn rotation_and_fragments_judged_as_in_the_browser() {
    let (s, id, _) = staged("rotated_90.mov").await;
    let rotated = s.get(&format!("/api/posts/{id}/check")).await.body;
    assert_eq!((rotated["display_width"].as_u64(), rotated["display_height"].as_u64()), (Some(360), Some(640)));
    assert_eq!(rotated["container"], "mov");
    let (s, id, _) = staged("fragmented.mp4").await;
    assert_eq!(s.get(&format!("/api/posts/{id}/check")).await.body["duration_ms"], 15_000);
}

#[tokio::test]
async fn an_image_renamed_mp4_is_refused_with_422_and_nothing_reaches_tiktok() {
    let account = new_account("png", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&account).await.status, 200);
    let image = fixture("image.png");
    let cap = caption("renamed png");
    let (created, last) = s.post_video(new_post(&account, &cap, image.len()), &image).await;
    assert_eq!(last.status, 422, "{}", last.body);
    assert_eq!(last.body["error"]["code"], "unsupported_format");
    assert_eq!(last.body["error"]["field"], "video");
    assert!(last.body["error"]["message"].as_str().unwrap().len() > 20);
    let id = created.body["post"]["id"].as_str().unwrap();
    let post = s.get(&format!("/api/posts/{id}")).await.body["post"].clone();
    assert_eq!(post["state"], "failed");
    assert_eq!(post["error"]["code"], "unsupported_format");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(tiktok_posts(&cap).await.is_empty(), "nothing was sent to TikTok");
    assert_eq!(s.post(&format!("/api/posts/{id}/retry"), serde_json::json!({})).await.status, 409);
}

#[tokio::test]
async fn unknown_or_foreign_posts_are_404() {
    let s = Session::new();
    assert_eq!(s.get("/api/posts/no-such-upload/check").await.status, 404);
    assert_eq!(s.get("/api/posts/AAAAAAAAAAAAAAAAAAAAAA/check").await.status, 404);
}
