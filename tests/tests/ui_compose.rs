//! The composer in headless Chromium, through workerd and the emulator.

use fantoccini::{Client, Locator};
use letspost_e2e::api::{emulator_patch_account, new_account};
use letspost_e2e::own_worker::OwnWorker;
use letspost_e2e::consent::{click_button, decide};
use letspost_e2e::posts::{caption, fixture, sha256_hex, tiktok_posts, unique_video};
use letspost_e2e::{app_url, browser, wait_text};
use std::time::Duration;

/// Connect `open_id` through the consent page, then open the composer.
async fn composer_for(c: &Client, open_id: &str) {
    connect_at(c, &app_url(), open_id).await;
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
}

/// Connect `open_id` to the LetsPost at `base` through the consent page.
async fn connect_at(c: &Client, base: &str, open_id: &str) {
    c.goto(&format!("{base}/accounts")).await.unwrap();
    click_button(c, "Connect TikTok").await;
    decide(c, open_id, "approve").await;
    wait_text(c, &format!("[data-testid=account][data-open-id='{open_id}']"), |t| !t.is_empty()).await;
}

/// A new creator's composer with `video` picked and checked ("Ready for TikTok").
async fn composer_with(label: &str, video: &[u8]) -> Client {
    let open_id = new_account(label, "creator").await;
    let c = browser().await;
    composer_for(&c, &open_id).await;
    pick(&c, video, &format!("{label}.mp4")).await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    c
}

async fn control(c: &Client, label: &str) -> fantoccini::elements::Element {
    c.find(Locator::Css(&format!("[aria-label='{label}']"))).await.unwrap_or_else(|_| panic!("no control labelled {label:?}"))
}

/// Give the file input a file on disk, as a person picking it would.
async fn pick(c: &Client, bytes: &[u8], name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("letspost-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    control(c, "Video").await.send_keys(&path.display().to_string()).await.unwrap();
    path
}

async fn set_caption(c: &Client, text: &str) {
    let el = control(c, "Caption").await;
    let js = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))";
    c.execute(js, vec![serde_json::to_value(&el).unwrap(), text.into()]).await.unwrap();
}

async fn post_now_enabled(c: &Client) -> bool {
    let b = c.find(Locator::XPath("//button[normalize-space(.)='Post now']")).await.unwrap();
    b.attr("disabled").await.unwrap().is_none()
}

#[tokio::test]
async fn compose_and_post_now_until_published_with_a_link() {
    let video = unique_video(1_500);
    let c = composer_with("uicompose", &video).await;
    let cap = caption("from the composer 🎬");
    set_caption(&c, &cap).await;
    // The preview plays the local file (nothing uploaded); the cover frame is picked on it.
    let src = c.find(Locator::Css("[data-testid=preview] video")).await.unwrap().attr("src").await.unwrap().unwrap();
    assert!(src.starts_with("blob:"), "{src}");
    let cover = control(&c, "Cover frame").await;
    let js = "arguments[0].value = 3000; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))";
    c.execute(js, vec![serde_json::to_value(&cover).unwrap()]).await.unwrap();
    // Public is preselected where the creator allows it.
    let privacy = control(&c, "Who can view this video").await;
    assert_eq!(privacy.prop("value").await.unwrap().as_deref(), Some("PUBLIC_TO_EVERYONE"));
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    control(&c, "Allow Stitch").await.click().await.unwrap();
    let declaration = wait_text(&c, "[data-testid=declaration]", |t| !t.is_empty()).await;
    assert_eq!(declaration, "By posting, you agree to TikTok's Music Usage Confirmation.");
    assert!(post_now_enabled(&c).await);
    click_button(&c, "Post now").await;
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published")).await;
    assert!(!status.contains("Failed"), "{status}");
    let link = c.find(Locator::Css("[data-testid=post-link]")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(link.starts_with("https://www.tiktok.com/@uicompose."), "{link}");
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1);
    assert_eq!(at_tiktok[0]["sha256"], sha256_hex(&video));
    assert_eq!(at_tiktok[0]["post_info"]["disable_stitch"], true);
    assert_eq!(at_tiktok[0]["post_info"]["disable_duet"], false);
    assert_eq!(at_tiktok[0]["post_info"]["privacy_level"], "PUBLIC_TO_EVERYONE");
    assert_eq!(at_tiktok[0]["post_info"]["video_cover_timestamp_ms"], 3000);
    c.close().await.unwrap();
}

