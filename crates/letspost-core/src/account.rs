//! A connected TikTok account as the Account Durable Object keeps it, and the decisions about
//! its tokens: use, refresh (one at a time: refresh tokens rotate), or ask to reconnect.

use crate::api::{Account, AccountStatus};
use crate::time_fmt::rfc3339_utc;
use serde::{Deserialize, Serialize};
use tiktok_rules::error::{ErrorClass, TikTokError, codes};
use tiktok_rules::oauth::Tokens;

/// Who the account is, from `user/info` and `creator_info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Profile {
    pub open_id: String,
    pub display_name: String,
    pub username: String,
    pub avatar_url: String,
}

/// The stored record. Tokens are sealed (see `vault`); their lifetimes are kept in clear so the
/// status can be told without opening them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub profile: Profile,
    #[serde(default)]
    pub business_account: bool,
    /// `None` once TikTok refused the refresh token or the creator disconnected.
    pub sealed_tokens: Option<String>,
    pub access_expires_at_ms: u64,
    pub refresh_expires_at_ms: u64,
    /// Why TikTok took the access away (an `authorization.removed` webhook), for people.
    #[serde(default)]
    pub reconnect_reason: Option<String>,
    /// When this connection was made: TikTok's news about an earlier one (a late
    /// `authorization.removed`) must not undo a reconnection.
    #[serde(default)]
    pub connected_at_ms: u64,
}

impl Record {
    /// A fresh connection (or a reconnection: the profile is refreshed in place).
    pub fn connected(profile: Profile, tokens: &Tokens, sealed: String, now_ms: u64) -> Record {
        Record {
            profile,
            business_account: false,
            sealed_tokens: Some(sealed),
            access_expires_at_ms: tokens.access_expires_at_ms,
            refresh_expires_at_ms: tokens.refresh_expires_at_ms,
            reconnect_reason: None,
            connected_at_ms: now_ms,
        }
    }

    pub fn status(&self, now_ms: u64) -> AccountStatus {
        if self.sealed_tokens.is_some() && now_ms < self.refresh_expires_at_ms { AccountStatus::Connected } else { AccountStatus::ReconnectNeeded }
    }

    /// Tokens replaced after a refresh (TikTok's newest refresh token is the only live one).
    pub fn refreshed(&mut self, tokens: &Tokens, sealed: String) {
        self.sealed_tokens = Some(sealed);
        self.access_expires_at_ms = tokens.access_expires_at_ms;
        self.refresh_expires_at_ms = tokens.refresh_expires_at_ms;
    }

    /// Only a new connection helps now.
    pub fn needs_reconnect(&mut self) {
        self.sealed_tokens = None;
    }

    /// TikTok revoked the tokens itself at `at_ms` (the creator removed the app, the account
    /// went…): forget them and keep TikTok's reason as a sentence; false (nothing changes) when
    /// the removal is older than this connection.
    pub fn removed(&mut self, reason: u8, at_ms: u64) -> bool {
        // TikTok's create_time is in whole seconds: a removal within the connection's own
        // second is taken as about it.
        if at_ms + 1000 <= self.connected_at_ms {
            return false;
        }
        self.sealed_tokens = None;
        self.reconnect_reason = Some(tiktok_rules::webhook::removal_sentence(reason).to_string());
        true
    }

    pub fn view(&self, now_ms: u64) -> Account {
        Account {
            open_id: self.profile.open_id.clone(),
            display_name: self.profile.display_name.clone(),
            username: self.profile.username.clone(),
            avatar_url: self.profile.avatar_url.clone(),
            status: self.status(now_ms),
            refresh_expires_at: rfc3339_utc(self.refresh_expires_at_ms),
            business_account: self.business_account,
            reconnect_reason: self.reconnect_reason.clone().filter(|_| self.status(now_ms) == AccountStatus::ReconnectNeeded),
            // The Account object sets it: it knows the granted scopes and the deployment.
            analytics: crate::api::Analytics::Off,
        }
    }
}

/// From how long before its refresh token lapses an account is looked after ahead (a refresh,
/// in case TikTok extends a rotated token's life) and the creator is told to reconnect.
pub const LAPSE_NOTICE_MS: u64 = 14 * 86_400_000;
/// Between two such refreshes inside the notice window.
pub const UPKEEP_EVERY_MS: u64 = 86_400_000;

/// When the Account object's own alarm should next look after its tokens: at the start of the
/// notice window, then daily until the refresh token lapses; never without tokens or after.
pub fn upkeep_at(rec: &Record, now_ms: u64) -> Option<u64> {
    rec.sealed_tokens.as_ref()?;
    let lapse = rec.refresh_expires_at_ms;
    let notice = lapse.saturating_sub(LAPSE_NOTICE_MS);
    if now_ms < notice {
        Some(notice)
    } else if now_ms < lapse {
        Some((now_ms + UPKEEP_EVERY_MS).min(lapse))
    } else {
        None
    }
}

