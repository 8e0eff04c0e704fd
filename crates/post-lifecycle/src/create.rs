//! `POST /api/posts`: the request, checked field by field against TikTok's rules and the
//! creator's current options, before anything is staged.

use crate::machine::{Mode, Settings};
use letspost_core::time_fmt::parse_rfc3339_ms;
use serde::{Deserialize, Serialize};
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::media::MAX_SIZE_BYTES;
use tiktok_rules::privacy::PrivacyLevel;

/// How far ahead a post may be scheduled.
pub const MAX_AHEAD_MS: u64 = 30 * 86_400_000;
/// A `publish_at` this far in the past still counts as now (clocks and networks differ).
pub const PAST_GRACE_MS: u64 = 30_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePost {
    pub account: String,
    /// `direct` (the default) or `draft` (to the creator's TikTok inbox).
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub caption: String,
    /// Required for `direct`; ignored for a draft (the creator picks it in the app).
    #[serde(default)]
    pub privacy_level: String,
    #[serde(default)]
    pub disable_comment: bool,
    #[serde(default)]
    pub disable_duet: bool,
    #[serde(default)]
    pub disable_stitch: bool,
    #[serde(default)]
    pub brand_content_toggle: bool,
    #[serde(default)]
    pub brand_organic_toggle: bool,
    #[serde(default)]
    pub is_aigc: bool,
    #[serde(default)]
    pub video_cover_timestamp_ms: Option<u64>,
    /// RFC 3339, or null for "post now".
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub publish_at: Option<String>,
    /// "Add to queue": the Worker picks the account's next free slot (in place of `publish_at`).
    /// Left out of the JSON when false, so a keyed request's fingerprint is what it always was.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub queue: bool,
    pub video_size: u64,
}

/// A refused field: 422 `{"error": {"code", "message", "field"}}`.
/// `PATCH /api/posts/{id}`: the new time (checked as a create's `publish_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reschedule {
    /// RFC 3339, or null for now.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub publish_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, code, message: message.into() }
}

impl CreatePost {
    /// The settings and publish time, or the first field TikTok or LetsPost would refuse.
    /// With `queue`, the time is `None` here: the Worker asks the account for a slot next.
    pub fn check(&self, creator: &CreatorInfo, now_ms: u64) -> Result<(Settings, Option<u64>), FieldError> {
        if self.queue && self.publish_at.as_deref().is_some_and(|t| !t.is_empty()) {
            return Err(refuse("queue", "queue_and_time", "Pick a time or add the post to the queue, not both."));
        }
        tiktok_rules::caption::check(&self.caption).map_err(|e| refuse("caption", "caption_too_long", e.to_string()))?;
        if self.mode == Mode::Draft {
            // TikTok takes only the file; the caption is kept as the creator's note.
            check_video_size(self.video_size)?;
            return Ok((Settings::draft(self.caption.clone()), check_publish_at(self.publish_at.as_deref(), now_ms)?));
        }
        let privacy =
            PrivacyLevel::parse(&self.privacy_level).ok_or_else(|| refuse("privacy_level", "invalid_privacy_level", "Choose who can view this video."))?;
        if !creator.privacy_level_options.contains(&privacy) {
            return Err(refuse(
                "privacy_level",
                tiktok_rules::error::codes::PRIVACY_LEVEL_OPTION_MISMATCH,
                format!("'{}' is not available for this account. Pick another audience.", privacy.label()),
            ));
        }
        for (off_in_tiktok, chosen_off, field, what) in [
            (creator.comment_disabled, self.disable_comment, "disable_comment", "Comments"),
            (creator.duet_disabled, self.disable_duet, "disable_duet", "Duet"),
            (creator.stitch_disabled, self.disable_stitch, "disable_stitch", "Stitch"),
        ] {
            if off_in_tiktok && !chosen_off {
                return Err(refuse(field, "interaction_disabled", format!("{what} is turned off for this account in TikTok, so it stays off.")));
            }
        }
        let disclosed = self.brand_content_toggle || self.brand_organic_toggle;
        tiktok_rules::disclosure::check_toggles(disclosed, self.brand_organic_toggle, self.brand_content_toggle, privacy)
            .map_err(|e| refuse("brand_content_toggle", "disclosure", e.to_string()))?;
        check_video_size(self.video_size)?;
        let publish_at = check_publish_at(self.publish_at.as_deref(), now_ms)?;
        let settings = Settings {
            caption: self.caption.clone(),
            privacy_level: Some(privacy),
            disable_comment: self.disable_comment,
            disable_duet: self.disable_duet,
            disable_stitch: self.disable_stitch,
            brand_content_toggle: self.brand_content_toggle,
            brand_organic_toggle: self.brand_organic_toggle,
            is_aigc: self.is_aigc,
            video_cover_timestamp_ms: self.video_cover_timestamp_ms,
        };
        Ok((settings, publish_at))
    }
}

fn check_video_size(size: u64) -> Result<(), FieldError> {
    if size == 0 || size > MAX_SIZE_BYTES {
        return Err(refuse("video_size", "file_too_large", "TikTok takes videos up to 287.6 MB."));
    }
    Ok(())
}

