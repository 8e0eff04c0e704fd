//! From decoded `moov` (and `moof`s) to the facts TikTok's rules judge.

use crate::atoms::{Movie, Run, Track};
use crate::report::{Report, Rotation};
use std::collections::HashMap;
use tiktok_rules::{Container, MediaFacts};

/// Sample counts and durations of a fragmented file, per track, from the `moof` headers.
#[derive(Debug, Default)]
pub struct Fragments {
    /// track_id → (samples, ticks, samples with trex's default duration)
    per_track: HashMap<u32, (u64, u64, u64)>,
}

impl Fragments {
    /// Are fragment durations needed? Only for fragmented files whose moov has no total
    /// duration (no `mehd`, zero `mvhd` duration), or when no moov has been seen.
    pub fn need_durations(&self, moov: Option<&Movie>) -> bool {
        moov.is_none_or(|m| m.fragmented && known(m.duration) == 0 && m.mehd_duration.is_none_or(|d| known(d) == 0))
    }

    pub fn add(&mut self, runs: &[Run]) {
        for r in runs {
            let e = self.per_track.entry(r.track_id).or_default();
            e.0 = e.0.saturating_add(r.samples);
            e.1 = e.1.saturating_add(r.ticks);
            e.2 = e.2.saturating_add(r.default_duration_samples);
        }
    }

    /// (samples, ticks) of a track, with `trex` defaults applied.
    fn totals(&self, moov: &Movie, track_id: u32) -> Option<(u64, u64)> {
        let &(samples, ticks, defaulted) = self.per_track.get(&track_id)?;
        let default = moov.trex.iter().find(|t| t.0 == track_id).map_or(0, |t| u64::from(t.1));
        Some((samples, ticks.saturating_add(defaulted.saturating_mul(default))))
    }
}

/// All-ones durations mean "unknown" in ISO-BMFF.
fn known(d: u64) -> u64 {
    if d == u64::from(u32::MAX) || d == u64::MAX { 0 } else { d }
}

/// Rotation from the track matrix (16.16 fixed point `a b / c d`), in right angles only.
pub fn rotation([a, b, c, d]: [i32; 4]) -> Rotation {
    match (a.signum(), b.signum(), c.signum(), d.signum()) {
        (0, 1, -1, 0) => Rotation::R90,
        (-1, 0, 0, -1) => Rotation::R180,
        (0, -1, 1, 0) => Rotation::R270,
        _ => Rotation::R0,
    }
}

fn ms(ticks: u64, timescale: u32) -> Option<u64> {
    (timescale > 0 && ticks > 0).then(|| u64::try_from(u128::from(ticks) * 1000 / u128::from(timescale)).unwrap_or(u64::MAX))
}

fn fourcc(cc: &[u8; 4]) -> String {
    cc.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '?' }).collect()
}

pub fn report(size: u64, container: Container, moov: &Movie, fragments: &Fragments) -> Report {
    let video: Option<&Track> = moov.tracks.iter().find(|t| &t.handler == b"vide");
    let scale = video.map_or(0, |t| t.timescale);
    let frag = video.and_then(|t| fragments.totals(moov, t.track_id));

    let duration_ms = ms(known(moov.duration), moov.timescale)
        .or_else(|| ms(known(moov.mehd_duration?), moov.timescale))
        .or_else(|| video.and_then(|t| ms(known(t.duration), scale)))
        .or_else(|| frag.and_then(|(_, ticks)| ms(ticks, scale)));

    let mut facts = MediaFacts { size_bytes: size, container: Some(container), duration_ms, ..MediaFacts::default() };
    let mut rot = Rotation::R0;
    let mut stored = None;
    if let Some(t) = video {
        facts.has_video_track = true;
        rot = rotation(t.matrix);
        let (cc, dims) = t.sample_entry.unwrap_or((*b"none", None));
        facts.codec_fourcc = Some(fourcc(&cc));
        let (w, h) = dims.map_or(t.tkhd_size, |(w, h)| (u32::from(w), u32::from(h)));
        stored = Some((w, h));
        let (dw, dh) = if rot.swaps_sides() { (h, w) } else { (w, h) };
        facts.display_width = Some(dw);
        facts.display_height = Some(dh);
        let (samples, ticks) = if t.samples.0 > 0 { t.samples } else { frag.unwrap_or((0, 0)) };
        if samples > 1 && ticks > 0 && scale > 0 {
            let fps = samples as f64 * f64::from(scale) / ticks as f64;
            facts.frame_rate = Some((fps * 1000.0).round() / 1000.0);
        }
    }
    Report::judged(facts, stored, rot)
}
