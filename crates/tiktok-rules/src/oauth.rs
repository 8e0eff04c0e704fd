//! TikTok Login Kit v2: scopes, the authorize URL, the callback, and token lifetimes.

use serde::{Deserialize, Serialize};

/// The scopes LetsPost asks for, in TikTok's spelling.
pub const SCOPES: [&str; 3] = ["user.info.basic", "video.upload", "video.publish"];

/// Display API: read the creator's public videos and their counts (`video/list`, `video/query`).
pub const VIDEO_LIST_SCOPE: &str = "video.list";
/// `user/info`'s follower, following, likes and video counts.
pub const USER_INFO_STATS_SCOPE: &str = "user.info.stats";
/// What a deployment with analytics asks for on top of [`SCOPES`].
pub const ANALYTICS_SCOPES: [&str; 2] = [VIDEO_LIST_SCOPE, USER_INFO_STATS_SCOPE];

/// The longest authorization `code` LetsPost passes on. TikTok documents no length; its codes
/// are short opaque strings (the emulator's are 37 characters), so 512 leaves room for any
/// change while a request can't make the Worker send TikTok a long junk string signed with the
/// client secret.
pub const CODE_MAX_LEN: usize = 512;

/// A code worth sending to TikTok's token endpoint: present, at most `CODE_MAX_LEN` bytes,
/// visible ASCII (what a query parameter decodes to for TikTok's codes).
pub fn check_code(code: &str) -> Result<(), &'static str> {
    if code.is_empty() {
        return Err("code is missing");
    }
    if code.len() > CODE_MAX_LEN {
        return Err("code is longer than any TikTok issues");
    }
    if !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("code has characters TikTok's codes never have");
    }
    Ok(())
}

/// `scope` as the authorize URL wants it: comma-separated.
pub fn scope_param() -> String {
    SCOPES.join(",")
}

/// [`SCOPES`], and [`ANALYTICS_SCOPES`] after them when the deployment has analytics on.
pub fn scopes(analytics: bool) -> Vec<&'static str> {
    let extra: &[&'static str] = if analytics { &ANALYTICS_SCOPES } else { &[] };
    SCOPES.iter().chain(extra).copied().collect()
}

/// The scopes from `wanted` that a granted `scope` string (comma- or space-separated) lacks.
pub fn missing_scopes<'a>(granted: &str, wanted: &[&'a str]) -> Vec<&'a str> {
    let have: Vec<&str> = granted.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect();
    wanted.iter().copied().filter(|w| !have.contains(w)).collect()
}

/// What the authorize URL needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest<'a> {
    pub client_key: &'a str,
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub code_challenge: &'a str,
}

/// `{base}/v2/auth/authorize/?…` with PKCE S256. `base` is `https://www.tiktok.com` for real
/// TikTok, the emulator's address locally.
pub fn authorize_url(base: &str, req: &AuthorizeRequest<'_>) -> String {
    authorize_url_with_scopes(base, req, &SCOPES)
}

/// [`authorize_url`] asking for `scopes` (e.g. [`scopes`]`(true)` with analytics on).
pub fn authorize_url_with_scopes(base: &str, req: &AuthorizeRequest<'_>, scopes: &[&str]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_key", req.client_key)
        .append_pair("scope", &scopes.join(","))
        .append_pair("redirect_uri", req.redirect_uri)
        .append_pair("state", req.state)
        .append_pair("response_type", "code")
        .append_pair("code_challenge", req.code_challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("{}/v2/auth/authorize/?{query}", base.trim_end_matches('/'))
}

/// TikTok's rules for a web redirect URI: https, no query, no fragment, under 512 characters.
/// `http://localhost` and `http://127.0.0.1` pass too, for local runs against the emulator.
pub fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if uri.len() >= 512 {
        return Err("redirect_uri must be shorter than 512 characters");
    }
    let local = uri.starts_with("http://localhost") || uri.starts_with("http://127.0.0.1");
    if !uri.starts_with("https://") && !local {
        return Err("redirect_uri must use https");
    }
    if uri.contains('?') {
        return Err("redirect_uri must not have a query string");
    }
    if uri.contains('#') {
        return Err("redirect_uri must not have a fragment");
    }
    Ok(())
}

