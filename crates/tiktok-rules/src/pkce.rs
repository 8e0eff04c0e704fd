//! PKCE (RFC 7636) over bytes the caller supplies: the browser passes `crypto.getRandomValues`
//! output, tests pass fixed bytes. No randomness here keeps this pure and testable.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How the S256 challenge is written. RFC 7636 (and TikTok's web flow) use base64url; TikTok's
/// desktop docs ask for hex. A setting, base64url by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChallengeEncoding {
    #[default]
    Base64url,
    Hex,
}

impl ChallengeEncoding {
    pub fn parse(s: &str) -> Option<ChallengeEncoding> {
        match s {
            "base64url" => Some(ChallengeEncoding::Base64url),
            "hex" => Some(ChallengeEncoding::Hex),
            _ => None,
        }
    }
}

pub const VERIFIER_MIN: usize = 43;
pub const VERIFIER_MAX: usize = 128;
/// Random bytes the caller should supply: 32 bytes → a 43-character verifier.
pub const VERIFIER_ENTROPY_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkceError {
    BadLength(usize),
    BadCharacter(char),
}

impl std::fmt::Display for PkceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PkceError::BadLength(n) => write!(f, "code_verifier must be 43 to 128 characters, got {n}"),
            PkceError::BadCharacter(c) => write!(f, "code_verifier may only use A-Z a-z 0-9 - . _ ~, got {c:?}"),
        }
    }
}

impl std::error::Error for PkceError {}

/// A verifier (or a `state`) from random bytes: base64url without padding.
/// 32 bytes give 43 characters, 96 bytes give 128.
pub fn verifier_from_bytes(random: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(random)
}

pub fn check_verifier(verifier: &str) -> Result<(), PkceError> {
    let n = verifier.chars().count();
    if !(VERIFIER_MIN..=VERIFIER_MAX).contains(&n) {
        return Err(PkceError::BadLength(n));
    }
    match verifier.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))) {
        Some(c) => Err(PkceError::BadCharacter(c)),
        None => Ok(()),
    }
}

/// The S256 `code_challenge` for a verifier.
pub fn challenge(verifier: &str, encoding: ChallengeEncoding) -> String {
    challenge_from_digest(&Sha256::digest(verifier.as_bytes()), encoding)
}

/// The `code_challenge` from a SHA-256 digest computed elsewhere (the browser uses WebCrypto's
/// `crypto.subtle.digest`, so it ships no SHA-256 of its own).
pub fn challenge_from_digest(digest: &[u8], encoding: ChallengeEncoding) -> String {
    match encoding {
        ChallengeEncoding::Base64url => URL_SAFE_NO_PAD.encode(digest),
        ChallengeEncoding::Hex => digest.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Is this a challenge `challenge_from_digest` could have written (a SHA-256 digest, in
/// base64url: 43 characters; in hex: 64 lowercase digits)?
pub fn check_challenge(challenge_sent: &str, encoding: ChallengeEncoding) -> bool {
    match encoding {
        ChallengeEncoding::Base64url => challenge_sent.len() == 43 && challenge_sent.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        ChallengeEncoding::Hex => challenge_sent.len() == 64 && challenge_sent.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
    }
}

/// Does this verifier answer this challenge? (The token endpoint's check.)
pub fn verify(verifier: &str, challenge_sent: &str, encoding: ChallengeEncoding) -> bool {
    check_verifier(verifier).is_ok() && constant_time_eq(challenge(verifier, encoding).as_bytes(), challenge_sent.as_bytes())
}

/// Comparison whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636, appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_appendix_b_vector() {
        let bytes =
            [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];
        assert_eq!(verifier_from_bytes(&bytes), RFC_VERIFIER);
        assert_eq!(challenge(RFC_VERIFIER, ChallengeEncoding::Base64url), RFC_CHALLENGE);
        assert!(verify(RFC_VERIFIER, RFC_CHALLENGE, ChallengeEncoding::Base64url));
    }

    #[test]
    fn a_digest_from_elsewhere_encodes_the_same() {
        let digest = Sha256::digest(RFC_VERIFIER.as_bytes());
        assert_eq!(challenge_from_digest(&digest, ChallengeEncoding::Base64url), RFC_CHALLENGE);
        assert_eq!(challenge_from_digest(&digest, ChallengeEncoding::Hex), challenge(RFC_VERIFIER, ChallengeEncoding::Hex));
    }

    #[test]
    fn hex_variant_is_the_same_digest_in_hex() {
        let hex = challenge(RFC_VERIFIER, ChallengeEncoding::Hex);
        assert_eq!(hex, "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3");
        assert!(verify(RFC_VERIFIER, &hex, ChallengeEncoding::Hex));
        assert!(!verify(RFC_VERIFIER, &hex, ChallengeEncoding::Base64url));
    }

    #[test]
    fn verifier_length_bounds() {
        assert_eq!(verifier_from_bytes(&[7; VERIFIER_ENTROPY_BYTES]).len(), 43);
        assert_eq!(verifier_from_bytes(&[7; 96]).len(), 128);
        assert_eq!(check_verifier(&"a".repeat(42)), Err(PkceError::BadLength(42)));
        assert_eq!(check_verifier(&"a".repeat(43)), Ok(()));
        assert_eq!(check_verifier(&"a".repeat(128)), Ok(()));
        assert_eq!(check_verifier(&"a".repeat(129)), Err(PkceError::BadLength(129)));
        assert_eq!(check_verifier(&format!("{}+", "a".repeat(43))), Err(PkceError::BadCharacter('+')));
        assert_eq!(check_verifier("abc~def.ghi_jkl-mnoABCDEFGHIJKLMNOPQRSTUVWXYZ01"), Ok(()));
    }

    #[test]
    fn challenges_have_the_digest_s_shape() {
        assert!(check_challenge(RFC_CHALLENGE, ChallengeEncoding::Base64url));
        assert!(check_challenge(&challenge(RFC_VERIFIER, ChallengeEncoding::Hex), ChallengeEncoding::Hex));
        assert!(!check_challenge(RFC_CHALLENGE, ChallengeEncoding::Hex));
        assert!(!check_challenge(&format!("{RFC_CHALLENGE}A"), ChallengeEncoding::Base64url));
        assert!(!check_challenge(&"+".repeat(43), ChallengeEncoding::Base64url));
        assert!(!check_challenge("", ChallengeEncoding::Base64url));
    }

    #[test]
    fn a_wrong_verifier_does_not_verify() {
        let other = "a".repeat(43);
        assert!(!verify(&other, RFC_CHALLENGE, ChallengeEncoding::Base64url));
        assert!(!verify("short", &challenge("short", ChallengeEncoding::Base64url), ChallengeEncoding::Base64url));
    }
}
