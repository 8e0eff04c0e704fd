//! A post as the API shows it (`Post` in the README): the creator's fields plus where it is.

use crate::machine::{Mode, Post, PostError, Settings, State};
use letspost_core::time_fmt::{parse_rfc3339_ms, rfc3339_utc};
use serde::{Deserialize, Serialize};
use tiktok_rules::PostId;
use tiktok_rules::display::Video;
use tiktok_rules::privacy::PrivacyLevel;

/// How long a page keeps asking for a public post's link once TikTok has published it: the
/// link comes when moderation passes, seconds to minutes later.
pub const LINK_WAIT_MS: u64 = 10 * 60_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostView {
    pub id: String,
    pub account: String,
    pub mode: Mode,
    /// caption, privacy_level (null for a draft), the interaction switches, disclosure, is_aigc, cover time.
    #[serde(flatten)]
    pub settings: Settings,
    /// RFC 3339 UTC, or null for "post now".
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub publish_at: Option<String>,
    pub video_size: u64,
    pub state: State,
    pub publish_id: Option<String>,
    pub post_url: Option<String>,
    pub error: Option<PostError>,
    /// Bytes TikTok has taken.
    pub uploaded_bytes: u64,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub published_at: Option<String>,
    /// When the draft reached the creator's TikTok inbox.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub sent_to_inbox_at: Option<String>,
    /// TikTok took the public post down or made it private (RFC 3339 UTC); null otherwise.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub no_longer_public_at: Option<String>,
    /// TikTok's id of the public post (`publicaly_available_post_id`, what `video/query`
    /// takes): 19 digits, always a JSON string (a JavaScript number would round it); null
    /// until TikTok gives it (after moderation; never for a private post).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^[0-9]{1,20}$", example = "7234567890123456789"))]
    pub tiktok_post_id: Option<PostId>,
    /// The post's numbers on TikTok as last read; null until the first reading (and always for
    /// a private post, whose numbers TikTok does not give).
    #[serde(default)]
    pub metrics: Option<Metrics>,
}

/// A published post's numbers on TikTok (`video/query`'s counts) and when they were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metrics {
    pub views: u64,
    pub likes: u64,
    pub comments: u64,
    pub shares: u64,
    /// When they were read, RFC 3339 UTC.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
}

impl Metrics {
    /// A `video/query` video's counts read at `at_ms` (a count TikTok left out reads 0).
    pub fn read(video: &Video, at_ms: u64) -> Metrics {
        Metrics {
            views: video.view_count.unwrap_or(0),
            likes: video.like_count.unwrap_or(0),
            comments: video.comment_count.unwrap_or(0),
            shares: video.share_count.unwrap_or(0),
            at: rfc3339_utc(at_ms),
        }
    }
}

impl PostView {
    /// Worth asking about again, for a page that shows it: on its way to TikTok, or
    /// published for everyone within `LINK_WAIT_MS` and still without its link. A page that
    /// stopped at "Published" showed the post without its link until reloaded.
    pub fn still_changing(&self, now_ms: u64) -> bool {
        !self.state.is_final() || self.awaits_link(now_ms)
    }

    /// Published for everyone, the link not given yet, and not long ago.
    pub fn awaits_link(&self, now_ms: u64) -> bool {
        self.state == State::Published
            && self.post_url.is_none()
            && self.no_longer_public_at.is_none()
            && self.settings.privacy_level == Some(PrivacyLevel::PublicToEveryone)
            && self.published_at.as_deref().and_then(parse_rfc3339_ms).is_some_and(|at| now_ms < at + LINK_WAIT_MS)
    }
}

