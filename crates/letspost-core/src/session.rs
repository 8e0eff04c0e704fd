//! Sessions: connecting TikTok is signing in. A browser's session is an opaque random id the
//! server issued, in an HttpOnly cookie; the accounts it connected are held by it. Only ids the
//! server issued and still keeps are sessions: the Session object is named by the SHA-256 of
//! the cookie value (`public_id`), which is also the id the devices list shows, and which can't
//! be turned back into a cookie. Also the checks that keep another site from acting with that
//! cookie, the session's lifetime and the holders an account keeps.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The cookie's name on a developer's own machine (plain http, no `Secure`).
pub const COOKIE: &str = "letspost_session";
/// The cookie's name everywhere else: `__Host-` makes the browser insist on `Secure`,
/// `Path=/` and no `Domain`, so a sibling subdomain can't plant or shadow it.
pub const HOST_COOKIE: &str = "__Host-letspost_session";
/// Random bytes behind a session id (256 bits).
pub const ID_BYTES: usize = 32;
/// The cookie may live as long as the session's absolute limit; the server decides before that.
pub const MAX_AGE_SECS: u64 = ABSOLUTE_MS / 1000;
/// A session unused for 30 days ends (server-side, whatever the cookie says).
pub const IDLE_MS: u64 = 30 * 86_400_000;
/// A session ends a year after it was issued, used or not (TikTok's longest refresh token is 365
/// days: past that every account in it needs connecting again anyway, which issues a new one).
pub const ABSOLUTE_MS: u64 = 365 * 86_400_000;
/// `last_seen` is kept to the hour: a session writes at most once an hour for being used.
pub const SEEN_STEP_MS: u64 = 3_600_000;
/// The most sessions an account records as holding it; a new one evicts the one seen least recently.
pub const MAX_HOLDERS: usize = 20;
/// The most accounts one session holds; connecting one more drops the oldest it connected.
pub const MAX_ACCOUNTS: usize = 50;
/// The user agent a session keeps, cut to this many bytes.
pub const USER_AGENT_MAX: usize = 256;

/// A session id from random bytes the caller drew.
pub fn new_id(random: &[u8; ID_BYTES]) -> String {
    URL_SAFE_NO_PAD.encode(random)
}

/// Only ids we could have minted are looked up (anything else is no session).
pub fn valid_id(id: &str) -> bool {
    id.len() == 43 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The session's public id: SHA-256 of the cookie value, 64 hex digits. It names the Session
/// object and is what the devices list shows; knowing it gives no way to act as the session.
pub fn public_id(cookie_value: &str) -> String {
    Sha256::digest(cookie_value.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn valid_public_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The cookie name this host uses.
pub fn cookie_name(host: &str) -> &'static str {
    if is_local_host(host) { COOKIE } else { HOST_COOKIE }
}

/// The session id in a `Cookie` header for this host: exactly one well-formed cookie of the
/// host's name. Two of them (a planted one beside ours, another path) are no session at all.
pub fn id_from_cookie_header<'a>(header: &'a str, host: &str) -> Option<&'a str> {
    single_cookie(header, cookie_name(host)).filter(|v| valid_id(v))
}

/// The value of the one cookie called `name` in a `Cookie` header; none when there are two.
pub fn single_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    let mut found = header.split(';').filter_map(|pair| pair.trim().split_once('=')).filter(|(n, _)| n.trim() == name).map(|(_, v)| v.trim());
    let first = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Some(first)
}

/// Plain HTTP is only for a developer's own machine.
pub fn is_local_host(host: &str) -> bool {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, `Path=/`, no `Domain`; `__Host-` and
/// Secure except on localhost.
pub fn set_cookie(id: &str, host: &str) -> String {
    let secure = if is_local_host(host) { "" } else { "; Secure" };
    format!("{}={id}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}", cookie_name(host))
}

/// `Set-Cookie` that removes the session cookie (signing out).
pub fn clear_cookie(host: &str) -> String {
    let secure = if is_local_host(host) { "" } else { "; Secure" };
    format!("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}", cookie_name(host))
}

/// A session's clock: when it was issued and (to the hour) when it was last used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifetime {
    pub created_ms: u64,
    pub last_seen_ms: u64,
}

impl Lifetime {
    pub fn new(now_ms: u64) -> Lifetime {
        Lifetime { created_ms: now_ms, last_seen_ms: now_ms }
    }

