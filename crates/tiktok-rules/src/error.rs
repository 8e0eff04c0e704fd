//! TikTok's two error shapes, parsed into one error that says what to do next.
//!
//! OAuth endpoints answer `{"error", "error_description", "log_id"}` (flat, no envelope);
//! every other endpoint answers `{"data": {...}, "error": {"code", "message", "log_id"}}` and
//! success is `error.code == "ok"`, sometimes with HTTP 200 on failure.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Every error code LetsPost knows, as TikTok spells it. The emulator answers with these,
/// the Worker branches on them.
pub mod codes {
    pub const OK: &str = "ok";
    // OAuth
    pub const ACCESS_DENIED: &str = "access_denied";
    pub const INVALID_CLIENT: &str = "invalid_client";
    pub const INVALID_GRANT: &str = "invalid_grant";
    pub const INVALID_REQUEST: &str = "invalid_request";
    pub const INVALID_SCOPE: &str = "invalid_scope";
    pub const UNAUTHORIZED_CLIENT: &str = "unauthorized_client";
    pub const UNSUPPORTED_GRANT_TYPE: &str = "unsupported_grant_type";
    pub const UNSUPPORTED_RESPONSE_TYPE: &str = "unsupported_response_type";
    // v2 generic
    pub const ACCESS_TOKEN_INVALID: &str = "access_token_invalid";
    pub const SCOPE_NOT_AUTHORIZED: &str = "scope_not_authorized";
    pub const INVALID_PARAMS: &str = "invalid_params";
    pub const INVALID_PARAM: &str = "invalid_param";
    pub const SCOPE_PERMISSION_MISSED: &str = "scope_permission_missed";
    pub const RATE_LIMIT_EXCEEDED: &str = "rate_limit_exceeded";
    pub const INTERNAL_ERROR: &str = "internal_error";
    // posting
    pub const SPAM_RISK_TOO_MANY_POSTS: &str = "spam_risk_too_many_posts";
    /// The inbox init: 5 drafts from apps already wait for the creator (`api::inbox`).
    pub const SPAM_RISK_TOO_MANY_PENDING_SHARE: &str = "spam_risk_too_many_pending_share";
    pub const SPAM_RISK_USER_BANNED: &str = "spam_risk_user_banned_from_posting";
    pub const REACHED_ACTIVE_USER_CAP: &str = "reached_active_user_cap";
    pub const UNAUDITED_CLIENT_PRIVATE_ONLY: &str = "unaudited_client_can_only_post_to_private_accounts";
    pub const URL_OWNERSHIP_UNVERIFIED: &str = "url_ownership_unverified";
    pub const PRIVACY_LEVEL_OPTION_MISMATCH: &str = "privacy_level_option_mismatch";
    pub const INVALID_PUBLISH_ID: &str = "invalid_publish_id";
    pub const TOKEN_NOT_AUTHORIZED_FOR_PUBLISH_ID: &str = "token_not_authorized_for_specified_publish_id";
    /// TikTok documents no code for a business account refused by the personal/creator-only
    /// posting API; the emulator answers this one and LetsPost treats any such refusal alike.
    pub const UNSUPPORTED_ACCOUNT_TYPE: &str = "unsupported_account_type";
    // fail_reason values of status/fetch
    pub const FILE_FORMAT_CHECK_FAILED: &str = "file_format_check_failed";
    pub const DURATION_CHECK_FAILED: &str = "duration_check_failed";
    pub const FRAME_RATE_CHECK_FAILED: &str = "frame_rate_check_failed";
    pub const PICTURE_SIZE_CHECK_FAILED: &str = "picture_size_check_failed";
    pub const INTERNAL: &str = "internal";
    pub const PUBLISH_CANCELLED: &str = "publish_cancelled";
    pub const AUTH_REMOVED: &str = "auth_removed";
    pub const SPAM_RISK_TEXT: &str = "spam_risk_text";
    pub const SPAM_RISK: &str = "spam_risk";
    // Not TikTok's: the transport failed before TikTok answered.
    pub const NETWORK: &str = "network";
}

/// What the caller should do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Transient: try the same request again later (with back-off).
    Retryable,
    /// The TikTok connection is gone or lacks a scope: the creator must connect again.
    Reconnect,
    /// The creator must change something (caption, privacy, video, wait for tomorrow).
    UserAction,
    /// Nothing the creator can do; retrying will not help (a LetsPost bug or config fault).
    Permanent,
}

