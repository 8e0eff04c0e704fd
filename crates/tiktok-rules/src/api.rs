//! The JSON shapes of TikTok's Content Posting endpoints, shared by the Worker (client) and
//! the emulator (server), plus the checks TikTok makes on a post before accepting it.

use crate::caption;
use crate::chunk::ChunkPlan;
use crate::disclosure;
use crate::error::codes;
use crate::privacy::PrivacyLevel;
use serde::{Deserialize, Serialize};

/// TikTok's own API base.
pub const REAL_API_BASE: &str = "https://open.tiktokapis.com";

/// Does this API base reach real TikTok (its API host or any other `tiktokapis.com` one), not
/// an emulator? Test and bench routes refuse to run there.
pub fn is_real_tiktok(api_base: &str) -> bool {
    let rest = api_base.trim().split_once("://").map_or(api_base.trim(), |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h).trim_end_matches('.').to_ascii_lowercase();
    host == "tiktokapis.com" || host.ends_with(".tiktokapis.com") || host == "tiktok.com" || host.ends_with(".tiktok.com")
}

/// API paths, relative to the API base (`https://open.tiktokapis.com`).
pub mod paths {
    pub const AUTHORIZE: &str = "/v2/auth/authorize/";
    pub const TOKEN: &str = "/v2/oauth/token/";
    pub const REVOKE: &str = "/v2/oauth/revoke/";
    pub const USER_INFO: &str = "/v2/user/info/";
    pub const CREATOR_INFO: &str = "/v2/post/publish/creator_info/query/";
    pub const VIDEO_INIT: &str = "/v2/post/publish/video/init/";
    /// Upload to the creator's inbox (a draft they finish in the app; scope `video.upload`).
    pub const INBOX_VIDEO_INIT: &str = "/v2/post/publish/inbox/video/init/";
    pub const STATUS_FETCH: &str = "/v2/post/publish/status/fetch/";
    /// Display API (scope `video.list`): the creator's public videos, newest first.
    pub const VIDEO_LIST: &str = "/v2/video/list/";
    /// Display API (scope `video.list`): the creator's videos by id, ≤ 20 at a time.
    pub const VIDEO_QUERY: &str = "/v2/video/query/";
}

/// Requests per minute per access token, as TikTok documents them.
pub mod rate_limits {
    pub const CREATOR_INFO_PER_MIN: u32 = 20;
    pub const VIDEO_INIT_PER_MIN: u32 = 6;
    pub const STATUS_FETCH_PER_MIN: u32 = 30;
    /// Each of `user/info`, `video/list` and `video/query` (a sliding minute).
    pub const DISPLAY_PER_MIN: u32 = 600;
}

/// TikTok's inbox: at most this many shares per creator may be pending (sent, not yet posted
/// or deleted by the creator) within `PENDING_WINDOW_MS`; the next init is refused with
/// `spam_risk_too_many_pending_share`.
pub mod inbox {
    pub const MAX_PENDING_SHARES: usize = 5;
    pub const PENDING_WINDOW_MS: u64 = 86_400_000;
}

/// Posts per creator per day through the API (shared by all apps).
pub const DAILY_POST_CAP: u32 = 15;
/// How long an upload_url stays valid.
pub const UPLOAD_URL_TTL_SECS: u64 = 3_600;

/// `creator_info/query` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatorInfo {
    pub creator_avatar_url: String,
    pub creator_username: String,
    pub creator_nickname: String,
    pub privacy_level_options: Vec<PrivacyLevel>,
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    pub max_video_post_duration_sec: u32,
}

/// `post_info` of `video/init`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostInfo {
    #[serde(default)]
    pub title: String,
    pub privacy_level: PrivacyLevel,
    #[serde(default)]
    pub disable_duet: bool,
    #[serde(default)]
    pub disable_stitch: bool,
    #[serde(default)]
    pub disable_comment: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_cover_timestamp_ms: Option<u64>,
    #[serde(default)]
    pub brand_content_toggle: bool,
    #[serde(default)]
    pub brand_organic_toggle: bool,
    #[serde(default)]
    pub is_aigc: bool,
}

