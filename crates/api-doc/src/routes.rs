//! Every `/api` route, as the Worker's router (worker/src/api/mod.rs) has it: the functions are
//! empty; utoipa reads their attributes. Statuses every route shares are added by `common.rs`.

#![allow(dead_code)]

use analytics::{BestSlot, BestTimesBody, ReadingsBody, StatsBody, StatsPoint};
use letspost_core::api::{
    Account, AccountBody, AccountStatus, AccountsBody, Analytics, ApiError, AppSettings, CreatorInfoBody, DeviceSession, ErrorBody, OAuthConfig, OAuthStart,
    SessionsBody, SweepReport, TokenExchange,
};
use letspost_core::api_key::{ApiKey, KeyCreated, KeysBody, NewKey};
use post_lifecycle::create::Reschedule;
use post_lifecycle::{CreatePost, CreatedBody, MediaProgress, Metrics, Mode, PostBody, PostError, PostView, PostsBody, State, UploadTarget};
use posting_schedule::{FreeSlotsBody, NextFreeBody, Schedule, ScheduleBody, Slot};
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::pkce::ChallengeEncoding;
use tiktok_rules::privacy::PrivacyLevel;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "LetsPost API",
        description = "Publish and schedule videos to TikTok. Errors are `{\"error\": {\"code\", \"message\", \"field\"?}}`; see docs/api.md for the rules behind each answer.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        health,
        openapi_json,
        settings,
        oauth_config,
        oauth_start,
        oauth_token,
        list_accounts,
        disconnect_account,
        account_sessions,
        sign_out_session,
        logout,
        creator_info,
        get_schedule,
        put_schedule,
        next_free,
        free_slots,
        account_stats,
        best_times,
        create_key,
        list_keys,
        revoke_key,
        create_post,
        list_posts,
        get_post,
        reschedule_post,
        cancel_post,
        retry_post,
        post_readings,
        refresh_metrics,
        put_media,
        get_media,
        check_media,
        csp_report,
        tiktok_webhook,
    ),
    components(schemas(
        Account,
        AccountStatus,
        Analytics,
        Metrics,
        StatsPoint,
        BestSlot,
        ApiError,
        SweepReport,
        DeviceSession,
        ApiKey,
        Mode,
        State,
        PostError,
        PostView,
        UploadTarget,
        Schedule,
        Slot,
        CreatorInfo,
        ChallengeEncoding,
        PrivacyLevel,
    ))
)]
pub struct Doc;

/// A complete upload's 201: the post the first time, `{"received_bytes"}` when asked again
/// (the two shapes the Worker sends, joined as the wire joins them).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
enum MediaComplete {
    Post(Box<PostBody>),
    Progress(MediaProgress),
}

const OPEN_ID: &str = "The account's TikTok `open_id`; 404 for one this session or key does not hold.";
const POST_ID: &str = "The post's id; 404 for a post of an account this session or key does not hold.";
const IDEMPOTENCY_KEY: &str = "1–255 visible ASCII characters, bare or quoted. The same key with the same body answers what the first request answered; with another body, 422 `idempotency_key_reused`; at the same moment, 409. Per session or per API key.";

#[utoipa::path(get, path = "/api/health", tag = "service", security(()),
    responses((status = 200, description = "`status`, `version`, TikTok's bases, limits, and `sweep` (a SweepReport, null before the first cron run).", body = Object)))]
fn health() {}

#[utoipa::path(get, path = "/api/openapi.json", tag = "service", security(()),
    responses((status = 200, description = "This document.", body = Object)))]
fn openapi_json() {}

#[utoipa::path(get, path = "/api/settings", tag = "service", security(()),
    responses((status = 200, description = "The deployment's composer setting.", body = AppSettings)))]
fn settings() {}

#[utoipa::path(get, path = "/api/oauth/config", tag = "oauth", security(()),
    responses((status = 200, description = "What the browser needs for TikTok's authorize URL.", body = OAuthConfig)))]
fn oauth_config() {}

#[utoipa::path(post, path = "/api/oauth/start", tag = "oauth", security(()), request_body = OAuthStart,
    responses(
        (status = 204, description = "The sign-in is bound to this browser (a start cookie, 10 minutes)."),
        (status = 400, description = "`invalid_request`: a malformed `state` or challenge; `bad_request`: not the shape.", body = ErrorBody),
    ))]
fn oauth_start() {}

#[utoipa::path(post, path = "/api/oauth/token", tag = "oauth", security(()), request_body = TokenExchange,
    responses(
        (status = 200, description = "Connected; a new session cookie.", body = AccountBody),
        (status = 400, description = "`invalid_request` (no start of this browser explains it; nothing sent to TikTok), `invalid_grant`, `bad_request`.", body = ErrorBody),
        (status = 403, description = "`missing_scopes`: a permission was not granted.", body = ErrorBody),
    ))]