/// What TikTok sent back to the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code { code: String, scopes: Option<String> },
    Denied { error: String, description: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// `state` missing or not the one we sent: possible CSRF, or a stale tab.
    StateMismatch,
    Malformed,
}

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CallbackError::StateMismatch => "This sign-in link is not the one LetsPost started. Connect again from LetsPost.",
            CallbackError::Malformed => "TikTok's answer was incomplete. Connect again.",
        })
    }
}

impl std::error::Error for CallbackError {}

/// Parse the redirect's query string and check `state` against the one we stored.
pub fn parse_callback(query: &str, expected_state: &str) -> Result<Callback, CallbackError> {
    let mut code = None;
    let mut state = None;
    let mut scopes = None;
    let mut error = None;
    let mut description = String::new();
    for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "scopes" => scopes = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = v.into_owned(),
            _ => {}
        }
    }
    let state_ok = state.as_deref().is_some_and(|s| !expected_state.is_empty() && crate::pkce::constant_time_eq(s.as_bytes(), expected_state.as_bytes()));
    if !state_ok {
        return Err(CallbackError::StateMismatch);
    }
    match (code, error) {
        (_, Some(error)) => Ok(Callback::Denied { error, description }),
        (Some(code), None) if !code.is_empty() => Ok(Callback::Code { code, scopes }),
        _ => Err(CallbackError::Malformed),
    }
}

/// `POST /v2/oauth/token/` success body (flat, no envelope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub open_id: String,
    pub scope: String,
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
    pub refresh_expires_in: u64,
    pub token_type: String,
}

/// Tokens with absolute expiry times, as the Worker stores them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub open_id: String,
    pub scope: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Unix ms.
    pub access_expires_at_ms: u64,
    pub refresh_expires_at_ms: u64,
}

/// Refresh this long before the access token runs out, so no request races its expiry.
pub const REFRESH_MARGIN_MS: u64 = 5 * 60 * 1000;

impl Tokens {
    /// From a token answer received at `now_ms`. Lifetimes come from TikTok's answer, never
    /// from constants (the docs disagree: 24 h / 365 d vs 2 h / 180 d).
    pub fn from_response(r: TokenResponse, now_ms: u64) -> Tokens {
        Tokens {
            access_expires_at_ms: now_ms + r.expires_in * 1000,
            refresh_expires_at_ms: now_ms + r.refresh_expires_in * 1000,
            open_id: r.open_id,
            scope: r.scope,
            access_token: r.access_token,
            refresh_token: r.refresh_token,
        }
    }

    /// Should the access token be refreshed before use at `now_ms`?
    pub fn needs_refresh(&self, now_ms: u64) -> bool {
        now_ms + REFRESH_MARGIN_MS >= self.access_expires_at_ms
    }

    /// Once the refresh token has expired only a new connection helps.
    pub fn must_reconnect(&self, now_ms: u64) -> bool {
        now_ms >= self.refresh_expires_at_ms
    }

