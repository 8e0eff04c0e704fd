//! Posting schedules and "Add to queue" over HTTP, through workerd and the emulator: the
//! schedule's round trip and refusals, slots two creates can't share, a slot freed by
//! cancelling, a full or empty schedule, and a queued post published at its slot.
//! (The daylight-saving cases are the `posting-schedule` crate's unit tests.)

use letspost_core::time_fmt::{parse_rfc3339_ms, rfc3339_utc};
use letspost_e2e::api::{Session, new_account};
use letspost_e2e::cron::timing;
use letspost_e2e::posts::{caption, now_ms, unique_video};
use letspost_e2e::schedule::{DAY_MS, WEEK_MS, at_ms, put_schedule, queued, slot_json as utc_slot};
use serde_json::{Value, json};
use std::time::Duration;

async fn connected_in(label: &str, zone: &str) -> (Session, String) {
    let account = new_account(label, "creator").await;
    let s = Session::new();
    let a = s.connect_in(&account, zone).await;
    assert_eq!(a.status, 200, "{}", a.body);
    (s, account)
}

#[tokio::test]
async fn the_schedule_round_trips_and_bad_ones_are_refused_by_field() {
    let (s, account) = connected_in("sched-rt", "Asia/Tokyo").await;
    let path = format!("/api/accounts/{account}/schedule");
    let fresh = s.get(&path).await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(fresh.body, json!({ "schedule": { "time_zone": "Asia/Tokyo", "slots": [] } }), "a new account: the browser's zone, no slots");

    let slots =
        json!([{ "day": "sun", "time": "08:00" }, { "day": "mon", "time": "18:30" }, { "day": "mon", "time": "09:00" }, { "day": "sun", "time": "08:00" }]);
    let put = put_schedule(&s, &account, "europe/berlin", slots).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let want = json!({ "schedule": { "time_zone": "Europe/Berlin", "slots": [
        { "day": "mon", "time": "09:00" }, { "day": "mon", "time": "18:30" }, { "day": "sun", "time": "08:00" }] } });
    assert_eq!(put.body, want, "stored canonical: the zone's own name, sorted, no duplicates");
    assert_eq!(s.get(&path).await.body, want);

    for (zone, slots, field) in [
        ("Mars/Olympus", json!([]), "time_zone"),
        ("", json!([]), "time_zone"),
        ("UTC", json!([{ "day": "monday", "time": "09:00" }]), "slots"),
        ("UTC", json!([{ "day": "mon", "time": "9:00" }]), "slots"),
        ("UTC", json!([{ "day": "mon", "time": "24:00" }]), "slots"),
    ] {
        let r = put_schedule(&s, &account, zone, slots.clone()).await;
        assert_eq!((r.status, r.body["error"]["field"].as_str()), (422, Some(field)), "{zone} {slots}: {}", r.body);
        assert!(r.body["error"]["message"].as_str().unwrap().len() > 20, "a sentence: {}", r.body);
    }
    let not_json = s.send(reqwest::Method::PUT, &path, Some(json!({ "schedule": { "slots": "x" } })), Some(&s.base())).await;
    assert_eq!(not_json.status, 400, "{}", not_json.body);
    assert_eq!(s.get(&path).await.body, want, "refusals change nothing");

    // Another browser connecting the same account (from New York) sees the same schedule.
    let other = Session::new();
    assert_eq!(other.connect_in(&account, "America/New_York").await.status, 200);
    assert_eq!(other.get(&path).await.body, want);
    // A session without the account: as if it did not exist.
    let stranger = Session::new();
    assert_eq!(stranger.get(&path).await.status, 404);
    assert_eq!(put_schedule(&stranger, &account, "UTC", json!([])).await.status, 404);
    assert_eq!(stranger.get(&format!("/api/accounts/{account}/queue")).await.status, 404);
}

