//! The Post Durable Object: one per post. It stages the video in R2 (a multipart upload the
//! browser fills part by part), then its alarm drives the post through `post-lifecycle`:
//! every step is decided there, persisted here before and after the I/O it names.
//!
//! Internal operations (the Worker's routes check the session first): `POST /create`,
//! `POST /media/begin`, `POST /media/part`, `GET /media`, `GET /post`, `GET /check`,
//! `POST /cancel`, `POST /schedule`, `POST /retry`, `POST /replay` (a keyed create asked
//! again), `POST /sweep`, `POST /pushed` (a webhook's
//! fact, routed here by the account's object).

use crate::base::config::{MEDIA_BUCKET, media_retention_ms};
use crate::base::rand::now_ms;
use crate::base::reply;
use crate::objects::account::{PublishOf, PushedFact, TokenAnswer};
use crate::objects::due_index::{Entry, EntryId};
use crate::objects::media_probe::probe_object;
use crate::objects::post_index;
use crate::objects::schedule::HoldOf;
use crate::objects::usage::UsageOf;
use crate::objects::{self, ACCOUNTS, DUE, expect_ok};
use crate::tiktok::TikTok;
use crate::tiktok::chunk_put::{ChunkAnswer, put_chunk};
use letspost_core::api::{ApiError, ErrorBody, codes};
use post_lifecycle::history::Row;
use post_lifecycle::staging::StagingPlan;
use post_lifecycle::watch::{self, Watch};
use post_lifecycle::{Action, Event, Post, PostBody, PostError};
use serde::{Deserialize, Serialize};
use tiktok_rules::api::UPLOAD_URL_TTL_SECS;
use tiktok_rules::error::{TikTokError, codes as tt};
use worker::{Bucket, DurableObject, Env, Method, Request, Response, Result, ScheduledTime, State, UploadedPart, durable_object};

const POST: &str = "post";
const STAGING: &str = "staging";
/// The time this post's index entry holds (what its shard says), to write it only on change.
const WATCH: &str = "watch";
/// The keyed request that made this post (a `Claim`).
const MADE_BY: &str = "made_by";
/// The time this post last told its account it holds (`Post::time_held`), to tell only changes.
const HELD: &str = "held";
/// What this post last told its account it counts against the caps (`Post::usage`).
const USED: &str = "used";
/// A digest of what this post last told its account's index (`Row::news`), to tell only changes.
const LISTED: &str = "listed";
/// Left alone once the post is shed (`Post::shed_at`): its keyed create asked again must not
/// make a new post under the same id.
const SHED: &str = "shed";
/// The `Idempotency-Key` of the last retry that was carried out.
const RETRIED_BY: &str = "retried_by";
/// Steps one alarm may take before it hands over to the next alarm (keeps each invocation
/// well inside the Workers' time limits).
const MAX_STEPS_PER_ALARM: usize = 12;

/// The R2 side of a post's video.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Staging {
    /// Unguessable: the post id is 128 random bits.
    pub key: String,
    pub upload_id: String,
    pub plan: StagingPlan,
    /// (part number, etag) of each stored part.
    pub parts: Vec<(u16, String)>,
    pub received: u64,
    pub complete: bool,
    /// From the probe: video/mp4 or video/quicktime.
    pub content_type: String,
    /// The creator's `max_video_post_duration_sec` when the post was made.
    pub max_duration_sec: u32,
}

