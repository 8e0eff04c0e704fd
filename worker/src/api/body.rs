//! Reading a request's body with a limit: a declared length over it is refused unread, a
//! streamed one is cut off at it; JSON is parsed by `letspost_core::request` (one place for
//! every refusal's sentence); the `Idempotency-Key` header likewise.

use crate::base::reply;
use futures_util::StreamExt;
use letspost_core::request::{self, MAX_JSON_BYTES, Refused, check_declared_length};
use serde::de::DeserializeOwned;
use worker::{Request, Response, Result};

/// The body's bytes, at most `limit` of them.
pub async fn bounded(req: &mut Request, limit: usize) -> Result<std::result::Result<Vec<u8>, Refused>> {
    if let Err(r) = check_declared_length(req.headers().get("Content-Length")?.as_deref(), limit) {
        return Ok(Err(r));
    }
    let mut body = Vec::new();
    // A request without a body (a GET-like POST) has no stream: it is empty.
    let Ok(mut stream) = req.stream() else { return Ok(Ok(body)) };
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk?);
        if body.len() > limit {
            return Ok(Err(request::too_large(limit)));
        }
    }
    Ok(Ok(body))
}

/// The body as `T` (`expects` says what the call takes, for the refusal's sentence), or the
/// answer that refuses it: 413 over 64 KiB, 400 for anything else malformed.
pub async fn json<T: DeserializeOwned>(req: &mut Request, expects: &str) -> Result<std::result::Result<T, Response>> {
    let parsed = match bounded(req, MAX_JSON_BYTES).await? {
        Ok(bytes) => request::parse_json(&bytes, expects),
        Err(r) => Err(r),
    };
    match parsed {
        Ok(t) => Ok(Ok(t)),
        Err(r) => Ok(Err(reply::refused(r)?)),
    }
}

/// The request's `Idempotency-Key`, if any, or the 400 that refuses a malformed one.
pub fn idempotency_key(req: &Request) -> Result<std::result::Result<Option<String>, Response>> {
    match request::idempotency_key(req.headers().get(request::IDEMPOTENCY_KEY)?.as_deref()) {
        Ok(k) => Ok(Ok(k)),
        Err(r) => Ok(Err(reply::refused(r)?)),
    }
}
