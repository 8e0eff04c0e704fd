//! A creator's numbers (issue 33) through the Worker and the emulator: a published post's
//! metrics follow TikTok's counts, read in batches of 20 per account by the account's own
//! alarm; the 19-digit post id stays a string; refused scopes still post and read nothing;
//! a post's readings over time (`GET /api/posts/{id}/metrics`, oldest first); daily stats; best
//! times from the creator's own posts; the manual refresh's 200/429/409.
//!
//! Time passes through the Worker's analytics test hook (`…/analytics/shift`: every time the
//! account keeps moves back, then its alarm's round runs now), never by sleeping.

use letspost_e2e::analytics_api::{calls_of, pass, readings_of, set_counts, tiktok_video, track, video_queries, with_analytics, without_analytics};
use letspost_e2e::api::{Session, new_account};
use letspost_e2e::posts::{caption, in_secs, new_post, now_ms, unique_video};
use serde_json::{Value, json};
use std::time::Duration;

const MIN_MS: u64 = 60_000;
const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// A creator connected by a fresh session, granting `scopes`.
async fn creator(label: &str, scopes: &[&str]) -> (Session, String) {
    let account = new_account(label, "creator").await;
    let s = Session::new();
    let a = s.connect_granting(&account, scopes).await;
    assert_eq!(a.status, 200, "{}", a.body);
    (s, account)
}

