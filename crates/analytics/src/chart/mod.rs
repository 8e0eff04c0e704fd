//! A small line chart (a post's views over time, an account's followers) as plain data the
//! front end writes into an `<svg>`: the view box, the line's path, a dot per reading, the
//! ticks and their labels, and the same numbers as text. The front end gives the `<svg>`
//! `role="img"` and the summary as its accessible name, and the rows as a visually hidden
//! table, so a screen reader hears every number and nothing depends on seeing the line.
//!
//! Geometry is whole units of a 360 × 180 view box: 360 fits a 390 px phone with its margins,
//! and at that scale a unit is about a CSS pixel, finer than a line needs. No floats: their
//! formatting would weigh on every page's wasm.
//!
//! Local time comes through [`Zone`]: jiff's bundled zones by IANA name ([`line_chart`]), or
//! whatever the caller knows ([`line_chart_in`]): the front end passes the browser's own zone
//! (its `Date`), so no page carries a time-zone database for its charts.

pub mod civil;
pub mod text;
pub mod time_axis;
pub mod value_axis;

use crate::zone;
pub use civil::Civil;
use jiff::tz::TimeZone;

pub const WIDTH: u32 = 360;
pub const HEIGHT: u32 = 180;
/// Where the line goes: room on the left for value labels (`999K`), below for time labels,
/// and half a time label's width on the right.
pub const PLOT: Plot = Plot { left: 44, top: 12, right: 334, bottom: 152 };
/// At most this many steps up the value axis, and labels along the time axis.
pub const VALUE_STEPS: u32 = 4;
pub const TIME_TICKS: usize = 4;

// The plot lies inside the view box (checked when compiling).
const _: () = assert!(PLOT.left < PLOT.right && PLOT.right <= WIDTH && PLOT.top < PLOT.bottom && PLOT.bottom <= HEIGHT);

/// The plot area inside the view box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plot {
    pub left: u32,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
}

/// A reading's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dot {
    pub x: u32,
    pub y: u32,
    pub at_ms: u64,
    pub value: u64,
}

/// A label on an axis: `pos` is y on the value axis, x on the time axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub pos: u32,
    pub label: String,
}

/// A reading as text: when (local), and the number with every digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub when: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineChart {
    /// `0 0 360 180`.
    pub view_box: String,
    pub plot: Plot,
    /// The line's `d` (`M44 152L120 90…`); empty with fewer than two readings (the dot shows
    /// a single one).
    pub path: String,
    pub dots: Vec<Dot>,
    /// From 0 at the bottom to a round top.
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// One sentence: the range, first and last, the highest.
    pub summary: String,
    pub rows: Vec<Row>,
}

/// A time zone as a chart needs it: an instant's local date and time, and back.
pub trait Zone {
    /// The local date and time of a Unix ms instant; `None` outside the zone's years.
    fn local(&self, ms: u64) -> Option<Civil>;
    /// The instant of a local date and time: a skipped time moves forward by the gap, a
    /// repeated one is its first occurrence (as jiff's `compatible` and JavaScript's `Date`).
    fn instant(&self, local: Civil) -> Option<u64>;
}

impl Zone for TimeZone {
    fn local(&self, ms: u64) -> Option<Civil> {
        let l = zone::local(self, ms)?;
        Civil::new(i32::from(l.year()), l.month() as u8, l.day() as u8, l.hour() as u8, l.minute() as u8)
    }
    fn instant(&self, local: Civil) -> Option<u64> {
        let date = jiff::civil::Date::new(i16::try_from(local.year()).ok()?, local.month() as i8, local.day() as i8).ok()?;
        zone::instant(self, date.at(local.hour() as i8, local.minute() as i8, 0, 0))
    }
}

/// The chart of `points` (Unix ms, value), named `label` (`Views`), with times in
/// `time_zone` (an IANA name; unknown reads as UTC). Points in any order.
pub fn line_chart(label: &str, points: &[(u64, u64)], time_zone: &str) -> LineChart {
    line_chart_in(label, points, &zone::by_name(time_zone))
}

