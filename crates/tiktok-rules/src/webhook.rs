//! TikTok's webhooks (shared/tiktok-api.md, "Webhooks"): the `TikTok-Signature` header, its
//! check over the raw body, and the envelope with its `content` (a JSON *string*) read into
//! one [`Webhook`]. The Worker verifies and parses here; the emulator signs here.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// The header TikTok signs deliveries with: `t=<unix seconds>,s=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "TikTok-Signature";
/// The largest body LetsPost reads (TikTok's envelopes are a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How far `t` may be from the receiver's clock by default (TikTok names none; a setting).
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// Why a delivery is refused; nothing it says is acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No header, a malformed one, or a signature that does not match: 401.
    BadSignature,
    /// A good signature, but `t` is outside the tolerance (a replay, or a clock far off): 401.
    Stale,
    /// Over [`MAX_BODY_BYTES`]: 413.
    TooLarge,
    /// Signed, but not TikTok's envelope: 400.
    Malformed(String),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadSignature | Refusal::Stale => 401,
            Refusal::TooLarge => 413,
            Refusal::Malformed(_) => 400,
        }
    }

    /// (code, sentence) for the answer's body.
    pub fn code_and_message(&self) -> (&'static str, String) {
        match self {
            Refusal::BadSignature => ("bad_signature", "The TikTok-Signature header is missing or does not match the body.".into()),
            Refusal::Stale => ("stale_signature", "The TikTok-Signature timestamp is outside the accepted window.".into()),
            Refusal::TooLarge => ("payload_too_large", format!("A webhook body is at most {MAX_BODY_BYTES} bytes.")),
            Refusal::Malformed(why) => ("invalid_webhook", format!("The body is not a TikTok webhook: {why}")),
        }
    }
}

/// `t` and the signature bytes of a `TikTok-Signature` value (split on `,` then `=`).
fn parse_header(value: &str) -> Option<(u64, Vec<u8>)> {
    let (mut t, mut s) = (None, None);
    for part in value.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k.trim() {
            "t" => t = Some(v.trim().parse::<u64>().ok()?),
            "s" => s = Some(hex::decode(v.trim()).ok()?),
            _ => {}
        }
    }
    Some((t?, s?))
}

fn mac(secret: &str, t: u64, body: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The header value TikTok would send for `body` at `t` (the emulator's, and the tests').
pub fn sign(secret: &str, t: u64, body: &[u8]) -> String {
    format!("t={t},s={}", hex::encode(mac(secret, t, body).finalize().into_bytes()))
}

/// Check a delivery: its size, its signature over the raw bytes (in constant time), then its
/// age against `now_secs`. Only then is the body worth reading ([`parse`]).
pub fn verify(secret: &str, header: Option<&str>, body: &[u8], now_secs: u64, tolerance_secs: u64) -> Result<(), Refusal> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Refusal::TooLarge);
    }
    let (t, sig) = header.and_then(parse_header).ok_or(Refusal::BadSignature)?;
    mac(secret, t, body).verify_slice(&sig).map_err(|_| Refusal::BadSignature)?;
    if t.abs_diff(now_secs) > tolerance_secs {
        return Err(Refusal::Stale);
    }
    Ok(())
}

/// What a verified delivery tells LetsPost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The account's `open_id`, raw (it may contain `-`).
    pub user_openid: String,
    /// When TikTok made the event, Unix seconds.
    pub create_time: u64,
    pub event: WebhookEvent,
}

/// The events LetsPost acts on; anything else is [`WebhookEvent::Other`] (answered 200, ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    InboxDelivered {
        publish_id: String,
    },
    Complete {
        publish_id: String,
    },
    Failed {
        publish_id: String,
        reason: String,
    },
    /// `post_id` as TikTok's digits (ids exceed 2^53); `None` when they are not a u64.
    PubliclyAvailable {
        publish_id: String,
        post_id: Option<u64>,
    },
    NoLongerPublic {
        publish_id: String,
        post_id: Option<u64>,
    },
    AuthorizationRemoved {
        reason: u8,
    },
    Ping,
    Other(String),
}

impl WebhookEvent {
    /// The post it is about, for the post events.
    pub fn publish_id(&self) -> Option<&str> {
        match self {
            WebhookEvent::InboxDelivered { publish_id }
            | WebhookEvent::Complete { publish_id }
            | WebhookEvent::Failed { publish_id, .. }
            | WebhookEvent::PubliclyAvailable { publish_id, .. }
            | WebhookEvent::NoLongerPublic { publish_id, .. } => Some(publish_id),
            _ => None,
        }
    }
}

/// Event names as TikTok sends them.
pub mod events {
    pub const INBOX_DELIVERED: &str = "post.publish.inbox_delivered";
    pub const COMPLETE: &str = "post.publish.complete";
    pub const FAILED: &str = "post.publish.failed";
    pub const PUBLICLY_AVAILABLE: &str = "post.publish.publicly_available";
    /// TikTok's spelling.
    pub const NO_LONGER_PUBLICLY_AVAILABLE: &str = "post.publish.no_longer_publicaly_available";
    /// The correct spelling, in case TikTok fixes it.
    pub const NO_LONGER_PUBLICLY_AVAILABLE_FIXED: &str = "post.publish.no_longer_publicly_available";
    pub const AUTHORIZATION_REMOVED: &str = "authorization.removed";
    pub const PING: &str = "tiktok.ping";
}

