//! The numbers a creator sees after posting (issue 33), written once and run in each engine
//! (`tests/ui_analytics.rs`): a published post's numbers in its row on `/posts` and its panel
//! with a chart of each, "Refresh numbers" (and its back-off when asked again at once), the
//! followers chart on `/accounts`, and "Use suggested times" in the posting-schedule editor.
//! TikTok's side is the emulator's: its counts are set through its test hook, so nothing waits
//! for real hours. In Chromium the same states pass axe and are photographed at 1280 and 390 px
//! (`target/analytics-shots/*.png`).

use crate::api::{Session, emulator_patch_account};
use crate::axe::assert_accessible;
use crate::consent::click_button;
use crate::cron::test_hook;
use crate::flows::{connect_at, session_of};
use crate::posts::{caption, new_post, unique_video};
use crate::schedule::put_schedule;
use crate::{Engine, app_url, browser_in, emulator_url, http, wait_text};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use std::time::Duration;

/// Set a TikTok post's counts at the emulator (`PATCH /__emulator/videos/{post_id}`).
pub async fn set_counts(post_id: &str, counts: Value) {
    let r = http().patch(format!("{}/__emulator/videos/{post_id}", emulator_url())).json(&counts).send().await.unwrap();
    assert!(r.status().is_success(), "emulator videos/{post_id}: {} {}", r.status(), r.text().await.unwrap_or_default());
}

/// A public post published through the API as this browser's session, with its TikTok post
/// id; (LetsPost's id, TikTok's).
pub async fn published_post(s: &Session, open_id: &str, cap: &str) -> (String, String) {
    let video = unique_video(700);
    let (made, _) = s.post_video(new_post(open_id, cap, video.len()), &video).await;
    let id = made.body["post"]["id"].as_str().unwrap().to_string();
    let p = s.wait_post(&id, Duration::from_secs(120), "was named by TikTok", |p| p["state"] == "published" && p["tiktok_post_id"].is_string()).await;
    let tiktok = p["tiktok_post_id"].as_str().unwrap().to_string();
    assert!(tiktok.len() >= 18 && tiktok.bytes().all(|b| b.is_ascii_digit()), "a post id as a string of digits: {tiktok}");
    (id, tiktok)
}

/// An element's attribute.
async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).attr(name).await.unwrap()
}

/// The chart inside `scope`: an SVG image with a name, a line or a dot per reading, and the
/// readings as table rows; the summary sentence under it; returns the table's text.
async fn assert_chart(c: &Client, scope: &str, rows: usize) -> String {
    let svg = format!("{scope} svg.chart-svg");
    assert_eq!(attr(c, &svg, "role").await.as_deref(), Some("img"));
    let named_by = attr(c, &svg, "aria-labelledby").await.expect("the chart is named");
    let title = c.find(Locator::Css(&format!("{svg} title"))).await.unwrap();
    assert_eq!(title.attr("id").await.unwrap().as_deref(), Some(named_by.as_str()));
    let dots = c.find_all(Locator::Css(&format!("{svg} circle.dot"))).await.unwrap();
    assert_eq!(dots.len(), rows, "a dot per reading in {scope}");
    let found = c.find_all(Locator::Css(&format!("{scope} table[data-testid=chart-numbers] tbody tr"))).await.unwrap();
    assert_eq!(found.len(), rows, "a table row per reading in {scope}");
    // The table is visually hidden, so its text is read through the DOM, not WebDriver's text.
    let js = "return document.querySelector(arguments[0]).textContent";
    c.execute(js, vec![json!(format!("{scope} table[data-testid=chart-numbers]"))]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// The (visually hidden) table's text of the chart in `scope` once `pred` holds: the panel asks
/// for the post's readings after it is drawn.
async fn chart_text_when(c: &Client, scope: &str, pred: impl Fn(&str) -> bool) -> String {
    let js = "const t = document.querySelector(arguments[0]); return t ? t.textContent : ''";
    let css = format!("{scope} table[data-testid=chart-numbers]");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    loop {
        let text = c.execute(js, vec![json!(css)]).await.unwrap().as_str().unwrap_or_default().to_string();
        if pred(&text) {
            return text;
        }
        assert!(tokio::time::Instant::now() < deadline, "{css}: {text:?}");
        poll.pause().await;
    }
}

/// The page fits the window: nothing wider than it (else the elements that stick out).
async fn assert_fits(c: &Client, what: &str) {
    let js = r#"const w = window.innerWidth;
        const out = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5)
            .filter(e => !e.closest('.visually-hidden'))
            .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right));
        return [document.documentElement.scrollWidth, w, out.join(', ')]"#;
    let v = c.execute(js, vec![]).await.unwrap();
    let (scroll, inner) = (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0));
    assert!(scroll <= inner, "{what}: the page is {scroll} px wide in a {inner} px window; sticking out: {}", v[2]);
}

