//! Which times an account's posts hold, as its Account object keeps them: one entry per live
//! post (`awaiting_media`, `scheduled`, `uploading`), written by the post itself whenever its
//! time or state changes, and one *reservation* per "Add to queue" between the slot's choice
//! and the post's first write. A reservation whose post never appeared (the create was refused
//! or its isolate died) stops counting after [`RESERVATION_MS`], so no slot is lost for good.

use serde::{Deserialize, Serialize};

/// A reservation the post has not confirmed within this long is dropped. Far longer than a
/// create takes (one object call after the choice), far shorter than any slot's lead.
pub const RESERVATION_MS: u64 = 120_000;

/// One post's hold on a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub at_ms: u64,
    /// Set while only the queue's choice holds it (the post has not written yet).
    #[serde(default)]
    pub reserved_at_ms: Option<u64>,
}

impl Hold {
    pub fn reserved(at_ms: u64, now_ms: u64) -> Hold {
        Hold { at_ms, reserved_at_ms: Some(now_ms) }
    }

    pub fn confirmed(at_ms: u64) -> Hold {
        Hold { at_ms, reserved_at_ms: None }
    }

    /// Whether the hold keeps its time from others now.
    pub fn counts(&self, now_ms: u64) -> bool {
        self.reserved_at_ms.is_none_or(|r| now_ms < r.saturating_add(RESERVATION_MS))
    }

    /// Whether the entry can be deleted: a dead reservation, or a time long past (a post that
    /// is published or failed by then needs no slot; one still uploading holds a past time,
    /// which no queue would offer anyway).
    pub fn expired(&self, now_ms: u64) -> bool {
        !self.counts(now_ms) || self.at_ms.saturating_add(86_400_000) < now_ms
    }
}

/// The held times among `holds` (any order) that still count at `now_ms`.
pub fn taken<'a>(holds: impl IntoIterator<Item = &'a Hold>, now_ms: u64) -> Vec<u64> {
    holds.into_iter().filter(|h| h.counts(now_ms)).map(|h| h.at_ms).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LEAD_MS;
    use crate::test_support::{ms, weekly};

    #[test]
    fn a_reservation_counts_until_its_post_would_have_written() {
        let h = Hold::reserved(10_000_000, 1_000);
        assert!(h.counts(1_000 + RESERVATION_MS - 1));
        assert!(!h.counts(1_000 + RESERVATION_MS));
        assert!(h.expired(1_000 + RESERVATION_MS));
        assert!(Hold::confirmed(10_000_000).counts(u64::MAX));
    }

    #[test]
    fn confirmed_holds_expire_a_day_after_their_time() {
        let h = Hold::confirmed(5_000);
        assert!(!h.expired(5_000 + 86_400_000));
        assert!(h.expired(5_001 + 86_400_000));
    }

    #[test]
    fn two_queue_picks_in_a_row_get_two_slots_and_a_dead_reservation_frees_its_own() {
        let w = weekly("Europe/Berlin", &[("tue", "09:00"), ("wed", "07:00")]);
        let now = ms("2027-01-04T12:00:00Z");
        let mut holds = Vec::new();
        let first = w.next_free(now, LEAD_MS, &taken(&holds, now)).unwrap();
        holds.push(Hold::reserved(first, now));
        let second = w.next_free(now, LEAD_MS, &taken(&holds, now)).unwrap();
        assert_eq!((first, second), (ms("2027-01-05T08:00:00Z"), ms("2027-01-06T06:00:00Z")));
        // The first create was refused: two minutes on, its slot is offered again.
        let later = now + RESERVATION_MS;
        holds.push(Hold::confirmed(second));
        assert_eq!(w.next_free(later, LEAD_MS, &taken(&holds, later)), Ok(first));
    }
}