/// [`line_chart`] with times in `tz`.
pub fn line_chart_in<Z: Zone + ?Sized>(label: &str, points: &[(u64, u64)], tz: &Z) -> LineChart {
    let mut points = points.to_vec();
    points.sort_by_key(|p| p.0);
    let (first_ms, last_ms) = (points.first().map_or(0, |p| p.0), points.last().map_or(0, |p| p.0));
    let max = points.iter().map(|p| u128::from(p.1)).max().unwrap_or(0);
    let (step, top) = value_axis::nice(max, VALUE_STEPS);
    let x_of = |at: u64| x_of(at, first_ms, last_ms);
    let dots: Vec<Dot> = points.iter().map(|&(at_ms, value)| Dot { x: x_of(at_ms), y: y_of(u128::from(value), top), at_ms, value }).collect();
    let path = if dots.len() < 2 {
        String::new()
    } else {
        dots.iter().enumerate().map(|(i, d)| format!("{}{} {}", if i == 0 { 'M' } else { 'L' }, d.x, d.y)).collect()
    };
    let y_ticks = value_axis::ticks(step, top).into_iter().map(|v| Tick { pos: y_of(v, top), label: text::compact(v) }).collect();
    let on_time_axis = if points.is_empty() { Vec::new() } else { time_axis::ticks(first_ms, last_ms, tz, TIME_TICKS) };
    let mut x_ticks: Vec<Tick> = on_time_axis.into_iter().map(|t| Tick { pos: x_of(t.at_ms), label: t.label }).collect();
    if x_ticks.is_empty() && !points.is_empty() {
        // No round time inside a short range: name the first reading's day.
        x_ticks.push(Tick { pos: x_of(first_ms), label: tz.local(first_ms).map(text::day_month).unwrap_or_default() });
    }
    LineChart {
        view_box: format!("0 0 {WIDTH} {HEIGHT}"),
        plot: PLOT,
        path,
        dots,
        y_ticks,
        x_ticks,
        summary: summary(label, &points, tz),
        rows: points.iter().map(|&(at, v)| Row { when: when(tz, at), value: text::grouped(u128::from(v)) }).collect(),
    }
}

/// x of an instant: the range across the plot; a single instant in the middle.
fn x_of(at: u64, first: u64, last: u64) -> u32 {
    let width = u128::from(PLOT.right - PLOT.left);
    let span = u128::from(last - first);
    if span == 0 {
        return PLOT.left + (PLOT.right - PLOT.left) / 2;
    }
    let offset = (u128::from(at.saturating_sub(first)) * width + span / 2) / span;
    PLOT.left + offset.min(width) as u32
}

/// y of a value: 0 at the bottom, `top` at the top, rounded to the nearest unit.
fn y_of(value: u128, top: u128) -> u32 {
    let height = u128::from(PLOT.bottom - PLOT.top);
    let up = (value.min(top) * height + top / 2) / top.max(1);
    PLOT.bottom - up as u32
}

fn when<Z: Zone + ?Sized>(tz: &Z, at: u64) -> String {
    tz.local(at).map(text::date_time).unwrap_or_default()
}

