//! What the probe tells: the facts and the issues, in the shape `letspost check --json` prints.

use serde::{Serialize, Serializer};
use tiktok_rules::fmt::{ratio_1dp, up_to_2dp};
use tiktok_rules::media::{self, Verdict};
use tiktok_rules::{Container, Issue, IssueCode, MediaFacts, VideoCodec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    R0,
    R90,
    R180,
    R270,
}

impl Rotation {
    pub fn degrees(self) -> u16 {
        match self {
            Rotation::R0 => 0,
            Rotation::R90 => 90,
            Rotation::R180 => 180,
            Rotation::R270 => 270,
        }
    }

    pub fn swaps_sides(self) -> bool {
        matches!(self, Rotation::R90 | Rotation::R270)
    }
}

impl Serialize for Rotation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.degrees())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The file's name, as the caller knows it (the CLI fills it in).
    pub file: Option<String>,
    pub verdict: Verdict,
    pub container: Option<Container>,
    pub size_bytes: u64,
    pub duration_ms: Option<u64>,
    /// Stored picture size (as encoded).
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub rotation: Rotation,
    /// Picture size as shown, after rotation.
    pub display_width: Option<u32>,
    pub display_height: Option<u32>,
    /// `h264`, `h265`, or the sample entry's code for anything else (e.g. `vp09`).
    pub video_codec: Option<String>,
    pub frame_rate: Option<f64>,
    /// How many bytes the probe read: headers only, never media data.
    pub bytes_read: u64,
    pub issues: Vec<Issue>,
    #[serde(skip)]
    pub facts: MediaFacts,
}

impl Report {
    /// A file judged by TikTok's rules (LetsPost's 10-minute cap; see [`Report::for_creator`]).
    pub fn judged(facts: MediaFacts, stored: Option<(u32, u32)>, rotation: Rotation) -> Report {
        let video_codec = facts.codec_fourcc.as_deref().map(|cc| {
            let known = <&[u8; 4]>::try_from(cc.as_bytes()).ok().and_then(VideoCodec::from_fourcc);
            known.map_or_else(|| cc.to_string(), |c| c.as_str().to_string())
        });
        let issues = media::judge(&facts, None);
        Report {
            file: None,
            verdict: media::verdict(&issues),
            container: facts.container,
            size_bytes: facts.size_bytes,
            duration_ms: facts.duration_ms,
            width: stored.map(|s| s.0),
            height: stored.map(|s| s.1),
            rotation,
            display_width: facts.display_width,
            display_height: facts.display_height,
            video_codec,
            frame_rate: facts.frame_rate,
            bytes_read: 0,
            issues,
            facts,
        }
    }

    /// A file the probe could not read as a video at all.
    pub fn refused(size: u64, container: Option<Container>, code: IssueCode, message: String) -> Report {
        let facts = MediaFacts { size_bytes: size, container, ..MediaFacts::default() };
        let mut issues = Vec::new();
        if size > media::MAX_SIZE_BYTES {
            issues.extend(media::judge(&facts, None).into_iter().filter(|i| i.code == IssueCode::TooLarge));
        }
        issues.push(Issue::new(code, message));
        Report {
            file: None,
            verdict: Verdict::Error,
            container,
            size_bytes: size,
            duration_ms: None,
            width: None,
            height: None,
            rotation: Rotation::R0,
            display_width: None,
            display_height: None,
            video_codec: None,
            frame_rate: None,
            bytes_read: 0,
            issues,
            facts,
        }
    }

    /// Judge again with a creator's `max_video_post_duration_sec` (from creator_info).
    pub fn for_creator(mut self, max_video_post_duration_sec: u32) -> Report {
        if self.facts.container.is_some() && !self.issues.iter().any(|i| i.code == IssueCode::Corrupt) {
            self.issues = media::judge(&self.facts, Some(max_video_post_duration_sec));
            self.verdict = media::verdict(&self.issues);
        }
        self
    }

    /// The facts people read, in order: `MP4`, `16.0 s`, `360×640`, `H264`, `30 fps`, `10.1 KB`.
    /// The CLI's line and the browser's result both show these.
    pub fn fact_list(&self) -> Vec<String> {
        let mut facts = Vec::new();
        if let Some(c) = self.container {
            facts.push(c.as_str().to_ascii_uppercase());
        }
        if let Some(ms) = self.duration_ms {
            facts.push(format!("{} s", ratio_1dp(ms, 1_000)));
        }
        if let (Some(w), Some(h)) = (self.display_width, self.display_height) {
            facts.push(format!("{w}×{h}"));
        }
        if let Some(c) = &self.video_codec {
            facts.push(c.to_ascii_uppercase());
        }
        if let Some(f) = self.frame_rate {
            facts.push(format!("{} fps", up_to_2dp(f)));
        }
        facts.push(human_bytes(self.size_bytes));
        facts
    }

    /// One line for people: `file: verdict (facts) — issue — issue`.
    pub fn line(&self) -> String {
        let name = self.file.as_deref().unwrap_or("-");
        let verdict = match self.verdict {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Error => "error",
        };
        let mut line = format!("{name}: {verdict} ({})", self.fact_list().join(", "));
        for i in &self.issues {
            line.push_str(&format!(" — {}: {}", i.code.as_str(), i.message));
        }
        line
    }
}

/// `10.1 KB`, `287.6 MB` (decimal, as TikTok states its limits).
pub fn human_bytes(n: u64) -> String {
    if n >= 1_000_000 { format!("{} MB", ratio_1dp(n, 1_000_000)) } else { format!("{} KB", ratio_1dp(n, 1_000)) }
}
