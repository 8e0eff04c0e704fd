//! TikTok accounts the emulator knows, and the seeds every run starts with.

use crate::metrics::UserStatsOverrides;
use serde::{Deserialize, Serialize};
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::privacy::PrivacyLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    Personal,
    Creator,
    Business,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub open_id: String,
    pub union_id: String,
    pub username: String,
    pub nickname: String,
    pub avatar_url: String,
    pub kind: AccountKind,
    pub private: bool,
    #[serde(default)]
    pub comment_disabled: bool,
    #[serde(default)]
    pub duet_disabled: bool,
    #[serde(default)]
    pub stitch_disabled: bool,
    pub max_video_post_duration_sec: u32,
    /// Why this creator can't post now (a TikTok code such as `reached_active_user_cap`).
    #[serde(default)]
    pub cannot_post: Option<String>,
    /// This account's refresh-token lifetime, in place of `--refresh-ttl` (a test's account
    /// whose sign-in ends soon).
    #[serde(default)]
    pub refresh_ttl_secs: Option<u64>,
    /// `follower_count`, `following_count`, `likes_count`, `video_count` as a test set them;
    /// each one left out follows the account's videos (`metrics::account_stats`).
    #[serde(flatten)]
    pub stats: UserStatsOverrides,
}

impl Account {
    pub fn privacy_options(&self) -> Vec<PrivacyLevel> {
        if self.private { PrivacyLevel::PRIVATE_ACCOUNT_OPTIONS.to_vec() } else { PrivacyLevel::PUBLIC_ACCOUNT_OPTIONS.to_vec() }
    }

    pub fn creator_info(&self) -> CreatorInfo {
        CreatorInfo {
            creator_avatar_url: self.avatar_url.clone(),
            creator_username: self.username.clone(),
            creator_nickname: self.nickname.clone(),
            privacy_level_options: self.privacy_options(),
            comment_disabled: self.comment_disabled,
            duet_disabled: self.duet_disabled,
            stitch_disabled: self.stitch_disabled,
            max_video_post_duration_sec: self.max_video_post_duration_sec,
        }
    }
}

fn seed(open_id: &str, username: &str, nickname: &str, kind: AccountKind, private: bool) -> Account {
    Account {
        open_id: open_id.into(),
        union_id: format!("union-{open_id}"),
        username: username.into(),
        nickname: nickname.into(),
        avatar_url: format!("https://p16.tiktokcdn.example/avatar/{username}.jpeg"),
        kind,
        private,
        comment_disabled: false,
        duet_disabled: false,
        stitch_disabled: false,
        max_video_post_duration_sec: 600,
        cannot_post: None,
        refresh_ttl_secs: None,
        stats: UserStatsOverrides::default(),
    }
}

/// A public creator, a private personal account (Duet off), a business account, and a
/// creator who can't post now.
pub fn seeds() -> Vec<Account> {
    vec![
        seed("open-ana", "ana.creates", "Ana Creates", AccountKind::Creator, false),
        Account { duet_disabled: true, ..seed("open-pat", "private.pat", "Pat (private)", AccountKind::Personal, true) },
        seed("open-brand", "brandco", "BrandCo", AccountKind::Business, false),
        Account {
            cannot_post: Some(tiktok_rules::error::codes::REACHED_ACTIVE_USER_CAP.into()),
            ..seed("open-carl", "capped.carl", "Carl (capped)", AccountKind::Creator, false)
        },
    ]
}
