//! A checked schedule: a known zone and sorted, distinct slots, ready to become instants.

use crate::day::Day;
use crate::schedule::{Schedule, Slot};
use crate::wall_clock::instant_ms;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The longest window [`Weekly::instants`] looks at: a six-week month grid. Longer ones are
/// cut, so a caller's mistake cannot make the Worker walk centuries.
pub const MAX_WINDOW_MS: u64 = 42 * 86_400_000;

/// A weekly wall-clock time. The order is the week's: Monday 00:00 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeeklySlot {
    pub day: Day,
    pub hour: u8,
    pub minute: u8,
}

impl WeeklySlot {
    /// `HH:MM`, as the API writes it.
    pub fn time(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

/// Made by [`Schedule::check`] only, so the zone is known and the slots are valid.
#[derive(Debug, Clone, PartialEq)]
pub struct Weekly {
    zone: TimeZone,
    slots: Vec<WeeklySlot>,
}

impl Weekly {
    pub(crate) fn new(zone: TimeZone, slots: Vec<WeeklySlot>) -> Weekly {
        Weekly { zone, slots }
    }

    pub fn slots(&self) -> &[WeeklySlot] {
        &self.slots
    }

    /// The IANA name, canonical (`europe/berlin` was given → `Europe/Berlin`).
    pub fn time_zone(&self) -> &str {
        self.zone.iana_name().unwrap_or("UTC")
    }

    /// The form to store and send back: canonical zone name, sorted, no duplicates.
    pub fn to_schedule(&self) -> Schedule {
        let slots = self.slots.iter().map(|s| Slot { day: s.day.as_str().to_string(), time: s.time() }).collect();
        Schedule { time_zone: self.time_zone().to_string(), slots }
    }

    /// Every slot's instant (Unix ms) in [from_ms, to_ms), ascending, each once: two slots
    /// can land on one instant when one falls in a skipped hour (02:30 → 03:30 beside 03:30).
    pub fn instants(&self, from_ms: u64, to_ms: u64) -> Vec<u64> {
        let to_ms = to_ms.min(from_ms.saturating_add(MAX_WINDOW_MS));
        let (Some(first), Some(last)) = (self.local_date(from_ms), self.local_date(to_ms)) else {
            return Vec::new();
        };
        // A day either side: an instant can sit on another local date than its slot's.
        let mut date = first.yesterday().unwrap_or(first);
        let last = last.tomorrow().unwrap_or(last);
        let mut found = Vec::new();
        while date <= last {
            let day = Day::of(date.weekday());
            for slot in self.slots.iter().filter(|s| s.day == day) {
                let at = instant_ms(&self.zone, date, slot.hour, slot.minute).and_then(|ms| u64::try_from(ms).ok());
                found.extend(at.filter(|ms| (from_ms..to_ms).contains(ms)));
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    fn local_date(&self, ms: u64) -> Option<Date> {
        let instant = Timestamp::from_millisecond(i64::try_from(ms).ok()?).ok()?;
        Some(self.zone.to_datetime(instant).date())
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{ms, text, weekly};

    #[test]
    fn a_week_in_order() {
        // 2027-01-04 is a Monday; Berlin is UTC+1 in winter.
        let w = weekly("Europe/Berlin", &[("sun", "20:00"), ("mon", "09:00"), ("wed", "12:30"), ("mon", "18:00")]);
        let found: Vec<String> = w.instants(ms("2027-01-04T00:00:00Z"), ms("2027-01-11T00:00:00Z")).into_iter().map(text).collect();
        assert_eq!(found, ["2027-01-04T08:00:00Z", "2027-01-04T17:00:00Z", "2027-01-06T11:30:00Z", "2027-01-10T19:00:00Z"]);
    }

    #[test]
    fn the_window_is_half_open() {
        let w = weekly("UTC", &[("mon", "09:00")]);
        let at = ms("2027-01-04T09:00:00Z");
        assert_eq!(w.instants(at, at + 1), [at]);
        assert!(w.instants(at + 1, at + 7 * 86_400_000).is_empty());
        assert!(w.instants(at - 1, at).is_empty());
    }

    #[test]
    fn local_dates_near_the_window_edges_count() {
        // Tokyo's Tuesday 08:00 is Monday 23:00 UTC: a UTC-Monday window must still see it.
        let w = weekly("Asia/Tokyo", &[("tue", "08:00")]);
        let found = w.instants(ms("2027-01-04T00:00:00Z"), ms("2027-01-05T00:00:00Z"));
        assert_eq!(found.into_iter().map(text).collect::<Vec<_>>(), ["2027-01-04T23:00:00Z"]);
    }

    #[test]
    fn a_slot_in_the_skipped_hour_joins_the_next_one() {
        let w = weekly("Europe/Berlin", &[("sun", "02:30"), ("sun", "03:30")]);
        let found = w.instants(ms("2027-03-28T00:00:00Z"), ms("2027-03-29T00:00:00Z"));
        assert_eq!(found.into_iter().map(text).collect::<Vec<_>>(), ["2027-03-28T01:30:00Z"]);
    }

    #[test]
    fn a_slot_in_the_repeated_hour_happens_once() {
        let w = weekly("Europe/Berlin", &[("sun", "02:30")]);
        let found = w.instants(ms("2027-10-30T00:00:00Z"), ms("2027-11-01T00:00:00Z"));
        assert_eq!(found.into_iter().map(text).collect::<Vec<_>>(), ["2027-10-31T00:30:00Z"]);
    }

    #[test]
    fn slots_keep_their_wall_clock_time_across_a_change() {
        let w = weekly("Europe/Berlin", &[("sun", "09:00")]);
        let found = w.instants(ms("2027-03-21T00:00:00Z"), ms("2027-04-05T00:00:00Z"));
        assert_eq!(found.into_iter().map(text).collect::<Vec<_>>(), ["2027-03-21T08:00:00Z", "2027-03-28T07:00:00Z", "2027-04-04T07:00:00Z"]);
    }

    #[test]
    fn windows_are_capped_and_odd_ones_are_empty() {
        let w = weekly("UTC", &[("mon", "09:00")]);
        assert_eq!(w.instants(0, u64::MAX).len(), 6);
        assert!(w.instants(u64::MAX - 1, u64::MAX).is_empty());
        assert!(w.instants(ms("2027-01-05T00:00:00Z"), ms("2027-01-04T00:00:00Z")).is_empty());
        assert!(weekly("UTC", &[]).instants(0, super::MAX_WINDOW_MS).is_empty());
    }
}