async fn wait_text_long(c: &Client, css: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if pred(&t) {
                    return t;
                }
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "{css} never matched");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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
    let c = composer_with("uilong", &unique_video(100)).await;
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
    let c = composer_with("uidisclose", &unique_video(100)).await;
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
    let open_id = new_account("uishare", "creator").await;
    let c = browser().await;
    composer_for(&c, &open_id).await;
    set_caption(&c, "Shared caption #team").await;
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    control(&c, "Allow Comment").await.click().await.unwrap();
    control(&c, "AI-generated content").await.click().await.unwrap();
    control(&c, "Disclose video content").await.click().await.unwrap();
    control(&c, "Your brand").await.click().await.unwrap();
    click_button(&c, "Share").await;
    let field = c.wait().for_element(Locator::Css("[aria-label='Share link']")).await.unwrap();
    let link = field.prop("value").await.unwrap().unwrap();
    assert!(link.starts_with(&format!("{}/compose#c=", app_url())), "{link}");
    assert!(!link.contains(&open_id) && !link.contains("uishare"), "no account in the link: {link}");
    c.close().await.unwrap();

    // Another browser, another creator (private, Duet off): settings arrive, what this
    // account can't use is reset and said.
    let other = browser().await;
    composer_for(&other, "open-pat").await;
    other.goto(&link).await.unwrap();
    other.refresh().await.unwrap();
    wait_text(&other, "[data-testid=creator]", |t| t.starts_with("Posting as Pat")).await;
    let caption = control(&other, "Caption").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while caption.prop("value").await.unwrap().as_deref() != Some("Shared caption #team") {
        assert!(tokio::time::Instant::now() < deadline, "the caption never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    other.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    assert_eq!(control(&other, "Allow Comment").await.prop("checked").await.unwrap().as_deref(), Some("false"));
    assert_eq!(control(&other, "AI-generated content").await.prop("checked").await.unwrap().as_deref(), Some("true"));
    assert_eq!(control(&other, "Your brand").await.prop("checked").await.unwrap().as_deref(), Some("true"));
    let notes = wait_text(&other, "[data-testid=link-notes]", |t| !t.is_empty()).await;
    assert!(notes.contains("'Public' isn't available for this account"), "{notes}");
    other.close().await.unwrap();
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
    let c = composer_with("uiresume", &video).await;
    let cap = caption("resumed in the browser");
    set_caption(&c, &cap).await;
    let hook = letspost_e2e::http()
        .post(format!("{}/api/test/fail-next-media-put", app_url()))
        .json(&serde_json::json!({ "caption": cap }))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 204);
    click_button(&c, "Post now").await;
    let progress = wait_text(&c, "[data-testid=upload-progress]", |t| t.contains("Resuming")).await;
    assert!(progress.contains("interrupted"), "{progress}");
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published")).await;
    let p = tiktok_posts(&cap).await;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["sha256"], sha256_hex(&video));
    c.close().await.unwrap();
}

