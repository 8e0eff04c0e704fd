//! An account's counts over time: a snapshot when it connects, then one a day, kept a year
//! (`GET /api/accounts/{open_id}/stats`, newest last). Daily is what follower charts need and
//! what TikTok's own numbers move by; a year of them is a few KiB per account.

use crate::DAY_MS;
use serde::{Deserialize, Serialize};
use tiktok_rules::display::UserStats;

/// A snapshot every this long.
pub const EVERY_MS: u64 = DAY_MS;
/// Snapshots older than this before the newest are dropped.
pub const KEPT_MS: u64 = 365 * DAY_MS;
/// At most this many are kept: a year of daily ones and the extra ones reconnects take.
pub const MAX_SAMPLES: usize = 400;

/// One snapshot (`user/info`'s counts at `at_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsSample {
    pub at_ms: u64,
    pub followers: u64,
    pub following: u64,
    pub likes: u64,
    pub videos: u64,
}

impl StatsSample {
    pub fn from_tiktok(at_ms: u64, s: &UserStats) -> StatsSample {
        StatsSample { at_ms, followers: s.follower_count, following: s.following_count, likes: s.likes_count, videos: s.video_count }
    }
}

/// One snapshot as the API shows it (`GET /api/accounts/{open_id}/stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsPoint {
    /// When it was taken, RFC 3339 UTC.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    pub followers: u64,
    pub following: u64,
    /// Likes all the account's videos received.
    pub likes: u64,
    pub videos: u64,
}

/// `{"stats": [StatsPoint]}`, oldest first (newest last), a year at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsBody {
    pub stats: Vec<StatsPoint>,
}

impl StatsBody {
    pub fn of(history: &[StatsSample]) -> StatsBody {
        let stats = history
            .iter()
            .map(|s| StatsPoint { at: rfc3339(s.at_ms), followers: s.followers, following: s.following, likes: s.likes, videos: s.videos })
            .collect();
        StatsBody { stats }
    }
}

/// An instant (ms) as RFC 3339 UTC, to the second (the API's times).
pub(crate) fn rfc3339(ms: u64) -> String {
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    jiff::Timestamp::from_second(secs).map(|t| t.to_string()).unwrap_or_default()
}

/// When to take the next snapshot: now if there is none or the last is a day old.
pub fn next_snapshot_at(last_at_ms: Option<u64>, now_ms: u64) -> u64 {
    last_at_ms.map_or(now_ms, |last| last.saturating_add(EVERY_MS).max(now_ms))
}

/// Add a snapshot: in time order (one taken at the same instant replaces it), then the ones
/// older than a year before the newest and any beyond [`MAX_SAMPLES`] go, oldest first.
pub fn record(history: &mut Vec<StatsSample>, sample: StatsSample) {
    match history.binary_search_by_key(&sample.at_ms, |s| s.at_ms) {
        Ok(i) => history[i] = sample,
        Err(i) => history.insert(i, sample),
    }
    let newest = history.last().map_or(0, |s| s.at_ms);
    let oldest_kept = newest.saturating_sub(KEPT_MS);
    let stale = history.iter().take_while(|s| s.at_ms < oldest_kept).count();
    let over = history.len().saturating_sub(stale).saturating_sub(MAX_SAMPLES);
    history.drain(..stale + over);
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000_000;

    fn sample(at_ms: u64, followers: u64) -> StatsSample {
        StatsSample { at_ms, followers, following: 1, likes: 2, videos: 3 }
    }

    #[test]
    fn daily_after_the_first() {
        assert_eq!(next_snapshot_at(None, T0), T0);
        assert_eq!(next_snapshot_at(Some(T0), T0 + 1), T0 + DAY_MS);
        assert_eq!(next_snapshot_at(Some(T0), T0 + 3 * DAY_MS), T0 + 3 * DAY_MS, "late: now");
    }

    #[test]
    fn a_year_newest_last() {
        let mut h = Vec::new();
        for day in 0..500 {
            record(&mut h, sample(T0 + day * DAY_MS, day));
        }
        assert_eq!(h.len(), 366);
        assert_eq!((h[0].followers, h.last().unwrap().followers), (134, 499));
        assert!(h.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
        // Late and repeated snapshots land in order, once.
        record(&mut h, sample(T0 + 300 * DAY_MS + 1, 7));
        record(&mut h, sample(T0 + 499 * DAY_MS, 500));
        assert_eq!(h.len(), 367);
        assert_eq!(h.last().unwrap().followers, 500);
        assert!(h.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
    }

    #[test]
    fn reconnects_in_a_day_are_bounded_too() {
        let mut h = Vec::new();
        for i in 0..1_000 {
            record(&mut h, sample(T0 + i * 60_000, i));
        }
        assert_eq!(h.len(), MAX_SAMPLES);
        assert_eq!(h.last().unwrap().followers, 999);
    }

    #[test]
    fn the_api_shape_has_rfc3339_times_newest_last() {
        let body = StatsBody::of(&[sample(T0, 5), sample(T0 + DAY_MS + 1_500, 6)]);
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(v["stats"][0], serde_json::json!({"at": "2027-01-15T08:00:00Z", "followers": 5, "following": 1, "likes": 2, "videos": 3}));
        assert_eq!(v["stats"][1]["at"], "2027-01-16T08:00:01Z");
    }

    #[test]
    fn from_tiktoks_counts() {
        let s = UserStats { follower_count: 10, following_count: 20, likes_count: 30, video_count: 4 };
        assert_eq!(StatsSample::from_tiktok(T0, &s), StatsSample { at_ms: T0, followers: 10, following: 20, likes: 30, videos: 4 });
    }
}
