//! What a file is, from its first bytes: never from its name.

use tiktok_rules::Container;

/// Formats people drop in by mistake, named so the message can say what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    Png,
    Jpeg,
    Gif,
    Webp,
    Heic,
    Avif,
    Matroska,
    Avi,
    Unknown,
}

impl Foreign {
    pub fn describe(self) -> &'static str {
        match self {
            Foreign::Png => "a PNG image",
            Foreign::Jpeg => "a JPEG image",
            Foreign::Gif => "a GIF image",
            Foreign::Webp => "a WebP image",
            Foreign::Heic => "a HEIC image",
            Foreign::Avif => "an AVIF image",
            Foreign::Matroska => "a WebM/Matroska video",
            Foreign::Avi => "an AVI video",
            Foreign::Unknown => "not a video TikTok takes",
        }
    }
}

/// Magic numbers of non-ISO-BMFF formats.
pub fn foreign_magic(head: &[u8]) -> Option<Foreign> {
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some(Foreign::Png)
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(Foreign::Jpeg)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(Foreign::Gif)
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        Some(Foreign::Webp)
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"AVI ") {
        Some(Foreign::Avi)
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(Foreign::Matroska)
    } else {
        None
    }
}

/// Classify an `ftyp` by its major brand (and, for images, compatible brands).
pub fn classify_brand(major: &[u8; 4], compatible: &[[u8; 4]]) -> Result<Container, Foreign> {
    let image = |b: &[u8; 4]| match b {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => Some(Foreign::Heic),
        b"avif" | b"avis" => Some(Foreign::Avif),
        _ => None,
    };
    if major == b"qt  " {
        return Ok(Container::Mov);
    }
    if let Some(f) = image(major) {
        return Err(f);
    }
    // A major brand we don't know but an image brand among the compatible ones: an image.
    let known_video = matches!(
        major,
        b"isom"
            | b"iso2"
            | b"iso3"
            | b"iso4"
            | b"iso5"
            | b"iso6"
            | b"mp41"
            | b"mp42"
            | b"avc1"
            | b"M4V "
            | b"M4VP"
            | b"MSNV"
            | b"dash"
            | b"mp4v"
            | b"XAVC"
            | b"3gp4"
            | b"3gp5"
            | b"3gp6"
            | b"3g2a"
            | b"f4v "
    );
    if !known_video && let Some(f) = compatible.iter().find_map(image) {
        return Err(f);
    }
    Ok(Container::Mp4)
}

/// Top-level box types that start an ISO-BMFF/QuickTime file, ftyp or not (old QuickTime
/// files begin with `moov`, `mdat`, `wide`, `free` or `pnot`).
pub fn is_leading_box(kind: &[u8; 4]) -> bool {
    matches!(kind, b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_other_containers_by_magic() {
        assert_eq!(foreign_magic(b"\x89PNG\r\n\x1a\n...."), Some(Foreign::Png));
        assert_eq!(foreign_magic(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Foreign::Jpeg));
        assert_eq!(foreign_magic(b"GIF89a"), Some(Foreign::Gif));
        assert_eq!(foreign_magic(b"RIFF\0\0\0\0WEBPVP8 "), Some(Foreign::Webp));
        assert_eq!(foreign_magic(&[0x1A, 0x45, 0xDF, 0xA3, 0x9f]), Some(Foreign::Matroska));
        assert_eq!(foreign_magic(b"\0\0\0\x18ftypmp42"), None);
    }

    #[test]
    fn brands() {
        assert_eq!(classify_brand(b"qt  ", &[]), Ok(Container::Mov));
        assert_eq!(classify_brand(b"isom", &[*b"iso2", *b"avc1"]), Ok(Container::Mp4));
        assert_eq!(classify_brand(b"heic", &[]), Err(Foreign::Heic));
        assert_eq!(classify_brand(b"avif", &[]), Err(Foreign::Avif));
        assert_eq!(classify_brand(b"zzzz", &[*b"mif1"]), Err(Foreign::Heic));
        assert_eq!(classify_brand(b"isom", &[*b"mif1"]), Ok(Container::Mp4));
    }
}
