//! The flows a creator depends on, written once and run in each engine: the whole UI suite
//! runs them in Chromium (ui_connect, ui_video_check, ui_compose), `ui_engines` in Firefox and
//! WebKit. WebKit's element text joins block children without line breaks, so flows assert on
//! whole single-line elements or on substrings.

use crate::api::{Session, assert_no_secrets_in, new_account};
use crate::consent::{click_button, decide};
use crate::posts::{caption, creator_finishes, sha256_hex, tiktok_posts, unique_video};
use crate::{Browser, Engine, app_url, browser_in, csp, wait_text};
use fantoccini::{Client, Locator};
use std::time::Duration;

impl Engine {
    /// Names the accounts a flow makes, so TikTok-side records say which engine made them.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Engine::Chromium => "ui",
            Engine::Firefox => "ff",
            Engine::WebKit => "wk",
        }
    }
}

/// Connect `open_id` to the LetsPost at `base` through the consent page.
pub async fn connect_at(c: &Client, base: &str, open_id: &str) {
    c.goto(&format!("{base}/accounts")).await.unwrap();
    click_button(c, "Connect TikTok").await;
    decide(c, open_id, "approve").await;
    wait_text(c, &format!("[data-testid=account][data-open-id='{open_id}']"), |t| !t.is_empty()).await;
}

/// Connect `open_id` through the consent page, then open the composer.
pub async fn composer_for(c: &Client, open_id: &str) {
    connect_at(c, &app_url(), open_id).await;
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
}

/// A new creator's composer in `engine` with `video` picked and checked ("Ready for TikTok").
pub async fn composer_with(engine: Engine, label: &str, video: &[u8]) -> Browser {
    let open_id = new_account(label, "creator").await;
    let c = browser_in(engine).await;
    composer_for(&c, &open_id).await;
    pick(&c, video, &format!("{label}.mp4")).await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    c
}

pub async fn control(c: &Client, label: &str) -> fantoccini::elements::Element {
    c.find(Locator::Css(&format!("[aria-label='{label}']"))).await.unwrap_or_else(|_| panic!("no control labelled {label:?}"))
}

