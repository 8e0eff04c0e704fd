//! A post as the API shows it (`Post` in the README): the creator's fields plus where it is.

use crate::machine::{Mode, Post, PostError, Settings, State};
use letspost_core::time_fmt::rfc3339_utc;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub id: String,
    pub account: String,
    pub mode: Mode,
    /// caption, privacy_level (null for a draft), the interaction switches, disclosure, is_aigc, cover time.
    #[serde(flatten)]
    pub settings: Settings,
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
    /// When the draft reached the creator's TikTok inbox.
    pub sent_to_inbox_at: Option<String>,
    /// TikTok took the public post down or made it private (RFC 3339 UTC); null otherwise.
    #[serde(default)]
    pub no_longer_public_at: Option<String>,
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
        }
    }
}

/// `{"post": Post}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostBody {
    pub post: PostView,
}

/// `{"posts": [Post], "next_cursor"}`: `next_cursor` asks for the next page (`history`), null
/// on the last one and for a window or ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PostsBody {
    pub posts: Vec<PostView>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}
