//! The Post object's operations, one enum both sides share: the Worker sends a `PostOp`, the
//! object matches on it, so an operation can't be misspelled or left unhandled. The test
//! hooks' operations (`test_ops.rs`) stay apart, compiled only into test builds.

use crate::objects::account::PushedFact;
use crate::objects::{self, POSTS};
use post_lifecycle::{Post, PostError};
use serde::{Deserialize, Serialize};
use worker::{Env, Response, Result};

/// What the Worker (or another object) asks a post's object.
#[derive(Serialize, Deserialize)]
pub enum PostOp {
    /// Make the post (201 `{"post"}`); a keyed create's repeat answers as `Replay`.
    Create(Box<Create>),
    /// A keyed create asked again: 404 when no request made this post yet.
    Replay(Replay),
    /// The next part's place in R2 (`PartTicket`), or 416 `Received`.
    MediaBegin(PartBegin),
    /// A part is in R2: 206 `Received`, or 201 `{"post"}` once complete and accepted.
    MediaPart(PartDone),
    /// `Received`: where an upload resumes.
    Received,
    /// `{"post"}`.
    Get,
    /// The probe's report of the staged video, re-read from R2.
    Check,
    Cancel(CancelBody),
    Reschedule(Schedule),
    Retry(RetryBody),
    /// A webhook's fact, routed here by the account's object.
    Pushed(PushedFact),
    /// The cron found the post overdue in its index: `Swept`.
    Sweep,
}

impl PostOp {
    /// This operation, to post `id`'s object.
    pub async fn send(&self, env: &Env, id: &str) -> Result<Response> {
        objects::send(env, POSTS, id, self).await
    }
}

#[derive(Serialize, Deserialize)]
pub struct Create {
    pub post: Post,
    pub max_duration_sec: u32,
    /// A keyed create's request, as `letspost_core::request::fingerprint` has it.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

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

/// `{"received_bytes"}`, the API's shape.
pub use post_lifecycle::MediaProgress as Received;

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
