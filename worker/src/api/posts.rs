//! `/api/posts*`: create a post, stage its video part by part, follow it, cancel, reschedule,
//! retry. A session reaches a post only through an account it holds (404 otherwise), and the
//! session is checked first: a request without one costs no object call. Every write counts
//! against its session's rate limit (`letspost_core::limits`), and a create against its
//! account's caps (`post_lifecycle::caps`).

use crate::api::session::{Current, account_holds, current, idempotency_scope, no_session};
use crate::api::{body, limits, media_part, test_hooks};
use crate::base::config::{self, MEDIA_BUCKET};
use crate::base::rand::{bytes, now_ms};
use crate::base::reply;
use crate::objects::account::AccountOp;
use crate::objects::account::analytics::{AnalyticsOp, RefreshAsk};
use crate::objects::post::ops::{CancelBody, Create, PartBegin, PartDone, PartTicket, PostOp, Replay, RetryBody, Schedule};
use crate::objects::post_index::{self, Ask};
use crate::objects::schedule::{HoldOf, QueueAsk, Queued, ScheduleOp};
use crate::objects::usage::{UsageAsk, UsageOf, UsageOp};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use letspost_core::api::{ApiError, CreatorInfoBody, ErrorBody, codes};
use letspost_core::limits::{Client, PARTS, WRITES};
use letspost_core::request;
use post_lifecycle::Metrics;
use post_lifecycle::create::Reschedule;
use post_lifecycle::create::check_publish_at;
use post_lifecycle::history::{BadQuery, Query, Row, merge_pages, newest_first};
use post_lifecycle::staging::StagingPlan;
use post_lifecycle::{CreatePost, CreatedBody, FieldError, Mode, Post, PostBody, PostView, PostsBody, UploadTarget};
use std::collections::BTreeMap;
use worker::{Env, Request, Response, Result};

/// 128 random bits: post ids (and so R2 keys) can't be guessed.
const ID_BYTES: usize = 16;

fn valid_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn field_error(e: FieldError) -> Result<Response> {
    reply::json(422, &ErrorBody { error: ApiError { code: e.code.into(), message: e.message, field: Some(e.field.into()) } })
}

/// A post a session can see: from its object, or, once a finished post was shed (`Post::shed_at`),
/// only its row in the account's index.
enum Seen {
    Live(PostView),
    Shed(PostView),
}

/// The post, if session `me` holds its account.
async fn post_for(env: &Env, me: &Current, id: &str) -> Result<Option<Seen>> {
    if !valid_id(id) {
        return Ok(None);
    }
    let mut resp = PostOp::Get.send(env, id).await?;
    if resp.status_code() != 200 {
        // Shed, or never made: the session's accounts' indexes know (one call each).
        for account in &me.state.accounts {
            if let Some(view) = post_index::ask(env, account, Some(&me.id), Ask::Ids(vec![id.to_string()])).await?.and_then(|v| v.into_iter().next()) {
                return Ok(Some(Seen::Shed(view)));
            }
        }
        return Ok(None);
    }
    let view = resp.json::<PostBody>().await?.post;
    let held = me.state.accounts.contains(&view.account) && account_holds(env, &view.account, &me.id).await?;
    Ok(held.then_some(Seen::Live(view)))
}

/// What a finished post no longer kept by its object answers to anything but a read.
fn shed_answer(op: &PostOp) -> Result<Response> {
    match op {
        PostOp::Received | PostOp::Check | PostOp::MediaBegin(_) => {
            reply::error(404, codes::NOT_FOUND, "This post's video is no longer kept: LetsPost deletes it once the post is finished.")
        }
        _ => reply::error(409, "conflict", "This post is finished and its video is no longer kept, so it can't change."),
    }
}

/// A write's gate: the request's session (none: 404, as for a post it can't see, with no
/// object call), then its rate limit.
async fn writer(env: &Env, req: &Request, limit: &letspost_core::limits::Limit, action: &str) -> Result<std::result::Result<Current, Response>> {
    let Some(me) = current(env, req).await? else { return Ok(Err(reply::not_found("post")?)) };
    match limits::check(env, limit, action, &Client::Session(&me.id)).await? {
        Some(refused) => Ok(Err(refused)),
        None => Ok(Ok(me)),
    }
}

