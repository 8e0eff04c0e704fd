//! Posting schedules, "Add to queue", the week view and batches: helpers for the API tests
//! (`worker_schedule`) and the creator flows, written once and run by engine (`ui_schedule` in
//! Chromium, `ui_engines` in Firefox and WebKit).

use crate::api::{Answer, Session, new_account};
use crate::consent::click_button;
use crate::flows::{connect_at, control, pick, probe_fixture, session_of, set_caption, set_value, wait_text_long};
use crate::posts::{caption, new_post, now_ms, tiktok_posts, unique_video};
use crate::{Engine, app_url, browser_in, wait_text, wait_text_within};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction, TouchActions};
use fantoccini::{Client, Locator};
use letspost_core::time_fmt::{parse_rfc3339_ms, rfc3339_utc};
use serde_json::{Value, json};
use std::time::Duration;

pub const DAY_MS: u64 = 86_400_000;
pub const WEEK_MS: u64 = 7 * DAY_MS;
const DAYS: [(&str, &str); 7] = [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"), ("sat", "Sat"), ("sun", "Sun")];

/// A UTC schedule slot for the whole minute at or after `at_ms`: (day, `HH:MM`, its instant).
pub fn utc_slot(at_ms: u64) -> (&'static str, String, u64) {
    let minute = at_ms.div_ceil(60_000) * 60_000;
    // 1970-01-01 was a Thursday.
    let day = DAYS[((minute / DAY_MS + 3) % 7) as usize].0;
    let in_day = minute % DAY_MS;
    (day, format!("{:02}:{:02}", in_day / 3_600_000, in_day % 3_600_000 / 60_000), minute)
}

pub fn slot_json(at_ms: u64) -> (Value, u64) {
    let (day, time, at) = utc_slot(at_ms);
    (json!({ "day": day, "time": time }), at)
}

pub async fn put_schedule(s: &Session, account: &str, zone: &str, slots: Value) -> Answer {
    let body = json!({ "schedule": { "time_zone": zone, "slots": slots } });
    s.send(reqwest::Method::PUT, &format!("/api/accounts/{account}/schedule"), Some(body), Some(&s.base())).await
}

/// `POST /api/posts`' body for "Add to queue".
pub fn queued(account: &str, cap: &str, size: usize) -> Value {
    let mut body = new_post(account, cap, size);
    body.as_object_mut().unwrap().remove("publish_at");
    body["queue"] = json!(true);
    body
}

pub fn at_ms(post: &Value) -> u64 {
    parse_rfc3339_ms(post["publish_at"].as_str().unwrap_or_else(|| panic!("no publish_at: {post}"))).unwrap()
}

/// The account's posts as the API lists them.
async fn posts_of(s: &Session, account: &str) -> Vec<Value> {
    let all = s.get("/api/posts").await.body["posts"].as_array().cloned().unwrap_or_default();
    all.into_iter().filter(|p| p["account"] == account).collect()
}

/// "9:00" for "09:00", as the page writes times.
fn short(time: &str) -> &str {
    time.strip_prefix('0').filter(|t| t.len() == 4).unwrap_or(time)
}

/// On /accounts: set the zone to UTC, add two times and remove a third, all with the page's own
/// controls; then, in the composer, "Add to queue" shows the first time and the post goes out
/// at it.
pub async fn schedule_and_add_to_queue(engine: Engine) {
    let label = format!("{}queue", engine.tag());
    let open_id = new_account(&label, "creator").await;
    let c = browser_in(engine).await;
    connect_at(&c, &app_url(), &open_id).await;
    wait_text(&c, "[data-testid=posting-schedule] h2", |t| t == "Posting schedule").await;
    let s = session_of(&c).await;
    let path = format!("/api/accounts/{open_id}/schedule");
    // UTC, so the slots below are plain arithmetic whatever zone the browser runs in.
    set_value(&c, "Time zone", "UTC", "change").await;
    wait_until(|| async { s.get(&path).await.body["schedule"]["time_zone"] == "UTC" }, "the zone saved").await;

    let second = utc_slot(now_ms() + 3 * 3_600_000);
    let spare = utc_slot(now_ms() + 5 * 3_600_000);
    for (day, time, _) in [&second, &spare] {
        add_time(&c, day, time).await;
    }
    let name = format!("Remove {} {}", day_label(spare.0), short(&spare.1));
    control(&c, &name).await.click().await.unwrap();
    wait_text(&c, "[data-testid=schedule-status]", |t| t.starts_with("Removed")).await;
    // The first slot, added last: the first whole minute past the run's queue lead (and upload
    // lead) with PAGE_SECS for the composer's steps before "Add to queue" (it was 2–3 minutes
    // ahead with the one-minute queue lead, added first).
    // The composer's steps between here and "Add to queue" (open it, pick and check a video,
    // write the caption) take a few seconds; this many leaves room on a loaded machine.
    const PAGE_SECS: u64 = 30;
    let t = crate::cron::timing().await;
    let lead = t.queue_lead_ms.max(t.upload_lead_margin_ms);
    let first = utc_slot(now_ms() + lead + PAGE_SECS * 1_000);
    add_time(&c, first.0, &first.1).await;
    let stored = s.get(&path).await.body["schedule"]["slots"].clone();
    let mut want = vec![json!({ "day": first.0, "time": first.1 }), json!({ "day": second.0, "time": second.1 })];
    want.sort_by_key(|v| (DAYS.iter().position(|(d, _)| v["day"] == *d), v["time"].as_str().unwrap().to_string()));
    assert_eq!(stored, Value::Array(want), "what the page shows is what is stored");

    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(&c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    let video = unique_video(900);
    pick(&c, &video, &format!("{label}.mp4")).await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    let cap = caption(&format!("queued in {}", engine.name()));
    set_caption(&c, &cap).await;
    let line = wait_text(&c, "[data-testid=next-free]", |t| t.starts_with("Next free time: ")).await;
    let at = c.find(Locator::Css("[data-testid=next-free]")).await.unwrap().attr("data-at").await.unwrap().unwrap_or_default();
    let left = first.2 as i64 - now_ms() as i64;
    assert_eq!(parse_rfc3339_ms(&at), Some(first.2), "{line} ({left} ms before the first slot, queue lead {lead} ms: the page took over PAGE_SECS?)");
    assert!(line.contains(short(&first.1)), "the slot's own wall time: {line}");
    click_button(&c, "Add to queue").await;
    wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("Scheduled")).await;
    let posts = posts_of(&s, &open_id).await;
    assert_eq!((posts.len(), at_ms(&posts[0])), (1, first.2), "{posts:?}");
    let until = Duration::from_millis(first.2.saturating_sub(now_ms())) + Duration::from_secs(60);
    let status = c.idle(wait_text_within(&c, "[data-testid=post-status]", |t| t.contains("Published"), until)).await;
    assert!(!status.contains("Failed"), "{status}");
    let p = tiktok_posts(&cap).await;
    assert_eq!(p.len(), 1, "exactly one publish");
    let completed = p[0]["completed_at_ms"].as_u64().unwrap();
    assert!(completed + 1_000 >= first.2, "not before its slot: {completed} vs {}", first.2);
    // The queue moves on to the next time.
    wait_text(&c, "[data-testid=next-free]", |t| t.contains(short(&second.1))).await;
    c.close().await.unwrap();
}

fn day_label(day: &str) -> &'static str {
    DAYS.iter().find(|(d, _)| *d == day).unwrap().1
}