/// Photograph the page at `width` (the whole page's height), to target/e2e-out/<name>.png.
pub async fn shoot(c: &Client, name: &str, width: u32) {
    c.execute("document.activeElement && document.activeElement.blur()", vec![]).await.unwrap();
    let js = "return [window.outerWidth, window.outerHeight, window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]";
    let v = c.execute(js, vec![]).await.unwrap();
    let n = |i: usize| v[i].as_u64().unwrap_or(0) as u32;
    let (w, chrome) = (width + n(2), n(3));
    c.set_window_size(w, 400 + chrome).await.unwrap();
    settle(c).await;
    // The whole page in one window, seen from its top (the main area fills the window, so
    // the page's height is measured again once the window has it).
    for _ in 0..2 {
        let h = c.execute("return Math.ceil(document.documentElement.scrollHeight)", vec![]).await.unwrap().as_u64().unwrap_or(900) as u32;
        c.set_window_size(w, h.min(4_000) + chrome).await.unwrap();
        settle(c).await;
    }
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    settle(c).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/analytics-shots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
    let fits = assert_fits(c, name);
    fits.await;
    c.set_window_size(n(0), n(1)).await.unwrap();
    settle(c).await;
}

async fn settle(c: &Client) {
    c.execute_async("requestAnimationFrame(() => requestAnimationFrame(arguments[0]))", vec![]).await.unwrap();
}