/// A failure from TikTok (or from reaching it), whichever shape it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TikTokError {
    /// HTTP status, 0 when no response arrived.
    pub status: u16,
    pub code: String,
    pub message: String,
    pub log_id: Option<String>,
}

impl std::fmt::Display for TikTokError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TikTok error {} (HTTP {}): {}", self.code, self.status, self.message)?;
        if let Some(id) = &self.log_id {
            write!(f, " [log_id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for TikTokError {}

/// Classify a code from either shape, or a status/fetch `fail_reason`.
pub fn classify(code: &str, status: u16) -> ErrorClass {
    use codes::*;
    match code {
        RATE_LIMIT_EXCEEDED | INTERNAL_ERROR | INTERNAL | NETWORK => ErrorClass::Retryable,
        ACCESS_TOKEN_INVALID | SCOPE_NOT_AUTHORIZED | SCOPE_PERMISSION_MISSED | INVALID_GRANT | AUTH_REMOVED | ACCESS_DENIED | INVALID_SCOPE => {
            ErrorClass::Reconnect
        }
        INVALID_PARAM
        | INVALID_PARAMS
        | SPAM_RISK_TOO_MANY_POSTS
        | SPAM_RISK_TOO_MANY_PENDING_SHARE
        | SPAM_RISK_USER_BANNED
        | REACHED_ACTIVE_USER_CAP
        | UNAUDITED_CLIENT_PRIVATE_ONLY
        | PRIVACY_LEVEL_OPTION_MISMATCH
        | FILE_FORMAT_CHECK_FAILED
        | DURATION_CHECK_FAILED
        | FRAME_RATE_CHECK_FAILED
        | PICTURE_SIZE_CHECK_FAILED
        | SPAM_RISK_TEXT
        | SPAM_RISK
        | PUBLISH_CANCELLED
        | UNSUPPORTED_ACCOUNT_TYPE => ErrorClass::UserAction,
        INVALID_CLIENT | UNAUTHORIZED_CLIENT | UNSUPPORTED_GRANT_TYPE | UNSUPPORTED_RESPONSE_TYPE | INVALID_REQUEST => ErrorClass::Permanent,
        _ if status == 429 || status >= 500 => ErrorClass::Retryable,
        _ if status == 401 => ErrorClass::Reconnect,
        _ => ErrorClass::Permanent,
    }
}

/// A sentence a creator understands, for a code from either shape or a `fail_reason`.
pub fn user_message(code: &str) -> &'static str {
    use codes::*;
    match code {
        RATE_LIMIT_EXCEEDED => "TikTok is asking us to slow down. LetsPost will try again in a minute.",
        INTERNAL_ERROR | INTERNAL => "TikTok had a problem on its side. LetsPost will try again shortly.",
        NETWORK => "TikTok could not be reached. LetsPost will try again shortly.",
        ACCESS_TOKEN_INVALID | INVALID_GRANT | AUTH_REMOVED => "Your TikTok connection has expired or was removed. Connect your TikTok account again.",
        SCOPE_NOT_AUTHORIZED | SCOPE_PERMISSION_MISSED | INVALID_SCOPE => {
            "LetsPost is missing a TikTok permission. Connect again and allow uploading and publishing."
        }
        ACCESS_DENIED => "You declined the TikTok connection. Connect again when you are ready.",
        INVALID_PARAM | INVALID_PARAMS => "TikTok refused the post's settings. Check the caption, privacy and video.",
        SPAM_RISK_TOO_MANY_POSTS => "You have reached TikTok's daily posting limit. Try again tomorrow.",
        SPAM_RISK_TOO_MANY_PENDING_SHARE => {
            "Your TikTok inbox already has 5 drafts from apps waiting for you. Post or delete one in the \
             TikTok app, then send this draft again."
        }
        SPAM_RISK_USER_BANNED => "TikTok has blocked this account from posting for now.",
        REACHED_ACTIVE_USER_CAP => "TikTok does not let this app post for more creators today. Try again tomorrow.",
        UNAUDITED_CLIENT_PRIVATE_ONLY => {
            "Until TikTok approves LetsPost (its app audit), LetsPost can post only to private accounts, as \
             'Only me'. Make your TikTok account private and post as Only me, or wait for the approval."
        }
        PRIVACY_LEVEL_OPTION_MISMATCH => "That privacy setting is not available for this account. Pick another one.",
        UNSUPPORTED_ACCOUNT_TYPE => {
            "TikTok lets apps post only to personal and creator accounts. Switch this account to a \
             personal or creator account in TikTok, or connect another one."
        }
        URL_OWNERSHIP_UNVERIFIED => "TikTok could not verify where the video is hosted.",
        FILE_FORMAT_CHECK_FAILED => "TikTok could not read the video. Export it as MP4 (H.264) and try again.",
        DURATION_CHECK_FAILED => "TikTok refused the video's length: it is longer than this account may post.",
        FRAME_RATE_CHECK_FAILED => "TikTok refused the video's frame rate. Use 23 to 60 frames per second.",
        PICTURE_SIZE_CHECK_FAILED => "TikTok refused the picture size. Each side must be 360 to 4096 pixels.",
        PUBLISH_CANCELLED => "The post was cancelled.",
        SPAM_RISK_TEXT => "TikTok flagged the caption. Change the caption and try again.",
        SPAM_RISK => "TikTok flagged this post as possible spam.",
        INVALID_PUBLISH_ID | TOKEN_NOT_AUTHORIZED_FOR_PUBLISH_ID => "TikTok no longer knows this post.",
        INVALID_CLIENT | UNAUTHORIZED_CLIENT => "LetsPost's TikTok app settings are wrong. Tell the LetsPost team.",
        _ => "TikTok refused the request. Try again, and tell the LetsPost team if it keeps happening.",
    }
}

impl TikTokError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> TikTokError {
        TikTokError { status, code: code.into(), message: message.into(), log_id: None }
    }

    /// No response arrived (connection refused or dropped, timeout).
    pub fn network(detail: impl Into<String>) -> TikTokError {
        TikTokError::new(0, codes::NETWORK, detail)
    }

    /// A `FAILED` status with its `fail_reason`.
    pub fn from_fail_reason(reason: &str) -> TikTokError {
        TikTokError::new(200, reason, user_message(reason))
    }

    pub fn class(&self) -> ErrorClass {
        classify(&self.code, self.status)
    }

    pub fn user_message(&self) -> &'static str {
        user_message(&self.code)
    }
}

