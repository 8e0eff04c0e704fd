//! The LetsPost HTTP API's shapes (pinned in the README: other clients rely on these names),
//! shared by the Worker that answers and the browser that asks.

use serde::{Deserialize, Serialize};

/// Paths under the Worker's origin.
pub mod paths {
    pub const OAUTH_CONFIG: &str = "/api/oauth/config";
    pub const OAUTH_TOKEN: &str = "/api/oauth/token";
    /// `POST` before going to TikTok: binds the sign-in to this browser (`oauth_start`).
    pub const OAUTH_START: &str = "/api/oauth/start";
    pub const ACCOUNTS: &str = "/api/accounts";
    pub const SETTINGS: &str = "/api/settings";
    pub const POSTS: &str = "/api/posts";
    /// `POST`: end this browser's session (204, the cookie cleared).
    pub const LOGOUT: &str = "/api/session/logout";
    /// Where TikTok delivers webhooks (registered in the developer portal).
    pub const TIKTOK_WEBHOOK: &str = "/api/webhooks/tiktok";
    /// The browser route TikTok redirects back to.
    pub const CALLBACK: &str = "/oauth/callback";
}

/// LetsPost's own error codes (TikTok's pass through as they are, e.g. `invalid_grant`).
pub mod codes {
    pub const BAD_REQUEST: &str = "bad_request";
    pub const NOT_FOUND: &str = "not_found";
    pub const FORBIDDEN_ORIGIN: &str = "forbidden_origin";
    pub const RECONNECT_NEEDED: &str = "reconnect_needed";
    pub const RATE_LIMITED: &str = "rate_limited";
    pub const TIKTOK_UNAVAILABLE: &str = "tiktok_unavailable";
    pub const MISSING_SCOPES: &str = "missing_scopes";
    pub const NOT_CONFIGURED: &str = "not_configured";
    pub const INTERNAL: &str = "internal";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const IDEMPOTENCY_KEY_INVALID: &str = "idempotency_key_invalid";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "idempotency_key_reused";
    /// A write that needs a session came without one the server knows.
    pub const NO_SESSION: &str = "no_session";
    /// The account's sealed tokens did not open with the configured keys (503; kept as they are).
    pub const TOKENS_UNREADABLE: &str = "tokens_unreadable";
    /// A token exchange that no start of this browser's explains (400; nothing reached TikTok).
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// A media part whose bytes stopped arriving (408; resume from `received_bytes`).
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    /// A CSP report sent as something other than a report (415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
}

/// `{"error": {"code", "message", "field"?}}`: every 4xx/5xx under `/api/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: String,
    /// A sentence for people.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError { code: code.into(), message: message.into(), field: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

/// `GET /api/oauth/config`: what the browser needs to build TikTok's authorize URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthConfig {
    pub client_key: String,
    /// `https://www.tiktok.com` for real TikTok.
    pub auth_base: String,
    pub pkce: tiktok_rules::pkce::ChallengeEncoding,
}

/// `GET /api/health`'s `sweep`: the last cron run (pinned names), for operators.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SweepReport {
    /// When it started (RFC 3339 UTC); null before the first run.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: Option<String>,
    /// Index entries overdue by more than the margin when it looked (across every shard).
    pub overdue: u64,
    /// Posts whose lost alarm it set again.
    pub rearmed: u64,
    /// Durable Object calls it made (its own subrequests).
    pub subrequests: u64,
    pub duration_ms: u64,
    /// Posts and accounts this run moved from the old single Registry into the index and the
    /// accounts' own alarms (only after an upgrade); `registry_drained` once it is empty.
    #[serde(default)]
    pub registry_moved: u64,
    #[serde(default)]
    pub registry_drained: bool,
}

/// `GET /api/settings`: the deployment's choices the front end follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppSettings {
    /// Preselect "Public" in the composer where the creator allows it (LetsPost's product
    /// default); `PRESELECT_PUBLIC = "false"` turns it off, as TikTok's audit asks.
    pub preselect_public: bool,
    /// The deployment reads creators' numbers (`ANALYTICS = "on"`): connecting asks for
    /// `video.list` and `user.info.stats` too (`tiktok_rules::oauth::scopes(true)`).
    #[serde(default)]
    pub analytics: bool,
}

