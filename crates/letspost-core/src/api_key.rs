//! Personal API keys (issue 34): what a key's secret looks like, how it is found without being
//! stored, what a new key may be, and which routes a key may use.
//!
//! A secret is `lp_` + 32 random bytes in base64url (256 bits): shown once, never stored. A key
//! is found by its id, the SHA-256 of the secret (64 hex digits), which names its object. A
//! fast hash is the right one here: the secret is random, not a password, so there is nothing
//! to guess, and a slow KDF would spend CPU on every request (OWASP's password storage advice
//! is for low-entropy secrets).

use crate::api::ApiError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const PREFIX: &str = "lp_";
/// Random bytes behind a secret.
pub const SECRET_BYTES: usize = 32;
/// `lp_` + 43 base64url characters.
pub const SECRET_LEN: usize = 46;
/// Keys naming one account: the most its object lists (a new one beyond is refused, 409).
pub const MAX_PER_ACCOUNT: usize = 20;
/// Accounts one key may name (a session holds at most as many).
pub const MAX_ACCOUNTS: usize = crate::session::MAX_ACCOUNTS;
/// A key's name, in characters.
pub const NAME_MAX_CHARS: usize = 64;
/// `last_used_at` is kept to the minute: a busy key writes at most once a minute for being used.
pub const USED_STEP_MS: u64 = 60_000;
/// What the Worker calls a key wherever a session's public id would go (rate-limit keys, the
/// holder checks): session ids are hex, so the two never meet.
pub const PRINCIPAL_PREFIX: &str = "key:";

pub mod codes {
    /// A request with an `Authorization` header that is no key the server knows (401).
    pub const INVALID_KEY: &str = "invalid_key";
    /// A key used where only a browser session may act (403).
    pub const KEY_NOT_ALLOWED: &str = "key_not_allowed";
    /// An account already named by `MAX_PER_ACCOUNT` keys (409).
    pub const TOO_MANY_KEYS: &str = "too_many_keys";
}

/// A new secret from random bytes the caller drew.
pub fn new_secret(random: &[u8; SECRET_BYTES]) -> String {
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(random))
}

/// Only secrets we could have minted are looked up.
pub fn valid_secret(s: &str) -> bool {
    s.len() == SECRET_LEN && s.starts_with(PREFIX) && s[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The key's id: SHA-256 of the secret, 64 hex digits.
pub fn key_id(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn valid_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The secret in an `Authorization` header (`Bearer lp_…`, the scheme in any case); `None`
/// for anything else, which the Worker refuses (401) rather than reading it as no key.
pub fn secret_from_header(header: &str) -> Option<&str> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    let secret = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && valid_secret(secret)).then_some(secret)
}

/// May a key make this request? A key acts for its accounts through the post and account
/// routes; it can't make or list keys, connect or disconnect accounts, or manage sessions:
/// those stay with a person in a browser. `segments` is the path after `/api/`.
pub fn key_may(method: &str, segments: &[&str]) -> bool {
    matches!(
        (method, segments),
        ("GET", ["health" | "settings" | "openapi.json"])
            | ("GET", ["accounts"])
            | ("GET", ["accounts", _, "creator-info" | "schedule" | "queue" | "slots" | "stats" | "best-times"])
            | ("PUT", ["accounts", _, "schedule"])
            | ("GET" | "POST", ["posts"])
            | ("GET" | "PATCH" | "DELETE", ["posts", _])
            | ("POST", ["posts", _, "retry"])
            | ("GET", ["posts", _, "metrics"])
            | ("POST", ["posts", _, "metrics", "refresh"])
            | ("GET" | "PUT", ["posts", _, "media"])
            | ("GET", ["posts", _, "check"])
    )
}

/// `POST /api/keys` takes this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewKey {
    pub name: String,
    pub accounts: Vec<String>,
}

impl NewKey {
    /// The key as it will be kept: the name trimmed, accounts without repeats, in order.
    /// Errors name the field (422).
    pub fn check(&self) -> Result<NewKey, ApiError> {
        let field = |f: &str, m: &str| Err(ApiError { code: "invalid_field".into(), message: m.into(), field: Some(f.into()) });
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return field("name", &format!("Give the key a name of 1 to {NAME_MAX_CHARS} characters, so you know it again."));
        }
        let mut accounts: Vec<String> = Vec::new();
        for a in &self.accounts {
            if a.is_empty() || a.len() > 128 || a.chars().any(char::is_control) {
                return field("accounts", "An account is named by its open_id.");
            }
            if !accounts.contains(a) {
                accounts.push(a.clone());
            }
        }
        if accounts.is_empty() || accounts.len() > MAX_ACCOUNTS {
            return field("accounts", &format!("Choose 1 to {MAX_ACCOUNTS} accounts the key may post to."));
        }
        Ok(NewKey { name: name.to_string(), accounts })
    }
}

/// A key as the API shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub accounts: Vec<String>,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// RFC 3339, to the minute; `null` until first used.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub last_used_at: Option<String>,
}

/// `201` to `POST /api/keys`: the key and, this once, its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyCreated {
    pub key: ApiKey,
    pub secret: String,
}

/// `GET /api/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeysBody {
    pub keys: Vec<ApiKey>,
}

