//! The browser shell of the video probe: ranged reads through `Blob.slice`, so checking a
//! 287 MB file reads a few KB of it and uploads nothing.

use js_sys::Uint8Array;
use video_probe::{probe_async, Read, Report};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

async fn read_range(file: &File, r: Read) -> Result<Vec<u8>, JsValue> {
    let end = r.offset + r.len;
    let slice = file.slice_with_f64_and_f64(r.offset as f64, end as f64)?;
    let buf = JsFuture::from(slice.array_buffer()).await?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// Probe a file the user picked or dropped. Errors are the browser's (the file vanished or
/// became unreadable), not the video's: those are issues in the report.
pub async fn probe_file(file: &File) -> Result<Report, String> {
    let size = file.size() as u64;
    let mut report = probe_async(size, |r| read_range(file, r))
        .await
        .map_err(|e| format!("The browser could not read the file: {}", e.as_string().unwrap_or_else(|| format!("{e:?}"))))?;
    report.file = Some(file.name());
    Ok(report)
}
