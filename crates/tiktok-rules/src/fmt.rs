//! Numbers as people read them ("10.1 KB", "16.0 s", "29.97 fps"), with integer arithmetic.
//!
//! Why not `format!("{:.1}", x)`: float formatting is ~20 KB of wasm that every page of the
//! front end would carry; these few lines give the same text for the values LetsPost shows.

/// `n` tenths as `12.3`.
pub fn tenths(n: u64) -> String {
    format!("{}.{}", n / 10, n % 10)
}

/// `num / den` rounded (half up) to one decimal: `ratio_1dp(10_060, 1_000)` is `10.1`.
pub fn ratio_1dp(num: u64, den: u64) -> String {
    let den = u128::from(den.max(1));
    let t = (u128::from(num) * 10 + den / 2) / den;
    format!("{}.{}", t / 10, t % 10)
}

/// A non-negative value to at most two decimals, without trailing zeros: `30`, `29.97`, `25.5`.
pub fn up_to_2dp(x: f64) -> String {
    let h = (x.max(0.0) * 100.0).round() as u64;
    match h % 100 {
        0 => (h / 100).to_string(),
        f if f % 10 == 0 => format!("{}.{}", h / 100, f / 10),
        f => format!("{}.{f:02}", h / 100),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decimal_rounds_half_up() {
        assert_eq!(ratio_1dp(10_060, 1_000), "10.1");
        assert_eq!(ratio_1dp(287_600_000, 1_000_000), "287.6");
        assert_eq!(ratio_1dp(16_000, 1_000), "16.0");
        assert_eq!(ratio_1dp(15_049, 1_000), "15.0");
        assert_eq!(ratio_1dp(15_050, 1_000), "15.1");
        assert_eq!(ratio_1dp(0, 1_000), "0.0");
        assert_eq!(ratio_1dp(u64::MAX, 1), format!("{}.0", u64::MAX));
        assert_eq!(tenths(7), "0.7");
    }

    #[test]
    fn frame_rates_read_naturally() {
        assert_eq!(up_to_2dp(30.0), "30");
        assert_eq!(up_to_2dp(30_000.0 / 1_001.0), "29.97");
        assert_eq!(up_to_2dp(25.5), "25.5");
        assert_eq!(up_to_2dp(23.976), "23.98");
        assert_eq!(up_to_2dp(-1.0), "0");
    }
}
