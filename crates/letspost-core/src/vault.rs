//! Tokens at rest: AES-256-GCM with a key from a Worker secret. The account's `open_id` is the
//! associated data, so a sealed token copied into another account's record does not open.
//! The nonce comes from the caller (WebCrypto in the Worker), never reused: 96 random bits.
//!
//! A sealed value names its key: `k<id>.<base64url>`, the id being 8 hex digits of a SHA-256 of
//! the key (it says which key, and nothing about the key). A `Vault` holds the current key and,
//! while an operator rotates, the previous one (`TOKEN_KEY_PREVIOUS`): values sealed with the
//! previous key (or before key ids, with none) still open, and say they want sealing anew.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultError {
    /// The secret is not 32 bytes of base64.
    BadKey,
    /// Not sealed by this key for this account (a rotated key, or tampering).
    CannotOpen,
}

impl std::fmt::Display for VaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VaultError::BadKey => "the token key must be 32 bytes, base64-encoded",
            VaultError::CannotOpen => "the sealed tokens do not open with this key",
        })
    }
}

impl std::error::Error for VaultError {}

struct KeyOf {
    /// 8 hex digits naming the key.
    id: String,
    cipher: Aes256Gcm,
}

impl KeyOf {
    fn from_base64(secret: &str) -> Result<KeyOf, VaultError> {
        let s = secret.trim();
        let key = STANDARD.decode(s).or_else(|_| URL_SAFE_NO_PAD.decode(s.trim_end_matches('='))).map_err(|_| VaultError::BadKey)?;
        if key.len() != KEY_BYTES {
            return Err(VaultError::BadKey);
        }
        let mut h = Sha256::new();
        h.update(b"letspost token key id\0");
        h.update(&key);
        let id = h.finalize()[..4].iter().map(|b| format!("{b:02x}")).collect();
        Ok(KeyOf { id, cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)) })
    }

    fn open(&self, raw: &[u8], context: &str) -> Option<Vec<u8>> {
        if raw.len() < NONCE_BYTES + 16 {
            return None;
        }
        let (nonce, ct) = raw.split_at(NONCE_BYTES);
        self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() }).ok()
    }
}

pub struct Vault {
    current: KeyOf,
    previous: Option<KeyOf>,
}

/// An opened value, and whether it should be sealed again with the current key (it was sealed
/// with the previous one, or before sealed values named their key).
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    pub plaintext: Vec<u8>,
    pub reseal: bool,
}

impl Vault {
    /// From the secret's text: 32 bytes in standard or URL-safe base64.
    pub fn from_base64(secret: &str) -> Result<Vault, VaultError> {
        Ok(Vault { current: KeyOf::from_base64(secret)?, previous: None })
    }

    /// The current key and, during a rotation, the previous one (both 32 bytes of base64).
    pub fn with_previous(secret: &str, previous: Option<&str>) -> Result<Vault, VaultError> {
        let previous = previous.map(KeyOf::from_base64).transpose()?;
        Ok(Vault { current: KeyOf::from_base64(secret)?, previous })
    }

    /// The current key's id (8 hex digits), for logs: it names the key, never reveals it.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// `k<key id>.base64url(nonce ‖ ciphertext ‖ tag)`.
    pub fn seal(&self, plaintext: &[u8], context: &str, nonce: &[u8; NONCE_BYTES]) -> String {
        let ct = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(nonce), Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("AES-GCM encrypts any message under 64 GiB");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("k{}.{}", self.current.id, URL_SAFE_NO_PAD.encode(out))
    }

