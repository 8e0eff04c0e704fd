//! The Worker shell of the video probe: re-validates a staged file in R2 with ranged reads.
//! The server never trusts the browser's verdict; this reads the same few KB the browser did.

use video_probe::{Read, Report, probe_async};
use worker::{Bucket, Range, Result};

async fn read_range(bucket: &Bucket, key: &str, r: Read) -> Result<Vec<u8>> {
    if r.len == 0 {
        return Ok(Vec::new());
    }
    let object = bucket
        .get(key)
        .range(Range::OffsetWithLength { offset: r.offset, length: r.len })
        .execute()
        .await?
        .ok_or_else(|| worker::Error::RustError(format!("{key} vanished while being checked")))?;
    match object.body() {
        Some(body) => body.bytes().await,
        None => Ok(Vec::new()),
    }
}

/// `None` when no object has that key.
pub async fn probe_object(bucket: &Bucket, key: &str) -> Result<Option<Report>> {
    let Some(head) = bucket.head(key).await? else { return Ok(None) };
    let mut report = probe_async(head.size(), |r| read_range(bucket, key, r)).await?;
    report.file = Some(key.to_string());
    Ok(Some(report))
}
