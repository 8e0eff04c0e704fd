//! Drivers: the loop that moves bytes between a reader and a [`Probe`].

use crate::{Probe, Read, Report};
use std::future::Future;

/// Probe with a synchronous reader: `read(offset, len)` returns up to `len` bytes.
pub fn probe_sync<E>(size: u64, mut read: impl FnMut(Read) -> Result<Vec<u8>, E>) -> Result<Report, E> {
    let mut p = Probe::new(size);
    while let Some(r) = p.next_read() {
        let bytes = read(r)?;
        p.feed(&bytes);
    }
    Ok(p.finish())
}

/// Probe anything seekable (a file) of `size` bytes with positioned reads.
pub fn probe_seekable<R: std::io::Read + std::io::Seek>(mut reader: R, size: u64) -> std::io::Result<Report> {
    use std::io::Read as _;
    probe_sync(size, |r| {
        reader.seek(std::io::SeekFrom::Start(r.offset))?;
        let mut buf = Vec::with_capacity(r.len as usize);
        (&mut reader).take(r.len).read_to_end(&mut buf)?;
        Ok(buf)
    })
}

/// Probe a file on disk (the CLI, the emulator, the benchmark).
pub fn probe_path(path: &std::path::Path) -> std::io::Result<Report> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    probe_seekable(file, size)
}

/// Probe with an asynchronous reader (`Blob.slice` in the browser, R2 in the Worker). No
/// runtime needed: the caller's executor drives the future.
pub async fn probe_async<E, F, Fut>(size: u64, mut read: F) -> Result<Report, E>
where
    F: FnMut(Read) -> Fut,
    Fut: Future<Output = Result<Vec<u8>, E>>,
{
    let mut p = Probe::new(size);
    while let Some(r) = p.next_read() {
        let bytes = read(r).await?;
        p.feed(&bytes);
    }
    Ok(p.finish())
}

/// Probe bytes already in memory (tests, fuzzing).
pub fn probe_bytes(bytes: &[u8]) -> Report {
    let size = bytes.len() as u64;
    let r: Result<Report, std::convert::Infallible> = probe_sync(size, |r| {
        let start = r.offset.min(size) as usize;
        let end = (r.offset + r.len).min(size) as usize;
        Ok(bytes[start..end].to_vec())
    });
    match r {
        Ok(report) => report,
        Err(never) => match never {},
    }
}