/// `POST /api/posts`. With an `Idempotency-Key`, the post's id comes from the session and the
/// key, so a retried request reaches the same post object, which answers for it: the same key
/// and body → the post the first request made; another body → 422. No second post is made.
pub async fn create(mut req: Request, env: Env) -> Result<Response> {
    let key = match body::idempotency_key(&req)? {
        Ok(k) => k,
        Err(refused) => return Ok(refused),
    };
    // No session the server knows: signed out (401); a session without this account: 404.
    let Some(me) = current(&env, &req).await? else { return no_session() };
    if let Some(refused) = limits::check(&env, &WRITES, "write", &Client::Session(&me.id)).await? {
        return Ok(refused);
    }
    let expects = "JSON with account, mode, caption, privacy_level, publish_at (or queue) and video_size";
    let body: CreatePost = match body::json(&mut req, expects).await? {
        Ok(b) => b,
        Err(refused) => return Ok(refused),
    };
    if !me.state.accounts.contains(&body.account) || !account_holds(&env, &body.account, &me.id).await? {
        return reply::not_found("account");
    }
    let (id, fingerprint) = match (&key, idempotency_scope(&req)) {
        (Some(k), Some(session)) => {
            let id = URL_SAFE_NO_PAD.encode(request::keyed_id(&session, k));
            let fingerprint = request::fingerprint(&serde_json::to_vec(&body)?);
            // Asked again: the first request's post, before any check that its own existence
            // (a pending draft, a time now past) would change.
            let replay = PostOp::Replay(Replay { fingerprint: fingerprint.clone() }).send(&env, &id).await?;
            if replay.status_code() != 404 {
                return created_answer(&env, &id, replay).await;
            }
            (id, Some(fingerprint))
        }
        _ => (URL_SAFE_NO_PAD.encode(bytes::<ID_BYTES>()?), None),
    };
    // The creator's options now, not when the composer opened (or, if TikTok stumbles right
    // now, as they were a few minutes ago: the post is not lost to a hiccup).
    let mut info = AccountOp::CreatorInfo { reuse: true }.send(&env, &body.account).await?;
    if info.status_code() != 200 {
        return Ok(info);
    }
    let creator = info.json::<CreatorInfoBody>().await?.creator_info;
    let now = now_ms();
    let (settings, mut publish_at_ms) = match body.check(&creator, now) {
        Ok(v) => v,
        Err(e) => return field_error(e),
    };
    // The account's caps (waiting posts, staged bytes): this post's share is reserved in the
    // same request that checks them, so two creates can't both take the last room.
    let reserve = UsageAsk { id: id.clone(), bytes: body.video_size };
    let reserved = AccountOp::Usage(UsageOp::Reserve(reserve)).send(&env, &body.account).await?;
    if reserved.status_code() != 204 {
        return Ok(reserved);
    }
    if body.queue {
        // The account picks the slot and holds it for this post id: serialized per account,
        // and a keyed create asked again gets the same slot.
        let mut picked = AccountOp::Schedule(ScheduleOp::Queue(QueueAsk { id: id.clone() })).send(&env, &body.account).await?;
        if picked.status_code() != 200 {
            release(&env, &body.account, &id, false).await?;
            return Ok(picked);
        }
        publish_at_ms = Some(picked.json::<Queued>().await?.publish_at_ms);
    }
    if body.mode == Mode::Draft {
        // TikTok's 5-pending-drafts limit, foreseen: refused before a byte is uploaded. The
        // account's index answers with the drafts that may hold a slot, not every post.
        let since_ms = post_index::drafts_since(now);
        let posts = post_index::ask(&env, &body.account, None, Ask::Drafts { since_ms }).await?.unwrap_or_default();
        if let Err(e) = post_lifecycle::drafts::check_room(&posts, publish_at_ms, now) {
            release(&env, &body.account, &id, body.queue).await?;
            return field_error(e);
        }
    }
    let post = Post::new(id.clone(), body.account.clone(), creator.creator_username.clone(), settings, publish_at_ms, body.video_size, now)
        .deployed(config::webhooks_on(&env), config::upload_lead_margin_ms(&env));
    let create = Create { post, max_duration_sec: creator.max_video_post_duration_sec, fingerprint };
    let made = PostOp::Create(Box::new(create)).send(&env, &id).await?;
    let answer = created_answer(&env, &id, made).await?;
    if !(200..300).contains(&answer.status_code()) && answer.status_code() != 409 {
        release(&env, &body.account, &id, body.queue).await?;
    }
    if answer.status_code() == 201 && test_hooks::DROP_NEXT_CREATE_ANSWER.fires(&env, &body.caption) {
        return test_hooks::lost_answer();
    }
    Ok(answer)
}

