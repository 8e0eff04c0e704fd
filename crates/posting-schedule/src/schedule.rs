//! `GET/PUT /api/accounts/:id/schedule`: the schedule as the API carries it, and its check.
//! Days and times stay strings on the wire so a bad one is refused by field (422), not by
//! the JSON parser.

use crate::day::Day;
use crate::weekly::{Weekly, WeeklySlot};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// At most one slot for every hour of the week: far more than TikTok lets a creator post,
/// and it bounds the Worker's work per request.
pub const MAX_SLOTS: usize = 7 * 24;

/// `{"schedule": {...}}`, the body both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleBody {
    pub schedule: Schedule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    /// An IANA name, like `Europe/Berlin`.
    pub time_zone: String,
    #[serde(default)]
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    /// `mon` … `sun`.
    pub day: String,
    /// `HH:MM`, 24-hour, local to the schedule's time zone.
    pub time: String,
}

/// A refused field (`time_zone` or `slots`): the Worker answers 422 with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, code: &'static str, message: impl Into<String>) -> ScheduleError {
    ScheduleError { field, code, message: message.into() }
}

impl Schedule {
    /// A new account's: the browser's time zone (UTC if the browser named none we know), no slots.
    pub fn for_new_account(browser_time_zone: &str) -> Schedule {
        let time_zone = zone(browser_time_zone).ok().and_then(|tz| tz.iana_name().map(str::to_string)).unwrap_or_else(|| "UTC".to_string());
        Schedule { time_zone, slots: Vec::new() }
    }

    /// The checked schedule, slots sorted and duplicates collapsed; or the first refused field.
    pub fn check(&self) -> Result<Weekly, ScheduleError> {
        let zone = zone(&self.time_zone)?;
        let mut slots = self.slots.iter().map(parse_slot).collect::<Result<Vec<_>, _>>()?;
        slots.sort();
        slots.dedup();
        if slots.len() > MAX_SLOTS {
            return Err(refuse("slots", "too_many_slots", format!("A schedule can hold up to {MAX_SLOTS} times a week.")));
        }
        Ok(Weekly::new(zone, slots))
    }
}

fn zone(name: &str) -> Result<TimeZone, ScheduleError> {
    let unknown = || refuse("time_zone", "unknown_time_zone", format!("“{name}” is not a time zone we know. Pick one like Europe/Berlin."));
    // `Etc/Unknown` is jiff's placeholder for "no idea", not a zone to post by.
    TimeZone::get(name).ok().filter(|tz| !tz.is_unknown()).ok_or_else(unknown)
}

fn parse_slot(slot: &Slot) -> Result<WeeklySlot, ScheduleError> {
    let day = Day::parse(&slot.day)
        .ok_or_else(|| refuse("slots", "invalid_slot_day", format!("“{}” is not a day. Use mon, tue, wed, thu, fri, sat or sun.", slot.day)))?;
    let (hour, minute) = parse_hh_mm(&slot.time)
        .ok_or_else(|| refuse("slots", "invalid_slot_time", format!("“{}” is not a time. Use 24-hour HH:MM, like 09:00 or 18:30.", slot.time)))?;
    Ok(WeeklySlot { day, hour, minute })
}

/// Exactly `HH:MM`, 00:00 to 23:59.
fn parse_hh_mm(text: &str) -> Option<(u8, u8)> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<u8> {
        let (a, b) = (bytes[i], bytes[i + 1]);
        (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
    };
    let (hour, minute) = (two(0)?, two(3)?);
    (hour < 24 && minute < 60).then_some((hour, minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(time_zone: &str, slots: &[(&str, &str)]) -> Schedule {
        let slots = slots.iter().map(|(d, t)| Slot { day: d.to_string(), time: t.to_string() }).collect();
        Schedule { time_zone: time_zone.to_string(), slots }
    }

    #[test]
    fn reads_the_pinned_shape() {
        let body: ScheduleBody = serde_json::from_str(r#"{"schedule": {"time_zone": "Europe/Berlin", "slots": [{"day": "mon", "time": "09:00"}]}}"#).unwrap();
        assert_eq!(body.schedule, schedule("Europe/Berlin", &[("mon", "09:00")]));
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["schedule"]["slots"][0]["time"], "09:00");
    }

    #[test]
    fn new_account_gets_the_browser_zone_and_no_slots() {
        assert_eq!(Schedule::for_new_account("Asia/Tokyo"), schedule("Asia/Tokyo", &[]));
        assert_eq!(Schedule::for_new_account("Mars/Olympus"), schedule("UTC", &[]));
        assert_eq!(Schedule::for_new_account(""), schedule("UTC", &[]));
    }

    #[test]
    fn unknown_time_zones_are_refused_by_field() {
        for name in ["", "Europe/Nowhere", "Etc/Unknown", "+02:00", "CEST"] {
            let err = schedule(name, &[]).check().unwrap_err();
            assert_eq!((err.field, err.code), ("time_zone", "unknown_time_zone"), "{name}");
        }
    }

    #[test]
    fn malformed_slots_are_refused_by_field() {
        let bad_days = ["", "Mon", "monday", "mo", "8"];
        for day in bad_days {
            let err = schedule("UTC", &[("tue", "10:00"), (day, "09:00")]).check().unwrap_err();
            assert_eq!((err.field, err.code), ("slots", "invalid_slot_day"), "{day}");
        }
        let bad_times = ["", "9:00", "09:0", "24:00", "23:60", "09.00", "09:00:00", "+9:00", "٠٩:٠٠", "0a:00"];
        for time in bad_times {
            let err = schedule("UTC", &[("mon", time)]).check().unwrap_err();
            assert_eq!((err.field, err.code), ("slots", "invalid_slot_time"), "{time}");
            assert!(err.message.contains("HH:MM"));
        }
    }

    #[test]
    fn slots_are_sorted_and_duplicates_collapse() {
        let checked = schedule("Europe/Berlin", &[("sun", "08:00"), ("mon", "18:30"), ("mon", "09:00"), ("sun", "08:00")]).check().unwrap();
        assert_eq!(checked.to_schedule(), schedule("Europe/Berlin", &[("mon", "09:00"), ("mon", "18:30"), ("sun", "08:00")]));
    }

    #[test]
    fn edge_times_pass_and_too_many_slots_do_not() {
        assert!(schedule("UTC", &[("mon", "00:00"), ("sun", "23:59")]).check().is_ok());
        let all_hours: Vec<(String, String)> = Day::ALL.iter().flat_map(|d| (0..24).map(move |h| (d.as_str().to_string(), format!("{h:02}:00")))).collect();
        let mut slots: Vec<(&str, &str)> = all_hours.iter().map(|(d, t)| (d.as_str(), t.as_str())).collect();
        assert!(schedule("UTC", &slots).check().is_ok());
        slots.push(("mon", "00:30"));
        assert_eq!(schedule("UTC", &slots).check().unwrap_err().code, "too_many_slots");
    }

    #[test]
    fn the_zone_name_is_kept_canonical() {
        assert_eq!(schedule("europe/berlin", &[]).check().unwrap().to_schedule().time_zone, "Europe/Berlin");
    }
}
