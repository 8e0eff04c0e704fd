//! Injected faults, per endpoint: 5xx, 429, a dropped connection (before or after the request
//! is handled), or a slow answer, by probability or for the next N calls.

use crate::reply::err;
use crate::state::Emulator;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State as S};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tiktok_rules::api::paths;
use tiktok_rules::error::codes;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FaultKind {
    /// Answer with this HTTP status (5xx: `internal_error`) without handling the request.
    Status { status: u16 },
    /// 429 `rate_limit_exceeded`.
    RateLimit,
    /// Close the connection without an answer; the request is not handled.
    Drop,
    /// Handle the request, then close the connection without an answer (the nasty one:
    /// the work is done but the caller can't know).
    DropAfter,
    /// Answer normally after a delay (a webhook: delivered late, so later ones overtake it).
    Slow { delay_ms: u64 },
    /// Webhooks only: deliver the event twice.
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// token, revoke, authorize, user_info, creator_info, init, upload, status, webhook
    /// (drop, duplicate, slow), or `*` (every HTTP endpoint).
    pub endpoint: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Chance per call (default 1.0).
    #[serde(default)]
    pub probability: Option<f64>,
    /// Applies to the next N calls only (default: until cleared).
    #[serde(default)]
    pub count: Option<u32>,
    /// Webhooks only: just this account's events (tests share one emulator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<String>,
}

pub fn endpoint_of(path: &str) -> Option<&'static str> {
    Some(match path {
        paths::TOKEN => "token",
        paths::REVOKE => "revoke",
        p if p.starts_with(paths::AUTHORIZE) => "authorize",
        paths::USER_INFO => "user_info",
        paths::CREATOR_INFO => "creator_info",
        paths::VIDEO_INIT => "init",
        paths::INBOX_VIDEO_INIT => "inbox_init",
        paths::STATUS_FETCH => "status",
        crate::upload::PATH => "upload",
        _ => return None,
    })
}

/// Fault endpoint names, for validating what the hook is given.
pub fn endpoint_of_name(name: &str) -> Option<&str> {
    ["token", "revoke", "authorize", "user_info", "creator_info", "init", "inbox_init", "upload", "status", "webhook", "*"].into_iter().find(|n| *n == name)
}

fn chance() -> f64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("OS randomness");
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// The fault to apply to this call, if any (spends one of a counted fault).
pub fn pick(emu: &Emulator, endpoint: &str) -> Option<FaultKind> {
    pick_for(emu, endpoint, None)
}

/// The same, for an event about `open_id` (a fault naming another account passes it by).
pub fn pick_for(emu: &Emulator, endpoint: &str, open_id: Option<&str>) -> Option<FaultKind> {
    emu.with(|s| {
        let i = s.faults.iter().position(|f| {
            // `*` means TikTok's HTTP endpoints; webhooks are faulted by name only.
            (f.endpoint == endpoint || (f.endpoint == "*" && endpoint != "webhook"))
                && f.open_id.as_deref().is_none_or(|o| Some(o) == open_id)
                && f.count != Some(0)
                && f.probability.is_none_or(|p| chance() < p)
        })?;
        let f = &mut s.faults[i];
        let kind = f.kind.clone();
        if let Some(n) = f.count.as_mut() {
            *n -= 1;
            if *n == 0 {
                s.faults.remove(i);
            }
        }
        Some(kind)
    })
}

/// A response whose body fails at once: hyper then closes the connection without sending
/// the status line, so the caller sees a transport error, as with a dropped connection.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async { Err::<Bytes, std::io::Error>(std::io::Error::other("fault: dropped")) });
    Response::new(Body::from_stream(failing))
}

pub async fn inject(S(emu): S<Arc<Emulator>>, req: Request, next: Next) -> Response {
    let Some(endpoint) = endpoint_of(req.uri().path()) else { return next.run(req).await };
    emu.with(|s| *s.calls.entry(endpoint).or_default() += 1);
    match pick(&emu, endpoint) {
        None | Some(FaultKind::Duplicate) => next.run(req).await,
        Some(FaultKind::Slow { delay_ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            next.run(req).await
        }
        Some(FaultKind::RateLimit) => err(codes::RATE_LIMIT_EXCEEDED, "fault: rate limited"),
        Some(FaultKind::Status { status }) => {
            let code = if status >= 500 { codes::INTERNAL_ERROR } else { "fault" };
            let mut r = err(code, format!("fault: HTTP {status}"));
            *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            r
        }
        Some(FaultKind::Drop) => dropped(),
        Some(FaultKind::DropAfter) => {
            let handled = next.run(req).await;
            // Let the work finish (e.g. the chunk is on disk) before the answer is lost.
            let _ = axum::body::to_bytes(handled.into_body(), usize::MAX).await;
            dropped().into_response()
        }
    }
}
