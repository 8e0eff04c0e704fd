//! Times on the wire: RFC 3339 UTC strings over Unix milliseconds (the `time` crate does the
//! calendar).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `1_700_000_000_000` → `"2023-11-14T22:13:20Z"` (whole seconds, as TikTok's lifetimes are).
pub fn rfc3339_utc(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    OffsetDateTime::from_unix_timestamp(secs).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| "9999-12-31T23:59:59Z".to_string())
}

/// An RFC 3339 time with any offset → Unix ms; `None` when it is not one.
pub fn parse_rfc3339_ms(s: &str) -> Option<u64> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_z() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_700_000_000_999), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn parses_offsets_and_refuses_junk() {
        assert_eq!(parse_rfc3339_ms("2023-11-14T22:13:20Z"), Some(1_700_000_000_000));
        assert_eq!(parse_rfc3339_ms("2023-11-15T00:13:20.5+02:00"), Some(1_700_000_000_500));
        assert_eq!(parse_rfc3339_ms("tomorrow"), None);
        assert_eq!(parse_rfc3339_ms("1969-12-31T23:59:59Z"), None);
    }
}
