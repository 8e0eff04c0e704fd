//! The alarm's work: the I/O each step of the machine names (TikTok calls with the account's
//! token, chunks piped from R2), persisted before and after; then housekeeping (the video's
//! retention) and, for a finished post past it, shedding the object's storage.

use super::{PostObject, SHED, WATCH};
use crate::base::config::media_retention_ms;
use crate::base::rand::now_ms;
use crate::objects::account::{AccountOp, PublishOf, TokenAnswer, TokenAsk};
use crate::objects::due_index::{DueOp, EntryId};
use crate::objects::expect_ok;
use crate::tiktok::TikTok;
use crate::tiktok::chunk_put::{ChunkAnswer, put_chunk};
use letspost_core::api::{ApiError, ErrorBody, codes};
use post_lifecycle::watch;
use post_lifecycle::{Action, Event, Post};
use tiktok_rules::api::UPLOAD_URL_TTL_SECS;
use tiktok_rules::error::{TikTokError, codes as tt};
use worker::Result;

/// Steps one alarm may take before it hands over to the next alarm (keeps each invocation
/// well inside the Workers' time limits).
const MAX_STEPS_PER_ALARM: usize = 12;

impl PostObject {
    /// An access token from the account's object (refreshed there, one at a time).
    pub(super) async fn access_token(&self, account: &str, stale: Option<&str>) -> std::result::Result<String, TikTokError> {
        let ask = TokenAsk { stale: stale.map(str::to_string) };
        let mut resp = AccountOp::AccessToken(ask).send(&self.env, account).await.map_err(|e| TikTokError::network(e.to_string()))?;
        if resp.status_code() == 200 {
            return resp.json::<TokenAnswer>().await.map(|t| t.access_token).map_err(|e| TikTokError::network(e.to_string()));
        }
        let status = resp.status_code();
        let err = resp.json::<ErrorBody>().await.map(|b| b.error).unwrap_or_else(|_| ApiError::new(codes::INTERNAL, "account"));
        Err(match err.code.as_str() {
            // The account must reconnect: a Reconnect-class TikTok code.
            codes::RECONNECT_NEEDED | codes::NOT_FOUND => TikTokError::new(401, tt::ACCESS_TOKEN_INVALID, err.message),
            _ if status == 429 => TikTokError::new(429, tt::RATE_LIMIT_EXCEEDED, err.message),
            _ => TikTokError::new(status.max(500), tt::INTERNAL_ERROR, err.message),
        })
    }

    /// Call TikTok with the account's token, refreshing once if TikTok calls it stale.
    pub(super) async fn with_token<T, F, Fut>(&self, account: &str, call: F) -> std::result::Result<T, TikTokError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, TikTokError>>,
    {
        let token = self.access_token(account, None).await?;
        match call(token.clone()).await {
            Err(e) if e.code == tt::ACCESS_TOKEN_INVALID => call(self.access_token(account, Some(&token)).await?).await,
            other => other,
        }
    }

    /// One step of the post: the I/O its state names, and the event that comes of it.
    pub(super) async fn step(&self, p: &Post, action: Action) -> Result<Option<Event>> {
        let now = now_ms();
        let tiktok = TikTok::new(&self.env);
        Ok(Some(match action {
            Action::Idle | Action::WakeAt(_) => return Ok(None),
            Action::StartUpload => Event::StartUpload,
            Action::Init => {
                let req = p.init_request();
                match self
                    .with_token(&p.account, |t| {
                        let (tiktok, req) = (&tiktok, &req);
                        async move { tiktok.init(&t, req).await }
                    })
                    .await
                {
                    Ok(r) => match r.upload_url {
                        Some(url) => Event::InitOk { publish_id: r.publish_id, upload_url: url, expires_at_ms: now + UPLOAD_URL_TTL_SECS * 1000 },
                        None => Event::Failed(TikTokError::new(502, "no_upload_url", "TikTok gave no upload URL")),
                    },
                    Err(e) => Event::Failed(e),
                }
            }
            Action::SendChunk(i) => {
                // Persisted first: once the last chunk may have left, only status/fetch decides.
                let mut sending = p.clone();
                sending.apply(Event::Sending(i), now).ok();
                self.save(&sending).await?;
                let Some(s) = self.staging().await? else { return Ok(Some(Event::Failed(TikTokError::new(0, "staged_media_missing", "no staging")))) };
                let url = p.upload_url.clone().unwrap_or_default();
                match put_chunk(&self.bucket()?, &s.key, &p.plan(), i, &url, &s.content_type).await {
                    Ok(ChunkAnswer::Taken) => Event::ChunkOk(i),
                    Ok(ChunkAnswer::Mismatch(received)) => Event::RangeMismatch { received },
                    Ok(ChunkAnswer::Gone) => Event::UploadUrlGone,
                    Err(e) => Event::Failed(e),
                }
            }
            Action::FetchStatus => {
                let publish_id = p.publish_id.clone().unwrap_or_default();
                match self
                    .with_token(&p.account, |t| {
                        let (tiktok, publish_id) = (&tiktok, &publish_id);
                        async move { tiktok.status(&t, publish_id).await }
                    })
                    .await
                {
                    Ok(s) => Event::Status(s),
                    Err(e) => Event::Failed(e),
                }
            }
        }))
    }

