//! One media part, from the browser's request straight into R2's `upload_part` (no byte
//! passes through wasm), given up when it has not arrived in time
//! (`post_lifecycle::staging::part_deadline_ms`): a request whose body never comes must not
//! wait for ever. The deadline is the part's whole time, not a pause between its bytes: seeing
//! bytes go by needs a JS `TransformStream` in the pipe, which doubled a part's time in workerd
//! (measured, DEVELOPERS.md).

use crate::base::deadline::within;
use crate::base::rand::now_ms;
use post_lifecycle::staging::part_deadline_ms;
use std::time::Duration;
use worker::{MultipartUpload, Result, UploadedPart};

/// The stored part, or `None` when it did not arrive in time (the part is abandoned; what was
/// stored before it stays, so the browser resumes there).
pub async fn upload(upload: &MultipartUpload, part_number: u16, body: web_sys::ReadableStream, len: u64) -> Result<Option<UploadedPart>> {
    let started = now_ms();
    let limit = Duration::from_millis(part_deadline_ms(started, len) - started);
    match within(limit, upload.upload_part(part_number, body)).await {
        Some(stored) => stored.map(Some),
        None => Ok(None),
    }
}