    /// When it ends unless used again: idle limit from its last use, capped by the absolute one.
    pub fn ends_at_ms(&self) -> u64 {
        (self.last_seen_ms.saturating_add(IDLE_MS)).min(self.created_ms.saturating_add(ABSOLUTE_MS))
    }

    pub fn alive(&self, now_ms: u64) -> bool {
        now_ms < self.ends_at_ms()
    }

    /// Used now: `true` when `last_seen` moved (at most once per `SEEN_STEP_MS`), i.e. when
    /// the caller should store it.
    pub fn seen(&mut self, now_ms: u64) -> bool {
        if now_ms >= self.last_seen_ms.saturating_add(SEEN_STEP_MS) {
            self.last_seen_ms = now_ms;
            return true;
        }
        false
    }
}

/// A session as an account records it: who holds the account, for the devices list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The session's public id.
    pub id: String,
    pub created_ms: u64,
    pub last_seen_ms: u64,
    pub user_agent: String,
}

impl Holder {
    pub fn lifetime(&self) -> Lifetime {
        Lifetime { created_ms: self.created_ms, last_seen_ms: self.last_seen_ms }
    }
}

/// A user agent as kept: at most `USER_AGENT_MAX` bytes, printable ASCII only.
pub fn kept_user_agent(ua: &str) -> String {
    let mut s: String = ua.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect();
    s.truncate(USER_AGENT_MAX);
    s
}

/// Add (or refresh) `h` among an account's holders; past `MAX_HOLDERS` the one seen least
/// recently is evicted and returned. Ended ones (`now_ms`) go first.
pub fn hold(holders: &mut Vec<Holder>, h: Holder, now_ms: u64) -> Vec<Holder> {
    let mut evicted: Vec<Holder> = Vec::new();
    holders.retain(|x| x.id != h.id);
    holders.retain(|x| {
        let keep = x.lifetime().alive(now_ms);
        if !keep {
            evicted.push(x.clone());
        }
        keep
    });
    holders.push(h);
    while holders.len() > MAX_HOLDERS {
        let (i, _) = holders.iter().enumerate().min_by_key(|(_, x)| x.last_seen_ms).expect("not empty");
        evicted.push(holders.remove(i));
    }
    evicted
}

