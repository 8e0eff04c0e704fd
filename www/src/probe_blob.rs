//! The browser shell of the video probe: ranged reads through `Blob.slice`, so checking a
//! 287 MB file reads a few KB of it and uploads nothing.

use js_sys::Uint8Array;
use video_probe::{Read, Report, probe_async};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

async fn read_range(file: &File, r: Read) -> Result<Vec<u8>, JsValue> {
    let end = r.offset + r.len;
    let slice = file.slice_with_f64_and_f64(r.offset as f64, end as f64)?;
    let buf = JsFuture::from(slice.array_buffer()).await?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// Probe a file the user picked or dropped, judged against this creator's longest video when
/// known. Errors are the browser's (the file vanished or became unreadable), not the video's:
/// those are issues in the report. Lazy: the box walker is a wasm chunk of its own, fetched on
/// the first pick rather than with the composer (it is not needed to show the page).
#[leptos::lazy]
pub async fn probe_file(file: File, max_duration_sec: Option<u32>) -> Result<Report, String> {
    let size = file.size() as u64;
    let mut report = probe_async(size, |r| read_range(&file, r))
        .await
        .map_err(|e| format!("The browser could not read the file: {}", e.as_string().unwrap_or_else(|| format!("{e:?}"))))?;
    report.file = Some(file.name());
    Ok(match max_duration_sec {
        Some(m) => report.for_creator(m),
        None => report,
    })
}
