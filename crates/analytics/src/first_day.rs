//! Which reading stands for a post's first 24 hours, the number best times compare.
//!
//! Views a day after publishing say how a time slot did before the long tail blurs it (a post
//! found again weeks later says little about the hour it went out). The schedule reads at 24 h
//! ([`crate::refresh`]), but a reading can be late or early (batching, an outage), so the one
//! closest to 24 h within 12–48 h counts; a post with none in that window is left out rather
//! than compared on a 1-hour or a 1-month number. One reading a post is kept: O(1) state.

use crate::{DAY_MS, HOUR_MS};
use serde::{Deserialize, Serialize};

/// Readings count for the first day within this window after publishing.
pub const WINDOW_MS: (u64, u64) = (12 * HOUR_MS, 48 * HOUR_MS);

/// A reading of a post's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    pub at_ms: u64,
    pub views: u64,
}

/// How far from 24 h after publishing, if within the window.
fn distance(published_at_ms: u64, m: &Measurement) -> Option<u64> {
    let age = m.at_ms.checked_sub(published_at_ms)?;
    (WINDOW_MS.0..=WINDOW_MS.1).contains(&age).then(|| age.abs_diff(DAY_MS))
}

/// The reading to keep for the first day after a new one: the closer to 24 h of `kept` and
/// `new` within the window (the kept one on a tie), or `None` while neither is in it.
pub fn keep(published_at_ms: u64, kept: Option<Measurement>, new: Measurement) -> Option<Measurement> {
    let scored = |m: Measurement| distance(published_at_ms, &m).map(|d| (d, m));
    match (kept.and_then(scored), scored(new)) {
        (Some((dk, k)), Some((dn, n))) => Some(if dn < dk { n } else { k }),
        (Some((_, k)), None) => Some(k),
        (None, Some((_, n))) => Some(n),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: u64 = 1_800_000_000_000;

    fn at(hours: u64, views: u64) -> Measurement {
        Measurement { at_ms: P + hours * HOUR_MS, views }
    }

    #[test]
    fn the_reading_nearest_a_day_wins() {
        assert_eq!(keep(P, None, at(1, 10)), None, "an hour in is too early");
        assert_eq!(keep(P, None, at(6, 50)), None);
        let day = keep(P, None, at(25, 900));
        assert_eq!(day, Some(at(25, 900)));
        assert_eq!(keep(P, day, at(72, 1_500)), day, "3 days in is past the window");
        assert_eq!(keep(P, day, at(24, 880)), Some(at(24, 880)));
        assert_eq!(keep(P, Some(at(23, 1)), at(25, 2)), Some(at(23, 1)), "a tie keeps the first");
    }

    #[test]
    fn late_readings_still_count_inside_the_window() {
        // The Worker was down from 20 h to 40 h: the 40 h reading stands for the first day.
        assert_eq!(keep(P, None, at(40, 2_000)), Some(at(40, 2_000)));
        assert_eq!(keep(P, None, at(48, 1)), Some(at(48, 1)));
        assert_eq!(keep(P, None, at(12, 1)), Some(at(12, 1)));
        assert_eq!(keep(P, None, Measurement { at_ms: P - 1, views: 1 }), None, "before publishing");
    }
}