/// The whole flow in one browser: connect (analytics allowed), a published post's numbers in
/// its row and its chart panel, "Refresh numbers" and its back-off, the followers chart, and
/// "Use suggested times". Chromium also runs axe on each state and takes the screenshots.
pub async fn numbers_and_charts(engine: Engine) {
    let label = format!("{}nums", engine.tag());
    let open_id = crate::api::new_account(&label, "creator").await;
    let c = browser_in(engine).await;
    connect_at(&c, &app_url(), &open_id).await;
    let account = format!("[data-testid=account][data-open-id='{open_id}']");
    let s = session_of(&c).await;
    assert_eq!(s.account(&open_id).await.unwrap()["analytics"], "on", "connecting asked for the analytics scopes and got them");

    // A post published now, named by TikTok; then TikTok's counts for it.
    let cap = caption(&format!("numbers in {}", engine.name()));
    let (id, tiktok_id) = published_post(&s, &open_id, &cap).await;
    c.goto(&format!("{}/posts", app_url())).await.unwrap();
    let row = format!("[data-testid=post][data-id='{id}']");
    wait_text(&c, &format!("{row} [data-testid=numbers]"), |t| !t.is_empty()).await;
    set_counts(&tiktok_id, json!({ "view_count": 12_345, "like_count": 678, "comment_count": 90, "share_count": 12 })).await;

    // The panel: "Refresh numbers" reads them now.
    click_button(&c, "Numbers and chart").await;
    wait_text(&c, &format!("{row} [data-testid=numbers-panel] h2"), |t| t == "Numbers over time").await;
    click_button(&c, "Refresh numbers").await;
    let line = wait_text(&c, &format!("{row} [data-testid=numbers]"), |t| t.contains("12,345")).await;
    for want in ["12,345 views", "678 likes", "90 comments", "12 shares"] {
        assert!(line.contains(want), "{want} in {line:?}");
    }
    wait_text(&c, &format!("{row} [data-testid=refresh-note]"), |t| t.contains("refreshed")).await;
    // Publishing (0), then each reading LetsPost keeps (the refresh's among them).
    let kept = s.get(&format!("/api/posts/{id}/metrics")).await.body["readings"].as_array().map_or(0, Vec::len);
    assert!(kept >= 1, "the refresh's reading is kept");
    let views = assert_chart(&c, &format!("{row} [data-chart^=views]"), kept + 1).await;
    assert!(views.contains("12,345"), "the views chart's table: {views:?}");
    let shares = assert_chart(&c, &format!("{row} [data-chart^=shares]"), kept + 1).await;
    assert!(shares.contains("12"), "{shares:?}");
    let summary = wait_text(&c, &format!("{row} [data-chart^=likes] [data-testid=chart-summary]"), |t| t.contains("678")).await;
    assert!(summary.starts_with("Likes from "), "{summary}");
    // The API has them too, and the 19-digit id as it was.
    let p = s.get(&format!("/api/posts/{id}")).await.body["post"].clone();
    assert_eq!((p["metrics"]["views"].as_u64(), p["tiktok_post_id"].as_str()), (Some(12_345), Some(tiktok_id.as_str())));

    // Asked again at once: the Worker says when, and the page says so.
    click_button(&c, "Refresh numbers").await;
    let note = wait_text(&c, &format!("{row} [data-testid=refresh-note]"), |t| t.contains("try again in")).await;
    assert!(note.contains("minute"), "{note}");
    // Six minutes on (the Worker's analytics clock moved back) TikTok counts more views: a
    // second refresh adds a reading, and the charts draw every reading the post has (asked of
    // GET /api/posts/{id}/metrics when the panel is drawn), not only the latest.
    set_counts(&tiktok_id, json!({ "view_count": 20_000 })).await;
    test_hook(&format!("accounts/{open_id}/analytics/shift"), json!({ "by_ms": 6 * 60_000 })).await;
    click_button(&c, "Refresh numbers").await;
    wait_text(&c, &format!("{row} [data-testid=numbers]"), |t| t.contains("20,000 views")).await;
    let views_chart = format!("{row} [data-chart^=views]");
    let both = chart_text_when(&c, &views_chart, |t| t.contains("12,345") && t.contains("20,000")).await;
    // Publishing (0), then the two readings, oldest first, each as text.
    assert_eq!(assert_chart(&c, &views_chart, 3).await, both);
    assert!(both.find("12,345") < both.find("20,000"), "oldest first: {both:?}");
    let likes = assert_chart(&c, &format!("{row} [data-chart^=likes]"), 3).await;
    assert_eq!(likes.matches("678").count(), 2, "both readings' likes: {likes:?}");
    let kept = s.get(&format!("/api/posts/{id}/metrics")).await.body;
    let views: Vec<u64> = kept["readings"].as_array().unwrap().iter().map(|r| r["views"].as_u64().unwrap()).collect();
    assert_eq!(views, [12_345, 20_000], "{kept}");
    if engine == Engine::Chromium {
        assert_accessible(&c, "/posts (a published post's numbers and charts, a refresh refused)").await;
        shoot(&c, "analytics-posts-1280", 1280).await;
        shoot(&c, "analytics-posts-390", 390).await;
    }

    // /accounts: the followers chart. A snapshot was taken when the account connected; two
    // more days pass (the Worker's test hook moves its times back a day and runs its round),
    // the account gaining followers on TikTok meanwhile.
    for followers in [1_200, 1_500] {
        emulator_patch_account(&open_id, json!({ "follower_count": followers })).await;
        test_hook(&format!("accounts/{open_id}/analytics/shift"), json!({ "by_ms": DAY_MS })).await;
    }
    assert_eq!(stats_count(&s, &open_id).await, 3, "a snapshot a day");
    // Best times from the creator's own history: 12 posts over six weeks, each first day's
    // views known; Wednesdays at 18:00 did far better. In UTC, so the slot is plain.
    assert_eq!(put_schedule(&s, &open_id, "UTC", json!([])).await.status, 200);
    test_hook(&format!("accounts/{open_id}/analytics/track"), history(crate::posts::now_ms())).await;

    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    let counts = wait_text(&c, &format!("{account} [data-testid=account-counts]"), |t| t.contains("followers")).await;
    assert!(counts.contains("1,500 followers"), "{counts}");
    let table = assert_chart(&c, &format!("{account} [data-testid=account-numbers]"), 3).await;
    assert!(table.contains("1,200") && table.contains("1,500"), "every reading as text: {table:?}");
    assert_eq!(attr(&c, &format!("{account} [data-testid=account-numbers] svg.chart-svg"), "role").await.as_deref(), Some("img"));

    // "Use suggested times": the best hour is marked in the week until saved.
    click_button(&c, "Use suggested times").await;
    let note = wait_text(&c, &format!("{account} [data-testid=suggestion-note]"), |t| t.contains("best times")).await;
    assert!(note.starts_with("From your 1") && note.contains("Wed 18:00") && !note.contains("Mon 9:00"), "{note}");
    let suggested = format!("{account} [data-testid=posting-schedule] li[data-day=wed] li.suggested[data-time='18:00']");
    wait_text(&c, &suggested, |t| t.contains("18:00")).await;
    let path = format!("/api/accounts/{open_id}/schedule");
    assert_eq!(s.get(&path).await.body["schedule"]["slots"], json!([]), "nothing is saved before the creator saves");
    if engine == Engine::Chromium {
        assert_accessible(&c, "/accounts (the followers chart, suggested times shown)").await;
        shoot(&c, "analytics-accounts-1280", 1280).await;
        shoot(&c, "analytics-accounts-390", 390).await;
    }
    click_button(&c, "Save suggested times").await;
    wait_text(&c, &format!("{account} [data-testid=schedule-status]"), |t| t.starts_with("Added 1 suggested time")).await;
    wait_text(&c, &format!("{account} [data-testid=posting-schedule] li[data-day=wed] li.slot[data-time='18:00']"), |t| t.contains("18:00")).await;
    assert_eq!(s.get(&path).await.body["schedule"]["slots"], json!([{ "day": "wed", "time": "18:00" }]));

    // A second account whose creator didn't allow the numbers (connected with the posting
    // scopes only): its card says how to allow them, and "Allow analytics" is the connect flow
    // again, asking TikTok for them.
    let refused = crate::api::new_account(&format!("{label}no"), "creator").await;
    assert_eq!(s.connect(&refused).await.status, 200);
    // A sign-in hands out a new session cookie: the browser takes it, as its own sign-in would.
    let fresh = s.cookie().expect("a session cookie");
    let value = fresh.split_once('=').map_or("", |(_, v)| v).to_string();
    let mut mine = c.get_named_cookie(letspost_core::session::COOKIE).await.expect("a session cookie");
    if mine.value() != value {
        mine.set_value(value);
        c.delete_cookie(letspost_core::session::COOKIE).await.unwrap();
        c.add_cookie(mine).await.unwrap();
    }
    c.refresh().await.unwrap();
    let card = format!("[data-testid=account][data-open-id='{refused}']");
    let banner = wait_text(&c, &format!("{card} [data-testid=allow-analytics]"), |t| t.contains("Allow analytics")).await;
    assert!(banner.contains("Posting works either way"), "{banner}");
    assert!(c.find(Locator::Css(&format!("{card} [data-testid=account-numbers]"))).await.is_err(), "no chart without the numbers");
    if engine == Engine::Chromium {
        assert_accessible(&c, "/accounts (an account whose numbers weren't allowed)").await;
    }
    c.find(Locator::Css(&format!("{card} [data-testid=allow-analytics] button"))).await.unwrap().click().await.unwrap();
    wait_text(&c, "h1", |t| t.contains("LetsPost wants")).await;
    let scope = c.find(Locator::Css("input[name=scope]")).await.unwrap().attr("value").await.unwrap().unwrap_or_default();
    assert!(scope.contains("video.list") && scope.contains("user.info.stats"), "{scope}");
    crate::consent::decide(&c, &refused, "approve").await;
    wait_text(&c, &format!("{card} [data-testid=account-numbers] h2"), |t| t == "On TikTok").await;
    assert_eq!(session_of(&c).await.account(&refused).await.unwrap()["analytics"], "on");
    c.close().await.unwrap();
}

