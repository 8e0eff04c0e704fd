//! `cargo xtask bench history` only (compiled in with `test-routes`): an account's index filled
//! with lightweight posts (rows only, no Post objects), as years of history look to the queue.

use crate::objects::post_index::upsert;
use post_lifecycle::history::Row;
use post_lifecycle::{Event, Mode, Post, Settings};
use serde::{Deserialize, Serialize};
use tiktok_rules::api::{PublishStatus, StatusResponse};
use worker::{Result, SqlStorage};

#[derive(Serialize, Deserialize)]
pub struct Fill {
    pub account: String,
    /// Rows `first .. first + count` (a call fills part of the history).
    pub first: u32,
    pub count: u32,
    /// The newest post's creation; each older one `step_ms` before.
    pub newest_ms: u64,
    pub step_ms: u64,
}

/// Mostly published posts, one in 40 a draft, the newest few still scheduled.
pub fn fill(sql: &SqlStorage, f: &Fill) -> Result<()> {
    for i in f.first..f.first + f.count {
        let created = f.newest_ms - u64::from(i) * f.step_ms;
        let caption = format!("bench post {i}: a caption long enough to look like one #letspost");
        let settings = if i % 40 == 7 {
            Settings::draft(caption)
        } else {
            Settings { privacy_level: Some(tiktok_rules::privacy::PrivacyLevel::SelfOnly), ..Settings::draft(caption) }
        };
        let mut p =
            Post::new(format!("bench{i:07}-{}", &f.account), f.account.clone(), "bench".into(), settings, Some(created + 3_600_000), 10_000_000, created);
        p.apply(Event::MediaStaged, created).ok();
        if i >= 5 {
            // Through the machine, as a real post goes: sent, then TikTok's verdict an hour on.
            let at = created + 3_600_000;
            for e in [
                Event::StartUpload,
                Event::InitOk { publish_id: format!("bench-{i}"), upload_url: "https://bench.invalid/".into(), expires_at_ms: at + 3_600_000 },
                Event::Sending(0),
                Event::ChunkOk(0),
            ] {
                p.apply(e, at).ok();
            }
            let status = if p.mode() == Mode::Draft { PublishStatus::SendToUserInbox } else { PublishStatus::PublishComplete };
            let answer = StatusResponse { status, fail_reason: None, publicaly_available_post_id: Vec::new(), uploaded_bytes: p.video_size };
            p.apply(Event::Status(answer), at).ok();
        }
        upsert(sql, &Row::of(p.view()))?;
    }
    Ok(())
}
