//! The time axis: ticks on round local times (whole hours, midnights, Mondays, the first of a
//! month), the finest step that gives at most a few of them, so a chart of a post's first day
//! says `06:00 12:00 18:00` and one of a year `Jan 2027 Apr 2027 …`.

use super::{Civil, Zone, text};

/// A tick: its instant and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeTick {
    pub at_ms: u64,
    pub label: String,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Hours(i64),
    Days(i64),
    Months(i64),
}

const STEPS: [Step; 17] = [
    Step::Hours(1),
    Step::Hours(3),
    Step::Hours(6),
    Step::Hours(12),
    Step::Days(1),
    Step::Days(2),
    Step::Days(7),
    Step::Days(14),
    Step::Months(1),
    Step::Months(2),
    Step::Months(3),
    Step::Months(6),
    Step::Months(12),
    Step::Months(24),
    Step::Months(60),
    Step::Months(120),
    Step::Months(1_200),
];

impl Step {
    /// The shortest this step can be, to skip steps far too fine without walking them.
    fn min_ms(self) -> u64 {
        match self {
            Step::Hours(h) => h as u64 * 3_600_000,
            Step::Days(d) => d as u64 * 86_400_000 - 3_600_000,
            Step::Months(m) => m as u64 * 28 * 86_400_000,
        }
    }
}

/// 1970-01-05, a Monday (days since 1970-01-01), so weekly ticks fall on Mondays.
const MONDAY: i64 = 4;

/// At most `max_ticks` ticks within `[from_ms, to_ms]` in `zone`, on the finest step that
/// fits; none when even the coarsest has no round time in the range.
pub fn ticks<Z: Zone + ?Sized>(from_ms: u64, to_ms: u64, zone: &Z, max_ticks: usize) -> Vec<TimeTick> {
    let span = to_ms.saturating_sub(from_ms);
    for step in STEPS {
        if span / step.min_ms() > 2 * max_ticks as u64 + 2 {
            continue;
        }
        let found = walk(step, from_ms, to_ms, zone, max_ticks + 1);
        if found.len() <= max_ticks {
            return found;
        }
    }
    Vec::new()
}

/// The round times of `step` in the range, stopping after `limit`.
fn walk<Z: Zone + ?Sized>(step: Step, from_ms: u64, to_ms: u64, zone: &Z, limit: usize) -> Vec<TimeTick> {
    let Some(first) = zone.local(from_ms) else { return Vec::new() };
    let start = match step {
        Step::Hours(_) => first.at(first.hour(), 0),
        Step::Days(_) => first.at(0, 0),
        Step::Months(_) => Some(first.first_of_month()),
    };
    let Some(start) = start else { return Vec::new() };
    let mut out: Vec<TimeTick> = Vec::new();
    for k in 0.. {
        let local = match step {
            Step::Hours(_) => start.add_hours(k),
            Step::Days(_) => start.add_days(k),
            Step::Months(_) => start.add_months(k),
        };
        let Some(at) = local.and_then(|l| zone.instant(l).map(|at| (l, at))) else { break };
        let (local, at_ms) = at;
        if at_ms > to_ms || out.len() >= limit {
            break;
        }
        if at_ms >= from_ms && is_round(step, local) && out.last().is_none_or(|t| t.at_ms != at_ms) {
            out.push(TimeTick { at_ms, label: label(step, local) });
        }
    }
    out
}

fn is_round(step: Step, local: Civil) -> bool {
    match step {
        Step::Hours(h) => i64::from(local.hour()) % h == 0,
        Step::Days(d) => (local.days() - MONDAY).rem_euclid(d) == 0,
        Step::Months(m) => (i64::from(local.year()) * 12 + i64::from(local.month()) - 1) % m == 0,
    }
}

fn label(step: Step, local: Civil) -> String {
    match step {
        Step::Hours(_) if local.hour() == 0 => text::day_month(local),
        Step::Hours(_) => text::clock(local),
        Step::Days(_) => text::day_month(local),
        Step::Months(m) if m < 12 => text::month_year(local),
        Step::Months(_) => local.year().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    /// 2027-01-04T00:00:00Z, a Monday.
    const MON: u64 = 1_799_020_800_000;
    const H: u64 = 3_600_000;
    const D: u64 = 24 * H;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn labels(from: u64, to: u64, name: &str) -> Vec<String> {
        ticks(from, to, &zone(name), 4).into_iter().map(|t| t.label).collect()
    }

    #[test]
    fn a_first_day_in_hours() {
        assert_eq!(labels(MON + 9 * H + 60_000, MON + 33 * H, "UTC"), ["12:00", "18:00", "5 Jan", "06:00"]);
        assert_eq!(labels(MON + 9 * H, MON + 11 * H, "UTC"), ["09:00", "10:00", "11:00"]);
    }

    #[test]
    fn weeks_on_mondays_and_a_year_by_quarters() {
        assert_eq!(labels(MON + H, MON + 21 * D, "UTC"), ["11 Jan", "18 Jan", "25 Jan"]);
        assert_eq!(labels(MON, MON + 350 * D, "UTC"), ["Apr 2027", "Jul 2027", "Oct 2027"]);
        assert_eq!(labels(MON, MON + 3_000 * D, "UTC"), ["2028", "2030", "2032", "2034"]);
    }

    #[test]
    fn local_midnights_and_hours_across_daylight_saving() {
        // Berlin springs forward on 2027-03-28: 02:00 does not exist that night.
        let midnight = 1_806_188_400_000; // 2027-03-27T23:00:00Z, 00:00 CET on the 28th
        let got = ticks(midnight, midnight + 12 * H, &zone("Europe/Berlin"), 4);
        let labels: Vec<&str> = got.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["28 Mar", "06:00", "12:00"]);
        assert_eq!(got[1].at_ms, midnight + 5 * H, "06:00 CEST is 5 real hours after midnight CET");
        let hourly = walk(Step::Hours(1), midnight, midnight + 12 * H, &zone("Europe/Berlin"), 100);
        assert_eq!(hourly.len(), 13, "the skipped 02:00 is one tick with 03:00, not two");
        assert!(hourly.windows(2).all(|w| w[1].at_ms - w[0].at_ms == H));
        // Days in Tokyo start at 15:00 UTC.
        let tokyo = ticks(MON, MON + 2 * D, &zone("Asia/Tokyo"), 4);
        assert_eq!(tokyo.iter().find(|t| t.label == "5 Jan").map(|t| t.at_ms), Some(MON + 15 * H));
    }

    #[test]
    fn short_or_empty_ranges() {
        assert_eq!(labels(MON + 9 * H, MON + 9 * H, "UTC"), ["09:00"]);
        assert!(labels(MON + 9 * H + 60_000, MON + 9 * H + 120_000, "UTC").is_empty(), "no round time inside");
        assert!(labels(MON + D, MON, "UTC").is_empty(), "backwards");
        assert!(ticks(u64::MAX - 1, u64::MAX, &TimeZone::UTC, 4).is_empty(), "beyond jiff's years");
    }
}