    /// Replace with a refreshed answer: the refresh token rotates, keep the newest.
    pub fn refreshed(&self, r: TokenResponse, now_ms: u64) -> Tokens {
        Tokens::from_response(r, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pkce::{ChallengeEncoding, challenge};

    #[test]
    fn authorize_url_carries_every_parameter_encoded() {
        let ch = challenge(&"v".repeat(43), ChallengeEncoding::Base64url);
        let url = authorize_url(
            "https://www.tiktok.com/",
            &AuthorizeRequest { client_key: "ck", redirect_uri: "https://app.example/cb", state: "s t", code_challenge: &ch },
        );
        assert!(url.starts_with("https://www.tiktok.com/v2/auth/authorize/?client_key=ck&"), "{url}");
        assert!(url.contains("scope=user.info.basic%2Cvideo.upload%2Cvideo.publish"), "{url}");
        assert!(url.contains("redirect_uri=https%3A%2F%2Fapp.example%2Fcb"));
        assert!(url.contains("state=s+t"));
        assert!(url.contains("response_type=code"));
        assert!(url.contains(&format!("code_challenge={ch}&code_challenge_method=S256")));
    }

    #[test]
    fn analytics_adds_its_two_scopes() {
        assert_eq!(scopes(false), SCOPES);
        assert_eq!(scopes(true), ["user.info.basic", "video.upload", "video.publish", "video.list", "user.info.stats"]);
        let req = AuthorizeRequest { client_key: "ck", redirect_uri: "https://app.example/cb", state: "s", code_challenge: "c" };
        let url = authorize_url_with_scopes("https://www.tiktok.com", &req, &scopes(true));
        assert!(url.contains("scope=user.info.basic%2Cvideo.upload%2Cvideo.publish%2Cvideo.list%2Cuser.info.stats"), "{url}");
        assert_eq!(missing_scopes("user.info.basic,video.list", &ANALYTICS_SCOPES), ["user.info.stats"]);
    }

    #[test]
    fn codes_are_bounded() {
        assert_eq!(check_code("code-abc*!1234"), Ok(()));
        assert_eq!(check_code(&"c".repeat(CODE_MAX_LEN)), Ok(()));
        assert!(check_code(&"c".repeat(CODE_MAX_LEN + 1)).is_err());
        assert!(check_code("").is_err());
        assert!(check_code("a b").is_err());
        assert!(check_code("a\u{e9}").is_err());
    }

    #[test]
    fn missing_scopes_are_named() {
        assert_eq!(missing_scopes("user.info.basic,video.upload,video.publish", &SCOPES), Vec::<&str>::new());
        assert_eq!(missing_scopes("user.info.basic, video.upload", &SCOPES), vec!["video.publish"]);
        assert_eq!(missing_scopes("", &SCOPES).len(), 3);
    }

    #[test]
    fn redirect_uri_rules() {
        assert_eq!(check_redirect_uri("https://letspost.app/oauth/callback"), Ok(()));
        assert_eq!(check_redirect_uri("http://127.0.0.1:8787/oauth/callback"), Ok(()));
        assert!(check_redirect_uri("http://letspost.app/cb").is_err());
        assert!(check_redirect_uri("https://letspost.app/cb?x=1").is_err());
        assert!(check_redirect_uri("https://letspost.app/cb#x").is_err());
        assert!(check_redirect_uri(&format!("https://a.app/{}", "x".repeat(500))).is_err());
    }

    #[test]
    fn callback_with_matching_state_gives_the_code() {
        let cb = parse_callback("?code=C1&scopes=user.info.basic%2Cvideo.upload&state=S1", "S1").unwrap();
        assert_eq!(cb, Callback::Code { code: "C1".into(), scopes: Some("user.info.basic,video.upload".into()) });
    }

    #[test]
    fn callback_state_must_match_even_on_denial() {
        assert_eq!(parse_callback("code=C1&state=S2", "S1"), Err(CallbackError::StateMismatch));
        assert_eq!(parse_callback("code=C1", "S1"), Err(CallbackError::StateMismatch));
        assert_eq!(parse_callback("code=C1&state=", ""), Err(CallbackError::StateMismatch));
        assert_eq!(parse_callback("error=access_denied&state=S2", "S1"), Err(CallbackError::StateMismatch));
        let denied = parse_callback("error=access_denied&error_description=User+denied&state=S1", "S1").unwrap();
        assert_eq!(denied, Callback::Denied { error: "access_denied".into(), description: "User denied".into() });
        assert_eq!(parse_callback("state=S1", "S1"), Err(CallbackError::Malformed));
    }

    fn answer(access: &str, refresh: &str, expires_in: u64, refresh_expires_in: u64) -> TokenResponse {
        TokenResponse {
            open_id: "o".into(),
            scope: scope_param(),
            access_token: access.into(),
            expires_in,
            refresh_token: refresh.into(),
            refresh_expires_in,
            token_type: "Bearer".into(),
        }
    }

    #[test]
    fn lifetimes_come_from_the_answer() {
        let t = Tokens::from_response(answer("a", "r", 7_200, 15_552_000), 1_000);
        assert_eq!(t.access_expires_at_ms, 1_000 + 7_200_000);
        assert_eq!(t.refresh_expires_at_ms, 1_000 + 15_552_000_000);
        assert!(!t.needs_refresh(1_000));
        assert!(t.needs_refresh(1_000 + 7_200_000 - REFRESH_MARGIN_MS));
        assert!(!t.must_reconnect(1_000 + 15_552_000_000 - 1));
        assert!(t.must_reconnect(1_000 + 15_552_000_000));
    }

    #[test]
    fn refresh_keeps_the_newest_refresh_token() {
        let t = Tokens::from_response(answer("a1", "r1", 86_400, 31_536_000), 0);
        let t2 = t.refreshed(answer("a2", "r2", 86_400, 31_536_000), 10_000);
        assert_eq!((t2.access_token.as_str(), t2.refresh_token.as_str()), ("a2", "r2"));
        assert_eq!(t2.access_expires_at_ms, 10_000 + 86_400_000);
    }
}
