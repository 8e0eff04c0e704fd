//! user/info, creator_info, video/init, inbox/video/init and status/fetch.

use crate::accounts::AccountKind;
use crate::oauth::bearer;
use crate::reply::{err, ok};
use crate::state::{CreatorAction, Emulator, Outcome, Publish, now_ms, random_token};
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;
use tiktok_rules::api::{self, InboxInitRequest, InitRequest, InitResponse, PublishStatus, StatusRequest, StatusResponse, inbox, rate_limits};
use tiktok_rules::chunk::ChunkPlan;
use tiktok_rules::display;
use tiktok_rules::error::codes;
use tiktok_rules::oauth::USER_INFO_STATS_SCOPE;
use tiktok_rules::privacy::PrivacyLevel;

const DAY_MS: u64 = 86_400_000;
/// Post ids are this plus a sequence number: 19 digits, above 2^53, as TikTok's are.
pub const POST_ID_BASE: u64 = 7_300_000_000_000_000_000;

/// The open_id behind a `video.publish` token, counted against the endpoint's per-minute
/// limit for that token.
fn publisher(emu: &Emulator, headers: &HeaderMap, endpoint: &'static str, per_min: u32) -> Result<String, Response> {
    counted(emu, bearer(emu, headers, "video.publish")?, endpoint, per_min)
}

pub(crate) fn counted(emu: &Emulator, (token, open_id): (String, String), endpoint: &'static str, per_min: u32) -> Result<String, Response> {
    if !emu.with(|s| s.rate_ok(&token, endpoint, per_min, now_ms())) {
        return Err(err(codes::RATE_LIMIT_EXCEEDED, format!("more than {per_min} requests per minute to {endpoint}")));
    }
    Ok(open_id)
}

/// A JSON request body, or TikTok's invalid_param.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| err(codes::INVALID_PARAM, format!("request body: {e}")))
}

/// The account behind a token, if it may post now.
fn poster(emu: &Emulator, open_id: &str) -> Result<crate::accounts::Account, Response> {
    let account = emu.with(|s| s.accounts.get(open_id).cloned()).ok_or_else(|| err(codes::ACCESS_TOKEN_INVALID, "the account is gone"))?;
    match &account.cannot_post {
        Some(code) => Err(err(code, "This creator can't make more posts through the API right now.")),
        None => Ok(account),
    }
}

/// `user/info`: the basic fields (`user.info.basic`) and the counts (`user.info.stats`:
/// asking for one without it fails the call), 600 a minute per token.
pub async fn user_info(S(emu): S<Arc<Emulator>>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let (token, open_id) = match bearer(&emu, &headers, "user.info.basic") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let fields = q.get("fields").cloned().unwrap_or_default();
    if display::asks_for_stats(&fields) && !crate::oauth::has_scope(&emu, &token, USER_INFO_STATS_SCOPE) {
        return err(codes::SCOPE_NOT_AUTHORIZED, format!("the access token lacks the {USER_INFO_STATS_SCOPE} scope"));
    }
    if let Err(r) = counted(&emu, (token, open_id.clone()), "user_info", rate_limits::DISPLAY_PER_MIN) {
        return r;
    }
    let Some(a) = emu.with(|s| s.accounts.get(&open_id).cloned()) else {
        return err(codes::ACCESS_TOKEN_INVALID, "the account is gone");
    };
    let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
    let basic = [("open_id", a.open_id.clone()), ("union_id", a.union_id.clone()), ("avatar_url", a.avatar_url.clone()), ("display_name", a.nickname.clone())];
    let mut user: serde_json::Map<String, serde_json::Value> =
        basic.into_iter().filter(|(k, _)| wanted.contains(k)).map(|(k, v)| (k.to_string(), v.into())).collect();
    if display::asks_for_stats(&fields) {
        let stats = serde_json::to_value(crate::display::stats_of(&emu, &a, now_ms())).unwrap_or_default();
        let counts = stats.as_object().into_iter().flatten().filter(|(k, _)| wanted.contains(&k.as_str()));
        user.extend(counts.map(|(k, v)| (k.clone(), v.clone())));
    }
    ok(serde_json::json!({ "user": user }))
}

