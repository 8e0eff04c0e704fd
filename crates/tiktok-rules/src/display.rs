//! TikTok's Display API, as LetsPost reads a creator's own numbers (shared/tiktok-api.md,
//! "Display API"): `video/query` (≤ 20 ids), `video/list` (cursor in ms, ≤ 20 a page), the
//! stats fields of `user/info`, and the post id they all key on. Shared by the Worker
//! (client) and the emulator (server). Paths and the 600/min limit are in [`crate::api`],
//! the scopes in [`crate::oauth`].

use crate::api::Refusal;
use crate::error::codes;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// At most this many ids in one `video/query`.
pub const MAX_VIDEO_IDS: usize = 20;
/// `video/list`'s `max_count`: 1 to 20, 10 when omitted.
pub const MAX_COUNT: u32 = 20;
pub const DEFAULT_MAX_COUNT: u32 = 10;
/// `cover_image_url` stops working about this long after the answer that gave it; a new
/// `video/query` gives a fresh one.
pub const COVER_URL_TTL_SECS: u64 = 6 * 3_600;
/// `like_count`, `comment_count` and `share_count` are int32 in TikTok's video object
/// (`view_count` is int64).
pub const INT32_COUNT_MAX: u64 = i32::MAX as u64;

/// The id of a published post: `publicaly_available_post_id` of `status/fetch`, `post_id` of
/// the webhooks, `id` of a video. A 19-digit number above 2^53, which JavaScript's
/// `JSON.parse` rounds to another post's id. So it is a `u64` here, written as a JSON string,
/// and read from a string or an integer (status/fetch sends integers) but never from a float:
/// a float has already lost digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostId(pub u64);

impl PostId {
    pub fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for PostId {
    fn from(id: u64) -> PostId {
        PostId(id)
    }
}

impl std::fmt::Display for PostId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for PostId {
    type Err = &'static str;

    /// Decimal digits only (no sign, no spaces), within `u64`.
    fn from_str(s: &str) -> Result<PostId, &'static str> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err("a post id is decimal digits");
        }
        s.parse().map(PostId).map_err(|_| "a post id fits in 64 bits")
    }
}

impl Serialize for PostId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PostId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PostId, D::Error> {
        struct Digits;
        impl Visitor<'_> for Digits {
            type Value = PostId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a post id: a string of digits or an unsigned integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PostId, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PostId, E> {
                Ok(PostId(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PostId, E> {
                u64::try_from(v).map(PostId).map_err(|_| E::custom("a post id is not negative"))
            }
        }
        d.deserialize_any(Digits)
    }
}

/// The fields of TikTok's video object, as `?fields=` spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VideoField {
    Id,
    CreateTime,
    CoverImageUrl,
    ShareUrl,
    VideoDescription,
    Duration,
    Height,
    Width,
    Title,
    EmbedHtml,
    EmbedLink,
    LikeCount,
    CommentCount,
    ShareCount,
    ViewCount,
    IsAigc,
}

impl VideoField {
    pub const ALL: [VideoField; 16] = [
        VideoField::Id,
        VideoField::CreateTime,
        VideoField::CoverImageUrl,
        VideoField::ShareUrl,
        VideoField::VideoDescription,
        VideoField::Duration,
        VideoField::Height,
        VideoField::Width,
        VideoField::Title,
        VideoField::EmbedHtml,
        VideoField::EmbedLink,
        VideoField::LikeCount,
        VideoField::CommentCount,
        VideoField::ShareCount,
        VideoField::ViewCount,
        VideoField::IsAigc,
    ];

    /// What a metrics refresh asks for: the id to match, when it went out, the four counts.
    pub const METRICS: [VideoField; 6] =
        [VideoField::Id, VideoField::CreateTime, VideoField::ViewCount, VideoField::LikeCount, VideoField::CommentCount, VideoField::ShareCount];

