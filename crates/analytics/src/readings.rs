//! A post's readings over time (`GET /api/posts/{id}/metrics`, the panel's charts), kept in a
//! bounded history per post.
//!
//! The decaying schedule ([`crate::refresh`]) reads a post 17 times in its first year, and a
//! creator's "Refresh numbers" adds at most one reading every 5 minutes, so without a bound a
//! post refreshed by a script would grow forever. At most [`MAX_READINGS`] are kept: when a new
//! reading makes one too many, [`thin`] drops the middle reading whose neighbours are closest
//! in time (the one that says least: a line through its neighbours barely moves without it).
//! The first reading (where the chart starts) and the newest (what the post shows now) are never
//! dropped. Dropping the densest point each time keeps the rest spread evenly over the post's
//! life: a burst of refreshes five minutes apart is thinned first, the scheduled readings days or
//! months apart last. On a tie the older goes, so recent detail stays. O(n) per reading, n ≤ 49.

use serde::{Deserialize, Serialize};

/// Readings kept per post at most: the year's 17 scheduled ones plus 31 refreshes before any
/// is thinned.
pub const MAX_READINGS: usize = 48;

/// One reading of a post's counts, as the Worker stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    pub at_ms: u64,
    pub views: u64,
    pub likes: u64,
    pub comments: u64,
    pub shares: u64,
}

/// Which readings to drop once `ats` (each reading's time, oldest first) holds a new one:
/// their indexes (ascending), none while at most [`MAX_READINGS`].
pub fn thin(ats: &[u64]) -> Vec<usize> {
    thin_to(ats, MAX_READINGS)
}

/// [`thin`] to at most `max` readings (`max` ≥ 2: the first and the newest stay).
pub fn thin_to(ats: &[u64], max: usize) -> Vec<usize> {
    let max = max.max(2);
    let mut kept: Vec<usize> = (0..ats.len()).collect();
    while kept.len() > max {
        // The middle reading whose neighbours are closest: the first on a tie (the older).
        let drop = (1..kept.len() - 1).min_by_key(|&i| (ats[kept[i + 1]].saturating_sub(ats[kept[i - 1]]), i)).unwrap_or(1);
        kept.remove(drop);
    }
    let mut dropped: Vec<usize> = (0..ats.len()).filter(|i| !kept.contains(i)).collect();
    dropped.sort_unstable();
    dropped
}

/// One reading as the API shows it: the same shape as a post's latest numbers.
pub type ReadingPoint = post_lifecycle::Metrics;

/// `GET /api/posts/{id}/metrics`: `{"readings": [Metrics]}`, oldest first (newest last),
/// at most [`MAX_READINGS`]; empty while a post has none (not read yet, private, no TikTok id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadingsBody {
    pub readings: Vec<ReadingPoint>,
}

impl ReadingsBody {
    /// The stored readings (any order) as the API shows them, oldest first.
    pub fn of(readings: &[Reading]) -> ReadingsBody {
        let mut sorted = readings.to_vec();
        sorted.sort_by_key(|r| r.at_ms);
        let readings = sorted
            .iter()
            .map(|r| ReadingPoint { views: r.views, likes: r.likes, comments: r.comments, shares: r.shares, at: crate::account_stats::rfc3339(r.at_ms) })
            .collect();
        ReadingsBody { readings }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DAY_MS, HOUR_MS};

    const P: u64 = 1_800_000_000_000;
    const MIN_MS: u64 = 60_000;

    /// Keep readings one at a time, as the Worker does.
    fn keep_all(ats: impl IntoIterator<Item = u64>, max: usize) -> Vec<u64> {
        let mut kept = Vec::new();
        for at in ats {
            kept.push(at);
            let dropped = thin_to(&kept, max);
            kept = kept.iter().enumerate().filter(|(i, _)| !dropped.contains(i)).map(|(_, a)| *a).collect();
        }
        kept
    }

