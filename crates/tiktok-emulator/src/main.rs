//! `tiktok-emulator --addr 127.0.0.1:PORT [options]`: see `--help` and the README.

use clap::Parser;
use std::path::PathBuf;
use std::sync::Arc;
use tiktok_emulator::{Config, Emulator};
use tiktok_rules::pkce::ChallengeEncoding;

#[derive(Parser)]
#[command(version, about = "A local TikTok Content Posting API for LetsPost's tests and local runs")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8788")]
    addr: String,
    /// The URL clients reach this emulator at (upload URLs point there). Default: http://ADDR.
    #[arg(long)]
    public_base: Option<String>,
    #[arg(long, default_value = "letspost-local")]
    client_key: String,
    #[arg(long, default_value = "letspost-local-secret")]
    client_secret: String,
    /// A registered redirect URI (repeat for several). None: any URI TikTok's rules allow.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Access token lifetime, seconds (TikTok's 2026 docs: 2 h; before: 86400).
    #[arg(long, default_value_t = 7_200)]
    access_ttl: u64,
    /// Refresh token lifetime, seconds (TikTok's 2026 docs: 180 days; before: 31536000).
    #[arg(long, default_value_t = 15_552_000)]
    refresh_ttl: u64,
    /// PKCE challenge encoding: base64url (RFC 7636) or hex (TikTok's desktop docs).
    #[arg(long, default_value = "base64url", value_parser = ["base64url", "hex"])]
    pkce: String,
    /// Behave as for an app TikTok has not audited (private accounts, SELF_ONLY only).
    #[arg(long)]
    unaudited: bool,
    /// Keep state and uploads here across restarts (default: memory, uploads in a temp dir).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Mount the /__emulator/ test hooks.
    #[arg(long)]
    test_hooks: bool,
    /// Milliseconds from upload complete to the final status.
    #[arg(long, default_value_t = 3_000)]
    processing_ms: u64,
    /// Milliseconds from PUBLISH_COMPLETE to the public post id.
    #[arg(long, default_value_t = 1_000)]
    moderation_ms: u64,
    /// Posts per creator per day.
    #[arg(long, default_value_t = 15)]
    daily_cap: u32,
    /// Send TikTok's webhooks here, signed with the client secret (the portal's callback URL).
    #[arg(long)]
    webhook_url: Option<String>,
    /// Milliseconds before the first retry of a refused webhook, doubling each time (TikTok's
    /// back-off spans 72 hours: compressed).
    #[arg(long, default_value_t = 1_000)]
    webhook_retry_ms: u64,
    /// Seeds the view, like, comment, share and follower counts that grow over time.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let a = Args::parse();
    let listener = tokio::net::TcpListener::bind(&a.addr).await?;
    let bound = listener.local_addr()?;
    let mut config = Config::new(a.public_base.unwrap_or_else(|| format!("http://{bound}")));
    config.client_key = a.client_key;
    config.client_secret = a.client_secret;
    config.redirect_uris = a.redirect_uris;
    config.access_ttl_secs = a.access_ttl;
    config.refresh_ttl_secs = a.refresh_ttl;
    config.pkce = ChallengeEncoding::parse(&a.pkce).expect("validated by clap");
    config.unaudited = a.unaudited;
    config.state_dir = a.state_dir;
    config.test_hooks = a.test_hooks;
    config.processing_ms = a.processing_ms;
    config.moderation_ms = a.moderation_ms;
    config.daily_cap = a.daily_cap;
    config.webhook_url = a.webhook_url;
    config.webhook_retry_ms = a.webhook_retry_ms;
    config.seed = a.seed;
    let emu = Arc::new(Emulator::new(config)?);
    eprintln!("tiktok-emulator listening on http://{bound}{}", if emu.config.test_hooks { " (test hooks on)" } else { "" });
    // Ctrl-C or SIGTERM: stop, and let `Emulator`'s drop remove a temporary upload folder.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tiktok_emulator::serve(listener, emu.clone()) => r,
        _ = tokio::signal::ctrl_c() => Ok(()),
        _ = term.recv() => Ok(()),
    }
}
