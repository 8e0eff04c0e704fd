//! The Post Durable Object: one per post. It stages the video in R2 (a multipart upload the
//! browser fills part by part), then its alarm drives the post through `post-lifecycle`:
//! every step is decided there, persisted here before and after the I/O it names.
//!
//! Its operations are `ops::PostOp` (the Worker's routes check the session first). By concern:
//! `keyed.rs` the (keyed) create, `staging.rs` the video's parts, `requests.rs` what creators
//! and webhooks ask, `drive.rs` the alarm's steps, housekeeping and shedding, `reports.rs`
//! what the post tells its account and the cron's index, `test_ops.rs` the test hooks.

mod drive;
mod keyed;
pub mod ops;
mod reports;
mod requests;
mod staging;
#[cfg(feature = "test-routes")]
mod test_ops;

use crate::base::config::MEDIA_BUCKET;
use crate::base::rand::now_ms;
use crate::base::reply;
use ops::{PostOp, Swept};
use post_lifecycle::staging::StagingPlan;
use post_lifecycle::watch;
use post_lifecycle::{Event, Post, PostBody};
use serde::{Deserialize, Serialize};
use worker::{Bucket, DurableObject, Env, Request, Response, Result, State, durable_object};

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
    pub(super) async fn load(&self) -> Result<Option<Post>> {
        match self.state.storage().get::<String>(POST).await? {
            Some(text) => Ok(Some(serde_json::from_str(&text)?)),
            None => Ok(None),
        }
    }

    pub(super) async fn save(&self, p: &Post) -> Result<()> {
        self.state.storage().put(POST, serde_json::to_string(p)?).await
    }

    pub(super) async fn staging(&self) -> Result<Option<Staging>> {
        self.state.storage().get(STAGING).await
    }

    pub(super) fn bucket(&self) -> Result<Bucket> {
        self.env.bucket(MEDIA_BUCKET)
    }

    /// The cron found this post overdue in the index: set its alarm again if it is gone or
    /// stuck in the past, and rewrite the entry (or leave the index) either way.
    async fn sweep(&self) -> Result<Response> {
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
}

impl DurableObject for PostObject {
    fn new(state: State, env: Env) -> Self {
        PostObject { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        #[cfg(feature = "test-routes")]
        if req.path().starts_with("/test/") {
            return self.test_op(&mut req).await;
        }
        // From the text: a post id exceeds 2^53, which JSON.parse would round.
        match serde_json::from_str::<PostOp>(&req.text().await?)? {
            PostOp::Create(c) => self.create(*c).await,
            PostOp::Replay(r) => self.replay(&r.fingerprint).await,
            PostOp::MediaBegin(b) => self.begin_part(b).await,
            PostOp::MediaPart(d) => self.part_done(d).await,
            PostOp::Received => self.received().await,
            PostOp::Get => match self.load().await? {
                Some(p) => post_body(&p),
                None => reply::not_found("post"),
            },
            PostOp::Check => self.check().await,
            PostOp::Cancel(b) => self.cancel(b).await,
            PostOp::Reschedule(s) => self.request(Event::Reschedule(s.publish_at_ms)).await,
            PostOp::Retry(b) => self.retry(b).await,
            PostOp::Pushed(f) => self.pushed(f).await,
            PostOp::Sweep => self.sweep().await,
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
