//! Where TikTok is: real TikTok or the emulator is a matter of these variables (wrangler.toml
//! `[vars]`, secrets for the client secret), never of code.

use worker::Env;

pub struct Config {
    /// `https://open.tiktokapis.com` for real TikTok.
    pub tiktok_api_base: String,
    /// `https://www.tiktok.com` for real TikTok (the authorize page).
    pub tiktok_auth_base: String,
    pub client_key: String,
    /// Present or not: the value never leaves the Worker.
    pub has_client_secret: bool,
}

fn var(env: &Env, name: &str, default: &str) -> String {
    env.var(name).map(|v| v.to_string()).unwrap_or_else(|_| default.to_string())
}

impl Config {
    pub fn from_env(env: &Env) -> Config {
        Config {
            tiktok_api_base: var(env, "TIKTOK_API_BASE", "https://open.tiktokapis.com"),
            tiktok_auth_base: var(env, "TIKTOK_AUTH_BASE", "https://www.tiktok.com"),
            client_key: var(env, "TIKTOK_CLIENT_KEY", ""),
            has_client_secret: env.secret("TIKTOK_CLIENT_SECRET").is_ok() || env.var("TIKTOK_CLIENT_SECRET").is_ok(),
        }
    }
}
