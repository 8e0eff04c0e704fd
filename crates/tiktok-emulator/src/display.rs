//! The Display API: `video/query` and `video/list` (scope `video.list`, 600 a minute per
//! token each), and the counts `user/info` gives with `user.info.stats`.
//!
//! Only public posts exist here: a direct post with `PUBLIC_TO_EVERYONE` once moderation gave
//! it its id (`status/fetch`'s `publicaly_available_post_id`) and until it is taken down, or a
//! past video a test seeded as public. `SELF_ONLY` and friends-only posts are neither listed
//! nor found by id; ids that are not the caller's are left out of `video/query`'s answer, as
//! TikTok does, rather than refused.

use crate::accounts::Account;
use crate::metrics::{self, Counts};
use crate::oauth::bearer;
use crate::posting::{counted, live_since, status_of};
use crate::reply::{err, ok};
use crate::state::{Emulator, State, now_ms};
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;
use tiktok_rules::api::{post_url, rate_limits};
use tiktok_rules::display::{
    COVER_URL_TTL_SECS, PostId, UserStats, Video, VideoField, VideoListData, VideoListRequest, VideoQueryData, VideoQueryRequest, parse_fields,
};
use tiktok_rules::error::codes;
use tiktok_rules::oauth::VIDEO_LIST_SCOPE;
use tiktok_rules::privacy::PrivacyLevel;

/// The emulator's videos are 15 s, 1080×1920 unless seeded otherwise (it keeps no probe
/// facts per post).
const DEFAULT_DURATION_S: u32 = 15;

/// A post as the Display API sees it: made through the API or seeded as a past video.
#[derive(Debug, Clone)]
pub struct Known {
    pub post_id: u64,
    pub open_id: String,
    pub published_at_ms: u64,
    pub caption: String,
    pub is_aigc: bool,
    pub public: bool,
    pub duration: u32,
}

/// Every post that went live by `now`, public or not.
pub fn every_video(emu: &Emulator, s: &State, now: u64) -> Vec<Known> {
    let (processing, moderation) = (emu.config.processing_ms, emu.config.moderation_ms);
    let published = s.publishes.values().filter_map(|p| {
        let at = live_since(p, processing).filter(|at| *at <= now)?;
        Some(Known {
            post_id: p.post_id,
            open_id: p.open_id.clone(),
            published_at_ms: at,
            caption: p.post_info.as_ref().map(|i| i.title.clone()).unwrap_or_default(),
            is_aigc: p.post_info.as_ref().is_some_and(|i| i.is_aigc),
            public: !status_of(p, processing, moderation, now).publicaly_available_post_id.is_empty(),
            duration: DEFAULT_DURATION_S,
        })
    });
    let past = s.past_videos.iter().filter(|(_, v)| v.published_at_ms <= now).map(|(id, v)| Known {
        post_id: *id,
        open_id: v.open_id.clone(),
        published_at_ms: v.published_at_ms,
        caption: v.caption.clone(),
        is_aigc: false,
        public: v.privacy_level == PrivacyLevel::PublicToEveryone,
        duration: v.duration,
    });
    published.chain(past).collect()
}

/// A post's counts at `now`: its curve, or what a test set.
pub fn counts_of(emu: &Emulator, s: &State, k: &Known, now: u64) -> Counts {
    let grown = metrics::grown(emu.config.seed, k.post_id, now.saturating_sub(k.published_at_ms));
    s.count_overrides.get(&k.post_id).map_or(grown, |o| o.apply(grown))
}

/// The account's counts at `now`, from its public videos.
pub fn stats_of(emu: &Emulator, a: &Account, now: u64) -> UserStats {
    emu.with(|s| {
        let counts: Vec<Counts> = every_video(emu, s, now).iter().filter(|k| k.public && k.open_id == a.open_id).map(|k| counts_of(emu, s, k, now)).collect();
        metrics::account_stats(emu.config.seed, &a.open_id, &counts, &a.stats)
    })
}

