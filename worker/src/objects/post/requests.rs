//! What the creator (or a webhook, or a disconnect) asks of a post: each an event of the
//! machine, applied, persisted and armed; 409 when the state no longer allows it.

use super::ops::{CancelBody, RetryBody};
use super::{PostObject, RETRIED_BY, conflict, post_body};
use crate::base::rand::now_ms;
use crate::base::reply;
use crate::objects::account::PushedFact;
use post_lifecycle::Event;
use worker::{Response, Result};

impl PostObject {
    /// Apply a creator's request; 409 when the state no longer allows it.
    pub(super) async fn request(&self, event: Event) -> Result<Response> {
        let Some(mut p) = self.load().await? else { return reply::not_found("post") };
        if let Err(c) = p.apply(event, now_ms()) {
            return conflict(c.0);
        }
        self.save(&p).await?;
        self.arm(&p).await?;
        post_body(&p)
    }

    /// Cancel (the creator, or a disconnect with its reason): what R2 holds of the video goes at
    /// once, staged or half-staged (the multipart upload is aborted), before the alarm is set.
    pub(super) async fn cancel(&self, body: CancelBody) -> Result<Response> {
        let Some(mut p) = self.load().await? else { return reply::not_found("post") };
        let event = match body.reason {
            Some(reason) => Event::CancelFor(reason),
            None => Event::Cancel,
        };
        if let Err(c) = p.apply(event, now_ms()) {
            return conflict(c.0);
        }
        self.save(&p).await?;
        if let Err(e) = self.housekeeping().await {
            // The alarm tries again: `housekeeping_at` stays due until the video is gone.
            crate::base::log::error("post_media_cleanup_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        let p = self.load().await?.unwrap_or(p);
        self.arm(&p).await?;
        post_body(&p)
    }

    /// "Retry", once per key: the same key again answers with the post as it is now.
    pub(super) async fn retry(&self, b: RetryBody) -> Result<Response> {
        let storage = self.state.storage();
        if let Some(key) = &b.key
            && storage.get::<String>(RETRIED_BY).await?.as_ref() == Some(key)
        {
            let Some(p) = self.load().await? else { return reply::not_found("post") };
            return post_body(&p);
        }
        let resp = self.request(Event::Retry).await?;
        if let (200, Some(key)) = (resp.status_code(), &b.key) {
            storage.put(RETRIED_BY, key).await?;
        }
        Ok(resp)
    }

    /// A webhook's fact: it only moves the post forward (`post_lifecycle::pushed`).
    pub(super) async fn pushed(&self, f: PushedFact) -> Result<Response> {
        let PushedFact { publish_id, fact, at_ms } = f;
        let Some(mut p) = self.load().await? else { return reply::not_found("post") };
        p.apply(Event::Pushed { publish_id, fact, at_ms }, now_ms()).ok();
        self.save(&p).await?;
        self.arm(&p).await?;
        post_body(&p)
    }
}