    pub fn as_str(self) -> &'static str {
        match self {
            VideoField::Id => "id",
            VideoField::CreateTime => "create_time",
            VideoField::CoverImageUrl => "cover_image_url",
            VideoField::ShareUrl => "share_url",
            VideoField::VideoDescription => "video_description",
            VideoField::Duration => "duration",
            VideoField::Height => "height",
            VideoField::Width => "width",
            VideoField::Title => "title",
            VideoField::EmbedHtml => "embed_html",
            VideoField::EmbedLink => "embed_link",
            VideoField::LikeCount => "like_count",
            VideoField::CommentCount => "comment_count",
            VideoField::ShareCount => "share_count",
            VideoField::ViewCount => "view_count",
            VideoField::IsAigc => "is_aigc",
        }
    }

    pub fn parse(name: &str) -> Option<VideoField> {
        VideoField::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// `?fields=` for a request: comma-separated.
pub fn fields_param(fields: &[VideoField]) -> String {
    fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")
}

/// TikTok's check of `?fields=`: at least one, every one known (`invalid_params` otherwise).
/// Repeats collapse; the order is the caller's.
pub fn parse_fields(csv: &str) -> Result<Vec<VideoField>, Refusal> {
    let mut fields = Vec::new();
    for name in csv.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let field = VideoField::parse(name).ok_or_else(|| Refusal::new(codes::INVALID_PARAMS, format!("unknown video field {name:?}")))?;
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    if fields.is_empty() {
        return Err(Refusal::new(codes::INVALID_PARAMS, "fields is required"));
    }
    Ok(fields)
}

/// `video/query`'s body: `{"filters": {"video_ids": ["…"]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoQueryRequest {
    pub filters: VideoFilters,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoFilters {
    pub video_ids: Vec<PostId>,
}

impl VideoQueryRequest {
    pub fn new(video_ids: Vec<PostId>) -> VideoQueryRequest {
        VideoQueryRequest { filters: VideoFilters { video_ids } }
    }

    /// 1 to [`MAX_VIDEO_IDS`] ids.
    pub fn check(&self) -> Result<(), Refusal> {
        match self.filters.video_ids.len() {
            0 => Err(Refusal::new(codes::INVALID_PARAMS, "filters.video_ids is empty")),
            n if n > MAX_VIDEO_IDS => Err(Refusal::new(codes::INVALID_PARAMS, format!("at most {MAX_VIDEO_IDS} video_ids, not {n}"))),
            _ => Ok(()),
        }
    }
}

/// `video/list`'s body. `cursor`: UTC Unix ms, from the previous page (none: the newest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoListRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u32>,
}

impl VideoListRequest {
    /// The page size asked for, [`DEFAULT_MAX_COUNT`] when omitted.
    pub fn max_count(&self) -> u32 {
        self.max_count.unwrap_or(DEFAULT_MAX_COUNT)
    }

    /// `max_count` within 1 to [`MAX_COUNT`]; a cursor is not negative.
    pub fn check(&self) -> Result<(), Refusal> {
        let n = self.max_count();
        if !(1..=MAX_COUNT).contains(&n) {
            return Err(Refusal::new(codes::INVALID_PARAMS, format!("max_count is 1 to {MAX_COUNT}, not {n}")));
        }
        if self.cursor.is_some_and(|c| c < 0) {
            return Err(Refusal::new(codes::INVALID_PARAMS, "cursor is a UTC Unix time in milliseconds"));
        }
        Ok(())
    }
}

/// TikTok's video object; a field is present only when `?fields=` asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Video {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<PostId>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<i64>,
    /// Valid for [`COVER_URL_TTL_SECS`]: show it, never store it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover_image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_description: Option<String>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embed_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embed_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub like_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_aigc: Option<bool>,
}

