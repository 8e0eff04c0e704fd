//! One TikTok chunk, from R2 to TikTok's upload URL without passing through wasm: a ranged R2
//! read piped into a `FixedLengthStream` (so the `PUT` carries an exact `Content-Length`,
//! which TikTok needs; a plain stream would go out chunked).

use tiktok_rules::chunk::ChunkPlan;
use tiktok_rules::error::TikTokError;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{Bucket, Fetch, Headers, Method, Range, Request, RequestInit, ResponseBody};

/// What TikTok said about a chunk.
pub enum ChunkAnswer {
    /// 206 or 201.
    Taken,
    /// 416: TikTok holds this many bytes (from its `Content-Range`).
    Mismatch(u64),
    /// 403/404: the upload URL expired or is unknown.
    Gone,
}

fn received_from(headers: &Headers) -> Option<u64> {
    // `bytes 0-LAST/TOTAL` → LAST + 1; `bytes */TOTAL` → 0.
    let v = headers.get("Content-Range").ok().flatten()?;
    let range = v.trim().strip_prefix("bytes ")?.split('/').next()?;
    if range == "*" {
        return Some(0);
    }
    range.split('-').nth(1)?.parse::<u64>().ok().map(|last| last + 1)
}

pub async fn put_chunk(bucket: &Bucket, key: &str, plan: &ChunkPlan, index: u64, upload_url: &str, content_type: &str) -> Result<ChunkAnswer, TikTokError> {
    let internal = |e: worker::Error| TikTokError::new(0, "staged_media_unreadable", e.to_string());
    let (first, last) = plan.chunk_range(index);
    let len = last - first + 1;
    let object = bucket
        .get(key)
        .range(Range::OffsetWithLength { offset: first, length: len })
        .execute()
        .await
        .map_err(internal)?
        .ok_or_else(|| TikTokError::new(0, "staged_media_missing", "the staged video is gone"))?;
    let ResponseBody::Stream(source) =
        object.body().ok_or_else(|| TikTokError::new(0, "staged_media_missing", "no body"))?.response_body().map_err(internal)?
    else {
        return Err(TikTokError::new(0, "staged_media_unreadable", "the staged range is not a stream"));
    };
    let fixed = worker::worker_sys::FixedLengthStream::new(len as u32).map_err(|_| TikTokError::new(0, "chunk_too_large", "chunk length"))?;
    let transform: &web_sys::TransformStream = fixed.unchecked_ref();
    let headers = Headers::new();
    let _ = headers.set("Content-Type", content_type);
    let _ = headers.set("Content-Range", &plan.content_range(index));
    let mut init = RequestInit::new();
    init.with_method(Method::Put).with_headers(headers).with_body(Some(transform.readable().into()));
    let req = Request::new_with_init(upload_url, &init).map_err(|e| TikTokError::network(e.to_string()))?;
    // The pipe and the request run together: the request reads what the pipe writes. A source
    // of the wrong length fails the FixedLengthStream, so a short range never reaches TikTok.
    // TikTok may answer before reading the body (a 416, a 403): then nobody reads the pipe
    // any more, so it is aborted rather than awaited (awaiting it would hang the alarm).
    let stop = web_sys::AbortController::new().map_err(|_| TikTokError::network("AbortController"))?;
    let options = web_sys::StreamPipeOptions::new();
    options.set_signal(&stop.signal());
    let pipe = JsFuture::from(source.pipe_to_with_options(&transform.writable(), &options));
    let fetch = Fetch::Request(req);
    let send = fetch.send();
    futures_util::pin_mut!(send);
    let answer = match futures_util::future::select(send, pipe).await {
        futures_util::future::Either::Left((answer, _pipe)) => {
            stop.abort();
            answer
        }
        futures_util::future::Either::Right((piped, send)) => {
            if piped.is_err() {
                stop.abort();
            }
            send.await
        }
    };
    let mut resp = answer.map_err(|e| TikTokError::network(e.to_string()))?;
    let status = resp.status_code();
    match status {
        200 | 201 | 206 => Ok(ChunkAnswer::Taken),
        416 => Ok(ChunkAnswer::Mismatch(received_from(resp.headers()).unwrap_or(0))),
        403 | 404 => Ok(ChunkAnswer::Gone),
        _ => {
            let body = resp.bytes().await.unwrap_or_default();
            let snippet = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            let code = if status >= 500 || status == 429 { "internal_error" } else { "invalid_param" };
            Err(TikTokError::new(status, code, format!("chunk {index}: HTTP {status}: {snippet}")))
        }
    }
}
