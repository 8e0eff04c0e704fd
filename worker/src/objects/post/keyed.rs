//! A keyed create: the post's id comes from the session and the `Idempotency-Key`, so every
//! repeat of the request reaches this object, which records the request's fingerprint before
//! its first I/O and answers repeats with the post (another body: 422).

use super::ops::Create;
use super::{MADE_BY, PostObject, STAGING, Staging, conflict, post_body, shed_conflict};
use crate::base::rand::now_ms;
use crate::base::reply;
use post_lifecycle::staging::StagingPlan;
use serde::{Deserialize, Serialize};
use worker::{Response, Result};

/// Which keyed request is making (or made) this post, since when.
#[derive(Serialize, Deserialize)]
struct Claim {
    fingerprint: String,
    at_ms: u64,
}

/// A claim whose request never finished (its isolate died) is taken over after this long.
const CLAIM_MS: u64 = 60_000;

impl PostObject {
    pub(super) async fn create(&self, c: Create) -> Result<Response> {
        if self.is_shed().await? {
            return shed_conflict();
        }
        if self.load().await?.is_some() {
            // Two keyed requests at once: the first made the post; this one is its replay.
            return match c.fingerprint {
                Some(f) => self.replay(&f).await,
                None => conflict("This post already exists."),
            };
        }
        if let Some(fingerprint) = &c.fingerprint {
            // Claimed before the first I/O (storage calls don't interleave with other
            // requests; R2's do): the same key at the same moment waits for this one.
            let now = now_ms();
            if let Some(claim) = self.state.storage().get::<Claim>(MADE_BY).await? {
                if claim.fingerprint != *fingerprint {
                    return reply::refused(letspost_core::request::key_reused());
                }
                if now < claim.at_ms + CLAIM_MS {
                    return conflict("The same request is still being made. Try again in a moment.");
                }
            }
            self.state.storage().put(MADE_BY, Claim { fingerprint: fingerprint.clone(), at_ms: now }).await?;
        }
        let key = format!("posts/{}", c.post.id);
        let upload = self.bucket()?.create_multipart_upload(key.clone()).execute().await?;
        let staging = Staging {
            key,
            upload_id: upload.upload_id().await,
            plan: StagingPlan::for_size(c.post.video_size),
            parts: Vec::new(),
            received: 0,
            complete: false,
            content_type: "video/mp4".into(),
            max_duration_sec: c.max_duration_sec,
        };
        self.state.storage().put(STAGING, &staging).await?;
        self.save(&c.post).await?;
        self.arm(&c.post).await?;
        Ok(post_body(&c.post)?.with_status(201))
    }

    /// A keyed create asked again: 404 when no request made this post yet; the post when the
    /// same request did; 422 when the key was used for another request.
    pub(super) async fn replay(&self, fingerprint: &str) -> Result<Response> {
        if self.is_shed().await? {
            return shed_conflict();
        }
        let Some(p) = self.load().await? else { return reply::not_found("post") };
        match self.state.storage().get::<Claim>(MADE_BY).await? {
            Some(claim) if claim.fingerprint == fingerprint => post_body(&p),
            _ => reply::refused(letspost_core::request::key_reused()),
        }
    }
}
