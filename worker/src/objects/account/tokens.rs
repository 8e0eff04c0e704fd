//! The account's tokens: sealed at rest (`letspost_core::vault`), opened with the configured
//! keys (never erased when they don't open), refreshed one at a time, and every TikTok call
//! made with a live one (refreshed once more if TikTok calls it stale).

use super::{Account, CREATOR_INFO};
use crate::base::config::{TOKEN_KEY, TOKEN_KEY_PREVIOUS, secret};
use crate::base::rand::{bytes, now_ms};
use crate::base::reply;
use crate::tiktok::TikTok;
use letspost_core::account::{Record, TokenStep, creator_info_reusable, is_business_refusal, is_stale_access, refresh_failure_needs_reconnect, token_step};
use letspost_core::api::codes;
use letspost_core::vault::{NONCE_BYTES, Vault};
use std::future::Future;
use tiktok_rules::ErrorClass;
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::error::TikTokError;
use tiktok_rules::oauth::Tokens;
use worker::{Response, Result};

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedCreatorInfo {
    info: CreatorInfo,
    fetched_at_ms: u64,
}

/// Why a call with the account's tokens could not be made: an answer for the browser.
pub(super) enum Failure {
    /// The account must be connected again (already marked so).
    Reconnect(TikTokError),
    TikTok(TikTokError),
    /// The sealed tokens did not open with the configured keys (a wrong `TOKEN_KEY`): kept
    /// as they are, for the operator to fix the key.
    Unreadable,
    Internal(worker::Error),
}

impl From<worker::Error> for Failure {
    fn from(e: worker::Error) -> Failure {
        Failure::Internal(e)
    }
}

impl Failure {
    pub(super) fn respond(self) -> Result<Response> {
        match self {
            Failure::Reconnect(e) => reply::error(401, codes::RECONNECT_NEEDED, reconnect_message(&e)),
            Failure::TikTok(e) => reply::tiktok_failure(&e),
            Failure::Unreadable => reply::with_retry_after(
                reply::error(
                    503,
                    codes::TOKENS_UNREADABLE,
                    "LetsPost can't read this account's TikTok connection right now. Nothing is lost; try again later.",
                )?,
                60,
            ),
            Failure::Internal(e) => {
                // The error names no token (storage and vault errors carry none).
                crate::base::log::error("account_failed", &[("error", &e.to_string())]);
                reply::internal()
            }
        }
    }
}

fn reconnect_message(e: &TikTokError) -> &'static str {
    match e.code.as_str() {
        tiktok_rules::error::codes::SCOPE_NOT_AUTHORIZED | tiktok_rules::error::codes::SCOPE_PERMISSION_MISSED => e.user_message(),
        _ => "Your TikTok connection has expired. Reconnect your TikTok account to keep posting.",
    }
}

/// No usable tokens are stored.
pub(super) fn gone() -> TikTokError {
    TikTokError::new(401, tiktok_rules::error::codes::INVALID_GRANT, "no usable tokens are stored")
}

impl Account {
    /// `TOKEN_KEY`, with `TOKEN_KEY_PREVIOUS` during a rotation.
    pub(super) fn vault(&self) -> Result<Vault> {
        let key = secret(&self.env, TOKEN_KEY).ok_or_else(|| worker::Error::RustError("TOKEN_KEY is not set".into()))?;
        let previous = secret(&self.env, TOKEN_KEY_PREVIOUS);
        Vault::with_previous(&key, previous.as_deref()).map_err(|e| worker::Error::RustError(e.to_string()))
    }

    pub(super) fn seal(&self, t: &Tokens) -> Result<String> {
        let json = serde_json::to_vec(t)?;
        Ok(self.vault()?.seal(&json, &t.open_id, &bytes::<NONCE_BYTES>()?))
    }

    /// The stored tokens, opened; `Reconnect` when there are none. Tokens that don't open with
    /// the configured keys are `Unreadable` (503, logged) and never erased: a deploy with a wrong
    /// key must not cost every account its connection. Tokens opened with the previous key are
    /// sealed again with the current one.
    pub(super) async fn tokens(&self) -> std::result::Result<(Record, Tokens), Failure> {
        let mut rec = self.record().await?.ok_or_else(|| Failure::Reconnect(gone()))?;
        let Some(sealed) = rec.sealed_tokens.clone() else { return Err(Failure::Reconnect(gone())) };
        let vault = self.vault()?;
        let opened = vault.open(&sealed, &rec.profile.open_id).ok().and_then(|o| serde_json::from_slice::<Tokens>(&o.plaintext).ok().map(|t| (t, o.reseal)));
        match opened {
            Some((t, reseal)) => {
                if reseal {
                    rec.sealed_tokens = Some(self.seal(&t)?);
                    self.save(&rec).await?;
                    crate::base::log::info("tokens_resealed", &[("open_id", &rec.profile.open_id), ("key_id", vault.key_id())]);
                }
                Ok((rec, t))
            }
            None => {
                crate::base::log::error("tokens_unreadable", &[("open_id", &rec.profile.open_id), ("key_id", vault.key_id())]);
                Err(Failure::Unreadable)
            }
        }
    }

