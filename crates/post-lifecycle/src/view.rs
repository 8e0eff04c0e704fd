//! A post as the API shows it (`Post` in the README): the creator's fields plus where it is.

use crate::machine::{Post, PostError, State};
use letspost_core::time_fmt::rfc3339_utc;
use serde::{Deserialize, Serialize};
use tiktok_rules::privacy::PrivacyLevel;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub id: String,
    pub account: String,
    pub caption: String,
    pub privacy_level: PrivacyLevel,
    pub disable_comment: bool,
    pub disable_duet: bool,
    pub disable_stitch: bool,
    pub brand_content_toggle: bool,
    pub brand_organic_toggle: bool,
    pub is_aigc: bool,
    pub video_cover_timestamp_ms: Option<u64>,
    /// RFC 3339 UTC, or null for "post now".
    pub publish_at: Option<String>,
    pub video_size: u64,
    pub state: State,
    pub publish_id: Option<String>,
    pub post_url: Option<String>,
    pub error: Option<PostError>,
    /// Bytes TikTok has taken.
    pub uploaded_bytes: u64,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
}

impl Post {
    pub fn view(&self) -> PostView {
        let s = &self.settings;
        PostView {
            id: self.id.clone(),
            account: self.account.clone(),
            caption: s.caption.clone(),
            privacy_level: s.privacy_level,
            disable_comment: s.disable_comment,
            disable_duet: s.disable_duet,
            disable_stitch: s.disable_stitch,
            brand_content_toggle: s.brand_content_toggle,
            brand_organic_toggle: s.brand_organic_toggle,
            is_aigc: s.is_aigc,
            video_cover_timestamp_ms: s.video_cover_timestamp_ms,
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
        }
    }
}

/// `{"post": Post}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostBody {
    pub post: PostView,
}

/// `{"posts": [Post]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PostsBody {
    pub posts: Vec<PostView>,
}
