//! A creator's day through the real app in headless Chromium, photographed for the README's
//! tour: the home page, an account connected through TikTok's consent page with a posting
//! schedule, the composer with a video checked, and the queue with its month and week views.
//! The PNGs go to docs/img/, 1280 px wide, so the README shows the app as it is today; the same
//! pages 390 px wide (a phone) go to target/tour-390/, to be looked at. Each picture waits for
//! the text it is meant to show; nothing here depends on the day or the time.

use fantoccini::Client;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use letspost_core::time_fmt::rfc3339_utc;
use letspost_e2e::api::create_account;
use letspost_e2e::consent::{click_button, decide};
use letspost_e2e::flows::{control, session_of, set_caption, wait_text_long};
use letspost_e2e::posts::{new_post, unique_video};
use letspost_e2e::schedule::{next_week_instants, put_schedule};
use letspost_e2e::{app_url, browser, wait_text};
use serde_json::json;
use std::time::Duration;

/// The whole page, 1280 px wide, as docs/img/<name>.png, and 390 px wide as
/// target/tour-390/<name>.png.
async fn shoot(c: &Client, name: &str) {
    // No focus ring or hover on the last button pressed: blur it, and the mouse to a corner.
    c.execute("document.activeElement && document.activeElement.blur()", vec![]).await.unwrap();
    let away = MouseActions::new("mouse".into()).then(PointerAction::MoveTo { duration: None, x: 0.0, y: 0.0 });
    c.perform_actions(away).await.unwrap();
    let js = "return [window.outerWidth, window.outerHeight, window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]";
    let v = c.execute(js, vec![]).await.unwrap();
    let n = |i: usize| v[i].as_u64().unwrap_or(0) as u32;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (width, dir) in [(1280, root.join("docs/img")), (390, root.join("target/tour-390"))] {
        // The viewport at this width × the page's height (measured in a short window, as a page
        // is never shorter than its window), so one picture holds the whole page and no more.
        let (width, chrome) = (width + n(2), n(3));
        c.set_window_size(width, 400 + chrome).await.unwrap();
        settle(c).await;
        let h = c.execute("return Math.ceil(document.documentElement.scrollHeight)", vec![]).await.unwrap().as_u64().unwrap_or(900) as u32;
        c.set_window_size(width, h.min(3_000) + chrome).await.unwrap();
        settle(c).await;
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
    }
    c.set_window_size(n(0), n(1)).await.unwrap();
}

/// Two frames, so the page is laid out at its new size.
async fn settle(c: &Client) {
    c.execute_async("requestAnimationFrame(() => requestAnimationFrame(arguments[0]))", vec![]).await.unwrap();
}

/// Wait (a little, without failing) until the composer's preview shows a frame.
async fn preview_frame(c: &Client) {
    let js = "const v = document.querySelector('[data-testid=preview] video'); return v ? v.readyState : 0";
    for _ in 0..50 {
        if c.execute(js, vec![]).await.unwrap().as_i64().unwrap_or(0) >= 2 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_creators_day_in_screenshots() {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000_000;
    let open_id = create_account(&format!("open-tour-{n}"), "maya.bakes", "Maya Bakes", "creator").await;
    let c = browser().await;

    // Morning: what LetsPost is, then connect TikTok.
    c.goto(&app_url()).await.unwrap();
    wait_text(&c, "main h1", |t| t == "Post to TikTok, now or later").await;
    wait_text(&c, "[data-testid=rules]", |t| t.contains("What TikTok accepts")).await;
    shoot(&c, "1-home").await;
    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    click_button(&c, "Connect TikTok").await;
    decide(&c, &open_id, "approve").await;
    wait_text(&c, &format!("[data-testid=account][data-open-id='{open_id}']"), |t| t.contains("Connected")).await;

    // A posting schedule in the zone the account started in (the browser's).
    let s = session_of(&c).await;
    let zone = s.get(&format!("/api/accounts/{open_id}/schedule")).await.body["schedule"]["time_zone"].as_str().unwrap().to_string();
    let slots = [("mon", "09:00"), ("wed", "09:00"), ("wed", "17:30"), ("fri", "09:00"), ("sat", "11:00")];
    let slots = json!(slots.map(|(day, time)| json!({ "day": day, "time": time })));
    assert_eq!(put_schedule(&s, &open_id, &zone, slots).await.status, 200);
    c.refresh().await.unwrap();
    wait_text(&c, "[data-testid=posting-schedule] li[data-day=sat] li[data-time='11:00']", |t| t.contains("11:00")).await;
    shoot(&c, "2-accounts").await;

    // Compose: a video checked in the browser, a caption, and the next free time.
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(&c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    // A file of its own name, as a creator's would be (flows::pick prefixes a unique one).
    let file = std::env::temp_dir().join(format!("letspost-tour-{}", std::process::id())).join("sourdough.mp4");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, unique_video(900)).unwrap();
    control(&c, "Video").await.send_keys(&file.display().to_string()).await.unwrap();
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    set_caption(&c, "Sourdough, start to finish #baking #bread").await;
    wait_text(&c, "[data-testid=next-free]", |t| t.starts_with("Next free time: ")).await;
    preview_frame(&c).await;
    shoot(&c, "3-compose").await;
    click_button(&c, "Add to queue").await;
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Scheduled")).await;

    // The rest of the week, made as the composer makes posts: one out now, two next week (one
    // on a schedule time, one at a time of its own).
    let video = unique_video(500);
    let (made, _) = s.post_video(new_post(&open_id, "Crumb shot, no filter #bread", video.len()), &video).await;
    let published = made.body["post"]["id"].as_str().unwrap().to_string();
    let at = next_week_instants(&c, [(1, 12, 0), (2, 17, 30)]).await;
    let mut later = Vec::new();
    for (when, cap) in at.into_iter().zip(["Shaping a boule in 60 seconds", "Behind the counter at 6 am"]) {
        let video = unique_video(600);
        let mut body = new_post(&open_id, cap, video.len());
        body["publish_at"] = json!(rfc3339_utc(when));
        let (made, staged) = s.post_video(body, &video).await;
        assert_eq!(staged.status, 201, "{}", staged.body);
        later.push(made.body["post"]["id"].as_str().unwrap().to_string());
    }
    s.wait_linked(&published, Duration::from_secs(120)).await;

    // The queue: every post with its state, and the month.
    c.goto(&format!("{}/posts", app_url())).await.unwrap();
    wait_text_long(&c, &format!("[data-testid=post][data-id='{published}']"), |t| t.contains("Published")).await;
    for id in &later {
        wait_text(&c, &format!("[data-testid=post][data-id='{id}']"), |t| t.contains("Scheduled")).await;
    }
    wait_text(&c, "[data-testid=calendar] h2", |t| !t.is_empty()).await;
    shoot(&c, "4-posts").await;

    // Next week: the free schedule times beside the posts, ready to drag.
    click_button(&c, "Week").await;
    click_button(&c, "Next week").await;
    for id in &later {
        wait_text(&c, &format!("[data-testid=week-view] [data-post='{id}']"), |t| !t.is_empty()).await;
    }
    wait_text(&c, "[data-testid=week-view] li.free", |t| t.starts_with("Free")).await;
    shoot(&c, "5-week").await;
    c.close().await.unwrap();
}
