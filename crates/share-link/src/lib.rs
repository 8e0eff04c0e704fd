//! The composer's settings as a link fragment, `#c=<code>`: what a creator shares so that a
//! teammate composes the same post from their own account.
//!
//! `code` is base64url (no padding) of:
//!
//! | bytes | what |
//! |---|---|
//! | 1 | format version (2; version 1 links, without the mode byte, still open as direct posts) |
//! | 1 | switches: comment off, duet off, stitch off, disclose, your brand, branded content, AI-generated, has schedule |
//! | 1 | privacy: 0 none chosen, 1–4 a `PrivacyLevel` in `PrivacyLevel::ALL` order |
//! | 1 | mode: 0 post it, 1 send it to the TikTok inbox as a draft (version 2 on) |
//! | 4 | the schedule in Unix minutes, big-endian (only with "has schedule") |
//! | n | the caption, UTF-8 |
//! | 4 | CRC-32 of everything before, big-endian |
//!
//! Nothing here identifies an account; the fragment never reaches a server or a log.

mod summary;

pub use summary::summary;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use post_lifecycle::Mode;
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::disclosure::Disclosure;
use tiktok_rules::privacy::PrivacyLevel;

pub const VERSION: u8 = 2;
/// The first version, before links carried the mode.
const V1: u8 = 1;

/// CRC-32 (ISO-HDLC, the zlib/PNG one that links already carry), computed bit by bit.
const CRC32: crc::Crc<u32, crc::NoTable> = crc::Crc::<u32, crc::NoTable>::new(&crc::CRC_32_ISO_HDLC);

fn checksum(bytes: &[u8]) -> u32 {
    CRC32.checksum(bytes)
}
/// The fragment's key: `#c=…`.
pub const KEY: &str = "c";

const COMMENT_OFF: u8 = 1;
const DUET_OFF: u8 = 1 << 1;
const STITCH_OFF: u8 = 1 << 2;
const DISCLOSE: u8 = 1 << 3;
const YOUR_BRAND: u8 = 1 << 4;
const BRANDED: u8 = 1 << 5;
const AIGC: u8 = 1 << 6;
const SCHEDULED: u8 = 1 << 7;

/// What a link carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shared {
    /// Post it, or send it to the TikTok inbox as a draft.
    pub mode: Mode,
    pub caption: String,
    pub privacy: Option<PrivacyLevel>,
    pub disable_comment: bool,
    pub disable_duet: bool,
    pub disable_stitch: bool,
    pub disclosure: Disclosure,
    pub is_aigc: bool,
    /// Whole minutes (a link keeps the minute, not the second).
    pub publish_at_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// Not base64url, or shorter than any link.
    Truncated,
    /// The checksum does not match: cut or changed on the way.
    Corrupt,
    /// Made by a newer LetsPost.
    FutureVersion(u8),
    /// Well-formed but impossible (a caption over TikTok's limit, an unknown privacy value).
    Invalid(&'static str),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LinkError::Truncated | LinkError::Corrupt => "This share link is incomplete or damaged. Ask for the link again, and copy all of it.",
            LinkError::FutureVersion(_) => "This share link was made by a newer LetsPost. Reload the page and open it again.",
            LinkError::Invalid(_) => "This share link holds settings LetsPost can't use. Ask for a new link.",
        })
    }
}

impl std::error::Error for LinkError {}