    pub(super) async fn mark_reconnect(&self, e: TikTokError) -> Failure {
        match self.record().await {
            Ok(Some(mut rec)) => {
                rec.needs_reconnect();
                if let Err(err) = self.save(&rec).await {
                    return Failure::Internal(err);
                }
                Failure::Reconnect(e)
            }
            Ok(None) => Failure::Reconnect(e),
            Err(err) => Failure::Internal(err),
        }
    }

    /// Refresh, unless another caller already replaced `stale_access` while we waited.
    pub(super) async fn refresh(&self, stale_access: &str) -> std::result::Result<Tokens, Failure> {
        let _one_at_a_time = self.refresh_lock.lock().await;
        let (mut rec, current) = self.tokens().await?;
        if current.access_token != stale_access && token_step(&current, now_ms()) == TokenStep::Use {
            return Ok(current);
        }
        match TikTok::new(&self.env).refresh(&current.refresh_token).await {
            Ok(answer) => {
                let fresh = current.refreshed(answer, now_ms());
                rec.refreshed(&fresh, self.seal(&fresh)?);
                self.save(&rec).await?;
                Ok(fresh)
            }
            Err(e) if refresh_failure_needs_reconnect(&e) => Err(self.mark_reconnect(e).await),
            Err(e) => Err(Failure::TikTok(e)),
        }
    }

    /// Tokens whose access token is good for a while (refreshed ahead of expiry).
    pub(super) async fn live_tokens(&self) -> std::result::Result<Tokens, Failure> {
        let (_, tokens) = self.tokens().await?;
        match token_step(&tokens, now_ms()) {
            TokenStep::Reconnect => Err(self.mark_reconnect(gone()).await),
            TokenStep::Refresh => self.refresh(&tokens.access_token).await,
            TokenStep::Use => Ok(tokens),
        }
    }

    /// Run a TikTok call with a live access token: refreshed ahead of expiry, and once more
    /// if TikTok says the token is no good.
    pub(super) async fn with_token<T, F, Fut>(&self, call: F) -> std::result::Result<T, Failure>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = std::result::Result<T, TikTokError>>,
    {
        let tokens = self.live_tokens().await?;
        let first = call(tokens.access_token.clone()).await;
        let result = match first {
            Err(e) if is_stale_access(&e) => {
                let fresh = self.refresh(&tokens.access_token).await?;
                call(fresh.access_token).await
            }
            other => other,
        };
        match result {
            Err(e) if is_business_refusal(&e) => {
                self.flag_business().await?;
                Err(Failure::TikTok(e))
            }
            Err(e) if e.class() == tiktok_rules::ErrorClass::Reconnect => Err(self.mark_reconnect(e).await),
            Err(e) => Err(Failure::TikTok(e)),
            Ok(v) => Ok(v),
        }
    }

    /// creator_info from TikTok. A transient failure is tried once more; then, with `reuse`,
    /// answered from the last good answer if it is recent (`creator_info_reusable`): a TikTok
    /// hiccup while a post is being created must not lose the post, and TikTok's init checks
    /// the settings again anyway.
    pub(super) async fn creator_info(&self, reuse: bool) -> std::result::Result<CreatorInfo, Failure> {
        let ask = || self.with_token(|t| async move { TikTok::new(&self.env).creator_info(&t).await });
        let transient = |r: &std::result::Result<CreatorInfo, Failure>| matches!(r, Err(Failure::TikTok(e)) if e.class() == ErrorClass::Retryable);
        let mut answer = ask().await;
        if transient(&answer) {
            worker::Delay::from(std::time::Duration::from_millis(300)).await;
            answer = ask().await;
        }
        match answer {
            Ok(info) => {
                let fresh = CachedCreatorInfo { info: info.clone(), fetched_at_ms: now_ms() };
                self.state.storage().put(CREATOR_INFO, &fresh).await.map_err(Failure::Internal)?;
                Ok(info)
            }
            Err(Failure::TikTok(e)) if reuse && e.class() == ErrorClass::Retryable => {
                let cached: Option<CachedCreatorInfo> = self.state.storage().get(CREATOR_INFO).await.map_err(Failure::Internal)?;
                match cached {
                    Some(c) if creator_info_reusable(c.fetched_at_ms, now_ms()) => Ok(c.info),
                    _ => Err(Failure::TikTok(e)),
                }
            }
            Err(f) => Err(f),
        }
    }

    pub(super) async fn flag_business(&self) -> Result<()> {
        if let Some(mut rec) = self.record().await?
            && !rec.business_account
        {
            rec.business_account = true;
            self.save(&rec).await?;
        }
        Ok(())
    }
}
