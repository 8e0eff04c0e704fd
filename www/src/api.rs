//! Calls to the Worker's API. Failures arrive as the API's `{"error": {"code", "message"}}`;
//! a failure to reach the Worker at all (or an answer cut off) becomes one of the same shape.

use gloo_net::http::{Request, Response};
use letspost_core::api::{ApiError, ErrorBody, codes};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn unreachable(e: impl std::fmt::Display) -> ApiError {
    ApiError::new("network", format!("LetsPost's server could not be reached ({e}). Check your connection and try again."))
}

async fn answer<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        return resp.json::<T>().await.map_err(unreachable);
    }
    let status = resp.status();
    Err(resp.json::<ErrorBody>().await.map(|b| b.error).unwrap_or_else(|_| ApiError::new("http", format!("LetsPost's server answered {status}. Try again."))))
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    answer(Request::get(path).send().await.map_err(unreachable)?).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let req = Request::post(path).json(body).map_err(unreachable)?;
    answer(req.send().await.map_err(unreachable)?).await
}

/// A `POST` that must not happen twice: sent with an `Idempotency-Key` (the same one for every
/// try of one press) and tried again on its own while its answer is lost or the server
/// stumbles: the Worker answers a repeat with what the first try did.
pub async fn post_once<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, key: &str) -> Result<T, ApiError> {
    const TRIES: u32 = 5;
    let mut tries = 0;
    loop {
        let req = Request::post(path).header(letspost_core::request::IDEMPOTENCY_KEY, key).json(body).map_err(unreachable)?;
        let result = match req.send().await {
            Ok(resp) => answer(resp).await,
            Err(e) => Err(unreachable(e)),
        };
        match result {
            Err(e) if tries + 1 < TRIES && matches!(e.code.as_str(), "network" | "http" | codes::INTERNAL) => {
                tries += 1;
                gloo_timers::future::sleep(std::time::Duration::from_millis(500 << tries)).await;
            }
            other => return other,
        }
    }
}

/// A new `Idempotency-Key`: 128 random bits, hex. Never a fixed value: without WebCrypto
/// (which every browser LetsPost runs in has) it falls back to `Math.random`, since two
/// presses sharing a key would make the second answer with the first's post.
pub fn fresh_key() -> String {
    let mut raw = [0u8; 16];
    let from_crypto = web_sys::window().and_then(|w| w.crypto().ok()).is_some_and(|c| c.get_random_values_with_u8_array(&mut raw).is_ok());
    if !from_crypto {
        raw.iter_mut().for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8);
    }
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// `PUT` with a JSON body.
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let req = Request::put(path).json(body).map_err(unreachable)?;
    answer(req.send().await.map_err(unreachable)?).await
}

/// The browser's IANA time zone (`Intl`), which a new account's posting schedule starts in.
/// Read once, not per call: making an `Intl.DateTimeFormat` is not free (a page's first one
/// loads the browser's locale data, 15 ms here).
pub fn browser_time_zone() -> Option<String> {
    thread_local!(static ZONE: std::cell::OnceCell<Option<String>> = const { std::cell::OnceCell::new() });
    ZONE.with(|z| {
        z.get_or_init(|| {
            let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
            js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
        })
        .clone()
    })
}

/// `DELETE`: success has no body.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    let resp = Request::delete(path).send().await.map_err(unreachable)?;
    if resp.ok() {
        return Ok(());
    }
    answer::<serde_json::Value>(resp).await.map(|_| ())
}

/// `PATCH` with a JSON body.
pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let req = Request::patch(path).json(body).map_err(unreachable)?;
    answer(req.send().await.map_err(unreachable)?).await
}

/// `DELETE` whose success has a JSON body (cancelling a post answers with the post).
pub async fn delete_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    answer(Request::delete(path).send().await.map_err(unreachable)?).await
}

/// `POST` with a JSON body whose success has none (204).
pub async fn post_no_content<B: Serialize>(path: &str, body: &B) -> Result<(), ApiError> {
    let req = Request::post(path).json(body).map_err(unreachable)?;
    let resp = req.send().await.map_err(unreachable)?;
    if resp.ok() {
        return Ok(());
    }
    answer::<serde_json::Value>(resp).await.map(|_| ())
}

/// `POST` without a body whose success has none (signing out).
pub async fn post_empty(path: &str) -> Result<(), ApiError> {
    let resp = Request::post(path).send().await.map_err(unreachable)?;
    if resp.ok() {
        return Ok(());
    }
    answer::<serde_json::Value>(resp).await.map(|_| ())
}

/// A refusal with what the answer's headers add: its status, and `Retry-After` in seconds
/// (a rate limit's back-off).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub error: ApiError,
    pub status: u16,
    pub retry_after_secs: Option<u64>,
}

/// `POST` without a body whose refusal keeps its status and `Retry-After` (asking TikTok for a
/// post's numbers again).
pub async fn post_for<T: DeserializeOwned>(path: &str) -> Result<T, Refusal> {
    let resp = Request::post(path).send().await.map_err(|e| Refusal { error: unreachable(e), status: 0, retry_after_secs: None })?;
    let status = resp.status();
    let retry_after_secs = resp.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
    answer(resp).await.map_err(|error| Refusal { error, status, retry_after_secs })
}