#[derive(Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    create_time: u64,
    #[serde(default)]
    user_openid: String,
    /// A string holding JSON (some senders may inline the object: both are read).
    #[serde(default)]
    content: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct Content {
    #[serde(default)]
    publish_id: Option<String>,
    #[serde(default)]
    reason: Option<serde_json::Value>,
    #[serde(default)]
    post_id: Option<serde_json::Value>,
}

/// A post id from a string of digits (TikTok's) or a JSON number small enough to be exact.
fn post_id(v: Option<&serde_json::Value>) -> Option<u64> {
    match v? {
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn reason_text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Read a verified body. Malformed JSON, or a post event without its `publish_id`, is refused.
pub fn parse(body: &[u8]) -> Result<Webhook, Refusal> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| Refusal::Malformed(e.to_string()))?;
    let content: Content = match &env.content {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => serde_json::from_str(s).map_err(|e| Refusal::Malformed(format!("content: {e}")))?,
        Some(v @ serde_json::Value::Object(_)) => serde_json::from_value(v.clone()).map_err(|e| Refusal::Malformed(format!("content: {e}")))?,
        _ => Content::default(),
    };
    let publish_id = || content.publish_id.clone().filter(|p| !p.is_empty()).ok_or_else(|| Refusal::Malformed("content has no publish_id".into()));
    use events::*;
    let event = match env.event.as_str() {
        INBOX_DELIVERED => WebhookEvent::InboxDelivered { publish_id: publish_id()? },
        COMPLETE => WebhookEvent::Complete { publish_id: publish_id()? },
        FAILED => WebhookEvent::Failed { publish_id: publish_id()?, reason: reason_text(content.reason.as_ref()) },
        PUBLICLY_AVAILABLE => WebhookEvent::PubliclyAvailable { publish_id: publish_id()?, post_id: post_id(content.post_id.as_ref()) },
        NO_LONGER_PUBLICLY_AVAILABLE | NO_LONGER_PUBLICLY_AVAILABLE_FIXED => {
            WebhookEvent::NoLongerPublic { publish_id: publish_id()?, post_id: post_id(content.post_id.as_ref()) }
        }
        AUTHORIZATION_REMOVED => {
            let reason = content.reason.as_ref().and_then(|r| r.as_u64().or_else(|| r.as_str()?.parse().ok()));
            WebhookEvent::AuthorizationRemoved { reason: reason.filter(|r| *r <= 5).unwrap_or(0) as u8 }
        }
        PING => WebhookEvent::Ping,
        other => WebhookEvent::Other(other.to_string()),
    };
    Ok(Webhook { user_openid: env.user_openid, create_time: env.create_time, event })
}

/// What `/accounts` says of an `authorization.removed` reason.
pub fn removal_sentence(reason: u8) -> &'static str {
    match reason {
        1 => "LetsPost was removed from this account in the TikTok app. Reconnect to keep posting.",
        2 => "This TikTok account was deleted.",
        3 => "TikTok removed access after the account's age changed. Reconnect if the account can post again.",
        4 => "This TikTok account was banned, so TikTok removed LetsPost's access.",
        5 => "LetsPost's access to this account was revoked. Reconnect to keep posting.",
        _ => "TikTok removed LetsPost's access to this account. Reconnect to keep posting.",
    }
}

