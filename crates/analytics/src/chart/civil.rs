//! A local date and time to the minute, with the little calendar arithmetic a time axis needs
//! (whole hours, days and months forward). Its own, not jiff's: the front end draws charts in
//! the browser's zone, and jiff's civil arithmetic brought its error texts and formatting into
//! the page's wasm (68 KiB gzip on `/posts`, measured); this is a few hundred bytes.
//! Proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`), years ±1,000,000.

/// A wall-clock date and time (no zone), to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Civil {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
}

/// Years a `Civil` may hold: far beyond any chart, small enough that no sum overflows.
const YEARS: std::ops::RangeInclusive<i32> = -1_000_000..=1_000_000;

impl Civil {
    /// A valid date and time, or `None` (31 April, 24:00, the 13th month…).
    pub fn new(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> Option<Civil> {
        let ok = YEARS.contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) && hour < 24 && minute < 60;
        ok.then_some(Civil { year, month, day, hour, minute })
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
    pub fn hour(self) -> u8 {
        self.hour
    }
    pub fn minute(self) -> u8 {
        self.minute
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// The day `days` after 1970-01-01 at `hour:minute`.
    fn at_day(days: i64, hour: u8, minute: u8) -> Option<Civil> {
        let (y, m, d) = civil_from_days(days)?;
        Civil::new(y, m, d, hour, minute)
    }

    /// The same day at `hour:minute`.
    pub fn at(self, hour: u8, minute: u8) -> Option<Civil> {
        Civil::new(self.year, self.month, self.day, hour, minute)
    }

    /// The first of its month at 00:00.
    pub fn first_of_month(self) -> Civil {
        Civil { day: 1, hour: 0, minute: 0, ..self }
    }

    /// `n` whole hours later on the wall clock (no zone: 23:00 + 2 h is 01:00 the next day).
    pub fn add_hours(self, n: i64) -> Option<Civil> {
        let hours = self.days().checked_mul(24)?.checked_add(i64::from(self.hour))?.checked_add(n)?;
        Civil::at_day(hours.div_euclid(24), hours.rem_euclid(24) as u8, self.minute)
    }

    /// `n` days later, same time.
    pub fn add_days(self, n: i64) -> Option<Civil> {
        Civil::at_day(self.days().checked_add(n)?, self.hour, self.minute)
    }

    /// `n` months later, the day kept where the month has it (else its last day).
    pub fn add_months(self, n: i64) -> Option<Civil> {
        let m = i64::from(self.year).checked_mul(12)?.checked_add(i64::from(self.month) - 1)?.checked_add(n)?;
        let year = i32::try_from(m.div_euclid(12)).ok()?;
        let month = m.rem_euclid(12) as u8 + 1;
        if !YEARS.contains(&year) {
            return None;
        }
        Civil::new(year, month, self.day.min(days_in_month(year, month)), self.hour, self.minute)
    }

    /// The Unix ms of this wall time read as UTC (what a zone's offset is then applied to).
    pub fn as_utc_ms(self) -> i64 {
        (self.days() * 1_440 + i64::from(self.hour) * 60 + i64::from(self.minute)) * 60_000
    }

    /// The UTC wall time of a Unix ms instant (seconds dropped).
    pub fn of_utc_ms(ms: i64) -> Option<Civil> {
        let minutes = ms.div_euclid(60_000);
        let day_minutes = minutes.rem_euclid(1_440);
        Civil::at_day(minutes.div_euclid(1_440), (day_minutes / 60) as u8, (day_minutes % 60) as u8)
    }
}

fn is_leap(y: i32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`; `None` outside the years a `Civil` holds.
fn civil_from_days(z: i64) -> Option<(i32, u8, u8)> {
    let z = z.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = i32::try_from(yoe + era * 400 + i64::from(m <= 2)).ok()?;
    YEARS.contains(&y).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_match_the_calendar() {
        assert_eq!(Civil::new(1970, 1, 1, 0, 0).unwrap().days(), 0);
        assert_eq!(Civil::new(2027, 1, 4, 0, 0).unwrap().days(), 1_799_020_800_000 / 86_400_000);
        assert_eq!(Civil::new(1969, 12, 31, 0, 0).unwrap().days(), -1);
        // Every day of 400 years (a whole Gregorian cycle) there and back, one after another.
        let mut prev = Civil::new(1999, 12, 31, 0, 0).unwrap();
        for n in 10_957..10_957 + 146_097 {
            let c = Civil::at_day(n, 0, 0).unwrap();
            assert_eq!(c.days(), n);
            assert!(c > prev, "{c:?} after {prev:?}");
            prev = c;
        }
        assert_eq!(Civil::at_day(11_016, 0, 0), Civil::new(2000, 2, 29, 0, 0), "2000 is a leap year");
        assert_eq!(Civil::new(2100, 2, 29, 0, 0), None, "2100 is not");
    }

    #[test]
    fn arithmetic_on_the_wall_clock() {
        let c = Civil::new(2027, 1, 31, 23, 30).unwrap();
        assert_eq!(c.add_hours(2), Civil::new(2027, 2, 1, 1, 30));
        assert_eq!(c.add_hours(-24), Civil::new(2027, 1, 30, 23, 30));
        assert_eq!(c.add_days(29), Civil::new(2027, 3, 1, 23, 30));
        assert_eq!(c.add_months(1), Civil::new(2027, 2, 28, 23, 30), "31 Jan + 1 month is the end of February");
        assert_eq!(c.first_of_month().add_months(13), Civil::new(2028, 2, 1, 0, 0));
        assert_eq!(c.first_of_month().add_months(-1), Civil::new(2026, 12, 1, 0, 0));
        assert_eq!(c.at(9, 0), Civil::new(2027, 1, 31, 9, 0));
        assert_eq!(Civil::new(1_000_000, 12, 1, 0, 0).unwrap().add_months(1), None);
        assert_eq!(c.add_hours(i64::MAX), None);
    }

    #[test]
    fn utc_instants() {
        let ms = 1_799_020_800_000 + 9 * 3_600_000 + 5 * 60_000 + 59_999;
        let c = Civil::of_utc_ms(ms).unwrap();
        assert_eq!(c, Civil::new(2027, 1, 4, 9, 5).unwrap(), "seconds are dropped");
        assert_eq!(c.as_utc_ms(), ms - 59_999);
        assert_eq!(Civil::of_utc_ms(-1), Civil::new(1969, 12, 31, 23, 59));
    }
}
