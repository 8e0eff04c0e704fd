//! Numbers and dates as a chart says them, with integer arithmetic (float formatting would
//! add ~20 KB to every page's wasm; see `tiktok_rules::fmt`). English, as the app is.

use super::Civil;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `12,345`: every digit, for the text a screen reader reads.
pub fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `999`, `1.5K`, `12K`, `2.5M`, `3B`, `7T`: an axis label. One decimal below 10 of a unit,
/// cut (never rounded up, so a label never claims more than the number); beyond trillions the
/// trillions are grouped.
pub fn compact(n: u128) -> String {
    const UNITS: [(u128, &str); 4] = [(1_000_000_000_000, "T"), (1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")];
    let Some((unit, suffix)) = UNITS.into_iter().find(|(u, _)| n >= *u) else { return n.to_string() };
    let whole = n / unit;
    let tenth = n % unit * 10 / unit;
    match (whole, tenth) {
        (w, t) if w < 10 && t > 0 => format!("{w}.{t}{suffix}"),
        (w, _) if w >= 1_000 => format!("{}{suffix}", grouped(w)),
        (w, _) => format!("{w}{suffix}"),
    }
}

/// `4 Jan 2027`.
pub fn date(dt: Civil) -> String {
    format!("{} {} {}", dt.day(), MONTHS[dt.month() as usize - 1], dt.year())
}

/// `4 Jan`.
pub fn day_month(dt: Civil) -> String {
    format!("{} {}", dt.day(), MONTHS[dt.month() as usize - 1])
}

/// `Jan 2027`.
pub fn month_year(dt: Civil) -> String {
    format!("{} {}", MONTHS[dt.month() as usize - 1], dt.year())
}

/// `09:00`.
pub fn clock(dt: Civil) -> String {
    format!("{:02}:{:02}", dt.hour(), dt.minute())
}

/// `4 Jan 2027, 09:00`.
pub fn date_time(dt: Civil) -> String {
    format!("{}, {}", date(dt), clock(dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(12_345_678), "12,345,678");
        assert_eq!(grouped(i64::MAX as u128), "9,223,372,036,854,775,807");
    }

    #[test]
    fn compact_labels_never_overstate() {
        let cases = [(0, "0"), (999, "999"), (1_000, "1K"), (1_500, "1.5K"), (1_999, "1.9K"), (12_000, "12K"), (999_999, "999K")];
        for (n, text) in cases {
            assert_eq!(compact(n), text, "{n}");
        }
        assert_eq!(compact(2_500_000), "2.5M");
        assert_eq!(compact(3_000_000_000), "3B");
        assert_eq!(compact(7_000_000_000_000), "7T");
        assert_eq!(compact(i64::MAX as u128), "9,223,372T");
    }

    #[test]
    fn dates_and_times() {
        let dt = Civil::new(2027, 1, 4, 9, 5).unwrap();
        assert_eq!((date(dt), day_month(dt), month_year(dt), clock(dt)), ("4 Jan 2027".into(), "4 Jan".into(), "Jan 2027".into(), "09:05".into()));
        assert_eq!(date_time(dt), "4 Jan 2027, 09:05");
    }
}
