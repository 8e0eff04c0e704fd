//! A user agent in words, for the devices list: "Chrome on Android", "Safari on iPhone".
//! Only the browser's family and the system, never a version: enough to recognise a device.

/// `"Chrome on Android"`; `"Unknown browser"` when nothing is recognised.
pub fn summary(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/") {
        Some("Edge")
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        Some("Opera")
    } else if ua.contains("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        Some("Firefox")
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        Some("Chrome")
    } else if ua.contains("Safari/") && ua.contains("Version/") || ua.contains("AppleWebKit/") && (ua.contains("iPhone") || ua.contains("iPad")) {
        Some("Safari")
    } else if ua.contains("AppleWebKit/") {
        Some("WebKit")
    } else {
        None
    };
    let system = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") {
        Some("iPhone")
    } else if ua.contains("iPad") {
        Some("iPad")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("Mac")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Linux") || ua.contains("X11") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "Unknown browser".to_string(),
    }
}

/// `"last active 3 hours ago"`, from a `last_seen` kept to the hour.
pub fn last_active(now_ms: u64, seen_ms: u64) -> String {
    const HOUR: u64 = 3_600_000;
    let ago = now_ms.saturating_sub(seen_ms);
    let (n, unit) = match ago {
        a if a < HOUR => return "active in the last hour".to_string(),
        a if a < 24 * HOUR => (a / HOUR, "hour"),
        a => (a / (24 * HOUR), "day"),
    };
    format!("last active {n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A line of the devices list: `"Chrome on Android, last active 3 hours ago"`.
pub fn line(user_agent: &str, now_ms: u64, seen_ms: u64) -> String {
    format!("{}, {}", summary(user_agent), last_active(now_ms, seen_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_active_in_words() {
        const H: u64 = 3_600_000;
        let now = 100 * 24 * H;
        assert_eq!(last_active(now, now - 10), "active in the last hour");
        assert_eq!(last_active(now, now - H), "last active 1 hour ago");
        assert_eq!(last_active(now, now - 3 * H - 5), "last active 3 hours ago");
        assert_eq!(last_active(now, now - 24 * H), "last active 1 day ago");
        assert_eq!(last_active(now, now - 45 * 24 * H), "last active 45 days ago");
        assert_eq!(last_active(now, now + H), "active in the last hour", "a clock behind the server's");
        let android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        assert_eq!(line(android, now, now - 3 * H), "Chrome on Android, last active 3 hours ago");
    }

    #[test]
    fn common_browsers_in_words() {
        let cases = [
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1",
                "Chrome on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
                "Edge on Windows",
            ),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on Mac"),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", "Safari on Linux"),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
                "Samsung Internet on Android",
            ),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on ChromeOS"),
        ];
        for (ua, want) in cases {
            assert_eq!(summary(ua), want, "{ua}");
        }
    }

    #[test]
    fn scripts_and_nothing_are_named_plainly() {
        assert_eq!(summary("curl/8.5.0"), "Unknown browser");
        assert_eq!(summary(""), "Unknown browser");
        assert_eq!(summary("SomeBot (Linux)"), "A browser on Linux");
    }
}