#[tokio::test]
async fn two_browsers_queueing_at_once_get_two_slots_and_cancelling_frees_one() {
    let (s, account) = connected_in("sched-race", "UTC").await;
    let other = Session::new();
    assert_eq!(other.connect_in(&account, "UTC").await.status, 200);
    let now = now_ms();
    let (a, a_ms) = utc_slot(now + 3 * 3_600_000);
    let (b, b_ms) = utc_slot(now + 5 * 3_600_000);
    assert_eq!(put_schedule(&s, &account, "UTC", json!([a, b])).await.status, 200);
    let next = s.get(&format!("/api/accounts/{account}/queue")).await;
    assert_eq!(next.body["next_free_at"], rfc3339_utc(a_ms), "{}", next.body);

    let cap = caption("queued race");
    let (one, two) = tokio::join!(s.post("/api/posts", queued(&account, &cap, 1_000)), other.post("/api/posts", queued(&account, &cap, 1_000)));
    assert_eq!((one.status, two.status), (201, 201), "{} {}", one.body, two.body);
    let mut got = [at_ms(&one.body["post"]), at_ms(&two.body["post"])];
    got.sort();
    assert_eq!(got, [a_ms, b_ms], "two different slots, the two earliest");
    let next = s.get(&format!("/api/accounts/{account}/queue")).await;
    assert_eq!(next.body["next_free_at"], rfc3339_utc(a_ms + WEEK_MS), "both taken: next week's first");

    // The week view's free slots leave the held ones out.
    let window = format!("/api/accounts/{account}/slots?from={}&to={}", rfc3339_utc(now), rfc3339_utc(now + 8 * DAY_MS));
    let free = s.get(&window).await;
    assert_eq!(free.status, 200, "{}", free.body);
    let free: Vec<&str> = free.body["free"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(!free.contains(&rfc3339_utc(a_ms).as_str()) && !free.contains(&rfc3339_utc(b_ms).as_str()), "{free:?}");
    assert!(free.contains(&rfc3339_utc(a_ms + WEEK_MS).as_str()), "{free:?}");
    // Last week's times are past, not free.
    let past = format!("/api/accounts/{account}/slots?from={}&to={}", rfc3339_utc(now - WEEK_MS), rfc3339_utc(now));
    assert_eq!(s.get(&past).await.body["free"], json!([]));

    // Cancelling the post at the first slot frees it for the next queued post.
    let first = if at_ms(&one.body["post"]) == a_ms { &one } else { &two };
    let id = first.body["post"]["id"].as_str().unwrap();
    assert_eq!(s.delete(&format!("/api/posts/{id}")).await.status, 200);
    let next = s.get(&format!("/api/accounts/{account}/queue")).await;
    assert_eq!(next.body["next_free_at"], rfc3339_utc(a_ms), "freed: {}", next.body);
    let again = s.post("/api/posts", queued(&account, &caption("queued again"), 1_000)).await;
    assert_eq!((again.status, at_ms(&again.body["post"])), (201, a_ms), "{}", again.body);

    // Rescheduling a queued post by hand moves its hold with it.
    let moved = again.body["post"]["id"].as_str().unwrap();
    let r = s.patch(&format!("/api/posts/{moved}"), json!({ "publish_at": rfc3339_utc(a_ms + 3_600_000) })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let next = s.get(&format!("/api/accounts/{account}/queue")).await;
    assert_eq!(next.body["next_free_at"], rfc3339_utc(a_ms), "{}", next.body);
}

#[tokio::test]
async fn a_retried_queued_create_keeps_its_slot() {
    let (s, account) = connected_in("sched-key", "UTC").await;
    let (a, a_ms) = utc_slot(now_ms() + 2 * 3_600_000);
    assert_eq!(put_schedule(&s, &account, "UTC", json!([a])).await.status, 200);
    let body = queued(&account, &caption("queued keyed"), 1_000);
    let base = s.base();
    let send = || s.send_with(reqwest::Method::POST, "/api/posts", Some(&base), |r| r.header("Idempotency-Key", "queue-key-1").json(&body));
    let first = send().await;
    let again = send().await;
    assert_eq!((first.status, again.status), (201, 201), "{} {}", first.body, again.body);
    assert_eq!(first.body["post"]["id"], again.body["post"]["id"]);
    assert_eq!((at_ms(&first.body["post"]), at_ms(&again.body["post"])), (a_ms, a_ms));
    assert_eq!(s.get(&format!("/api/accounts/{account}/queue")).await.body["next_free_at"], rfc3339_utc(a_ms + WEEK_MS));
    // The key again with another body: refused, and the first post keeps its slot.
    let mut other = body.clone();
    other["caption"] = json!(caption("another body"));
    let reused = s.send_with(reqwest::Method::POST, "/api/posts", Some(&base), |r| r.header("Idempotency-Key", "queue-key-1").json(&other)).await;
    assert_eq!((reused.status, reused.body["error"]["code"].as_str()), (422, Some("idempotency_key_reused")), "{}", reused.body);
    assert_eq!(s.get(&format!("/api/accounts/{account}/queue")).await.body["next_free_at"], rfc3339_utc(a_ms + WEEK_MS));
}

#[tokio::test]
async fn no_schedule_or_no_free_slot_is_a_422_on_queue_that_says_what_to_do() {
    let (s, account) = connected_in("sched-full", "UTC").await;
    let empty = s.post("/api/posts", queued(&account, &caption("no schedule"), 1_000)).await;
    assert_eq!(
        (empty.status, empty.body["error"]["field"].as_str(), empty.body["error"]["code"].as_str()),
        (422, Some("queue"), Some("schedule_empty")),
        "{}",
        empty.body
    );
    assert!(empty.body["error"]["message"].as_str().unwrap().contains("Add times"), "{}", empty.body);
    let next = s.get(&format!("/api/accounts/{account}/queue")).await;
    assert_eq!((next.body["next_free_at"].clone(), next.body["code"].as_str()), (Value::Null, Some("schedule_empty")), "{}", next.body);

    let mut both = queued(&account, &caption("both"), 1_000);
    both["publish_at"] = json!(rfc3339_utc(now_ms() + 3_600_000));
    let r = s.post("/api/posts", both).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (422, Some("queue")), "{}", r.body);

    // One weekly slot: four or five times in the next 30 days, then the schedule is full.
    let (a, _) = utc_slot(now_ms() + 3_600_000);
    assert_eq!(put_schedule(&s, &account, "UTC", json!([a])).await.status, 200);
    let mut made = 0;
    let full = loop {
        let r = s.post("/api/posts", queued(&account, &caption("fill"), 1_000)).await;
        if r.status != 201 {
            break r;
        }
        made += 1;
        assert!(made <= 5, "a weekly slot fits at most 5 times in 30 days");
    };
    assert!(made >= 4, "{made}");
    assert_eq!(
        (full.status, full.body["error"]["field"].as_str(), full.body["error"]["code"].as_str()),
        (422, Some("queue"), Some("schedule_full")),
        "{}",
        full.body
    );
    assert!(full.body["error"]["message"].as_str().unwrap().contains("pick a time"), "{}", full.body);
}

#[tokio::test]
async fn a_queued_post_is_published_at_its_slot() {
    let (s, account) = connected_in("sched-pub", "UTC").await;
    // The first whole minute 10 s past the run's queue lead (QUEUE_LEAD_SECS) and upload lead is
    // the queue's next slot, and the post is staged before its upload starts (the slot was 2–3
    // minutes ahead with the one-minute queue lead before).
    let t = timing().await;
    let (a, a_ms) = utc_slot(now_ms() + t.queue_lead_ms.max(t.upload_lead_margin_ms) + 10_000);
    assert_eq!(put_schedule(&s, &account, "UTC", json!([a])).await.status, 200);
    let video = unique_video(1_500);
    let (created, staged) = s.post_video(queued(&account, &caption("queued publish"), video.len()), &video).await;
    assert_eq!(at_ms(&created.body["post"]), a_ms);
    assert_eq!(staged.body["post"]["state"], "scheduled", "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap();
    let post = s.wait_state(id, &["published"], Duration::from_millis(a_ms.saturating_sub(now_ms())) + Duration::from_secs(60)).await;
    let published = parse_rfc3339_ms(post["published_at"].as_str().unwrap()).unwrap();
    assert!(published + 1_000 >= a_ms, "not before its slot: {published} vs {a_ms}");
    // Published: its slot is history, and the queue offers next week's.
    let next = s.get(&format!("/api/accounts/{account}/queue")).await;
    assert_eq!(next.body["next_free_at"], rfc3339_utc(a_ms + WEEK_MS), "{}", next.body);
}