impl Post {
    pub fn view(&self) -> PostView {
        PostView {
            id: self.id.clone(),
            account: self.account.clone(),
            mode: self.mode(),
            settings: self.settings.clone(),
            publish_at: self.publish_at_ms.map(rfc3339_utc),
            video_size: self.video_size,
            state: self.state,
            publish_id: self.publish_id.clone(),
            post_url: self.post_url.clone(),
            error: self.error.clone(),
            uploaded_bytes: self.uploaded_bytes,
            created_at: rfc3339_utc(self.created_at_ms),
            updated_at: rfc3339_utc(self.updated_at_ms),
            published_at: self.published_at_ms.map(rfc3339_utc),
            sent_to_inbox_at: self.sent_to_inbox_at_ms.map(rfc3339_utc),
            no_longer_public_at: self.no_longer_public_at_ms.map(rfc3339_utc),
            tiktok_post_id: self.post_id.map(PostId),
            // The account's object keeps the numbers (`post_lifecycle::PostView` is filled
            // from there when asked).
            metrics: None,
        }
    }
}

/// `{"post": Post}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostBody {
    pub post: PostView,
}

/// `{"posts": [Post], "next_cursor"}`: `next_cursor` asks for the next page (`history`), null
/// on the last one and for a window or ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostsBody {
    pub posts: Vec<PostView>,
    /// Pass as `cursor` for the next page; null on the last one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Where a new post's video goes (`POST /api/posts`' `upload`): `PUT` parts of `chunk_size`
/// bytes to `url`, in order (the last may be shorter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadTarget {
    pub url: String,
    pub chunk_size: u64,
    pub total_chunk_count: u64,
}

/// `POST /api/posts` answer (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedBody {
    pub post: PostView,
    pub upload: UploadTarget,
}

/// `{"received_bytes"}`: how much of the video is staged; resume from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaProgress {
    pub received_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    fn published(privacy: PrivacyLevel, ago_ms: u64) -> PostView {
        let settings = Settings { privacy_level: Some(privacy), ..Settings::draft("c".into()) };
        let mut p = Post::new("p".into(), "a".into(), "maya".into(), settings, None, 10, NOW - ago_ms - 60_000).view();
        p.state = State::Published;
        p.published_at = Some(rfc3339_utc(NOW - ago_ms));
        p
    }

    #[test]
    fn a_public_post_is_watched_for_its_link_for_a_while_then_left_alone() {
        let p = published(PrivacyLevel::PublicToEveryone, 5_000);
        assert!(p.awaits_link(NOW) && p.still_changing(NOW));
        assert!(!p.still_changing(NOW + LINK_WAIT_MS), "asked about for ever");
        let linked = PostView { post_url: Some("https://www.tiktok.com/@maya/video/1".into()), ..p.clone() };
        assert!(!linked.still_changing(NOW));
        let taken_down = PostView { no_longer_public_at: Some(rfc3339_utc(NOW)), ..p };
        assert!(!taken_down.still_changing(NOW));
    }

    #[test]
    fn the_post_id_is_a_string_of_all_19_digits_and_numbers_read_from_tiktok() {
        let mut post = Post::new("p".into(), "a".into(), "maya".into(), Settings::draft("c".into()), None, 10, NOW);
        post.post_id = Some(7_234_567_890_123_456_789);
        let v = serde_json::to_value(post.view()).unwrap();
        assert_eq!(v["tiktok_post_id"], "7234567890123456789");
        assert_eq!(v["metrics"], serde_json::Value::Null);
        let back: PostView = serde_json::from_value(v).unwrap();
        assert_eq!(back.tiktok_post_id, Some(PostId(7_234_567_890_123_456_789)));
        let video = Video { view_count: Some(i64::MAX as u64), like_count: Some(3), ..Video::default() };
        let m = Metrics::read(&video, NOW);
        assert_eq!((m.views, m.likes, m.comments, m.shares), (i64::MAX as u64, 3, 0, 0));
        assert_eq!(serde_json::to_value(&m).unwrap()["at"], "2027-01-15T08:00:00Z");
    }

    #[test]
    fn a_private_post_gets_no_link_and_is_not_waited_on() {
        let p = published(PrivacyLevel::SelfOnly, 5_000);
        assert!(!p.awaits_link(NOW) && !p.still_changing(NOW));
    }

    #[test]
    fn a_post_on_its_way_is_still_changing() {
        let mut p = published(PrivacyLevel::SelfOnly, 0);
        p.state = State::Uploading;
        p.published_at = None;
        assert!(p.still_changing(NOW));
    }
}