/// Post a public video now and wait for TikTok to give it its id; the post.
async fn published(s: &Session, account: &str, label: &str) -> Value {
    let video = unique_video(3_000);
    let (created, staged) = s.post_video(new_post(account, &caption(label), video.len()), &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let post = s.wait_linked(&id, Duration::from_secs(60)).await;
    // The post tells its account's index (where its numbers are followed from) right after.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let poll = letspost_e2e::poll::Poll::new();
    while s.get(&format!("/api/posts?ids={id}")).await.body["posts"][0]["tiktok_post_id"].is_null() {
        assert!(tokio::time::Instant::now() < deadline, "the index never got the post's id");
        poll.pause().await;
    }
    post
}

fn metrics(post: &Value) -> (u64, u64, u64, u64) {
    let m = &post["metrics"];
    (m["views"].as_u64().unwrap(), m["likes"].as_u64().unwrap(), m["comments"].as_u64().unwrap(), m["shares"].as_u64().unwrap())
}

#[tokio::test]
async fn a_published_posts_numbers_follow_tiktoks_counts_and_its_19_digit_id_round_trips() {
    let (s, account) = creator("numbers", &with_analytics()).await;
    assert_eq!(s.account(&account).await.unwrap()["analytics"], "on");
    let post = published(&s, &account, "numbers").await;
    let id = post["id"].as_str().unwrap().to_string();
    // The id TikTok gave: a JSON string of all 19 digits, the one in the link, past 2^53.
    let tiktok_id = post["tiktok_post_id"].as_str().expect("tiktok_post_id is a string").to_string();
    assert_eq!(tiktok_id.len(), 19, "{tiktok_id}");
    assert!(tiktok_id.parse::<u64>().unwrap() > 1 << 53);
    assert!(post["post_url"].as_str().unwrap().ends_with(&format!("/video/{tiktok_id}")), "{post}");
    assert_eq!(post["metrics"], Value::Null, "not read before its first step (1 h)");
    assert!(readings_of(&s, &id).await.is_empty(), "no readings yet");

    // TikTok's counts move; an hour on, the account's round reads them (one call for one post).
    let views = (1u64 << 53) + 1;
    set_counts(&tiktok_id, json!({ "view_count": views, "like_count": 12, "comment_count": 3, "share_count": 4 })).await;
    let round = pass(&account, HOUR_MS + MIN_MS).await;
    assert_eq!((round["video_queries"].as_u64(), round["posts_read"].as_u64()), (Some(1), Some(1)), "{round}");
    let got = s.get(&format!("/api/posts/{id}")).await.body["post"].clone();
    assert_eq!(metrics(&got), (views, 12, 3, 4), "an int64 count exactly: {got}");
    let history = readings_of(&s, &id).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!((history[0].0, history[0].1, history[0].2, history[0].3), (views, 12, 3, 4), "the reading, exactly");
    assert_eq!(history[0].4, got["metrics"]["at"].as_str().unwrap(), "the reading is the post's latest");
    assert!(got["metrics"]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(got["tiktok_post_id"], tiktok_id.as_str());
    // The queue's list shows the same numbers (from the account's index).
    let listed = s.get(&format!("/api/posts?ids={id}")).await.body["posts"][0].clone();
    assert_eq!((listed["metrics"].clone(), listed["tiktok_post_id"].clone()), (got["metrics"].clone(), json!(tiktok_id)), "{listed}");
    // The same id at TikTok: the emulator knows it by that string.
    let at_tiktok: Value =
        letspost_e2e::http().get(format!("{}/__emulator/videos/{tiktok_id}", letspost_e2e::emulator_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(at_tiktok["view_count"].as_u64(), Some(views), "{at_tiktok}");

    // Asked again within 5 minutes of a reading: 429 with Retry-After.
    let refresh = format!("/api/posts/{id}/metrics/refresh");
    let early = s.post(&refresh, json!({})).await;
    assert_eq!((early.status, early.body["error"]["code"].as_str()), (429, Some("rate_limited")), "{}", early.body);
    let wait: u64 = early.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&wait), "{wait}");
    // Six minutes on (no step due: nothing read), a refresh reads TikTok now.
    set_counts(&tiktok_id, json!({ "view_count": 5_000, "like_count": 40 })).await;
    assert_eq!(pass(&account, 6 * MIN_MS).await["video_queries"], 0);
    let before = video_queries(&account).await;
    let fresh = s.post(&refresh, json!({})).await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(metrics(&fresh.body["post"]), (5_000, 40, 3, 4));
    assert_eq!(video_queries(&account).await, before + 1);
    assert_eq!(s.post(&refresh, json!({})).await.status, 429);
    // The history holds both readings, oldest first; the 429 added none.
    let history = readings_of(&s, &id).await;
    let counts: Vec<_> = history.iter().map(|r| (r.0, r.1, r.2, r.3)).collect();
    assert_eq!(counts, [(views, 12, 3, 4), (5_000, 40, 3, 4)], "{history:?}");
    assert!(history[0].4 < history[1].4, "{history:?}");
    assert_eq!(history[1].4, fresh.body["post"]["metrics"]["at"].as_str().unwrap());
    // The 6 h step reads TikTok's counts again: a third reading, newest last.
    set_counts(&tiktok_id, json!({ "view_count": 7_000, "share_count": 9 })).await;
    assert_eq!(pass(&account, 5 * HOUR_MS).await["posts_read"], 1);
    let counts: Vec<_> = readings_of(&s, &id).await.iter().map(|r| (r.0, r.1, r.2, r.3)).collect();
    assert_eq!(counts, [(views, 12, 3, 4), (5_000, 40, 3, 4), (7_000, 40, 3, 9)]);
    // Another session: 404, as for the post itself.
    assert_eq!(Session::new().get(&format!("/api/posts/{id}/metrics")).await.status, 404);

    // A post TikTok has no id for yet (scheduled): 409. Someone else's post: 404.
    let video = unique_video(1_000);
    let mut later = new_post(&account, &caption("later"), video.len());
    later["publish_at"] = json!(in_secs(3_600));
    let scheduled = s.post("/api/posts", later).await;
    assert_eq!(scheduled.status, 201, "{}", scheduled.body);
    let conflict = s.post(&format!("/api/posts/{}/metrics/refresh", scheduled.body["post"]["id"].as_str().unwrap()), json!({})).await;
    assert_eq!((conflict.status, conflict.body["error"]["code"].as_str()), (409, Some("conflict")), "{}", conflict.body);
    assert!(readings_of(&s, scheduled.body["post"]["id"].as_str().unwrap()).await.is_empty(), "no TikTok id: no readings, not an error");
    assert_eq!(Session::new().post(&refresh, json!({})).await.status, 404);
}

#[tokio::test]
async fn forty_five_posts_of_one_account_cost_three_video_queries_a_round() {
    let (_s, account) = creator("batch", &with_analytics()).await;
    let now = now_ms();
    let mut posts = Vec::new();
    for i in 0..45u64 {
        let tiktok_id = tiktok_video(&account, json!({ "view_count": 100 + i })).await;
        posts.push(json!({ "id": format!("batch-{i}"), "tiktok_post_id": tiktok_id, "published_at_ms": now - 2 * HOUR_MS }));
    }
    track(&account, json!(posts)).await;
    assert_eq!(video_queries(&account).await, 0);
    // Every post's 1 h step has passed: one round, 20 + 20 + 5.
    let round = pass(&account, 0).await;
    assert_eq!((round["video_queries"].as_u64(), round["posts_read"].as_u64()), (Some(3), Some(45)), "{round}");
    assert_eq!(video_queries(&account).await, 3, "measured at TikTok");
    // Nothing is due again until the 6 h step; then the same three calls.
    assert_eq!(pass(&account, 10 * MIN_MS).await["video_queries"], 0);
    let round = pass(&account, 4 * HOUR_MS).await;
    assert_eq!((round["video_queries"].as_u64(), round["posts_read"].as_u64()), (Some(3), Some(45)), "{round}");
    assert_eq!(video_queries(&account).await, 6);
}

#[tokio::test]
async fn a_creator_who_refuses_the_analytics_scopes_still_posts_and_nothing_is_read() {
    let (s, account) = creator("refused", &without_analytics()).await;
    let listed = s.account(&account).await.unwrap();
    assert_eq!((listed["analytics"].as_str(), listed["status"].as_str()), (Some("not_allowed"), Some("connected")), "{listed}");
    let post = published(&s, &account, "refused").await;
    assert!(post["tiktok_post_id"].is_string());
    let round = pass(&account, 2 * DAY_MS).await;
    assert_eq!((round["video_queries"].as_u64(), round["snapshots"].as_u64()), (Some(0), Some(0)), "{round}");
    let id = post["id"].as_str().unwrap();
    assert_eq!(s.get(&format!("/api/posts/{id}")).await.body["post"]["metrics"], Value::Null);
    let refused = s.post(&format!("/api/posts/{id}/metrics/refresh"), json!({})).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (409, Some("analytics_not_allowed")), "{}", refused.body);
    assert_eq!(s.get(&format!("/api/accounts/{account}/stats")).await.body, json!({ "stats": [] }));
    // TikTok was never asked for what the creator refused, so nothing flags a reconnect.
    let calls = calls_of(&account).await;
    assert!(calls.get("video_query").is_none() && calls.get("video_list").is_none(), "{calls}");
    assert_eq!(s.account(&account).await.unwrap()["status"], "connected");
    // Connecting again with them allowed turns analytics on.
    assert_eq!(s.connect_granting(&account, &with_analytics()).await.status, 200);
    assert_eq!(s.account(&account).await.unwrap()["analytics"], "on");
}

#[tokio::test]
async fn an_accounts_counts_are_snapshotted_at_connect_and_then_daily() {
    let account = new_account("stats", "creator").await;
    letspost_e2e::api::emulator_patch_account(&account, json!({ "follower_count": 100, "following_count": 7, "likes_count": 900, "video_count": 3 })).await;
    let s = Session::new();
    assert_eq!(s.connect_granting(&account, &with_analytics()).await.status, 200);
    let path = format!("/api/accounts/{account}/stats");
    let first = s.get(&path).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let stats = first.body["stats"].as_array().unwrap().clone();
    assert_eq!(stats.len(), 1, "{}", first.body);
    assert_eq!(
        (stats[0]["followers"].as_u64(), stats[0]["following"].as_u64(), stats[0]["likes"].as_u64(), stats[0]["videos"].as_u64()),
        (Some(100), Some(7), Some(900), Some(3))
    );
    // Within the day: no new one. A day on: the next.
    assert_eq!(pass(&account, HOUR_MS).await["snapshots"], 0);
    letspost_e2e::api::emulator_patch_account(&account, json!({ "follower_count": 150 })).await;
    assert_eq!(pass(&account, DAY_MS).await["snapshots"], 1);
    let stats = s.get(&path).await.body["stats"].as_array().unwrap().clone();
    assert_eq!(stats.iter().map(|x| x["followers"].as_u64().unwrap()).collect::<Vec<_>>(), [100, 150], "newest last");
    assert!(stats[0]["at"].as_str().unwrap() < stats[1]["at"].as_str().unwrap());
    // Another session sees none of it.
    assert_eq!(Session::new().get(&path).await.status, 404);
}

#[tokio::test]
async fn best_times_come_from_the_creators_own_twelve_posts() {
    let (s, account) = creator("best", &with_analytics()).await;
    let path = format!("/api/accounts/{account}/best-times");
    let none = s.get(&path).await;
    assert_eq!(none.status, 200, "{}", none.body);
    assert_eq!((none.body["slots"].clone(), none.body["based_on"].as_u64()), (json!([]), Some(0)), "{}", none.body);
    assert!(none.body["message"].as_str().unwrap().contains("10"), "{}", none.body);
    // Four weeks of Mondays 09:00 (100 views in the first day), Wednesdays 18:00 (300) and
    // Fridays 12:00 (100), UTC (this account's zone), ending a fortnight ago.
    let week = 7 * DAY_MS;
    let monday = {
        let now = now_ms();
        let days = now / DAY_MS; // 1970-01-01 was a Thursday.
        (days - (days + 3) % 7) * DAY_MS - 6 * week
    };
    let mut posts = Vec::new();
    for w in 0..4u64 {
        for (day, hour, views) in [(0, 9, 100), (2, 18, 300), (4, 12, 100)] {
            let n = posts.len();
            posts.push(json!({
                "id": format!("best-{n}"), "tiktok_post_id": format!("{}", 7_300_000_000_000_000_000u64 + n as u64),
                "published_at_ms": monday + w * week + day * DAY_MS + hour * HOUR_MS, "first_day_views": views,
            }));
        }
    }
    track(&account, json!(posts)).await;
    let best = s.get(&path).await.body;
    assert_eq!(best["based_on"], 12, "{best}");
    assert_eq!(best["time_zone"], "UTC");
    assert_eq!(best["slots"][0]["day"], "wed", "{best}");
    assert_eq!(best["slots"][0]["time"], "18:00");
    assert_eq!(best["slots"][0]["score"], 300);
    assert_eq!(best["slots"].as_array().unwrap().len(), 1, "{best}");
    assert_eq!(Session::new().get(&path).await.status, 404);
}

#[tokio::test]
async fn a_private_post_is_never_read_and_says_so() {
    let (s, account) = creator("private", &with_analytics()).await;
    let video = unique_video(2_000);
    let mut body = new_post(&account, &caption("only me"), video.len());
    body["privacy_level"] = json!("SELF_ONLY");
    let (created, staged) = s.post_video(body, &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let post = s.wait_state(&id, &["published"], Duration::from_secs(60)).await;
    assert_eq!(post["metrics"], Value::Null, "{post}");
    let round = pass(&account, 2 * HOUR_MS).await;
    assert_eq!(round["video_queries"], 0, "{round}");
    let refused = s.post(&format!("/api/posts/{id}/metrics/refresh"), json!({})).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (409, Some("conflict")), "{}", refused.body);
    assert!(readings_of(&s, &id).await.is_empty(), "a private post's readings: an empty list");
    assert_eq!(video_queries(&account).await, 0);
}