fn oauth_token() {}

#[utoipa::path(get, path = "/api/accounts", tag = "accounts",
    responses((status = 200, description = "The session's or key's accounts (empty without one).", body = AccountsBody)))]
fn list_accounts() {}

#[utoipa::path(delete, path = "/api/accounts/{open_id}", tag = "accounts", params(("open_id" = String, Path, description = OPEN_ID)),
    responses(
        (status = 204, description = "Revoked at TikTok, tokens forgotten, pending posts cancelled, no session or key holds it any more."),
        (status = 404, description = "Not an account this session holds.", body = ErrorBody),
    ))]
fn disconnect_account() {}

#[utoipa::path(get, path = "/api/accounts/{open_id}/sessions", tag = "accounts", params(("open_id" = String, Path, description = OPEN_ID)),
    responses(
        (status = 200, description = "The browser sessions holding the account, most recently seen first.", body = SessionsBody),
        (status = 404, description = "Not an account this session holds.", body = ErrorBody),
    ))]
fn account_sessions() {}

#[utoipa::path(delete, path = "/api/accounts/{open_id}/sessions/{id}", tag = "accounts",
    params(("open_id" = String, Path, description = OPEN_ID), ("id" = String, Path, description = "A session's public id (from the list).")),
    responses(
        (status = 204, description = "That session no longer holds the account."),
        (status = 404, description = "Not an account this session holds, or a session not holding it.", body = ErrorBody),
    ))]
fn sign_out_session() {}

#[utoipa::path(post, path = "/api/session/logout", tag = "accounts",
    responses((status = 204, description = "The session ended on the server and its cookie cleared (the same without a session).")))]
fn logout() {}

#[utoipa::path(get, path = "/api/accounts/{open_id}/creator-info", tag = "accounts", params(("open_id" = String, Path, description = OPEN_ID)),
    responses(
        (status = 200, description = "TikTok's `creator_info`, fresh.", body = CreatorInfoBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
    ))]
fn creator_info() {}

#[utoipa::path(get, path = "/api/accounts/{open_id}/schedule", tag = "schedule", params(("open_id" = String, Path, description = OPEN_ID)),
    responses(
        (status = 200, description = "The account's posting schedule.", body = ScheduleBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
    ))]
fn get_schedule() {}

#[utoipa::path(put, path = "/api/accounts/{open_id}/schedule", tag = "schedule", params(("open_id" = String, Path, description = OPEN_ID)),
    request_body = ScheduleBody,
    responses(
        (status = 200, description = "The schedule as stored: the zone's canonical name, slots sorted, duplicates dropped.", body = ScheduleBody),
        (status = 400, description = "`bad_request`: not JSON of this shape.", body = ErrorBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB.", body = ErrorBody),
        (status = 422, description = "`field` `time_zone` (`unknown_time_zone`) or `slots` (`invalid_slot_day`, `invalid_slot_time`, `too_many_slots`).", body = ErrorBody),
    ))]
fn put_schedule() {}

#[utoipa::path(get, path = "/api/accounts/{open_id}/queue", tag = "schedule", params(("open_id" = String, Path, description = OPEN_ID)),
    responses(
        (status = 200, description = "The time `\"queue\": true` would take now, or why there is none (`schedule_empty`, `schedule_full`).", body = NextFreeBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
    ))]
fn next_free() {}

#[utoipa::path(get, path = "/api/accounts/{open_id}/slots", tag = "schedule",
    params(
        ("open_id" = String, Path, description = OPEN_ID),
        ("from" = String, Query, format = DateTime, description = "RFC 3339: the window's start."),
        ("to" = String, Query, format = DateTime, description = "RFC 3339: the window's end (at most six weeks are looked at)."),
    ),
    responses(
        (status = 200, description = "The schedule's free times in the window.", body = FreeSlotsBody),
        (status = 400, description = "`bad_request`: `from` or `to` missing or not RFC 3339.", body = ErrorBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
    ))]
fn free_slots() {}

#[utoipa::path(get, path = "/api/accounts/{open_id}/stats", tag = "analytics", params(("open_id" = String, Path, description = OPEN_ID)),
    responses(
        (status = 200, description = "The account's counts, snapshotted when it connected and then daily, newest last, a year at most (empty while the account's `analytics` is not `on`).", body = StatsBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
    ))]
fn account_stats() {}

