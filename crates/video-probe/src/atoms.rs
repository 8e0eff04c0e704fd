//! Decoding of the few boxes the probe needs inside `moov` and `moof`: mvhd, tkhd, mdhd,
//! hdlr, the first stsd entry, stts, mehd, trex, tfhd, trun. Everything else is skipped.
//!
//! Hand-written on purpose: mp4-atom (tried first) decodes every box type there is and
//! added ~150 KiB gzipped to the browser's first load; this needs a few KiB. Every read is
//! bounds-checked and every count is checked against the bytes that hold it, so hostile
//! input gives `Bad`, never a panic or a huge allocation (fuzzed: see fuzz/).

/// The box is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bad;

type R<T> = Result<T, Bad>;

/// A bounds-checked big-endian cursor.
struct Cur<'a> {
    b: &'a [u8],
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        if n > self.b.len() {
            return Err(Bad);
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(head)
    }
    fn u16(&mut self) -> R<u16> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into().map_err(|_| Bad)?))
    }
    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().map_err(|_| Bad)?))
    }
    fn u64(&mut self) -> R<u64> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().map_err(|_| Bad)?))
    }
    fn fourcc(&mut self) -> R<[u8; 4]> {
        self.take(4)?.try_into().map_err(|_| Bad)
    }
    /// Version and 24-bit flags of a full box.
    fn full(&mut self) -> R<(u8, u32)> {
        let v = self.u32()?;
        Ok(((v >> 24) as u8, v & 0x00FF_FFFF))
    }
    /// `u32` for version 0, `u64` for version 1.
    fn sized(&mut self, version: u8) -> R<u64> {
        match version {
            0 => self.u32().map(u64::from),
            1 => self.u64(),
            _ => Err(Bad),
        }
    }
    /// The start shared by mvhd, tkhd and mdhd: version, flags, creation and modification
    /// times (skipped). Returns the version, which sizes the fields after.
    fn header_with_times(&mut self) -> R<u8> {
        let (v, _) = self.full()?;
        self.sized(v)?;
        self.sized(v)?;
        Ok(v)
    }
    fn left(&self) -> usize {
        self.b.len()
    }
}

