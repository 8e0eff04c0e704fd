//! The security headers, once: the Worker adds the API's to every `/api` answer, and
//! `cargo xtask build` writes the pages' into the static assets' `_headers` file (Workers
//! static assets read it, so the front end is served without running the Worker).

/// Where the pages send CSP violation reports (`POST`, `application/csp-report` or
/// `application/reports+json`); the Worker logs them, and keeps them for the suite under
/// `TEST_HOOKS`.
pub const CSP_REPORT_PATH: &str = "/api/csp-report";

/// TikTok's avatar hosts (`avatar_url` in `user/info` and `creator_info`), for `img-src`.
pub const TIKTOK_AVATAR_HOSTS: &str = "https://*.tiktokcdn.com https://*.tiktokcdn-us.com";

/// The page's Content-Security-Policy: only LetsPost's own scripts, styles and API; wasm
/// compiled from those scripts; images from itself, `data:`/`blob:` and the avatar hosts;
/// the preview plays a local `blob:`; nothing frames it.
pub fn page_csp(avatar_hosts: &str) -> String {
    [
        "default-src 'self'".to_string(),
        "script-src 'self' 'wasm-unsafe-eval'".into(),
        "style-src 'self'".into(),
        ["img-src 'self' data: blob:"].into_iter().chain(avatar_hosts.split_whitespace()).collect::<Vec<_>>().join(" "),
        "media-src 'self' blob:".into(),
        "connect-src 'self'".into(),
        "font-src 'self'".into(),
        "object-src 'none'".into(),
        "base-uri 'none'".into(),
        "frame-ancestors 'none'".into(),
        "form-action 'self'".into(),
        format!("report-uri {CSP_REPORT_PATH}"),
    ]
    .join("; ")
}

/// Browser features the app never uses, denied to it and to anything it could embed.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), \
hid=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), serial=(), usb=(), xr-spatial-tracking=()";

/// Only over HTTPS (browsers ignore it on plain HTTP, and localhost must stay plain).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Every page and static asset.
pub fn page_headers(avatar_hosts: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Security-Policy", page_csp(avatar_hosts)),
        ("X-Content-Type-Options", "nosniff".into()),
        ("X-Frame-Options", "DENY".into()),
        ("Referrer-Policy", "strict-origin-when-cross-origin".into()),
        ("Permissions-Policy", PERMISSIONS_POLICY.into()),
        ("Cross-Origin-Opener-Policy", "same-origin".into()),
    ]
}

/// Every `/api` answer: JSON never sniffed as something else, never cached, never framed.
pub const API_HEADERS: [(&str, &str); 4] = [
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
];

/// The OAuth callback's address holds the code: it is never sent as a referrer.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// Hosts that never get HSTS: a browser would pin them to HTTPS for a year.
pub const LOCAL_HOSTS: [&str; 2] = ["localhost", "127.0.0.1"];

/// Workers static assets' `_headers` file: the page headers and HSTS on every path,
/// `no-referrer` on the callback, HSTS taken off again on the local hosts. (Rules apply in file
/// order, each removing (`! Name`) then setting, and a later rule setting a header again
/// *appends* it; a host rule is matched as `https://<host><path>` whatever the scheme, and a
/// `:host` placeholder matches one DNS label only, so HSTS is set by path, not by host.)
pub fn headers_file(avatar_hosts: &str) -> String {
    let mut out = String::from("# Written by `cargo xtask build` from letspost_core::headers; do not edit.\n/*\n");
    for (name, value) in page_headers(avatar_hosts) {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out.push_str(&format!("  Strict-Transport-Security: {HSTS}\n"));
    out.push_str(&format!("{CALLBACK_PATH}\n  ! Referrer-Policy\n  Referrer-Policy: no-referrer\n"));
    for host in LOCAL_HOSTS {
        out.push_str(&format!("https://{host}/*\n  ! Strict-Transport-Security\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_allows_no_inline_script_or_eval() {
        let csp = page_csp(TIKTOK_AVATAR_HOSTS);
        let script = csp.split("; ").find(|d| d.starts_with("script-src")).unwrap();
        assert_eq!(script, "script-src 'self' 'wasm-unsafe-eval'");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{csp}");
        for d in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'", "connect-src 'self'", "media-src 'self' blob:"] {
            assert!(csp.contains(d), "{d} in {csp}");
        }
        assert!(csp.contains("img-src 'self' data: blob: https://*.tiktokcdn.com https://*.tiktokcdn-us.com"), "{csp}");
        assert!(csp.ends_with("report-uri /api/csp-report"), "{csp}");
    }

    #[test]
    fn no_avatar_hosts_leaves_img_src_clean() {
        assert!(page_csp("").contains("img-src 'self' data: blob:;"));
        assert!(page_csp("  https://a.example   https://b.example ").contains("img-src 'self' data: blob: https://a.example https://b.example;"));
    }

    #[test]
    fn the_headers_file_has_every_page_header_the_callback_rule_and_hsts_on_https_only() {
        let f = headers_file("https://*.tiktokcdn.example");
        assert!(f.starts_with("# Written by"));
        let lines: Vec<&str> = f.lines().collect();
        assert_eq!(lines[1], "/*");
        for (name, _) in page_headers("") {
            assert!(lines.iter().any(|l| l.trim_start().starts_with(&format!("{name}: "))), "{name}");
        }
        assert!(f.contains("/oauth/callback\n  ! Referrer-Policy\n  Referrer-Policy: no-referrer\n"), "{f}");
        assert!(f.contains("  Strict-Transport-Security: max-age=31536000; includeSubDomains\n/oauth/callback\n"), "HSTS on every path: {f}");
        assert!(f.ends_with("https://localhost/*\n  ! Strict-Transport-Security\nhttps://127.0.0.1/*\n  ! Strict-Transport-Security\n"), "{f}");
        // Workers reads at most 100 rules of at most 2,000 characters a line.
        assert!(f.lines().all(|l| l.len() <= 2_000));
        // Header lines are indented, rule lines are not (the format Workers reads); host rules
        // name no port (Workers refuses them).
        assert!(lines.iter().skip(1).all(|l| l.starts_with("  ") || l.starts_with('/') || l.starts_with("https://")));
        assert!(lines.iter().filter(|l| l.starts_with("https://")).all(|l| !l[8..].split('/').next().unwrap().contains(':')));
    }
}
