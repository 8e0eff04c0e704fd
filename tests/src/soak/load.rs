//! The load figures: many stagings at once, and many posts due in the same minute.

use super::report::{Made, judge};
use super::{fire_cron, make_account, stage, tiktok_records, worker_posts};
use crate::posts::{new_post, now_ms, seeded_video, sha256_hex};
use futures::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};

/// `n` browser sessions, each with its own account, stage a video at the same moment.
/// Returns (seconds for all, errors). The posts are for tomorrow and cancelled afterwards.
pub async fn stagings_at_once(base: &str, n: usize, seed: u64) -> (f64, usize) {
    let mut sessions = Vec::new();
    for i in 0..n {
        let s = super::browser(base);
        let id = make_account(&format!("{seed}-burst-{i}")).await;
        assert_eq!(s.connect(&id).await.status, 200);
        sessions.push((s, id));
    }
    let tomorrow = letspost_core::time_fmt::rfc3339_utc((now_ms() + 86_400_000) / 1000 * 1000);
    let started = Instant::now();
    let jobs = sessions.iter().enumerate().map(|(i, (s, account))| {
        let tomorrow = tomorrow.clone();
        async move {
            let video = seeded_video(100_000 + i * 1_000, seed ^ (i as u64 + 1));
            let mut body = new_post(account, &format!("soak {seed} burst #{i}"), video.len());
            body["publish_at"] = json!(tomorrow);
            let run = tokio::spawn({
                let s = s.clone();
                async move { stage::create_and_stage(&s, &body, &video, false).await }
            });
            run.await.map_err(|e| e.to_string())
        }
    });
    let results = futures::future::join_all(jobs).await;
    let secs = started.elapsed().as_secs_f64();
    let mut errors = 0;
    for ((s, _), r) in sessions.iter().zip(&results) {
        match r {
            Ok(id) => {
                let a = s.delete(&format!("/api/posts/{id}")).await;
                if a.status != 200 {
                    errors += 1;
                }
            }
            Err(e) => {
                eprintln!("soak: a staging failed: {e}");
                errors += 1;
            }
        }
    }
    (secs, errors)
}

/// `posts` posts across `accounts` accounts, all due in the same minute. Returns how many were
/// published once with their bytes, how many twice, and how long after the minute the last one
/// was published (s).
pub async fn due_together(base: &str, posts: usize, accounts: usize, seed: u64) -> (usize, usize, usize, f64) {
    // One browser per creator.
    let mut browsers = Vec::new();
    let mut ids = Vec::new();
    for i in 0..accounts {
        let id = make_account(&format!("{seed}-minute-{i}")).await;
        let s = super::browser(base);
        assert_eq!(s.connect(&id).await.status, 200);
        ids.push(id);
        browsers.push(s);
    }
    // Time to stage them all first: the next whole minute at least three minutes away.
    let due = (now_ms() + 180_000).div_ceil(60_000) * 60_000;
    let at = letspost_core::time_fmt::rfc3339_utc(due);
    let made: Vec<Made> = futures::stream::iter(0..posts)
        .map(|i| {
            let (s, account, at) = (browsers[i % accounts].clone(), ids[i % accounts].clone(), at.clone());
            async move {
                let video = seeded_video(2_000 + i, seed.wrapping_mul(31) ^ (i as u64 + 7));
                let caption = format!("soak {seed} minute #{i}");
                let mut body = new_post(&account, &caption, video.len());
                body["publish_at"] = json!(at);
                let id = stage::create_and_stage(&s, &body, &video, false).await;
                Made { id, caption, sha256: sha256_hex(&video), due_ms: due }
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(now_ms() < due, "staging {posts} posts took past their time");
    eprintln!("soak: {posts} posts staged, due at {at}");
    let mut states = Default::default();
    while now_ms() < due + 10 * 60_000 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        if now_ms() < due {
            continue;
        }
        // The platform's cron, once a minute.
        if (now_ms() / 1000) % 60 < 3 {
            fire_cron(base).await;
        }
        if let Some(st) = worker_posts(&browsers).await {
            states = st;
            if made.iter().all(|m| states.get(&m.id).is_some_and(|w| w.state == "published" || w.state == "failed")) {
                break;
            }
        }
    }
    let records = tiktok_records().await;
    let v = judge(&made, &records, &states, now_ms());
    let last = records.iter().filter(|r| r.published && made.iter().any(|m| m.caption == r.caption)).filter_map(|r| r.completed_at_ms).max().unwrap_or(due);
    (v.published, v.duplicates, v.total - v.published, (last.saturating_sub(due)) as f64 / 1e3)
}