#[derive(Deserialize)]
struct V2Error {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    log_id: Option<String>,
}

#[derive(Deserialize)]
struct V2Envelope<T> {
    data: Option<T>,
    error: V2Error,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    log_id: Option<String>,
}

fn unreadable(status: u16, body: &[u8]) -> TikTokError {
    let snippet: String = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    let code = if status == 429 {
        codes::RATE_LIMIT_EXCEEDED
    } else if status >= 500 {
        codes::INTERNAL_ERROR
    } else {
        "unreadable_response"
    };
    TikTokError::new(status, code, format!("unexpected response: {snippet}"))
}

/// Parse a v2-envelope answer: `data` on `"ok"`, the error otherwise.
pub fn parse_v2<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, TikTokError> {
    let env: V2Envelope<serde_json::Value> = serde_json::from_slice(body).map_err(|_| unreadable(status, body))?;
    if env.error.code != codes::OK {
        return Err(TikTokError { status, code: env.error.code, message: env.error.message, log_id: env.error.log_id });
    }
    let data = env.data.unwrap_or(serde_json::Value::Object(Default::default()));
    serde_json::from_value(data).map_err(|e| TikTokError::new(status, "unreadable_response", format!("unexpected data: {e}")))
}

/// Parse an OAuth answer (flat JSON): the value on success, the OAuth error otherwise.
pub fn parse_oauth<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, TikTokError> {
    if let Ok(e) = serde_json::from_slice::<OAuthError>(body) {
        return Err(TikTokError { status, code: e.error, message: e.error_description, log_id: e.log_id });
    }
    if !(200..300).contains(&status) {
        return Err(unreadable(status, body));
    }
    serde_json::from_slice(body).map_err(|e| TikTokError::new(status, "unreadable_response", format!("unexpected answer: {e}")))
}

/// The v2 envelope, for servers (the emulator) that answer in TikTok's shape.
pub fn v2_body(data: serde_json::Value, code: &str, message: &str, log_id: &str) -> serde_json::Value {
    serde_json::json!({ "data": data, "error": { "code": code, "message": message, "log_id": log_id } })
}

