//! Analytics over the API (issue 33, `tests/worker_analytics.rs`): connecting with or without
//! the analytics scopes, the emulator's counts and per-account calls, and the Worker's
//! analytics test hooks (`/api/test/accounts/{open_id}/analytics/*`).

use crate::api::{Answer, Session, VERIFIER, emulator_post};
use crate::cron::test_hook;
use crate::{emulator_url, http};
use serde_json::{Value, json};
use tiktok_rules::oauth::{SCOPES, scopes};
use tiktok_rules::pkce::{ChallengeEncoding, challenge};

/// Every scope an analytics deployment asks for.
pub fn with_analytics() -> Vec<&'static str> {
    scopes(true)
}

/// Only the posting scopes: the creator unticked the analytics ones on TikTok's consent page.
pub fn without_analytics() -> Vec<&'static str> {
    SCOPES.to_vec()
}

impl Session {
    /// Connect `open_id` as the consent page would with `granted` ticked.
    pub async fn connect_granting(&self, open_id: &str, granted: &[&str]) -> Answer {
        let body = json!({
            "open_id": open_id,
            "redirect_uri": format!("{}/oauth/callback", self.base()),
            "code_challenge": challenge(VERIFIER, ChallengeEncoding::Base64url),
            "scopes": granted,
        });
        let code = emulator_post("/authorize", body).await["code"].as_str().unwrap().to_string();
        self.exchange(&code).await
    }
}

/// Calls per endpoint made with `open_id`'s tokens (`{"video_query": 3, …}`).
pub async fn calls_of(open_id: &str) -> Value {
    http().get(format!("{}/__emulator/calls/accounts/{open_id}", emulator_url())).send().await.unwrap().json().await.unwrap()
}

pub async fn video_queries(open_id: &str) -> u64 {
    calls_of(open_id).await["video_query"].as_u64().unwrap_or(0)
}

/// A past public video of `open_id` at TikTok with these counts; its post id (a string).
pub async fn tiktok_video(open_id: &str, counts: Value) -> String {
    let mut body = counts;
    body["caption"] = json!("seeded");
    emulator_post(&format!("/accounts/{open_id}/videos"), body).await["post_id"].as_str().unwrap().to_string()
}

/// Set a post's counts at TikTok (`view_count`, `like_count`, `comment_count`, `share_count`).
pub async fn set_counts(post_id: &str, counts: Value) {
    let r = http().patch(format!("{}/__emulator/videos/{post_id}", emulator_url())).json(&counts).send().await.unwrap();
    assert!(r.status().is_success(), "patch video {post_id}: {}", r.status());
}

/// `GET /api/posts/{id}/metrics`'s readings as `(views, likes, comments, shares, at)`, oldest
/// first (asserting a 200).
pub async fn readings_of(s: &Session, id: &str) -> Vec<(u64, u64, u64, u64, String)> {
    let r = s.get(&format!("/api/posts/{id}/metrics")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let n = |x: &Value, k: &str| x[k].as_u64().unwrap_or_else(|| panic!("{k} in {x}"));
    r.body["readings"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body))
        .iter()
        .map(|x| (n(x, "views"), n(x, "likes"), n(x, "comments"), n(x, "shares"), x["at"].as_str().unwrap().to_string()))
        .collect()
}

/// Move the account's analytics clock `by_ms` back (as if that long had passed), then run its
/// alarm's round now: `{"video_queries", "posts_read", "snapshots"}`.
pub async fn pass(open_id: &str, by_ms: u64) -> Value {
    test_hook(&format!("accounts/{open_id}/analytics/shift"), json!({ "by_ms": by_ms })).await
}

/// Posts followed as if published then: `[{"id", "tiktok_post_id", "published_at_ms", "first_day_views"?}]`.
pub async fn track(open_id: &str, posts: Value) {
    test_hook(&format!("accounts/{open_id}/analytics/track"), posts).await;
}