/// A key as its object keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub id: String,
    pub name: String,
    pub accounts: Vec<String>,
    pub created_ms: u64,
    pub last_used_ms: Option<u64>,
}

impl KeyRecord {
    /// Used now: `true` when `last_used_ms` moved (at most once per `USED_STEP_MS`), i.e. when
    /// the caller should store it.
    pub fn used(&mut self, now_ms: u64) -> bool {
        let moved = self.last_used_ms.is_none_or(|t| now_ms >= t.saturating_add(USED_STEP_MS));
        if moved {
            self.last_used_ms = Some(now_ms - now_ms % USED_STEP_MS);
        }
        moved
    }

    /// The API's view, showing only the accounts in `visible` (a session sees the keys that
    /// name an account it holds, and of their accounts only those it holds too).
    pub fn view(&self, visible: &[String]) -> ApiKey {
        ApiKey {
            id: self.id.clone(),
            name: self.name.clone(),
            accounts: self.accounts.iter().filter(|a| visible.contains(a)).cloned().collect(),
            created_at: crate::time_fmt::rfc3339_utc(self.created_ms),
            last_used_at: self.last_used_ms.map(crate::time_fmt::rfc3339_utc),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_has_256_bits_and_its_id_is_its_hash() {
        let s = new_secret(&[7; SECRET_BYTES]);
        assert_eq!(s.len(), SECRET_LEN);
        assert!(valid_secret(&s), "{s}");
        let id = key_id(&s);
        assert!(valid_id(&id));
        assert_ne!(id, key_id(&new_secret(&[8; SECRET_BYTES])));
        assert!(!id.contains(&s[3..]), "the id gives the secret away");
        assert!(!valid_secret("lp_short") && !valid_secret(&s.replace("lp_", "xx_")) && !valid_secret(&format!("{}!", &s[..45])));
    }

    #[test]
    fn only_a_bearer_key_is_read_from_the_header() {
        let s = new_secret(&[1; SECRET_BYTES]);
        assert_eq!(secret_from_header(&format!("Bearer {s}")), Some(s.as_str()));
        assert_eq!(secret_from_header(&format!("bearer  {s} ")), Some(s.as_str()));
        assert_eq!(secret_from_header(&format!("Basic {s}")), None);
        assert_eq!(secret_from_header(&s), None);
        assert_eq!(secret_from_header("Bearer lp_nope"), None);
    }

    #[test]
    fn a_key_reaches_posts_and_accounts_but_not_keys_sign_in_or_sessions() {
        assert!(key_may("POST", &["posts"]));
        assert!(key_may("PUT", &["posts", "x", "media"]));
        assert!(key_may("GET", &["accounts", "o", "queue"]));
        assert!(key_may("GET", &["accounts"]));
        assert!(key_may("GET", &["accounts", "o", "stats"]) && key_may("GET", &["accounts", "o", "best-times"]));
        assert!(key_may("POST", &["posts", "x", "metrics", "refresh"]) && key_may("GET", &["posts", "x", "metrics"]));
        for (m, p) in [
            ("POST", &["keys"][..]),
            ("GET", &["keys"][..]),
            ("DELETE", &["keys", "x"][..]),
            ("POST", &["oauth", "start"][..]),
            ("POST", &["oauth", "token"][..]),
            ("DELETE", &["accounts", "o"][..]),
            ("GET", &["accounts", "o", "sessions"][..]),
            ("DELETE", &["accounts", "o", "sessions", "s"][..]),
            ("POST", &["session", "logout"][..]),
            ("GET", &["test", "x"][..]),
        ] {
            assert!(!key_may(m, p), "{m} {p:?}");
        }
    }

    #[test]
    fn a_new_key_needs_a_name_and_accounts() {
        let k = NewKey { name: "  render farm ".into(), accounts: vec!["a".into(), "b".into(), "a".into()] };
        assert_eq!(k.check().unwrap(), NewKey { name: "render farm".into(), accounts: vec!["a".into(), "b".into()] });
        let field = |k: NewKey| k.check().unwrap_err().field.unwrap();
        assert_eq!(field(NewKey { name: " ".into(), accounts: vec!["a".into()] }), "name");
        assert_eq!(field(NewKey { name: "x".repeat(65), accounts: vec!["a".into()] }), "name");
        assert_eq!(field(NewKey { name: "ok".into(), accounts: vec![] }), "accounts");
        assert_eq!(field(NewKey { name: "ok".into(), accounts: vec!["".into()] }), "accounts");
        assert_eq!(field(NewKey { name: "ok".into(), accounts: (0..51).map(|i| i.to_string()).collect() }), "accounts");
    }

    #[test]
    fn last_used_moves_once_a_minute_and_the_view_hides_other_accounts() {
        let mut r = KeyRecord { id: "i".into(), name: "n".into(), accounts: vec!["a".into(), "b".into()], created_ms: 0, last_used_ms: None };
        assert!(r.used(90_000));
        assert_eq!(r.last_used_ms, Some(60_000));
        assert!(!r.used(119_999));
        assert!(r.used(120_000));
        let v = r.view(&["b".into(), "c".into()]);
        assert_eq!(v.accounts, vec!["b".to_string()]);
        assert_eq!(v.last_used_at.as_deref(), Some("1970-01-01T00:02:00Z"));
    }
}