/// The body TikTok would send (the emulator's), `content` as a JSON string.
pub fn envelope(client_key: &str, event: &str, create_time: u64, user_openid: &str, content: &serde_json::Value) -> String {
    serde_json::json!({
        "client_key": client_key,
        "event": event,
        "create_time": create_time,
        "user_openid": user_openid,
        "content": content.to_string(),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cret";
    const NOW: u64 = 1_770_210_873;

    fn body(event: &str, content: serde_json::Value) -> String {
        envelope("key", event, NOW, "-000YSS_OTWKQzsQ-Q6fw", &content)
    }

    #[test]
    fn a_signed_body_verifies_and_anything_else_is_refused() {
        let b = body(events::COMPLETE, serde_json::json!({"publish_id": "v_pub_file~v2-1.1", "publish_type": "DIRECT_PUBLISH"}));
        let h = sign(SECRET, NOW, b.as_bytes());
        assert_eq!(verify(SECRET, Some(&h), b.as_bytes(), NOW, 300), Ok(()));
        assert_eq!(verify(SECRET, Some(&h), b.as_bytes(), NOW + 299, 300), Ok(()));
        assert_eq!(verify(SECRET, None, b.as_bytes(), NOW, 300), Err(Refusal::BadSignature));
        assert_eq!(verify("other", Some(&h), b.as_bytes(), NOW, 300), Err(Refusal::BadSignature), "wrong secret");
        let tampered = b.replace("v2-1.1", "v2-1.2");
        assert_eq!(verify(SECRET, Some(&h), tampered.as_bytes(), NOW, 300), Err(Refusal::BadSignature));
        assert_eq!(verify(SECRET, Some(&h), b.as_bytes(), NOW + 301, 300), Err(Refusal::Stale));
        assert_eq!(verify(SECRET, Some(&h), b.as_bytes(), NOW - 301, 300), Err(Refusal::Stale), "from the future");
        // t re-signed into the header without the secret: the MAC no longer matches.
        let moved = h.replacen(&format!("t={NOW}"), &format!("t={}", NOW + 1000), 1);
        assert_eq!(verify(SECRET, Some(&moved), b.as_bytes(), NOW + 1000, 300), Err(Refusal::BadSignature));
        for bad in ["", "t=1", "s=00", "t=x,s=00", "t=1,s=zz", "garbage"] {
            assert_eq!(verify(SECRET, Some(bad), b.as_bytes(), NOW, 300), Err(Refusal::BadSignature), "{bad:?}");
        }
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(verify(SECRET, Some(&sign(SECRET, NOW, &big)), &big, NOW, 300), Err(Refusal::TooLarge));
    }

    #[test]
    fn the_header_is_read_as_tiktok_documents_it() {
        // Order and spaces don't matter; unknown parts are skipped.
        let b = b"{}";
        let s = sign(SECRET, NOW, b);
        let (t, sig) = s.split_once(',').unwrap();
        let reordered = format!("{sig}, {t}, v=1");
        assert_eq!(verify(SECRET, Some(&reordered), b, NOW, 300), Ok(()));
        assert_eq!(refusal_statuses(), [401, 401, 413, 400]);
    }

    fn refusal_statuses() -> [u16; 4] {
        [Refusal::BadSignature, Refusal::Stale, Refusal::TooLarge, Refusal::Malformed(String::new())].map(|r| r.status())
    }

    #[test]
    fn every_event_reads_into_its_fact() {
        let id = "v_pub_file~v2-1.76029";
        let read = |event: &str, content: serde_json::Value| parse(body(event, content).as_bytes()).unwrap().event;
        assert_eq!(
            read(events::INBOX_DELIVERED, serde_json::json!({"publish_id": id, "publish_type": "INBOX_SHARE"})),
            WebhookEvent::InboxDelivered { publish_id: id.into() }
        );
        assert_eq!(
            read(events::FAILED, serde_json::json!({"publish_id": id, "reason": "duration_check_failed"})),
            WebhookEvent::Failed { publish_id: id.into(), reason: "duration_check_failed".into() }
        );
        // A post id above 2^53, as a string: exact.
        assert_eq!(
            read(events::PUBLICLY_AVAILABLE, serde_json::json!({"publish_id": id, "post_id": "7602997517160123666"})),
            WebhookEvent::PubliclyAvailable { publish_id: id.into(), post_id: Some(7_602_997_517_160_123_666) }
        );
        for spelling in [events::NO_LONGER_PUBLICLY_AVAILABLE, events::NO_LONGER_PUBLICLY_AVAILABLE_FIXED] {
            assert_eq!(
                read(spelling, serde_json::json!({"publish_id": id, "post_id": "1"})),
                WebhookEvent::NoLongerPublic { publish_id: id.into(), post_id: Some(1) }
            );
        }
        assert_eq!(read(events::AUTHORIZATION_REMOVED, serde_json::json!({"reason": 4})), WebhookEvent::AuthorizationRemoved { reason: 4 });
        assert_eq!(read(events::AUTHORIZATION_REMOVED, serde_json::json!({"reason": 99})), WebhookEvent::AuthorizationRemoved { reason: 0 });
        assert_eq!(read(events::PING, serde_json::json!({"reason": "testing Webhook"})), WebhookEvent::Ping);
        assert_eq!(read("video.something_new", serde_json::json!({})), WebhookEvent::Other("video.something_new".into()));
        let w = parse(body(events::COMPLETE, serde_json::json!({"publish_id": id})).as_bytes()).unwrap();
        assert_eq!(w.user_openid, "-000YSS_OTWKQzsQ-Q6fw", "kept raw, hyphens and all");
        assert_eq!(w.create_time, NOW);
        assert_eq!(w.event.publish_id(), Some(id));
    }

    #[test]
    fn malformed_bodies_are_refused_with_400() {
        for b in [
            "not json".to_string(),
            "[]".to_string(),
            r#"{"create_time":1}"#.to_string(),
            r#"{"event":"post.publish.complete","content":"{not json"}"#.to_string(),
            body(events::COMPLETE, serde_json::json!({"publish_type": "DIRECT_PUBLISH"})),
        ] {
            assert!(matches!(parse(b.as_bytes()), Err(Refusal::Malformed(_))), "{b}");
        }
    }

    #[test]
    fn every_removal_reason_has_its_sentence() {
        let all: Vec<_> = (0..=5).map(removal_sentence).collect();
        for (i, s) in all.iter().enumerate() {
            assert_eq!(all.iter().filter(|t| *t == s).count(), 1, "reason {i}");
        }
        assert_eq!(removal_sentence(9), removal_sentence(0));
    }
}
