//! `/api/posts*`: create a post, stage its video part by part, follow it, cancel, reschedule,
//! retry. A session reaches a post only through an account it holds (404 otherwise).

use crate::api::session::{held, holds, session_id};
use crate::api::test_hooks;
use crate::base::config::{self, MEDIA_BUCKET};
use crate::base::rand::{bytes, now_ms};
use crate::base::reply;
use crate::objects::account::PostId;
use crate::objects::post::{CancelBody, Create, PartBegin, PartDone, PartTicket, Schedule};
use crate::objects::{self, ACCOUNTS, POSTS};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use letspost_core::api::{ApiError, CreatorInfoBody, ErrorBody};
use post_lifecycle::create::check_publish_at;
use post_lifecycle::staging::StagingPlan;
use post_lifecycle::{CreatePost, FieldError, Mode, Post, PostBody, PostView, PostsBody};
use serde::{Deserialize, Serialize};
use worker::{Env, Method, Request, Response, Result};

/// 128 random bits: post ids (and so R2 keys) can't be guessed.
const ID_BYTES: usize = 16;

fn valid_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn field_error(e: FieldError) -> Result<Response> {
    reply::json(422, &ErrorBody { error: ApiError { code: e.code.into(), message: e.message, field: Some(e.field.into()) } })
}

#[derive(Serialize)]
struct Upload {
    url: String,
    chunk_size: u64,
    total_chunk_count: u64,
}

#[derive(Serialize)]
struct Created {
    post: PostView,
    upload: Upload,
}

/// The post, if this request's session holds its account.
async fn visible(env: &Env, req: &Request, id: &str) -> Result<Option<PostView>> {
    if !valid_id(id) {
        return Ok(None);
    }
    let mut resp = objects::get(env, POSTS, id, "post").await?;
    if resp.status_code() != 200 {
        return Ok(None);
    }
    let view = resp.json::<PostBody>().await?.post;
    Ok(holds(env, req, &view.account).await?.then_some(view))
}

/// `POST /api/posts`.
pub async fn create(mut req: Request, env: Env) -> Result<Response> {
    let body: CreatePost = match req.json().await {
        Ok(b) => b,
        Err(_) => return reply::bad_request("Send JSON with account, mode, caption, privacy_level, publish_at and video_size."),
    };
    if !holds(&env, &req, &body.account).await? {
        return reply::not_found("account");
    }
    // The creator's options now, not when the composer opened (or, if TikTok stumbles right
    // now, as they were a few minutes ago: the post is not lost to a hiccup).
    let mut info = objects::get(&env, ACCOUNTS, &body.account, "creator-info-for-post").await?;
    if info.status_code() != 200 {
        return Ok(info);
    }
    let creator = info.json::<CreatorInfoBody>().await?.creator_info;
    let now = now_ms();
    let (settings, publish_at_ms) = match body.check(&creator, now) {
        Ok(v) => v,
        Err(e) => return field_error(e),
    };
    if body.mode == Mode::Draft {
        // TikTok's 5-pending-drafts limit, foreseen: refused before a byte is uploaded.
        let posts = account_posts(&env, &body.account).await?;
        if let Err(e) = post_lifecycle::drafts::check_room(&posts, publish_at_ms, now) {
            return field_error(e);
        }
    }
    let id = URL_SAFE_NO_PAD.encode(bytes::<ID_BYTES>()?);
    let mut post = Post::new(id.clone(), body.account.clone(), creator.creator_username.clone(), settings, publish_at_ms, body.video_size, now);
    post.pushed = config::webhooks_on(&env);
    let create = Create { post, max_duration_sec: creator.max_video_post_duration_sec };
    let mut made = objects::call(&env, POSTS, &id, Method::Post, "create", Some(&create)).await?;
    if made.status_code() != 201 {
        return Ok(made);
    }
    let view = made.json::<PostBody>().await?.post;
    objects::call(&env, ACCOUNTS, &body.account, Method::Post, "posts", Some(&PostId { id: id.clone() })).await?;
    let plan = StagingPlan::for_size(body.video_size);
    let upload = Upload { url: format!("/api/posts/{id}/media"), chunk_size: plan.part_size, total_chunk_count: plan.part_count };
    reply::json(201, &Created { post: view, upload })
}