#[utoipa::path(get, path = "/api/accounts/{open_id}/best-times", tag = "analytics", params(("open_id" = String, Path, description = OPEN_ID)),
    responses(
        (status = 200, description = "The weekly hours (in the account's schedule's zone) whose posts did best in their first day, relative to the account's posts around them; best first, at most 5. Empty, with a `message`, until 10 posts with a first-day reading back it. `based_on`: the posts scored (the newest 1,000 at most).", body = BestTimesBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
    ))]
fn best_times() {}

#[utoipa::path(post, path = "/api/keys", tag = "keys", request_body = NewKey,
    responses(
        (status = 201, description = "The key and its secret, shown in this answer only.", body = KeyCreated),
        (status = 400, description = "`bad_request`: not JSON of this shape.", body = ErrorBody),
        (status = 404, description = "An account this session does not hold.", body = ErrorBody),
        (status = 409, description = "`too_many_keys`: an account is named by 20 keys already.", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB.", body = ErrorBody),
        (status = 422, description = "A refused field (`name`, `accounts`).", body = ErrorBody),
    ))]
fn create_key() {}

#[utoipa::path(get, path = "/api/keys", tag = "keys",
    responses((status = 200, description = "The keys naming any account this session holds, newest first.", body = KeysBody)))]
fn list_keys() {}

#[utoipa::path(delete, path = "/api/keys/{id}", tag = "keys", params(("id" = String, Path, description = "The key's id.")),
    responses(
        (status = 204, description = "Revoked: the key stops at once, for every account."),
        (status = 404, description = "No key naming an account this session holds.", body = ErrorBody),
    ))]
fn revoke_key() {}

#[utoipa::path(post, path = "/api/posts", tag = "posts", request_body = CreatePost,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY_KEY)),
    responses(
        (status = 201, description = "The post, and where to `PUT` its video.", body = CreatedBody),
        (status = 400, description = "`bad_request` (not JSON of this shape) or `idempotency_key_invalid`.", body = ErrorBody),
        (status = 404, description = "Not an account this session or key holds.", body = ErrorBody),
        (status = 409, description = "A request with the same `Idempotency-Key` is under way.", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB.", body = ErrorBody),
        (status = 422, description = "A refused field, named by `field` (caption, privacy, switches, disclosure, `publish_at`, `video_size`, `queue`, `mode`, `account` caps), or `idempotency_key_reused`.", body = ErrorBody),
    ))]
fn create_post() {}

#[utoipa::path(get, path = "/api/posts", tag = "posts",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Posts per page, 1–200 (default 50)."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the page before."),
        ("from" = Option<String>, Query, format = DateTime, description = "RFC 3339: only posts at or after this time."),
        ("to" = Option<String>, Query, format = DateTime, description = "RFC 3339: only posts before this time."),
        ("ids" = Option<String>, Query, description = "Comma-separated post ids: only these."),
    ),
    responses(
        (status = 200, description = "The posts of the session's or key's accounts, newest first.", body = PostsBody),
        (status = 400, description = "`bad_request`: a parameter out of range or malformed.", body = ErrorBody),
    ))]
fn list_posts() {}

#[utoipa::path(get, path = "/api/posts/{id}", tag = "posts", params(("id" = String, Path, description = POST_ID)),
    responses(
        (status = 200, description = "The post.", body = PostBody),
        (status = 404, description = "No such post here.", body = ErrorBody),
    ))]
fn get_post() {}

#[utoipa::path(patch, path = "/api/posts/{id}", tag = "posts", params(("id" = String, Path, description = POST_ID)), request_body = Reschedule,
    responses(
        (status = 200, description = "The post at its new time.", body = PostBody),
        (status = 400, description = "`bad_request`: not JSON of this shape.", body = ErrorBody),
        (status = 404, description = "No such post here.", body = ErrorBody),
        (status = 409, description = "The upload to TikTok has started.", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB.", body = ErrorBody),
        (status = 422, description = "`field` `publish_at`: past or over 30 days ahead.", body = ErrorBody),
    ))]
fn reschedule_post() {}

#[utoipa::path(delete, path = "/api/posts/{id}", tag = "posts", params(("id" = String, Path, description = POST_ID)),
    responses(
        (status = 200, description = "Cancelled; whatever R2 held of its video is deleted.", body = PostBody),
        (status = 404, description = "No such post here.", body = ErrorBody),
        (status = 409, description = "The upload to TikTok has started.", body = ErrorBody),
    ))]
fn cancel_post() {}

#[utoipa::path(post, path = "/api/posts/{id}/retry", tag = "posts",
    params(("id" = String, Path, description = POST_ID), ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY_KEY)),
    responses(
        (status = 200, description = "The failed post again, with its staged video (or, for a key already carried out, the post as it is now).", body = PostBody),
        (status = 400, description = "`idempotency_key_invalid`.", body = ErrorBody),
        (status = 404, description = "No such post here.", body = ErrorBody),
        (status = 409, description = "The post has not failed.", body = ErrorBody),
        (status = 422, description = "`field` `account`: it would wait again past the account's caps.", body = ErrorBody),
    ))]
