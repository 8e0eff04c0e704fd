//! The probe on real encodes (tests/fixtures, made by make.sh with ffmpeg) and on files
//! damaged by hand.

use tiktok_rules::media::Verdict;
use tiktok_rules::{Container, IssueCode};
use video_probe::{Report, Rotation, probe_bytes};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn probe(name: &str) -> Report {
    probe_bytes(&fixture(name))
}

fn codes(r: &Report) -> Vec<IssueCode> {
    r.issues.iter().map(|i| i.code).collect()
}

/// Offsets of the top-level boxes: (type, offset, size).
fn top_boxes(b: &[u8]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut p = 0;
    while p + 8 <= b.len() {
        let size = u32::from_be_bytes(b[p..p + 4].try_into().unwrap()) as usize;
        out.push((String::from_utf8_lossy(&b[p + 4..p + 8]).into_owned(), p, size));
        if size < 8 {
            break;
        }
        p += size;
    }
    out
}

fn find_box(b: &[u8], kind: &str) -> (usize, usize) {
    top_boxes(b).into_iter().find(|(k, ..)| k == kind).map(|(_, o, s)| (o, s)).expect(kind)
}

#[test]
fn vertical_h264_clip_is_ok_with_every_fact() {
    let r = probe("vertical_15s_faststart.mp4");
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.issues);
    assert_eq!(r.container, Some(Container::Mp4));
    assert_eq!(r.duration_ms, Some(15_000));
    assert_eq!((r.width, r.height), (Some(360), Some(640)));
    assert_eq!((r.display_width, r.display_height), (Some(360), Some(640)));
    assert_eq!(r.rotation, Rotation::R0);
    assert_eq!(r.video_codec.as_deref(), Some("h264"));
    assert_eq!(r.frame_rate, Some(30.0));
}

#[test]
fn moov_at_the_end_is_found_without_reading_mdat() {
    let bytes = fixture("moov_at_end.mp4");
    let (_, moov_size) = find_box(&bytes, "moov");
    let (_, mdat_size) = find_box(&bytes, "mdat");
    let r = probe_bytes(&bytes);
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.issues);
    assert_eq!(r.duration_ms, Some(16_000));
    assert!(mdat_size > 0);
    assert!(r.bytes_read <= moov_size as u64 + 64 * 1024, "read {} for a {moov_size}-byte moov", r.bytes_read);
}

#[test]
fn moov_at_the_end_of_a_large_file_reads_only_headers() {
    // The small clip's boxes with a 200 MB mdat in the middle (sparse: zeros).
    let small = fixture("moov_at_end.mp4");
    let (mdat_at, mdat_size) = find_box(&small, "mdat");
    let (moov_at, moov_size) = find_box(&small, "moov");
    let grow = 200_000_000usize;
    let mut big = small[..mdat_at].to_vec();
    big.extend_from_slice(&((mdat_size + grow) as u32).to_be_bytes());
    big.extend_from_slice(b"mdat");
    big.resize(big.len() + mdat_size - 8 + grow, 0);
    big.extend_from_slice(&small[moov_at..moov_at + moov_size]);
    let r = probe_bytes(&big);
    assert_eq!(r.size_bytes, big.len() as u64);
    assert_eq!(r.duration_ms, Some(16_000));
    assert!(r.bytes_read <= moov_size as u64 + 64 * 1024, "read {}", r.bytes_read);
}

#[test]
fn landscape_is_a_letterbox_warning() {
    let r = probe("landscape.mp4");
    assert_eq!(r.verdict, Verdict::Warn);
    assert_eq!(codes(&r), vec![IssueCode::NotVertical]);
    assert_eq!(r.frame_rate, Some(25.0));
    assert!(r.issues[0].message.contains("letterboxed"));
}

#[test]
fn rotated_phone_footage_is_vertical_on_screen() {
    let r = probe("rotated_90.mov");
    assert_eq!(r.container, Some(Container::Mov));
    assert_eq!((r.width, r.height), (Some(640), Some(360)));
    assert!(matches!(r.rotation, Rotation::R90 | Rotation::R270), "{:?}", r.rotation);
    assert_eq!((r.display_width, r.display_height), (Some(360), Some(640)));
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.issues);
}

#[test]
fn too_short_high_fps_and_small_pictures_are_errors() {
    assert_eq!(codes(&probe("too_short.mp4")), vec![IssueCode::TooShort]);
    let fast = probe("fps_120.mp4");
    assert_eq!(codes(&fast), vec![IssueCode::FrameRate]);
    assert_eq!(fast.frame_rate, Some(120.0));
    assert_eq!(codes(&probe("too_small_picture.mp4")), vec![IssueCode::Resolution]);
}

#[test]
fn h265_is_accepted() {
    let r = probe("h265.mp4");
    assert_eq!(r.video_codec.as_deref(), Some("h265"));
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.issues);
}

#[test]
fn container_is_decided_by_content_not_by_name() {
    let qt = probe("quicktime_named.mp4");
    assert_eq!(qt.container, Some(Container::Mov));
    assert_eq!(qt.frame_rate, Some(24.0));
    assert_eq!(qt.verdict, Verdict::Ok, "{:?}", qt.issues);
    assert_eq!(probe("mp4_named.mov").container, Some(Container::Mp4));
}

