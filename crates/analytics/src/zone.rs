//! A time zone by IANA name, as `posting-schedule` reads the schedule's: jiff's bundled
//! database; a name it does not know (or its `Etc/Unknown` placeholder) reads as UTC, since
//! an answer in UTC beats none for numbers that are already past.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

pub(crate) fn by_name(name: &str) -> TimeZone {
    TimeZone::get(name).ok().filter(|tz| !tz.is_unknown()).unwrap_or(TimeZone::UTC)
}

/// The zone's canonical name (`europe/berlin` → `Europe/Berlin`), `UTC` for the fallback.
pub(crate) fn name_of(zone: &TimeZone) -> String {
    zone.iana_name().unwrap_or("UTC").to_string()
}

/// Local date and time of a Unix ms instant; `None` outside jiff's years.
pub(crate) fn local(zone: &TimeZone, ms: u64) -> Option<DateTime> {
    let instant = Timestamp::from_millisecond(i64::try_from(ms).ok()?).ok()?;
    Some(zone.to_datetime(instant))
}

/// The instant of a local date and time: a skipped time moves forward by the gap, a repeated
/// one is its first occurrence (RFC 5545, as `posting-schedule::wall_clock`).
pub(crate) fn instant(zone: &TimeZone, local: DateTime) -> Option<u64> {
    let ts = zone.to_ambiguous_timestamp(local).compatible().ok()?;
    u64::try_from(ts.as_millisecond()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_read_as_utc() {
        assert_eq!(name_of(&by_name("europe/berlin")), "Europe/Berlin");
        for bad in ["", "Mars/Olympus", "Etc/Unknown"] {
            assert_eq!(name_of(&by_name(bad)), "UTC", "{bad:?}");
        }
    }
}