/// The accounts a session holds after connecting `open_id` (moved to the end; past
/// `MAX_ACCOUNTS` the oldest is dropped and returned).
pub fn add_account(accounts: &mut Vec<String>, open_id: &str) -> Option<String> {
    accounts.retain(|a| a != open_id);
    accounts.push(open_id.to_string());
    (accounts.len() > MAX_ACCOUNTS).then(|| accounts.remove(0))
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

    const LOCAL: &str = "127.0.0.1:8787";
    const PROD: &str = "letspost.app";

    #[test]
    fn the_cookie_is_found_among_others_and_junk_is_no_session() {
        let id = new_id(&[7; ID_BYTES]);
        assert_eq!(id_from_cookie_header(&format!("a=1; {COOKIE}={id}; b=2"), LOCAL), Some(id.as_str()));
        assert_eq!(id_from_cookie_header(&format!("{COOKIE}=../../etc"), LOCAL), None);
        assert_eq!(id_from_cookie_header("other=1", LOCAL), None);
        assert_eq!(id_from_cookie_header("", LOCAL), None);
    }

    #[test]
    fn each_host_reads_its_own_name_only() {
        let id = new_id(&[7; ID_BYTES]);
        assert_eq!(id_from_cookie_header(&format!("{HOST_COOKIE}={id}"), PROD), Some(id.as_str()));
        assert_eq!(id_from_cookie_header(&format!("{COOKIE}={id}"), PROD), None, "a plain name can be tossed from a subdomain");
        assert_eq!(id_from_cookie_header(&format!("{HOST_COOKIE}={id}"), LOCAL), None);
    }

    #[test]
    fn two_session_cookies_are_no_session() {
        let (a, b) = (new_id(&[1; ID_BYTES]), new_id(&[2; ID_BYTES]));
        assert_eq!(id_from_cookie_header(&format!("{COOKIE}={a}; {COOKIE}={b}"), LOCAL), None);
        assert_eq!(id_from_cookie_header(&format!("{COOKIE}={a}; {COOKIE}={a}"), LOCAL), None);
        assert_eq!(id_from_cookie_header(&format!("{HOST_COOKIE}={a}; x=1; {HOST_COOKIE}={b}"), PROD), None);
        assert_eq!(id_from_cookie_header(&format!("{COOKIE}={a}; {COOKIE}=junk"), LOCAL), None);
    }

    #[test]
    fn the_public_id_is_a_hash_of_the_cookie() {
        let id = new_id(&[7; ID_BYTES]);
        let p = public_id(&id);
        assert!(valid_public_id(&p) && !p.contains(&id), "{p}");
        assert_ne!(p, public_id(&new_id(&[8; ID_BYTES])));
        assert!(!valid_public_id(&id));
        assert!(!valid_public_id(&p.to_uppercase()));
    }

    #[test]
    fn cookie_is_host_prefixed_and_secure_except_on_localhost() {
        let c = set_cookie("ID", PROD);
        assert!(c.starts_with("__Host-letspost_session=ID; Path=/;"), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure") && !c.contains("Domain"), "{c}");
        let local = set_cookie("ID", LOCAL);
        assert!(local.starts_with("letspost_session=ID;") && !local.contains("Secure"), "{local}");
        assert!(!set_cookie("ID", "localhost").contains("Secure"));
        assert!(set_cookie("ID", "127.0.0.1.evil.com").contains("Secure"));
        let gone = clear_cookie(PROD);
        assert!(gone.starts_with("__Host-letspost_session=;") && gone.contains("Max-Age=0") && gone.contains("Secure"), "{gone}");
        assert!(clear_cookie(LOCAL).starts_with("letspost_session=; Path=/; Max-Age=0"));
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let mut l = Lifetime::new(1_000);
        assert!(l.alive(1_000 + IDLE_MS - 1));
        assert!(!l.alive(1_000 + IDLE_MS));
        // Used every 29 days: alive until the absolute limit, not a day beyond.
        let mut t = 1_000;
        while t + 29 * 86_400_000 < 1_000 + ABSOLUTE_MS {
            t += 29 * 86_400_000;
            assert!(l.alive(t));
            assert!(l.seen(t));
        }
        assert_eq!(l.ends_at_ms(), 1_000 + ABSOLUTE_MS);
        assert!(!l.alive(1_000 + ABSOLUTE_MS));
    }

    #[test]
    fn last_seen_is_written_at_most_hourly() {
        let mut l = Lifetime::new(0);
        assert!(!l.seen(SEEN_STEP_MS - 1));
        assert_eq!(l.last_seen_ms, 0);
        assert!(l.seen(SEEN_STEP_MS));
        assert!(!l.seen(SEEN_STEP_MS + 10));
        assert_eq!(l.last_seen_ms, SEEN_STEP_MS);
    }

    fn holder(n: u64) -> Holder {
        Holder { id: format!("{n:064x}"), created_ms: n, last_seen_ms: n, user_agent: String::new() }
    }

    #[test]
    fn an_account_keeps_a_bounded_set_of_holders() {
        let mut hs = Vec::new();
        for n in 1..=MAX_HOLDERS as u64 {
            assert!(hold(&mut hs, holder(n), 100).is_empty());
        }
        // Holder 1 used again: holder 2 is now the least recently seen.
        let mut again = holder(1);
        again.last_seen_ms = 50;
        assert!(hold(&mut hs, again, 100).is_empty());
        assert_eq!(hs.len(), MAX_HOLDERS);
        let evicted = hold(&mut hs, holder(99), 100);
        assert_eq!(evicted, vec![holder(2)]);
        assert_eq!(hs.len(), MAX_HOLDERS);
        // Ended sessions go without waiting for the cap.
        let evicted = hold(&mut hs, holder(IDLE_MS + 200), IDLE_MS + 200);
        assert!(evicted.len() >= MAX_HOLDERS - 1, "{}", evicted.len());
    }

    #[test]
    fn a_session_holds_a_bounded_list_of_accounts() {
        let mut a = Vec::new();
        for n in 0..MAX_ACCOUNTS {
            assert_eq!(add_account(&mut a, &format!("o{n}")), None);
        }
        assert_eq!(add_account(&mut a, "o0"), None, "again: moved, not doubled");
        assert_eq!(add_account(&mut a, "new"), Some("o1".to_string()));
        assert_eq!(a.len(), MAX_ACCOUNTS);
    }

    #[test]
    fn user_agents_are_kept_short_and_printable() {
        assert_eq!(kept_user_agent("Mozilla/5.0 (X11)\n\u{7}x"), "Mozilla/5.0 (X11)x");
        assert_eq!(kept_user_agent(&"a".repeat(1000)).len(), USER_AGENT_MAX);
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
