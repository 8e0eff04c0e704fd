//! Posts through the Worker's API as a browser makes them: create, stage the video part by
//! part, follow the state; and what the emulator received.

use crate::api::{Answer, Session};
use crate::{emulator_url, http};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// A committed fixture of the video probe.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/video-probe/tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A valid 15 s vertical MP4 of `extra` more bytes than the fixture, distinct from every
/// other (a trailing `free` box of random bytes), so its SHA-256 identifies it.
pub fn unique_video(extra: usize) -> Vec<u8> {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    seeded_video(extra, seed as u64)
}

/// As `unique_video`, its trailing bytes drawn from `seed` (a soak run replays its videos).
pub fn seeded_video(extra: usize, seed: u64) -> Vec<u8> {
    let mut v = fixture("vertical_15s_faststart.mp4");
    let len = (extra.max(16)) as u32;
    v.extend_from_slice(&len.to_be_bytes());
    v.extend_from_slice(b"free");
    let mut x = seed | 1;
    v.extend((0..len as usize - 8).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    v
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A caption no other test uses.
pub fn caption(label: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{label} #{n}")
}

/// The body of `POST /api/posts`, public, post now.
pub fn new_post(account: &str, caption: &str, size: usize) -> Value {
    json!({
        "account": account, "caption": caption, "privacy_level": "PUBLIC_TO_EVERYONE",
        "disable_comment": false, "disable_duet": false, "disable_stitch": false,
        "brand_content_toggle": false, "brand_organic_toggle": false, "is_aigc": false,
        "video_cover_timestamp_ms": 1000, "publish_at": null, "video_size": size,
    })
}

/// RFC 3339 for `secs` seconds from now (whole seconds).
pub fn in_secs(secs: i64) -> String {
    letspost_core::time_fmt::rfc3339_utc((now_ms() as i64 + secs * 1000) as u64)
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

impl Session {
    /// PUT one staged part.
    pub async fn put_part(&self, url: &str, bytes: &[u8], first: usize, last: usize) -> Answer {
        let range = format!("bytes {first}-{last}/{}", bytes.len());
        self.put_raw(url, &range, bytes[first..=last].to_vec()).await
    }

    pub async fn put_raw(&self, url: &str, content_range: &str, body: Vec<u8>) -> Answer {
        let origin = self.base();
        self.send_with(reqwest::Method::PUT, url, Some(&origin), |r| r.header("Content-Range", content_range).body(body)).await
    }

    /// Create a post and stage its video in the parts the Worker asked for; the last answer.
    pub async fn post_video(&self, body: Value, video: &[u8]) -> (Answer, Answer) {
        let created = self.post("/api/posts", body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let last = self.stage(&created.body, video).await;
        (created, last)
    }

    /// Stage `video` by the plan in a create answer.
    pub async fn stage(&self, created: &Value, video: &[u8]) -> Answer {
        let url = created["upload"]["url"].as_str().unwrap().to_string();
        let part = created["upload"]["chunk_size"].as_u64().unwrap() as usize;
        let count = created["upload"]["total_chunk_count"].as_u64().unwrap() as usize;
        let mut last = None;
        for i in 0..count {
            let first = i * part;
            let end = ((i + 1) * part).min(video.len()) - 1;
            let a = self.put_part(&url, video, first, end).await;
            let want = if i + 1 == count { [201, 422] } else { [206, 206] };
            assert!(want.contains(&a.status), "part {i}: {} {}", a.status, a.body);
            last = Some(a);
        }
        last.expect("at least one part")
    }

    /// Wait until the post's state is one of `states`; the post.
    pub async fn wait_state(&self, id: &str, states: &[&str], within: Duration) -> Value {
        self.wait_post(id, within, &format!("reached {states:?}"), |p| states.iter().any(|s| p["state"] == *s)).await
    }

    /// Wait until the post is published with its link: TikTok says "complete" first and names
    /// the public post after moderation, so "published" alone may still have no link.
    pub async fn wait_linked(&self, id: &str, within: Duration) -> Value {
        self.wait_post(id, within, "was published with its link", |p| p["state"] == "published" && p["post_url"].is_string()).await
    }

    /// Wait until `done` holds for the post; the post.
    pub async fn wait_post(&self, id: &str, within: Duration, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        let poll = crate::poll::Poll::new();
        let mut last = Value::Null;
        while tokio::time::Instant::now() < deadline {
            let a = self.get(&format!("/api/posts/{id}")).await;
            assert_eq!(a.status, 200, "{}", a.body);
            last = a.body["post"].clone();
            if done(&last) {
                return last;
            }
            poll.pause().await;
        }
        panic!("post {id} never {what}; last: {last}");
    }
}

/// Arm one of the Worker's own faults (`/api/test/<hook>`, worker/src/api/test_hooks.rs) for
/// the next request of the post with this caption.
pub async fn arm_worker_fault(hook: &str, caption: &str) {
    let r = http().post(format!("{}/api/test/{hook}", crate::app_url())).json(&json!({ "caption": caption })).send().await.unwrap();
    assert_eq!(r.status(), 204, "arming {hook}");
}

/// The emulator's record of every post whose caption is `caption`.
pub async fn tiktok_posts(caption: &str) -> Vec<Value> {
    let all: Vec<Value> = http().get(format!("{}/__emulator/posts", emulator_url())).send().await.unwrap().json().await.unwrap();
    all.into_iter().filter(|p| p["caption"] == caption).collect()
}

/// Inject a fault into the emulator (see its README section) for `open_id`'s calls only:
/// tests share one emulator, and no test may meet another's faults.
pub async fn fault(open_id: &str, mut body: Value) {
    body["open_id"] = json!(open_id);
    crate::api::emulator_post("/faults", body).await;
}

/// Clear `open_id`'s faults (no one else's).
pub async fn clear_faults(open_id: &str) {
    let r = http().delete(format!("{}/__emulator/faults", emulator_url())).query(&[("open_id", open_id)]).send().await.unwrap();
    assert_eq!(r.status(), 204, "clearing {open_id}'s faults");
}

/// The faults still armed for `open_id` (a counted fault leaves once it has been met).
pub async fn faults_of(open_id: &str) -> Vec<Value> {
    let r = http().get(format!("{}/__emulator/faults", emulator_url())).query(&[("open_id", open_id)]).send().await.unwrap();
    assert_eq!(r.status(), 200, "{open_id}'s faults");
    r.json().await.unwrap()
}

/// The body of `POST /api/posts` for a draft (to the creator's TikTok inbox), sent now.
pub fn new_draft(account: &str, caption: &str, size: usize) -> Value {
    json!({ "account": account, "mode": "draft", "caption": caption, "publish_at": null, "video_size": size })
}

/// The emulator's record of one publish.
pub async fn tiktok_publish(publish_id: &str) -> Value {
    let all: Vec<Value> = http().get(format!("{}/__emulator/posts", emulator_url())).send().await.unwrap().json().await.unwrap();
    all.into_iter().find(|p| p["publish_id"] == publish_id).unwrap_or_else(|| panic!("TikTok has no publish {publish_id}"))
}

/// The creator, in the TikTok app, posts (`{"action": "post", …}`) or deletes a draft.
pub async fn creator_finishes(publish_id: &str, body: Value) {
    let r = http().post(format!("{}/__emulator/inbox/{publish_id}", emulator_url())).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap_or_default());
}