/// Give the file input a file on disk, as a person picking it would.
pub async fn pick(c: &Client, bytes: &[u8], name: &str) -> std::path::PathBuf {
    // A file of its own for every pick: flows run side by side, and a browser whose picked file
    // changes on disk under it (WebKit, measured) never finishes reading it.
    static PICKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = PICKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("letspost-{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let input = control(c, "Video").await;
    // The input takes several files: WebDriver adds to what a `multiple` input holds, where a
    // person choosing again replaces it.
    input.clear().await.unwrap();
    input.send_keys(&path.display().to_string()).await.unwrap();
    path
}

pub async fn set_caption(c: &Client, text: &str) {
    set_value(c, "Caption", text, "input").await;
}

pub async fn post_now_enabled(c: &Client) -> bool {
    let b = c.find(Locator::XPath("//button[normalize-space(.)='Post now']")).await.unwrap();
    b.attr("disabled").await.unwrap().is_none()
}

/// `wait_text` for what takes TikTok's time (upload, processing, a scheduled minute), with
/// the browser's slot given back meanwhile (`Browser::idle`).
pub async fn wait_text_long(c: &Browser, css: &str, pred: impl Fn(&str) -> bool) -> String {
    c.idle(crate::wait_text_within(c, css, pred, Duration::from_secs(150))).await
}

/// The browser's session cookie, as `name=value`, to ask the API as this browser.
pub async fn session_of(c: &Client) -> Session {
    let cookie = c.get_named_cookie("letspost_session").await.expect("a session cookie");
    assert_eq!(cookie.http_only(), Some(true));
    Session::with_cookie(&format!("letspost_session={}", cookie.value()))
}

/// Everything the page could read: its HTML, storage and script-visible cookies.
pub async fn page_state(c: &Client) -> String {
    let src = c.source().await.unwrap();
    let js = "return [document.cookie, JSON.stringify(sessionStorage), JSON.stringify(localStorage)].join('\\n')";
    let storage = c.execute(js, vec![]).await.unwrap();
    format!("{src}\n{storage}")
}

/// Connect: PKCE made with the engine's WebCrypto, TikTok's consent page, the callback, the
/// account on /accounts, and no token anywhere the page can read.
pub async fn connect_through_the_consent_page(engine: Engine) {
    let label = format!("{}ana", engine.tag());
    let open_id = new_account(&label, "creator").await;
    let c = browser_in(engine).await;
    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    wait_text(&c, "[data-testid=no-accounts]", |t| t.contains("No TikTok account")).await;
    click_button(&c, "Connect TikTok").await;
    // On the consent page (the page goes there once WebCrypto has made the PKCE pair): the
    // challenge and state it made are in the form.
    wait_text(&c, "h1", |t| t.contains("LetsPost wants")).await;
    let url = c.current_url().await.unwrap();
    let challenge = c.find(Locator::Css("input[name=code_challenge]")).await.unwrap().attr("value").await.unwrap().unwrap();
    assert_eq!(challenge.len(), 43, "base64url S256 challenge");
    let method = c.find(Locator::Css("input[name=code_challenge_method]")).await.unwrap().attr("value").await.unwrap();
    assert_eq!(method.as_deref(), Some("S256"), "{url}");
    let pending = c.execute("return sessionStorage.getItem('letspost.oauth.pending')", vec![]).await.unwrap();
    assert!(pending.is_null(), "sessionStorage is per origin: the emulator's page can't see LetsPost's");
    decide(&c, &open_id, "approve").await;

    let card = wait_text(&c, &format!("[data-testid=account][data-open-id='{open_id}']"), |t| t.contains("Connected")).await;
    assert!(card.contains(&format!("{label} {}", &open_id[format!("open-{label}-").len()..])), "{card}");
    assert!(card.contains(&format!("@{label}.")), "{card}");
    assert!(c.current_url().await.unwrap().path() == "/accounts");
    let left = c.execute("return sessionStorage.getItem('letspost.oauth.pending')", vec![]).await.unwrap();
    assert!(left.is_null(), "the verifier is cleared after the callback: {left}");
    let s = session_of(&c).await;
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected");
    assert_no_secrets_in(&page_state(&c).await, &[&open_id]).await;
    c.close().await.unwrap();
}

pub fn probe_fixture(name: &str) -> String {
    let path = format!("{}/../crates/video-probe/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::canonicalize(path).unwrap().display().to_string()
}

/// Pick a probe fixture in the composer (no account needed); the verdict, facts and issue codes.
async fn check(c: &Client, name: &str) -> (String, String, Vec<String>) {
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    let input = c.wait().for_element(Locator::Css("[data-testid=video-input]")).await.unwrap();
    input.send_keys(&probe_fixture(name)).await.unwrap();
    let verdict = wait_text(c, "[data-testid=verdict]", |t| !t.is_empty()).await;
    let facts = c.find(Locator::Css("[data-testid=facts]")).await.unwrap().text().await.unwrap();
    let mut codes = Vec::new();
    for li in c.find_all(Locator::Css("[data-testid=issues] li")).await.unwrap() {
        codes.push(li.attr("data-code").await.unwrap().unwrap_or_default());
    }
    (verdict, facts, codes)
}

/// The composer's check, in one browser: a good video (only its headers read), rotated phone
/// footage and a letterboxed landscape file, and an image refused with a sentence; each file
/// is picked on a freshly opened composer, before any account or upload.
pub async fn check_videos(engine: Engine) {
    let c = browser_in(engine).await;
    a_good_video_is_ready_and_read_only_in_part(&c).await;
    rotated_is_vertical_and_landscape_letterboxed(&c).await;
    an_image_is_refused(&c).await;
    c.close().await.unwrap();
}

/// A good video is ready, and only its headers were read (Blob.slice), before any upload.
async fn a_good_video_is_ready_and_read_only_in_part(c: &Client) {
    let (verdict, facts, codes) = check(c, "moov_at_end.mp4").await;
    assert_eq!(verdict, "Ready for TikTok");
    assert_eq!(facts, "moov_at_end.mp4 · MP4 · 16.0 s · 360×640 · H264 · 30 fps · 10.1 KB");
    assert!(codes.is_empty(), "{codes:?}");
    let result = c.find(Locator::Css("[data-testid=check-result]")).await.unwrap();
    let read: u64 = result.attr("data-bytes-read").await.unwrap().unwrap().parse().unwrap();
    assert!(read > 0 && read <= 10_060, "{read}");
}

/// Phone footage stored landscape with a rotation is vertical; a landscape file is letterboxed.
async fn rotated_is_vertical_and_landscape_letterboxed(c: &Client) {
    let (verdict, facts, _) = check(c, "rotated_90.mov").await;
    assert_eq!(verdict, "Ready for TikTok");
    assert!(facts.contains("MOV · 15.0 s · 360×640"), "{facts}");
    let (verdict, _, codes) = check(c, "landscape.mp4").await;
    assert_eq!(verdict, "Postable, with a warning");
    assert_eq!(codes, vec!["not_vertical"]);
}

/// An image is refused with a sentence, before anything is uploaded.
async fn an_image_is_refused(c: &Client) {
    let (verdict, _, codes) = check(c, "image.png").await;
    assert_eq!(verdict, "TikTok will refuse this video");
    assert_eq!(codes, vec!["unsupported_format"]);
    let issue = c.find(Locator::Css("[data-testid=issues] li")).await.unwrap().text().await.unwrap();
    assert_eq!(issue, "This is a PNG image. TikTok takes MP4 or MOV videos.");
}

/// Compose, post now, and follow it to "Published" with its TikTok link; TikTok got exactly
/// these bytes and settings.
pub async fn compose_and_post_now(engine: Engine) {
    let label = format!("{}compose", engine.tag());
    let video = unique_video(1_500);
    let c = composer_with(engine, &label, &video).await;
    let cap = caption(&format!("from the composer in {} 🎬", engine.name()));
    set_caption(&c, &cap).await;
    // The preview plays the local file (nothing uploaded); the cover frame is picked on it.
    let src = c.find(Locator::Css("[data-testid=preview] video")).await.unwrap().attr("src").await.unwrap().unwrap();
    assert!(src.starts_with("blob:"), "{src}");
    assert_preview_plays_or_says_why(&c).await;
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
    // TikTok says "complete" first and names the public post after moderation: the link follows.
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published") && t.contains("View on TikTok")).await;
    assert!(!status.contains("Failed"), "{status}");
    let link = c.find(Locator::Css("[data-testid=post-link]")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(link.starts_with(&format!("https://www.tiktok.com/@{label}.")), "{link}");
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1);
    assert_eq!(at_tiktok[0]["sha256"], sha256_hex(&video));
    assert_eq!(at_tiktok[0]["post_info"]["disable_stitch"], true);
    assert_eq!(at_tiktok[0]["post_info"]["disable_duet"], false);
    assert_eq!(at_tiktok[0]["post_info"]["privacy_level"], "PUBLIC_TO_EVERYONE");
    assert_eq!(at_tiktok[0]["post_info"]["video_cover_timestamp_ms"], 3000);
    c.close().await.unwrap();
}

/// The picked video plays in the preview, or the frame says this browser can't play it (not
/// a black box): WebKitGTK without GStreamer's H.264 decoder, H.265 in most desktop browsers.
async fn assert_preview_plays_or_says_why(c: &Client) {
    let js = "const v = document.querySelector('[data-testid=preview] video'); return v.error ? -v.error.code : v.readyState";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    loop {
        let state = c.execute(js, vec![]).await.unwrap().as_i64().unwrap_or(0);
        if state < 0 {
            let said = wait_text(c, "[data-testid=no-preview]", |t| !t.is_empty()).await;
            assert!(said.contains("can't play this video"), "{said}");
            return;
        }
        if state >= 1 {
            assert!(c.find(Locator::Css("[data-testid=no-preview]")).await.is_err(), "a playable video said it can't play");
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the preview neither loaded nor failed");
        poll.pause().await;
    }
}

/// Pick a time a little ahead (whole minutes, past the upload lead) in the browser's own
/// date-time control; the post is published at that time, not before.
pub async fn schedule_a_minute_ahead(engine: Engine) {
    let video = unique_video(800);
    let c = composer_with(engine, &format!("{}sched", engine.tag()), &video).await;
    let cap = caption(&format!("scheduled in {}", engine.name()));
    set_caption(&c, &cap).await;
    // The browser's local time in whole minutes, as a person picks it: the first minute 15 s
    // past the run's upload lead, so "Scheduled" is there to be seen before the upload starts
    // (with a 5 s lead, 20–80 s ahead; it was 60–120 s with the 30 s lead).
    let ahead = crate::cron::timing().await.upload_lead_margin_ms + 15_000;
    let js = "const d = new Date(Math.ceil((Date.now() + arguments[1]) / 60000) * 60000); \
              const p = n => String(n).padStart(2, '0'); \
              const v = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`; \
              arguments[0].value = v; arguments[0].dispatchEvent(new Event('input', {bubbles: true})); return d.getTime();";
    let field = serde_json::to_value(&control(&c, "Date and time").await).unwrap();
    let due = c.execute(js, vec![field, ahead.into()]).await.unwrap().as_f64().unwrap() as u64;
    click_button(&c, "Schedule").await;
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Scheduled")).await;
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published")).await;
    assert!(!status.contains("Failed"));
    let p = tiktok_posts(&cap).await;
    let completed = p[0]["completed_at_ms"].as_u64().unwrap();
    assert!(completed + 1_000 >= due && completed <= due + 5_000, "published at {completed}, due {due}");
    c.close().await.unwrap();
}

/// A share link made in one browser opens in another, for another creator: the settings
/// arrive, and what that account can't use is reset and said.
pub async fn share_link_round_trip(engine: Engine) {
    let label = format!("{}share", engine.tag());
    let open_id = new_account(&label, "creator").await;
    let c = browser_in(engine).await;
    composer_for(&c, &open_id).await;
    set_caption(&c, "Shared caption #team").await;
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    control(&c, "Allow Comment").await.click().await.unwrap();
    control(&c, "AI-generated content").await.click().await.unwrap();
    control(&c, "Disclose video content").await.click().await.unwrap();
    control(&c, "Your brand").await.click().await.unwrap();
    let link = share_link(&c).await;
    assert!(link.starts_with(&format!("{}/compose#c=", app_url())), "{link}");
    assert!(!link.contains(&open_id) && !link.contains(&label), "no account in the link: {link}");
    c.close().await.unwrap();

    // Another browser, another creator (private, Duet off).
    let other = browser_in(engine).await;
    composer_for(&other, "open-pat").await;
    other.goto(&link).await.unwrap();
    other.refresh().await.unwrap();
    wait_text(&other, "[data-testid=creator]", |t| t.starts_with("Posting as Pat")).await;
    wait_value(&other, "Caption", "Shared caption #team").await;
    other.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    assert_eq!(control(&other, "Allow Comment").await.prop("checked").await.unwrap().as_deref(), Some("false"));
    assert_eq!(control(&other, "AI-generated content").await.prop("checked").await.unwrap().as_deref(), Some("true"));
    assert_eq!(control(&other, "Your brand").await.prop("checked").await.unwrap().as_deref(), Some("true"));
    let notes = wait_text(&other, "[data-testid=link-notes]", |t| !t.is_empty()).await;
    assert!(notes.contains("'Public' isn't available for this account"), "{notes}");
    other.close().await.unwrap();
}

/// Set a control's value by script and tell the page, as choosing it would (`event`: `input`
/// for text and date-time fields, `change` for selects).
/// A page that draws the control again meanwhile (the week view, once its posts arrive) leaves
/// a stale element: it is found again (`again_if_stale`).
pub async fn set_value(c: &Client, label: &str, value: &str, event: &str) {
    let js = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event(arguments[2], {bubbles: true}))";
    crate::again_if_stale(|| async { c.execute(js, vec![serde_json::to_value(control(c, label).await).unwrap(), value.into(), event.into()]).await })
        .await
        .unwrap_or_else(|e| panic!("setting {label:?}: {e}"));
}

/// The composer's share link as it stands.
async fn share_link(c: &Client) -> String {
    click_button(c, "Share").await;
    let field = c.wait().for_element(Locator::Css("[aria-label='Share link']")).await.unwrap();
    field.prop("value").await.unwrap().unwrap()
}

/// Wait until a control's value is `want`.
async fn wait_value(c: &Client, label: &str, want: &str) {
    let el = control(c, label).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    loop {
        let now = el.prop("value").await.unwrap().unwrap_or_default();
        if now == want {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{label} is {now:?}, never {want:?}");
        poll.pause().await;
    }
}

/// A link opened in a browser that has never connected: what it carries is shown read-only
/// with "Connect TikTok to post this"; connecting brings the browser back to the composer with
/// the settings applied to the new account, and the link leaves the address bar.
pub async fn share_link_survives_connecting(engine: Engine) {
    let label = format!("{}shareby", engine.tag());
    let c = composer_with(engine, &label, &unique_video(100)).await;
    set_caption(&c, "Before connecting #team").await;
    set_value(&c, "Who can view this video", "MUTUAL_FOLLOW_FRIENDS", "change").await;
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    control(&c, "Allow Comment").await.click().await.unwrap();
    let js = "const d = new Date(Date.now() + 7200e3); const p = n => String(n).padStart(2, '0'); \
              return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;";
    let when = c.execute(js, vec![]).await.unwrap().as_str().unwrap().to_string();
    set_value(&c, "Date and time", &when, "input").await;
    let link = share_link(&c).await;
    c.close().await.unwrap();

    let fresh = browser_in(engine).await;
    fresh.goto(&link).await.unwrap();
    let summary = wait_text(&fresh, "[data-testid=shared-summary]", |t| t.contains("Before connecting")).await;
    for shown in ["Post to TikTok", "Friends only", "Comment off", "Duet on", "Not disclosed"] {
        assert!(summary.contains(shown), "{shown:?} not in the summary: {summary}");
    }
    assert!(!summary.contains("Now, when you post"), "the schedule is shown: {summary}");
    assert!(!control(&fresh, "Caption").await.is_displayed().await.unwrap(), "the empty form is hidden under a link");
    let recipient = new_account(&format!("{}shareto", engine.tag()), "creator").await;
    click_button(&fresh, "Connect TikTok to post this").await;
    decide(&fresh, &recipient, "approve").await;
    wait_text(&fresh, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    assert_eq!(fresh.current_url().await.unwrap().path(), "/compose");
    wait_value(&fresh, "Caption", "Before connecting #team").await;
    wait_value(&fresh, "Who can view this video", "MUTUAL_FOLLOW_FRIENDS").await;
    wait_value(&fresh, "Date and time", &when).await;
    fresh.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    assert_eq!(control(&fresh, "Allow Comment").await.prop("checked").await.unwrap().as_deref(), Some("false"));
    // Used once: gone from the address, so a reload starts from an empty composer.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let poll = crate::poll::Poll::new();
    while fresh.current_url().await.unwrap().fragment().is_some() {
        assert!(tokio::time::Instant::now() < deadline, "the link stayed in the address: {}", fresh.current_url().await.unwrap());
        poll.pause().await;
    }
    fresh.refresh().await.unwrap();
    wait_text(&fresh, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    wait_value(&fresh, "Caption", "").await;
    fresh.close().await.unwrap();
}

/// A link made in draft mode opens in draft mode.
pub async fn share_link_in_draft_mode(engine: Engine) {
    let c = composer_with(engine, &format!("{}sharedraft", engine.tag()), &unique_video(100)).await;
    choose_draft(&c).await;
    set_caption(&c, "A draft for the inbox").await;
    let link = share_link(&c).await;
    c.close().await.unwrap();
    let other = browser_in(engine).await;
    composer_for(&other, &new_account(&format!("{}draftto", engine.tag()), "creator").await).await;
    other.goto(&link).await.unwrap();
    other.refresh().await.unwrap();
    wait_text(&other, "[data-testid=draft-note]", |t| t.contains("TikTok inbox")).await;
    assert_eq!(control(&other, "Send to TikTok as a draft").await.prop("checked").await.unwrap().as_deref(), Some("true"));
    wait_value(&other, "Caption", "A draft for the inbox").await;
    other.close().await.unwrap();
}

/// What has the keyboard focus: its accessible label (or text), and whether a focus ring shows.
async fn focused(c: &Client) -> (String, bool) {
    let js = "const e = document.activeElement; const s = getComputedStyle(e);
              return [e.getAttribute('aria-label') || e.textContent.trim() || `<${e.tagName.toLowerCase()}>`,
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

/// Tab from the top of the composer reaches every pinned control, each with a visible focus
/// ring, and the keys work them (Enter opens Advanced and makes a link, Space flips switches).
pub async fn keyboard_reaches_every_control_with_a_focus_ring(engine: Engine) {
    let c = composer_with(engine, &format!("{}keys", engine.tag()), &unique_video(90)).await;
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
        "Video",
        "Caption",
        "Who can view this video",
        "Allow Comment",
        "Allow Duet",
        "Allow Stitch",
        "Disclose video content",
        "Your brand",
        "Branded content",
        "AI-generated content",
        "Post now",
        "Schedule",
        "Share",
        "Share link",
    ] {
        assert!(reached.iter().any(|r| r == pinned), "{pinned:?} was not reached by Tab: {reached:?}");
    }
    assert!(unringed.is_empty(), "no visible focus ring on {unringed:?} (all: {reached:?})");
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

/// Choose "Send to TikTok as a draft" and see what it means.
pub async fn choose_draft(c: &Client) {
    control(c, "Send to TikTok as a draft").await.click().await.unwrap();
    wait_text(c, "[data-testid=draft-note]", |t| t.contains("TikTok inbox")).await;
}

/// A draft: the composer hides what TikTok ignores for it, "Send now" puts it in the inbox, the
/// queue says "In your TikTok inbox", then "Published" once the creator posts it in the app.
pub async fn send_a_draft_to_the_inbox(engine: Engine) {
    let c = composer_with(engine, &format!("{}draft", engine.tag()), &unique_video(2_100)).await;
    assert_eq!(control(&c, "Post to TikTok").await.prop("checked").await.unwrap().as_deref(), Some("true"), "direct by default");
    choose_draft(&c).await;
    // What TikTok ignores for a draft is not offered.
    for gone in ["Who can view this video", "Cover frame", "Allow Comment", "Disclose video content"] {
        assert!(c.find(Locator::Css(&format!("[aria-label='{gone}']"))).await.is_err(), "{gone} is still shown for a draft");
    }
    assert!(c.find(Locator::Css("details.advanced")).await.is_err());
    assert!(c.find(Locator::Css("[data-testid=declaration]")).await.is_err());
    wait_text(&c, "[data-testid=draft-caption-note]", |t| t.contains("doesn't receive")).await;
    click_button(&c, "Send now").await;
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("In your TikTok inbox")).await;
    assert!(!status.contains("Failed"), "{status}");
    wait_text(&c, "[data-testid=inbox-hint]", |t| t.contains("TikTok app")).await;

    // The queue says where it is.
    let s = session_of(&c).await;
    let post = s.get("/api/posts").await.body["posts"][0].clone();
    assert_eq!((post["mode"].as_str(), post["state"].as_str()), (Some("draft"), Some("sent_to_inbox")), "{post}");
    let id = post["id"].as_str().unwrap().to_string();
    c.goto(&format!("{}/posts", app_url())).await.unwrap();
    let row = format!("[data-testid=post][data-id='{id}']");
    let text = wait_text(&c, &row, |t| t.contains("In your TikTok inbox")).await;
    assert!(text.contains("Draft"), "{text}");

    // The creator finishes it in the TikTok app: the queue shows it published, with its link.
    creator_finishes(post["publish_id"].as_str().unwrap(), serde_json::json!({ "action": "post", "caption": "with a sound" })).await;
    wait_text_long(&c, &row, |t| t.contains("Published") && t.contains("View on TikTok")).await;
    c.close().await.unwrap();
}

/// A failing UI test leaves what a person needs to see why: a panic while a browser is open
/// saves its screenshot, the page's text and its console under target/e2e-failures/<test>/.
/// (The panic is caught here; the evidence hook runs for every panic.)
pub async fn a_failure_leaves_a_screenshot_the_page_text_and_the_console(engine: Engine) {
    let c = browser_in(engine).await;
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(&c, "main h1", |t| t == "New TikTok post").await;
    c.execute("console.error('evidence-marker: the console reached the evidence')", vec![]).await.unwrap();
    // Firefox and MiniBrowser write the console through their driver's log: give it a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let test = std::thread::current().name().unwrap().to_string();
    let dir = crate::evidence::folder_of(&test);
    let _ = std::fs::remove_dir_all(&dir);
    let caught = std::panic::catch_unwind(|| panic!("a deliberate failure, to test the evidence"));
    assert!(caught.is_err());
    let png = std::fs::read(dir.join(format!("1-{}-screenshot.png", engine.name().to_lowercase()))).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 1_000, "{} bytes", png.len());
    let page = std::fs::read_to_string(dir.join(format!("1-{}-page.json", engine.name().to_lowercase()))).expect("the page's text");
    assert!(page.contains("New TikTok post") && page.contains("/compose"), "{page}");
    assert!(page.contains("split___compose_view_"), "the files it fetched: {page}");
    let console = std::fs::read_to_string(dir.join(format!("1-{}-console.txt", engine.name().to_lowercase()))).expect("the console");
    // WebKitWebDriver hands out no page console, and MiniBrowser under --automation ignores
    // --enable-write-console-messages-to-stdout (measured): WebKit's file is its driver's log,
    // with the engine's own messages.
    if engine != Engine::WebKit {
        assert!(console.contains("evidence-marker: the console reached the evidence"), "{console}");
    }
    assert!(dir.join("processes.txt").is_file());
    // Not a real failure: leave nothing for the summary to point at.
    std::fs::remove_dir_all(&dir).unwrap();
    c.close().await.unwrap();
}

/// Every page in the states the suite names, under the Content-Security-Policy: signed out
/// (home, composer, accounts, queue, not-found, a refused callback), then connected through
/// the consent page (the callback's success), the composer with a checked video and Advanced
/// open, posting it to published, the queue with its calendar. The guard proves this engine
/// reports violations; then none but the guard's may exist.
pub async fn every_page_runs_under_the_csp(engine: Engine) {
    let c = browser_in(engine).await;
    for (path, ready) in [
        ("/", "[data-testid=worker-status]"),
        ("/compose", "[data-testid=composer]"),
        ("/accounts", "main h1"),
        ("/posts", "main h1"),
        ("/no/such/page", "main h1"),
        ("/oauth/callback?error=access_denied&error_description=no&state=x", "[data-testid=oauth-error]"),
    ] {
        csp::open(&c, path, ready).await;
    }
    let open_id = new_account(&format!("csp{}", engine.tag()), "creator").await;
    composer_for(&c, &open_id).await;
    let video = unique_video(900);
    pick(&c, &video, "csp.mp4").await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    c.find(Locator::Css("details.advanced summary")).await.unwrap().click().await.unwrap();
    set_caption(&c, &caption("under the CSP")).await;
    click_button(&c, "Post now").await;
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Published")).await;
    csp::open(&c, "/posts", "[data-testid=calendar]").await;
    csp::guard(&c, engine).await;
    csp::assert_no_violation(Duration::from_secs(1), &format!("{engine:?}")).await;
    c.close().await.unwrap();
}

/// Wait until `css` matches nothing (an element signed out, a list emptied).
async fn wait_gone(c: &Client, css: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    // An element may go stale while the list re-renders (WebKit): look again.
    while !c.find_all(Locator::Css(css)).await.is_ok_and(|found| found.is_empty()) {
        assert!(tokio::time::Instant::now() < deadline, "{css} is still on the page");
        poll.pause().await;
    }
}

/// Sessions you can end (issue 31): another browser signs in to an account, this browser signs
/// in too and sees itself ("This browser") and the other in the account's devices list (axe
/// passes with the list on the page), signs the other out from it (the other browser's next
/// page shows it signed out), then signs itself out with the header's "Sign out".
pub async fn sign_another_browser_out_then_sign_out(engine: Engine) {
    let label = format!("{}devices", engine.tag());
    let open_id = new_account(&label, "creator").await;
    let card = format!("[data-testid=account][data-open-id='{open_id}']");
    // The other browser signs in, and is put aside (one browser open per flow at a time).
    let other = browser_in(engine).await;
    connect_at(&other, &app_url(), &open_id).await;
    // Kept as the browser reports it (domain, path, SameSite, HttpOnly), to give back later.
    let other_cookie = other.get_named_cookie(letspost_core::session::COOKIE).await.expect("a session cookie");
    other.close().await.unwrap();

    let c = browser_in(engine).await;
    connect_at(&c, &app_url(), &open_id).await;
    let mine = wait_text(&c, &format!("{card} [data-testid=device][data-current=true]"), |t| t.contains("This browser")).await;
    assert!(mine.contains("Sign out"), "{mine}");
    let theirs = wait_text(&c, &format!("{card} [data-testid=device][data-current=false]"), |t| t.contains(" active ")).await;
    let engine_words = match engine {
        Engine::Chromium => "Chrome on Linux",
        Engine::Firefox => "Firefox on Linux",
        Engine::WebKit => "on Linux",
    };
    assert!(theirs.contains(engine_words) && theirs.contains("active in the last hour"), "{theirs}");
    crate::axe::assert_accessible(&c, "/accounts with the devices list").await;
    let s = session_of(&c).await;

    // Sign the other browser out from here.
    c.find(Locator::Css(&format!("{card} [data-testid=device][data-current=false] button"))).await.unwrap().click().await.unwrap();
    wait_gone(&c, &format!("{card} [data-testid=device][data-current=false]")).await;
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected", "this browser still holds it");

    // Sign out here: the session ends on the server, the page shows no account, and the cookie
    // this browser had holds nothing any more.
    c.find(Locator::Css("[data-testid=sign-out]")).await.unwrap().click().await.unwrap();
    wait_text(&c, "[data-testid=no-accounts]", |t| t.contains("No TikTok account")).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/accounts");
    assert!(s.account(&open_id).await.is_none(), "the signed-out session's cookie holds nothing");
    c.close().await.unwrap();

    // The other browser's next page: signed out of the account.
    let other = browser_in(engine).await;
    other.goto(&format!("{}/", app_url())).await.unwrap();
    other.add_cookie(other_cookie).await.unwrap();
    other.goto(&format!("{}/accounts", app_url())).await.unwrap();
    wait_text(&other, "[data-testid=no-accounts]", |t| t.contains("No TikTok account")).await;
    other.close().await.unwrap();
}
