//! When a published post's numbers are read again.
//!
//! The schedule decays: 1 h, 6 h, 24 h, 3 d and 7 d after publishing, then every 30 days to
//! 330 d, and a last reading at 365 d; then never. Why these:
//! - A post's views come mostly in its first day or two and then level off (For You
//!   traffic), so early readings are where the numbers move; reading hourly for a week would
//!   spend calls on a flat line.
//! - 24 h is the reading best times are scored on ([`crate::first_day`]); 1 h and 6 h show the
//!   creator the start of the curve the day they post.
//! - Monthly for a year catches the long tail (a post found again, a sound trending) at 11
//!   calls a year; after a year the number shown is the last one read.
//! - 17 readings a post in all. At 10,000 posts an account that is 170,000 ids a year, 8,500
//!   `video/query` calls of 20: nothing beside TikTok's 600 a minute.
//!
//! Missed readings (the post id came late, the Worker was down) are not replayed: the next
//! reading is now, then the first step after it. A reading within [`RIDE_ALONG_MS`] before a
//! step counts as that step's, so a post read early to fill a batch (see [`due`]) or by
//! hand just before a step is not read twice in a few minutes.

use crate::{DAY_MS, HOUR_MS};
use tiktok_rules::PostId;

/// Offsets from publishing, in order.
pub const STEPS_MS: [u64; 17] = [
    HOUR_MS,
    6 * HOUR_MS,
    DAY_MS,
    3 * DAY_MS,
    7 * DAY_MS,
    30 * DAY_MS,
    60 * DAY_MS,
    90 * DAY_MS,
    120 * DAY_MS,
    150 * DAY_MS,
    180 * DAY_MS,
    210 * DAY_MS,
    240 * DAY_MS,
    270 * DAY_MS,
    300 * DAY_MS,
    330 * DAY_MS,
    365 * DAY_MS,
];

/// A post due within this long is read with the ones due now (one `video/query` instead of
/// two alarms minutes apart), and a reading this close before a step stands for it.
pub const RIDE_ALONG_MS: u64 = 15 * 60_000;

/// The manual refresh (`POST /api/posts/{id}/metrics/refresh`) waits this long after any
/// reading.
pub const MANUAL_COOLDOWN_MS: u64 = 5 * 60_000;

/// The next reading of a post published at `published_at_ms` and last read at
/// `last_refresh_ms`: `now_ms` when a step has passed unread, the step's instant when it is
/// ahead, `None` once the last step is read.
pub fn next_refresh_at(published_at_ms: u64, last_refresh_ms: Option<u64>, now_ms: u64) -> Option<u64> {
    // The first step not covered by the last reading.
    let covered = last_refresh_ms.map_or(published_at_ms, |last| last.max(published_at_ms).saturating_add(RIDE_ALONG_MS));
    let step = STEPS_MS.iter().map(|s| published_at_ms.saturating_add(*s)).find(|at| *at > covered)?;
    Some(step.max(now_ms))
}

/// A post whose numbers LetsPost follows: its TikTok id, when it went out, when last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracked {
    pub post_id: PostId,
    pub published_at_ms: u64,
    pub last_refresh_ms: Option<u64>,
}

/// The posts to read at `now_ms`: those due, and those due within [`RIDE_ALONG_MS`]. In the
/// order given.
pub fn due(posts: &[Tracked], now_ms: u64) -> Vec<PostId> {
    let horizon = now_ms.saturating_add(RIDE_ALONG_MS);
    posts.iter().filter(|p| next_refresh_at(p.published_at_ms, p.last_refresh_ms, now_ms).is_some_and(|at| at <= horizon)).map(|p| p.post_id).collect()
}

/// Why a manual refresh is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualRefusal {
    /// TikTok has not given the post id yet (not public, or still in moderation): 409.
    NoPostId,
    /// Read less than [`MANUAL_COOLDOWN_MS`] ago: 429 with `Retry-After`.
    TooSoon { retry_after_ms: u64 },
}

impl ManualRefusal {
    pub fn status(self) -> u16 {
        match self {
            ManualRefusal::NoPostId => 409,
            ManualRefusal::TooSoon { .. } => 429,
        }
    }

    /// `Retry-After` in whole seconds, rounded up.
    pub fn retry_after_secs(self) -> Option<u64> {
        match self {
            ManualRefusal::NoPostId => None,
            ManualRefusal::TooSoon { retry_after_ms } => Some(retry_after_ms.div_ceil(1000)),
        }
    }
}

