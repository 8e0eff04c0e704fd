//! The cron's safety net, kept by the posts themselves. Each post in its lifecycle holds one
//! entry, "look at me at `watch_at` if my own alarm has not moved me by then", in one of
//! [`SHARDS`] index objects picked by a hash of its id. Every minute the cron asks each shard
//! only for entries overdue by more than [`MARGIN_MS`], takes the oldest within its budget,
//! and asks those posts to re-arm. Nothing here grows with the number of posts that exist:
//! a run costs the shards plus what is overdue.

use crate::machine::{Action, Post};

/// Index shards. Writes spread evenly over them by hash whatever the hour; 32 keeps the
/// hottest shard at ~80 writes/s when 50,000 posts fall due in the same minute (ARCHITECTURE.md,
/// "Scale"), and the cron's fan-out at 32 subrequests.
pub const SHARDS: u32 = 32;

/// How late an entry must be before the cron steps in: alarms are usually a few ms late, up to
/// a minute during a failover.
pub const MARGIN_MS: u64 = 2 * 60_000;

/// An alarm nearer than this is a step or a poll: the entry then covers [`WINDOW_MS`] ahead, so a
/// post that polls every few seconds writes its entry about once a window, not once a poll.
pub const NEAR_MS: u64 = 5 * 60_000;
pub const WINDOW_MS: u64 = 15 * 60_000;

/// What one cron run may spend: Durable Object calls count as subrequests.
pub const RUN_SUBREQUESTS: u32 = 1_000;
/// The oldest overdue entries each shard hands the cron per run.
pub const PER_SHARD: u32 = 100;
/// A run stops visiting posts after this long (the next run goes on, oldest first).
pub const RUN_MS: u64 = 10_000;
/// A run holds the cron's lease this long at most, so an overlapping run leaves; a run that died
/// frees it by itself before the next minute's run.
pub const LEASE_MS: u64 = 50_000;

/// The shard of a post: FNV-1a of its id (stable across builds and platforms, unlike std's hasher).
pub fn shard_of(post_id: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in post_id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// The Durable Object name of shard `n`.
pub fn shard_name(n: u32) -> String {
    format!("due-{n:02}")
}

/// What to do with a post's index entry after it armed its alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    Keep,
    Put(u64),
    Remove,
}

impl Post {
    /// Whether the post still has lifecycle work that its alarm drives (not just housekeeping
    /// of a finished post's video, which needs no safety net: R2's lifecycle rule backs it).
    pub fn watched(&self, now: u64) -> bool {
        !(self.state.is_final() && self.next(now) == Action::Idle)
    }
}

/// The entry a post should hold, given the one it holds (`stored`), the alarm it just armed
/// (`None`: none), and whether it is still in its lifecycle. A far alarm (a scheduled upload,
/// the end of a day's staging) is watched exactly; a near one for a window ahead.
pub fn watch(stored: Option<u64>, alarm: Option<u64>, in_lifecycle: bool, now: u64) -> Watch {
    let remove = if stored.is_some() { Watch::Remove } else { Watch::Keep };
    let Some(at) = alarm.filter(|_| in_lifecycle) else { return remove };
    if at >= now + NEAR_MS {
        return if stored == Some(at) { Watch::Keep } else { Watch::Put(at) };
    }
    match stored {
        // Still covers the alarm, and not a far time that no longer applies.
        Some(s) if s >= at && s <= now + WINDOW_MS => Watch::Keep,
        _ => Watch::Put(now + WINDOW_MS),
    }
}

/// Entries are overdue once their time is this far behind `now`.
pub fn overdue_before(now: u64) -> u64 {
    now.saturating_sub(MARGIN_MS)
}

/// The posts one run visits: the oldest overdue entries across shards, at most `room`.
pub fn oldest(mut overdue: Vec<(String, u64)>, room: usize) -> Vec<(String, u64)> {
    overdue.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    overdue.truncate(room);
    overdue
}

/// How many posts a run may visit after asking every shard, and the lease's two calls.
pub fn visit_room(subrequests_used: u32) -> usize {
    RUN_SUBREQUESTS.saturating_sub(subrequests_used + 1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    #[test]
    fn a_scheduled_wait_is_watched_at_its_exact_time() {
        let at = NOW + 3 * 86_400_000;
        assert_eq!(watch(None, Some(at), true, NOW), Watch::Put(at));
        assert_eq!(watch(Some(at), Some(at), true, NOW), Watch::Keep);
        // Rescheduled, earlier or later: the entry follows.
        assert_eq!(watch(Some(at), Some(at - 3_600_000), true, NOW), Watch::Put(at - 3_600_000));
        assert_eq!(watch(Some(at), Some(at + 60_000), true, NOW), Watch::Put(at + 60_000));
    }

    #[test]
    fn polling_writes_once_a_window_not_once_a_poll() {
        let mut stored = None;
        let mut writes = 0;
        // An hour of polls every 10 s.
        for i in 0..360u64 {
            let now = NOW + i * 10_000;
            match watch(stored, Some(now + 10_000), true, now) {
                Watch::Put(t) => {
                    assert!(t >= now + 10_000, "the entry covers the next poll");
                    stored = Some(t);
                    writes += 1;
                }
                Watch::Keep => assert!(stored.unwrap() >= now + 10_000),
                Watch::Remove => unreachable!(),
            }
        }
        assert!((4..=5).contains(&writes), "{writes} writes in an hour");
    }

    #[test]
    fn a_far_entry_gives_way_to_a_near_alarm() {
        // Rescheduled from tomorrow to now: the cron must not wait until tomorrow.
        let w = watch(Some(NOW + 86_400_000), Some(NOW), true, NOW);
        assert_eq!(w, Watch::Put(NOW + WINDOW_MS));
    }

    #[test]
    fn a_post_out_of_its_lifecycle_leaves_the_index() {
        assert_eq!(watch(Some(NOW), Some(NOW + 7 * 86_400_000), false, NOW), Watch::Remove);
        assert_eq!(watch(Some(NOW), None, true, NOW), Watch::Remove);
        assert_eq!(watch(None, None, false, NOW), Watch::Keep);
    }

    #[test]
    fn shards_are_stable_and_even() {
        assert_eq!(shard_of("a"), shard_of("a"));
        assert_eq!(shard_name(7), "due-07");
        let mut counts = [0u32; SHARDS as usize];
        for i in 0..32_000 {
            // Post ids are 32 hex digits of randomness; sequential ones are the harder case.
            counts[shard_of(&format!("{i:032x}")) as usize] += 1;
        }
        let (min, max) = (*counts.iter().min().unwrap(), *counts.iter().max().unwrap());
        assert!(min > 800 && max < 1_200, "{min}..{max}");
    }

    #[test]
    fn a_run_takes_the_oldest_within_its_budget() {
        let overdue = vec![("c".to_string(), 30), ("a".to_string(), 10), ("b".to_string(), 20), ("d".to_string(), 10)];
        let picked: Vec<_> = oldest(overdue, 3).into_iter().map(|(id, _)| id).collect();
        assert_eq!(picked, ["a", "d", "b"]);
        assert_eq!(visit_room(SHARDS + 1), (RUN_SUBREQUESTS - SHARDS - 2) as usize);
        assert_eq!(overdue_before(NOW), NOW - MARGIN_MS);
    }
}
