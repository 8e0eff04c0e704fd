//! Binding a TikTok sign-in to the browser that started it. Before going to TikTok the browser
//! sends `POST /api/oauth/start` `{"state", "code_challenge"}`; the Worker keeps both for ten
//! minutes under a short-lived HttpOnly cookie. The code exchange must then come from that
//! cookie, with that `state`, and with a `code_verifier` whose S256 is that challenge, once:
//! anything else is refused before TikTok hears of it. The verifier itself stays in the
//! browser until the exchange (PKCE as RFC 7636 has it).
//!
//! The records live in an object named by the SHA-256 of the cookie (as sessions do), a few per
//! browser so two tabs may each connect.

use crate::session::{is_local_host, valid_id};
use serde::{Deserialize, Serialize};
use tiktok_rules::pkce::{ChallengeEncoding, constant_time_eq, verify};

/// How long a start waits for its exchange: TikTok's consent page, with time to read it.
pub const TTL_MS: u64 = 10 * 60 * 1000;
/// Sign-ins one browser may have under way at once (tabs); a newer one drops the oldest.
pub const MAX_PENDING: usize = 5;
/// The cookie on a developer's own machine (plain http) and everywhere else (`__Host-`).
pub const COOKIE: &str = "letspost_oauth";
pub const HOST_COOKIE: &str = "__Host-letspost_oauth";
/// Random bytes behind the cookie (as a session's).
pub const ID_BYTES: usize = 32;
/// `state` as LetsPost's browser makes it (43 characters of 32 random bytes) or any client
/// following RFC 6749's advice: 16 to 128 characters of the PKCE verifier's alphabet.
pub const STATE_MIN: usize = 16;
pub const STATE_MAX: usize = 128;

/// One started sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub state: String,
    pub code_challenge: String,
    pub at_ms: u64,
}

impl Started {
    fn live(&self, now_ms: u64) -> bool {
        now_ms < self.at_ms.saturating_add(TTL_MS)
    }
}

pub fn cookie_name(host: &str) -> &'static str {
    if is_local_host(host) { COOKIE } else { HOST_COOKIE }
}

/// `Set-Cookie` for a start: HttpOnly, SameSite=Lax (the callback page's request is same-site),
/// ten minutes; `__Host-` and Secure except on localhost.
pub fn set_cookie(id: &str, host: &str) -> String {
    let secure = if is_local_host(host) { "" } else { "; Secure" };
    format!("{}={id}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}", cookie_name(host), TTL_MS / 1000)
}

/// `Set-Cookie` that removes it once the exchange has used it.
pub fn clear_cookie(host: &str) -> String {
    let secure = if is_local_host(host) { "" } else { "; Secure" };
    format!("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}", cookie_name(host))
}

/// The start cookie in a `Cookie` header: exactly one, well formed (two are none).
pub fn id_from_cookie_header<'a>(header: &'a str, host: &str) -> Option<&'a str> {
    crate::session::single_cookie(header, cookie_name(host)).filter(|v| valid_id(v))
}