/// `POST /api/oauth/start` body: what the authorize URL carries, kept server-side for the
/// exchange (`crate::oauth_start`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthStart {
    pub state: String,
    pub code_challenge: String,
}

/// `POST /api/oauth/token` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenExchange {
    pub code: String,
    pub code_verifier: String,
    pub redirect_uri: String,
    /// The `state` this browser started with (`POST /api/oauth/start`).
    #[serde(default)]
    pub state: String,
    /// The browser's IANA time zone: a new account's posting schedule starts in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Connected,
    ReconnectNeeded,
}

/// A connected TikTok account as the API shows it. Never carries a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub open_id: String,
    pub display_name: String,
    pub username: String,
    pub avatar_url: String,
    pub status: AccountStatus,
    /// RFC 3339 UTC: after this the creator must connect again.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub refresh_expires_at: String,
    /// TikTok said this account can't use the posting API (a business account): LetsPost
    /// warns before the creator composes for it.
    #[serde(default)]
    pub business_account: bool,
    /// With `reconnect_needed` after TikTok removed the access: why, as a sentence; else null.
    #[serde(default)]
    pub reconnect_reason: Option<String>,
    /// Its numbers (issue 33): `on` (the creator allowed `video.list` and `user.info.stats`
    /// and the deployment has analytics), `not_allowed` (the creator refused them: connecting
    /// again and allowing them turns it on; posting works either way), `off` (the deployment
    /// has `ANALYTICS = "off"`).
    #[serde(default)]
    pub analytics: Analytics,
}

/// Whether LetsPost reads an account's numbers (`Account.analytics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Analytics {
    On,
    NotAllowed,
    #[default]
    Off,
}

impl Analytics {
    /// From the deployment's switch and whether the connection granted every analytics scope.
    pub fn of(deployment_on: bool, scopes_granted: bool) -> Analytics {
        match (deployment_on, scopes_granted) {
            (false, _) => Analytics::Off,
            (true, true) => Analytics::On,
            (true, false) => Analytics::NotAllowed,
        }
    }
}

/// `POST /api/oauth/token` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountBody {
    pub account: Account,
}

/// `GET /api/accounts` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountsBody {
    pub accounts: Vec<Account>,
}

/// One browser session holding an account (`GET /api/accounts/{open_id}/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSession {
    /// The session's public id (a hash of its cookie; it can't be used as one).
    pub id: String,
    /// The session this request came with.
    pub current: bool,
    /// RFC 3339 UTC.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// RFC 3339 UTC, to the hour.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub last_seen_at: String,
    /// The browser's `User-Agent` when it connected (`device::summary` puts it in words).
    pub user_agent: String,
}

/// `GET /api/accounts/{open_id}/sessions` answer: most recently seen first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsBody {
    pub sessions: Vec<DeviceSession>,
}

/// `GET /api/accounts/{open_id}/creator-info` answer: TikTok's fields as TikTok sent them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatorInfoBody {
    pub creator_info: tiktok_rules::api::CreatorInfo,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_uses_the_pinned_field_names() {
        let a = Account {
            open_id: "o".into(),
            display_name: "Ana".into(),
            username: "ana".into(),
            avatar_url: "https://x/a.jpg".into(),
            status: AccountStatus::ReconnectNeeded,
            refresh_expires_at: "2027-11-25T10:00:00Z".into(),
            business_account: false,
            reconnect_reason: None,
            analytics: Analytics::NotAllowed,
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["analytics"], "not_allowed");
        assert_eq!([Analytics::of(true, true), Analytics::of(true, false), Analytics::of(false, true)], [Analytics::On, Analytics::NotAllowed, Analytics::Off]);
        for k in ["open_id", "display_name", "username", "avatar_url", "status", "refresh_expires_at", "analytics"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["status"], "reconnect_needed");
        assert_eq!(serde_json::to_value(AccountStatus::Connected).unwrap(), "connected");
    }

    #[test]
    fn error_body_has_code_and_message_and_field_only_when_set() {
        let v = serde_json::to_value(ErrorBody { error: ApiError::new("not_found", "No such account.") }).unwrap();
        assert_eq!(v, serde_json::json!({"error": {"code": "not_found", "message": "No such account."}}));
        let with = ApiError { field: Some("caption".into()), ..ApiError::new("bad_request", "x") };
        assert_eq!(serde_json::to_value(with).unwrap()["field"], "caption");
    }
}
