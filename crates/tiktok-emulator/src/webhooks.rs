//! Webhooks, as TikTok delivers them (shared/tiktok-api.md, "Webhooks"): each event signed
//! with the app's client secret (`tiktok_rules::webhook::sign`), posted to `--webhook-url`,
//! retried with exponential back-off on anything but 200 (TikTok: up to 72 hours; here
//! compressed by `--webhook-retry-ms`), and logged attempt by attempt for the tests
//! (`GET /__emulator/webhooks`). Faults on the `webhook` endpoint drop, duplicate or delay one.

use crate::faults::{self, FaultKind};
use crate::state::{Emulator, Publish, now_ms};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tiktok_rules::privacy::PrivacyLevel;
use tiktok_rules::webhook::{SIGNATURE_HEADER, envelope, events, sign};

/// Attempts before an event is dropped (TikTok's 72 h of back-off, compressed).
pub const MAX_ATTEMPTS: u32 = 8;

/// One delivery attempt (pinned shape).
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub event: String,
    pub publish_id: Option<String>,
    pub url: String,
    /// What the receiver answered; `None` when it could not be reached.
    pub status: Option<u16>,
    pub attempt: u32,
    pub at_ms: u64,
}

/// An event to deliver at `at_ms` (TikTok's `create_time`).
pub struct Event {
    pub name: &'static str,
    pub open_id: String,
    pub publish_id: Option<String>,
    pub content: serde_json::Value,
    pub at_ms: u64,
}

impl Event {
    /// A post event with TikTok's `content` for `p`.
    pub fn post(name: &'static str, p: &Publish, at_ms: u64, extra: serde_json::Value) -> Event {
        let mut content = serde_json::json!({
            "publish_id": p.publish_id,
            "publish_type": if p.inbox { "INBOX_SHARE" } else { "DIRECT_PUBLISH" },
        });
        if let (Some(c), Some(x)) = (content.as_object_mut(), extra.as_object()) {
            c.extend(x.clone());
        }
        Event { name, open_id: p.open_id.clone(), publish_id: Some(p.publish_id.clone()), content, at_ms }
    }
}

/// What TikTok will push for a publish whose last chunk arrived: the direct post completes
/// (then turns public after moderation) or fails; a draft reaches the inbox or fails.
pub fn after_upload(emu: &Arc<Emulator>, p: &Publish) {
    let (Some(done), Some(outcome)) = (p.completed_at_ms, &p.outcome) else { return };
    let at = done + emu.config.processing_ms;
    match outcome {
        crate::state::Outcome::Failed(reason) => send(emu, Event::post(events::FAILED, p, at, serde_json::json!({ "reason": reason }))),
        crate::state::Outcome::Published if p.inbox => send(emu, Event::post(events::INBOX_DELIVERED, p, at, serde_json::json!({}))),
        crate::state::Outcome::Published => published(emu, p, at),
    }
}

/// `complete`, then `publicly_available` after moderation for a public post.
pub fn published(emu: &Arc<Emulator>, p: &Publish, at: u64) {
    send(emu, Event::post(events::COMPLETE, p, at, serde_json::json!({})));
    if p.post_info.as_ref().is_some_and(|i| i.privacy_level == PrivacyLevel::PublicToEveryone) {
        let id = serde_json::json!({ "post_id": p.post_id.to_string() });
        send(emu, Event::post(events::PUBLICLY_AVAILABLE, p, at + emu.config.moderation_ms, id));
    }
}

/// Deliver `e` in the background (nothing without `--webhook-url`).
pub fn send(emu: &Arc<Emulator>, e: Event) {
    let Some(url) = emu.config.webhook_url.clone() else { return };
    let (copies, delay_ms) = match faults::pick_for(emu, "webhook", Some(&e.open_id)) {
        Some(FaultKind::Drop) => return,
        Some(FaultKind::Duplicate) => (2, 0),
        Some(FaultKind::Slow { delay_ms }) => (1, delay_ms),
        _ => (1, 0),
    };
    let e = Arc::new(e);
    for _ in 0..copies {
        let (emu, e, url) = (emu.clone(), e.clone(), url.clone());
        tokio::spawn(async move { deliver(&emu, &e, &url, delay_ms).await });
    }
}

async fn deliver(emu: &Emulator, e: &Event, url: &str, delay_ms: u64) {
    let wait = e.at_ms.saturating_sub(now_ms()) + delay_ms;
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let body = envelope(&emu.config.client_key, e.name, e.at_ms / 1000, &e.open_id, &e.content);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("an HTTP client");
    for attempt in 1..=MAX_ATTEMPTS {
        // Signed when sent, as TikTok does: a retry carries a fresh `t`.
        let signature = sign(&emu.config.client_secret, now_ms() / 1000, body.as_bytes());
        let answer = client.post(url).header(SIGNATURE_HEADER, signature).header("Content-Type", "application/json").body(body.clone()).send().await;
        let status = answer.ok().map(|r| r.status().as_u16());
        let log = Attempt { event: e.name.into(), publish_id: e.publish_id.clone(), url: url.into(), status, attempt, at_ms: now_ms() };
        emu.with(|s| s.webhooks.push(log));
        if status == Some(200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(emu.config.webhook_retry_ms << (attempt - 1).min(10))).await;
    }
}