/// The OAuth error body.
pub fn oauth_error_body(error: &str, description: &str, log_id: &str) -> serde_json::Value {
    serde_json::json!({ "error": error, "error_description": description, "log_id": log_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Init {
        publish_id: String,
    }

    #[test]
    fn v2_ok_gives_data() {
        let body = br#"{"data":{"publish_id":"p1"},"error":{"code":"ok","message":"","log_id":"L"}}"#;
        assert_eq!(parse_v2::<Init>(200, body).unwrap(), Init { publish_id: "p1".into() });
    }

    #[test]
    fn v2_failure_with_http_200_is_still_a_failure() {
        let body = br#"{"data":{},"error":{"code":"spam_risk_too_many_posts","message":"m","log_id":"L1"}}"#;
        let e = parse_v2::<Init>(200, body).unwrap_err();
        assert_eq!(e.code, "spam_risk_too_many_posts");
        assert_eq!(e.log_id.as_deref(), Some("L1"));
        assert_eq!(e.class(), ErrorClass::UserAction);
        assert!(e.user_message().contains("daily"));
    }

    #[test]
    fn oauth_shape_parses_into_the_same_error() {
        let body = br#"{"error":"invalid_grant","error_description":"refresh token expired","log_id":"X"}"#;
        let e = parse_oauth::<serde_json::Value>(400, body).unwrap_err();
        assert_eq!((e.code.as_str(), e.class()), ("invalid_grant", ErrorClass::Reconnect));
        assert_eq!(e.message, "refresh token expired");
    }

    #[test]
    fn oauth_success_is_flat() {
        let body = br#"{"access_token":"a","expires_in":86400}"#;
        let v: serde_json::Value = parse_oauth(200, body).unwrap();
        assert_eq!(v["expires_in"], 86400);
    }

    #[test]
    fn non_json_answers_are_classified_by_status() {
        assert_eq!(parse_v2::<Init>(502, b"<html>bad gateway").unwrap_err().class(), ErrorClass::Retryable);
        assert_eq!(parse_v2::<Init>(429, b"").unwrap_err().class(), ErrorClass::Retryable);
        assert_eq!(parse_oauth::<serde_json::Value>(503, b"down").unwrap_err().class(), ErrorClass::Retryable);
        assert_eq!(parse_v2::<Init>(400, b"?").unwrap_err().class(), ErrorClass::Permanent);
    }

    #[test]
    fn classes_of_the_codes_that_matter() {
        assert_eq!(classify("rate_limit_exceeded", 429), ErrorClass::Retryable);
        assert_eq!(classify("internal", 200), ErrorClass::Retryable);
        assert_eq!(classify("access_token_invalid", 401), ErrorClass::Reconnect);
        assert_eq!(classify("scope_not_authorized", 401), ErrorClass::Reconnect);
        assert_eq!(classify("auth_removed", 200), ErrorClass::Reconnect);
        assert_eq!(classify("invalid_param", 400), ErrorClass::UserAction);
        assert_eq!(classify("duration_check_failed", 200), ErrorClass::UserAction);
        assert_eq!(classify("invalid_client", 401), ErrorClass::Permanent);
        assert_eq!(classify("something_new", 503), ErrorClass::Retryable);
        assert_eq!(classify("something_new", 401), ErrorClass::Reconnect);
        assert_eq!(classify("something_new", 400), ErrorClass::Permanent);
        assert_eq!(TikTokError::network("refused").class(), ErrorClass::Retryable);
    }

    #[test]
    fn every_fail_reason_has_a_specific_message() {
        let generic = user_message("never_heard_of_it");
        for r in [
            "file_format_check_failed",
            "duration_check_failed",
            "frame_rate_check_failed",
            "picture_size_check_failed",
            "internal",
            "publish_cancelled",
            "auth_removed",
            "spam_risk_too_many_posts",
            "spam_risk_user_banned_from_posting",
            "spam_risk_text",
            "spam_risk",
        ] {
            assert_ne!(user_message(r), generic, "{r}");
            assert_eq!(TikTokError::from_fail_reason(r).code, r);
        }
    }

    #[test]
    fn server_bodies_round_trip_through_the_parsers() {
        let ok = v2_body(serde_json::json!({"publish_id": "x"}), codes::OK, "", "L");
        assert_eq!(parse_v2::<Init>(200, ok.to_string().as_bytes()).unwrap().publish_id, "x");
        let err = oauth_error_body(codes::INVALID_GRANT, "used", "L");
        assert_eq!(parse_oauth::<serde_json::Value>(400, err.to_string().as_bytes()).unwrap_err().code, "invalid_grant");
    }
}
