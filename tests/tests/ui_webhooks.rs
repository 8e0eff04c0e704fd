//! What TikTok's webhooks change, as a creator sees it in headless Chromium: the creator
//! removes LetsPost in the TikTok app → `/accounts` says "Reconnect needed" and why; TikTok
//! takes a public post down → `/posts` says "No longer public on TikTok". Axe on both.

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::axe::assert_accessible;
use letspost_e2e::consent::{click_button, decide};
use letspost_e2e::posts::{caption, new_post, unique_video};
use letspost_e2e::{app_url, browser, emulator_url, http, wait_text, wait_text_within};
use serde_json::json;
use std::time::Duration;

async fn connected(c: &fantoccini::Client, open_id: &str) -> Session {
    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    click_button(c, "Connect TikTok").await;
    decide(c, open_id, "approve").await;
    wait_text(c, &format!("[data-testid=account][data-open-id='{open_id}']"), |t| !t.is_empty()).await;
    let cookie = c.get_named_cookie("letspost_session").await.unwrap();
    Session::with_cookie(&format!("letspost_session={}", cookie.value()))
}

#[tokio::test]
async fn a_takedown_and_a_removal_in_tiktok_show_on_posts_and_accounts() {
    let open_id = new_account("uihooks", "creator").await;
    let c = browser().await;
    let s = connected(&c, &open_id).await;
    let video = unique_video(900);
    let (created, staged) = s.post_video(new_post(&open_id, &caption("taken down"), video.len()), &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let poll = letspost_e2e::poll::Poll::new();
    let publish_id = loop {
        let p = s.get(&format!("/api/posts/{id}")).await.body["post"].clone();
        if p["post_url"].is_string() {
            break p["publish_id"].as_str().unwrap().to_string();
        }
        assert!(tokio::time::Instant::now() < deadline, "never linked: {p}");
        poll.pause().await;
    };
    let r = http().post(format!("{}/__emulator/posts/{publish_id}/takedown", emulator_url())).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let row = format!("[data-testid=post][data-id='{id}']");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        c.goto(&format!("{}/posts", app_url())).await.unwrap();
        let text = wait_text(&c, &row, |t| t.contains("Published")).await;
        if text.contains("No longer public on TikTok") {
            assert!(text.contains("View on TikTok"), "the link stays: {text}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no takedown shown: {text}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_accessible(&c, "/posts with a post taken down").await;

    // The creator removes LetsPost in the TikTok app.
    let r = http().post(format!("{}/__emulator/accounts/{open_id}/deauthorize", emulator_url())).json(&json!({ "reason": 1 })).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let removed_at = std::time::Instant::now();
    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    let account = format!("[data-testid=account][data-open-id='{open_id}']");
    let reason = tiktok_rules::webhook::removal_sentence(1);
    // Seconds, from the pushed webhook: the next safety net (the cron) is a minute away. The page's
    // own load is in it too, 2.7 s on a loaded 2-core machine (measured), so the bound is 8 s.
    let text = wait_text_within(&c, &account, |t| t.contains("Reconnect needed") && t.contains(reason), Duration::from_secs(10)).await;
    let seen = removed_at.elapsed();
    assert!(seen < Duration::from_secs(8), "shown {seen:?} after the removal: {text}");
    assert_accessible(&c, "/accounts after TikTok removed the access").await;
}