impl Video {
    /// Only the fields asked for (the server's side of `?fields=`).
    pub fn only(self, fields: &[VideoField]) -> Video {
        let keep = |f: VideoField| fields.contains(&f);
        Video {
            id: self.id.filter(|_| keep(VideoField::Id)),
            create_time: self.create_time.filter(|_| keep(VideoField::CreateTime)),
            cover_image_url: self.cover_image_url.filter(|_| keep(VideoField::CoverImageUrl)),
            share_url: self.share_url.filter(|_| keep(VideoField::ShareUrl)),
            video_description: self.video_description.filter(|_| keep(VideoField::VideoDescription)),
            duration: self.duration.filter(|_| keep(VideoField::Duration)),
            height: self.height.filter(|_| keep(VideoField::Height)),
            width: self.width.filter(|_| keep(VideoField::Width)),
            title: self.title.filter(|_| keep(VideoField::Title)),
            embed_html: self.embed_html.filter(|_| keep(VideoField::EmbedHtml)),
            embed_link: self.embed_link.filter(|_| keep(VideoField::EmbedLink)),
            like_count: self.like_count.filter(|_| keep(VideoField::LikeCount)),
            comment_count: self.comment_count.filter(|_| keep(VideoField::CommentCount)),
            share_count: self.share_count.filter(|_| keep(VideoField::ShareCount)),
            view_count: self.view_count.filter(|_| keep(VideoField::ViewCount)),
            is_aigc: self.is_aigc.filter(|_| keep(VideoField::IsAigc)),
        }
    }
}

/// `video/query` data: the asked-for videos that exist, are public and are the token's
/// user's; others are left out, not refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoQueryData {
    #[serde(default)]
    pub videos: Vec<Video>,
}

/// `video/list` data: a page, newest first. It may hold fewer than `max_count` videos while
/// `has_more` is true: ask again with `cursor` until `has_more` is false.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoListData {
    #[serde(default)]
    pub videos: Vec<Video>,
    #[serde(default)]
    pub cursor: i64,
    #[serde(default)]
    pub has_more: bool,
}

/// `user/info` fields: the basic ones (`user.info.basic`) and the counts (`user.info.stats`;
/// asking for one without the scope fails the whole call with `scope_not_authorized`).
pub mod user_fields {
    pub const BASIC: [&str; 4] = ["open_id", "union_id", "avatar_url", "display_name"];
    pub const STATS: [&str; 4] = ["follower_count", "following_count", "likes_count", "video_count"];
}

/// Does this `?fields=` ask for a count (and so need `user.info.stats`)?
pub fn asks_for_stats(fields_csv: &str) -> bool {
    fields_csv.split(',').map(str::trim).any(|f| user_fields::STATS.contains(&f))
}

/// `user/info?fields=follower_count,following_count,likes_count,video_count` data's `user`.
/// `likes_count` is the likes all the creator's videos received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserStats {
    pub follower_count: u64,
    pub following_count: u64,
    pub likes_count: u64,
    pub video_count: u64,
}

