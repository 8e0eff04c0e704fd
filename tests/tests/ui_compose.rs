//! The composer in headless Chromium, through workerd and the emulator. The flows that also
//! run in Firefox and WebKit live in `letspost_e2e::flows`.

use fantoccini::Locator;
use letspost_e2e::api::{emulator_patch_account, new_account};
use letspost_e2e::consent::click_button;
use letspost_e2e::flows::{self, composer_for, composer_with, connect_at, control, pick, post_now_enabled, set_caption, wait_text_long};
use letspost_e2e::own_worker::OwnWorker;
use letspost_e2e::posts::{caption, fixture, sha256_hex, tiktok_posts, unique_video};
use letspost_e2e::{Engine, app_url, browser, wait_text};

#[tokio::test]
async fn compose_and_post_now_until_published_with_a_link() {
    flows::compose_and_post_now(Engine::Chromium).await;
}

#[tokio::test]
async fn a_refused_file_says_why_and_post_now_stays_disabled() {
    let open_id = new_account("uirefuse", "creator").await;
    let c = browser().await;
    composer_for(&c, &open_id).await;
    set_caption(&c, "fine caption").await;
    pick(&c, &fixture("image.png"), "photo.mp4").await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "TikTok will refuse this video").await;
    let issues = c.find(Locator::Css("[data-testid=check-result] .issues")).await.unwrap().text().await.unwrap();
    assert!(!issues.is_empty());
    assert!(!post_now_enabled(&c).await);
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_over_long_caption_says_by_how_much_and_blocks() {
    let c = composer_with(Engine::Chromium, "uilong", &unique_video(100)).await;
    set_caption(&c, &"😀".repeat(1_101)).await;
    let counter = wait_text(&c, "[data-testid=caption-counter]", |t| t.contains("over")).await;
    assert_eq!(counter, "2202 / 2200 — 2 over the limit", "emoji count as 2, as TikTok counts");
    assert!(!post_now_enabled(&c).await);
    set_caption(&c, &"😀".repeat(1_100)).await;
    wait_text(&c, "[data-testid=caption-counter]", |t| t == "2200 / 2200").await;
    assert!(post_now_enabled(&c).await);
    c.close().await.unwrap();
}

#[tokio::test]
async fn switches_the_creator_turned_off_are_greyed_out_with_the_reason() {
    let c = browser().await;
    composer_for(&c, "open-pat").await;
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    let duet = control(&c, "Allow Duet").await;
    assert!(duet.attr("disabled").await.unwrap().is_some());
    assert_eq!(duet.prop("checked").await.unwrap().as_deref(), Some("false"));
    let adv = c.find(Locator::Css("details.advanced")).await.unwrap().text().await.unwrap();
    assert!(adv.contains("Duet is turned off for this account in TikTok."), "{adv}");
    assert!(control(&c, "Allow Comment").await.attr("disabled").await.unwrap().is_none());
    // A private account: Public is not offered, so nothing is preselected.
    let privacy = control(&c, "Who can view this video").await;
    assert_eq!(privacy.prop("value").await.unwrap().as_deref(), Some(""));
    c.close().await.unwrap();
}