#[test]
fn fragmented_mp4_duration_comes_from_fragment_headers() {
    let r = probe("fragmented.mp4");
    assert_eq!(r.container, Some(Container::Mp4));
    assert_eq!(r.duration_ms, Some(15_000));
    assert_eq!(r.frame_rate, Some(30.0));
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.issues);
    let mdat_total: usize = top_boxes(&fixture("fragmented.mp4")).iter().filter(|b| b.0 == "mdat").map(|b| b.2).sum();
    assert!(r.bytes_read < fixture("fragmented.mp4").len() as u64 - mdat_total as u64 + 16 * 1024);
}

#[test]
fn audio_only_has_no_video_track() {
    let r = probe("audio_only.m4a");
    assert_eq!(codes(&r), vec![IssueCode::NoVideoTrack]);
}

#[test]
fn images_and_webm_are_unsupported_with_a_named_reason() {
    for (f, what) in [("image.png", "PNG"), ("image.jpg", "JPEG"), ("webm.webm", "WebM")] {
        let r = probe(f);
        assert_eq!(codes(&r), vec![IssueCode::UnsupportedFormat], "{f}");
        assert!(r.issues[0].message.contains(what), "{f}: {}", r.issues[0].message);
        assert!(r.bytes_read <= 16 * 1024);
        assert_eq!(r.container, None);
    }
}

#[test]
fn truncated_file_is_corrupt() {
    let b = fixture("moov_at_end.mp4");
    for cut in [b.len() - 1, b.len() - 500, b.len() / 2, 100, 9] {
        let r = probe_bytes(&b[..cut]);
        assert_eq!(codes(&r), vec![IssueCode::Corrupt], "cut at {cut}");
    }
    let r = probe_bytes(&b[..b.len() / 2]);
    assert!(r.issues[0].message.contains("cut short"), "{}", r.issues[0].message);
}

#[test]
fn box_size_past_the_end_is_corrupt() {
    let mut b = fixture("vertical_15s_faststart.mp4");
    let (moov_at, _) = find_box(&b, "moov");
    b[moov_at..moov_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(codes(&probe_bytes(&b)), vec![IssueCode::Corrupt]);
}

#[test]
fn zero_sizes() {
    // A size-0 last box runs to the end of the file: legal.
    let mut b = fixture("moov_at_end.mp4");
    let (moov_at, _) = find_box(&b, "moov");
    b[moov_at..moov_at + 4].copy_from_slice(&0u32.to_be_bytes());
    let r = probe_bytes(&b);
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.issues);
    // A size-0 mdat in the middle swallows the moov: the file has none.
    let mut b = fixture("moov_at_end.mp4");
    let (mdat_at, _) = find_box(&b, "mdat");
    b[mdat_at..mdat_at + 4].copy_from_slice(&0u32.to_be_bytes());
    assert_eq!(codes(&probe_bytes(&b)), vec![IssueCode::Corrupt]);
    // A zero-length file.
    assert_eq!(codes(&probe_bytes(&[])), vec![IssueCode::Corrupt]);
}

#[test]
fn garbage_inside_mvhd_is_corrupt_not_a_panic() {
    let b = fixture("vertical_15s_faststart.mp4");
    let pos = b.windows(4).position(|w| w == b"mvhd").unwrap();
    let filled = |fill: u8| {
        let mut bad = b.clone();
        // the version byte and mvhd's fixed fields
        bad[pos + 4..pos + 100].fill(fill);
        probe_bytes(&bad)
    };
    for fill in [0xFFu8, 0x5A] {
        assert_eq!(codes(&filled(fill)), vec![IssueCode::Corrupt], "fill {fill:#x}");
    }
    // Zeros make a valid version-0 mvhd with no duration: the track's own header still has
    // it, as players find it.
    let zeroed = filled(0);
    assert_eq!(zeroed.duration_ms, Some(15_000));
    assert_eq!(zeroed.verdict, Verdict::Ok);
}

#[test]
fn oversized_file_reports_too_large_alongside_other_findings() {
    let facts = probe("vertical_15s_faststart.mp4").facts;
    let big = tiktok_rules::MediaFacts { size_bytes: 287_600_001, ..facts };
    let codes: Vec<_> = tiktok_rules::media::judge(&big, None).into_iter().map(|i| i.code).collect();
    assert_eq!(codes, vec![IssueCode::TooLarge]);
}

#[test]
fn creator_limit_rejudges() {
    let r = probe("moov_at_end.mp4").for_creator(15);
    assert_eq!(codes(&r), vec![IssueCode::TooLong]);
}

#[test]
fn json_has_the_cli_contract_fields() {
    let v = serde_json::to_value(probe("rotated_90.mov")).unwrap();
    for k in [
        "file",
        "verdict",
        "container",
        "size_bytes",
        "duration_ms",
        "width",
        "height",
        "rotation",
        "display_width",
        "display_height",
        "video_codec",
        "frame_rate",
        "bytes_read",
        "issues",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["container"], "mov");
    assert!(v["rotation"] == 90 || v["rotation"] == 270);
    let v = serde_json::to_value(probe("landscape.mp4")).unwrap();
    assert_eq!(v["issues"][0]["code"], "not_vertical");
    assert_eq!(v["issues"][0]["severity"], "warning");
    assert_eq!(v["verdict"], "warn");
}

#[test]
fn inputs_the_fuzzer_broke_once_give_reports() {
    let dir = format!("{}/tests/fuzz-regressions", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let r = probe_bytes(&bytes);
        assert_eq!(r.size_bytes, bytes.len() as u64);
        n += 1;
    }
    assert!(n > 0);
}
