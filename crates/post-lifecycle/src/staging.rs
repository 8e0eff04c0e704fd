//! How the browser's upload is cut for R2 (staging), which is not TikTok's plan: R2 wants
//! equal parts of at least 5 MiB with a last part no larger; TikTok wants the remainder in
//! the last, larger chunk. TikTok's chunks are read back from R2 with ranged gets.

use serde::{Deserialize, Serialize};
use tiktok_rules::chunk::ContentRange;

/// R2's smallest part (all but the last).
pub const R2_MIN_PART: u64 = 5 * 1024 * 1024;
/// The part size LetsPost stages with: every request stays far below Cloudflare's 100 MB.
pub const PART_SIZE: u64 = 20_000_000;
const _: () = assert!(PART_SIZE >= R2_MIN_PART);

/// A part is given up (408) unless it arrives at this rate at least (256 kbit/s: below it a
/// 287.6 MB video takes over two and a half hours); the post keeps every whole part before it,
/// so the browser resumes there. A 20 MB part has 625 s.
pub const PART_MIN_BYTES_PER_SEC: u64 = 32_000;
/// And however small a part, it has this long (a phone changing networks mid-part).
pub const PART_MIN_MS: u64 = 30_000;

/// When a part of `len` bytes whose request began at `started_ms` is given up.
pub fn part_deadline_ms(started_ms: u64, len: u64) -> u64 {
    started_ms.saturating_add(PART_MIN_MS.max(len.saturating_mul(1000) / PART_MIN_BYTES_PER_SEC))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagingPlan {
    pub video_size: u64,
    pub part_size: u64,
    pub part_count: u64,
}

/// Why a `PUT` of staged bytes was refused: 416 with what is safely stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongRange {
    pub received_bytes: u64,
}

/// A part's `PUT` refused from its headers alone, before anything is stored: (status, sentence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPart {
    pub status: u16,
    pub message: String,
}

/// The headers of a part's `PUT`: a `Content-Range`, at most one part long, and a
/// `Content-Length` equal to it (R2 needs the length before the first byte).
pub fn check_part_headers(content_range: Option<&str>, content_length: Option<&str>) -> Result<ContentRange, BadPart> {
    let bad = |message: String| BadPart { status: 400, message };
    let range = content_range.and_then(ContentRange::parse).ok_or_else(|| bad("Send each part with a Content-Range header: bytes FIRST-LAST/TOTAL.".into()))?;
    if range.len() > PART_SIZE {
        return Err(bad(format!("A part is at most {PART_SIZE} bytes; this Content-Range spans {}.", range.len())));
    }
    let Some(length) = content_length else {
        return Err(BadPart { status: 411, message: "Send each part with a Content-Length equal to its Content-Range.".into() });
    };
    match length.trim().parse::<u64>() {
        Ok(n) if n == range.len() => Ok(range),
        _ => Err(bad(format!("The Content-Length ({}) must equal the Content-Range's {} bytes.", length.trim(), range.len()))),
    }
}

impl StagingPlan {
    pub fn for_size(video_size: u64) -> StagingPlan {
        let part_count = video_size.div_ceil(PART_SIZE).max(1);
        StagingPlan { video_size, part_size: PART_SIZE, part_count }
    }

    /// The byte range `[first, last]` of part `n` (1-based, as R2 numbers them).
    pub fn part_range(&self, n: u64) -> (u64, u64) {
        let first = (n - 1) * self.part_size;
        (first, (first + self.part_size).min(self.video_size) - 1)
    }

    /// The part a `Content-Range` carries, if it is exactly the next one after `received`.
    pub fn accept(&self, content_range: &str, received: u64) -> Result<u16, WrongRange> {
        let wrong = WrongRange { received_bytes: received };
        let r = ContentRange::parse(content_range).ok_or(wrong)?;
        if r.total != self.video_size || received >= self.video_size || r.first != received {
            return Err(wrong);
        }
        let n = received / self.part_size + 1;
        if self.part_range(n) != (r.first, r.last) {
            return Err(wrong);
        }
        u16::try_from(n).map_err(|_| wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_has_the_time_it_takes_at_256_kbit_s_and_30_s_at_least() {
        assert_eq!(part_deadline_ms(1_000, PART_SIZE), 1_000 + 625_000);
        assert_eq!(part_deadline_ms(1_000, 500_000), 1_000 + PART_MIN_MS);
        assert_eq!(part_deadline_ms(1_000, 0), 1_000 + PART_MIN_MS);
        assert_eq!(part_deadline_ms(u64::MAX - 5, PART_SIZE), u64::MAX, "no overflow");
    }

    #[test]
    fn part_headers_are_checked_before_anything_is_stored() {
        let ok = check_part_headers(Some("bytes 0-9/10"), Some("10")).unwrap();
        assert_eq!((ok.first, ok.last, ok.total), (0, 9, 10));
        let status = |r: Option<&str>, l: Option<&str>| check_part_headers(r, l).unwrap_err().status;
        assert_eq!(status(None, Some("10")), 400);
        assert_eq!(status(Some("bytes 9-0/10"), Some("10")), 400);
        assert_eq!(status(Some("0-9/10"), Some("10")), 400);
        assert_eq!(status(Some("bytes 0-9/10"), None), 411);
        assert_eq!(status(Some("bytes 0-9/10"), Some("11")), 400);
        assert_eq!(status(Some("bytes 0-9/10"), Some("ten")), 400);
        let big = check_part_headers(Some("bytes 0-20000000/45000000"), Some("20000001")).unwrap_err();
        assert_eq!(big.status, 400);
        assert!(big.message.contains("20000000"), "{}", big.message);
        assert!(check_part_headers(Some("bytes 0-19999999/45000000"), Some("20000000")).is_ok());
    }

    #[test]
    fn parts_are_equal_but_the_last_which_is_no_larger() {
        let p = StagingPlan::for_size(45_000_000);
        assert_eq!(p.part_count, 3);
        assert_eq!(p.part_range(1), (0, 19_999_999));
        assert_eq!(p.part_range(3), (40_000_000, 44_999_999));
        let one = StagingPlan::for_size(10_000);
        assert_eq!((one.part_count, one.part_range(1)), (1, (0, 9_999)));
        assert_eq!(StagingPlan::for_size(40_000_000).part_count, 2);
    }

    #[test]
    fn only_the_next_part_is_accepted() {
        let p = StagingPlan::for_size(45_000_000);
        assert_eq!(p.accept("bytes 0-19999999/45000000", 0), Ok(1));
        assert_eq!(p.accept("bytes 20000000-39999999/45000000", 20_000_000), Ok(2));
        assert_eq!(p.accept("bytes 40000000-44999999/45000000", 40_000_000), Ok(3));
        let wrong = Err(WrongRange { received_bytes: 20_000_000 });
        assert_eq!(p.accept("bytes 0-19999999/45000000", 20_000_000), wrong, "already stored");
        assert_eq!(p.accept("bytes 40000000-44999999/45000000", 20_000_000), wrong, "a gap");
        assert_eq!(p.accept("bytes 20000000-20000009/45000000", 20_000_000), wrong, "not the plan's part");
        assert_eq!(p.accept("bytes 20000000-39999999/46000000", 20_000_000), wrong, "another total");
        assert_eq!(p.accept("nonsense", 20_000_000), wrong);
        assert_eq!(p.accept("bytes 0-19999999/45000000", 45_000_000), Err(WrongRange { received_bytes: 45_000_000 }));
    }
}
