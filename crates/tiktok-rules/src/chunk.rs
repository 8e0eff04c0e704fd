//! How a video is cut into chunks for TikTok's `FILE_UPLOAD`, and how TikTok checks a plan.
//!
//! TikTok writes its chunk sizes in "MB" without saying whether that is 10^6 or 2^20 bytes.
//! Both readings are kept here: the plans LetsPost *makes* stay inside the strict one (what
//! either reading allows), and the emulator *accepts* the lenient one (what either reading might
//! allow), because published clients send 64 MiB chunks and TikTok takes them. The 287.6 MB
//! size cap is LetsPost's and decimal.

use serde::{Deserialize, Serialize};

pub const MB: u64 = 1_000_000;
pub const MIB: u64 = 1_048_576;
pub const MAX_CHUNK_COUNT: u64 = 1_000;

/// TikTok's chunk window under one reading of "MB".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Smallest chunk ("5 MB"); files below it go whole.
    pub min_chunk: u64,
    /// Largest `chunk_size` ("64 MB").
    pub max_chunk: u64,
    /// The last chunk absorbs the remainder and may reach this ("128 MB").
    pub max_last_chunk: u64,
}

/// Inside both readings: what LetsPost's own plans must satisfy.
pub const STRICT: Limits = Limits { min_chunk: 5 * MIB, max_chunk: 64 * MB, max_last_chunk: 128 * MB };
/// Inside either reading: what the emulator accepts from any client.
pub const LENIENT: Limits = Limits { min_chunk: 5 * MB, max_chunk: 64 * MIB, max_last_chunk: 128 * MIB };
/// Cloudflare refuses request bodies over 100 MB; every chunk crosses the Worker.
pub const WORKER_REQUEST_LIMIT: u64 = 100 * MB;
/// The chunk size LetsPost plans with. The largest chunk is the last one, under twice this.
pub const PREFERRED_CHUNK: u64 = 20 * MB;

const _: () = assert!(2 * PREFERRED_CHUNK - 1 <= WORKER_REQUEST_LIMIT);
const _: () = assert!(PREFERRED_CHUNK >= STRICT.min_chunk && PREFERRED_CHUNK <= STRICT.max_chunk);

/// TikTok's `source_info` numbers for a `FILE_UPLOAD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkPlan {
    pub video_size: u64,
    pub chunk_size: u64,
    pub total_chunk_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkError {
    Empty,
    ChunkTooSmall {
        chunk_size: u64,
    },
    ChunkTooLarge {
        chunk_size: u64,
    },
    /// Files under 5 MB must go whole: chunk_size == video_size, one chunk.
    SmallFileMustGoWhole,
    ChunkLargerThanVideo,
    WrongCount {
        expected: u64,
        got: u64,
    },
    TooManyChunks {
        count: u64,
    },
    LastChunkTooLarge {
        last: u64,
    },
}

impl std::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChunkError::Empty => write!(f, "video_size must be greater than 0"),
            ChunkError::ChunkTooSmall { chunk_size } => write!(f, "chunk_size {chunk_size} is below 5 MB"),
            ChunkError::ChunkTooLarge { chunk_size } => write!(f, "chunk_size {chunk_size} is above 64 MB (64 MiB at most)"),
            ChunkError::SmallFileMustGoWhole => {
                write!(f, "a video under 5 MB must be uploaded whole (chunk_size = video_size, 1 chunk)")
            }
            ChunkError::ChunkLargerThanVideo => write!(f, "chunk_size is larger than video_size"),
            ChunkError::WrongCount { expected, got } => {
                write!(f, "total_chunk_count must be floor(video_size / chunk_size) = {expected}, got {got}")
            }
            ChunkError::TooManyChunks { count } => write!(f, "{count} chunks; TikTok takes 1 to 1000"),
            ChunkError::LastChunkTooLarge { last } => write!(f, "the last chunk would be {last} bytes, over 128 MB"),
        }
    }
}

impl std::error::Error for ChunkError {}

impl ChunkPlan {
    /// The plan LetsPost uses for a video of `video_size` bytes (inside `STRICT`).
    pub fn for_size(video_size: u64) -> Result<ChunkPlan, ChunkError> {
        let chunk_size = if video_size < PREFERRED_CHUNK { video_size } else { PREFERRED_CHUNK };
        let plan = ChunkPlan { video_size, chunk_size, total_chunk_count: video_size / chunk_size.max(1) };
        plan.check(&STRICT)?;
        Ok(plan)
    }

