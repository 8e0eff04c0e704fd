//! Which slots are still free. A slot is held by any live post of the account whose time
//! falls within the slot's minute, so a post set by hand for 09:00:30 holds the 09:00 slot.

use crate::weekly::Weekly;

/// How long one slot lasts for the "held" test.
pub const SLOT_MS: u64 = 60_000;

impl Weekly {
    /// The free slot instants (Unix ms) in [from_ms, to_ms), ascending: what the calendar
    /// offers. `taken_ms` are the times of the account's other live posts, in any order.
    pub fn free_slots(&self, from_ms: u64, to_ms: u64, taken_ms: &[u64]) -> Vec<u64> {
        let mut taken = taken_ms.to_vec();
        taken.sort_unstable();
        let mut free = self.instants(from_ms, to_ms);
        free.retain(|&slot| !held(slot, &taken));
        free
    }
}

fn held(slot_ms: u64, sorted_taken: &[u64]) -> bool {
    let first_at_or_after = sorted_taken.partition_point(|&t| t < slot_ms);
    sorted_taken.get(first_at_or_after).is_some_and(|&t| t < slot_ms + SLOT_MS)
}

#[cfg(test)]
mod tests {
    use crate::test_support::{ms, text, weekly};

    fn week() -> (u64, u64) {
        (ms("2027-01-04T00:00:00Z"), ms("2027-01-11T00:00:00Z"))
    }

    #[test]
    fn taken_slots_are_left_out() {
        let w = weekly("UTC", &[("mon", "09:00"), ("tue", "09:00"), ("wed", "09:00")]);
        let (from, to) = week();
        let taken = [ms("2027-01-06T09:00:00Z"), ms("2027-01-04T09:00:00Z")];
        let free = w.free_slots(from, to, &taken);
        assert_eq!(free.into_iter().map(text).collect::<Vec<_>>(), ["2027-01-05T09:00:00Z"]);
    }

    #[test]
    fn a_post_within_the_slots_minute_holds_it_and_others_do_not() {
        let w = weekly("UTC", &[("mon", "09:00")]);
        let (from, to) = week();
        let slot = ms("2027-01-04T09:00:00Z");
        assert!(w.free_slots(from, to, &[slot + 59_999]).is_empty());
        assert_eq!(w.free_slots(from, to, &[slot - 1, slot + 60_000]), [slot]);
        assert_eq!(w.free_slots(from, to, &[]), [slot]);
    }
}
