//! Staging: the browser fills a multipart upload in R2 part by part; after the last, the
//! object completes it, probes it again (the server never trusts the browser's verdict) and
//! schedules the post.

use super::ops::{PartBegin, PartDone, PartTicket, Received};
use super::{PostObject, STAGING, conflict, post_body};
use crate::base::rand::now_ms;
use crate::base::reply;
use crate::objects::media_probe::probe_object;
use letspost_core::api::{ApiError, ErrorBody};
use post_lifecycle::{Event, PostError};
use worker::{Response, Result, UploadedPart};

impl PostObject {
    pub(super) async fn begin_part(&self, b: PartBegin) -> Result<Response> {
        let (Some(p), Some(s)) = (self.load().await?, self.staging().await?) else { return reply::not_found("post") };
        if p.state() != post_lifecycle::State::AwaitingMedia || s.complete {
            return reply::json(416, &Received { received_bytes: s.received });
        }
        match s.plan.accept(&b.content_range, s.received) {
            Ok(n) => {
                let (first, last) = s.plan.part_range(u64::from(n));
                Response::from_json(&PartTicket { key: s.key, upload_id: s.upload_id, part_number: n, first, last })
            }
            Err(w) => reply::json(416, &Received { received_bytes: w.received_bytes }),
        }
    }

    /// A part is in R2: record it; after the last, complete, re-probe, and schedule.
    pub(super) async fn part_done(&self, d: PartDone) -> Result<Response> {
        let (Some(mut p), Some(mut s)) = (self.load().await?, self.staging().await?) else { return reply::not_found("post") };
        if p.state() != post_lifecycle::State::AwaitingMedia && !s.complete {
            // Cancelled (or abandoned) while this part was on its way: the upload is aborted.
            return conflict("This post no longer takes its video: it was cancelled.");
        }
        if s.complete || d.first != s.received {
            // A repeated request: report what is stored.
            return reply::json(if s.complete { 201 } else { 206 }, &Received { received_bytes: s.received });
        }
        s.parts.push((d.part_number, d.etag));
        s.received = d.last + 1;
        if s.received < s.plan.video_size {
            self.state.storage().put(STAGING, &s).await?;
            return reply::json(206, &Received { received_bytes: s.received });
        }
        let bucket = self.bucket()?;
        let parts = s.parts.iter().map(|(n, etag)| UploadedPart::new(*n, etag.clone()));
        bucket.resume_multipart_upload(s.key.clone(), s.upload_id.clone())?.complete(parts).await?;
        s.complete = true;
        // The server never trusts the browser's verdict: the same probe, over R2.
        let report = probe_object(&bucket, &s.key).await?.map(|r| r.for_creator(s.max_duration_sec));
        let now = now_ms();
        let refusal = match &report {
            None => Some(PostError::new("staged_media_missing", "The uploaded video could not be found. Upload it again.")),
            Some(r) if r.verdict == tiktok_rules::media::Verdict::Error => {
                let first = r.issues.iter().find(|i| i.severity == tiktok_rules::Severity::Error).expect("an error verdict has an error");
                Some(PostError::new(first.code.as_str(), first.message.clone()))
            }
            Some(r) => {
                if let Some(c) = r.container {
                    s.content_type = c.mime().to_string();
                }
                None
            }
        };
        self.state.storage().put(STAGING, &s).await?;
        match refusal {
            Some(e) => {
                // Nothing reaches TikTok for a refused file; the bytes go too.
                let _ = bucket.delete(s.key.clone()).await;
                // Refused while awaiting its video: the machine never counted it staged.
                p.apply(Event::MediaRefused(e.clone()), now).ok();
                self.save(&p).await?;
                self.arm(&p).await?;
                let body = ErrorBody { error: ApiError { code: e.code, message: e.message, field: Some("video".into()) } };
                reply::json(422, &body)
            }
            None => {
                p.apply(Event::MediaStaged, now).ok();
                self.save(&p).await?;
                self.arm(&p).await?;
                Ok(post_body(&p)?.with_status(201))
            }
        }
    }

    /// Where an upload resumes.
    pub(super) async fn received(&self) -> Result<Response> {
        match self.staging().await? {
            Some(s) => Response::from_json(&Received { received_bytes: s.received }),
            None => reply::not_found("post"),
        }
    }

    /// The probe's report of the staged video, re-read from R2.
    pub(super) async fn check(&self) -> Result<Response> {
        match self.staging().await? {
            Some(s) if s.complete => match probe_object(&self.bucket()?, &s.key).await? {
                Some(r) => Response::from_json(&r.for_creator(s.max_duration_sec)),
                None => reply::not_found("video"),
            },
            _ => reply::error(409, "conflict", "The video is not fully uploaded yet."),
        }
    }
}
