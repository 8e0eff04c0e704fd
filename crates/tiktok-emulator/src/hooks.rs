//! `/__emulator/…`: test hooks, mounted only with `--test-hooks`.

use crate::accounts::Account;
use crate::faults::Fault;
use crate::metrics::CountOverrides;
use crate::oauth::mint_code;
use crate::state::{CreatorAction, Emulator, Outcome, PastVideo, now_ms};
use crate::webhooks;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;
use tiktok_rules::api::{PostInfo, PublishStatus};
use tiktok_rules::display::{INT32_COUNT_MAX, PostId};
use tiktok_rules::error::codes;
use tiktok_rules::privacy::PrivacyLevel;
use tiktok_rules::webhook::events;

pub fn router() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/accounts", get(list_accounts).post(create_account))
        .route("/accounts/{open_id}", patch(change_account))
        .route("/authorize", post(authorize))
        .route("/expire", post(expire))
        .route("/grants", get(every_token))
        .route("/grants/{open_id}", get(grants))
        .route("/faults", post(add_fault).delete(clear_faults).get(list_faults))
        .route("/posts", get(posts))
        .route("/inbox/{publish_id}", post(creator_finishes))
        .route("/accounts/{open_id}/deauthorize", post(deauthorize))
        .route("/posts/{publish_id}/takedown", post(takedown))
        .route("/webhooks/ping", post(ping))
        .route("/webhooks", get(webhook_log))
        .route("/calls", get(calls))
        .route("/accounts/{open_id}/videos", post(seed_video))
        .route("/videos/{post_id}", get(video_counts).patch(set_video_counts))
        .route("/calls/token", get(token_calls))
        .route("/calls/accounts/{open_id}", get(account_calls))
}

/// How many calls each endpoint had (e.g. `{"status": 12, "upload": 40}`).
async fn calls(S(emu): S<Arc<Emulator>>) -> Json<std::collections::BTreeMap<&'static str, u64>> {
    Json(emu.with(|s| s.calls.clone()))
}

/// How many calls each endpoint had with one account's tokens (e.g. `{"video_query": 3}`).
async fn account_calls(S(emu): S<Arc<Emulator>>, Path(open_id): Path<String>) -> Json<std::collections::BTreeMap<&'static str, u64>> {
    Json(emu.with(|s| s.account_calls.get(&open_id).cloned().unwrap_or_default()))
}

#[derive(serde::Deserialize)]
struct CodePrefix {
    code_prefix: String,
}

/// How many token exchanges presented a code starting with `code_prefix` (`{"count": n}`).
async fn token_calls(S(emu): S<Arc<Emulator>>, Query(q): Query<CodePrefix>) -> Json<serde_json::Value> {
    let n = emu.with(|s| s.presented_codes.iter().filter(|c| c.starts_with(&q.code_prefix)).count());
    Json(serde_json::json!({ "count": n }))
}

fn bad(msg: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": msg.into() }))).into_response()
}

async fn list_accounts(S(emu): S<Arc<Emulator>>) -> Json<Vec<Account>> {
    Json(emu.with(|s| s.accounts.values().cloned().collect()))
}

async fn create_account(S(emu): S<Arc<Emulator>>, Json(a): Json<Account>) -> Response {
    emu.with(|s| s.accounts.insert(a.open_id.clone(), a.clone()));
    (StatusCode::CREATED, Json(a)).into_response()
}

/// Merge the given fields into the account (e.g. `{"private": true}`).
async fn change_account(S(emu): S<Arc<Emulator>>, Path(open_id): Path<String>, Json(patch): Json<serde_json::Value>) -> Response {
    emu.with(|s| {
        let Some(a) = s.accounts.get(&open_id) else { return bad("no such account") };
        let mut v = serde_json::to_value(a).expect("account");
        if let (Some(obj), Some(changes)) = (v.as_object_mut(), patch.as_object()) {
            for (k, val) in changes {
                obj.insert(k.clone(), val.clone());
            }
        }
        match serde_json::from_value::<Account>(v) {
            Ok(a) => {
                s.accounts.insert(open_id.clone(), a.clone());
                Json(a).into_response()
            }
            Err(e) => bad(e.to_string()),
        }
    })
}

