//! Security in Chromium: every page runs under its Content-Security-Policy (Firefox and
//! WebKit run the same flow in `ui_engines`), and a "Post now" whose answer is lost on the way
//! back is retried by the composer with the same Idempotency-Key: one post, no error shown.

use letspost_e2e::consent::click_button;
use letspost_e2e::flows::{composer_with, set_caption, wait_text_long};
use letspost_e2e::posts::{arm_worker_fault, caption, sha256_hex, tiktok_posts, unique_video};
use letspost_e2e::{Engine, flows, flows::session_of};

#[tokio::test]
async fn every_page_runs_under_the_csp() {
    flows::every_page_runs_under_the_csp(Engine::Chromium).await;
}

#[tokio::test]
async fn a_post_whose_answer_is_lost_is_made_once_and_published() {
    let video = unique_video(3_000);
    let c = composer_with(Engine::Chromium, "uilost", &video).await;
    let cap = caption("answer lost on the way back");
    set_caption(&c, &cap).await;
    // The Worker makes the post, then its answer breaks off: the page sees a network error.
    arm_worker_fault("drop-next-create-answer", &cap).await;
    click_button(&c, "Post now").await;
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published") || t.contains("Failed")).await;
    assert!(status.contains("Published"), "{status}");
    letspost_e2e::cron::assert_fault_fired("drop-next-create-answer", &cap).await;
    assert!(c.find(fantoccini::Locator::Css("[data-testid=post-error]")).await.is_err(), "the creator saw an error");
    let s = session_of(&c).await;
    let posts = s.get("/api/posts").await.body["posts"].as_array().unwrap().clone();
    let mine: Vec<_> = posts.iter().filter(|p| p["caption"] == cap.as_str()).collect();
    assert_eq!(mine.len(), 1, "one post in LetsPost: {mine:?}");
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1, "one post at TikTok: {at_tiktok:?}");
    assert_eq!(at_tiktok[0]["sha256"], sha256_hex(&video));
    c.close().await.unwrap();
}
