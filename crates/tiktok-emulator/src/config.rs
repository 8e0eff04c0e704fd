//! How the emulator behaves: TikTok's settings for one developer app.

use std::path::PathBuf;
use tiktok_rules::pkce::ChallengeEncoding;

#[derive(Debug, Clone)]
pub struct Config {
    pub client_key: String,
    pub client_secret: String,
    /// Registered redirect URIs; empty = any URI that passes TikTok's rules.
    pub redirect_uris: Vec<String>,
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
    /// How long an authorization code lives.
    pub code_ttl_secs: u64,
    pub pkce: ChallengeEncoding,
    /// An app TikTok has not audited: posts only to private accounts, only as SELF_ONLY.
    pub unaudited: bool,
    /// Uploads and state are kept here; `None`: state in memory, uploads in a temp folder.
    pub state_dir: Option<PathBuf>,
    pub test_hooks: bool,
    /// From upload complete to PUBLISH_COMPLETE / FAILED.
    pub processing_ms: u64,
    /// From PUBLISH_COMPLETE to the public post id appearing (moderation).
    pub moderation_ms: u64,
    pub daily_cap: u32,
    /// Base of the upload URLs handed out, e.g. `http://127.0.0.1:9000`.
    pub public_base: String,
    /// Where webhooks go (the app's callback URL in TikTok's portal); none: not sent.
    pub webhook_url: Option<String>,
    /// The first retry's delay after a refused delivery, doubling (TikTok's are far longer).
    pub webhook_retry_ms: u64,
    /// Seeds the counts posts and accounts grow (`metrics`): one seed, the same numbers.
    pub seed: u64,
}

impl Config {
    /// Defaults as TikTok's 2026 docs say (access 2 h, refresh 180 days, always rotated), for
    /// a local run at `public_base`.
    pub fn new(public_base: impl Into<String>) -> Config {
        Config {
            client_key: "letspost-local".into(),
            client_secret: "letspost-local-secret".into(),
            redirect_uris: Vec::new(),
            access_ttl_secs: 2 * 3600,
            refresh_ttl_secs: 180 * 24 * 3600,
            code_ttl_secs: 300,
            pkce: ChallengeEncoding::Base64url,
            unaudited: false,
            state_dir: None,
            test_hooks: false,
            processing_ms: 3_000,
            moderation_ms: 1_000,
            daily_cap: tiktok_rules::api::DAILY_POST_CAP,
            public_base: public_base.into(),
            webhook_url: None,
            webhook_retry_ms: 1_000,
            seed: 0,
        }
    }
}