    /// Open with the key the value names (current or previous); a value without a key id is
    /// tried with both. `CannotOpen` when no key opens it: a wrong key, or tampering.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Opened, VaultError> {
        let (named, body) = match sealed.split_once('.') {
            Some((kid, body)) if kid.len() == 9 && kid.starts_with('k') => (Some(&kid[1..]), body),
            _ => (None, sealed),
        };
        let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| VaultError::CannotOpen)?;
        let keys = std::iter::once((&self.current, false)).chain(self.previous.iter().map(|k| (k, true)));
        for (key, is_previous) in keys {
            if named.is_some_and(|id| id != key.id) {
                continue;
            }
            if let Some(plaintext) = key.open(&raw, context) {
                return Ok(Opened { plaintext, reseal: is_previous || named.is_none() });
            }
        }
        Err(VaultError::CannotOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn seals_and_opens_for_the_same_account() {
        let v = Vault::from_base64(KEY).unwrap();
        let sealed = v.seal(b"act.secret", "open-ana", &[1; NONCE_BYTES]);
        assert!(!sealed.contains("act.secret"));
        assert!(sealed.starts_with(&format!("k{}.", v.key_id())), "{sealed}");
        assert_eq!(v.open(&sealed, "open-ana").unwrap(), Opened { plaintext: b"act.secret".to_vec(), reseal: false });
    }

    #[test]
    fn another_account_another_key_or_a_flipped_bit_do_not_open() {
        let v = Vault::from_base64(KEY).unwrap();
        let sealed = v.seal(b"act.secret", "open-ana", &[1; NONCE_BYTES]);
        assert_eq!(v.open(&sealed, "open-pat"), Err(VaultError::CannotOpen));
        let other = Vault::from_base64(&STANDARD.encode([9u8; KEY_BYTES])).unwrap();
        assert_eq!(other.open(&sealed, "open-ana"), Err(VaultError::CannotOpen));
        let (kid, body) = sealed.split_once('.').unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(body).unwrap();
        raw[20] ^= 1;
        assert_eq!(v.open(&format!("{kid}.{}", URL_SAFE_NO_PAD.encode(raw)), "open-ana"), Err(VaultError::CannotOpen));
        assert_eq!(v.open("!!", "open-ana"), Err(VaultError::CannotOpen));
        assert_eq!(v.open("", "open-ana"), Err(VaultError::CannotOpen));
    }

    #[test]
    fn different_nonces_give_different_ciphertexts() {
        let v = Vault::from_base64(KEY).unwrap();
        assert_ne!(v.seal(b"x", "o", &[1; NONCE_BYTES]), v.seal(b"x", "o", &[2; NONCE_BYTES]));
    }

    const NEW: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    #[test]
    fn a_rotation_opens_the_previous_keys_values_and_asks_to_reseal_them() {
        let old = Vault::from_base64(KEY).unwrap();
        let sealed = old.seal(b"tokens", "open-ana", &[3; NONCE_BYTES]);
        let rotating = Vault::with_previous(NEW, Some(KEY)).unwrap();
        assert_ne!(rotating.key_id(), old.key_id());
        assert_eq!(rotating.open(&sealed, "open-ana").unwrap(), Opened { plaintext: b"tokens".to_vec(), reseal: true });
        let resealed = rotating.seal(b"tokens", "open-ana", &[4; NONCE_BYTES]);
        assert!(!rotating.open(&resealed, "open-ana").unwrap().reseal);
        // Once the previous key is gone, only resealed values open.
        let after = Vault::from_base64(NEW).unwrap();
        assert_eq!(after.open(&resealed, "open-ana").unwrap().plaintext, b"tokens");
        assert_eq!(after.open(&sealed, "open-ana"), Err(VaultError::CannotOpen));
        assert!(Vault::with_previous(NEW, Some("short")).is_err());
    }

    #[test]
    fn values_sealed_before_key_ids_still_open_and_ask_to_reseal() {
        let v = Vault::from_base64(KEY).unwrap();
        let sealed = v.seal(b"tokens", "open-ana", &[5; NONCE_BYTES]);
        let legacy = sealed.split_once('.').unwrap().1.to_string();
        assert_eq!(v.open(&legacy, "open-ana").unwrap(), Opened { plaintext: b"tokens".to_vec(), reseal: true });
        let rotating = Vault::with_previous(NEW, Some(KEY)).unwrap();
        assert!(rotating.open(&legacy, "open-ana").unwrap().reseal);
    }

    #[test]
    fn the_key_id_does_not_reveal_the_key() {
        let v = Vault::from_base64(KEY).unwrap();
        assert_eq!(v.key_id().len(), 8);
        assert!(!KEY.contains(v.key_id()));
        assert_eq!(v.key_id(), Vault::from_base64(KEY).unwrap().key_id(), "stable");
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(Vault::from_base64("not base64!").is_err());
        assert!(Vault::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert!(Vault::from_base64(&URL_SAFE_NO_PAD.encode([1u8; 32])).is_ok());
    }
}
