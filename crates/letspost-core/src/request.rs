//! What the Worker accepts from a request before any route acts on it: JSON bodies (size,
//! encoding, shape, each refusal a sentence in the pinned error shape) and the
//! `Idempotency-Key` header (the IETF httpapi draft's name) that makes a retried create or
//! retry answer what the first one did.

use crate::api::{ApiError, codes};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The largest JSON body any `/api` write takes (the webhook endpoint keeps its own limit).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// The longest `Idempotency-Key` LetsPost remembers.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The header's name, as clients send it.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Why a body was refused, with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: u16,
    pub error: ApiError,
}

fn bad(message: String) -> Refused {
    Refused { status: 400, error: ApiError::new(codes::BAD_REQUEST, message) }
}

pub fn too_large(limit: usize) -> Refused {
    let msg = format!("The request body is over {} KiB, the most this call takes.", limit / 1024);
    Refused { status: 413, error: ApiError::new(codes::PAYLOAD_TOO_LARGE, msg) }
}

/// A declared `Content-Length` over `limit` is refused before a byte is read.
pub fn check_declared_length(declared: Option<&str>, limit: usize) -> Result<(), Refused> {
    match declared.map(|v| v.trim().parse::<u64>()) {
        Some(Ok(n)) if n > limit as u64 => Err(too_large(limit)),
        Some(Err(_)) => Err(bad("The Content-Length header is not a number.".into())),
        _ => Ok(()),
    }
}

/// The body as `T`: UTF-8 JSON of the call's shape (serde refuses unknown types, missing
/// fields, numbers out of range and a field given twice), or a sentence saying what is wrong.
/// `expects` names what the call takes ("JSON with publish_at").
pub fn parse_json<T: DeserializeOwned>(body: &[u8], expects: &str) -> Result<T, Refused> {
    if body.len() > MAX_JSON_BYTES {
        return Err(too_large(MAX_JSON_BYTES));
    }
    let text = std::str::from_utf8(body).map_err(|_| bad(format!("The body is not UTF-8 text. Send {expects}.")))?;
    if text.trim().is_empty() {
        return Err(bad(format!("The body is empty. Send {expects}.")));
    }
    serde_json::from_str(text).map_err(|e| bad(format!("The body is not {expects}: {e}.")))
}

/// The `Idempotency-Key` header's value: none, or a key of 1–255 visible ASCII characters.
/// A structured-field string (`"…"`, the draft's form) and a bare token (Stripe's) both work.
pub fn idempotency_key(header: Option<&str>) -> Result<Option<String>, Refused> {
    let Some(raw) = header else { return Ok(None) };
    let raw = raw.trim();
    let key = raw.strip_prefix('"').and_then(|k| k.strip_suffix('"')).unwrap_or(raw);
    let invalid = |why: &str| Refused { status: 400, error: ApiError::new(codes::IDEMPOTENCY_KEY_INVALID, format!("The Idempotency-Key header {why}.")) };
    if key.is_empty() {
        return Err(invalid("is empty"));
    }
    if key.chars().count() > MAX_IDEMPOTENCY_KEY {
        return Err(invalid(&format!("is over {MAX_IDEMPOTENCY_KEY} characters")));
    }
    if !key.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(invalid("may hold only visible ASCII characters"));
    }
    Ok(Some(key.to_string()))
}

/// The post a keyed create makes: 128 bits derived from the session and the key, so a
/// retried request reaches the same post object, which answers for it. A key is the client's
/// own name for one request: another session's same key names another post.
pub fn keyed_id(session_id: &str, key: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    for part in ["letspost idempotency v1", session_id, key] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part.as_bytes());
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(&h.finalize()[..16]);
    id
}

/// What "the same body" means for a replay: the request as LetsPost understood it (its parsed
/// form, serialised again), so spacing and key order don't matter.
pub fn fingerprint(canonical: &[u8]) -> String {
    Sha256::digest(canonical).iter().map(|b| format!("{b:02x}")).collect()
}