#[derive(Serialize, Deserialize)]
pub struct Create {
    pub post: Post,
    pub max_duration_sec: u32,
    /// A keyed create's request, as `letspost_core::request::fingerprint` has it.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// Which keyed request is making (or made) this post, since when.
#[derive(Serialize, Deserialize)]
struct Claim {
    fingerprint: String,
    at_ms: u64,
}

/// A claim whose request never finished (its isolate died) is taken over after this long.
const CLAIM_MS: u64 = 60_000;

/// A keyed create asked again: is this the post, and was it made by the same request?
#[derive(Serialize, Deserialize)]
pub struct Replay {
    pub fingerprint: String,
}

/// `POST /retry`, with the client's `Idempotency-Key` when it sent one.
#[derive(Serialize, Deserialize, Default)]
pub struct RetryBody {
    #[serde(default)]
    pub key: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct PartBegin {
    pub content_range: String,
}

#[derive(Serialize, Deserialize)]
pub struct PartTicket {
    pub key: String,
    pub upload_id: String,
    pub part_number: u16,
    pub first: u64,
    pub last: u64,
}

#[derive(Serialize, Deserialize)]
pub struct PartDone {
    pub part_number: u16,
    pub etag: String,
    pub first: u64,
    pub last: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Received {
    pub received_bytes: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Schedule {
    pub publish_at_ms: Option<u64>,
}

/// Test hook: lose the alarm, as the cron would find it `overdue_ms` later.
#[cfg(feature = "test-routes")]
#[derive(Serialize, Deserialize)]
pub struct Stall {
    pub overdue_ms: u64,
}

/// A cron visit's answer: whether the alarm had to be set again; `gone`: no such post.
#[derive(Serialize, Deserialize)]
pub struct Swept {
    pub rearmed: bool,
    pub gone: bool,
}

#[derive(Serialize, Deserialize, Default)]
pub struct CancelBody {
    #[serde(default)]
    pub reason: Option<PostError>,
}

#[durable_object]
pub struct PostObject {
    state: State,
    env: Env,
}

fn conflict(message: &str) -> Result<Response> {
    reply::error(409, "conflict", message)
}

/// A keyed create asked again long after its post was finished and forgotten.
fn shed_conflict() -> Result<Response> {
    conflict("This request already made a post, which is finished; the queue still lists it.")
}

fn post_body(p: &Post) -> Result<Response> {
    Response::from_json(&PostBody { post: p.view() })
}

impl PostObject {
    // Stored as JSON text: TikTok's post ids exceed 2^53, which a JS number can't hold.
    async fn load(&self) -> Result<Option<Post>> {
        match self.state.storage().get::<String>(POST).await? {
            Some(text) => Ok(Some(serde_json::from_str(&text)?)),
            None => Ok(None),
        }
    }

    async fn save(&self, p: &Post) -> Result<()> {
        self.state.storage().put(POST, serde_json::to_string(p)?).await
    }

    async fn staging(&self) -> Result<Option<Staging>> {
        self.state.storage().get(STAGING).await
    }

    fn bucket(&self) -> Result<Bucket> {
        self.env.bucket(MEDIA_BUCKET)
    }

    /// Arm the alarm for what the post needs next (or its housekeeping), and keep the cron's
    /// index entry in step with it.
    async fn arm(&self, p: &Post) -> Result<()> {
        let now = now_ms();
        let at = match p.next(now) {
            Action::WakeAt(t) => Some(t),
            Action::Idle => {
                let retention = media_retention_ms(&self.env);
                p.housekeeping_at(retention).or_else(|| p.shed_at(retention))
            }
            _ => Some(now),
        }
        .map(|t| t.max(now));
        match at {
            Some(t) => self.alarm_at(t).await?,
            None => self.state.storage().delete_alarm().await?,
        }
        // The alarm is what drives the post; a failed index write must not fail the request
        // that armed it (it is committed): the stored entry is unchanged, so the next `arm`
        // writes it again, and the old entry still brings the cron if the alarm is lost.
        if let Err(e) = self.keep_watch(p, at, now, false).await {
            crate::base::log::error("post_index_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        // Likewise the account's hold: unchanged in storage, so the next `arm` tells it again.
        if let Err(e) = self.keep_hold(p).await {
            crate::base::log::error("post_hold_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        // And what it counts against the account's caps.
        if let Err(e) = self.keep_usage(p).await {
            crate::base::log::error("post_usage_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        // And its row in the account's index, what the queue shows.
        if let Err(e) = self.keep_row(p).await {
            crate::base::log::error("post_row_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        Ok(())
    }

    /// Tell the account's index what the queue shows of this post when that changed.
    async fn keep_row(&self, p: &Post) -> Result<()> {
        use std::hash::{Hash, Hasher};
        let storage = self.state.storage();
        let row = Row::of(p.view());
        let mut h = std::hash::DefaultHasher::new();
        row.news().hash(&mut h);
        let news = format!("{:016x}", h.finish());
        if storage.get::<String>(LISTED).await?.as_deref() == Some(news.as_str()) {
            return Ok(());
        }
        post_index::put_row(&self.env, &p.account, &row).await?;
        storage.put(LISTED, news).await
    }

    /// Tell the account what this post counts against its caps when that changed. The first
    /// report confirms the create's reservation.
    async fn keep_usage(&self, p: &Post) -> Result<()> {
        let storage = self.state.storage();
        let want = p.usage();
        let told: Option<post_lifecycle::caps::Usage> = storage.get(USED).await?;
        if told == want {
            return Ok(());
        }
        let of = UsageOf { id: p.id.clone(), usage: want, reservation_only: false };
        expect_ok(objects::call(&self.env, ACCOUNTS, &p.account, Method::Post, "usage", Some(&of)).await?)?;
        match want {
            Some(u) => storage.put(USED, u).await,
            None => storage.delete(USED).await.map(|_| ()),
        }
    }

    /// Tell the account which time this post holds in its posting schedule when that changed:
    /// made, rescheduled, cancelled, failed or gone to TikTok. A post that never held a time
    /// tells nothing.
    async fn keep_hold(&self, p: &Post) -> Result<()> {
        let storage = self.state.storage();
        let want = p.time_held();
        let told: Option<u64> = storage.get(HELD).await?;
        if told == want {
            return Ok(());
        }
        let hold = HoldOf { id: p.id.clone(), at_ms: want, reservation_only: false };
        expect_ok(objects::call(&self.env, ACCOUNTS, &p.account, Method::Post, "hold", Some(&hold)).await?)?;
        match want {
            Some(at) => storage.put(HELD, at).await,
            None => storage.delete(HELD).await.map(|_| ()),
        }
    }

    /// Write the post's entry in its index shard when it no longer says when to look
    /// (`post_lifecycle::watch`); `force` after a cron visit, which found it overdue.
    async fn keep_watch(&self, p: &Post, alarm: Option<u64>, now: u64, force: bool) -> Result<()> {
        let storage = self.state.storage();
        // Forced: whatever the shard holds is stale (an unknown value, never "nothing"), so a
        // post in its lifecycle writes its entry and one out of it leaves the index.
        let stored: Option<u64> = if force { Some(u64::MAX) } else { storage.get(WATCH).await? };
        let shard = watch::shard_name(watch::shard_of(&p.id));
        match watch::watch(stored, alarm, p.watched(now), now) {
            Watch::Keep => Ok(()),
            Watch::Put(at) => {
                let entry = Entry { id: p.id.clone(), watch_at_ms: at };
                expect_ok(objects::call(&self.env, DUE, &shard, Method::Put, "entry", Some(&entry)).await?)?;
                storage.put(WATCH, at).await
            }
            Watch::Remove => {
                expect_ok(objects::call(&self.env, DUE, &shard, Method::Delete, "entry", Some(&EntryId { id: p.id.clone() })).await?)?;
                storage.delete(WATCH).await.map(|_| ())
            }
        }
    }

    /// `set_alarm` at an absolute Unix ms (a bare number would mean "this many ms from now").
    async fn alarm_at(&self, ms: u64) -> Result<()> {
        self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&(ms as f64).into()))).await
    }

    /// Apply a creator's request; 409 when the state no longer allows it.
    async fn request(&self, event: Event) -> Result<Response> {
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
    async fn cancel(&self, body: CancelBody) -> Result<Response> {
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

    async fn create(&self, c: Create) -> Result<Response> {
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
    async fn replay(&self, fingerprint: &str) -> Result<Response> {
        if self.is_shed().await? {
            return shed_conflict();
        }
        let Some(p) = self.load().await? else { return reply::not_found("post") };
        match self.state.storage().get::<Claim>(MADE_BY).await? {
            Some(claim) if claim.fingerprint == fingerprint => post_body(&p),
            _ => reply::refused(letspost_core::request::key_reused()),
        }
    }

    /// "Retry", once per key: the same key again answers with the post as it is now.
    async fn retry(&self, b: RetryBody) -> Result<Response> {
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

    async fn begin_part(&self, b: PartBegin) -> Result<Response> {
        let (Some(p), Some(s)) = (self.load().await?, self.staging().await?) else { return reply::not_found("post") };
        if p.state != post_lifecycle::State::AwaitingMedia || s.complete {
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
    async fn part_done(&self, d: PartDone) -> Result<Response> {
        let (Some(mut p), Some(mut s)) = (self.load().await?, self.staging().await?) else { return reply::not_found("post") };
        if p.state != post_lifecycle::State::AwaitingMedia && !s.complete {
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

    /// An access token from the account's object (refreshed there, one at a time).
    async fn access_token(&self, account: &str, stale: Option<&str>) -> std::result::Result<String, TikTokError> {
        let body = serde_json::json!({ "stale": stale });
        let mut resp =
            objects::call(&self.env, ACCOUNTS, account, Method::Post, "access-token", Some(&body)).await.map_err(|e| TikTokError::network(e.to_string()))?;
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
    async fn with_token<T, F, Fut>(&self, account: &str, call: F) -> std::result::Result<T, TikTokError>
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
    async fn step(&self, p: &Post, action: Action) -> Result<Option<Event>> {
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
    async fn drive(&self) -> Result<()> {
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
                if let Err(e) = objects::call(&self.env, ACCOUNTS, &p.account, Method::Post, "publish-id", Some(&of)).await.and_then(expect_ok) {
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
    async fn shed(&self, p: &Post) -> Result<bool> {
        let now = now_ms();
        if p.shed_at(media_retention_ms(&self.env)).is_none_or(|at| now < at) {
            return Ok(false);
        }
        self.keep_row(p).await?;
        let storage = self.state.storage();
        if storage.get::<u64>(WATCH).await?.is_some() {
            let shard = watch::shard_name(watch::shard_of(&p.id));
            expect_ok(objects::call(&self.env, DUE, &shard, Method::Delete, "entry", Some(&EntryId { id: p.id.clone() })).await?)?;
        }
        storage.delete_all().await?;
        storage.delete_alarm().await?;
        storage.put(SHED, true).await?;
        Ok(true)
    }

    async fn is_shed(&self) -> Result<bool> {
        Ok(self.state.storage().get::<bool>(SHED).await?.unwrap_or(false))
    }

    /// Abort an abandoned staging; delete the video of a cancelled post at once, and of a
    /// finished one after the retention window.
    async fn housekeeping(&self) -> Result<()> {
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
            let event = if p.state == post_lifecycle::State::AwaitingMedia { Event::StagingAbandoned } else { Event::MediaDeleted };
            p.apply(event, now).ok();
        }
        self.save(&p).await
    }
}

impl DurableObject for PostObject {
    fn new(state: State, env: Env) -> Self {
        PostObject { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/create") => self.create(req.json().await?).await,
            (Method::Post, "/media/begin") => self.begin_part(req.json().await?).await,
            (Method::Post, "/media/part") => self.part_done(req.json().await?).await,
            (Method::Get, "/media") => match self.staging().await? {
                Some(s) => Response::from_json(&Received { received_bytes: s.received }),
                None => reply::not_found("post"),
            },
            (Method::Get, "/post") => match self.load().await? {
                Some(p) => post_body(&p),
                None => reply::not_found("post"),
            },
            (Method::Get, "/check") => match self.staging().await? {
                Some(s) if s.complete => match probe_object(&self.bucket()?, &s.key).await? {
                    Some(r) => Response::from_json(&r.for_creator(s.max_duration_sec)),
                    None => reply::not_found("video"),
                },
                _ => reply::error(409, "conflict", "The video is not fully uploaded yet."),
            },
            (Method::Post, "/cancel") => self.cancel(req.json().await.unwrap_or_default()).await,
            (Method::Post, "/schedule") => {
                let s: Schedule = req.json().await?;
                self.request(Event::Reschedule(s.publish_at_ms)).await
            }
            (Method::Post, "/retry") => self.retry(req.json().await.unwrap_or_default()).await,
            (Method::Post, "/replay") => self.replay(&req.json::<Replay>().await?.fingerprint).await,
            (Method::Post, "/pushed") => {
                // From the text: a post id exceeds 2^53, which JSON.parse would round.
                let PushedFact { publish_id, fact, at_ms } = serde_json::from_str(&req.text().await?)?;
                let Some(mut p) = self.load().await? else { return reply::not_found("post") };
                p.apply(Event::Pushed { publish_id, fact, at_ms }, now_ms()).ok();
                self.save(&p).await?;
                self.arm(&p).await?;
                post_body(&p)
            }
            // Test hooks (reached only through /api/test/*, compiled in only with `test-routes`).
            #[cfg(feature = "test-routes")]
            (Method::Post, "/test/scheduled") => {
                let b: serde_json::Value = req.json().await?;
                let now = now_ms();
                let account = b["account"].as_str().unwrap_or_default().to_string();
                let settings = post_lifecycle::Settings::draft(String::new());
                let id = b["id"].as_str().unwrap_or_default().to_string();
                let size = b["video_size"].as_u64().unwrap_or(10_000_000);
                let mut p = Post::new(id, account, String::new(), settings, b["publish_at_ms"].as_u64(), size, now)
                    .deployed(false, crate::base::config::upload_lead_margin_ms(&self.env));
                p.apply(Event::MediaStaged, now).ok();
                self.save(&p).await?;
                self.arm(&p).await?;
                post_body(&p)
            }
            #[cfg(feature = "test-routes")]
            (Method::Post, "/test/stall") => {
                let Stall { overdue_ms } = req.json().await?;
                let Some(p) = self.load().await? else { return reply::not_found("post") };
                self.state.storage().delete_alarm().await?;
                let at = now_ms().saturating_sub(overdue_ms);
                let entry = Entry { id: p.id.clone(), watch_at_ms: at };
                let shard = watch::shard_name(watch::shard_of(&p.id));
                expect_ok(objects::call(&self.env, DUE, &shard, Method::Put, "entry", Some(&entry)).await?)?;
                self.state.storage().put(WATCH, at).await?;
                Ok(Response::empty()?.with_status(204))
            }
            #[cfg(feature = "test-routes")]
            (Method::Get, "/test/stored") => {
                let stored = self.load().await?.is_some() || self.staging().await?.is_some() || self.state.storage().get_alarm().await?.is_some();
                Response::from_json(&serde_json::json!({ "stored": stored }))
            }
            #[cfg(feature = "test-routes")]
            (Method::Get, "/test/alarm") => Response::from_json(&serde_json::json!({ "alarm_ms": self.state.storage().get_alarm().await? })),
            // The cron found this post overdue in the index: set its alarm again if it is gone
            // or stuck in the past, and rewrite the entry (or leave the index) either way.
            (Method::Post, "/sweep") => {
                self.housekeeping().await?;
                let Some(p) = self.load().await? else { return Response::from_json(&Swept { rearmed: false, gone: true }) };
                if self.shed(&p).await? {
                    return Response::from_json(&Swept { rearmed: false, gone: true });
                }
                let now = now_ms();
                let alarm = self.state.storage().get_alarm().await?.map(|t| t as u64);
                let lost = alarm.is_none_or(|t| t < watch::overdue_before(now));
                if lost {
                    self.arm(&p).await?;
                }
                let alarm = self.state.storage().get_alarm().await?.map(|t| t as u64);
                self.keep_watch(&p, alarm, now, true).await?;
                Response::from_json(&Swept { rearmed: lost && alarm.is_some(), gone: false })
            }
            _ => reply::not_found("operation"),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        // Errors are caught here: a failing alarm is retried only a few times by the runtime,
        // so the post's own back-off (persisted) decides, and the next alarm is always set.
        if let Err(e) = self.drive().await {
            let id = self.load().await.ok().flatten().map(|p| p.id).unwrap_or_default();
            crate::base::log::error("post_alarm_failed", &[("post", &id), ("error", &e.to_string())]);
            let _ = self.alarm_at(now_ms() + 5_000).await;
        }
        Response::empty()
    }
}