#[tokio::test]
async fn schedule_a_minute_ahead_and_it_is_published_at_the_time() {
    let video = unique_video(800);
    let c = composer_with("uisched", &video).await;
    let cap = caption("scheduled in the browser");
    set_caption(&c, &cap).await;
    // The browser's local time one minute (and a bit) ahead, as a person picks it.
    let js = "const d = new Date(Date.now() + 90000); d.setSeconds(0, 0); \
              const p = n => String(n).padStart(2, '0'); \
              const v = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`; \
              arguments[0].value = v; arguments[0].dispatchEvent(new Event('input', {bubbles: true})); return d.getTime();";
    let due = c.execute(js, vec![serde_json::to_value(&control(&c, "Date and time").await).unwrap()]).await.unwrap().as_f64().unwrap() as u64;
    click_button(&c, "Schedule").await;
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Scheduled")).await;
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published")).await;
    assert!(!status.contains("Failed"));
    let p = tiktok_posts(&cap).await;
    let completed = p[0]["completed_at_ms"].as_u64().unwrap();
    assert!(completed + 1_000 >= due && completed <= due + 5_000, "published at {completed}, due {due}");
    c.close().await.unwrap();
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
    assert!(
        status.contains("Make your TikTok account private and post as Only me, or wait for the approval."),
        "{status}"
    );
    assert!(!status.contains("unaudited_client"), "a raw code reached the creator: {status}");
    c.close().await.unwrap();
}

/// What has the keyboard focus: its accessible label (or text), and whether a focus ring shows.
async fn focused(c: &Client) -> (String, bool) {
    let js = "const e = document.activeElement; const s = getComputedStyle(e);
              return [e.getAttribute('aria-label') || e.textContent.trim(),
                      s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];";
    let v = c.execute(js, vec![]).await.unwrap();
    (v[0].as_str().unwrap_or_default().to_string(), v[1].as_bool().unwrap_or(false))
}

/// One key, pressed and released, wherever the focus is (as a person types, not into an element).
async fn press(c: &Client, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let keys = KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.unwrap();
}

const TAB: char = '\u{e004}';
const SPACE: char = ' ';
const ENTER: char = '\u{e007}';

#[tokio::test]
async fn every_control_is_reachable_and_usable_by_keyboard_with_a_focus_ring() {
    let c = composer_with("uikeys", &unique_video(90)).await;
    let mut reached = Vec::new();
    let mut unringed = Vec::new();
    // The date-time widget is the browser's own (its segments typed as the locale wants): a time
    // is set first so that "Schedule" is a live control on the way.
    let js = "const d = new Date(Date.now() + 3600e3); const p = n => String(n).padStart(2, '0'); \
              arguments[0].value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`; \
              arguments[0].dispatchEvent(new Event('input', {bubbles: true}));";
    c.execute(js, vec![serde_json::to_value(&control(&c, "Date and time").await).unwrap()]).await.unwrap();
    c.execute("document.activeElement.blur(); window.scrollTo(0, 0)", vec![]).await.unwrap();
    for _ in 0..60 {
        press(&c, TAB).await;
        let (label, ring) = focused(&c).await;
        if !ring {
            unringed.push(label.clone());
        }
        match label.as_str() {
            // Open the panel, turn on a switch and the disclosure, make a link: all by keyboard.
            "Advanced settings" => press(&c, ENTER).await,
            "Allow Stitch" | "Disclose video content" | "Your brand" => press(&c, SPACE).await,
            "Share" => press(&c, ENTER).await,
            _ => {}
        }
        reached.push(label.clone());
        if label == "Share link" {
            break;
        }
    }
    for pinned in [
        "Video", "Caption", "Who can view this video", "Allow Comment", "Allow Duet", "Allow Stitch",
        "Disclose video content", "Your brand", "Branded content", "AI-generated content", "Post now", "Schedule",
        "Share", "Share link",
    ] {
        assert!(reached.iter().any(|r| r == pinned), "{pinned:?} was not reached by Tab: {reached:?}");
    }
    assert!(unringed.is_empty(), "no visible focus ring on {unringed:?}");
    // The keys did what they say.
    let checked = |label: &'static str| {
        let c = c.clone();
        async move { control(&c, label).await.prop("checked").await.unwrap().as_deref() == Some("true") }
    };
    assert!(!checked("Allow Stitch").await, "Space did not turn Stitch off");
    assert!(checked("Disclose video content").await && checked("Your brand").await);
    let link = control(&c, "Share link").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(link.contains("/compose#c="), "{link}");
    c.close().await.unwrap();
}