/// A refused create gives back its share of the account's caps and, if queued, its slot, at
/// once (else the reservations lapse in two minutes, `post_lifecycle::caps::RESERVATION_MS`
/// and `posting_schedule::RESERVATION_MS`). Only reservations go, never what a post confirmed.
async fn release(env: &Env, account: &str, id: &str, queued: bool) -> Result<()> {
    AccountOp::Usage(UsageOp::Report(UsageOf { id: id.to_string(), usage: None, reservation_only: true })).send(env, account).await?;
    if queued {
        let hold = HoldOf { id: id.to_string(), at_ms: None, reservation_only: true };
        AccountOp::Schedule(ScheduleOp::Hold(hold)).send(env, account).await?;
    }
    Ok(())
}

/// The answer to a create, first or replayed: the post object's refusal as it is, or 201 with
/// the post and where its video goes, once the post is in its account's index (again, for a
/// replay: the first request may have stopped before that; an older row never replaces a newer).
async fn created_answer(env: &Env, id: &str, mut made: Response) -> Result<Response> {
    if !(200..300).contains(&made.status_code()) {
        return Ok(made);
    }
    let view = made.json::<PostBody>().await?.post;
    post_index::put_row(env, &view.account.clone(), &Row::of(view.clone())).await?;
    let plan = StagingPlan::for_size(view.video_size);
    let upload = UploadTarget { url: format!("/api/posts/{id}/media"), chunk_size: plan.part_size, total_chunk_count: plan.part_count };
    reply::json(201, &CreatedBody { post: view, upload })
}

/// `PUT /api/posts/{id}/media` with `Content-Range`: the next part, streamed into R2.
pub async fn put_media(req: Request, env: Env, id: &str) -> Result<Response> {
    let me = match writer(&env, &req, &PARTS, "part").await? {
        Ok(me) => me,
        Err(refused) => return Ok(refused),
    };
    let post = match post_for(&env, &me, id).await? {
        Some(Seen::Live(p)) => p,
        Some(Seen::Shed(_)) => return shed_answer(&PostOp::Received),
        None => return reply::not_found("post"),
    };
    if test_hooks::FAIL_NEXT_MEDIA_PUT.fires(&env, &post.settings.caption) {
        return reply::error(503, "injected_fault", "The upload was interrupted. Resume from received_bytes.");
    }
    // Headers first: a part that can't be right is refused before anything is stored.
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let content_range = header("Content-Range").unwrap_or_default();
    if let Err(bad) = post_lifecycle::staging::check_part_headers(Some(&content_range), header("Content-Length").as_deref()) {
        let code = if bad.status == 411 { "length_required" } else { letspost_core::api::codes::BAD_REQUEST };
        return reply::error(bad.status, code, &bad.message);
    }
    let mut begun = PostOp::MediaBegin(PartBegin { content_range }).send(&env, id).await?;
    if begun.status_code() != 200 {
        return Ok(begun);
    }
    let ticket: PartTicket = begun.json().await?;
    let Some(body) = req.inner().body() else { return reply::bad_request("The part has no body.") };
    // The request's own stream goes straight to R2: no byte is copied through wasm.
    let upload = env.bucket(MEDIA_BUCKET)?.resume_multipart_upload(ticket.key, ticket.upload_id)?;
    let Some(part) = media_part::upload(&upload, ticket.part_number, body, ticket.last - ticket.first + 1).await? else {
        let message = "This part stopped arriving, so LetsPost gave up on it. The parts before it are kept: resume from received_bytes (GET this address).";
        return reply::error(408, codes::REQUEST_TIMEOUT, message);
    };
    let done = PartDone { part_number: part.part_number(), etag: part.etag(), first: ticket.first, last: ticket.last };
    PostOp::MediaPart(done).send(&env, id).await
}