/// `publish_at` (RFC 3339, or null/empty for now): not in the past, at most 30 days ahead.
pub fn check_publish_at(text: Option<&str>, now_ms: u64) -> Result<Option<u64>, FieldError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(None) };
    let at = parse_rfc3339_ms(text).ok_or_else(|| refuse("publish_at", "invalid_time", "The time must be a date and time like 2026-12-01T18:30:00Z."))?;
    if at + PAST_GRACE_MS < now_ms {
        return Err(refuse("publish_at", "time_in_past", "That time has already passed. Pick a time in the future, or post now."));
    }
    if at > now_ms + MAX_AHEAD_MS {
        return Err(refuse("publish_at", "time_too_far", "Posts can be scheduled up to 30 days ahead."));
    }
    Ok(Some(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creator(duet_off: bool) -> CreatorInfo {
        CreatorInfo {
            creator_avatar_url: String::new(),
            creator_username: "ana".into(),
            creator_nickname: "Ana".into(),
            privacy_level_options: PrivacyLevel::PUBLIC_ACCOUNT_OPTIONS.to_vec(),
            comment_disabled: false,
            duet_disabled: duet_off,
            stitch_disabled: false,
            max_video_post_duration_sec: 600,
        }
    }

    fn req() -> CreatePost {
        serde_json::from_value(serde_json::json!({
            "account": "open-ana", "caption": "hi", "privacy_level": "PUBLIC_TO_EVERYONE", "video_size": 10_000
        }))
        .unwrap()
    }

    const NOW: u64 = 1_800_000_000_000;

    #[test]
    fn a_plain_post_now_passes() {
        let (s, at) = req().check(&creator(false), NOW).unwrap();
        assert_eq!((s.caption.as_str(), s.privacy_level, at), ("hi", Some(PrivacyLevel::PublicToEveryone), None));
    }

    #[test]
    fn a_draft_needs_no_privacy_and_keeps_none_of_the_settings_tiktok_ignores() {
        let draft = CreatePost { mode: Mode::Draft, privacy_level: String::new(), disable_duet: false, brand_content_toggle: true, ..req() };
        // Duet off in TikTok, branded content without a privacy: fine for a draft, the app decides.
        let (s, _) = draft.check(&creator(true), NOW).unwrap();
        assert_eq!(s, Settings::draft("hi".into()));
        assert_eq!(field(CreatePost { caption: "x".repeat(2_201), ..draft.clone() }), "caption");
        assert_eq!(field(CreatePost { video_size: 0, ..draft.clone() }), "video_size");
        assert_eq!(field(CreatePost { publish_at: Some("2000-01-01T00:00:00Z".into()), ..draft }), "publish_at");
        let direct: CreatePost = serde_json::from_value(serde_json::json!({"account": "a", "video_size": 1})).unwrap();
        assert_eq!((direct.mode, field(direct)), (Mode::Direct, "privacy_level"), "mode defaults to direct, which needs privacy");
    }

    fn field(r: CreatePost) -> &'static str {
        r.check(&creator(false), NOW).unwrap_err().field
    }

    #[test]
    fn each_refusal_names_its_field() {
        let field = |r: CreatePost, c: CreatorInfo| r.check(&c, NOW).unwrap_err().field;
        assert_eq!(field(CreatePost { caption: "x".repeat(2_201), ..req() }, creator(false)), "caption");
        assert_eq!(field(CreatePost { privacy_level: "EVERYONE".into(), ..req() }, creator(false)), "privacy_level");
        assert_eq!(field(CreatePost { privacy_level: "FOLLOWER_OF_CREATOR".into(), ..req() }, creator(false)), "privacy_level");
        assert_eq!(field(req(), creator(true)), "disable_duet");
        assert!(CreatePost { disable_duet: true, ..req() }.check(&creator(true), NOW).is_ok());
        let branded_private = CreatePost { brand_content_toggle: true, privacy_level: "SELF_ONLY".into(), ..req() };
        assert_eq!(field(branded_private, creator(false)), "brand_content_toggle");
        assert_eq!(field(CreatePost { video_size: 287_600_001, ..req() }, creator(false)), "video_size");
        assert_eq!(field(CreatePost { video_size: 0, ..req() }, creator(false)), "video_size");
    }

    #[test]
    fn publish_at_is_not_past_and_at_most_30_days_ahead() {
        let at = |s: &str| CreatePost { publish_at: Some(s.into()), ..req() }.check(&creator(false), NOW);
        let fmt = letspost_core::time_fmt::rfc3339_utc;
        assert_eq!(at(&fmt(NOW + 60_000)).unwrap().1, Some(NOW + 60_000));
        assert_eq!(at(&fmt(NOW - 10_000)).unwrap().1, Some(NOW - 10_000), "a few seconds of skew is now");
        assert_eq!(at(&fmt(NOW - 120_000)).unwrap_err().code, "time_in_past");
        assert_eq!(at(&fmt(NOW + MAX_AHEAD_MS + 1_000)).unwrap_err().code, "time_too_far");
        assert_eq!(at("next tuesday").unwrap_err().code, "invalid_time");
    }

    #[test]
    fn queue_takes_the_place_of_a_time() {
        let queued: CreatePost = serde_json::from_value(serde_json::json!({
            "account": "a", "privacy_level": "SELF_ONLY", "video_size": 1, "queue": true
        }))
        .unwrap();
        assert!(queued.queue);
        assert_eq!(queued.check(&creator(false), NOW).unwrap().1, None);
        let both = CreatePost { publish_at: Some(letspost_core::time_fmt::rfc3339_utc(NOW + 60_000)), ..queued };
        assert_eq!(both.check(&creator(false), NOW).unwrap_err().field, "queue");
        // Unqueued requests serialize as before (a keyed request's fingerprint is unchanged).
        assert!(!serde_json::to_string(&req()).unwrap().contains("queue"));
    }
}
