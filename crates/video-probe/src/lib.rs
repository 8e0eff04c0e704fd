//! Header-only video probe.
//!
//! [`Probe`] is a sans-IO state machine: it asks for byte ranges ([`Probe::next_read`]), the
//! shell fetches them however it can (a file, `Blob.slice`, an R2 ranged get) and hands them
//! back ([`Probe::feed`]). It walks the top-level boxes by their headers, skips `mdat` without
//! reading it, and decodes `ftyp`, `moov` (wherever it is) and, for fragmented files without a
//! total duration, each `moof` (`atoms.rs`: only the boxes it needs). [`probe_sync`] and [`probe_async`] are the two drivers.

mod atoms;
mod boxes;
mod drive;
mod facts;
mod report;
mod sniff;
mod walk;

pub use drive::{probe_async, probe_bytes, probe_path, probe_seekable, probe_sync};
pub use report::{Report, Rotation, human_bytes};
pub use walk::{Probe, Read};
