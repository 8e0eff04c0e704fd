//! `PUT upload_url`: chunks in order, streamed to disk and hashed as they arrive, so a
//! 287 MB upload needs a few buffers of memory, not 287 MB.

use crate::reply::log_id;
use crate::state::{Emulator, Outcome, now_ms};
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State as S};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::SeekFrom;
use std::sync::Arc;
use tiktok_rules::chunk::ContentRange;
use tiktok_rules::media::Severity;
use tokio::io::AsyncWriteExt;

pub const PATH: &str = "/upload/";

fn fail(status: StatusCode, code: &str, message: &str, received: Option<(u64, u64)>) -> Response {
    let body = Json(serde_json::json!({ "error": { "code": code, "message": message, "log_id": log_id() } }));
    let mut r = (status, body).into_response();
    if let Some((received, total)) = received {
        r.headers_mut().insert("content-range", range_header(received, total));
    }
    r
}

fn range_header(received: u64, total: u64) -> HeaderValue {
    let v = if received == 0 { format!("bytes */{total}") } else { format!("bytes 0-{}/{total}", received - 1) };
    HeaderValue::from_str(&v).expect("ascii")
}

struct Accepted {
    publish_id: String,
    first: u64,
    len: u64,
    total: u64,
    hasher: Sha256,
}

pub async fn put_chunk(S(emu): S<Arc<Emulator>>, Query(q): Query<HashMap<String, String>>, headers: HeaderMap, body: Body) -> Response {
    let upload_id = q.get("upload_id").cloned().unwrap_or_default();
    let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("").to_string();
    let content_type = header("content-type");
    let range = ContentRange::parse(&header("content-range"));
    let length: Option<u64> = header("content-length").parse().ok();
    let now = now_ms();

    let accepted = emu.with(|s| -> Result<Accepted, Response> {
        let not_found = || fail(StatusCode::NOT_FOUND, "upload_not_found", "no upload with this upload_id", None);
        let publish_id = s.uploads.get(&upload_id).cloned().ok_or_else(not_found)?;
        let hasher = s.hashers.get(&upload_id).cloned().unwrap_or_default();
        let p = s.publishes.get_mut(&publish_id).ok_or_else(not_found)?;
        let total = p.plan.video_size;
        let progress = Some((p.received, total));
        if p.upload_expires_at_ms <= now {
            return Err(fail(StatusCode::FORBIDDEN, "upload_url_expired", "the upload_url is valid for one hour", None));
        }
        if p.completed_at_ms.is_some() {
            return Err(fail(StatusCode::RANGE_NOT_SATISFIABLE, "upload_complete", "every byte was already received", progress));
        }
        if content_type != "video/mp4" && content_type != "video/quicktime" {
            return Err(fail(StatusCode::BAD_REQUEST, "invalid_content_type", "Content-Type must be video/mp4 or video/quicktime", progress));
        }
        let Some(range) = range else {
            return Err(fail(StatusCode::BAD_REQUEST, "invalid_content_range", "Content-Range must be bytes FIRST-LAST/TOTAL", progress));
        };
        if range.total != total {
            return Err(fail(StatusCode::BAD_REQUEST, "invalid_content_range", "TOTAL differs from video_size", progress));
        }
        if length != Some(range.len()) {
            return Err(fail(StatusCode::BAD_REQUEST, "invalid_content_length", "Content-Length must equal the range's length", progress));
        }
        if range.first != p.received || p.busy {
            return Err(fail(StatusCode::RANGE_NOT_SATISFIABLE, "range_mismatch", "chunks must arrive in order; see Content-Range", progress));
        }
        let index = p.plan.chunk_starting_at(range.first);
        if index.map(|i| p.plan.chunk_range(i)) != Some((range.first, range.last)) {
            return Err(fail(StatusCode::BAD_REQUEST, "invalid_chunk", "the range is not a chunk of the declared plan", progress));
        }
        p.busy = true;
        p.content_type = Some(content_type.clone());
        Ok(Accepted { publish_id, first: range.first, len: range.len(), total, hasher })
    });
    let mut a = match accepted {
        Ok(a) => a,
        Err(r) => return r,
    };

    let path = emu.upload_path(&upload_id);
    // If the client goes away mid-body, hyper drops this future: the guard frees the upload
    // for the client's retry (as TikTok does), instead of leaving it busy for ever.
    let guard = BusyGuard { emu: emu.clone(), publish_id: a.publish_id.clone() };
    let written = write_chunk(&path, &mut a, body).await;
    std::mem::forget(guard);
    let outcome_needed = emu.with(|s| {
        let p = s.publishes.get_mut(&a.publish_id).expect("publish of an accepted chunk");
        p.busy = false;
        match &written {
            Ok(()) => {
                p.received = a.first + a.len;
                s.hashers.insert(upload_id.clone(), a.hasher.clone());
                p.received == a.total
            }
            Err(_) => false,
        }
    });
    if let Err(why) = written {
        let received = emu.with(|s| s.publishes.get(&a.publish_id).map(|p| (p.received, p.plan.video_size)));
        return fail(StatusCode::BAD_REQUEST, "invalid_body", &why, received);
    }
    if !outcome_needed {
        let mut r = StatusCode::PARTIAL_CONTENT.into_response();
        r.headers_mut().insert("content-range", range_header(a.first + a.len, a.total));
        return r;
    }
    // Complete: TikTok's checks on what it received, with the probe LetsPost uses too.
    let sha = a.hasher.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>();
    let open_id = emu.with(|s| s.publishes.get(&a.publish_id).map(|p| p.open_id.clone())).unwrap_or_default();
    let max_sec = emu.with(|s| s.accounts.get(&open_id).map_or(600, |acc| acc.max_video_post_duration_sec));
    let outcome = judge_upload(&path, max_sec);
    let done = emu.with(|s| {
        s.hashers.remove(&upload_id);
        let p = s.publishes.get_mut(&a.publish_id)?;
        p.sha256 = Some(sha);
        p.completed_at_ms = Some(now_ms());
        p.outcome = Some(outcome);
        Some(p.clone())
    });
    if let Some(p) = done {
        crate::webhooks::after_upload(&emu, &p);
    }
    let mut r = StatusCode::CREATED.into_response();
    r.headers_mut().insert("content-range", range_header(a.total, a.total));
    r
}

