//! axe-core (`letspost_e2e::axe`) on every page in every state a creator meets, in Chromium:
//! signed out (and opening a share link), connected, the composer from empty to published or failed, the queue and its
//! calendar (month and week, with free times), the accounts (with a posting schedule), a batch of
//! videos in the composer, callback errors and not-found. Any violation of any impact fails.

use fantoccini::{Client, Locator};
use letspost_e2e::api::{emulator_patch_account, new_account};
use letspost_e2e::axe::{assert_accessible, throttle, violations};
use letspost_e2e::consent::click_button;
use letspost_e2e::flows::{composer_with, pick, set_caption, wait_text_long};
use letspost_e2e::posts::{caption, fixture, unique_video};
use letspost_e2e::{app_url, browser, wait_text};
use serde_json::json;

async fn open(c: &Client, path: &str, ready_css: &str, ready: impl Fn(&str) -> bool) {
    c.goto(&format!("{}{path}", app_url())).await.unwrap();
    wait_text(c, ready_css, ready).await;
}

#[tokio::test]
async fn every_page_a_signed_out_visitor_sees_passes_axe() {
    let c = browser().await;
    open(&c, "/", "[data-testid=worker-status]", |t| t.starts_with("Online")).await;
    assert_accessible(&c, "/ (signed out)").await;
    open(&c, "/compose", "[data-testid=composer] .empty", |t| !t.is_empty()).await;
    assert_accessible(&c, "/compose (no account)").await;
    open(&c, "/accounts", "main h1", |t| !t.is_empty()).await;
    wait_text(&c, ".empty", |t| !t.is_empty()).await;
    assert_accessible(&c, "/accounts (none connected)").await;
    open(&c, "/posts", "main h1", |t| !t.is_empty()).await;
    wait_text(&c, ".empty", |t| !t.is_empty()).await;
    assert_accessible(&c, "/posts (none yet)").await;
    open(&c, "/oauth/callback?code=made-up&state=not-ours", "[data-testid=oauth-error]", |t| !t.is_empty()).await;
    assert_accessible(&c, "/oauth/callback (a state LetsPost did not start)").await;
    open(&c, "/oauth/callback?error=access_denied&error_description=no&state=x", "[data-testid=oauth-error]", |t| !t.is_empty()).await;
    assert_accessible(&c, "/oauth/callback (declined)").await;
    open(&c, "/no/such/page", "main h1", |t| t == "Page not found").await;
    assert_accessible(&c, "not-found").await;
    // A share link (crates/share-link/fuzz/seeds/full.txt) opened before connecting.
    open(&c, "/compose#c=AfoDAcnDgExhdW5jaCBkYXkg8J-agCAjZnlwLqXxNw", "[data-testid=shared-summary]", |t| t.contains("Launch day")).await;
    assert_accessible(&c, "/compose (a share link's summary, no account)").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_composer_passes_axe_from_empty_to_published() {
    // A video large enough that a throttled upload stays on screen (two parts).
    let video = unique_video(1_200_000);
    let c = composer_with(letspost_e2e::Engine::Chromium, "uia11y", &video).await;
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    set_caption(&c, &caption("axe from empty to published")).await;
    assert_accessible(&c, "/compose (a checked video, Advanced open)").await;
    pick(&c, &fixture("image.png"), "uia11y.png").await;
    wait_text(&c, "[data-testid=verdict]", |t| t.contains("refuse")).await;
    assert_accessible(&c, "/compose (a refused file)").await;
    pick(&c, &video, "uia11y-again.mp4").await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    // 200 KB/s: the 1.2 MB upload takes about six seconds.
    throttle(&c, Some(200_000)).await;
    click_button(&c, "Post now").await;
    wait_text(&c, "[data-testid=upload-progress]", |t| t.contains(" of ")).await;
    assert_accessible(&c, "/compose (uploading)").await;
    throttle(&c, None).await;
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published")).await;
    assert_accessible(&c, "/compose (published)").await;
    // The queue and its calendar, with that post on it; the accounts page, connected.
    open(&c, "/posts", "[data-testid=post]", |t| t.contains("Published")).await;
    wait_text(&c, "[data-testid=calendar]", |t| !t.is_empty()).await;
    assert_accessible(&c, "/posts (the queue and the calendar)").await;
    // A posting schedule with two times: its editor on /accounts, its free times in the week.
    let s = letspost_e2e::flows::session_of(&c).await;
    let account = s.get("/api/accounts").await.body["accounts"][0]["open_id"].as_str().unwrap().to_string();
    let now = letspost_e2e::posts::now_ms();
    let slots = serde_json::json!([letspost_e2e::schedule::slot_json(now + 3_600_000).0, letspost_e2e::schedule::slot_json(now + 86_400_000).0]);
    assert_eq!(letspost_e2e::schedule::put_schedule(&s, &account, "UTC", slots).await.status, 200);
    click_button(&c, "Week").await;
    // Next week holds every weekly time once, all ahead (this week's may have passed late on a Sunday).
    click_button(&c, "Next week").await;
    wait_text(&c, "[data-testid=week-view] .free", |t| t.starts_with("Free")).await;
    assert_accessible(&c, "/posts (the week view with free times)").await;
    open(&c, "/accounts", "[data-testid=account]", |t| !t.is_empty()).await;
    wait_text(&c, "[data-testid=posting-schedule] li.slot", |t| !t.is_empty()).await;
    assert_accessible(&c, "/accounts (connected, with a posting schedule)").await;
    // The composer with a batch of two videos and a refused file.
    open(&c, "/compose", "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    let dir = std::env::temp_dir().join(format!("letspost-a11y-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<String> = [("one.mp4", unique_video(500)), ("two.mp4", unique_video(600)), ("three.png", fixture("image.png"))]
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            path.display().to_string()
        })
        .collect();
    letspost_e2e::flows::control(&c, "Video").await.send_keys(&files.join("\n")).await.unwrap();
    wait_text(&c, "[data-testid=batch-item][data-name='three.png'] [data-testid=batch-verdict]", |t| t.starts_with("Skipped")).await;
    wait_text(&c, "[data-testid=next-free]", |t| t.starts_with("Next free time")).await;
    assert_accessible(&c, "/compose (a batch of three, one refused)").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_failed_post_passes_axe() {
    let open_id = new_account("uia11yfail", "creator").await;
    let c = browser().await;
    letspost_e2e::flows::composer_for(&c, &open_id).await;
    pick(&c, &unique_video(2_000), "uia11yfail.mp4").await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    // TikTok refuses this creator once the composer is open: the post fails with its reason.
    emulator_patch_account(&open_id, json!({ "cannot_post": "reached_active_user_cap" })).await;
    click_button(&c, "Post now").await;
    wait_text_long(&c, "[data-testid=post-error]", |t| !t.is_empty()).await;
    assert_accessible(&c, "/compose (failed)").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn axe_reports_what_it_finds() {
    // The check itself can fail: an image without alt text and grey-on-white text are found.
    let c = browser().await;
    open(&c, "/no/such/page", "main h1", |t| t == "Page not found").await;
    // The faint colour is set through the CSSOM: the CSP refuses inline style attributes.
    let js = "const m = document.querySelector('main'); m.insertAdjacentHTML('beforeend', '<img src=\"/x.png\"><p id=\"faint\">faint</p>'); document.getElementById('faint').style.color = '#bbb';";
    c.execute(js, vec![]).await.unwrap();
    let found = violations(&c).await;
    assert!(found.iter().any(|v| v.starts_with("image-alt (critical)")), "{found:?}");
    assert!(found.iter().any(|v| v.starts_with("color-contrast (serious)")), "{found:?}");
    c.close().await.unwrap();
}