/// `PUT /api/posts/{id}/media` with `Content-Range`: the next part, streamed into R2.
pub async fn put_media(req: Request, env: Env, id: &str) -> Result<Response> {
    let Some(post) = visible(&env, &req, id).await? else { return reply::not_found("post") };
    if test_hooks::enabled(&env) && test_hooks::media_put_should_fail(&post.settings.caption) {
        return reply::error(503, "injected_fault", "The upload was interrupted. Resume from received_bytes.");
    }
    let content_range = req.headers().get("Content-Range")?.unwrap_or_default();
    let mut begun = objects::call(&env, POSTS, id, Method::Post, "media/begin", Some(&PartBegin { content_range })).await?;
    if begun.status_code() != 200 {
        return Ok(begun);
    }
    let ticket: PartTicket = begun.json().await?;
    let length = req.headers().get("Content-Length")?.and_then(|v| v.parse::<u64>().ok());
    if length != Some(ticket.last - ticket.first + 1) {
        return reply::error(411, "length_required", "Send each part with a Content-Length equal to its Content-Range.");
    }
    let Some(body) = req.inner().body() else { return reply::bad_request("The part has no body.") };
    // The request's own stream goes straight to R2: no byte is copied through wasm.
    let upload = env.bucket(MEDIA_BUCKET)?.resume_multipart_upload(ticket.key, ticket.upload_id)?;
    let part = upload.upload_part(ticket.part_number, body).await?;
    let done = PartDone { part_number: part.part_number(), etag: part.etag(), first: ticket.first, last: ticket.last };
    objects::call(&env, POSTS, id, Method::Post, "media/part", Some(&done)).await
}

/// A post-scoped call: 404 unless the session holds the post's account.
pub async fn forward(req: Request, env: Env, id: &str, method: Method, op: &str, body: Option<serde_json::Value>) -> Result<Response> {
    if visible(&env, &req, id).await?.is_none() {
        return reply::not_found("post");
    }
    objects::call(&env, POSTS, id, method, op, body.as_ref()).await
}

#[derive(Deserialize)]
struct Reschedule {
    #[serde(default)]
    publish_at: Option<String>,
}

/// `PATCH /api/posts/{id}` `{"publish_at"}`.
pub async fn reschedule(mut req: Request, env: Env, id: &str) -> Result<Response> {
    let Ok(body) = req.json::<Reschedule>().await else { return reply::bad_request("Send JSON with publish_at.") };
    let publish_at_ms = match check_publish_at(body.publish_at.as_deref(), now_ms()) {
        Ok(at) => at,
        Err(e) => return field_error(e),
    };
    let schedule = serde_json::to_value(Schedule { publish_at_ms })?;
    forward(req, env, id, Method::Post, "schedule", Some(schedule)).await
}

/// Every post of one account.
async fn account_posts(env: &Env, account: &str) -> Result<Vec<PostView>> {
    let mut posts = Vec::new();
    let ids: Vec<String> = objects::get(env, ACCOUNTS, account, "posts").await?.json().await.unwrap_or_default();
    for id in ids {
        let mut resp = objects::get(env, POSTS, &id, "post").await?;
        if resp.status_code() == 200 {
            posts.push(resp.json::<PostBody>().await?.post);
        }
    }
    Ok(posts)
}

/// `GET /api/posts`: every post of the session's accounts, newest first.
pub async fn list(req: Request, env: Env) -> Result<Response> {
    let mut posts: Vec<PostView> = Vec::new();
    for account in held(&env, session_id(&req).as_deref()).await? {
        posts.extend(account_posts(&env, &account).await?);
    }
    posts.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Response::from_json(&PostsBody { posts })
}

/// Disconnecting an account cancels its pending posts, each with that reason.
pub async fn cancel_all(env: &Env, ids: &[String]) -> Result<()> {
    let reason = post_lifecycle::PostError::new(
        "account_disconnected",
        "The TikTok account was disconnected, so this post was cancelled.",
    );
    for id in ids {
        let body = CancelBody { reason: Some(reason.clone()) };
        // Posts already uploading answer 409 and run on; they fail with "reconnect" if TikTok
        // no longer takes the revoked token.
        objects::call(env, POSTS, id, Method::Post, "cancel", Some(&body)).await?;
    }
    Ok(())
}
