//! Answers in the pinned API shape: JSON, and `{"error": {"code", "message"}}` on failure.

use letspost_core::api::{ApiError, ErrorBody, codes};
use serde::Serialize;
use tiktok_rules::error::{ErrorClass, TikTokError};
use worker::{Response, Result};

pub fn json<T: Serialize>(status: u16, body: &T) -> Result<Response> {
    Ok(Response::from_json(body)?.with_status(status))
}

pub fn error(status: u16, code: &str, message: &str) -> Result<Response> {
    json(status, &ErrorBody { error: ApiError::new(code, message) })
}

pub fn not_found(what: &str) -> Result<Response> {
    error(404, codes::NOT_FOUND, &format!("No {what} here. It may have been removed, or it belongs to another login."))
}

pub fn bad_request(message: &str) -> Result<Response> {
    error(400, codes::BAD_REQUEST, message)
}

/// A request `letspost_core::request` refused (its body or a header), with its status.
pub fn refused(r: letspost_core::request::Refused) -> Result<Response> {
    json(r.status, &ErrorBody { error: r.error })
}

/// A TikTok failure, for people: what happened and what to do next. TikTok's own code is kept
/// where it says something the creator can act on.
pub fn tiktok_failure(e: &TikTokError) -> Result<Response> {
    if e.code == tiktok_rules::error::codes::RATE_LIMIT_EXCEEDED || e.status == 429 {
        let r = error(429, codes::RATE_LIMITED, "TikTok limits how often LetsPost may ask. Try again in a minute.")?;
        return with_retry_after(r, 60);
    }
    match e.class() {
        ErrorClass::Retryable => with_retry_after(error(503, codes::TIKTOK_UNAVAILABLE, e.user_message())?, 5),
        ErrorClass::Reconnect => error(401, codes::RECONNECT_NEEDED, e.user_message()),
        ErrorClass::UserAction => error(403, &e.code, e.user_message()),
        ErrorClass::Permanent => error(502, &e.code, e.user_message()),
    }
}

pub fn with_retry_after(mut resp: Response, secs: u32) -> Result<Response> {
    resp.headers_mut().set("Retry-After", &secs.to_string())?;
    Ok(resp)
}

/// An unexpected failure inside LetsPost: a generic sentence (the details could name a
/// storage key or a TikTok answer, so they are not sent to the browser).
pub fn internal() -> Result<Response> {
    error(500, codes::INTERNAL, "LetsPost had a problem on its side. Try again in a moment.")
}

/// Every `/api` answer gets `letspost_core::headers::API_HEADERS`. The answer may come from a
/// Durable Object, whose headers can't be changed: they are copied into new ones.
pub fn with_api_headers(resp: Response) -> Result<Response> {
    let headers = worker::Headers::new();
    for (name, value) in resp.headers().entries() {
        headers.append(&name, &value)?;
    }
    for (name, value) in letspost_core::headers::API_HEADERS {
        headers.set(name, value)?;
    }
    Ok(resp.with_headers(headers))
}