async fn add_time(c: &Client, day: &str, time: &str) {
    set_value(c, "Day", day, "change").await;
    set_value(c, "Time", time, "input").await;
    click_button(c, "Add time").await;
    let want = format!("Added {} {}.", day_label(day), short(time));
    wait_text(c, "[data-testid=schedule-status]", |t| t == want).await;
    let slot = format!("[data-testid=posting-schedule] li[data-day={day}] li[data-time='{time}']");
    wait_text(c, &slot, |t| t.contains(short(time))).await;
}

async fn wait_until<F, Fut>(check: F, what: &str)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "not within 20 s: {what}");
        poll.pause().await;
    }
}

/// The week view: a scheduled post dragged to another day keeps its time of day there; (in
/// Chromium, by touch) dragged onto a free slot takes that time; "Move" does it by keyboard.
/// Each move is announced, and the API has the new time.
pub async fn move_in_the_week_view(engine: Engine, touch: bool) {
    let label = format!("{}week", engine.tag());
    let open_id = new_account(&label, "creator").await;
    let c = browser_in(engine).await;
    connect_at(&c, &app_url(), &open_id).await;
    let s = session_of(&c).await;
    // Everything happens in the page's "next week": Monday to Sunday in the browser's zone, as
    // the week view counts it (now + 7 days is in the week after it on a weekend).
    let [post_at, free_at, target] = next_week_instants(&c, [(2, 10, 0), (4, 9, 0), (5, 11, 0)]).await;
    let (slot, free_at) = slot_json(free_at);
    assert_eq!(put_schedule(&s, &open_id, "UTC", json!([slot])).await.status, 200);
    let mut body = new_post(&open_id, &caption("week view"), 1_000);
    body["publish_at"] = json!(rfc3339_utc(post_at));
    let created = s.post("/api/posts", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();

    c.goto(&format!("{}/posts", app_url())).await.unwrap();
    click_button(&c, "Week").await;
    click_button(&c, "Next week").await;
    let chip = format!("[data-post='{id}']");
    // A post is grabbed by its text (its Move button is a button).
    let grip = format!("{chip} .wtext");
    c.wait().for_element(Locator::Css(&grip)).await.unwrap();

    // By pointer, to another day of that week.
    let js = "const chip = document.querySelector(arguments[0]); const day = chip.closest('[data-drop-day]').dataset.dropDay; \
              const other = [...document.querySelectorAll('[data-drop-day]')].map(e => e.dataset.dropDay).find(d => d !== day); \
              const o = new Date(arguments[1]); const p = n => String(n).padStart(2, '0'); \
              return [other, new Date(`${other}T${p(o.getHours())}:${p(o.getMinutes())}`).getTime()];";
    let before = publish_at(&s, &id).await;
    let v = c.execute(js, vec![json!(chip), json!(rfc3339_utc(before))]).await.unwrap();
    let (day, want) = (v[0].as_str().unwrap().to_string(), v[1].as_f64().unwrap() as u64);
    drag(&c, &grip, &format!("[data-drop-day='{day}'] h3"), false).await;
    let said = wait_text(&c, "[data-testid=week-status]", |t| t.starts_with("Moved")).await;
    assert!(said.contains("week view"), "{said}");
    wait_until(|| async { publish_at(&s, &id).await == want }, "the dragged post's new time").await;

    // Onto the free slot, by touch where the engine's driver has touch.
    if touch {
        let free = format!("[data-drop-at='{}']", rfc3339_utc(free_at));
        let log = "window.__ev = []; for (const t of ['pointerdown', 'pointerup', 'pointercancel']) document.addEventListener(t, e => \
                   window.__ev.push(`${t} ${e.pointerType} ${Math.round(e.clientX)},${Math.round(e.clientY)} ${e.target.className}`), true)";
        c.execute(log, vec![]).await.unwrap();
        drag(&c, &grip, &free, true).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let poll = crate::poll::Poll::new();
        while publish_at(&s, &id).await != free_at {
            if tokio::time::Instant::now() > deadline {
                let seen = c.execute("return [window.__ev, document.querySelector('[data-testid=week-status]').textContent, (document.querySelector('[data-testid=week-error]') || {}).textContent]", vec![]).await.unwrap();
                panic!("the post is not on the free slot {free}: {seen}");
            }
            poll.pause().await;
        }
        wait_text(&c, "[data-testid=week-status]", |t| t.starts_with("Moved")).await;
    }

    // By keyboard: Move, a date and time, Save.
    let local = c
        .execute(
            "const d = new Date(arguments[0]); const p = n => String(n).padStart(2, '0'); \
                  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;",
            vec![json!(target)],
        )
        .await
        .unwrap();
    // The week re-renders its posts when they are fetched again after a move: a chip found just
    // before may be replaced before the click lands (or, in WebKit, while finding it), so find
    // it again then. A click WebKit delivers while the chips are being replaced can reach no
    // button (seen once: the click answered, no editor opened): as a person would, click Move
    // again when its editor has not opened within 5 s, up to 3 times.
    let editor = Locator::Css("[aria-label='Move to date and time']");
    for clicks in 1.. {
        crate::again_if_stale(|| async {
            c.wait().for_element(Locator::Css(&chip)).await?.find(Locator::XPath(".//button[normalize-space(.)='Move']")).await?.click().await
        })
        .await
        .unwrap_or_else(|e| panic!("Move on the post: {e}"));
        match c.wait().at_most(Duration::from_secs(5)).for_element(editor).await {
            Ok(_) => break,
            Err(e) if clicks < 3 => eprintln!("Move's editor did not open ({e}); clicking Move again"),
            Err(e) => panic!("Move's editor did not open after {clicks} clicks: {e}"),
        }
    }
    set_value(&c, "Move to date and time", local.as_str().unwrap(), "input").await;
    click_button(&c, "Save").await;
    wait_until(|| async { publish_at(&s, &id).await == target }, "the moved post's new time").await;
    wait_text(&c, "[data-testid=week-status]", |t| t.starts_with("Moved")).await;
    c.close().await.unwrap();
}

/// Instants in the week after the browser's current one, each `(days after Monday, hour,
/// minute)` of local wall time: the week view's "Next week" (www/src/week.rs `monday(1)`),
/// computed by the same `Date` arithmetic in the same browser, so the test agrees with the page
/// on any weekday, month end or DST week.
pub async fn next_week_instants<const N: usize>(c: &Client, at: [(u32, u32, u32); N]) -> [u64; N] {
    let js = "const now = new Date(); const back = (now.getDay() + 6) % 7; \
              return arguments[0].map(([d, h, m]) => new Date(now.getFullYear(), now.getMonth(), now.getDate() - back + 7 + d, h, m).getTime());";
    let v = c.execute(js, vec![json!(at.as_slice())]).await.unwrap();
    let ms: Vec<u64> = v.as_array().unwrap().iter().map(|t| t.as_f64().unwrap() as u64).collect();
    ms.try_into().unwrap()
}

/// Press on `from`, move in steps onto `to`, let go: a person's drag, by mouse or by finger.
/// The week re-renders its chips when it fetches the posts again after a move, so an element
/// found a moment before may be gone when the driver reaches it: then find both again and drag
/// anew (the aborted gesture never reached a drop target).
async fn drag(c: &Client, from: &str, to: &str, touch: bool) {
    crate::again_if_stale(|| async {
        let from_el = c.wait().for_element(Locator::Css(from)).await?;
        let to_el = c.wait().for_element(Locator::Css(to)).await?;
        let done = drag_once(c, from_el, to_el, touch).await;
        c.release_actions().await?;
        done
    })
    .await
    .unwrap_or_else(|e| panic!("drag {from} onto {to}: {e}"));
}

async fn drag_once(c: &Client, from: fantoccini::elements::Element, to: fantoccini::elements::Element, touch: bool) -> Result<(), fantoccini::error::CmdError> {
    let step =
        |element: fantoccini::elements::Element, ms: u64| PointerAction::MoveToElement { element, duration: Some(Duration::from_millis(ms)), x: 0.0, y: 0.0 };
    let moves = [
        step(from, 0),
        PointerAction::Down { button: MOUSE_BUTTON_LEFT },
        PointerAction::MoveBy { duration: Some(Duration::from_millis(100)), x: 12.0, y: 12.0 },
        step(to, 300),
        PointerAction::Pause { duration: Duration::from_millis(100) },
        PointerAction::Up { button: MOUSE_BUTTON_LEFT },
    ];
    if touch {
        let mut a = TouchActions::new("finger".into());
        for m in moves {
            a = a.then(m);
        }
        c.perform_actions(a).await
    } else {
        let mut a = MouseActions::new("mouse".into());
        for m in moves {
            a = a.then(m);
        }
        c.perform_actions(a).await
    }
}

/// Three files at once, one of them refused: two posts in the two next slots, each with its
/// own caption; the refused one named with its reason. A create whose answer is lost and an
/// upload cut once are resumed without a second post.
pub async fn batch_add_all_to_queue(engine: Engine) {
    let label = format!("{}batch", engine.tag());
    let open_id = new_account(&label, "creator").await;
    let c = browser_in(engine).await;
    connect_at(&c, &app_url(), &open_id).await;
    let s = session_of(&c).await;
    let (a, a_ms) = slot_json(now_ms() + 2 * 3_600_000);
    let (b, b_ms) = slot_json(now_ms() + 4 * 3_600_000);
    assert_eq!(put_schedule(&s, &open_id, "UTC", json!([a, b])).await.status, 200);

    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(&c, "[data-testid=creator]", |t| t.starts_with("Posting as")).await;
    let shared = caption(&format!("batch in {}", engine.name()));
    set_caption(&c, &shared).await;
    // One pick of three files, as a person selects several in the file dialog.
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("letspost-batch-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (one, two) = (dir.join("first.mp4"), dir.join("second.mp4"));
    std::fs::write(&one, unique_video(700)).unwrap();
    std::fs::write(&two, unique_video(900)).unwrap();
    let image = probe_fixture("image.png");
    let paths = [one.display().to_string(), image, two.display().to_string()].join("\n");
    control(&c, "Video").await.send_keys(&paths).await.unwrap();
    wait_text(&c, "[data-testid=batch] h2", |t| t == "3 videos").await;
    let refused = wait_text(&c, "[data-testid=batch-item][data-name='image.png'] [data-testid=batch-verdict]", |t| !t.is_empty()).await;
    assert_eq!(refused, "Skipped: This is a PNG image. TikTok takes MP4 or MOV videos.");
    wait_text(&c, "[data-testid=batch-item][data-name='second.mp4'] [data-testid=batch-verdict]", |t| t.starts_with("Ready")).await;
    let own = caption("the second one's own caption");
    set_value(&c, "Caption for second.mp4", &own, "input").await;
    // The first create's answer is lost once, and the second video's first part is cut once.
    crate::posts::arm_worker_fault("drop-next-create-answer", &shared).await;
    crate::posts::arm_worker_fault("fail-next-media-put", &own).await;
    click_button(&c, "Add all to queue").await;
    for name in ["first.mp4", "second.mp4"] {
        let css = format!("[data-testid=batch-item][data-name='{name}'] [data-testid=batch-line]");
        wait_text_long(&c, &css, |t| t.starts_with("Scheduled for")).await;
    }
    crate::cron::assert_fault_fired("drop-next-create-answer", &shared).await;
    crate::cron::assert_fault_fired("fail-next-media-put", &own).await;
    let progress = wait_text(&c, "[data-testid=batch-progress]", |t| !t.is_empty()).await;
    let line = c.find(Locator::Css("[data-testid=batch-progress] progress")).await.unwrap();
    assert_eq!(line.attr("value").await.unwrap(), line.attr("max").await.unwrap(), "all sent: {progress}");

    let mut posts = posts_of(&s, &open_id).await;
    posts.sort_by_key(at_ms);
    assert_eq!(posts.len(), 2, "one post per accepted video, none twice: {posts:?}");
    assert_eq!((at_ms(&posts[0]), at_ms(&posts[1])), (a_ms, b_ms), "two consecutive slots");
    assert_eq!((posts[0]["caption"].as_str(), posts[1]["caption"].as_str()), (Some(shared.as_str()), Some(own.as_str())));
    for p in &posts {
        assert_eq!(p["state"], "scheduled", "{p}");
    }
    c.close().await.unwrap();
}

async fn publish_at(s: &Session, id: &str) -> u64 {
    at_ms(&s.get(&format!("/api/posts/{id}")).await.body["post"])
}
