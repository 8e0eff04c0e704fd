//! Tokens at rest: AES-256-GCM with a key from a Worker secret. The account's `open_id` is the
//! associated data, so a sealed token copied into another account's record does not open.
//! The nonce comes from the caller (WebCrypto in the Worker), never reused: 96 random bits.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

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

pub struct Vault {
    cipher: Aes256Gcm,
}

impl Vault {
    /// From the secret's text: 32 bytes in standard or URL-safe base64.
    pub fn from_base64(secret: &str) -> Result<Vault, VaultError> {
        let s = secret.trim();
        let key = STANDARD.decode(s).or_else(|_| URL_SAFE_NO_PAD.decode(s.trim_end_matches('='))).map_err(|_| VaultError::BadKey)?;
        if key.len() != KEY_BYTES {
            return Err(VaultError::BadKey);
        }
        Ok(Vault { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)) })
    }

    /// `base64url(nonce ‖ ciphertext ‖ tag)`.
    pub fn seal(&self, plaintext: &[u8], context: &str, nonce: &[u8; NONCE_BYTES]) -> String {
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(nonce), Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("AES-GCM encrypts any message under 64 GiB");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        URL_SAFE_NO_PAD.encode(out)
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, VaultError> {
        let raw = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| VaultError::CannotOpen)?;
        if raw.len() < NONCE_BYTES + 16 {
            return Err(VaultError::CannotOpen);
        }
        let (nonce, ct) = raw.split_at(NONCE_BYTES);
        self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() }).map_err(|_| VaultError::CannotOpen)
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
        assert_eq!(v.open(&sealed, "open-ana").unwrap(), b"act.secret");
    }

    #[test]
    fn another_account_another_key_or_a_flipped_bit_do_not_open() {
        let v = Vault::from_base64(KEY).unwrap();
        let sealed = v.seal(b"act.secret", "open-ana", &[1; NONCE_BYTES]);
        assert_eq!(v.open(&sealed, "open-pat"), Err(VaultError::CannotOpen));
        let other = Vault::from_base64(&STANDARD.encode([9u8; KEY_BYTES])).unwrap();
        assert_eq!(other.open(&sealed, "open-ana"), Err(VaultError::CannotOpen));
        let mut raw = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        raw[20] ^= 1;
        assert_eq!(v.open(&URL_SAFE_NO_PAD.encode(raw), "open-ana"), Err(VaultError::CannotOpen));
        assert_eq!(v.open("!!", "open-ana"), Err(VaultError::CannotOpen));
        assert_eq!(v.open("", "open-ana"), Err(VaultError::CannotOpen));
    }

    #[test]
    fn different_nonces_give_different_ciphertexts() {
        let v = Vault::from_base64(KEY).unwrap();
        assert_ne!(v.seal(b"x", "o", &[1; NONCE_BYTES]), v.seal(b"x", "o", &[2; NONCE_BYTES]));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(Vault::from_base64("not base64!").is_err());
        assert!(Vault::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert!(Vault::from_base64(&URL_SAFE_NO_PAD.encode([1u8; 32])).is_ok());
    }
}