fn retry_post() {}

#[utoipa::path(get, path = "/api/posts/{id}/metrics", tag = "analytics", params(("id" = String, Path, description = POST_ID)),
    responses(
        (status = 200, description = "The post's numbers over time, as each reading found them, oldest first (newest last): the decaying schedule's readings and each refresh, at most 48 (past that, the middle reading closest to its neighbours is dropped; the first and the newest always stay). Empty until the first reading, and always for a post TikTok has not named or a private one.", body = ReadingsBody),
        (status = 404, description = "No such post here.", body = ErrorBody),
    ))]
fn post_readings() {}

#[utoipa::path(post, path = "/api/posts/{id}/metrics/refresh", tag = "analytics", params(("id" = String, Path, description = POST_ID)),
    responses(
        (status = 200, description = "The post with `metrics` read from TikTok now.", body = PostBody),
        (status = 404, description = "No such post here.", body = ErrorBody),
        (status = 409, description = "`conflict`: TikTok has not given the post its id yet (or the post is private: TikTok gives no numbers for it); `analytics_not_allowed`: the account did not allow its numbers to be read, or this deployment reads none.", body = ErrorBody),
        (status = 429, description = "`rate_limited`: the numbers were read less than 5 minutes ago; `Retry-After` says when to ask again.", body = ErrorBody),
    ))]
fn refresh_metrics() {}

#[utoipa::path(put, path = "/api/posts/{id}/media", tag = "posts",
    params(
        ("id" = String, Path, description = POST_ID),
        ("Content-Range" = String, Header, description = "`bytes a-b/total`: the next part, at most 20,000,000 bytes."),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The part's bytes; `Content-Length` is the range's length."),
    responses(
        (status = 201, description = "The video is complete and accepted (`{\"post\"}`; asked again, `{\"received_bytes\"}`).", body = MediaComplete),
        (status = 206, description = "More is due.", body = MediaProgress),
        (status = 400, description = "A missing or malformed `Content-Range`, a part too long, or a `Content-Length` that is not the range's.", body = ErrorBody),
        (status = 404, description = "No such post here.", body = ErrorBody),
        (status = 408, description = "`request_timeout`: the part stopped arriving; resume from `received_bytes`.", body = ErrorBody),
        (status = 409, description = "The post is cancelled.", body = ErrorBody),
        (status = 411, description = "`length_required`: no `Content-Length`.", body = ErrorBody),
        (status = 416, description = "Not the next part; nothing changed.", body = MediaProgress),
        (status = 422, description = "The probe refused the video; nothing is sent to TikTok.", body = ErrorBody),
    ))]
fn put_media() {}

#[utoipa::path(get, path = "/api/posts/{id}/media", tag = "posts", params(("id" = String, Path, description = POST_ID)),
    responses(
        (status = 200, description = "Resume from here.", body = MediaProgress),
        (status = 404, description = "No such post here.", body = ErrorBody),
    ))]
fn get_media() {}

#[utoipa::path(get, path = "/api/posts/{id}/check", tag = "posts", params(("id" = String, Path, description = POST_ID)),
    responses(
        (status = 200, description = "The probe's report of the staged video, re-read from R2 (video-probe's `Report`).", body = Object),
        (status = 404, description = "No such post here, or no staged video.", body = ErrorBody),
        (status = 409, description = "`conflict`: the video is not fully uploaded yet.", body = ErrorBody),
    ))]
fn check_media() {}

#[utoipa::path(post, path = "/api/csp-report", tag = "service", security(()),
    request_body(content = Object, content_type = "application/csp-report", description = "A browser's CSP report (`application/reports+json` too)."),
    responses(
        (status = 204, description = "Logged (the first 5 violations)."),
        (status = 400, description = "Not a report.", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB.", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`.", body = ErrorBody),
    ))]
fn csp_report() {}

#[utoipa::path(post, path = "/api/webhooks/tiktok", tag = "service", security(()),
    params(("TikTok-Signature" = String, Header, description = "`t=…,s=…`: HMAC-SHA256 with the client secret over `t.body`.")),
    request_body(content = Object, description = "TikTok's webhook envelope."),
    responses(
        (status = 200, description = "`{\"received\": true, \"acted\": bool}`.", body = Object),
        (status = 400, description = "`invalid_webhook`: signed, but not TikTok's envelope.", body = ErrorBody),
        (status = 401, description = "`bad_signature` or `stale_signature`.", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB.", body = ErrorBody),
    ))]
fn tiktok_webhook() {}
