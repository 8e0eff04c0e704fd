//! The probe's Worker shell: ranged reads from R2 inside workerd. `cargo xtask test` stages
//! the fixtures under `fixture-<name>` before starting the Worker.

use letspost_e2e::{app_url, http};

async fn check(key: &str) -> (u16, serde_json::Value) {
    let resp = http().get(format!("{}/api/media/{key}/check", app_url())).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn moov_at_the_end_is_checked_with_ranged_reads() {
    let (status, r) = check("fixture-moov_at_end.mp4").await;
    assert_eq!(status, 200);
    assert_eq!(r["verdict"], "ok");
    assert_eq!(r["container"], "mp4");
    assert_eq!(r["duration_ms"], 16_000);
    assert_eq!(r["size_bytes"], 10_060);
    assert_eq!(r["file"], "fixture-moov_at_end.mp4");
}

#[tokio::test]
async fn rotation_fragments_and_images_judged_as_in_the_browser() {
    let (_, rotated) = check("fixture-rotated_90.mov").await;
    assert_eq!((rotated["display_width"].as_u64(), rotated["display_height"].as_u64()), (Some(360), Some(640)));
    assert_eq!(rotated["container"], "mov");
    let (_, frag) = check("fixture-fragmented.mp4").await;
    assert_eq!(frag["duration_ms"], 15_000);
    let (_, png) = check("fixture-image.png").await;
    assert_eq!(png["verdict"], "error");
    assert_eq!(png["issues"][0]["code"], "unsupported_format");
}

#[tokio::test]
async fn unknown_keys_are_404() {
    let (status, body) = check("no-such-upload").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}