    /// TikTok's checks on a declared plan under `limits` (the emulator answers `invalid_param`
    /// with these, under `LENIENT`).
    pub fn check(&self, limits: &Limits) -> Result<(), ChunkError> {
        let ChunkPlan { video_size, chunk_size, total_chunk_count } = *self;
        let Limits { min_chunk, max_chunk, max_last_chunk } = *limits;
        if video_size == 0 {
            return Err(ChunkError::Empty);
        }
        if video_size < min_chunk {
            return if chunk_size == video_size && total_chunk_count == 1 { Ok(()) } else { Err(ChunkError::SmallFileMustGoWhole) };
        }
        if chunk_size < min_chunk {
            return Err(ChunkError::ChunkTooSmall { chunk_size });
        }
        if chunk_size > max_chunk {
            return Err(ChunkError::ChunkTooLarge { chunk_size });
        }
        if chunk_size > video_size {
            return Err(ChunkError::ChunkLargerThanVideo);
        }
        let expected = video_size / chunk_size;
        if total_chunk_count != expected {
            return Err(ChunkError::WrongCount { expected, got: total_chunk_count });
        }
        if !(1..=MAX_CHUNK_COUNT).contains(&expected) {
            return Err(ChunkError::TooManyChunks { count: expected });
        }
        let last = self.chunk_len(expected - 1);
        if last > max_last_chunk {
            return Err(ChunkError::LastChunkTooLarge { last });
        }
        Ok(())
    }

    /// The byte range `[first, last]` (inclusive, as in `Content-Range`) of chunk `index`.
    pub fn chunk_range(&self, index: u64) -> (u64, u64) {
        let first = index * self.chunk_size;
        let last = if index + 1 == self.total_chunk_count { self.video_size - 1 } else { first + self.chunk_size - 1 };
        (first, last)
    }

    pub fn chunk_len(&self, index: u64) -> u64 {
        let (first, last) = self.chunk_range(index);
        last - first + 1
    }

    /// The `Content-Range` header of chunk `index`.
    pub fn content_range(&self, index: u64) -> String {
        let (first, last) = self.chunk_range(index);
        format!("bytes {first}-{last}/{}", self.video_size)
    }

    /// The chunk that starts at byte `offset`, if one does (resuming after a crash).
    pub fn chunk_starting_at(&self, offset: u64) -> Option<u64> {
        (0..self.total_chunk_count).find(|&i| self.chunk_range(i).0 == offset)
    }

    pub fn largest_chunk(&self) -> u64 {
        self.chunk_len(self.total_chunk_count - 1).max(self.chunk_len(0))
    }
}

/// A parsed `Content-Range: bytes FIRST-LAST/TOTAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub first: u64,
    pub last: u64,
    pub total: u64,
}

impl ContentRange {
    pub fn parse(header: &str) -> Option<ContentRange> {
        let rest = header.trim().strip_prefix("bytes ")?;
        let (range, total) = rest.split_once('/')?;
        let (first, last) = range.split_once('-')?;
        let r = ContentRange { first: first.trim().parse().ok()?, last: last.trim().parse().ok()?, total: total.trim().parse().ok()? };
        (r.first <= r.last && r.last < r.total).then_some(r)
    }

    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiktoks_own_example_is_five_chunks_with_a_fat_last_one() {
        let plan = ChunkPlan { video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 5 };
        assert_eq!(plan.check(&STRICT), Ok(()));
        assert_eq!(plan.chunk_len(4), 10_000_123);
        assert_eq!(plan.content_range(4), "bytes 40000000-50000122/50000123");
        assert_eq!(plan.content_range(0), "bytes 0-9999999/50000123");
        let six = ChunkPlan { total_chunk_count: 6, ..plan };
        assert_eq!(six.check(&STRICT), Err(ChunkError::WrongCount { expected: 5, got: 6 }));
    }

    #[test]
    fn files_under_5mb_go_whole_and_5mb_may_be_chunked() {
        let small = ChunkPlan::for_size(4_990_000).unwrap();
        assert_eq!((small.chunk_size, small.total_chunk_count), (4_990_000, 1));
        let split = ChunkPlan { video_size: 4_990_000, chunk_size: 2_495_000, total_chunk_count: 2 };
        assert_eq!(split.check(&STRICT), Err(ChunkError::SmallFileMustGoWhole));
        let five = ChunkPlan::for_size(5_000_000).unwrap();
        assert_eq!((five.chunk_size, five.total_chunk_count), (5_000_000, 1));
        let five_small_chunks = ChunkPlan { video_size: 6_000_000, chunk_size: 4_999_999, total_chunk_count: 1 };
        assert_eq!(five_small_chunks.check(&LENIENT), Err(ChunkError::ChunkTooSmall { chunk_size: 4_999_999 }));
        // 5.1 MB: chunked at 5 MB is fine if "MB" is 10^6, not if it is 2^20.
        let between = ChunkPlan { video_size: 5_100_000, chunk_size: 5_000_000, total_chunk_count: 1 };
        assert_eq!(between.check(&LENIENT), Ok(()));
        assert_eq!(between.check(&STRICT), Err(ChunkError::SmallFileMustGoWhole));
    }