/// May the creator read a post's numbers now?
pub fn manual_refresh(post_id: Option<PostId>, last_refresh_ms: Option<u64>, now_ms: u64) -> Result<(), ManualRefusal> {
    if post_id.is_none() {
        return Err(ManualRefusal::NoPostId);
    }
    match last_refresh_ms.map(|last| last.saturating_add(MANUAL_COOLDOWN_MS)) {
        Some(open_at) if open_at > now_ms => Err(ManualRefusal::TooSoon { retry_after_ms: open_at - now_ms }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000_000;

    /// Every reading a post gets when each one happens the moment it is due.
    fn readings(published: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut last = None;
        let mut now = published;
        while let Some(at) = next_refresh_at(published, last, now) {
            out.push(at - published);
            last = Some(at);
            now = at;
        }
        out
    }

    #[test]
    fn the_schedule_decays_and_ends_after_a_year() {
        assert_eq!(readings(T0), STEPS_MS);
        assert!(STEPS_MS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(next_refresh_at(T0, None, T0), Some(T0 + HOUR_MS));
        assert_eq!(next_refresh_at(T0, Some(T0 + 365 * DAY_MS), T0 + 365 * DAY_MS), None);
        assert_eq!(next_refresh_at(T0, Some(T0 + 400 * DAY_MS), T0 + 500 * DAY_MS), None);
    }

    #[test]
    fn missed_steps_collapse_into_one_reading_now() {
        // The post id came two days late: read now, then at 3 d.
        let now = T0 + 2 * DAY_MS;
        assert_eq!(next_refresh_at(T0, None, now), Some(now));
        assert_eq!(next_refresh_at(T0, Some(now), now), Some(T0 + 3 * DAY_MS));
        // Down for two months: one reading, then the next monthly step.
        let now = T0 + 95 * DAY_MS;
        assert_eq!(next_refresh_at(T0, Some(T0 + 7 * DAY_MS), now), Some(now));
        assert_eq!(next_refresh_at(T0, Some(now), now), Some(T0 + 120 * DAY_MS));
    }

    #[test]
    fn a_reading_just_before_a_step_stands_for_it() {
        let early = T0 + 6 * HOUR_MS - 10 * 60_000;
        assert_eq!(next_refresh_at(T0, Some(early), early), Some(T0 + DAY_MS));
        // A manual reading well before the step leaves the step in place.
        let manual = T0 + 3 * HOUR_MS;
        assert_eq!(next_refresh_at(T0, Some(manual), manual), Some(T0 + 6 * HOUR_MS));
    }

    #[test]
    fn due_takes_the_late_the_ripe_and_the_nearly_ripe() {
        let now = T0 + 10 * DAY_MS;
        let post = |id: u64, published: u64, last: Option<u64>| Tracked { post_id: PostId(id), published_at_ms: published, last_refresh_ms: last };
        let posts = [
            post(1, now - HOUR_MS, None),                                                // 1 h step: now
            post(2, now - HOUR_MS + 10 * 60_000, None),                                  // due in 10 min: rides along
            post(3, now - HOUR_MS + 20 * 60_000, None),                                  // due in 20 min: not yet
            post(4, now - 3 * DAY_MS, Some(now - 2 * DAY_MS)),                           // 3 d step passed
            post(5, now - 2 * DAY_MS, Some(now - DAY_MS)),                               // next at 3 d: tomorrow
            post(6, now - 400 * DAY_MS, Some(now - 35 * DAY_MS)),                        // done for good
            post(7, T0 - 360 * DAY_MS, Some(T0 - 360 * DAY_MS + 330 * DAY_MS + 60_000)), // the 365 d one
        ];
        assert_eq!(due(&posts, now), [PostId(1), PostId(2), PostId(4), PostId(7)]);
        // Read them now: none is due again in the next quarter hour.
        let read: Vec<Tracked> = posts.iter().map(|p| Tracked { last_refresh_ms: Some(now), ..*p }).collect();
        assert!(due(&read, now).is_empty());
        // Post 2's 1 h step was covered by the early reading; post 3's, 20 min off, was not.
        assert_eq!(due(&read, now + RIDE_ALONG_MS), [PostId(3)]);
    }

    #[test]
    fn manual_refresh_needs_the_post_id_and_five_quiet_minutes() {
        let id = Some(PostId(7_234_567_890_123_456_789));
        assert_eq!(manual_refresh(None, None, T0), Err(ManualRefusal::NoPostId));
        assert_eq!(ManualRefusal::NoPostId.status(), 409);
        assert_eq!(manual_refresh(id, None, T0), Ok(()));
        let refused = manual_refresh(id, Some(T0 - 60_000), T0).unwrap_err();
        assert_eq!(refused, ManualRefusal::TooSoon { retry_after_ms: 4 * 60_000 });
        assert_eq!((refused.status(), refused.retry_after_secs()), (429, Some(240)));
        assert_eq!(ManualRefusal::TooSoon { retry_after_ms: 1 }.retry_after_secs(), Some(1));
        assert_eq!(manual_refresh(id, Some(T0 - MANUAL_COOLDOWN_MS), T0), Ok(()));
    }

    #[test]
    fn extreme_instants_do_not_overflow() {
        assert_eq!(next_refresh_at(u64::MAX - 1, None, 0), Some(u64::MAX));
        assert_eq!(next_refresh_at(u64::MAX - 1, Some(u64::MAX), u64::MAX), None);
    }
}
