//! The probe's state machine: which bytes to read next, and what they mean.

use crate::atoms::{self, Movie};
use crate::boxes::{self, BoxHeader, HeaderError, MAX_HEADER};
use crate::facts::{self, Fragments};
use crate::report::Report;
use crate::sniff::{self, Foreign};
use tiktok_rules::{Container, IssueCode};

/// Bytes read up front: enough for `ftyp`, a faststart `moov` of a short clip, and the
/// magic numbers of images.
pub const HEAD_LEN: u64 = 16 * 1024;
/// Larger `moov`s are refused as corrupt rather than allocated: a 10-minute 60 fps video's
/// sample tables take a few MB.
const MAX_MOOV: u64 = 64 * 1024 * 1024;
const MAX_MOOF: u64 = 16 * 1024 * 1024;

/// A range to read: `len` bytes from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    pub offset: u64,
    pub len: u64,
}

#[derive(Debug)]
enum Want {
    Head,
    Header { at: u64 },
    Body { header: BoxHeader, at: u64, prefix: Vec<u8> },
}

/// A probe of one file. Loop: `next_read()` → fetch those bytes → `feed(bytes)`, until
/// `next_read()` is `None`; then `finish()`.
pub struct Probe {
    size: u64,
    head: Vec<u8>,
    pos: u64,
    want: Option<Want>,
    bytes_read: u64,
    container: Option<Container>,
    moov: Option<Movie>,
    fragments: Fragments,
    result: Option<Report>,
}

impl Probe {
    pub fn new(size: u64) -> Probe {
        let mut p = Probe {
            size,
            head: Vec::new(),
            pos: 0,
            want: Some(Want::Head),
            bytes_read: 0,
            container: None,
            moov: None,
            fragments: Fragments::default(),
            result: None,
        };
        if size == 0 {
            p.fail(IssueCode::Corrupt, "The file is empty.");
        }
        p
    }

    /// The next range to read, or `None` when the probe has what it needs.
    pub fn next_read(&self) -> Option<Read> {
        if self.result.is_some() {
            return None;
        }
        Some(match self.want.as_ref()? {
            Want::Head => Read { offset: 0, len: self.size.min(HEAD_LEN) },
            Want::Header { at } => Read { offset: *at, len: (self.size - at).min(MAX_HEADER as u64) },
            Want::Body { header, at, prefix } => {
                let start = at + prefix.len() as u64;
                Read { offset: start, len: at + header.size - start }
            }
        })
    }

    /// Hand over the bytes of the last `next_read()`. Fewer bytes than asked means the file
    /// ended early (it changed, or the reader failed): the file is then reported corrupt.
    pub fn feed(&mut self, bytes: &[u8]) {
        let Some(read) = self.next_read() else { return };
        self.bytes_read += bytes.len() as u64;
        if (bytes.len() as u64) < read.len {
            return self.fail(IssueCode::Corrupt, "The file ended before its headers did (was it cut short?).");
        }
        let bytes = &bytes[..read.len as usize];
        match self.want.take() {
            Some(Want::Head) => {
                self.head = bytes.to_vec();
                if let Some(f) = sniff::foreign_magic(&self.head) {
                    return self.unsupported(f);
                }
                self.walk();
            }
            Some(Want::Header { at }) => self.on_header(at, bytes),
            Some(Want::Body { header, at, mut prefix }) => {
                prefix.extend_from_slice(bytes);
                self.on_body(header, at, &prefix);
            }
            None => {}
        }
    }

    /// The report, once `next_read()` is `None` (earlier: whatever is known, as corrupt).
    pub fn finish(mut self) -> Report {
        if self.result.is_none() {
            if self.want.is_some() {
                self.fail(IssueCode::Corrupt, "The file could not be read to the end of its headers.");
            } else {
                self.conclude();
            }
        }
        let mut r = self.result.take().expect("concluded");
        r.bytes_read = self.bytes_read;
        r
    }

    fn in_head(&self, from: u64, len: u64) -> Option<&[u8]> {
        let end = from.checked_add(len)?;
        (end <= self.head.len() as u64).then(|| &self.head[from as usize..end as usize])
    }

    /// Walk top-level boxes from `self.pos`, using the head where it covers them, until a read
    /// is needed or the file ends.
    fn walk(&mut self) {
        while self.result.is_none() && self.want.is_none() {
            if self.pos >= self.size {
                return self.conclude();
            }
            let len = (self.size - self.pos).min(MAX_HEADER as u64);
            match self.in_head(self.pos, len).map(<[u8]>::to_vec) {
                Some(h) => self.on_header(self.pos, &h),
                None => self.want = Some(Want::Header { at: self.pos }),
            }
        }
    }