/// `?fields=` for the four counts.
pub fn stats_fields_param() -> String {
    user_fields::STATS.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: u64 = 7_234_567_890_123_456_789;

    #[test]
    fn a_19_digit_id_round_trips_exactly_as_a_string() {
        let text = serde_json::to_string(&PostId(BIG)).unwrap();
        assert_eq!(text, "\"7234567890123456789\"");
        assert_eq!(serde_json::from_str::<PostId>(&text).unwrap(), PostId(BIG));
        // status/fetch sends integers: read exactly, without a float in between.
        assert_eq!(serde_json::from_str::<PostId>("7234567890123456789").unwrap(), PostId(BIG));
        let v: serde_json::Value = serde_json::from_str(r#"{"id":"7234567890123456789"}"#).unwrap();
        assert_eq!(serde_json::from_value::<Video>(v).unwrap().id, Some(PostId(BIG)));
        assert_eq!(PostId(u64::MAX).to_string().parse::<PostId>(), Ok(PostId(u64::MAX)));
    }

    #[test]
    fn anything_but_digits_is_not_a_post_id() {
        for bad in ["\"\"", "\"+7\"", "\" 7\"", "\"7e3\"", "\"18446744073709551616\"", "7.0", "7234567890123456789.0", "-1", "null"] {
            assert!(serde_json::from_str::<PostId>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fields_are_checked_and_kept_in_order() {
        assert_eq!(parse_fields("id, view_count,id").unwrap(), [VideoField::Id, VideoField::ViewCount]);
        assert_eq!(parse_fields("id,favourites").unwrap_err().code, codes::INVALID_PARAMS);
        assert_eq!(parse_fields(" , ").unwrap_err().code, codes::INVALID_PARAMS);
        let all = fields_param(&VideoField::ALL);
        assert_eq!(parse_fields(&all).unwrap(), VideoField::ALL);
        assert_eq!(fields_param(&VideoField::METRICS), "id,create_time,view_count,like_count,comment_count,share_count");
    }

    #[test]
    fn query_takes_one_to_twenty_ids() {
        let ids = |n: u64| VideoQueryRequest::new((0..n).map(|i| PostId(BIG + i)).collect());
        assert!(ids(1).check().is_ok());
        assert!(ids(20).check().is_ok());
        assert_eq!(ids(21).check().unwrap_err().code, codes::INVALID_PARAMS);
        assert_eq!(ids(0).check().unwrap_err().code, codes::INVALID_PARAMS);
        let v = serde_json::to_value(ids(1)).unwrap();
        assert_eq!(v, serde_json::json!({"filters": {"video_ids": ["7234567890123456789"]}}));
    }

    #[test]
    fn list_pages_are_one_to_twenty() {
        assert_eq!(VideoListRequest::default().max_count(), DEFAULT_MAX_COUNT);
        assert!(VideoListRequest { cursor: Some(1_700_000_000_000), max_count: Some(20) }.check().is_ok());
        for bad in [
            VideoListRequest { cursor: None, max_count: Some(21) },
            VideoListRequest { cursor: None, max_count: Some(0) },
            VideoListRequest { cursor: Some(-1), max_count: None },
        ] {
            assert_eq!(bad.check().unwrap_err().code, codes::INVALID_PARAMS, "{bad:?}");
        }
        assert_eq!(serde_json::to_string(&VideoListRequest::default()).unwrap(), "{}");
    }

    #[test]
    fn a_video_carries_only_the_fields_asked_for() {
        let full = Video { id: Some(PostId(BIG)), title: Some("t".into()), view_count: Some(i64::MAX as u64), like_count: Some(3), ..Video::default() };
        let v = serde_json::to_value(full.only(&[VideoField::Id, VideoField::ViewCount])).unwrap();
        assert_eq!(v, serde_json::json!({"id": "7234567890123456789", "view_count": 9_223_372_036_854_775_807u64}));
        // An int64 view count reads back exactly.
        let back: Video = serde_json::from_str(&v.to_string()).unwrap();
        assert_eq!(back.view_count, Some(i64::MAX as u64));
    }

    #[test]
    fn answers_parse_from_tiktoks_envelope() {
        let body = br#"{"data":{"videos":[{"id":"7234567890123456789","view_count":12}],"cursor":1700000000000,"has_more":true},"error":{"code":"ok","message":"","log_id":"L"}}"#;
        let page: VideoListData = crate::error::parse_v2(200, body).unwrap();
        assert_eq!((page.videos[0].id, page.cursor, page.has_more), (Some(PostId(BIG)), 1_700_000_000_000, true));
        let body = br#"{"data":{"user":{"follower_count":5,"video_count":2}},"error":{"code":"ok","message":"","log_id":"L"}}"#;
        #[derive(Deserialize)]
        struct Data {
            user: UserStats,
        }
        let stats = crate::error::parse_v2::<Data>(200, body).unwrap().user;
        assert_eq!(stats, UserStats { follower_count: 5, following_count: 0, likes_count: 0, video_count: 2 });
    }

    #[test]
    fn stats_fields_need_their_scope() {
        assert!(asks_for_stats(&stats_fields_param()));
        assert!(asks_for_stats("open_id, follower_count"));
        assert!(!asks_for_stats("open_id,union_id,avatar_url,display_name"));
    }
}