const DAY_MS: u64 = 86_400_000;

/// Twelve posts over the six weeks before `now`, as `analytics/track` takes them: each week one
/// on Wednesday at 18:00 UTC (30,000 views in its first day) and one on Monday at 09:00 UTC
/// (1,000). Wednesday stays best also when the flow's own post (12,345 views, published "two
/// days ago" once the days have passed) is scored with them.
fn history(now: u64) -> Value {
    const WEEK: u64 = 7 * DAY_MS;
    // 1970-01-01 was a Thursday: Monday is 4 days into a Unix week.
    let this_monday = (now - 4 * DAY_MS) / WEEK * WEEK + 4 * DAY_MS;
    let posts: Vec<Value> = (1..=6u64)
        .flat_map(|w| {
            let monday = this_monday - w * WEEK;
            [(monday + 9 * 3_600_000, 1_000), (monday + 2 * DAY_MS + 18 * 3_600_000, 30_000)]
        })
        .enumerate()
        .map(|(i, (at, views))| json!({ "id": format!("history-{i}"), "tiktok_post_id": format!("{}", 7_300_000_000_000_000_000u64 + i as u64), "published_at_ms": at, "first_day_views": views }))
        .collect();
    Value::Array(posts)
}

async fn stats_count(s: &Session, open_id: &str) -> usize {
    let a = s.get(&format!("/api/accounts/{open_id}/stats")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["stats"].as_array().map_or(0, Vec::len)
}
