//! Who can see a post, and what viewers may do with it.

use serde::{Deserialize, Serialize};

/// TikTok's `privacy_level` values. Which ones a creator may use comes from creator_info's
/// `privacy_level_options` (public accounts: everyone / friends / only me; private accounts:
/// followers / friends / only me).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivacyLevel {
    PublicToEveryone,
    FollowerOfCreator,
    MutualFollowFriends,
    SelfOnly,
}

impl PrivacyLevel {
    pub const ALL: [PrivacyLevel; 4] =
        [PrivacyLevel::PublicToEveryone, PrivacyLevel::FollowerOfCreator, PrivacyLevel::MutualFollowFriends, PrivacyLevel::SelfOnly];

    /// Options of a public account, in the order TikTok lists them.
    pub const PUBLIC_ACCOUNT_OPTIONS: [PrivacyLevel; 3] = [PrivacyLevel::PublicToEveryone, PrivacyLevel::MutualFollowFriends, PrivacyLevel::SelfOnly];

    /// Options of a private account.
    pub const PRIVATE_ACCOUNT_OPTIONS: [PrivacyLevel; 3] = [PrivacyLevel::FollowerOfCreator, PrivacyLevel::MutualFollowFriends, PrivacyLevel::SelfOnly];

    /// The wire value, e.g. `PUBLIC_TO_EVERYONE`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyLevel::PublicToEveryone => "PUBLIC_TO_EVERYONE",
            PrivacyLevel::FollowerOfCreator => "FOLLOWER_OF_CREATOR",
            PrivacyLevel::MutualFollowFriends => "MUTUAL_FOLLOW_FRIENDS",
            PrivacyLevel::SelfOnly => "SELF_ONLY",
        }
    }

    pub fn parse(s: &str) -> Option<PrivacyLevel> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// What a creator sees in the picker.
    pub fn label(self) -> &'static str {
        match self {
            PrivacyLevel::PublicToEveryone => "Public",
            PrivacyLevel::FollowerOfCreator => "Followers only",
            PrivacyLevel::MutualFollowFriends => "Friends only",
            PrivacyLevel::SelfOnly => "Only me",
        }
    }

    /// LetsPost's product default (TikTok asks for none; this is a setting, see
    /// [`default_choice`]).
    pub const PRODUCT_DEFAULT: PrivacyLevel = PrivacyLevel::PublicToEveryone;

    /// The level the composer preselects: the preferred one when the creator may use it,
    /// else none (the creator must pick; TikTok's audit forbids guessing).
    pub fn default_choice(preferred: PrivacyLevel, options: &[PrivacyLevel]) -> Option<PrivacyLevel> {
        options.contains(&preferred).then_some(preferred)
    }
}

impl std::fmt::Display for PrivacyLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The three interaction switches, as TikTok names them (`true` = viewers may NOT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Interactions {
    pub disable_comment: bool,
    pub disable_duet: bool,
    pub disable_stitch: bool,
}

impl Interactions {
    /// A feature the creator has turned off account-wide stays off whatever the composer says:
    /// TikTok's audit requires those switches greyed out.
    pub fn constrained_by(self, creator_comment_off: bool, creator_duet_off: bool, creator_stitch_off: bool) -> Interactions {
        Interactions {
            disable_comment: self.disable_comment || creator_comment_off,
            disable_duet: self.disable_duet || creator_duet_off,
            disable_stitch: self.disable_stitch || creator_stitch_off,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_parse() {
        for p in PrivacyLevel::ALL {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<PrivacyLevel>(&json).unwrap(), p);
            assert_eq!(PrivacyLevel::parse(p.as_str()), Some(p));
        }
        assert_eq!(PrivacyLevel::parse("PUBLIC"), None);
    }

    #[test]
    fn public_is_preselected_only_where_allowed() {
        let public = PrivacyLevel::PRODUCT_DEFAULT;
        assert_eq!(PrivacyLevel::default_choice(public, &PrivacyLevel::PUBLIC_ACCOUNT_OPTIONS), Some(public));
        assert_eq!(PrivacyLevel::default_choice(public, &PrivacyLevel::PRIVATE_ACCOUNT_OPTIONS), None);
    }

    #[test]
    fn creator_settings_win_over_composer_switches() {
        let on = Interactions::default();
        let got = on.constrained_by(false, true, false);
        assert_eq!(got, Interactions { disable_comment: false, disable_duet: true, disable_stitch: false });
    }
}
