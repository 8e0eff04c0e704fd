//! TikTok's two answer shapes, with a log_id on each.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tiktok_rules::error::{codes, oauth_error_body, v2_body};

pub fn log_id() -> String {
    crate::state::random_token("2026")
}

/// v2 success: `{"data": …, "error": {"code": "ok", …}}`.
pub fn ok<T: Serialize>(data: T) -> Response {
    let data = serde_json::to_value(data).unwrap_or_default();
    (StatusCode::OK, Json(v2_body(data, codes::OK, "", &log_id()))).into_response()
}

/// v2 failure with TikTok's HTTP status for the code.
pub fn err(code: &str, message: impl AsRef<str>) -> Response {
    (status_of(code), Json(v2_body(serde_json::json!({}), code, message.as_ref(), &log_id()))).into_response()
}

/// OAuth failure (flat shape).
pub fn oauth_err(status: StatusCode, error: &str, description: impl AsRef<str>) -> Response {
    (status, Json(oauth_error_body(error, description.as_ref(), &log_id()))).into_response()
}

fn status_of(code: &str) -> StatusCode {
    match code {
        codes::ACCESS_TOKEN_INVALID | codes::SCOPE_NOT_AUTHORIZED => StatusCode::UNAUTHORIZED,
        codes::RATE_LIMIT_EXCEEDED => StatusCode::TOO_MANY_REQUESTS,
        codes::INTERNAL_ERROR => StatusCode::INTERNAL_SERVER_ERROR,
        codes::SPAM_RISK_TOO_MANY_POSTS
        | codes::SPAM_RISK_TOO_MANY_PENDING_SHARE
        | codes::SPAM_RISK_USER_BANNED
        | codes::REACHED_ACTIVE_USER_CAP
        | codes::UNAUDITED_CLIENT_PRIVATE_ONLY
        | codes::URL_OWNERSHIP_UNVERIFIED
        | codes::PRIVACY_LEVEL_OPTION_MISMATCH
        | codes::UNSUPPORTED_ACCOUNT_TYPE => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}
