//! Sending the video to the Worker in the parts it asked for, with byte-level progress
//! (`XMLHttpRequest` reports upload progress; `fetch` does not). A dropped connection pauses
//! and resumes from what the Worker says it stored, never from zero.

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

/// The Worker's answer to one part: HTTP status and body text.
pub struct PartAnswer {
    pub status: u16,
    pub body: String,
}

fn js(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| "the connection was lost".to_string())
}

/// PUT `blob` (bytes `first..=last` of `total`) to `url`; `on_progress` gets bytes sent so far.
pub async fn put_part(url: &str, blob: &Blob, first: u64, last: u64, total: u64, on_progress: impl Fn(f64) + 'static) -> Result<PartAnswer, String> {
    let xhr = XmlHttpRequest::new().map_err(js)?;
    xhr.open("PUT", url).map_err(js)?;
    xhr.set_request_header("Content-Range", &format!("bytes {first}-{last}/{total}")).map_err(js)?;
    let progress = Closure::<dyn Fn(ProgressEvent)>::new(move |e: ProgressEvent| on_progress(e.loaded()));
    xhr.upload().map_err(js)?.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    let done = Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
        xhr.set_ontimeout(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(blob)).map_err(js)?;
    let outcome = JsFuture::from(done).await;
    drop(progress);
    outcome.map_err(|_| "the connection was lost".to_string())?;
    Ok(PartAnswer { status: xhr.status().map_err(js)?, body: xhr.response_text().map_err(js)?.unwrap_or_default() })
}