/// TikTok's video object, every field (trimmed to `?fields=` by the caller).
fn video(emu: &Emulator, s: &State, k: &Known, now: u64) -> Video {
    let username = s.accounts.get(&k.open_id).map(|a| a.username.clone()).unwrap_or_default();
    let c = counts_of(emu, s, k, now);
    let share_url = post_url(&username, k.post_id);
    let expires = now / 1000 + COVER_URL_TTL_SECS;
    Video {
        id: Some(PostId(k.post_id)),
        create_time: Some((k.published_at_ms / 1000) as i64),
        cover_image_url: Some(format!("https://p16-sign.tiktokcdn.example/obj/{}~tplv-cover.jpeg?x-expires={expires}", k.post_id)),
        video_description: Some(k.caption.clone()),
        duration: Some(k.duration),
        height: Some(1920),
        width: Some(1080),
        title: Some(k.caption.clone()),
        embed_html: Some(format!(
            "<blockquote class=\"tiktok-embed\" cite=\"{share_url}\" data-video-id=\"{}\"><a href=\"{share_url}\"></a></blockquote>",
            k.post_id
        )),
        embed_link: Some(format!("https://www.tiktok.com/player/v1/{}", k.post_id)),
        share_url: Some(share_url),
        like_count: Some(c.likes),
        comment_count: Some(c.comments),
        share_count: Some(c.shares),
        view_count: Some(c.views),
        is_aigc: Some(k.is_aigc),
    }
}

/// The caller (scope `video.list`, counted against 600 a minute on `endpoint`) and the
/// fields it asked for.
fn reader(emu: &Emulator, headers: &HeaderMap, q: &HashMap<String, String>, endpoint: &'static str) -> Result<(String, Vec<VideoField>), Response> {
    let open_id = counted(emu, bearer(emu, headers, VIDEO_LIST_SCOPE)?, endpoint, rate_limits::DISPLAY_PER_MIN)?;
    let fields = parse_fields(q.get("fields").map(String::as_str).unwrap_or("")).map_err(|r| err(r.code, r.message))?;
    Ok((open_id, fields))
}

/// A JSON body (an empty one reads as `{}`), or `invalid_params`.
fn body_of<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { body };
    serde_json::from_slice(body).map_err(|e| err(codes::INVALID_PARAMS, format!("request body: {e}")))
}

/// `POST /v2/video/query/?fields=…` `{"filters": {"video_ids": [...]}}`: the caller's public
/// videos among the ids (1 to 20), in the order asked.
pub async fn query(S(emu): S<Arc<Emulator>>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let (open_id, fields) = match reader(&emu, &headers, &q, "video_query") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let req: VideoQueryRequest = match body_of(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(refusal) = req.check() {
        return err(refusal.code, refusal.message);
    }
    let now = now_ms();
    let videos = emu.with(|s| {
        let mine: HashMap<u64, Known> = every_video(&emu, s, now).into_iter().filter(|k| k.public && k.open_id == open_id).map(|k| (k.post_id, k)).collect();
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for id in req.filters.video_ids.iter().map(|id| id.get()) {
            if let Some(k) = mine.get(&id).filter(|_| !seen.contains(&id)) {
                seen.push(id);
                out.push(video(&emu, s, k, now).only(&fields));
            }
        }
        out
    });
    ok(VideoQueryData { videos })
}

/// `POST /v2/video/list/?fields=…` `{"cursor", "max_count"}`: the caller's public videos,
/// newest first, those published before `cursor` (ms). The answer's `cursor` is the last
/// video's time; a page never splits videos published in the same millisecond (the next
/// page starts before `cursor`), so it may hold fewer than `max_count` while `has_more`.
pub async fn list(S(emu): S<Arc<Emulator>>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let (open_id, fields) = match reader(&emu, &headers, &q, "video_list") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let req: VideoListRequest = match body_of(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(refusal) = req.check() {
        return err(refusal.code, refusal.message);
    }
    let now = now_ms();
    let before = req.cursor.map_or(u64::MAX, |c| c as u64);
    let data = emu.with(|s| {
        let mut mine: Vec<Known> = every_video(&emu, s, now).into_iter().filter(|k| k.public && k.open_id == open_id && k.published_at_ms < before).collect();
        mine.sort_by_key(|k| std::cmp::Reverse((k.published_at_ms, k.post_id)));
        let mut page = mine.len().min(req.max_count() as usize);
        let has_more = page < mine.len();
        if has_more && page > 0 && mine[page].published_at_ms == mine[page - 1].published_at_ms {
            // Keep the millisecond whole for the next page; a page all in one millisecond
            // stays as it is (TikTok's ms cursor can't do better).
            let boundary = mine[page - 1].published_at_ms;
            let whole = mine[..page].iter().take_while(|k| k.published_at_ms != boundary).count();
            if whole > 0 {
                page = whole;
            }
        }
        let cursor = mine[..page].last().map_or(req.cursor.unwrap_or(now as i64), |k| k.published_at_ms as i64);
        let videos = mine[..page].iter().map(|k| video(&emu, s, k, now).only(&fields)).collect();
        VideoListData { videos, cursor, has_more }
    });
    ok(data)
}