/// The child boxes of a container body: `(type, body)`.
fn children(body: &[u8]) -> impl Iterator<Item = R<([u8; 4], &[u8])>> {
    let mut rest = body;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || rest.len() < 8 {
            return None;
        }
        let mut c = Cur { b: rest };
        let item = (|| {
            let size = c.u32()?;
            let kind = c.fourcc()?;
            let (header, total) = match size {
                0 => (8, rest.len() as u64),
                1 => (16, c.u64()?),
                n => (8, u64::from(n)),
            };
            if total < header || total > rest.len() as u64 {
                return Err(Bad);
            }
            let body = &rest[header as usize..total as usize];
            rest = &rest[total as usize..];
            Ok((kind, body))
        })();
        failed = item.is_err();
        Some(item)
    })
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> R<Option<&'a [u8]>> {
    for c in children(body) {
        let (k, b) = c?;
        if &k == kind {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// A sample entry's four-character code and, for video, its stored width and height.
pub type SampleEntry = ([u8; 4], Option<(u16, u16)>);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Track {
    pub track_id: u32,
    /// Track matrix `a b / c d` (16.16 fixed point).
    pub matrix: [i32; 4],
    /// tkhd width/height, integer part.
    pub tkhd_size: (u32, u32),
    pub handler: [u8; 4],
    pub timescale: u32,
    pub duration: u64,
    /// First sample entry: four-character code and, for video, stored width/height.
    pub sample_entry: Option<SampleEntry>,
    /// From stts: (samples, ticks).
    pub samples: (u64, u64),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Movie {
    pub timescale: u32,
    pub duration: u64,
    pub tracks: Vec<Track>,
    /// Has `mvex`: the samples are in fragments.
    pub fragmented: bool,
    pub mehd_duration: Option<u64>,
    /// track_id → default sample duration
    pub trex: Vec<(u32, u32)>,
}

/// Decode a `moov` body.
pub fn moov(body: &[u8]) -> R<Movie> {
    let mut m = Movie::default();
    let mut has_mvhd = false;
    for c in children(body) {
        let (kind, b) = c?;
        match &kind {
            b"mvhd" => {
                let mut c = Cur { b };
                let v = c.header_with_times()?;
                m.timescale = c.u32()?;
                m.duration = c.sized(v)?;
                has_mvhd = true;
            }
            b"trak" => m.tracks.push(trak(b)?),
            b"mvex" => {
                m.fragmented = true;
                for c in children(b) {
                    let (kind, b) = c?;
                    let mut c = Cur { b };
                    match &kind {
                        b"mehd" => {
                            let (v, _) = c.full()?;
                            m.mehd_duration = Some(c.sized(v)?);
                        }
                        b"trex" => {
                            c.full()?;
                            let id = c.u32()?;
                            c.u32()?; // default_sample_description_index
                            m.trex.push((id, c.u32()?));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if has_mvhd { Ok(m) } else { Err(Bad) }
}

fn trak(body: &[u8]) -> R<Track> {
    let mut t = Track::default();
    let tkhd = child(body, b"tkhd")?.ok_or(Bad)?;
    let mut c = Cur { b: tkhd };
    let v = c.header_with_times()?;
    t.track_id = c.u32()?;
    c.u32()?; // reserved
    c.sized(v)?; // duration
    c.take(8 + 2 + 2 + 2 + 2)?; // reserved, layer, alternate_group, volume, reserved
    let mut matrix = [0i32; 9];
    for x in &mut matrix {
        *x = c.u32()? as i32;
    }
    t.matrix = [matrix[0], matrix[1], matrix[3], matrix[4]];
    t.tkhd_size = (c.u32()? >> 16, c.u32()? >> 16);

    let mdia = child(body, b"mdia")?.ok_or(Bad)?;
    let mdhd = child(mdia, b"mdhd")?.ok_or(Bad)?;
    let mut c = Cur { b: mdhd };
    let v = c.header_with_times()?;
    t.timescale = c.u32()?;
    t.duration = c.sized(v)?;
    if let Some(hdlr) = child(mdia, b"hdlr")? {
        let mut c = Cur { b: hdlr };
        c.full()?;
        c.u32()?; // pre_defined (QuickTime: component type)
        t.handler = c.fourcc()?;
    }
    let Some(stbl) = child(mdia, b"minf")?.map(|minf| child(minf, b"stbl")).transpose()?.flatten() else {
        return Ok(t);
    };
    if let Some(stsd) = child(stbl, b"stsd")? {
        let mut c = Cur { b: stsd };
        c.full()?;
        if c.u32()? > 0
            && let Some(entry) = children(c.b).next()
        {
            let (format, b) = entry?;
            let dims = if &t.handler == b"vide" {
                let mut c = Cur { b };
                c.take(24)?; // SampleEntry (8) + VisualSampleEntry pre_defined/reserved (16)
                Some((c.u16()?, c.u16()?))
            } else {
                None
            };
            t.sample_entry = Some((format, dims));
        }
    }
    if let Some(stts) = child(stbl, b"stts")? {
        let mut c = Cur { b: stts };
        c.full()?;
        let n = c.u32()? as usize;
        if n.checked_mul(8).is_none_or(|need| need > c.left()) {
            return Err(Bad);
        }
        for _ in 0..n {
            let count = u64::from(c.u32()?);
            let delta = u64::from(c.u32()?);
            // Hostile tables can sum past u64: saturate (the result is then implausible, and judged so).
            t.samples.0 = t.samples.0.saturating_add(count);
            t.samples.1 = t.samples.1.saturating_add(count * delta);
        }
    }
    Ok(t)
}

/// One `traf` of a `moof`: track, samples, ticks with a known duration, and samples whose
/// duration is `trex`'s default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Run {
    pub track_id: u32,
    pub samples: u64,
    pub ticks: u64,
    pub default_duration_samples: u64,
}

/// Decode a `moof` body into its runs.
pub fn moof(body: &[u8]) -> R<Vec<Run>> {
    let mut runs = Vec::new();
    for c in children(body) {
        let (kind, traf) = c?;
        if &kind != b"traf" {
            continue;
        }
        let tfhd = child(traf, b"tfhd")?.ok_or(Bad)?;
        let mut c = Cur { b: tfhd };
        let (_, flags) = c.full()?;
        let mut run = Run { track_id: c.u32()?, ..Run::default() };
        if flags & 0x1 != 0 {
            c.u64()?;
        }
        if flags & 0x2 != 0 {
            c.u32()?;
        }
        let default = if flags & 0x8 != 0 { Some(c.u32()?) } else { None };
        for c in children(traf) {
            let (kind, b) = c?;
            if &kind != b"trun" {
                continue;
            }
            let mut c = Cur { b };
            let (_, flags) = c.full()?;
            let count = u64::from(c.u32()?);
            if flags & 0x1 != 0 {
                c.u32()?;
            }
            if flags & 0x4 != 0 {
                c.u32()?;
            }
            let fields = [0x100, 0x200, 0x400, 0x800].iter().filter(|&&f| flags & f != 0).count() as u64;
            if count.checked_mul(4 * fields).is_none_or(|need| need > c.left() as u64) {
                return Err(Bad);
            }
            run.samples = run.samples.saturating_add(count);
            if flags & 0x100 != 0 {
                for _ in 0..count {
                    run.ticks = run.ticks.saturating_add(u64::from(c.u32()?));
                    c.take(4 * (fields as usize - 1))?;
                }
            } else if let Some(d) = default {
                run.ticks = run.ticks.saturating_add(count.saturating_mul(u64::from(d)));
            } else {
                run.default_duration_samples = run.default_duration_samples.saturating_add(count);
            }
        }
        runs.push(run);
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn children_refuse_sizes_past_their_parent() {
        let mut b = bx(b"free", &[0; 4]);
        b[3] = 200;
        assert_eq!(children(&b).next(), Some(Err(Bad)));
        assert_eq!(children(&[0, 0, 0, 4, b'f', b'r', b'e', b'e']).next(), Some(Err(Bad)));
    }

    #[test]
    fn moov_needs_an_mvhd_and_a_known_version() {
        assert_eq!(moov(&bx(b"free", &[])), Err(Bad));
        let mut mvhd = vec![2, 0, 0, 0];
        mvhd.extend_from_slice(&[0; 96]);
        assert_eq!(moov(&bx(b"mvhd", &mvhd)), Err(Bad));
        let mut v0 = vec![0u8; 4 + 8];
        v0.extend_from_slice(&1000u32.to_be_bytes());
        v0.extend_from_slice(&15_000u32.to_be_bytes());
        let m = moov(&bx(b"mvhd", &v0)).unwrap();
        assert_eq!((m.timescale, m.duration), (1000, 15_000));
    }

    #[test]
    fn stts_counts_beyond_the_box_are_bad_not_allocations() {
        let mut stts = vec![0, 0, 0, 0];
        stts.extend_from_slice(&u32::MAX.to_be_bytes());
        let stbl = bx(b"stbl", &bx(b"stts", &stts));
        let mut mdhd = vec![0u8; 12];
        mdhd.extend_from_slice(&[0, 0, 0x75, 0x30, 0, 0, 0, 0]);
        let mdia = [bx(b"mdhd", &mdhd), bx(b"minf", &stbl)].concat();
        let mut tkhd = vec![0u8; 84];
        tkhd[0] = 0;
        let trak = [bx(b"tkhd", &tkhd), bx(b"mdia", &mdia)].concat();
        assert_eq!(super::trak(&trak), Err(Bad));
    }

    #[test]
    fn trun_sample_counts_beyond_the_box_are_bad() {
        let tfhd = bx(b"tfhd", &[0, 0, 0, 0, 0, 0, 0, 1]);
        let mut trun = vec![0, 0, 1, 0];
        trun.extend_from_slice(&1_000_000u32.to_be_bytes());
        let traf = bx(b"traf", &[tfhd, bx(b"trun", &trun)].concat());
        assert_eq!(moof(&traf), Err(Bad));
    }
}
