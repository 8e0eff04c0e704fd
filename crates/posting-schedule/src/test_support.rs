//! Short ways to write schedules and instants in the unit tests.

use crate::schedule::{Schedule, Slot};
use crate::weekly::Weekly;

pub fn weekly(zone: &str, slots: &[(&str, &str)]) -> Weekly {
    let slots = slots.iter().map(|(d, t)| Slot { day: d.to_string(), time: t.to_string() }).collect();
    Schedule { time_zone: zone.to_string(), slots }.check().unwrap()
}

pub fn ms(rfc3339: &str) -> u64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond() as u64
}

pub fn text(ms: u64) -> String {
    jiff::Timestamp::from_millisecond(ms as i64).unwrap().to_string()
}
