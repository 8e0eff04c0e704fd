//! A connection that will lapse, in headless Chromium: TikTok's sign-in for an account ends in
//! 10 days (the emulator's per-account refresh lifetime). `/accounts` says so from 14 days
//! before; a post scheduled after that day is accepted, and the composer and `/posts` say
//! "Reconnect TikTok before <date>, or this post can't be published."

use fantoccini::Locator;
use letspost_e2e::api::{emulator_patch_account, new_account};
use letspost_e2e::consent::click_button;
use letspost_e2e::flows::{composer_for, control, pick, session_of, set_caption};
use letspost_e2e::posts::{caption, unique_video};
use letspost_e2e::{app_url, browser, wait_text};
use serde_json::json;

#[tokio::test]
async fn a_post_due_after_the_sign_in_ends_is_taken_and_says_to_reconnect_before_then() {
    let open_id = new_account("uilapse", "creator").await;
    emulator_patch_account(&open_id, json!({ "refresh_ttl_secs": 10 * 86_400 })).await;
    let c = browser().await;
    composer_for(&c, &open_id).await;

    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    let card = format!("[data-testid=account][data-open-id='{open_id}'] [data-testid=lapse-notice]");
    let notice = wait_text(&c, &card, |t| t.contains("Reconnect TikTok before")).await;

    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(&c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    pick(&c, &unique_video(300), "lapse.mp4").await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    let cap = caption("after the lapse");
    set_caption(&c, &cap).await;
    // Nothing said for a time before the lapse…
    let set_when = |days: u32| {
        format!(
            "const d = new Date(Date.now() + {days} * 86400e3); const p = n => String(n).padStart(2, '0'); \
             arguments[0].value = `${{d.getFullYear()}}-${{p(d.getMonth() + 1)}}-${{p(d.getDate())}}T${{p(d.getHours())}}:${{p(d.getMinutes())}}`; \
             arguments[0].dispatchEvent(new Event('input', {{bubbles: true}}));"
        )
    };
    let when = serde_json::to_value(&control(&c, "Date and time").await).unwrap();
    c.execute(&set_when(3), vec![when.clone()]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(c.find(Locator::Css("[data-testid=lapse-warning]")).await.is_err(), "a post before the lapse is fine");
    // …and the sentence for one after it, with the same date /accounts named.
    c.execute(&set_when(12), vec![when]).await.unwrap();
    let warning = wait_text(&c, "[data-testid=lapse-warning]", |t| t.starts_with("Reconnect TikTok before")).await;
    assert!(warning.ends_with(", or this post can't be published."), "{warning}");
    let date = warning.trim_start_matches("Reconnect TikTok before ").trim_end_matches(", or this post can't be published.");
    assert!(notice.contains(date), "{notice} vs {warning}");
    click_button(&c, "Schedule").await;
    wait_text(&c, "[data-testid=post-status]", |t| t.contains("Scheduled")).await;

    let s = session_of(&c).await;
    let post = s.get("/api/posts").await.body["posts"][0].clone();
    assert_eq!((post["state"].as_str(), post["caption"].as_str()), (Some("scheduled"), Some(cap.as_str())), "{post}");
    c.goto(&format!("{}/posts", app_url())).await.unwrap();
    let row = format!("[data-testid=post][data-id='{}'] [data-testid=lapse-warning]", post["id"].as_str().unwrap());
    assert_eq!(wait_text(&c, &row, |t| !t.is_empty()).await, warning);
    c.close().await.unwrap();
}