    /// The alarm's work: take due steps until the post waits, then arm the next alarm.
    pub(super) async fn drive(&self) -> Result<()> {
        for _ in 0..MAX_STEPS_PER_ALARM {
            let Some(mut p) = self.load().await? else { return Ok(()) };
            let action = p.next(now_ms());
            let Some(event) = self.step(&p, action).await? else { break };
            // Re-read: `step` may have persisted `Sending` (and nothing else changes the post
            // once it is uploading).
            p = self.load().await?.unwrap_or(p);
            let publish = match &event {
                Event::InitOk { publish_id, .. } => Some(publish_id.clone()),
                _ => None,
            };
            p.apply(event, now_ms()).ok();
            self.save(&p).await?;
            if let Some(publish_id) = publish {
                // Before any chunk: the account's object routes this publish's webhooks here.
                // Lost, the webhooks are ignored and polling (the fallback) still ends the post.
                let of = PublishOf { publish_id, id: p.id.clone() };
                if let Err(e) = AccountOp::PublishId(of).send(&self.env, &p.account).await.and_then(expect_ok) {
                    crate::base::log::error("publish_id_not_routed", &[("post", &p.id), ("account", &p.account), ("error", &e.to_string())]);
                }
            }
        }
        self.housekeeping().await?;
        if let Some(p) = self.load().await?
            && !self.shed(&p).await?
        {
            self.arm(&p).await?;
        }
        Ok(())
    }

    /// Forget a finished post whose time has come (`Post::shed_at`): its row in the account's
    /// index is made current first (else it stays, and the next alarm tries again), then the
    /// object keeps only `SHED`. `true` when shed.
    pub(super) async fn shed(&self, p: &Post) -> Result<bool> {
        let now = now_ms();
        if p.shed_at(media_retention_ms(&self.env)).is_none_or(|at| now < at) {
            return Ok(false);
        }
        self.keep_row(p).await?;
        let storage = self.state.storage();
        if storage.get::<u64>(WATCH).await?.is_some() {
            let shard = watch::shard_name(watch::shard_of(&p.id));
            expect_ok(DueOp::Delete(EntryId { id: p.id.clone() }).send(&self.env, &shard).await?)?;
        }
        storage.delete_all().await?;
        storage.delete_alarm().await?;
        storage.put(SHED, true).await?;
        Ok(true)
    }

    pub(super) async fn is_shed(&self) -> Result<bool> {
        Ok(self.state.storage().get::<bool>(SHED).await?.unwrap_or(false))
    }

    /// Abort an abandoned staging; delete the video of a cancelled post at once, and of a
    /// finished one after the retention window.
    pub(super) async fn housekeeping(&self) -> Result<()> {
        let Some(mut p) = self.load().await? else { return Ok(()) };
        let now = now_ms();
        let Some(at) = p.housekeeping_at(media_retention_ms(&self.env)) else { return Ok(()) };
        if now < at {
            return Ok(());
        }
        let Some(s) = self.staging().await? else { return Ok(()) };
        let bucket = self.bucket()?;
        if s.complete {
            bucket.delete(s.key.clone()).await?;
            p.apply(Event::MediaDeleted, now).ok();
        } else {
            if let Ok(upload) = bucket.resume_multipart_upload(s.key.clone(), s.upload_id.clone()) {
                let _ = upload.abort().await;
            }
            let event = if p.state() == post_lifecycle::State::AwaitingMedia { Event::StagingAbandoned } else { Event::MediaDeleted };
            p.apply(event, now).ok();
        }
        self.save(&p).await
    }
}
