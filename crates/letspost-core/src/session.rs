//! Sessions: connecting TikTok is signing in. A browser's session is an opaque random id in an
//! HttpOnly cookie; the accounts it connected belong to it. Also the checks that keep another
//! site from acting with that cookie.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const COOKIE: &str = "letspost_session";
/// Random bytes behind a session id (256 bits).
pub const ID_BYTES: usize = 32;
/// A session lasts as long as TikTok's longest refresh token (365 days).
pub const MAX_AGE_SECS: u64 = 365 * 86_400;

/// A session id from random bytes the caller drew.
pub fn new_id(random: &[u8; ID_BYTES]) -> String {
    URL_SAFE_NO_PAD.encode(random)
}

/// Only ids we could have minted are looked up (anything else is no session).
pub fn valid_id(id: &str) -> bool {
    id.len() == 43 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The session id in a `Cookie` header, if it holds a well-formed one.
pub fn id_from_cookie_header(header: &str) -> Option<&str> {
    header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(name, _)| *name == COOKIE).map(|(_, value)| value.trim()).filter(|v| valid_id(v))
}

/// Plain HTTP is only for a developer's own machine.
pub fn is_local_host(host: &str) -> bool {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, Secure except on localhost.
pub fn set_cookie(id: &str, host: &str) -> String {
    let secure = if is_local_host(host) { "" } else { "; Secure" };
    format!("{COOKIE}={id}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}")
}

/// May a request with this method, `Origin` and `Sec-Fetch-Site` change state on `app_origin`?
/// Browsers send `Origin` on every cross-origin write; a foreign one is refused. Scripts
/// (curl, the CLI) send neither header and carry the cookie deliberately.
pub fn write_allowed(method: &str, origin: Option<&str>, sec_fetch_site: Option<&str>, app_origin: &str) -> bool {
    if matches!(method, "GET" | "HEAD" | "OPTIONS") {
        return true;
    }
    match origin {
        Some(o) => o.trim_end_matches('/') == app_origin.trim_end_matches('/'),
        None => !matches!(sec_fetch_site, Some("cross-site" | "same-site")),
    }
}

/// The redirect URI a browser may ask the Worker to exchange a code for: this app's own
/// callback, nothing else (the Worker must not be a token proxy for other sites).
pub fn redirect_uri_is_ours(redirect_uri: &str, app_origin: &str) -> bool {
    redirect_uri == format!("{}{}", app_origin.trim_end_matches('/'), crate::api::paths::CALLBACK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_43_url_safe_characters() {
        let id = new_id(&[0xfb; ID_BYTES]);
        assert_eq!(id.len(), 43);
        assert!(valid_id(&id));
        assert!(!valid_id("short"));
        assert!(!valid_id(&format!("{}=", &id[..42])));
    }

    #[test]
    fn the_cookie_is_found_among_others_and_junk_is_no_session() {
        let id = new_id(&[7; ID_BYTES]);
        assert_eq!(id_from_cookie_header(&format!("a=1; {COOKIE}={id}; b=2")), Some(id.as_str()));
        assert_eq!(id_from_cookie_header(&format!("{COOKIE}=../../etc")), None);
        assert_eq!(id_from_cookie_header("other=1"), None);
        assert_eq!(id_from_cookie_header(""), None);
    }

    #[test]
    fn cookie_is_secure_except_on_localhost() {
        let c = set_cookie("ID", "letspost.app");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"), "{c}");
        assert!(!set_cookie("ID", "127.0.0.1:8787").contains("Secure"));
        assert!(!set_cookie("ID", "localhost").contains("Secure"));
        assert!(set_cookie("ID", "127.0.0.1.evil.com").contains("Secure"));
    }

    #[test]
    fn foreign_origins_may_not_write() {
        let app = "http://127.0.0.1:8787";
        assert!(write_allowed("POST", Some(app), None, app));
        assert!(write_allowed("DELETE", Some("http://127.0.0.1:8787/"), None, app));
        assert!(!write_allowed("POST", Some("https://evil.example"), Some("cross-site"), app));
        assert!(!write_allowed("DELETE", Some("http://127.0.0.1:9999"), None, app));
        assert!(!write_allowed("POST", Some("null"), None, app));
        assert!(!write_allowed("POST", None, Some("cross-site"), app));
        assert!(write_allowed("POST", None, None, app), "scripts send no Origin");
        assert!(write_allowed("GET", Some("https://evil.example"), None, app), "reads are guarded by the cookie");
    }

    #[test]
    fn only_our_own_callback_is_exchanged() {
        assert!(redirect_uri_is_ours("http://127.0.0.1:8787/oauth/callback", "http://127.0.0.1:8787"));
        assert!(!redirect_uri_is_ours("https://evil.example/oauth/callback", "http://127.0.0.1:8787"));
        assert!(!redirect_uri_is_ours("http://127.0.0.1:8787/oauth/callback/x", "http://127.0.0.1:8787"));
    }
}