impl PostInfo {
    /// A caption and an audience, every other field at TikTok's default (as an omitted field).
    pub fn new(title: impl Into<String>, privacy_level: PrivacyLevel) -> PostInfo {
        PostInfo {
            title: title.into(),
            privacy_level,
            disable_duet: false,
            disable_stitch: false,
            disable_comment: false,
            video_cover_timestamp_ms: None,
            brand_content_toggle: false,
            brand_organic_toggle: false,
            is_aigc: false,
        }
    }
}

/// `source_info` of `video/init` (LetsPost uses FILE_UPLOAD only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SourceInfo {
    FileUpload { video_size: u64, chunk_size: u64, total_chunk_count: u64 },
    PullFromUrl { video_url: String },
}

impl From<ChunkPlan> for SourceInfo {
    fn from(p: ChunkPlan) -> SourceInfo {
        SourceInfo::FileUpload { video_size: p.video_size, chunk_size: p.chunk_size, total_chunk_count: p.total_chunk_count }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitRequest {
    pub post_info: PostInfo,
    pub source_info: SourceInfo,
}

/// The inbox init: only the file; the creator writes the caption and picks privacy in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxInitRequest {
    pub source_info: SourceInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitResponse {
    pub publish_id: String,
    #[serde(default)]
    pub upload_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRequest {
    pub publish_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PublishStatus {
    ProcessingUpload,
    ProcessingDownload,
    SendToUserInbox,
    PublishComplete,
    Failed,
}

impl PublishStatus {
    pub fn is_final(self) -> bool {
        matches!(self, PublishStatus::PublishComplete | PublishStatus::Failed)
    }
}

/// `status/fetch` data. `publicaly_available_post_id` is TikTok's spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    pub status: PublishStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
    #[serde(default)]
    pub publicaly_available_post_id: Vec<u64>,
    #[serde(default)]
    pub uploaded_bytes: u64,
}

/// `user/info` data (the fields LetsPost asks for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub open_id: String,
    #[serde(default)]
    pub union_id: String,
    #[serde(default)]
    pub avatar_url: String,
    #[serde(default)]
    pub display_name: String,
}

/// The public URL of a published post.
pub fn post_url(username: &str, post_id: u64) -> String {
    format!("https://www.tiktok.com/@{username}/video/{post_id}")
}

/// A refusal of `video/init` before anything is uploaded: code + message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal { code, message: message.into() }
    }
}

/// TikTok's checks on `post_info` for this creator: caption length, a privacy level from the
/// creator's options, disclosure rules, and the unaudited-client rule.
pub fn check_post_info(post: &PostInfo, creator: &CreatorInfo, unaudited_client: bool) -> Result<(), Refusal> {
    caption::check(&post.title).map_err(|e| Refusal::new(codes::INVALID_PARAM, e.to_string()))?;
    if unaudited_client && post.privacy_level != PrivacyLevel::SelfOnly {
        return Err(Refusal::new(codes::UNAUDITED_CLIENT_PRIVATE_ONLY, "unaudited clients may only post with privacy_level SELF_ONLY"));
    }
    if !creator.privacy_level_options.contains(&post.privacy_level) {
        return Err(Refusal::new(codes::PRIVACY_LEVEL_OPTION_MISMATCH, format!("privacy_level {} is not one of this creator's options", post.privacy_level)));
    }
    disclosure::check_toggles(false, post.brand_organic_toggle, post.brand_content_toggle, post.privacy_level)
        .map_err(|e| Refusal::new(codes::INVALID_PARAM, e.to_string()))?;
    Ok(())
}

