//! One media part, from the browser's request straight into R2's `upload_part`, given up when
//! its bytes stop arriving (`post_lifecycle::staging::part_deadline_ms`): a request whose body
//! never comes must not wait for ever. The bytes stay in JS streams: the request's body is
//! piped through a pass-through `TransformStream` whose only work is noting when a chunk went
//! by (the chunk itself is handed on, never copied into wasm), then into a `FixedLengthStream`,
//! which gives R2 the length it needs.

use crate::base::rand::now_ms;
use post_lifecycle::staging::part_deadline_ms;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;
use worker::{Delay, MultipartUpload, Result, UploadedPart};

/// The stored part, or `None` when its bytes stalled (the part is abandoned; what was stored
/// before it stays, so the browser resumes there).
pub async fn upload(upload: &MultipartUpload, part_number: u16, body: web_sys::ReadableStream, len: u64) -> Result<Option<UploadedPart>> {
    let started = now_ms();
    let last_bytes = Rc::new(Cell::new(started));
    let seen = last_bytes.clone();
    let on_chunk = Closure::<dyn FnMut(wasm_bindgen::JsValue, web_sys::TransformStreamDefaultController)>::new(
        move |chunk: wasm_bindgen::JsValue, controller: web_sys::TransformStreamDefaultController| {
            seen.set(now_ms());
            let _ = controller.enqueue_with_chunk(&chunk);
        },
    );
    let transformer = js_sys::Object::new();
    js_sys::Reflect::set(&transformer, &"transform".into(), on_chunk.as_ref().unchecked_ref())?;
    let observer = web_sys::TransformStream::new_with_transformer(&transformer)?;
    let len = u32::try_from(len).map_err(|_| worker::Error::RustError("a part is at most 20 MB".into()))?;
    let fixed = worker::worker_sys::FixedLengthStream::new(len)?;
    let fixed: &web_sys::TransformStream = fixed.unchecked_ref();

    let stop = web_sys::AbortController::new()?;
    let options = web_sys::StreamPipeOptions::new();
    options.set_signal(&stop.signal());
    // JsFutures from the start: a pipe that fails after a stall is still handled, not an
    // unhandled rejection in the log.
    let into_observer = JsFuture::from(body.pipe_to_with_options(&observer.writable(), &options));
    let into_fixed = JsFuture::from(observer.readable().pipe_to_with_options(&fixed.writable(), &options));
    let stored = upload.upload_part(part_number, fixed.readable());
    let work = futures_util::future::join3(into_observer, into_fixed, stored);
    let watch = stalled(started, last_bytes);
    futures_util::pin_mut!(work, watch);
    match futures_util::future::select(work, watch).await {
        futures_util::future::Either::Left(((_, _, stored), _)) => stored.map(Some),
        futures_util::future::Either::Right(((), _work)) => {
            stop.abort();
            Ok(None)
        }
    }
}

/// Resolves once the part's deadline passes without its bytes moving it on.
async fn stalled(started: u64, last_bytes: Rc<Cell<u64>>) {
    loop {
        let deadline = part_deadline_ms(started, last_bytes.get());
        let now = now_ms();
        if now >= deadline {
            return;
        }
        Delay::from(Duration::from_millis(deadline - now)).await;
    }
}
