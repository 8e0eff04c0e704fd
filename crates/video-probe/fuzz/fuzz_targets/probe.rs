//! The probe must never panic, whatever the bytes: every input ends in a report.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = video_probe::probe_bytes(data);
    // Never claims to have read more than the file holds twice over (head + one re-read).
    assert!(report.bytes_read <= 2 * data.len() as u64 + 16);
    assert_eq!(report.size_bytes, data.len() as u64);
});
