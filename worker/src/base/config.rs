//! Where TikTok is: real TikTok or the emulator is a matter of these variables (wrangler.toml
//! `[vars]`, secrets for the client secret and the token key), never of code. The R2 bucket's binding
//! name is here too (the Durable Objects' are in `objects/mod.rs`, beside the calls that use them).

use tiktok_rules::pkce::ChallengeEncoding;
use worker::Env;

pub struct Config {
    /// `https://open.tiktokapis.com` for real TikTok.
    pub tiktok_api_base: String,
    /// `https://www.tiktok.com` for real TikTok (the authorize page).
    pub tiktok_auth_base: String,
    pub client_key: String,
    /// How the browser writes the PKCE challenge (`TIKTOK_PKCE`: base64url, or TikTok's hex).
    pub pkce: ChallengeEncoding,
}

fn var(env: &Env, name: &str, default: &str) -> String {
    env.var(name).map(|v| v.to_string()).unwrap_or_else(|_| default.to_string())
}

/// A secret (`wrangler secret put`), or a plain var in local runs (`--var`, `.dev.vars`).
/// The value never leaves the Worker: not in a body, a header or a log line.
pub fn secret(env: &Env, name: &str) -> Option<String> {
    env.secret(name).map(|s| s.to_string()).or_else(|_| env.var(name).map(|v| v.to_string())).ok().filter(|s| !s.is_empty())
}

/// The R2 bucket where uploads are staged.
pub const MEDIA_BUCKET: &str = "MEDIA";

pub const CLIENT_SECRET: &str = "TIKTOK_CLIENT_SECRET";
/// 32 bytes, base64: the AES-GCM key that seals TikTok tokens at rest.
pub const TOKEN_KEY: &str = "TOKEN_KEY";
/// The key `TOKEN_KEY` replaces, set only while rotating: tokens sealed with it still open, and
/// are sealed again with `TOKEN_KEY` on their next use.
pub const TOKEN_KEY_PREVIOUS: &str = "TOKEN_KEY_PREVIOUS";

impl Config {
    pub fn from_env(env: &Env) -> Config {
        Config {
            tiktok_api_base: var(env, "TIKTOK_API_BASE", "https://open.tiktokapis.com"),
            tiktok_auth_base: var(env, "TIKTOK_AUTH_BASE", "https://www.tiktok.com"),
            client_key: var(env, "TIKTOK_CLIENT_KEY", ""),
            pkce: ChallengeEncoding::parse(&var(env, "TIKTOK_PKCE", "base64url")).unwrap_or_default(),
        }
    }

    /// Can LetsPost talk to TikTok at all (client key, client secret and token key set)?
    pub fn configured(&self, env: &Env) -> bool {
        !self.client_key.is_empty() && secret(env, CLIENT_SECRET).is_some() && secret(env, TOKEN_KEY).is_some()
    }
}

/// How long a published or failed post's video stays in R2 (`MEDIA_RETENTION_SECS`, default
/// 7 days): long enough to retry, short enough not to hoard creators' videos.
pub fn media_retention_ms(env: &Env) -> u64 {
    var(env, "MEDIA_RETENTION_SECS", "604800").parse::<u64>().unwrap_or(604_800) * 1000
}

/// `TIKTOK_WEBHOOKS = "on"`: the deployment registered `/api/webhooks/tiktok` in TikTok's
/// developer portal, so posts rely on pushed status and poll only as a fallback. Off by
/// default: without the portal step no webhook ever arrives.
pub fn webhooks_on(env: &Env) -> bool {
    var(env, "TIKTOK_WEBHOOKS", "off") == "on"
}

/// `WEBHOOK_TOLERANCE_SECS` (default 300): how far a delivery's signed time may be from now.
pub fn webhook_tolerance_secs(env: &Env) -> u64 {
    var(env, "WEBHOOK_TOLERANCE_SECS", "").parse().unwrap_or(tiktok_rules::webhook::DEFAULT_TOLERANCE_SECS)
}

/// `PRESELECT_PUBLIC` (default true): see `letspost_core::api::AppSettings`.
pub fn preselect_public(env: &Env) -> bool {
    var(env, "PRESELECT_PUBLIC", "true") != "false"
}

/// `QUEUE_LEAD_SECS` (default `posting_schedule::LEAD_MS`, 5 minutes): how far ahead "Add to
/// queue" looks for a slot, so the video can be staged and uploaded before it. The tests use a
/// few seconds, to see a queued post published soon.
pub fn queue_lead_ms(env: &Env) -> u64 {
    var(env, "QUEUE_LEAD_SECS", "").parse::<u64>().map(|s| s * 1000).unwrap_or(posting_schedule::LEAD_MS)
}

/// `UPLOAD_LEAD_MARGIN_SECS` (default `post_lifecycle::timing::LEAD_MARGIN_MS`, 30 s): the time a
/// scheduled post's upload keeps before its chunks for init, a token refresh and retries; a new
/// post takes it at create (`Post::upload_lead_margin_ms`). The tests use a few seconds, so a
/// post scheduled a little ahead is still waiting when they look.
pub fn upload_lead_margin_ms(env: &Env) -> u64 {
    var(env, "UPLOAD_LEAD_MARGIN_SECS", "").parse::<u64>().map(|s| s * 1000).unwrap_or(post_lifecycle::timing::LEAD_MARGIN_MS)
}

/// `ANALYTICS` (default "on"): connecting asks for `video.list` and `user.info.stats` too, and
/// accounts that granted them have their posts' numbers read and their counts snapshotted
/// daily (issue 33). "off" asks for neither and reads nothing.
pub fn analytics_on(env: &Env) -> bool {
    var(env, "ANALYTICS", "on") != "off"
}