/// The answer to a key used again with another body.
pub fn key_reused() -> Refused {
    Refused {
        status: 422,
        error: ApiError::new(codes::IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was already used for a different request. Use a new key for a new request."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Body {
        publish_at: Option<String>,
        size: u64,
    }

    const EXPECTS: &str = "JSON with publish_at and size";

    fn refused<T: std::fmt::Debug>(r: Result<T, Refused>) -> Refused {
        r.expect_err("refused")
    }

    #[test]
    fn a_good_body_parses() {
        let b: Body = parse_json(br#"{"publish_at": null, "size": 12}"#, EXPECTS).unwrap();
        assert_eq!(b, Body { publish_at: None, size: 12 });
    }

    #[test]
    fn malformed_bodies_are_400_sentences() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"\xff\xfe{}",
            b"not json",
            br#"{"publish_at": 5, "size": 1}"#,
            br#"{"publish_at": null}"#,
            br#"{"publish_at": null, "size": 123456789012345678901234567890}"#,
            br#"{"publish_at": null, "size": -1}"#,
            br#"{"publish_at": null, "size": 1, "size": 2}"#,
            br#"[1, 2]"#,
            br#"{"publish_at": null, "size": 1"#,
        ];
        for c in cases {
            let r = refused(parse_json::<Body>(c, EXPECTS));
            assert_eq!(r.status, 400, "{c:?}");
            assert_eq!(r.error.code, codes::BAD_REQUEST);
            assert!(r.error.message.contains(EXPECTS), "{}", r.error.message);
        }
        let dup = refused(parse_json::<Body>(br#"{"publish_at": null, "size": 1, "size": 2}"#, EXPECTS));
        assert!(dup.error.message.contains("duplicate field"), "{}", dup.error.message);
    }

    #[test]
    fn oversized_bodies_are_413_read_or_declared() {
        let big = format!(r#"{{"publish_at": "{}", "size": 1}}"#, "x".repeat(MAX_JSON_BYTES));
        let r = refused(parse_json::<Body>(big.as_bytes(), EXPECTS));
        assert_eq!((r.status, r.error.code.as_str()), (413, codes::PAYLOAD_TOO_LARGE));
        assert_eq!(check_declared_length(Some("65537"), MAX_JSON_BYTES).unwrap_err().status, 413);
        assert!(check_declared_length(Some("65536"), MAX_JSON_BYTES).is_ok());
        assert!(check_declared_length(None, MAX_JSON_BYTES).is_ok());
        assert_eq!(check_declared_length(Some("lots"), MAX_JSON_BYTES).unwrap_err().status, 400);
    }

    #[test]
    fn idempotency_keys() {
        assert_eq!(idempotency_key(None).unwrap(), None);
        assert_eq!(idempotency_key(Some("abc-123")).unwrap().as_deref(), Some("abc-123"));
        assert_eq!(idempotency_key(Some("\"8e03978e-40d5\"")).unwrap().as_deref(), Some("8e03978e-40d5"));
        assert!(idempotency_key(Some(&"k".repeat(255))).is_ok());
        for bad in ["", "\"\"", "caf\u{e9}"] {
            let r = idempotency_key(Some(bad)).unwrap_err();
            assert_eq!((r.status, r.error.code.as_str()), (400, codes::IDEMPOTENCY_KEY_INVALID), "{bad:?}");
        }
        let long = idempotency_key(Some(&"k".repeat(256))).unwrap_err();
        assert!(long.error.message.contains("255"), "{}", long.error.message);
    }

    #[test]
    fn keyed_ids_are_per_session_and_key() {
        let a = keyed_id("session-a", "key-1");
        assert_eq!(a, keyed_id("session-a", "key-1"));
        assert_ne!(a, keyed_id("session-b", "key-1"));
        assert_ne!(a, keyed_id("session-a", "key-2"));
        // Lengths are part of the hash: the boundary between session and key can't shift.
        assert_ne!(keyed_id("ab", "c"), keyed_id("a", "bc"));
    }

    #[test]
    fn fingerprints_tell_bodies_apart() {
        assert_eq!(fingerprint(b"{}"), fingerprint(b"{}"));
        assert_ne!(fingerprint(b"{}"), fingerprint(b"{ }"));
        assert_eq!(fingerprint(b"").len(), 64);
    }
}