    fn on_header(&mut self, at: u64, bytes: &[u8]) {
        let header = match boxes::parse(bytes, at, self.size) {
            Ok(h) => h,
            Err(HeaderError::Truncated) if at > 0 && self.moov.is_some() => {
                // A few stray bytes after the last box: players ignore them, so do we.
                self.pos = self.size;
                return self.walk();
            }
            Err(_) => return self.fail(IssueCode::Corrupt, &format!("The file has a damaged box header at byte {at}.")),
        };
        if at == 0 && header.kind != *b"ftyp" {
            if !sniff::is_leading_box(&header.kind) {
                return self.unsupported(Foreign::Unknown);
            }
            // QuickTime files from before `ftyp` existed.
            self.container = Some(Container::Mov);
        }
        let end = at.saturating_add(header.size);
        if end > self.size {
            let what = if header.kind == *b"mdat" { "video data" } else { "headers" };
            return self.fail(IssueCode::Corrupt, &format!("The file is cut short: it ends inside its {what} (expected {end} bytes, found {}).", self.size));
        }
        let wanted = match &header.kind {
            b"ftyp" => Some(u64::from(u16::MAX)),
            b"moov" => Some(MAX_MOOV),
            b"moof" if self.fragments.need_durations(self.moov.as_ref()) => Some(MAX_MOOF),
            _ => None,
        };
        self.pos = end;
        match wanted {
            Some(max) if header.size > max => self.fail(IssueCode::Corrupt, &format!("The file's '{}' box is implausibly large.", fourcc(&header.kind))),
            Some(_) => {
                let body_len = header.size;
                match self.in_head(at, body_len).map(<[u8]>::to_vec) {
                    Some(b) => self.on_body(header, at, &b),
                    None => {
                        let have = (self.head.len() as u64).saturating_sub(at).min(body_len);
                        let prefix = self.in_head(at, have).map(<[u8]>::to_vec).unwrap_or_default();
                        self.want = Some(Want::Body { header, at, prefix });
                    }
                }
            }
            None => self.walk(),
        }
    }

    /// `whole` is the entire box, header included.
    fn on_body(&mut self, header: BoxHeader, at: u64, whole: &[u8]) {
        let body = &whole[header.header_len as usize..];
        match &header.kind {
            b"ftyp" => {
                if at != 0 || body.len() < 8 {
                    return self.fail(IssueCode::Corrupt, "The file's type box is damaged.");
                }
                let major: [u8; 4] = body[..4].try_into().expect("4 bytes");
                let compatible: Vec<[u8; 4]> = body[8..].chunks_exact(4).map(|c| c.try_into().expect("4 bytes")).collect();
                match sniff::classify_brand(&major, &compatible) {
                    Ok(c) => self.container = Some(c),
                    Err(f) => return self.unsupported(f),
                }
            }
            b"moov" => {
                if self.moov.is_some() {
                    return self.fail(IssueCode::Corrupt, "The file has two movie headers (moov).");
                }
                match atoms::moov(body) {
                    Ok(m) => self.moov = Some(m),
                    Err(_) => return self.fail(IssueCode::Corrupt, "The file's movie header (moov) is damaged."),
                }
            }
            b"moof" => match atoms::moof(body) {
                Ok(runs) => self.fragments.add(&runs),
                Err(_) => return self.fail(IssueCode::Corrupt, "A fragment header (moof) of the file is damaged."),
            },
            _ => {}
        }
        self.walk();
    }

    fn conclude(&mut self) {
        let Some(container) = self.container else {
            return self.unsupported(Foreign::Unknown);
        };
        let Some(moov) = self.moov.as_ref() else {
            return self.fail(IssueCode::Corrupt, "The file has no movie header (moov): it is incomplete, perhaps an interrupted recording.");
        };
        self.result = Some(facts::report(self.size, container, moov, &self.fragments));
    }

    fn unsupported(&mut self, f: Foreign) {
        let msg = format!("This is {}. TikTok takes MP4 or MOV videos.", f.describe());
        self.result = Some(Report::refused(self.size, None, IssueCode::UnsupportedFormat, msg));
    }

    fn fail(&mut self, code: IssueCode, msg: &str) {
        self.want = None;
        self.result = Some(Report::refused(self.size, self.container, code, msg.to_string()));
    }
}

fn fourcc(k: &[u8; 4]) -> String {
    k.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '?' }).collect()
}
