//! "Add to queue": the post gets the earliest free slot far enough ahead to upload, and
//! no later than a post may be scheduled at all.

use crate::weekly::Weekly;

/// The Worker's lead: a queued post is never due sooner than this, so there is time to
/// stage and start the upload.
pub const LEAD_MS: u64 = 5 * 60_000;
/// How far ahead the queue looks; the same 30 days a post may be scheduled ahead
/// (`post_lifecycle::create::MAX_AHEAD_MS`).
pub const HORIZON_MS: u64 = 30 * 86_400_000;

/// Why no slot was found; the message says what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueError {
    /// The schedule has no times at all.
    NoSlots,
    /// Every time in the next 30 days is held by another post.
    AllTaken,
}

impl QueueError {
    pub fn code(self) -> &'static str {
        match self {
            QueueError::NoSlots => "schedule_empty",
            QueueError::AllTaken => "schedule_full",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            QueueError::NoSlots => "Your posting schedule has no times yet. Add times to it, or pick a time for this post.",
            QueueError::AllTaken => "Every time in your posting schedule for the next 30 days is taken. Add times to it, or pick a time for this post.",
        }
    }
}

impl Weekly {
    /// The instant (Unix ms) to queue a post at: the earliest slot at least `lead_ms` after
    /// `now_ms` and at most [`HORIZON_MS`] after it, not held by any of `taken_ms`.
    /// The Worker passes [`LEAD_MS`].
    pub fn next_free(&self, now_ms: u64, lead_ms: u64, taken_ms: &[u64]) -> Result<u64, QueueError> {
        if self.slots().is_empty() {
            return Err(QueueError::NoSlots);
        }
        let from = now_ms.saturating_add(lead_ms);
        let to = now_ms.saturating_add(HORIZON_MS).saturating_add(1);
        self.free_slots(from, to, taken_ms).first().copied().ok_or(QueueError::AllTaken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{ms, text, weekly};

    const MIN: u64 = 60_000;

    fn next(w: &Weekly, now: &str, taken: &[&str]) -> Result<String, QueueError> {
        let taken: Vec<u64> = taken.iter().map(|t| ms(t)).collect();
        w.next_free(ms(now), LEAD_MS, &taken).map(text)
    }

    #[test]
    fn the_earliest_slot_wins_whatever_the_order_given() {
        let w = weekly("Europe/Berlin", &[("fri", "18:00"), ("tue", "09:00"), ("wed", "07:00")]);
        // Monday 2027-01-04 noon UTC: Tuesday 09:00 Berlin comes first.
        assert_eq!(next(&w, "2027-01-04T12:00:00Z", &[]), Ok("2027-01-05T08:00:00Z".into()));
    }

    #[test]
    fn taken_slots_are_skipped() {
        let w = weekly("Europe/Berlin", &[("tue", "09:00"), ("wed", "07:00")]);
        let taken = ["2027-01-05T08:00:00Z", "2027-01-06T06:00:00Z"];
        assert_eq!(next(&w, "2027-01-04T12:00:00Z", &taken), Ok("2027-01-12T08:00:00Z".into()));
    }

    #[test]
    fn a_slot_inside_the_lead_is_too_soon() {
        let w = weekly("UTC", &[("mon", "09:00")]);
        let slot = ms("2027-01-04T09:00:00Z");
        assert_eq!(w.next_free(slot - LEAD_MS, LEAD_MS, &[]), Ok(slot));
        assert_eq!(w.next_free(slot - LEAD_MS + 1, LEAD_MS, &[]), Ok(slot + 7 * 86_400_000));
        assert_eq!(w.next_free(slot - MIN, 0, &[]), Ok(slot));
    }

    #[test]
    fn nothing_past_thirty_days() {
        let w = weekly("UTC", &[("mon", "09:00")]);
        let first = ms("2027-01-04T09:00:00Z");
        let weeks: Vec<u64> = (0..5).map(|i| first + i * 7 * 86_400_000).collect();
        let now = first - 60 * MIN;
        // Slots on days 0, 7, 14, 21, 28 are within 30 days; the one on day 35 is not.
        assert_eq!(w.next_free(now, LEAD_MS, &weeks[..4]), Ok(weeks[4]));
        assert_eq!(w.next_free(now, LEAD_MS, &weeks), Err(QueueError::AllTaken));
        // Exactly 30 days ahead is still allowed, as for a post scheduled by hand.
        assert_eq!(w.next_free(weeks[4] - HORIZON_MS, LEAD_MS, &weeks[..4]), Ok(weeks[4]));
        assert_eq!(w.next_free(weeks[4] - HORIZON_MS - 1, LEAD_MS, &weeks[..4]), Err(QueueError::AllTaken));
    }

    #[test]
    fn the_horizon_is_how_far_a_post_may_be_scheduled() {
        assert_eq!(HORIZON_MS, post_lifecycle::create::MAX_AHEAD_MS);
    }

    #[test]
    fn an_empty_schedule_says_what_to_do() {
        let err = weekly("UTC", &[]).next_free(0, LEAD_MS, &[]).unwrap_err();
        assert_eq!(err, QueueError::NoSlots);
        assert!(err.message().contains("Add times"));
        assert!(QueueError::AllTaken.message().contains("pick a time"));
    }

    #[test]
    fn queueing_across_the_spring_change() {
        // Sunday 2027-03-28, 01:00 CET: the 02:30 slot does not exist and is taken as 03:30 CEST.
        let w = weekly("Europe/Berlin", &[("sun", "02:30")]);
        assert_eq!(next(&w, "2027-03-28T00:00:00Z", &[]), Ok("2027-03-28T01:30:00Z".into()));
        // Held: the next is a week later, back to 02:30 CEST.
        assert_eq!(next(&w, "2027-03-28T00:00:00Z", &["2027-03-28T01:30:00Z"]), Ok("2027-04-04T00:30:00Z".into()));
    }

    #[test]
    fn queueing_across_the_autumn_change() {
        // 2027-10-31: 02:30 happens twice; the queue offers the first (CEST) once, never both.
        let w = weekly("Europe/Berlin", &[("sun", "02:30")]);
        assert_eq!(next(&w, "2027-10-30T22:00:00Z", &[]), Ok("2027-10-31T00:30:00Z".into()));
        assert_eq!(next(&w, "2027-10-30T22:00:00Z", &["2027-10-31T00:30:00Z"]), Ok("2027-11-07T01:30:00Z".into()));
        // Past the first 02:30 but before the second: next week, not the repeat.
        assert_eq!(next(&w, "2027-10-31T00:40:00Z", &[]), Ok("2027-11-07T01:30:00Z".into()));
    }

    #[test]
    fn queueing_in_a_zone_without_dst() {
        let w = weekly("Asia/Tokyo", &[("sun", "02:30")]);
        assert_eq!(next(&w, "2027-03-27T00:00:00Z", &[]), Ok("2027-03-27T17:30:00Z".into()));
        assert_eq!(next(&w, "2027-10-30T00:00:00Z", &[]), Ok("2027-10-30T17:30:00Z".into()));
    }
}
