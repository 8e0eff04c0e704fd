//! From decoded `moov` (and `moof`s) to the facts TikTok's rules judge.

use crate::report::{Report, Rotation};
use mp4_atom::{Codec, Moof, Moov, Trak};
use std::collections::HashMap;
use tiktok_rules::{Container, MediaFacts};

/// Sample counts and durations of a fragmented file, per track, from the `moof` headers.
#[derive(Debug, Default)]
pub struct Fragments {
    /// track_id → (samples, ticks in the track's timescale)
    per_track: HashMap<u32, (u64, u64)>,
    /// Samples whose duration comes from `trex` (known only with the moov).
    pending_default: HashMap<u32, u64>,
}

impl Fragments {
    /// Are fragment durations needed? Only for fragmented files whose moov has no total
    /// duration (no `mehd`, zero `mvhd` duration), or when no moov has been seen.
    pub fn need_durations(&self, moov: Option<&Moov>) -> bool {
        match moov {
            None => true,
            Some(m) => match &m.mvex {
                None => false,
                Some(mvex) => known(m.mvhd.duration) == 0 && mvex.mehd.as_ref().is_none_or(|h| known(h.fragment_duration) == 0),
            },
        }
    }

    pub fn add(&mut self, moof: &Moof) {
        for traf in &moof.traf {
            let id = traf.tfhd.track_id;
            let default = traf.tfhd.default_sample_duration;
            let entry = self.per_track.entry(id).or_default();
            for trun in &traf.trun {
                for s in trun.samples.iter() {
                    entry.0 += 1;
                    match s.duration.or(default) {
                        Some(d) => entry.1 += u64::from(d),
                        None => *self.pending_default.entry(id).or_default() += 1,
                    }
                }
            }
        }
    }

    /// (samples, ticks) of a track, with `trex` defaults applied.
    fn totals(&self, moov: &Moov, track_id: u32) -> Option<(u64, u64)> {
        let (samples, mut ticks) = *self.per_track.get(&track_id)?;
        if let Some(n) = self.pending_default.get(&track_id) {
            let trex = moov.mvex.as_ref()?.trex.iter().find(|t| t.track_id == track_id)?;
            ticks += n * u64::from(trex.default_sample_duration);
        }
        Some((samples, ticks))
    }
}

/// All-ones durations mean "unknown" in ISO-BMFF.
fn known(d: u64) -> u64 {
    if d == u64::from(u32::MAX) || d == u64::MAX { 0 } else { d }
}

fn is_video(t: &Trak) -> bool {
    t.mdia.hdlr.handler == b"vide".into()
}

/// The sample entry's four-character code and stored picture size.
fn sample_entry(codec: &Codec) -> (String, Option<(u16, u16)>) {
    let v = |vis: &mp4_atom::Visual| Some((vis.width, vis.height));
    match codec {
        Codec::Avc1(c) => ("avc1".into(), v(&c.visual)),
        Codec::Avc3(c) => ("avc3".into(), v(&c.visual)),
        Codec::Hev1(c) => ("hev1".into(), v(&c.visual)),
        Codec::Hvc1(c) => ("hvc1".into(), v(&c.visual)),
        Codec::Vp09(c) => ("vp09".into(), v(&c.visual)),
        Codec::Vp08(c) => ("vp08".into(), v(&c.visual)),
        Codec::Av01(c) => ("av01".into(), v(&c.visual)),
        Codec::Jpeg(c) => ("jpeg".into(), v(&c.visual)),
        Codec::Unknown(cc, _) => (String::from_utf8_lossy(&<[u8; 4]>::from(*cc)).into_owned(), None),
        _ => ("unknown".into(), None),
    }
}

/// Rotation from the track matrix (16.16 fixed point `a b / c d`), in right angles only.
pub fn rotation(m: &mp4_atom::Matrix) -> Rotation {
    match (m.a.signum(), m.b.signum(), m.c.signum(), m.d.signum()) {
        (0, 1, -1, 0) => Rotation::R90,
        (-1, 0, 0, -1) => Rotation::R180,
        (0, -1, 1, 0) => Rotation::R270,
        _ => Rotation::R0,
    }
}

fn ms(ticks: u64, timescale: u32) -> Option<u64> {
    (timescale > 0 && ticks > 0).then(|| (u128::from(ticks) * 1000 / u128::from(timescale)) as u64)
}

pub fn report(size: u64, container: Container, moov: &Moov, fragments: &Fragments) -> Report {
    let video = moov.trak.iter().find(|t| is_video(t));
    let mdhd_scale = video.map_or(0, |t| t.mdia.mdhd.timescale);
    let frag = video.and_then(|t| fragments.totals(moov, t.tkhd.track_id));

    let duration_ms = ms(known(moov.mvhd.duration), moov.mvhd.timescale)
        .or_else(|| {
            let mehd = moov.mvex.as_ref()?.mehd.as_ref()?;
            ms(known(mehd.fragment_duration), moov.mvhd.timescale)
        })
        .or_else(|| video.and_then(|t| ms(known(t.mdia.mdhd.duration), mdhd_scale)))
        .or_else(|| frag.and_then(|(_, ticks)| ms(ticks, mdhd_scale)));

    let mut facts = MediaFacts { size_bytes: size, container: Some(container), duration_ms, ..MediaFacts::default() };
    let mut rot = Rotation::R0;
    let mut stored = None;
    if let Some(t) = video {
        facts.has_video_track = true;
        rot = rotation(&t.tkhd.matrix);
        let (cc, dims) = t.mdia.minf.stbl.stsd.codecs.first().map(sample_entry).unwrap_or(("unknown".into(), None));
        facts.codec_fourcc = Some(cc);
        let (w, h) = dims.map_or((t.tkhd.width.integer(), t.tkhd.height.integer()), |d| d);
        stored = Some((u32::from(w), u32::from(h)));
        let (dw, dh) = if rot.swaps_sides() { (u32::from(h), u32::from(w)) } else { (u32::from(w), u32::from(h)) };
        facts.display_width = Some(dw);
        facts.display_height = Some(dh);
        let stts = &t.mdia.minf.stbl.stts.entries;
        let (samples, ticks) = if stts.is_empty() {
            frag.unwrap_or((0, 0))
        } else {
            stts.iter().fold((0u64, 0u64), |(n, d), e| {
                (n + u64::from(e.sample_count), d + u64::from(e.sample_count) * u64::from(e.sample_delta))
            })
        };
        if samples > 1 && ticks > 0 && mdhd_scale > 0 {
            let fps = samples as f64 * f64::from(mdhd_scale) / ticks as f64;
            facts.frame_rate = Some((fps * 1000.0).round() / 1000.0);
        }
    }
    Report::judged(facts, stored, rot)
}