/// Whether the alarm should try a refresh now (inside the notice window, tokens held).
pub fn upkeep_refresh_due(rec: &Record, now_ms: u64) -> bool {
    rec.sealed_tokens.is_some() && now_ms + LAPSE_NOTICE_MS >= rec.refresh_expires_at_ms && now_ms < rec.refresh_expires_at_ms
}

/// Whether `/accounts` tells the creator to reconnect before the connection lapses.
pub fn lapse_notice(refresh_expires_at_ms: u64, now_ms: u64) -> bool {
    now_ms + LAPSE_NOTICE_MS >= refresh_expires_at_ms && now_ms < refresh_expires_at_ms
}

/// A post due at or after the connection lapses can't be published unless the creator reconnects.
pub fn lapses_before(refresh_expires_at_ms: u64, publish_at_ms: Option<u64>) -> bool {
    publish_at_ms.is_some_and(|at| at >= refresh_expires_at_ms)
}

/// What the composer and `/posts` say of such a post (pinned words); `date` as the page shows it.
pub fn reconnect_before_sentence(date: &str) -> String {
    format!("Reconnect TikTok before {date}, or this post can't be published.")
}

/// What to do before calling TikTok with the stored tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStep {
    Use,
    /// Within `REFRESH_MARGIN_MS` of expiry (or already expired).
    Refresh,
    Reconnect,
}

pub fn token_step(tokens: &Tokens, now_ms: u64) -> TokenStep {
    if tokens.must_reconnect(now_ms) {
        TokenStep::Reconnect
    } else if tokens.needs_refresh(now_ms) {
        TokenStep::Refresh
    } else {
        TokenStep::Use
    }
}

/// Whether a call failed because the access token is no good (refresh and try once more).
pub fn is_stale_access(e: &TikTokError) -> bool {
    e.code == codes::ACCESS_TOKEN_INVALID
}

/// TikTok refused a refresh: a dead refresh token means reconnecting; a transient fault
/// means trying later with the same (still stored) refresh token.
pub fn refresh_failure_needs_reconnect(e: &TikTokError) -> bool {
    e.class() == ErrorClass::Reconnect || e.code == codes::INVALID_GRANT
}

/// How long the last creator_info TikTok gave may stand in when TikTok is briefly unavailable.
/// The composer fetches it when it opens (TikTok's rule); creating the post asks again, and a
/// transient failure then should not lose the creator's post.
pub const CREATOR_INFO_REUSE_MS: u64 = 15 * 60_000;

/// Whether a creator_info fetched at `fetched_at_ms` may stand in for TikTok's answer now.
pub fn creator_info_reusable(fetched_at_ms: u64, now_ms: u64) -> bool {
    now_ms >= fetched_at_ms && now_ms - fetched_at_ms <= CREATOR_INFO_REUSE_MS
}

