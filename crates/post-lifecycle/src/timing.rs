//! When to start uploading, and how long to wait before trying again.

use tiktok_rules::chunk::{ChunkPlan, MB};

/// The slowest Worker → TikTok rate LetsPost plans for (bytes per second). Only the chunks
/// before the last are sent ahead; the last one goes at the scheduled time.
pub const PLANNED_RATE: u64 = 2 * MB;
/// Time for init, token refresh and retries before the first chunk: the default of a post's
/// `upload_lead_margin_ms` (a deployment may set another, `UPLOAD_LEAD_MARGIN_SECS`).
pub const LEAD_MARGIN_MS: u64 = 30_000;
/// TikTok's upload_url lives one hour: the whole lead stays well under it.
pub const MAX_LEAD_MS: u64 = 45 * 60_000;

/// How long before `publish_at` the upload starts: `margin_ms` (init, refresh, retries; the
/// post's `upload_lead_margin_ms`) plus what must be sent ahead at `PLANNED_RATE`.
pub fn upload_lead_ms(video_size: u64, margin_ms: u64) -> u64 {
    let ahead = match ChunkPlan::for_size(video_size) {
        Ok(plan) => video_size - plan.chunk_len(plan.total_chunk_count - 1),
        Err(_) => video_size,
    };
    margin_ms.saturating_add(ahead * 1000 / PLANNED_RATE).min(MAX_LEAD_MS)
}

/// Back-off after the `attempt`-th transient failure in a row: 1 s doubling, capped at 60 s.
pub fn retry_delay_ms(attempt: u32) -> u64 {
    (1_000u64 << attempt.saturating_sub(1).min(6)).min(60_000)
}

/// TikTok's 429s are per minute per token: wait a good part of the window.
pub const RATE_LIMITED_DELAY_MS: u64 = 15_000;

/// Polls of status/fetch while TikTok processes: 2 s growing to 30 s (30 calls/min allowed).
pub fn poll_delay_ms(poll: u32) -> u64 {
    [2_000, 3_000, 5_000, 8_000, 13_000, 20_000].get(poll as usize).copied().unwrap_or(30_000)
}

/// The same polls when TikTok pushes the status (webhooks on): only a lost webhook needs
/// them, so the first comes after TikTok's usual processing time and the next ones far apart.
/// A lost webhook costs at most about this delay; a healthy post asks TikTok nothing.
pub fn pushed_poll_delay_ms(poll: u32) -> u64 {
    [15_000, 30_000, 60_000, 120_000, 300_000].get(poll as usize).copied().unwrap_or(600_000)
}

/// A draft's inbox polls when TikTok pushes "complete" or "failed": a minute, then every 15
/// minutes for two hours, then hourly.
pub fn pushed_inbox_poll_delay_ms(poll: u32) -> u64 {
    match poll {
        0 => 60_000,
        1..9 => 15 * 60_000,
        _ => 60 * 60_000,
    }
}

/// Polls of status/fetch while a draft waits in the creator's inbox: soon at first (they
/// often finish it right away), then every minute for half an hour, every 15 minutes for
/// about 7 hours, then hourly, until `INBOX_POLL_DEADLINE_MS`.
pub fn inbox_poll_delay_ms(poll: u32) -> u64 {
    match poll {
        0 => 5_000,
        1 => 10_000,
        2 => 15_000,
        3 => 30_000,
        4..30 => 60_000,
        30..60 => 15 * 60_000,
        _ => 60 * 60_000,
    }
}

/// A draft not finished in the app within this long stays `sent_to_inbox`: LetsPost stops
/// asking (TikTok's pending window is a day; a week covers a creator who is away).
pub const INBOX_POLL_DEADLINE_MS: u64 = 7 * 86_400_000;

/// Transient failures in a row before a post fails (with the last reason; it can be retried).
pub const MAX_ATTEMPTS: u32 = 30;
/// Extra polls after PUBLISH_COMPLETE to learn a public post's id (TikTok fills it after
/// moderation).
pub const MAX_POST_ID_POLLS: u32 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_grows_with_what_is_sent_ahead_and_stays_under_the_upload_urls_hour() {
        let lead = |size| upload_lead_ms(size, LEAD_MARGIN_MS);
        assert_eq!(lead(10_000), LEAD_MARGIN_MS, "one chunk: nothing is sent ahead");
        assert_eq!(lead(19_999_999), LEAD_MARGIN_MS);
        assert_eq!(lead(45_000_000), LEAD_MARGIN_MS + 10_000, "20 MB ahead at 2 MB/s");
        assert_eq!(lead(287_600_000), LEAD_MARGIN_MS + 130_000);
        assert!(lead(u64::MAX / 2000) <= MAX_LEAD_MS);
    }

    #[test]
    fn another_margin_moves_the_start_by_the_difference_and_the_cap_still_holds() {
        assert_eq!(upload_lead_ms(10_000, 5_000), 5_000);
        assert_eq!(upload_lead_ms(45_000_000, 5_000), 15_000, "the size's share is the same");
        assert_eq!(upload_lead_ms(287_600_000, 5_000), upload_lead_ms(287_600_000, LEAD_MARGIN_MS) - 25_000);
        assert_eq!(upload_lead_ms(u64::MAX / 2000, 0), MAX_LEAD_MS);
        assert_eq!(upload_lead_ms(u64::MAX / 2000, u64::MAX / 2), MAX_LEAD_MS, "no overflow past the cap");
    }

    #[test]
    fn back_off_doubles_and_caps() {
        assert_eq!(retry_delay_ms(1), 1_000);
        assert_eq!(retry_delay_ms(2), 2_000);
        assert_eq!(retry_delay_ms(6), 32_000);
        assert_eq!(retry_delay_ms(7), 60_000);
        assert_eq!(retry_delay_ms(100), 60_000);
        assert_eq!(poll_delay_ms(0), 2_000);
        assert_eq!(poll_delay_ms(50), 30_000);
    }
}
