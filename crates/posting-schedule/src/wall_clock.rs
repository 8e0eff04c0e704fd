//! A slot's local date and time → exactly one instant, also on the two days a year when
//! daylight saving makes that local time not exist or exist twice.
//!
//! The rule is RFC 5545's, which most calendars follow (jiff calls it "compatible"):
//! - skipped (clocks spring forward): moved forward by the gap. Berlin's 02:30 on
//!   2027-03-28 is 03:30 CEST, so the post still goes out that night, an hour "late".
//! - repeated (clocks fall back): the first occurrence. Berlin's 02:30 on 2027-10-31 is
//!   02:30 CEST (00:30 UTC), not the 02:30 CET an hour later.

use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Unix ms of `hour:minute` on `date` in `zone`; `None` only outside jiff's years (±9999).
pub fn instant_ms(zone: &TimeZone, date: Date, hour: u8, minute: u8) -> Option<i64> {
    let local = date.at(hour as i8, minute as i8, 0, 0);
    let instant = zone.to_ambiguous_timestamp(local).compatible().ok()?;
    Some(instant.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn utc(zone: &str, y: i16, m: i8, d: i8, hour: u8, minute: u8) -> String {
        let tz = TimeZone::get(zone).unwrap();
        let ms = instant_ms(&tz, date(y, m, d), hour, minute).unwrap();
        jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
    }

    #[test]
    fn ordinary_days_follow_the_offset_in_force() {
        assert_eq!(utc("Europe/Berlin", 2027, 1, 4, 9, 0), "2027-01-04T08:00:00Z");
        assert_eq!(utc("Europe/Berlin", 2027, 7, 5, 9, 0), "2027-07-05T07:00:00Z");
    }

    #[test]
    fn a_skipped_time_moves_forward_by_the_gap() {
        // 02:00 CET → 03:00 CEST: 02:30 does not exist; it becomes 03:30 CEST.
        assert_eq!(utc("Europe/Berlin", 2027, 3, 28, 2, 30), "2027-03-28T01:30:00Z");
        assert_eq!(utc("Europe/Berlin", 2027, 3, 28, 3, 30), "2027-03-28T01:30:00Z");
        assert_eq!(utc("Europe/Berlin", 2027, 3, 28, 1, 59), "2027-03-28T00:59:00Z");
    }

    #[test]
    fn a_repeated_time_takes_its_first_occurrence() {
        // 03:00 CEST → 02:00 CET: 02:30 happens twice; the CEST one (00:30 UTC) is kept.
        assert_eq!(utc("Europe/Berlin", 2027, 10, 31, 2, 30), "2027-10-31T00:30:00Z");
        assert_eq!(utc("Europe/Berlin", 2027, 10, 31, 3, 0), "2027-10-31T02:00:00Z");
    }

    #[test]
    fn the_southern_hemisphere_changes_the_other_way() {
        // Sydney springs forward on 2027-10-03 (02:00 → 03:00) and falls back on 2027-04-04.
        assert_eq!(utc("Australia/Sydney", 2027, 10, 3, 2, 30), "2027-10-02T16:30:00Z");
        assert_eq!(utc("Australia/Sydney", 2027, 4, 4, 2, 30), "2027-04-03T15:30:00Z");
    }

    #[test]
    fn a_zone_without_dst_is_a_fixed_shift() {
        for (m, d) in [(1, 4), (3, 28), (7, 5), (10, 31)] {
            assert_eq!(utc("Asia/Tokyo", 2027, m, d, 9, 0), format!("2027-{m:02}-{d:02}T00:00:00Z"));
        }
    }
}
