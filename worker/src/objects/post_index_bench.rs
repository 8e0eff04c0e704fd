//! `cargo xtask bench history` only (compiled in with `test-routes`): an account's index filled
//! with lightweight posts (rows only, no Post objects), as years of history look to the queue.

use crate::objects::post_index::upsert;
use post_lifecycle::history::Row;
use post_lifecycle::{Event, Post, Settings, State};
use serde::{Deserialize, Serialize};
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
            p.state = if p.settings.privacy_level.is_some() { State::Published } else { State::SentToInbox };
            p.published_at_ms = Some(created + 3_600_000);
            p.sent_to_inbox_at_ms = p.settings.privacy_level.is_none().then_some(created + 3_600_000);
        }
        upsert(sql, &Row::of(p.view()))?;
    }
    Ok(())
}