#[tokio::test]
async fn disclosure_rules_are_enforced_before_posting() {
    let c = composer_with(Engine::Chromium, "uidisclose", &unique_video(100)).await;
    set_caption(&c, "ad").await;
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    control(&c, "Disclose video content").await.click().await.unwrap();
    let blocker = wait_text(&c, "[data-testid=blocker]", |t| !t.is_empty()).await;
    assert_eq!(blocker, "You need to indicate if your content promotes yourself, a third party, or both.");
    assert!(!post_now_enabled(&c).await);
    control(&c, "Branded content").await.click().await.unwrap();
    wait_text(&c, "[data-testid=label-notice]", |t| t.contains("Paid partnership")).await;
    let declaration = c.find(Locator::Css("[data-testid=declaration]")).await.unwrap().text().await.unwrap();
    assert!(declaration.contains("Branded Content Policy"), "{declaration}");
    assert!(post_now_enabled(&c).await);
    // Branded content can't be Only me: that choice is disabled, with TikTok's reason.
    let only_me = c.find(Locator::Css("option[value=SELF_ONLY]")).await.unwrap();
    assert!(only_me.attr("disabled").await.unwrap().is_some());
    assert_eq!(only_me.attr("title").await.unwrap().as_deref(), Some("Branded content visibility cannot be set to private."));
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_share_link_carries_the_settings_to_another_creator() {
    flows::share_link_round_trip(Engine::Chromium).await;
}

#[tokio::test]
async fn a_share_link_survives_connecting_from_a_browser_that_never_connected() {
    flows::share_link_survives_connecting(Engine::Chromium).await;
}

#[tokio::test]
async fn a_share_link_carries_the_draft_choice() {
    flows::share_link_in_draft_mode(Engine::Chromium).await;
}

#[tokio::test]
async fn a_tampered_link_shows_one_message_and_an_empty_composer() {
    let open_id = new_account("uitamper", "creator").await;
    let c = browser().await;
    composer_for(&c, &open_id).await;
    c.goto(&format!("{}/compose#c=AfoDAcnDgExhdW5jaCBkYXkg8J-agCAjZnlwLqXxNX", app_url())).await.unwrap();
    c.refresh().await.unwrap();
    let msg = wait_text(&c, "[data-testid=link-error]", |t| !t.is_empty()).await;
    assert_eq!(msg, "This share link is incomplete or damaged. Ask for the link again, and copy all of it.");
    assert_eq!(control(&c, "Caption").await.prop("value").await.unwrap().as_deref(), Some(""));
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_interrupted_upload_resumes_and_the_post_goes_out() {
    // Two parts: the Worker fails the first PUT once (a test hook), the page resumes.
    let video = unique_video(21_000_000);
    let c = composer_with(Engine::Chromium, "uiresume", &video).await;
    let cap = caption("resumed in the browser");
    set_caption(&c, &cap).await;
    letspost_e2e::posts::arm_worker_fault("fail-next-media-put", &cap).await;
    click_button(&c, "Post now").await;
    let progress = wait_text(&c, "[data-testid=upload-progress]", |t| t.contains("Resuming")).await;
    assert!(progress.contains("interrupted"), "{progress}");
    letspost_e2e::cron::assert_fault_fired("fail-next-media-put", &cap).await;
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published")).await;
    let p = tiktok_posts(&cap).await;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["sha256"], sha256_hex(&video));
    c.close().await.unwrap();
}

#[tokio::test]
async fn schedule_a_minute_ahead_and_it_is_published_at_the_time() {
    flows::schedule_a_minute_ahead(Engine::Chromium).await;
}

#[tokio::test]
async fn a_creator_who_cant_post_now_is_told_why_when_the_composer_opens() {
    let open_id = new_account("uicapped", "creator").await;
    let c = browser().await;
    composer_for(&c, &open_id).await;
    // creator_info is asked each time the composer opens: TikTok's daily cap, then the app's
    // creator cap, each as a sentence that says what to do, and nothing can be posted.
    for (code, sentence) in [
        ("spam_risk_too_many_posts", "You have reached TikTok's daily posting limit. Try again tomorrow."),
        ("reached_active_user_cap", "TikTok does not let this app post for more creators today. Try again tomorrow."),
    ] {
        emulator_patch_account(&open_id, serde_json::json!({ "cannot_post": code })).await;
        c.goto(&format!("{}/compose", app_url())).await.unwrap();
        let said = wait_text(&c, "[data-testid=creator-error]", |t| !t.is_empty()).await;
        assert_eq!(said, sentence);
        pick(&c, &unique_video(70), "capped.mp4").await;
        wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
        set_caption(&c, "not today").await;
        assert!(!post_now_enabled(&c).await);
    }
    emulator_patch_account(&open_id, serde_json::json!({ "cannot_post": null })).await;
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(&c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    c.close().await.unwrap();
}

/// An app TikTok has not audited may post only to private accounts, as Only me. This test
/// has a TikTok of its own in that mode (the suite's emulator is an audited app) and a Worker
/// that talks to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unaudited_app_says_to_make_the_account_private_or_wait() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emu_url = format!("http://{}", listener.local_addr().unwrap());
    let mut config = tiktok_emulator::Config::new(emu_url.clone());
    config.unaudited = true;
    config.processing_ms = 300;
    config.moderation_ms = 200;
    let emu = std::sync::Arc::new(tiktok_emulator::Emulator::new(config).unwrap());
    tokio::spawn(tiktok_emulator::serve(listener, emu));
    let worker = OwnWorker::start_with("unaudited", &emu_url).await;
    let base = worker.url();

    let c = browser().await;
    // open-ana is a public creator in every emulator's seeds.
    connect_at(&c, &base, "open-ana").await;
    c.goto(&format!("{base}/compose")).await.unwrap();
    wait_text(&c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    pick(&c, &unique_video(80), "unaudited.mp4").await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    set_caption(&c, "before the audit").await;
    click_button(&c, "Post now").await;
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Failed")).await;
    assert!(status.contains("Make your TikTok account private and post as Only me, or wait for the approval."), "{status}");
    assert!(!status.contains("unaudited_client"), "a raw code reached the creator: {status}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn every_control_is_reachable_and_usable_by_keyboard_with_a_focus_ring() {
    flows::keyboard_reaches_every_control_with_a_focus_ring(Engine::Chromium).await;
}