/// TikTok refused posting for this account type (a business account).
pub fn is_business_refusal(e: &TikTokError) -> bool {
    e.code == codes::UNSUPPORTED_ACCOUNT_TYPE
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiktok_rules::oauth::{REFRESH_MARGIN_MS, TokenResponse};

    #[test]
    fn a_recent_creator_info_stands_in_for_a_moment_not_for_ever() {
        assert!(creator_info_reusable(1_000, 1_000));
        assert!(creator_info_reusable(1_000, 1_000 + CREATOR_INFO_REUSE_MS));
        assert!(!creator_info_reusable(1_000, 1_001 + CREATOR_INFO_REUSE_MS));
        // A clock that went back is not trusted.
        assert!(!creator_info_reusable(2_000, 1_000));
    }

    fn tokens(now: u64) -> Tokens {
        Tokens::from_response(
            TokenResponse {
                open_id: "open-ana".into(),
                scope: "user.info.basic,video.upload,video.publish".into(),
                access_token: "act.1".into(),
                expires_in: 86_400,
                refresh_token: "rft.1".into(),
                refresh_expires_in: 31_536_000,
                token_type: "Bearer".into(),
            },
            now,
        )
    }

    fn profile() -> Profile {
        Profile { open_id: "open-ana".into(), display_name: "Ana".into(), username: "ana.creates".into(), avatar_url: String::new() }
    }

    #[test]
    fn token_steps_follow_the_lifetimes_tiktok_gave() {
        let t = tokens(0);
        assert_eq!(token_step(&t, 0), TokenStep::Use);
        assert_eq!(token_step(&t, 86_400_000 - REFRESH_MARGIN_MS - 1), TokenStep::Use);
        assert_eq!(token_step(&t, 86_400_000 - REFRESH_MARGIN_MS), TokenStep::Refresh);
        assert_eq!(token_step(&t, 86_400_000 + 1), TokenStep::Refresh);
        assert_eq!(token_step(&t, 31_536_000_000), TokenStep::Reconnect);
    }

    #[test]
    fn status_is_reconnect_needed_without_tokens_or_past_the_refresh_lifetime() {
        let t = tokens(1_000);
        let mut r = Record::connected(profile(), &t, "sealed".into(), 0);
        assert_eq!(r.status(2_000), AccountStatus::Connected);
        assert_eq!(r.status(t.refresh_expires_at_ms), AccountStatus::ReconnectNeeded);
        r.needs_reconnect();
        assert_eq!(r.status(2_000), AccountStatus::ReconnectNeeded);
        // Reconnecting the same open_id restores it in place.
        r.refreshed(&tokens(5_000), "sealed2".into());
        assert_eq!(r.status(6_000), AccountStatus::Connected);
        assert_eq!(r.view(6_000).refresh_expires_at, rfc3339_utc(5_000 + 31_536_000_000));
    }

    #[test]
    fn the_view_carries_no_token() {
        let r = Record::connected(profile(), &tokens(0), "SEALED-BLOB".into(), 0);
        let json = serde_json::to_string(&r.view(0)).unwrap();
        assert!(!json.contains("SEALED") && !json.contains("act.") && !json.contains("rft."), "{json}");
        assert!(json.contains("\"username\":\"ana.creates\""));
    }

    #[test]
    fn refresh_failures_are_told_apart() {
        assert!(refresh_failure_needs_reconnect(&TikTokError::new(400, codes::INVALID_GRANT, "expired")));
        assert!(!refresh_failure_needs_reconnect(&TikTokError::new(503, codes::INTERNAL_ERROR, "down")));
        assert!(!refresh_failure_needs_reconnect(&TikTokError::network("reset")));
        assert!(is_stale_access(&TikTokError::new(401, codes::ACCESS_TOKEN_INVALID, "x")));
        assert!(is_business_refusal(&TikTokError::new(403, codes::UNSUPPORTED_ACCOUNT_TYPE, "x")));
    }
    #[test]
    fn a_removal_by_tiktok_says_why_and_never_undoes_a_newer_connection() {
        let t = tokens(0);
        let mut r = Record::connected(profile(), &t, "sealed".into(), 50_000);
        assert!(!r.removed(1, 40_000), "about the connection before this one");
        assert_eq!(r.status(1), AccountStatus::Connected);
        assert!(r.removed(4, 50_000), "the same second: about this one");
        let v = r.view(1);
        assert_eq!(v.status, AccountStatus::ReconnectNeeded);
        assert_eq!(v.reconnect_reason.as_deref(), Some(tiktok_rules::webhook::removal_sentence(4)));
        let again = Record::connected(profile(), &t, "sealed".into(), 60_000);
        assert_eq!(again.view(1).reconnect_reason, None, "a reconnection clears it");
    }
}

#[cfg(test)]
mod upkeep_tests {
    use super::*;

    const DAY: u64 = 86_400_000;

    fn rec(lapse: u64, tokens: bool) -> Record {
        Record {
            profile: Profile::default(),
            business_account: false,
            sealed_tokens: tokens.then(|| "sealed".into()),
            access_expires_at_ms: 0,
            refresh_expires_at_ms: lapse,
            reconnect_reason: None,
            connected_at_ms: 0,
        }
    }

    #[test]
    fn upkeep_wakes_at_the_notice_then_daily_until_the_lapse() {
        let lapse = 180 * DAY;
        let r = rec(lapse, true);
        assert_eq!(upkeep_at(&r, 0), Some(lapse - LAPSE_NOTICE_MS));
        assert!(!upkeep_refresh_due(&r, 0));
        let inside = lapse - 3 * DAY;
        assert_eq!(upkeep_at(&r, inside), Some(inside + DAY));
        assert!(upkeep_refresh_due(&r, inside));
        assert_eq!(upkeep_at(&r, lapse - DAY / 2), Some(lapse), "the last wake is the lapse itself");
        assert_eq!(upkeep_at(&r, lapse), None);
        assert_eq!(upkeep_at(&rec(lapse, false), 0), None, "nothing to keep without tokens");
        // The whole window costs at most one refresh a day.
        let (mut now, mut wakes) = (0, 0);
        while let Some(t) = upkeep_at(&r, now) {
            now = t;
            wakes += 1;
        }
        assert_eq!(wakes, 15);
    }

    #[test]
    fn the_creator_is_told_from_fourteen_days_before() {
        let lapse = 100 * DAY;
        assert!(!lapse_notice(lapse, lapse - LAPSE_NOTICE_MS - 1));
        assert!(lapse_notice(lapse, lapse - LAPSE_NOTICE_MS));
        assert!(!lapse_notice(lapse, lapse), "lapsed: that is Reconnect needed");
        assert!(lapses_before(lapse, Some(lapse)) && !lapses_before(lapse, Some(lapse - 1)) && !lapses_before(lapse, None));
        assert_eq!(reconnect_before_sentence("12 May 2027"), "Reconnect TikTok before 12 May 2027, or this post can't be published.");
    }
}