pub fn check_state(state: &str) -> bool {
    (STATE_MIN..=STATE_MAX).contains(&state.len()) && state.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Record a start: expired ones and one with the same `state` go, and past `MAX_PENDING` the
/// oldest.
pub fn add(pending: &mut Vec<Started>, new: Started, now_ms: u64) {
    pending.retain(|s| s.live(now_ms) && s.state != new.state);
    pending.push(new);
    while pending.len() > MAX_PENDING {
        pending.remove(0);
    }
}

/// The exchange's check: is there a live start with this `state` whose challenge this verifier
/// answers? The start with that `state` is used up whatever the answer, so a guess gets one try.
pub fn take(pending: &mut Vec<Started>, state: &str, verifier: &str, encoding: ChallengeEncoding, now_ms: u64) -> bool {
    let Some(i) = pending.iter().position(|s| constant_time_eq(s.state.as_bytes(), state.as_bytes())) else {
        pending.retain(|s| s.live(now_ms));
        return false;
    };
    let started = pending.remove(i);
    pending.retain(|s| s.live(now_ms));
    started.live(now_ms) && verify(verifier, &started.code_challenge, encoding)
}

/// When the last of these starts lapses (the object deletes itself then).
pub fn lapses_at(pending: &[Started]) -> Option<u64> {
    pending.iter().map(|s| s.at_ms.saturating_add(TTL_MS)).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiktok_rules::pkce::challenge;

    const V1: &str = "verifier-one-0123456789-abcdefghijklmnopqrstuvwxyz";
    const V2: &str = "verifier-two-0123456789-abcdefghijklmnopqrstuvwxyz";
    const S1: &str = "state-one-0123456789abcdefghijklmnopqrstuvw";
    const S2: &str = "state-two-0123456789abcdefghijklmnopqrstuvw";

    fn start(state: &str, verifier: &str, at_ms: u64) -> Started {
        Started { state: state.into(), code_challenge: challenge(verifier, ChallengeEncoding::Base64url), at_ms }
    }

    #[test]
    fn the_state_and_the_verifier_must_match_one_start_once() {
        let b64 = ChallengeEncoding::Base64url;
        let mut p = Vec::new();
        add(&mut p, start(S1, V1, 0), 0);
        add(&mut p, start(S2, V2, 0), 0);
        assert!(!take(&mut p, S1, V2, b64, 1), "another start's verifier");
        assert!(!take(&mut p, S1, V1, b64, 2), "the failed try used S1 up");
        assert!(take(&mut p, S2, V2, b64, 3));
        assert!(!take(&mut p, S2, V2, b64, 4), "used once");
        assert!(p.is_empty());
    }

    #[test]
    fn a_start_lapses_after_ten_minutes() {
        let mut p = Vec::new();
        add(&mut p, start(S1, V1, 1_000), 1_000);
        assert_eq!(lapses_at(&p), Some(1_000 + TTL_MS));
        assert!(!take(&mut p.clone(), S1, V1, ChallengeEncoding::Base64url, 1_000 + TTL_MS));
        assert!(take(&mut p, S1, V1, ChallengeEncoding::Base64url, 1_000 + TTL_MS - 1));
        let mut q = vec![start(S1, V1, 0)];
        add(&mut q, start(S2, V2, TTL_MS), TTL_MS);
        assert_eq!(q.len(), 1, "the lapsed one went");
    }

    #[test]
    fn a_browser_keeps_a_few_starts_and_a_repeated_state_replaces_its_own() {
        let mut p = Vec::new();
        for i in 0..(MAX_PENDING as u64 + 2) {
            add(&mut p, start(&format!("{S1}{i}"), V1, i), i);
        }
        assert_eq!(p.len(), MAX_PENDING);
        assert_eq!(p[0].state, format!("{S1}2"), "the oldest went");
        add(&mut p, start(&format!("{S1}6"), V2, 9), 9);
        assert_eq!(p.len(), MAX_PENDING);
        assert!(take(&mut p, &format!("{S1}6"), V2, ChallengeEncoding::Base64url, 10));
    }

    #[test]
    fn hex_challenges_verify_under_the_hex_setting() {
        let mut p = vec![Started { state: S1.into(), code_challenge: challenge(V1, ChallengeEncoding::Hex), at_ms: 0 }];
        assert!(take(&mut p, S1, V1, ChallengeEncoding::Hex, 1));
    }

    #[test]
    fn states_and_cookies() {
        assert!(check_state(S1));
        assert!(!check_state("short"));
        assert!(!check_state(&"s".repeat(STATE_MAX + 1)));
        assert!(!check_state("state with spaces in it, 0123"));
        let id = "a".repeat(43);
        assert_eq!(set_cookie(&id, "127.0.0.1:8787"), format!("letspost_oauth={id}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax"));
        assert!(set_cookie(&id, "letspost.app").starts_with("__Host-letspost_oauth=") && set_cookie(&id, "letspost.app").ends_with("; Secure"));
        assert!(clear_cookie("letspost.app").contains("Max-Age=0"));
        let header = format!("letspost_session={id}; letspost_oauth={id}");
        assert_eq!(id_from_cookie_header(&header, "localhost"), Some(id.as_str()));
        assert_eq!(id_from_cookie_header(&format!("{header}; letspost_oauth={id}"), "localhost"), None, "two are none");
        assert_eq!(id_from_cookie_header("letspost_oauth=short", "localhost"), None);
    }
}