pub async fn creator_info(S(emu): S<Arc<Emulator>>, headers: HeaderMap) -> Response {
    let account = publisher(&emu, &headers, "creator_info", rate_limits::CREATOR_INFO_PER_MIN)
        .and_then(|open_id| poster(&emu, &open_id))
        .and_then(|a| direct_post_account(&a).map(|()| a));
    match account {
        Ok(a) => ok(a.creator_info()),
        Err(r) => r,
    }
}

/// Direct posting is for personal and creator accounts. TikTok documents no code for the
/// refusal; the emulator answers it where a client first asks (creator_info) and at init.
fn direct_post_account(account: &crate::accounts::Account) -> Result<(), Response> {
    if account.kind == AccountKind::Business {
        return Err(err(codes::UNSUPPORTED_ACCOUNT_TYPE, "Direct posting supports personal and creator accounts only."));
    }
    Ok(())
}

pub async fn init(S(emu): S<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    let open_id = match publisher(&emu, &headers, "video_init", rate_limits::VIDEO_INIT_PER_MIN) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let req: InitRequest = match json_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let account = match poster(&emu, &open_id) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(r) = direct_post_account(&account) {
        return r;
    }
    if emu.config.unaudited && !account.private {
        return err(codes::UNAUDITED_CLIENT_PRIVATE_ONLY, "unaudited clients can only post to private accounts");
    }
    if let Err(refusal) = api::check_post_info(&req.post_info, &account.creator_info(), emu.config.unaudited) {
        return err(refusal.code, refusal.message);
    }
    let plan = match api::check_source_info(&req.source_info) {
        Ok(p) => p,
        Err(refusal) => return err(refusal.code, refusal.message),
    };
    let now = now_ms();
    let day_key = format!("{open_id}/{}", now / DAY_MS);
    let cap = emu.config.daily_cap;
    let created = emu.with(|s| {
        let today = s.posts_per_day.entry(day_key).or_default();
        if *today >= cap {
            return None;
        }
        *today += 1;
        Some(new_publish(s, &open_id, Some(req.post_info.clone()), plan, now))
    });
    let Some((publish_id, upload_id)) = created else {
        return err(codes::SPAM_RISK_TOO_MANY_POSTS, format!("this creator has made {cap} posts today"));
    };
    ok(InitResponse { publish_id, upload_url: Some(upload_url(&emu, &upload_id)) })
}