/// A post-scoped read: 404 unless the session holds the post's account.
pub async fn forward(req: Request, env: Env, id: &str, op: PostOp) -> Result<Response> {
    let Some(me) = current(&env, &req).await? else { return reply::not_found("post") };
    match post_for(&env, &me, id).await? {
        None => reply::not_found("post"),
        Some(Seen::Shed(view)) if matches!(op, PostOp::Get) => Response::from_json(&PostBody { post: view }),
        Some(Seen::Shed(_)) => shed_answer(&op),
        // The post's numbers are its account's (the object that reads them in batches).
        Some(Seen::Live(mut view)) if matches!(op, PostOp::Get) => {
            if view.state == post_lifecycle::State::Published && view.tiktok_post_id.is_some() {
                let ask = AccountOp::Analytics(AnalyticsOp::Metrics(vec![view.id.clone()]));
                let mut r = ask.send(&env, &view.account).await?;
                if r.status_code() == 200 {
                    view.metrics = r.json::<BTreeMap<String, Metrics>>().await?.remove(&view.id);
                }
            }
            Response::from_json(&PostBody { post: view })
        }
        Some(Seen::Live(_)) => op.send(&env, id).await,
    }
}

/// A post-scoped write (cancel, reschedule, retry): the session, its rate limit, then the post.
pub async fn write(req: Request, env: Env, id: &str, op: PostOp) -> Result<Response> {
    let me = match writer(&env, &req, &WRITES, "write").await? {
        Ok(me) => me,
        Err(refused) => return Ok(refused),
    };
    let post = match post_for(&env, &me, id).await? {
        Some(Seen::Live(p)) => p,
        Some(Seen::Shed(_)) => return shed_answer(&op),
        None => return reply::not_found("post"),
    };
    if matches!(op, PostOp::Retry(_)) {
        // A retried post waits again: it must fit the account's caps beside the others.
        let ask = UsageAsk { id: id.to_string(), bytes: post.video_size };
        let room = AccountOp::Usage(UsageOp::Check(ask)).send(&env, &post.account).await?;
        if room.status_code() != 204 {
            return Ok(room);
        }
    }
    op.send(&env, id).await
}

/// `POST /api/posts/{id}/retry`: once per `Idempotency-Key` (the same key again answers with
/// the post as it is).
pub async fn retry(req: Request, env: Env, id: &str) -> Result<Response> {
    let key = match body::idempotency_key(&req)? {
        Ok(k) => k,
        Err(refused) => return Ok(refused),
    };
    write(req, env, id, PostOp::Retry(RetryBody { key })).await
}

/// `POST /api/posts/{id}/metrics/refresh` → `{"post"}` with its numbers read from TikTok now;
/// 409 until TikTok has given the post its id (and for a private post, whose numbers TikTok
/// does not give); 429 with `Retry-After` within 5 minutes of the last reading. A write: the
/// session's rate limit counts it.
pub async fn refresh_metrics(req: Request, env: Env, id: &str) -> Result<Response> {
    let me = match writer(&env, &req, &WRITES, "write").await? {
        Ok(me) => me,
        Err(refused) => return Ok(refused),
    };
    let mut view = match post_for(&env, &me, id).await? {
        Some(Seen::Live(v) | Seen::Shed(v)) => v,
        None => return reply::not_found("post"),
    };
    let Some(tiktok_post_id) = view.tiktok_post_id else {
        return reply::error(409, "conflict", "TikTok has not given this post its id yet (it does once the post is public), so it has no numbers to read yet.");
    };
    if view.settings.privacy_level == Some(tiktok_rules::privacy::PrivacyLevel::SelfOnly) {
        return reply::error(409, "conflict", "TikTok gives no numbers for a private post.");
    }
    let published_at_ms = view.published_at.as_deref().and_then(letspost_core::time_fmt::parse_rfc3339_ms).unwrap_or_else(now_ms);
    let ask = RefreshAsk { id: view.id.clone(), tiktok_post_id, published_at_ms };
    let mut r = AccountOp::Analytics(AnalyticsOp::Refresh(ask)).send(&env, &view.account).await?;
    if r.status_code() != 200 {
        return Ok(r);
    }
    view.metrics = r.json::<Option<Metrics>>().await?;
    Response::from_json(&PostBody { post: view })
}

