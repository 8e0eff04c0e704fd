//! The probe's browser shell (Blob.slice) in real headless Chromium: the composer checks a
//! video the moment it is picked, before any account or upload.

use fantoccini::{Client, Locator};
use letspost_e2e::{app_url, browser, wait_text};

fn fixture(name: &str) -> String {
    format!("{}/../crates/video-probe/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn check(c: &Client, name: &str) -> (String, String, Vec<String>) {
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    let input = c.wait().for_element(Locator::Css("[data-testid=video-input]")).await.unwrap();
    input.send_keys(&std::fs::canonicalize(fixture(name)).unwrap().display().to_string()).await.unwrap();
    let verdict = wait_text(c, "[data-testid=verdict]", |t| !t.is_empty()).await;
    let facts = c.find(Locator::Css("[data-testid=facts]")).await.unwrap().text().await.unwrap();
    let mut codes = Vec::new();
    for li in c.find_all(Locator::Css("[data-testid=issues] li")).await.unwrap() {
        codes.push(li.attr("data-code").await.unwrap().unwrap_or_default());
    }
    (verdict, facts, codes)
}

#[tokio::test]
async fn a_good_video_is_ready_and_read_only_in_part() {
    let c = browser().await;
    let (verdict, facts, codes) = check(&c, "moov_at_end.mp4").await;
    assert_eq!(verdict, "Ready for TikTok");
    assert_eq!(facts, "moov_at_end.mp4 · MP4 · 16.0 s · 360×640 · H264 · 30 fps · 10.1 KB");
    assert!(codes.is_empty(), "{codes:?}");
    let result = c.find(Locator::Css("[data-testid=check-result]")).await.unwrap();
    let read: u64 = result.attr("data-bytes-read").await.unwrap().unwrap().parse().unwrap();
    assert!(read > 0 && read <= 10_060, "{read}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn rotated_phone_footage_and_letterboxing_in_the_browser() {
    let c = browser().await;
    let (verdict, facts, _) = check(&c, "rotated_90.mov").await;
    assert_eq!(verdict, "Ready for TikTok");
    assert!(facts.contains("MOV · 15.0 s · 360×640"), "{facts}");
    let (verdict, _, codes) = check(&c, "landscape.mp4").await;
    assert_eq!(verdict, "Postable, with a warning");
    assert_eq!(codes, vec!["not_vertical"]);
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_image_is_refused_before_anything_is_uploaded() {
    let c = browser().await;
    let (verdict, _, codes) = check(&c, "image.png").await;
    assert_eq!(verdict, "TikTok will refuse this video");
    assert_eq!(codes, vec!["unsupported_format"]);
    let issue = c.find(Locator::Css("[data-testid=issues] li")).await.unwrap().text().await.unwrap();
    assert_eq!(issue, "This is a PNG image. TikTok takes MP4 or MOV videos.");
    c.close().await.unwrap();
}