/// `inbox/video/init`: the file only (scope `video.upload`); at most 5 drafts pending per
/// creator in 24 hours.
pub async fn inbox_init(S(emu): S<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    let (token, open_id) = match bearer(&emu, &headers, "video.upload") {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !emu.with(|s| s.rate_ok(&token, "inbox_init", rate_limits::VIDEO_INIT_PER_MIN, now_ms())) {
        return err(codes::RATE_LIMIT_EXCEEDED, "more than 6 requests per minute to inbox/video/init");
    }
    let req: InboxInitRequest = match json_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = poster(&emu, &open_id) {
        return r;
    }
    let plan = match api::check_source_info(&req.source_info) {
        Ok(p) => p,
        Err(refusal) => return err(refusal.code, refusal.message),
    };
    let now = now_ms();
    let (processing, moderation) = (emu.config.processing_ms, emu.config.moderation_ms);
    let created = emu.with(|s| {
        let pending = s
            .publishes
            .values()
            .filter(|p| p.inbox && p.open_id == open_id && p.created_at_ms + inbox::PENDING_WINDOW_MS > now)
            .filter(|p| !status_of(p, processing, moderation, now).status.is_final())
            .count();
        if pending >= inbox::MAX_PENDING_SHARES {
            return None;
        }
        Some(new_publish(s, &open_id, None, plan, now))
    });
    let Some((publish_id, upload_id)) = created else {
        let n = inbox::MAX_PENDING_SHARES;
        return err(codes::SPAM_RISK_TOO_MANY_PENDING_SHARE, format!("{n} shares are already pending for this creator"));
    };
    ok(InitResponse { publish_id, upload_url: Some(upload_url(&emu, &upload_id)) })
}

/// A new publish awaiting its chunks (an inbox draft when `post_info` is `None`):
/// (publish_id, upload_id).
fn new_publish(s: &mut crate::state::State, open_id: &str, post_info: Option<api::PostInfo>, plan: ChunkPlan, now: u64) -> (String, String) {
    let seq = s.next_seq();
    let kind = if post_info.is_some() { "pub_file" } else { "inbox_file" };
    let publish_id = format!("v_{kind}~v2-1.{}{seq:06}", 7_000_000_000_000u64 + now % 1_000_000_000);
    let upload_id = random_token("up");
    let p = Publish {
        publish_id: publish_id.clone(),
        open_id: open_id.to_string(),
        inbox: post_info.is_none(),
        creator: None,
        post_info,
        plan,
        upload_id: upload_id.clone(),
        upload_expires_at_ms: now + api::UPLOAD_URL_TTL_SECS * 1000,
        created_at_ms: now,
        received: 0,
        busy: false,
        content_type: None,
        completed_at_ms: None,
        outcome: None,
        sha256: None,
        post_id: POST_ID_BASE + seq,
        taken_down_at_ms: None,
    };
    s.uploads.insert(upload_id.clone(), publish_id.clone());
    s.publishes.insert(publish_id.clone(), p);
    (publish_id, upload_id)
}

fn upload_url(emu: &Emulator, upload_id: &str) -> String {
    format!("{}{}?upload_id={upload_id}&upload_token={}", emu.config.public_base, crate::upload::PATH, random_token(""))
}

/// When a publish went live, if it has: a direct post once processed; a draft waits in the
/// inbox until the creator posts it (from then on, like a direct post published at that
/// moment) or deletes it. Not yet processed at `now` is for [`status_of`] to say.
pub fn live_since(p: &Publish, processing_ms: u64) -> Option<u64> {
    let (Some(done), Some(Outcome::Published)) = (p.completed_at_ms, &p.outcome) else { return None };
    match (&p.creator, p.inbox) {
        (Some(CreatorAction::Posted { at_ms }), _) => Some(*at_ms),
        (None, false) => Some(done + processing_ms),
        _ => None,
    }
}

/// What status/fetch says about a publish at `now`.
pub fn status_of(p: &Publish, processing_ms: u64, moderation_ms: u64, now: u64) -> StatusResponse {
    let processing =
        StatusResponse { status: PublishStatus::ProcessingUpload, fail_reason: None, publicaly_available_post_id: vec![], uploaded_bytes: p.received };
    let (Some(done), Some(outcome)) = (p.completed_at_ms, &p.outcome) else { return processing };
    if now < done + processing_ms {
        return processing;
    }
    let failed = |reason: &str| StatusResponse { status: PublishStatus::Failed, fail_reason: Some(reason.to_string()), ..processing.clone() };
    let live_from = match (outcome, &p.creator, p.inbox) {
        (Outcome::Failed(reason), _, _) => return failed(reason),
        (_, None, true) => return StatusResponse { status: PublishStatus::SendToUserInbox, ..processing },
        (_, Some(CreatorAction::Deleted { .. }), _) => return failed(codes::PUBLISH_CANCELLED),
        _ => live_since(p, processing_ms).unwrap_or(done + processing_ms),
    };
    let public = p.post_info.as_ref().is_some_and(|i| i.privacy_level == PrivacyLevel::PublicToEveryone) && p.taken_down_at_ms.is_none();
    let moderated = now >= live_from + moderation_ms;
    StatusResponse {
        status: PublishStatus::PublishComplete,
        publicaly_available_post_id: if public && moderated { vec![p.post_id] } else { vec![] },
        ..processing
    }
}

/// Get Post Status takes `video.upload` or `video.publish` (TikTok's reference): an
/// upload-only app follows its drafts.
pub async fn status(S(emu): S<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    let caller = bearer(&emu, &headers, "video.publish").or_else(|_| bearer(&emu, &headers, "video.upload"));
    let open_id = match caller.and_then(|c| counted(&emu, c, "status_fetch", rate_limits::STATUS_FETCH_PER_MIN)) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let req: StatusRequest = match json_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(p) = emu.with(|s| s.publishes.get(&req.publish_id).cloned()) else {
        return err(codes::INVALID_PUBLISH_ID, "publish_id not found");
    };
    if p.open_id != open_id {
        return err(codes::TOKEN_NOT_AUTHORIZED_FOR_PUBLISH_ID, "this publish_id belongs to another creator");
    }
    ok(status_of(&p, emu.config.processing_ms, emu.config.moderation_ms, now_ms()))
}
