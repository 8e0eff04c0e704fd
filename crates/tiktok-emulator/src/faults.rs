//! Injected faults, per endpoint: 5xx, 429, a dropped connection (before or after the request
//! is handled), or a slow answer, by probability or for the next N calls.
//!
//! A fault may name an account (`open_id`): it then fires only on calls about that account, so
//! tests sharing one emulator can't meet each other's faults. A call's account is the one
//! behind its Bearer token (user_info, creator_info, init, inbox_init, status, video_query,
//! video_list), its `upload_id` (upload), or its form (token: the code's or the refresh
//! token's; revoke: the token's), dead or expired grants included. The consent page
//! (`authorize`) has no account: only faults naming none reach it.

use crate::reply::err;
use crate::state::Emulator;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State as S};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
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
    /// token, revoke, authorize, user_info, creator_info, init, inbox_init, upload, status,
    /// video_query, video_list, webhook (drop, duplicate, slow), or `*` (every HTTP endpoint).
    pub endpoint: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Chance per call (default 1.0).
    #[serde(default)]
    pub probability: Option<f64>,
    /// Applies to the next N calls only (default: until cleared).
    #[serde(default)]
    pub count: Option<u32>,
    /// Only calls (or webhook events) about this account (tests share one emulator); none:
    /// every call to the endpoint.
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
        paths::VIDEO_QUERY => "video_query",
        paths::VIDEO_LIST => "video_list",
        crate::upload::PATH => "upload",
        _ => return None,
    })
}

/// Fault endpoint names, for validating what the hook is given.
pub fn endpoint_of_name(name: &str) -> Option<&str> {
    ["token", "revoke", "authorize", "user_info", "creator_info", "init", "inbox_init", "upload", "status", "video_query", "video_list", "webhook", "*"]
        .into_iter()
        .find(|n| *n == name)
}

fn chance() -> f64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("OS randomness");
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// `f` is for this endpoint (whatever its account).
fn aims_at(f: &Fault, endpoint: &str) -> bool {
    // `*` means TikTok's HTTP endpoints; webhooks are faulted by name only.
    f.endpoint == endpoint || (f.endpoint == "*" && endpoint != "webhook")
}

/// The fault to apply to a call or event about `open_id` (`None`: unknown, or no account),
/// if any; spends one of a counted fault. A fault naming another account passes it by.
pub fn pick_for(emu: &Emulator, endpoint: &str, open_id: Option<&str>) -> Option<FaultKind> {
    emu.with(|s| {
        let i = s.faults.iter().position(|f| {
            aims_at(f, endpoint) && f.open_id.as_deref().is_none_or(|o| Some(o) == open_id) && f.count != Some(0) && f.probability.is_none_or(|p| chance() < p)
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

/// The most of a token or revoke body read to find its account (the forms are a few hundred
/// bytes); a longer one is handed on untouched, its account unknown.
const FORM_PEEK_LIMIT: usize = 16 * 1024;

/// The account this call is about, if the emulator knows it; and the request to hand on
/// (a form body read here is passed on byte for byte).
async fn account_of(emu: &Emulator, endpoint: &str, req: Request) -> (Option<String>, Request) {
    match endpoint {
        "user_info" | "creator_info" | "init" | "inbox_init" | "status" | "video_query" | "video_list" => {
            let token = crate::oauth::bearer_token(req.headers());
            (emu.with(|s| s.access.get(token).map(|g| g.open_id.clone())), req)
        }
        "upload" => {
            let upload_id = req.uri().query().and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "upload_id").map(|(_, v)| v.into_owned()));
            let open_id = upload_id.and_then(|u| emu.with(|s| s.uploads.get(&u).and_then(|p| s.publishes.get(p)).map(|p| p.open_id.clone())));
            (open_id, req)
        }
        "token" | "revoke" => {
            let (parts, body) = req.into_parts();
            let (bytes, body) = peek(body, FORM_PEEK_LIMIT).await;
            let open_id = bytes.and_then(|b| {
                let form: std::collections::HashMap<String, String> = form_urlencoded::parse(&b).into_owned().collect();
                let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
                emu.with(|s| {
                    let grant = |t: &str| s.access.get(t).or_else(|| s.refresh.get(t)).map(|g| g.open_id.clone());
                    match (endpoint, field("grant_type")) {
                        ("token", "authorization_code") => s.codes.get(field("code")).map(|c| c.open_id.clone()),
                        ("token", "refresh_token") => s.refresh.get(field("refresh_token")).map(|g| g.open_id.clone()),
                        ("revoke", _) => grant(field("token")),
                        _ => None,
                    }
                })
            });
            (open_id, Request::from_parts(parts, body))
        }
        // The consent page: no account yet.
        _ => (None, req),
    }
}

/// The whole body if it ends within `limit` bytes, and a body carrying the same bytes (and
/// the same failure, if reading it failed) for the handler.
async fn peek(body: Body, limit: usize) -> (Option<Bytes>, Body) {
    let mut stream = body.into_data_stream();
    let mut seen = Vec::new();
    while let Some(piece) = stream.next().await {
        match piece {
            Ok(piece) => {
                seen.extend_from_slice(&piece);
                if seen.len() > limit {
                    let head = futures_util::stream::once(async move { Ok::<_, axum::Error>(Bytes::from(seen)) });
                    return (None, Body::from_stream(head.chain(stream)));
                }
            }
            Err(e) => {
                let head = futures_util::stream::iter([Ok(Bytes::from(seen)), Err(e)]);
                return (None, Body::from_stream(head));
            }
        }
    }
    let all = Bytes::from(seen);
    (Some(all.clone()), Body::from(all))
}

pub async fn inject(S(emu): S<Arc<Emulator>>, req: Request, next: Next) -> Response {
    let Some(endpoint) = endpoint_of(req.uri().path()) else { return next.run(req).await };
    emu.with(|s| *s.calls.entry(endpoint).or_default() += 1);
    // Per account too, by the Bearer token (whatever its scopes or life): a test counts the
    // calls made for its own account, refused ones included.
    let token = crate::oauth::bearer_token(req.headers()).to_string();
    if !token.is_empty() {
        emu.with(|s| {
            if let Some(open_id) = s.access.get(&token).map(|g| g.open_id.clone()) {
                *s.account_calls.entry(open_id).or_default().entry(endpoint).or_default() += 1;
            }
        });
    }
    // Work out the account only when a fault for this endpoint names one: otherwise the
    // request passes as it came.
    let scoped = emu.with(|s| s.faults.iter().any(|f| f.open_id.is_some() && aims_at(f, endpoint)));
    let (open_id, req) = if scoped { account_of(&emu, endpoint, req).await } else { (None, req) };
    match pick_for(&emu, endpoint, open_id.as_deref()) {
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
