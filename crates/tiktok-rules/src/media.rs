//! What TikTok accepts as a video, and the issues LetsPost reports about one.
//!
//! A prober (crates/video-probe) turns a file's headers into [`MediaFacts`]; [`judge`] turns
//! facts into [`Issue`]s. The same judgement runs in the browser, the Worker, the CLI and the
//! emulator, so a creator is never told "fine" by one and "refused" by another.

use serde::{Deserialize, Serialize};

/// LetsPost's size cap: 287.6 MB, read as 287,600,000 bytes (decimal MB).
pub const MAX_SIZE_BYTES: u64 = 287_600_000;
/// 15 s, inclusive.
pub const MIN_DURATION_MS: u64 = 15_000;
/// 10 min, inclusive.
pub const MAX_DURATION_MS: u64 = 600_000;
pub const MIN_FPS: f64 = 23.0;
pub const MAX_FPS: f64 = 60.0;
/// Each side of the displayed picture, in pixels.
pub const MIN_SIDE_PX: u32 = 360;
pub const MAX_SIDE_PX: u32 = 4_096;
/// 9:16 is preferred; anything this far from it (relative) is "letterboxed".
const VERTICAL_TOLERANCE: f64 = 0.02;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Container {
    Mp4,
    Mov,
}

impl Container {
    pub fn as_str(self) -> &'static str {
        match self {
            Container::Mp4 => "mp4",
            Container::Mov => "mov",
        }
    }

    /// The `Content-Type` TikTok's upload URL expects.
    pub fn mime(self) -> &'static str {
        match self {
            Container::Mp4 => "video/mp4",
            Container::Mov => "video/quicktime",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoCodec {
    H264,
    H265,
}

impl VideoCodec {
    /// From an ISO-BMFF sample entry four-character code.
    pub fn from_fourcc(fourcc: &[u8; 4]) -> Option<VideoCodec> {
        match fourcc {
            b"avc1" | b"avc2" | b"avc3" | b"avc4" => Some(VideoCodec::H264),
            b"hvc1" | b"hev1" => Some(VideoCodec::H265),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VideoCodec::H264 => "h264",
            VideoCodec::H265 => "h265",
        }
    }
}

/// What a prober learned about a file. `None` = not known (e.g. no video track).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MediaFacts {
    pub size_bytes: u64,
    pub container: Option<Container>,
    pub duration_ms: Option<u64>,
    /// Width and height after the track matrix's rotation: what viewers see.
    pub display_width: Option<u32>,
    pub display_height: Option<u32>,
    /// The sample entry's code, e.g. `avc1`, when it is a video track's.
    pub codec_fourcc: Option<String>,
    pub frame_rate: Option<f64>,
    pub has_video_track: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    UnsupportedFormat,
    NoVideoTrack,
    Corrupt,
    TooShort,
    TooLong,
    TooLarge,
    NotVertical,
    FrameRate,
    Resolution,
    Codec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl IssueCode {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::UnsupportedFormat => "unsupported_format",
            IssueCode::NoVideoTrack => "no_video_track",
            IssueCode::Corrupt => "corrupt",
            IssueCode::TooShort => "too_short",
            IssueCode::TooLong => "too_long",
            IssueCode::TooLarge => "too_large",
            IssueCode::NotVertical => "not_vertical",
            IssueCode::FrameRate => "frame_rate",
            IssueCode::Resolution => "resolution",
            IssueCode::Codec => "codec",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            IssueCode::NotVertical => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The `fail_reason` TikTok gives after it has the bytes (too_large never gets that far:
    /// init refuses it). The 15 s minimum is LetsPost's product rule, not TikTok's: TikTok
    /// takes a shorter video, so too_short has no fail_reason (LetsPost refuses it before upload).
    pub fn tiktok_fail_reason(self) -> Option<&'static str> {
        match self {
            IssueCode::UnsupportedFormat | IssueCode::NoVideoTrack | IssueCode::Corrupt | IssueCode::Codec => Some("file_format_check_failed"),
            IssueCode::TooLong => Some("duration_check_failed"),
            IssueCode::FrameRate => Some("frame_rate_check_failed"),
            IssueCode::Resolution => Some("picture_size_check_failed"),
            IssueCode::TooShort | IssueCode::TooLarge | IssueCode::NotVertical => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub code: IssueCode,
    pub severity: Severity,
    pub message: String,
}

impl Issue {
    pub fn new(code: IssueCode, message: impl Into<String>) -> Issue {
        Issue { code, severity: code.severity(), message: message.into() }
    }
}

/// `ok`, `warn` or `error`: the worst severity among the issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Warn,
    Error,
}

pub fn verdict(issues: &[Issue]) -> Verdict {
    match issues.iter().map(|i| i.severity).max() {
        None => Verdict::Ok,
        Some(Severity::Warning) => Verdict::Warn,
        Some(Severity::Error) => Verdict::Error,
    }
}

fn fmt_duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 60 { format!("{}:{:02} min", s / 60, s % 60) } else { format!("{}.{} s", s, (ms % 1000) / 100) }
}

/// The longest video this creator may post: LetsPost's 10 min, or less if TikTok says so.
pub fn max_duration_ms(creator_max_sec: Option<u32>) -> u64 {
    match creator_max_sec {
        Some(sec) => MAX_DURATION_MS.min(u64::from(sec) * 1000),
        None => MAX_DURATION_MS,
    }
}

/// Every rule applied to what a prober found. A container TikTok refuses, or a missing video
/// track, ends the judgement (nothing else about such a file matters to a creator).
pub fn judge(facts: &MediaFacts, creator_max_sec: Option<u32>) -> Vec<Issue> {
    let mut issues = Vec::new();
    if facts.size_bytes > MAX_SIZE_BYTES {
        issues.push(Issue::new(
            IssueCode::TooLarge,
            format!("The file is {} MB; TikTok takes up to 287.6 MB. Export it at a lower bitrate.", crate::fmt::ratio_1dp(facts.size_bytes, 1_000_000)),
        ));
    }
    if facts.container.is_none() {
        issues.push(Issue::new(IssueCode::UnsupportedFormat, "This is not an MP4 or MOV video. Export it as MP4 (H.264)."));
        return issues;
    }
    if !facts.has_video_track {
        issues.push(Issue::new(IssueCode::NoVideoTrack, "This file has no video track (audio only?). TikTok needs a video."));
        return issues;
    }
    if let Some(ms) = facts.duration_ms {
        let max = max_duration_ms(creator_max_sec);
        if ms < MIN_DURATION_MS {
            issues.push(Issue::new(IssueCode::TooShort, format!("The video is {}; it must be at least 15 seconds.", fmt_duration(ms))));
        } else if ms > max {
            issues.push(Issue::new(IssueCode::TooLong, format!("The video is {}; the longest you can post is {}.", fmt_duration(ms), fmt_duration(max))));
        }
    }
    match facts.codec_fourcc.as_deref() {
        Some(cc) if cc.len() == 4 && VideoCodec::from_fourcc(cc.as_bytes().try_into().unwrap()).is_some() => {}
        Some(cc) => issues.push(Issue::new(IssueCode::Codec, format!("The video is encoded as '{cc}'; TikTok takes H.264 or H.265. Re-export it as H.264."))),
        None => {}
    }
    if let Some(fps) = facts.frame_rate
        && !(MIN_FPS - 0.01..=MAX_FPS + 0.01).contains(&fps)
    {
        issues.push(Issue::new(IssueCode::FrameRate, format!("The video runs at {fps:.2} frames per second; TikTok takes 23 to 60.")));
    }
    if let (Some(w), Some(h)) = (facts.display_width, facts.display_height) {
        let fits = |side: u32| (MIN_SIDE_PX..=MAX_SIDE_PX).contains(&side);
        if !fits(w) || !fits(h) {
            issues.push(Issue::new(IssueCode::Resolution, format!("The picture is {w}×{h}; each side must be between 360 and 4096 pixels.")));
        } else if !is_vertical_9_16(w, h) {
            issues.push(Issue::new(IssueCode::NotVertical, format!("The picture is {w}×{h}, not 9:16: TikTok will show it letterboxed (with bars).")));
        }
    }
    issues
}

/// Is the displayed picture 9:16 (within 2 %)?
pub fn is_vertical_9_16(width: u32, height: u32) -> bool {
    if width == 0 || height == 0 {
        return false;
    }
    let ratio = f64::from(width) / f64::from(height);
    ((ratio - 9.0 / 16.0) / (9.0 / 16.0)).abs() <= VERTICAL_TOLERANCE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> MediaFacts {
        MediaFacts {
            size_bytes: 10_000_000,
            container: Some(Container::Mp4),
            duration_ms: Some(30_000),
            display_width: Some(1080),
            display_height: Some(1920),
            codec_fourcc: Some("avc1".into()),
            frame_rate: Some(30.0),
            has_video_track: true,
        }
    }

    fn codes(f: &MediaFacts, max: Option<u32>) -> Vec<IssueCode> {
        judge(f, max).into_iter().map(|i| i.code).collect()
    }

    #[test]
    fn a_vertical_h264_clip_passes() {
        assert_eq!(codes(&good(), None), vec![]);
        assert_eq!(verdict(&judge(&good(), None)), Verdict::Ok);
    }

    #[test]
    fn size_cap_is_287_6_million_bytes() {
        assert_eq!(codes(&MediaFacts { size_bytes: 287_600_000, ..good() }, None), vec![]);
        assert_eq!(codes(&MediaFacts { size_bytes: 287_600_001, ..good() }, None), vec![IssueCode::TooLarge]);
    }

    #[test]
    fn duration_bounds_are_inclusive() {
        let d = |ms| codes(&MediaFacts { duration_ms: Some(ms), ..good() }, None);
        assert_eq!(d(15_000), vec![]);
        assert_eq!(d(14_999), vec![IssueCode::TooShort]);
        assert_eq!(d(600_000), vec![]);
        assert_eq!(d(600_001), vec![IssueCode::TooLong]);
    }

    #[test]
    fn creator_max_duration_lowers_the_limit_but_never_raises_it() {
        let f = MediaFacts { duration_ms: Some(61_000), ..good() };
        assert_eq!(codes(&f, Some(60)), vec![IssueCode::TooLong]);
        assert_eq!(codes(&MediaFacts { duration_ms: Some(60_000), ..good() }, Some(60)), vec![]);
        let long = MediaFacts { duration_ms: Some(700_000), ..good() };
        assert_eq!(codes(&long, Some(3_600)), vec![IssueCode::TooLong]);
        assert!(judge(&f, Some(60))[0].message.contains("1:00 min"));
    }

    #[test]
    fn frame_rate_23_to_60() {
        let r = |fps| codes(&MediaFacts { frame_rate: Some(fps), ..good() }, None);
        assert_eq!(r(23.0), vec![]);
        assert_eq!(r(23.976), vec![]);
        assert_eq!(r(60.0), vec![]);
        assert_eq!(r(22.5), vec![IssueCode::FrameRate]);
        assert_eq!(r(120.0), vec![IssueCode::FrameRate]);
    }

    #[test]
    fn sides_360_to_4096_and_9_16_preferred() {
        let px = |w, h| codes(&MediaFacts { display_width: Some(w), display_height: Some(h), ..good() }, None);
        assert_eq!(px(360, 640), vec![]);
        assert_eq!(px(2304, 4096), vec![]);
        assert_eq!(px(359, 640), vec![IssueCode::Resolution]);
        assert_eq!(px(2304, 4097), vec![IssueCode::Resolution]);
        assert_eq!(px(1920, 1080), vec![IssueCode::NotVertical]);
        assert_eq!(px(1080, 1080), vec![IssueCode::NotVertical]);
        assert_eq!(verdict(&judge(&MediaFacts { display_width: Some(1920), display_height: Some(1080), ..good() }, None)), Verdict::Warn);
    }

    #[test]
    fn codec_must_be_h264_or_h265() {
        for ok in ["avc1", "avc3", "hvc1", "hev1"] {
            assert_eq!(codes(&MediaFacts { codec_fourcc: Some(ok.into()), ..good() }, None), vec![], "{ok}");
        }
        assert_eq!(codes(&MediaFacts { codec_fourcc: Some("vp09".into()), ..good() }, None), vec![IssueCode::Codec]);
    }

    #[test]
    fn not_a_video_stops_the_judgement() {
        let f = MediaFacts { container: None, ..good() };
        assert_eq!(codes(&f, None), vec![IssueCode::UnsupportedFormat]);
        let f = MediaFacts { has_video_track: false, duration_ms: Some(1), ..good() };
        assert_eq!(codes(&f, None), vec![IssueCode::NoVideoTrack]);
    }

    #[test]
    fn issue_codes_map_to_tiktoks_fail_reasons() {
        assert_eq!(IssueCode::TooLong.tiktok_fail_reason(), Some("duration_check_failed"));
        assert_eq!(IssueCode::TooShort.tiktok_fail_reason(), None, "15 s is LetsPost's minimum, not TikTok's");
        assert_eq!(IssueCode::FrameRate.tiktok_fail_reason(), Some("frame_rate_check_failed"));
        assert_eq!(IssueCode::Resolution.tiktok_fail_reason(), Some("picture_size_check_failed"));
        assert_eq!(IssueCode::Corrupt.tiktok_fail_reason(), Some("file_format_check_failed"));
        assert_eq!(IssueCode::NotVertical.tiktok_fail_reason(), None);
        assert_eq!(serde_json::to_string(&IssueCode::NotVertical).unwrap(), "\"not_vertical\"");
    }
}
