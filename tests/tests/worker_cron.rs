//! The cron's safety net over HTTP, in workerd: a post whose alarm was lost is found in the
//! sharded index once overdue and published at its time; an upgraded deployment's old Registry
//! is drained into the index; `GET /api/health` reports each run (pinned names); every run
//! answers 200.
//!
//! This file alone fires the shared Worker's cron (tests/src/cron.rs): other binaries run at
//! the same time, and a run re-arms what it finds overdue.

use letspost_e2e::api::{Session, connected_creator};
use letspost_e2e::cron::{alarm_of, fire_cron, sweep_report, test_hook, timing};
use letspost_e2e::posts::{caption, in_secs, new_post, tiktok_posts, unique_video};
use serde_json::json;
use std::time::Duration;

/// One cron for the whole Worker: the lost-alarm test checks that the alarm is gone before any
/// cron run sets it again, so no other test may fire the cron meanwhile (one did, and the check
/// saw the alarm already re-armed). No other binary fires it.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Fire the cron until `done` holds (a run that finds the lease still taken leaves the work to
/// the next one).
async fn cron_until(what: &str, mut done: impl AsyncFnMut() -> bool) -> u32 {
    // Health's report is cached for up to 5 s per isolate: 20 runs a second apart.
    for run in 1..=20 {
        fire_cron().await;
        if done().await {
            return run;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    panic!("{what}: not after 20 cron runs");
}

/// The lost alarm is set again: the post has an alarm, or has already gone on from `scheduled`
/// (which only its alarm can do). With a short lead and media retention a re-armed post may
/// publish and leave nothing to alarm for between two looks.
async fn rearmed(s: &Session, id: &str) -> bool {
    alarm_of(id).await.is_some() || s.get(&format!("/api/posts/{id}")).await.body["post"]["state"] != "scheduled"
}

#[tokio::test]
async fn a_post_whose_alarm_was_lost_is_rearmed_by_the_cron_and_published_on_time() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (s, account) = connected_creator("lostalarm").await;
    let video = unique_video(500);
    let cap = caption("lost alarm");
    let mut body = new_post(&account, &cap, video.len());
    // Far enough ahead that the upload (the run's lead margin before) has not begun when the
    // alarm is lost: 20 s more (was 90 s ahead with today's 30 s margin: 60 s more).
    let at = in_secs(timing().await.lead_secs() + 20);
    body["publish_at"] = json!(at);
    let (created, staged) = s.post_video(body, &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let due = letspost_core::time_fmt::parse_rfc3339_ms(&at).unwrap();
    assert!(alarm_of(&id).await.is_some());
    // The alarm is lost, and three minutes have passed as far as the index can tell.
    test_hook("posts/stall", json!({ "ids": [id], "overdue_ms": 180_000 })).await;
    assert_eq!(alarm_of(&id).await, None);
    cron_until("the lost alarm set again", async || rearmed(&s, &id).await).await;
    let sweep = sweep_report().await;
    for pinned in ["at", "overdue", "rearmed", "subrequests", "duration_ms"] {
        assert!(sweep.get(pinned).is_some(), "health.sweep lacks {pinned}: {sweep}");
    }
    assert!(sweep["subrequests"].as_u64().unwrap() <= 1_000, "{sweep}");
    let post = s.wait_state(&id, &["published", "failed"], Duration::from_secs(150)).await;
    assert_eq!(post["state"], "published", "{post}");
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1);
    let completed = at_tiktok[0]["completed_at_ms"].as_u64().unwrap();
    // On time: not before, and well before the next cron a minute later (15 s: a loaded 2-core
    // machine with seven workerds measured 6.8 s).
    assert!(completed + 1_000 >= due && completed <= due + 15_000, "published at {completed}, due {due}");
}

#[tokio::test]
async fn an_upgraded_deployment_moves_the_old_registry_into_the_index() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (s, account) = connected_creator("upgrade").await;
    let video = unique_video(400);
    let cap = caption("from the old registry");
    let mut body = new_post(&account, &cap, video.len());
    // Just past the upload lead, as before (35 s with a 30 s margin).
    body["publish_at"] = json!(in_secs(timing().await.lead_secs() + 5));
    let (created, _) = s.post_video(body, &video).await;
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    // As before the index: the post is in the Registry only, and its alarm was lost.
    test_hook("posts/stall", json!({ "ids": [id], "overdue_ms": 0 })).await;
    test_hook("legacy-registry", json!({ "kind": "posts", "id": id })).await;
    test_hook("legacy-registry", json!({ "kind": "accounts", "id": account })).await;
    cron_until("the old Registry drained", async || sweep_report().await["registry_drained"] == true && rearmed(&s, &id).await).await;
    let post = s.wait_state(&id, &["published", "failed"], Duration::from_secs(90)).await;
    assert_eq!(post["state"], "published", "{post}");
    assert_eq!(tiktok_posts(&cap).await.len(), 1);
}
