//! `--at TIME`: a time with an offset is that instant; one without (`2026-12-07 09:00`) is a
//! wall-clock time in the account's schedule zone, resolved as the schedule resolves its
//! slots (`posting_schedule::wall_clock`: a skipped time moves forward by the gap, a repeated
//! one takes its first occurrence), so the CLI and the app never disagree about "9:00".

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// Unix ms of `text` for an account in `zone` (an IANA name), or a sentence saying what is wrong.
pub fn parse_at(text: &str, zone: &str) -> Result<i64, String> {
    let text = text.trim();
    let wrong = || format!("{text:?} is not a time: write it like 2026-12-07 09:00 (in the account's zone) or 2026-12-07T09:00:00+01:00");
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let local: DateTime = text.replacen(' ', "T", 1).parse().map_err(|_| wrong())?;
    let tz = TimeZone::get(zone).map_err(|_| format!("the account's time zone {zone:?} is unknown here"))?;
    posting_schedule::wall_clock::instant_ms(&tz, local.date(), local.hour() as u8, local.minute() as u8).ok_or_else(wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(ms: i64) -> String {
        Timestamp::from_millisecond(ms).unwrap().to_string()
    }

    #[test]
    fn a_wall_clock_time_is_read_in_the_accounts_zone() {
        assert_eq!(utc(parse_at("2026-12-07 09:00", "Europe/Berlin").unwrap()), "2026-12-07T08:00:00Z");
        assert_eq!(utc(parse_at("2026-12-07T09:00", "America/New_York").unwrap()), "2026-12-07T14:00:00Z");
        assert_eq!(utc(parse_at(" 2027-07-05 09:30 ", "Europe/Berlin").unwrap()), "2027-07-05T07:30:00Z");
    }

    #[test]
    fn an_offset_wins_over_the_zone() {
        assert_eq!(utc(parse_at("2026-12-07T09:00:00+01:00", "Asia/Tokyo").unwrap()), "2026-12-07T08:00:00Z");
        assert_eq!(utc(parse_at("2026-12-07T09:00:00Z", "Asia/Tokyo").unwrap()), "2026-12-07T09:00:00Z");
    }

    #[test]
    fn dst_days_resolve_as_the_schedule_does() {
        // Berlin springs forward on 2027-03-28: 02:30 does not exist and becomes 03:30 CEST.
        assert_eq!(utc(parse_at("2027-03-28 02:30", "Europe/Berlin").unwrap()), "2027-03-28T01:30:00Z");
        // ... and falls back on 2027-10-31: 02:30 is taken the first time (CEST).
        assert_eq!(utc(parse_at("2027-10-31 02:30", "Europe/Berlin").unwrap()), "2027-10-31T00:30:00Z");
    }

    #[test]
    fn nonsense_is_refused_with_an_example() {
        let e = parse_at("next tuesday", "UTC").unwrap_err();
        assert!(e.contains("2026-12-07 09:00"), "{e}");
        assert!(parse_at("2026-12-07 09:00", "Mars/Olympus").unwrap_err().contains("unknown"));
    }
}