/// `GET /api/posts/{id}/metrics` → `{"readings"}`, the post's numbers over time, oldest first
/// (kept by its account, which outlives the post's object): empty for a post TikTok has not
/// named or a private one (never read). A read: 404 as for `GET /api/posts/{id}`.
pub async fn readings(req: Request, env: Env, id: &str) -> Result<Response> {
    let Some(me) = current(&env, &req).await? else { return reply::not_found("post") };
    let view = match post_for(&env, &me, id).await? {
        Some(Seen::Live(v) | Seen::Shed(v)) => v,
        None => return reply::not_found("post"),
    };
    if view.tiktok_post_id.is_none() || view.settings.privacy_level == Some(tiktok_rules::privacy::PrivacyLevel::SelfOnly) {
        return Response::from_json(&analytics::ReadingsBody::default());
    }
    AccountOp::Analytics(AnalyticsOp::Readings(view.id.clone())).send(&env, &view.account).await
}

/// `PATCH /api/posts/{id}` `{"publish_at"}`.
pub async fn reschedule(mut req: Request, env: Env, id: &str) -> Result<Response> {
    let body: Reschedule = match body::json(&mut req, "JSON with publish_at").await? {
        Ok(b) => b,
        Err(refused) => return Ok(refused),
    };
    let publish_at_ms = match check_publish_at(body.publish_at.as_deref(), now_ms()) {
        Ok(at) => at,
        Err(e) => return field_error(e),
    };
    write(req, env, id, PostOp::Reschedule(Schedule { publish_at_ms })).await
}

/// `GET /api/posts`: a page (`?limit&cursor`), a window (`?from&to`) or some posts (`?ids`) of
/// the session's accounts, newest first (`post_lifecycle::history`). One call per account
/// (its index, which also checks the holding) plus the session's, whatever the history holds.
pub async fn list(req: Request, env: Env) -> Result<Response> {
    let url = req.url()?;
    let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let query = match Query::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(q) => q,
        Err(BadQuery(message)) => return reply::bad_request(&message),
    };
    let Some(me) = current(&env, &req).await? else { return Response::from_json(&PostsBody::default()) };
    let ask = |a: &str| {
        let ask = match &query {
            Query::Page { limit, after } => Ask::Page { limit: limit + 1, after: after.clone() },
            Query::Window { from_ms, to_ms } => Ask::Window { from_ms: *from_ms, to_ms: *to_ms },
            Query::Ids(ids) => Ask::Ids(ids.clone()),
        };
        let (env, me, a) = (&env, &me, a.to_string());
        async move { post_index::ask(env, &a, Some(&me.id), ask).await }
    };
    if matches!(&query, Query::Ids(ids) if ids.is_empty()) {
        return Response::from_json(&PostsBody::default());
    }
    // Side by side: an agency's page waits for its slowest account, not for all in a row.
    let answers = futures_util::future::join_all(me.state.accounts.iter().map(|a| ask(a))).await;
    let mut held = Vec::new();
    for a in answers {
        // `None`: the account no longer counts this session among its holders.
        if let Some(posts) = a? {
            held.push(posts);
        }
    }
    let body = match query {
        Query::Page { limit, .. } => {
            let (posts, next_cursor) = merge_pages(held, limit);
            PostsBody { posts, next_cursor }
        }
        _ => PostsBody { posts: newest_first(held), next_cursor: None },
    };
    Response::from_json(&body)
}

/// Disconnecting an account cancels its pending posts (the ones its index lists as still
/// cancellable), each with that reason.
pub async fn cancel_all(env: &Env, ids: &[String]) -> Result<()> {
    let reason = post_lifecycle::PostError::new("account_disconnected", "The TikTok account was disconnected, so this post was cancelled.");
    for id in ids {
        let body = CancelBody { reason: Some(reason.clone()) };
        // Posts already uploading answer 409 and run on; they fail with "reconnect" if TikTok
        // no longer takes the revoked token.
        PostOp::Cancel(body).send(env, id).await?;
    }
    Ok(())
}