    #[test]
    fn a_64_mib_chunk_is_accepted_but_never_planned() {
        // What published clients send: 64 MiB chunks of a 200 MB file, the last one fat.
        let published = ChunkPlan { video_size: 200 * MB, chunk_size: 64 * MIB, total_chunk_count: 2 };
        assert_eq!(published.check(&LENIENT), Ok(()));
        assert_eq!(published.check(&STRICT), Err(ChunkError::ChunkTooLarge { chunk_size: 64 * MIB }));
        let over = ChunkPlan { chunk_size: 64 * MIB + 1, ..published };
        assert_eq!(over.check(&LENIENT), Err(ChunkError::ChunkTooLarge { chunk_size: 64 * MIB + 1 }));
        // The fattest last chunk a 64 MiB plan can have stays under the lenient 128 MiB cap
        // (a remainder is always smaller than a chunk, so the cap can't be crossed either way).
        let fattest = ChunkPlan { video_size: 128 * MIB - 1, chunk_size: 64 * MIB, total_chunk_count: 1 };
        assert_eq!(fattest.check(&LENIENT), Ok(()));
        assert!(fattest.chunk_len(0) <= LENIENT.max_last_chunk);
    }

    #[test]
    fn chunk_size_window_is_5_to_64_mb() {
        let ok = ChunkPlan { video_size: 200 * MB, chunk_size: 64 * MB, total_chunk_count: 3 };
        assert_eq!(ok.check(&STRICT), Ok(()));
        let big = ChunkPlan { video_size: 200 * MB, chunk_size: 64 * MB + 1, total_chunk_count: 3 };
        assert_eq!(big.check(&STRICT), Err(ChunkError::ChunkTooLarge { chunk_size: 64 * MB + 1 }));
    }

    #[test]
    fn last_chunk_may_reach_128_mb_but_not_more() {
        // 64 MB chunk_size, one chunk: that chunk is the whole file, just under 128 MB.
        let whole = ChunkPlan { video_size: 128 * MB - 1, chunk_size: 64 * MB, total_chunk_count: 1 };
        assert_eq!(whole.check(&STRICT), Ok(()));
        assert_eq!(whole.chunk_len(0), 128 * MB - 1);
    }

    #[test]
    fn more_than_1000_chunks_is_refused() {
        let p = ChunkPlan { video_size: 5 * MB * 1_001, chunk_size: 5 * MB, total_chunk_count: 1_001 };
        assert_eq!(p.check(&LENIENT), Err(ChunkError::TooManyChunks { count: 1_001 }));
    }

    #[test]
    fn our_plan_keeps_every_request_under_the_worker_limit_up_to_the_size_cap() {
        for size in [1, 4_999_999, 5_000_000, 19_999_999, 20_000_000, 39_999_999, 40_000_000, 100_000_000, 287_600_000] {
            let plan = ChunkPlan::for_size(size).unwrap();
            assert_eq!(plan.check(&STRICT), Ok(()), "{size}");
            assert!(plan.largest_chunk() <= WORKER_REQUEST_LIMIT, "{size}");
            let total: u64 = (0..plan.total_chunk_count).map(|i| plan.chunk_len(i)).sum();
            assert_eq!(total, size);
        }
        let max = ChunkPlan::for_size(287_600_000).unwrap();
        assert_eq!((max.chunk_size, max.total_chunk_count, max.chunk_len(13)), (20 * MB, 14, 27_600_000));
        assert_eq!(ChunkPlan::for_size(0), Err(ChunkError::Empty));
    }

    #[test]
    fn resume_finds_the_chunk_at_an_offset() {
        let plan = ChunkPlan::for_size(50_000_123).unwrap();
        assert_eq!(plan.chunk_starting_at(20 * MB), Some(1));
        assert_eq!(plan.chunk_starting_at(20 * MB + 1), None);
    }

    #[test]
    fn content_range_parses_and_rejects_nonsense() {
        assert_eq!(ContentRange::parse("bytes 0-9/10"), Some(ContentRange { first: 0, last: 9, total: 10 }));
        assert_eq!(ContentRange::parse("bytes 5-4/10"), None);
        assert_eq!(ContentRange::parse("bytes 0-10/10"), None);
        assert_eq!(ContentRange::parse("bytes */10"), None);
        assert_eq!(ContentRange::parse("0-9/10"), None);
    }
}