/// `Views from 4 Jan 2027, 10:00 to 2 Feb 2027, 10:00: 120 at first, 12,345 at last; highest
/// 12,345 on 2 Feb 2027, 10:00.`
fn summary<Z: Zone + ?Sized>(label: &str, points: &[(u64, u64)], tz: &Z) -> String {
    let n = |v: u64| text::grouped(u128::from(v));
    match points {
        [] => format!("{label}: no numbers yet."),
        [(at, v)] => format!("{label}: {} on {}.", n(*v), when(tz, *at)),
        [(first_at, first), .., (last_at, last)] => {
            // The first reading of the highest value: when it was reached.
            let (max_at, max) = points.iter().fold((*first_at, *first), |best, &(at, v)| if v > best.1 { (at, v) } else { best });
            format!(
                "{label} from {} to {}: {} at first, {} at last; highest {} on {}.",
                when(tz, *first_at),
                when(tz, *last_at),
                n(*first),
                n(*last),
                n(max),
                when(tz, max_at)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2027-01-04T00:00:00Z, a Monday.
    const MON: u64 = 1_799_020_800_000;
    const H: u64 = 3_600_000;

    #[test]
    fn a_first_day_of_views() {
        let points = [(MON + 10 * H, 0), (MON + 11 * H, 120), (MON + 16 * H, 900), (MON + 34 * H, 1_500)];
        let c = line_chart("Views", &points, "UTC");
        assert_eq!(c.view_box, "0 0 360 180");
        let xy: Vec<(u32, u32)> = c.dots.iter().map(|d| (d.x, d.y)).collect();
        // 24 h across 290 units; 0 to 1,500 up 140 units.
        assert_eq!(xy, [(44, 152), (56, 141), (117, 68), (334, 12)]);
        assert_eq!(c.path, "M44 152L56 141L117 68L334 12");
        let y: Vec<(u32, &str)> = c.y_ticks.iter().map(|t| (t.pos, t.label.as_str())).collect();
        assert_eq!(y, [(152, "0"), (105, "500"), (59, "1K"), (12, "1.5K")]);
        let x: Vec<&str> = c.x_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(x, ["12:00", "18:00", "5 Jan", "06:00"]);
        assert!(c.x_ticks.iter().all(|t| (PLOT.left..=PLOT.right).contains(&t.pos)));
        assert_eq!(c.summary, "Views from 4 Jan 2027, 10:00 to 5 Jan 2027, 10:00: 0 at first, 1,500 at last; highest 1,500 on 5 Jan 2027, 10:00.");
        assert_eq!(c.rows[1], Row { when: "4 Jan 2027, 11:00".into(), value: "120".into() });
    }

    #[test]
    fn one_reading_is_a_dot_in_the_middle() {
        let c = line_chart("Followers", &[(MON + 9 * H + 60_000, 42)], "Europe/Berlin");
        assert_eq!(c.path, "");
        assert_eq!(c.dots.len(), 1);
        assert_eq!(c.dots[0].x, (PLOT.left + PLOT.right) / 2);
        assert_eq!(c.x_ticks, [Tick { pos: 189, label: "4 Jan".into() }]);
        assert_eq!(c.summary, "Followers: 42 on 4 Jan 2027, 10:01.");
    }

    #[test]
    fn nothing_to_draw() {
        let c = line_chart("Views", &[], "UTC");
        assert!(c.dots.is_empty() && c.path.is_empty() && c.x_ticks.is_empty() && c.rows.is_empty());
        assert_eq!(c.summary, "Views: no numbers yet.");
    }

    #[test]
    fn all_zero_lies_on_the_floor() {
        let c = line_chart("Shares", &[(MON, 0), (MON + H, 0), (MON + 2 * H, 0)], "UTC");
        assert!(c.dots.iter().all(|d| d.y == PLOT.bottom));
        let labels: Vec<&str> = c.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "1"]);
    }

    #[test]
    fn int64_views_stay_inside_and_exact_in_text() {
        let big = i64::MAX as u64;
        let c = line_chart("Views", &[(MON, big - 1), (MON + H, big)], "UTC");
        assert!(c.dots.iter().all(|d| (PLOT.top..=PLOT.bottom).contains(&d.y)));
        assert_eq!(c.y_ticks.last().unwrap().label, "10,000,000T");
        assert_eq!(c.rows[1].value, "9,223,372,036,854,775,807");
        assert!(c.summary.contains("highest 9,223,372,036,854,775,807"));
    }

    #[test]
    fn readings_in_any_order_and_the_first_peak_is_named() {
        let c = line_chart("Likes", &[(MON + 2 * H, 10), (MON, 5), (MON + H, 10)], "UTC");
        assert_eq!(c.rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(), ["5", "10", "10"]);
        assert!(c.summary.ends_with("highest 10 on 4 Jan 2027, 01:00."), "{}", c.summary);
        assert!(c.dots.windows(2).all(|w| w[0].x < w[1].x));
    }

    /// A zone the caller brings (the front end's is the browser's `Date`): one hour ahead of
    /// UTC all year, by arithmetic.
    struct PlusOneHour;

    impl Zone for PlusOneHour {
        fn local(&self, ms: u64) -> Option<Civil> {
            Civil::of_utc_ms(i64::try_from(ms + H).ok()?)
        }
        fn instant(&self, local: Civil) -> Option<u64> {
            u64::try_from(local.as_utc_ms()).ok()?.checked_sub(H)
        }
    }

    #[test]
    fn a_zone_of_the_callers_own_gives_the_same_chart_as_its_iana_name() {
        let points = [(MON + 10 * H, 0), (MON + 11 * H, 120), (MON + 16 * H, 900), (MON + 34 * H, 1_500)];
        let by_name = line_chart("Views", &points, "Etc/GMT-1");
        assert_eq!(line_chart_in("Views", &points, &PlusOneHour), by_name);
        assert_eq!(by_name.rows[0].when, "4 Jan 2027, 11:00");
        let x: Vec<&str> = by_name.x_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(x, ["12:00", "18:00", "5 Jan", "06:00"]);
    }

    #[test]
    fn everything_fits_the_view_box() {
        let points: Vec<(u64, u64)> = (0..400).map(|i| (MON + i * 86_400_000, i * i)).collect();
        let c = line_chart("Followers", &points, "America/New_York");
        assert!(c.dots.iter().all(|d| (PLOT.left..=PLOT.right).contains(&d.x) && (PLOT.top..=PLOT.bottom).contains(&d.y)));
        assert!(c.x_ticks.len() <= TIME_TICKS && c.y_ticks.len() <= VALUE_STEPS as usize + 1);
    }
}