    #[test]
    fn nothing_is_dropped_within_the_cap() {
        let ats: Vec<u64> = (0..MAX_READINGS as u64).map(|i| P + i * HOUR_MS).collect();
        assert!(thin(&ats).is_empty());
        assert!(thin(&[]).is_empty() && thin(&[P]).is_empty());
    }

    #[test]
    fn one_too_many_drops_the_densest_middle_reading() {
        // 0, 10, 11, 30 (minutes) with room for 3: 10 or 11 goes; 10's neighbours are 11 apart,
        // 11's are 30 apart, so 10 goes.
        let ats = [P, P + 10 * MIN_MS, P + 11 * MIN_MS, P + 30 * MIN_MS];
        assert_eq!(thin_to(&ats, 3), vec![1]);
        // Evenly spaced: a tie, the older goes.
        let even = [P, P + 1, P + 2, P + 3];
        assert_eq!(thin_to(&even, 3), vec![1]);
        assert_eq!(thin_to(&even, 2), vec![1, 2], "the first and the newest stay");
    }

    #[test]
    fn a_year_of_refreshes_stays_at_the_cap_with_its_first_and_newest_and_spread_out() {
        // The schedule's 17 readings, and a script refreshing every 5 minutes for a day at 3 d.
        let mut ats: Vec<u64> = [1, 6, 24, 72, 168].iter().map(|h| P + h * HOUR_MS).collect();
        ats.extend((1..=12).map(|m| P + 7 * DAY_MS + m * 30 * DAY_MS));
        ats.extend((1..=288).map(|i| P + 3 * DAY_MS + 10 * MIN_MS + i * 5 * MIN_MS));
        ats.sort_unstable();
        let kept = keep_all(ats.iter().copied(), MAX_READINGS);
        assert_eq!(kept.len(), MAX_READINGS);
        assert_eq!((kept[0], *kept.last().unwrap()), (ats[0], *ats.last().unwrap()));
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "still in order");
        // Every monthly reading survives: the burst was thinned instead.
        for m in 1..=12 {
            assert!(kept.contains(&(P + 7 * DAY_MS + m * 30 * DAY_MS)), "month {m}");
        }
        // The burst day keeps evenly spread readings, none closer than 5 minutes.
        let burst: Vec<u64> = kept.iter().copied().filter(|&a| a > P + 3 * DAY_MS && a < P + 5 * DAY_MS).collect();
        assert!(burst.len() >= 20, "{}", burst.len());
        let gaps: Vec<u64> = burst.windows(2).map(|w| w[1] - w[0]).collect();
        let (lo, hi) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
        assert!(*hi <= 2 * lo + 5 * MIN_MS, "evenly thinned: {lo}..{hi}");
    }

    #[test]
    fn any_number_of_readings_keeps_at_most_the_cap() {
        for n in [49usize, 60, 500] {
            let ats: Vec<u64> = (0..n as u64).map(|i| P + i * i * MIN_MS).collect();
            let dropped = thin(&ats);
            assert_eq!(n - dropped.len(), MAX_READINGS, "{n}");
            assert!(!dropped.contains(&0) && !dropped.contains(&(n - 1)));
            assert_eq!(keep_all(ats.iter().copied(), MAX_READINGS).len(), MAX_READINGS);
        }
    }

    #[test]
    fn the_api_lists_readings_oldest_first_in_rfc_3339() {
        let r = |at_ms, views| Reading { at_ms, views, likes: 1, comments: 2, shares: 3 };
        let body = ReadingsBody::of(&[r(P + HOUR_MS, 20), r(P, 10)]);
        assert_eq!(body.readings.iter().map(|p| p.views).collect::<Vec<_>>(), [10, 20]);
        assert_eq!(body.readings[0].at, "2027-01-15T08:00:00Z");
        assert_eq!(serde_json::to_value(ReadingsBody::default()).unwrap(), serde_json::json!({ "readings": [] }));
    }
}