/// TikTok's checks on `source_info`.
pub fn check_source_info(source: &SourceInfo) -> Result<ChunkPlan, Refusal> {
    match *source {
        SourceInfo::FileUpload { video_size, chunk_size, total_chunk_count } => {
            let plan = ChunkPlan { video_size, chunk_size, total_chunk_count };
            // TikTok's side: whatever either reading of its "MB" allows.
            plan.check(&crate::chunk::LENIENT).map_err(|e| Refusal::new(codes::INVALID_PARAM, e.to_string()))?;
            Ok(plan)
        }
        SourceInfo::PullFromUrl { .. } => Err(Refusal::new(codes::URL_OWNERSHIP_UNVERIFIED, "PULL_FROM_URL needs a verified domain; LetsPost uploads files")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_tiktok_is_told_from_an_emulator() {
        for real in
            [REAL_API_BASE, "https://open.tiktokapis.com/", "HTTPS://Open.TikTokApis.com:443", "https://open-sandbox.tiktokapis.com", "https://www.tiktok.com."]
        {
            assert!(is_real_tiktok(real), "{real}");
        }
        for emulator in ["http://127.0.0.1:8788", "http://localhost:8788/", "https://tiktokapis.com.evil.example", "https://nottiktokapis.com", ""] {
            assert!(!is_real_tiktok(emulator), "{emulator}");
        }
    }

    fn creator(options: &[PrivacyLevel]) -> CreatorInfo {
        CreatorInfo {
            creator_avatar_url: String::new(),
            creator_username: "ana".into(),
            creator_nickname: "Ana".into(),
            privacy_level_options: options.to_vec(),
            comment_disabled: false,
            duet_disabled: false,
            stitch_disabled: false,
            max_video_post_duration_sec: 600,
        }
    }

    fn post(privacy: PrivacyLevel) -> PostInfo {
        PostInfo::new("hello #fyp", privacy)
    }

    #[test]
    fn init_request_serializes_as_tiktok_expects() {
        let req = InitRequest { post_info: post(PrivacyLevel::SelfOnly), source_info: ChunkPlan::for_size(50_000_123).unwrap().into() };
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["post_info"]["privacy_level"], "SELF_ONLY");
        assert_eq!(v["source_info"]["source"], "FILE_UPLOAD");
        assert_eq!(v["source_info"]["total_chunk_count"], 2);
        assert_eq!(serde_json::from_value::<InitRequest>(v).unwrap(), req);
    }

    #[test]
    fn privacy_must_be_one_of_the_creators_options() {
        let private = creator(&PrivacyLevel::PRIVATE_ACCOUNT_OPTIONS);
        let e = check_post_info(&post(PrivacyLevel::PublicToEveryone), &private, false).unwrap_err();
        assert_eq!(e.code, codes::PRIVACY_LEVEL_OPTION_MISMATCH);
        assert!(check_post_info(&post(PrivacyLevel::FollowerOfCreator), &private, false).is_ok());
    }

    #[test]
    fn unaudited_clients_post_only_as_only_me() {
        let c = creator(&PrivacyLevel::PRIVATE_ACCOUNT_OPTIONS);
        let e = check_post_info(&post(PrivacyLevel::FollowerOfCreator), &c, true).unwrap_err();
        assert_eq!(e.code, codes::UNAUDITED_CLIENT_PRIVATE_ONLY);
        assert!(check_post_info(&post(PrivacyLevel::SelfOnly), &c, true).is_ok());
    }

    #[test]
    fn long_captions_and_private_branded_posts_are_invalid_param() {
        let c = creator(&PrivacyLevel::PUBLIC_ACCOUNT_OPTIONS);
        let long = PostInfo { title: "x".repeat(2_201), ..post(PrivacyLevel::PublicToEveryone) };
        assert_eq!(check_post_info(&long, &c, false).unwrap_err().code, codes::INVALID_PARAM);
        let branded = PostInfo { brand_content_toggle: true, ..post(PrivacyLevel::SelfOnly) };
        assert_eq!(check_post_info(&branded, &c, false).unwrap_err().code, codes::INVALID_PARAM);
    }

    #[test]
    fn source_info_rules_and_pull_from_url() {
        let bad = SourceInfo::FileUpload { video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 6 };
        assert_eq!(check_source_info(&bad).unwrap_err().code, codes::INVALID_PARAM);
        let pull = SourceInfo::PullFromUrl { video_url: "https://x/v.mp4".into() };
        assert_eq!(check_source_info(&pull).unwrap_err().code, codes::URL_OWNERSHIP_UNVERIFIED);
    }

    #[test]
    fn status_uses_tiktoks_spelling() {
        let s: StatusResponse = serde_json::from_str(r#"{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[7123],"uploaded_bytes":10}"#).unwrap();
        assert!(s.status.is_final());
        assert_eq!(post_url("ana", s.publicaly_available_post_id[0]), "https://www.tiktok.com/@ana/video/7123");
    }
}