/// Append the body at `a.first`, hashing as it streams. On any failure the file is cut back
/// to what was received before, so a retry of the same chunk starts clean.
async fn write_chunk(path: &std::path::Path, a: &mut Accepted, body: Body) -> Result<(), String> {
    let before = a.hasher.clone();
    let result = async {
        let mut file = tokio::fs::OpenOptions::new().create(true).write(true).truncate(false).open(path).await.map_err(|e| e.to_string())?;
        file.set_len(a.first).await.map_err(|e| e.to_string())?;
        use tokio::io::AsyncSeekExt;
        file.seek(SeekFrom::Start(a.first)).await.map_err(|e| e.to_string())?;
        let mut got = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(piece) = stream.next().await {
            let piece = piece.map_err(|e| format!("the connection broke mid-chunk: {e}"))?;
            got += piece.len() as u64;
            if got > a.len {
                return Err("the body is longer than Content-Length".to_string());
            }
            a.hasher.update(&piece);
            file.write_all(&piece).await.map_err(|e| e.to_string())?;
        }
        if got != a.len {
            return Err(format!("the body has {got} bytes, Content-Length said {}", a.len));
        }
        file.flush().await.map_err(|e| e.to_string())
    }
    .await;
    if result.is_err() {
        a.hasher = before;
        if let Ok(f) = std::fs::OpenOptions::new().write(true).open(path) {
            let _ = f.set_len(a.first);
        }
    }
    result
}

/// `Published`, or `Failed(fail_reason)` for the first error the probe finds.
fn judge_upload(path: &std::path::Path, max_video_post_duration_sec: u32) -> Outcome {
    let Ok(report) = video_probe::probe_path(path) else { return Outcome::Failed("internal".into()) };
    let report = report.for_creator(max_video_post_duration_sec);
    report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .find_map(|i| i.code.tiktok_fail_reason())
        .map_or(Outcome::Published, |r| Outcome::Failed(r.to_string()))
}

/// Clears `busy` on a publish whose chunk handler was dropped half-way.
struct BusyGuard {
    emu: Arc<Emulator>,
    publish_id: String,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.emu.with(|s| {
            if let Some(p) = s.publishes.get_mut(&self.publish_id) {
                p.busy = false;
            }
        });
    }
}