#[derive(Deserialize)]
struct MintCode {
    open_id: String,
    redirect_uri: String,
    code_challenge: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// An authorization code as the consent page would give, without the page.
async fn authorize(S(emu): S<Arc<Emulator>>, Json(m): Json<MintCode>) -> Response {
    if !emu.with(|s| s.accounts.contains_key(&m.open_id)) {
        return bad("no such account");
    }
    let scopes = m.scopes.unwrap_or_else(|| tiktok_rules::oauth::SCOPES.iter().map(|s| s.to_string()).collect());
    let code = mint_code(&emu, &m.open_id, scopes.clone(), &m.redirect_uri, &m.code_challenge);
    Json(serde_json::json!({ "code": code, "scopes": scopes.join(",") })).into_response()
}

/// One token (access, refresh or an upload_id), or every live token of an account: a client
/// like LetsPost never shows its tokens, so tests name the account instead.
#[derive(Deserialize)]
struct Expire {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    open_id: Option<String>,
    /// With `open_id`: `access` (default), `refresh` or `both`.
    #[serde(default)]
    kind: Option<String>,
}

/// Expire an access token, a refresh token or an upload URL (by upload_id) now; or, with
/// `open_id`, that account's live access and/or refresh tokens.
async fn expire(S(emu): S<Arc<Emulator>>, Json(e): Json<Expire>) -> Response {
    let found = emu.with(|s| {
        let now = now_ms();
        if let Some(open_id) = &e.open_id {
            let (access, refresh) = match e.kind.as_deref().unwrap_or("access") {
                "access" => (true, false),
                "refresh" => (false, true),
                "both" => (true, true),
                _ => return false,
            };
            let mut n = 0;
            let tables = [(access, &mut s.access), (refresh, &mut s.refresh)];
            for (wanted, table) in tables {
                for g in table.values_mut().filter(|g| wanted && g.open_id == *open_id && !g.dead && g.expires_at_ms > now) {
                    g.expires_at_ms = now;
                    n += 1;
                }
            }
            return n > 0;
        }
        let token = e.token.clone().unwrap_or_default();
        if let Some(g) = s.access.get_mut(&token).or(s.refresh.get_mut(&token)) {
            g.expires_at_ms = now;
            return true;
        }
        let publish = s.uploads.get(&token).cloned();
        publish.and_then(|id| s.publishes.get_mut(&id)).map(|p| p.upload_expires_at_ms = now).is_some()
    });
    if found { StatusCode::NO_CONTENT.into_response() } else { bad("no such token") }
}

/// Every token the emulator issued for an account, live or not, and how many refreshes it
/// answered: tests check that a client refreshed once, revoked, and never leaked a token.
/// Every access and refresh token ever issued, for the suite's scan of logs and answers.
async fn every_token(S(emu): S<Arc<Emulator>>) -> Json<serde_json::Value> {
    Json(emu.with(|s| {
        let tokens: Vec<&String> = s.access.keys().chain(s.refresh.keys()).collect();
        serde_json::json!({ "tokens": tokens })
    }))
}

async fn grants(S(emu): S<Arc<Emulator>>, Path(open_id): Path<String>) -> Json<serde_json::Value> {
    let now = now_ms();
    Json(emu.with(|s| {
        let list = |t: &std::collections::HashMap<String, crate::state::Grant>| {
            t.iter()
                .filter(|(_, g)| g.open_id == open_id)
                .map(|(token, g)| serde_json::json!({ "token": token, "live": !g.dead && g.expires_at_ms > now, "dead": g.dead }))
                .collect::<Vec<_>>()
        };
        serde_json::json!({
            "access": list(&s.access),
            "refresh": list(&s.refresh),
            "refreshes": s.refreshes.get(&open_id).copied().unwrap_or(0),
        })
    }))
}

async fn add_fault(S(emu): S<Arc<Emulator>>, Json(f): Json<Fault>) -> Response {
    if crate::faults::endpoint_of_name(&f.endpoint).is_none() {
        return bad(format!("unknown endpoint {:?}", f.endpoint));
    }
    if f.endpoint == "authorize" && f.open_id.is_some() {
        return bad("the consent page is about no account yet: an authorize fault can't name one");
    }
    emu.with(|s| s.faults.push(f));
    StatusCode::NO_CONTENT.into_response()
}

/// `?open_id=…`: only the faults naming that account (tests share one emulator).
#[derive(Deserialize)]
struct Whose {
    #[serde(default)]
    open_id: Option<String>,
}

impl Whose {
    fn owns(&self, f: &Fault) -> bool {
        self.open_id.as_ref().is_none_or(|o| f.open_id.as_ref() == Some(o))
    }
}

/// Clear every fault, or with `?open_id=` only that account's.
async fn clear_faults(S(emu): S<Arc<Emulator>>, Query(w): Query<Whose>) -> StatusCode {
    emu.with(|s| s.faults.retain(|f| !w.owns(f)));
    StatusCode::NO_CONTENT
}

/// The faults still armed (a counted one leaves once spent), or with `?open_id=` that
/// account's.
async fn list_faults(S(emu): S<Arc<Emulator>>, Query(w): Query<Whose>) -> Json<Vec<Fault>> {
    Json(emu.with(|s| s.faults.iter().filter(|f| w.owns(f)).cloned().collect()))
}

/// Every post TikTok has accepted, with what it received: for exactly-once, byte-exact
/// assertions.
async fn posts(S(emu): S<Arc<Emulator>>) -> Json<serde_json::Value> {
    let now = now_ms();
    let (processing, moderation) = (emu.config.processing_ms, emu.config.moderation_ms);
    Json(emu.with(|s| {
        s.publishes
            .values()
            .map(|p| {
                let status = crate::posting::status_of(p, processing, moderation, now);
                serde_json::json!({
                    "publish_id": p.publish_id,
                    "open_id": p.open_id,
                    "caption": p.post_info.as_ref().map(|i| i.title.clone()),
                    "post_info": p.post_info,
                    "mode": if p.inbox { "inbox" } else { "direct" },
                    "creator": p.creator,
                    "video_size": p.plan.video_size,
                    "chunk_size": p.plan.chunk_size,
                    "total_chunk_count": p.plan.total_chunk_count,
                    "bytes_received": p.received,
                    "sha256": p.sha256,
                    "content_type": p.content_type,
                    "status": status.status,
                    "fail_reason": status.fail_reason,
                    "published": matches!(p.outcome, Some(Outcome::Published)) && p.completed_at_ms.is_some(),
                    "post_id": status.publicaly_available_post_id.first(),
                    "created_at_ms": p.created_at_ms,
                    // When the last chunk was accepted: TikTok publishes from here.
                    "completed_at_ms": p.completed_at_ms,
                    // When TikTok's status turns final (processing done).
                    "final_at_ms": p.completed_at_ms.map(|t| t + processing),
                })
            })
            .collect::<Vec<_>>()
            .into()
    }))
}

#[derive(Deserialize)]
struct Finish {
    /// `post` or `delete`.
    action: String,
    /// With `post`: what the creator wrote and picked in the app.
    #[serde(default)]
    caption: String,
    #[serde(default)]
    privacy_level: Option<PrivacyLevel>,
}

/// The creator, in the TikTok app, posts a draft from the inbox (with their own caption and
/// privacy) or deletes it. Only a draft waiting in the inbox can be finished (409 otherwise).
async fn creator_finishes(S(emu): S<Arc<Emulator>>, Path(publish_id): Path<String>, Json(f): Json<Finish>) -> Response {
    let now = now_ms();
    let (processing, moderation) = (emu.config.processing_ms, emu.config.moderation_ms);
    let finished = emu.with(|s| {
        let Some(p) = s.publishes.get_mut(&publish_id) else { return Err(bad("no such publish_id")) };
        let waiting = crate::posting::status_of(p, processing, moderation, now).status == PublishStatus::SendToUserInbox;
        if !p.inbox || !waiting {
            return Err((StatusCode::CONFLICT, Json(serde_json::json!({ "error": "not a draft waiting in the inbox" }))).into_response());
        }
        match f.action.as_str() {
            "post" => {
                p.post_info = Some(PostInfo::new(f.caption.clone(), f.privacy_level.unwrap_or(PrivacyLevel::PublicToEveryone)));
                p.creator = Some(CreatorAction::Posted { at_ms: now });
            }
            "delete" => p.creator = Some(CreatorAction::Deleted { at_ms: now }),
            other => return Err(bad(format!("action must be post or delete, not {other:?}"))),
        }
        Ok(p.clone())
    });
    match finished {
        Ok(p) => {
            match p.creator {
                Some(CreatorAction::Posted { .. }) => webhooks::published(&emu, &p, now),
                _ => webhooks::send(&emu, webhooks::Event::post(events::FAILED, &p, now, serde_json::json!({ "reason": codes::PUBLISH_CANCELLED }))),
            }
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct Deauthorize {
    #[serde(default)]
    reason: u8,
}

/// The creator removes the app in TikTok (or TikTok does, `reason` 0–5): tokens revoked,
/// `authorization.removed` sent.
async fn deauthorize(S(emu): S<Arc<Emulator>>, Path(open_id): Path<String>, body: Option<Json<Deauthorize>>) -> Response {
    if !emu.with(|s| s.accounts.contains_key(&open_id)) {
        return bad("no such account");
    }
    let reason = body.map_or(1, |Json(d)| d.reason);
    if reason > 5 {
        return bad("reason is 0 to 5");
    }
    crate::oauth::remove_authorization(&emu, &open_id, reason);
    StatusCode::NO_CONTENT.into_response()
}

/// TikTok takes a public post down: status/fetch no longer lists its id, and
/// `no_longer_publicaly_available` goes out. 409 unless it is published and public.
async fn takedown(S(emu): S<Arc<Emulator>>, Path(publish_id): Path<String>) -> Response {
    let now = now_ms();
    let (processing, moderation) = (emu.config.processing_ms, emu.config.moderation_ms);
    let taken = emu.with(|s| {
        let p = s.publishes.get_mut(&publish_id)?;
        let public = !crate::posting::status_of(p, processing, moderation, now).publicaly_available_post_id.is_empty();
        public.then(|| {
            p.taken_down_at_ms = Some(now);
            p.clone()
        })
    });
    let Some(p) = taken else {
        return (StatusCode::CONFLICT, Json(serde_json::json!({ "error": "not a public post" }))).into_response();
    };
    let id = serde_json::json!({ "post_id": p.post_id.to_string() });
    webhooks::send(&emu, webhooks::Event::post(events::NO_LONGER_PUBLICLY_AVAILABLE, &p, now, id));
    StatusCode::NO_CONTENT.into_response()
}

/// The portal's "Test URL" button.
async fn ping(S(emu): S<Arc<Emulator>>) -> StatusCode {
    let e = webhooks::Event {
        name: events::PING,
        open_id: String::new(),
        publish_id: None,
        content: serde_json::json!({ "reason": "testing Webhook" }),
        at_ms: now_ms(),
    };
    webhooks::send(&emu, e);
    StatusCode::NO_CONTENT
}

async fn webhook_log(S(emu): S<Arc<Emulator>>) -> Json<Vec<webhooks::Attempt>> {
    Json(emu.with(|s| s.webhooks.clone()))
}

#[derive(Deserialize)]
struct SeedVideo {
    /// Unix seconds, not in the future; default now.
    #[serde(default)]
    create_time: Option<u64>,
    /// Default `PUBLIC_TO_EVERYONE`; anything else is neither listed nor found by id.
    #[serde(default)]
    privacy_level: Option<PrivacyLevel>,
    #[serde(default)]
    caption: String,
    #[serde(default)]
    duration: Option<u32>,
    /// `view_count` … `share_count` to fix from the start (else the curve).
    #[serde(flatten)]
    counts: CountOverrides,
}

/// A video the creator posted before (a test's history for `video/list` and best times):
/// 201 `{"post_id": "…"}` (a string: it exceeds 2^53).
async fn seed_video(S(emu): S<Arc<Emulator>>, Path(open_id): Path<String>, Json(v): Json<SeedVideo>) -> Response {
    let now = now_ms();
    let published_at_ms = v.create_time.map_or(now, |s| s.saturating_mul(1000));
    if published_at_ms > now {
        return bad("create_time is in the future");
    }
    if let Err(why) = check_counts(&v.counts) {
        return bad(why);
    }
    let seeded = emu.with(|s| {
        if !s.accounts.contains_key(&open_id) {
            return None;
        }
        let post_id = POST_ID_BASE + s.next_seq();
        let privacy_level = v.privacy_level.unwrap_or(PrivacyLevel::PublicToEveryone);
        let duration = v.duration.unwrap_or(15);
        s.past_videos.insert(post_id, PastVideo { open_id: open_id.clone(), published_at_ms, caption: v.caption.clone(), privacy_level, duration });
        if !v.counts.is_empty() {
            s.count_overrides.insert(post_id, v.counts);
        }
        Some(post_id)
    });
    match seeded {
        Some(id) => (StatusCode::CREATED, Json(serde_json::json!({ "post_id": id.to_string() }))).into_response(),
        None => bad("no such account"),
    }
}

/// TikTok's bounds: `view_count` is int64, the others int32.
fn check_counts(c: &CountOverrides) -> Result<(), String> {
    let bounds = [("view_count", c.view_count, i64::MAX as u64), ("like_count", c.like_count, INT32_COUNT_MAX)];
    let more = [("comment_count", c.comment_count, INT32_COUNT_MAX), ("share_count", c.share_count, INT32_COUNT_MAX)];
    match bounds.into_iter().chain(more).find(|(_, v, max)| v.is_some_and(|v| v > *max)) {
        Some((name, _, max)) => Err(format!("{name} is at most {max}")),
        None => Ok(()),
    }
}

/// The first post id the emulator gives (a 19-digit number, as TikTok's are).
const POST_ID_BASE: u64 = crate::posting::POST_ID_BASE;

/// A post's counts now and what a test set, or 404 for an id the emulator never gave.
fn video_view(emu: &Emulator, post_id: u64) -> Option<serde_json::Value> {
    let now = now_ms();
    emu.with(|s| {
        let known = crate::display::every_video(emu, s, now).into_iter().find(|k| k.post_id == post_id);
        let set = s.count_overrides.get(&post_id).copied().unwrap_or_default();
        let Some(k) = known else {
            let given = s.publishes.values().any(|p| p.post_id == post_id) || s.past_videos.contains_key(&post_id);
            return given.then(|| serde_json::json!({ "post_id": post_id.to_string(), "live": false, "set": set }));
        };
        let c = crate::display::counts_of(emu, s, &k, now);
        Some(serde_json::json!({
            "post_id": post_id.to_string(),
            "open_id": k.open_id,
            "live": true,
            "public": k.public,
            "published_at_ms": k.published_at_ms,
            "view_count": c.views,
            "like_count": c.likes,
            "comment_count": c.comments,
            "share_count": c.shares,
            "set": set,
        }))
    })
}

fn post_id_of(text: &str) -> Result<u64, Response> {
    text.parse::<PostId>().map(PostId::get).map_err(bad)
}

async fn video_counts(S(emu): S<Arc<Emulator>>, Path(post_id): Path<String>) -> Response {
    let post_id = match post_id_of(&post_id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match video_view(&emu, post_id) {
        Some(v) => Json(v).into_response(),
        None => (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": "no such post" }))).into_response(),
    }
}

/// Set any of `view_count`, `like_count`, `comment_count`, `share_count` (a number fixes it,
/// `null` hands it back to the curve); the answer is the post's counts after the change.
async fn set_video_counts(S(emu): S<Arc<Emulator>>, Path(post_id): Path<String>, Json(patch): Json<serde_json::Value>) -> Response {
    let post_id = match post_id_of(&post_id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    if video_view(&emu, post_id).is_none() {
        return (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": "no such post" }))).into_response();
    }
    let Some(changes) = patch.as_object() else { return bad("a JSON object of counts") };
    let mut set = emu.with(|s| s.count_overrides.get(&post_id).copied().unwrap_or_default());
    for (key, value) in changes {
        let slot = match key.as_str() {
            "view_count" => &mut set.view_count,
            "like_count" => &mut set.like_count,
            "comment_count" => &mut set.comment_count,
            "share_count" => &mut set.share_count,
            other => return bad(format!("{other:?} is not view_count, like_count, comment_count or share_count")),
        };
        *slot = match value {
            serde_json::Value::Null => None,
            v => match v.as_u64() {
                Some(n) => Some(n),
                None => return bad(format!("{key} is a whole number or null")),
            },
        };
    }
    if let Err(why) = check_counts(&set) {
        return bad(why);
    }
    emu.with(|s| if set.is_empty() { s.count_overrides.remove(&post_id) } else { s.count_overrides.insert(post_id, set) });
    match video_view(&emu, post_id) {
        Some(v) => Json(v).into_response(),
        None => bad("no such post"),
    }
}