pub fn encode(s: &Shared) -> String {
    let mut flags = 0u8;
    for (on, bit) in [
        (s.disable_comment, COMMENT_OFF),
        (s.disable_duet, DUET_OFF),
        (s.disable_stitch, STITCH_OFF),
        (s.disclosure.enabled, DISCLOSE),
        (s.disclosure.your_brand, YOUR_BRAND),
        (s.disclosure.branded_content, BRANDED),
        (s.is_aigc, AIGC),
        (s.publish_at_ms.is_some(), SCHEDULED),
    ] {
        if on {
            flags |= bit;
        }
    }
    let privacy = s.privacy.and_then(|p| PrivacyLevel::ALL.iter().position(|x| *x == p)).map_or(0, |i| i as u8 + 1);
    let mode = match s.mode {
        Mode::Direct => 0,
        Mode::Draft => 1,
    };
    let mut out = vec![VERSION, flags, privacy, mode];
    if let Some(ms) = s.publish_at_ms {
        out.extend_from_slice(&u32::try_from(ms / 60_000).unwrap_or(u32::MAX).to_be_bytes());
    }
    out.extend_from_slice(s.caption.as_bytes());
    let crc = checksum(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    URL_SAFE_NO_PAD.encode(out)
}

pub fn decode(code: &str) -> Result<Shared, LinkError> {
    let raw = URL_SAFE_NO_PAD.decode(code.trim()).map_err(|_| LinkError::Truncated)?;
    if raw.len() < 3 + 4 {
        return Err(LinkError::Truncated);
    }
    let (body, crc) = raw.split_at(raw.len() - 4);
    if checksum(body).to_be_bytes() != crc {
        return Err(LinkError::Corrupt);
    }
    let version = body[0];
    match version {
        V1 | VERSION => {}
        v if v > VERSION => return Err(LinkError::FutureVersion(v)),
        _ => return Err(LinkError::Invalid("version 0")),
    }
    let (flags, privacy) = (body[1], body[2]);
    let mut rest = &body[3..];
    let mode = if version == V1 {
        Mode::Direct
    } else {
        let (&m, tail) = rest.split_first().ok_or(LinkError::Truncated)?;
        rest = tail;
        match m {
            0 => Mode::Direct,
            1 => Mode::Draft,
            _ => return Err(LinkError::Invalid("mode")),
        }
    };
    let privacy = match privacy {
        0 => None,
        n => Some(*PrivacyLevel::ALL.get(n as usize - 1).ok_or(LinkError::Invalid("privacy"))?),
    };
    let publish_at_ms = if flags & SCHEDULED != 0 {
        let (minutes, tail) = rest.split_first_chunk::<4>().ok_or(LinkError::Truncated)?;
        rest = tail;
        Some(u64::from(u32::from_be_bytes(*minutes)) * 60_000)
    } else {
        None
    };
    let caption = std::str::from_utf8(rest).map_err(|_| LinkError::Invalid("caption is not UTF-8"))?.to_string();
    if tiktok_rules::caption::check(&caption).is_err() {
        return Err(LinkError::Invalid("caption over TikTok's limit"));
    }
    let on = |bit: u8| flags & bit != 0;
    let disclosure = Disclosure { enabled: on(DISCLOSE), your_brand: on(YOUR_BRAND), branded_content: on(BRANDED) };
    if !disclosure.enabled && (disclosure.your_brand || disclosure.branded_content) {
        return Err(LinkError::Invalid("disclosure choices without the switch"));
    }
    Ok(Shared {
        mode,
        caption,
        privacy,
        disable_comment: on(COMMENT_OFF),
        disable_duet: on(DUET_OFF),
        disable_stitch: on(STITCH_OFF),
        disclosure,
        is_aigc: on(AIGC),
        publish_at_ms,
    })
}

/// The composer's path with this link: `/compose#c=<code>`.
pub fn compose_path(code: &str) -> String {
    format!("/compose#{KEY}={code}")
}

/// The code in a URL fragment (`#c=…`, with or without the `#`), if there is one.
pub fn code_in_fragment(fragment: &str) -> Option<&str> {
    fragment.trim_start_matches('#').split('&').find_map(|kv| kv.strip_prefix(KEY)?.strip_prefix('='))
}

/// Settings the recipient's account forbids are reset, each with a sentence saying so; a
/// schedule already past is dropped the same way.
pub fn fit_to(mut s: Shared, creator: &CreatorInfo, now_ms: u64) -> (Shared, Vec<String>) {
    let mut notes = Vec::new();
    if let Some(p) = s.privacy.filter(|p| !creator.privacy_level_options.contains(p)) {
        notes.push(format!("'{}' isn't available for this account, so choose who can view this video.", p.label()));
        s.privacy = None;
    }
    for (off_in_tiktok, chosen_off, what) in [
        (creator.comment_disabled, &mut s.disable_comment, "Comments"),
        (creator.duet_disabled, &mut s.disable_duet, "Duet"),
        (creator.stitch_disabled, &mut s.disable_stitch, "Stitch"),
    ] {
        if off_in_tiktok && !*chosen_off {
            *chosen_off = true;
            notes.push(format!("{what} is turned off for this account in TikTok, so it stays off."));
        }
    }
    if s.publish_at_ms.is_some_and(|at| at <= now_ms) {
        s.publish_at_ms = None;
        notes.push("The shared time has passed. Pick a new time, or post now.".to_string());
    }
    (s, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Shared {
        Shared {
            mode: Mode::Direct,
            caption: "Launch day 🚀 #fyp".into(),
            privacy: Some(PrivacyLevel::MutualFollowFriends),
            disable_comment: false,
            disable_duet: true,
            disable_stitch: false,
            disclosure: Disclosure { enabled: true, your_brand: true, branded_content: false },
            is_aigc: true,
            publish_at_ms: Some(1_800_000_000_000 / 60_000 * 60_000),
        }
    }

    #[test]
    fn round_trips_and_is_compact() {
        let draft = Shared { mode: Mode::Draft, ..full() };
        for s in [full(), draft, Shared::default(), Shared { caption: "é".repeat(2_200), ..Shared::default() }] {
            let code = encode(&s);
            assert!(code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{code}");
            assert_eq!(decode(&code), Ok(s));
        }
        assert!(encode(&full()).len() < 50, "{}", encode(&full()));
        assert_eq!(encode(&Shared::default()).len(), 11);
    }

    #[test]
    fn a_link_keeps_the_minute() {
        let s = Shared { publish_at_ms: Some(1_800_000_059_999), ..Shared::default() };
        assert_eq!(decode(&encode(&s)).unwrap().publish_at_ms, Some(1_800_000_000_000));
    }

    #[test]
    fn truncated_tampered_and_future_links_are_told_apart() {
        let code = encode(&full());
        for cut in 1..code.len() {
            let e = decode(&code[..code.len() - cut]).unwrap_err();
            assert!(matches!(e, LinkError::Truncated | LinkError::Corrupt), "cut {cut}: {e:?}");
            assert!(e.to_string().contains("incomplete or damaged"));
        }
        assert_eq!(decode("abc"), Err(LinkError::Truncated));
        assert_eq!(decode(""), Err(LinkError::Truncated));
        assert_eq!(decode("not base64 at all!"), Err(LinkError::Truncated));
        let mut raw = URL_SAFE_NO_PAD.decode(&code).unwrap();
        raw[5] ^= 0x20;
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode(&raw)), Err(LinkError::Corrupt));
        let mut future = URL_SAFE_NO_PAD.decode(encode(&Shared::default())).unwrap();
        future[0] = 3;
        let n = future.len() - 4;
        let crc = checksum(&future[..n]).to_be_bytes();
        future[n..].copy_from_slice(&crc);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode(&future)), Err(LinkError::FutureVersion(3)));
        assert!(LinkError::FutureVersion(2).to_string().contains("newer LetsPost"));
    }

    #[test]
    fn well_formed_but_impossible_links_are_invalid() {
        let forge = |body: Vec<u8>| {
            let mut b = body;
            let crc = checksum(&b).to_be_bytes();
            b.extend_from_slice(&crc);
            decode(&URL_SAFE_NO_PAD.encode(b))
        };
        assert!(matches!(forge(vec![2, 0, 9, 0]), Err(LinkError::Invalid(_))), "privacy 9");
        assert!(matches!(forge(vec![2, 0, 0, 2]), Err(LinkError::Invalid(_))), "mode 2");
        assert_eq!(forge(vec![2, 0, 0]), Err(LinkError::Truncated), "no mode byte in a version 2 link");
        assert!(matches!(forge(vec![1, 0, 9]), Err(LinkError::Invalid(_))), "privacy 9");
        assert!(matches!(forge(vec![1, YOUR_BRAND, 0]), Err(LinkError::Invalid(_))), "a choice without the switch");
        assert!(matches!(forge(vec![1, 0, 0, 0xff, 0xfe]), Err(LinkError::Invalid(_))), "not UTF-8");
        let mut long = vec![1, 0, 0];
        long.extend(std::iter::repeat_n(b'x', 2_201));
        assert!(matches!(forge(long), Err(LinkError::Invalid(_))));
        assert_eq!(forge(vec![1, SCHEDULED, 0, 0]), Err(LinkError::Truncated), "a schedule cut short");
        assert!(matches!(forge(vec![0, 0, 0]), Err(LinkError::Invalid(_))));
    }

    #[test]
    fn version_1_links_still_open_as_direct_posts() {
        // As made by the LetsPost before links carried the mode (like fuzz/seeds/full.txt).
        let mut body = vec![1, DUET_OFF | AIGC, 2];
        body.extend_from_slice("Launch day".as_bytes());
        let crc = checksum(&body).to_be_bytes();
        body.extend_from_slice(&crc);
        let s = decode(&URL_SAFE_NO_PAD.encode(body)).unwrap();
        assert_eq!((s.mode, s.caption.as_str(), s.disable_duet, s.is_aigc), (Mode::Direct, "Launch day", true, true));
        assert_eq!(s.privacy, Some(PrivacyLevel::ALL[1]));
        // Shared again, it is written as version 2.
        assert_eq!(URL_SAFE_NO_PAD.decode(encode(&s)).unwrap()[0], VERSION);
    }

    #[test]
    fn the_fragment_holds_the_code() {
        assert_eq!(code_in_fragment("#c=AbC_-"), Some("AbC_-"));
        assert_eq!(compose_path("AbC_-"), "/compose#c=AbC_-");
        assert_eq!(code_in_fragment("x=1&c=Zz"), Some("Zz"));
        assert_eq!(code_in_fragment("#cc=1"), None);
        assert_eq!(code_in_fragment(""), None);
    }

    #[test]
    fn what_the_recipient_cannot_use_is_reset_and_said() {
        let creator = CreatorInfo {
            creator_avatar_url: String::new(),
            creator_username: "pat".into(),
            creator_nickname: "Pat".into(),
            privacy_level_options: PrivacyLevel::PRIVATE_ACCOUNT_OPTIONS.to_vec(),
            comment_disabled: false,
            duet_disabled: true,
            stitch_disabled: true,
            max_video_post_duration_sec: 600,
        };
        let shared = Shared { privacy: Some(PrivacyLevel::PublicToEveryone), disable_duet: false, ..full() };
        let (fitted, notes) = fit_to(shared, &creator, 0);
        assert_eq!(fitted.privacy, None);
        assert!(fitted.disable_duet && fitted.disable_stitch);
        assert_eq!(notes.len(), 3, "{notes:?}");
        let (_, notes) = fit_to(full(), &creator, u64::MAX);
        assert!(notes.iter().any(|n| n.contains("time has passed")));
    }
}

#[cfg(test)]
mod seeds {
    use super::*;

    /// The fuzzer's seeds (crates/share-link/fuzz/seeds) are real links: keep them decodable.
    #[test]
    fn seeds_decode() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            assert!(decode(&text).is_ok(), "{text}");
            n += 1;
        }
        assert!(n >= 3);
    }
}
