//! Counts that grow as a TikTok post's do, and an account's follower numbers: pure functions
//! of the emulator's `--seed`, the post (or account) and the time, so two runs with one seed
//! agree, and a test can wait for growth without anything stored. A test that needs exact
//! numbers sets them (`PATCH /__emulator/videos/{post_id}`, `PATCH /__emulator/accounts/…`).

use serde::{Deserialize, Serialize};
use tiktok_rules::display::{INT32_COUNT_MAX, UserStats};

const HOUR_MS: f64 = 3_600_000.0;

/// A video's four counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub views: u64,
    pub likes: u64,
    pub comments: u64,
    pub shares: u64,
}

/// Counts a test set by hand; a set one stays as set (it no longer grows), `null` hands it
/// back to the curve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub like_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_count: Option<u64>,
}

impl CountOverrides {
    pub fn apply(&self, c: Counts) -> Counts {
        Counts {
            views: self.view_count.unwrap_or(c.views),
            likes: self.like_count.unwrap_or(c.likes),
            comments: self.comment_count.unwrap_or(c.comments),
            shares: self.share_count.unwrap_or(c.shares),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == CountOverrides::default()
    }
}

/// splitmix64: a fixed, well-mixed step (std's hashers are seeded per process).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a, for an open_id.
fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A stream of numbers in [0, 1) from (seed, key).
struct Draws(u64);

impl Draws {
    fn new(seed: u64, key: u64) -> Draws {
        Draws(mix(seed ^ mix(key)))
    }

    fn unit(&mut self) -> f64 {
        self.0 = mix(self.0);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A post's counts `age_ms` after it went out. Views follow a saturating curve,
/// `reach · (1 − e^(−t/τ))`: most arrive in the first day or two, as For You traffic does,
/// then the count levels off. Per post, from the seed: reach 300 to 3,000,000 (log-uniform:
/// most posts are small, a few go far), τ 4 to 48 hours; likes 4–12 % of views, comments
/// 1–6 % and shares 2–10 % of likes. Never decreasing in `age_ms`; likes, comments and
/// shares stay within TikTok's int32.
pub fn grown(seed: u64, post_id: u64, age_ms: u64) -> Counts {
    let mut d = Draws::new(seed, post_id);
    let reach = 300.0 * 10f64.powf(4.0 * d.unit());
    let tau_hours = 4.0 + 44.0 * d.unit();
    let (like_rate, comment_rate, share_rate) = (0.04 + 0.08 * d.unit(), 0.01 + 0.05 * d.unit(), 0.02 + 0.08 * d.unit());
    let hours = age_ms as f64 / HOUR_MS;
    let views = (reach * (1.0 - (-hours / tau_hours).exp())).floor() as u64;
    let part = |of: u64, rate: f64| ((of as f64 * rate).floor() as u64).min(INT32_COUNT_MAX);
    let likes = part(views, like_rate);
    Counts { views, likes, comments: part(likes, comment_rate), shares: part(likes, share_rate) }
}

/// An account's numbers given its public videos' counts: a following and a base audience
/// from the seed and the open_id, plus a follower for every 40 views its videos drew;
/// `likes_count` counts the likes its videos received on top of a base. `set` (the account's
/// hook fields) wins field by field.
pub fn account_stats(seed: u64, open_id: &str, videos: &[Counts], set: &UserStatsOverrides) -> UserStats {
    let mut d = Draws::new(seed, hash_str(open_id));
    let base_followers = 50 + (d.unit() * 5_000.0) as u64;
    let following = 10 + (d.unit() * 500.0) as u64;
    let views: u64 = videos.iter().map(|c| c.views).fold(0, u64::saturating_add);
    let likes: u64 = videos.iter().map(|c| c.likes).fold(0, u64::saturating_add);
    UserStats {
        follower_count: set.follower_count.unwrap_or(base_followers.saturating_add(views / 40)),
        following_count: set.following_count.unwrap_or(following),
        likes_count: set.likes_count.unwrap_or((base_followers * 2).saturating_add(likes)),
        video_count: set.video_count.unwrap_or(videos.len() as u64),
    }
}

/// The counts a test set on an account (fields of `PATCH /__emulator/accounts/{open_id}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatsOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follower_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_count: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST: u64 = 7_300_000_000_000_000_001;
    const HOUR: u64 = 3_600_000;

    #[test]
    fn the_same_seed_and_post_give_the_same_counts() {
        assert_eq!(grown(1, POST, 30 * HOUR), grown(1, POST, 30 * HOUR));
        assert_ne!(grown(1, POST, 30 * HOUR), grown(2, POST, 30 * HOUR), "another seed, another curve");
        assert_ne!(grown(1, POST, 30 * HOUR), grown(1, POST + 1, 30 * HOUR), "another post, another curve");
    }

    #[test]
    fn counts_start_at_zero_never_fall_and_level_off() {
        for post in POST..POST + 50 {
            assert_eq!(grown(7, post, 0), Counts::default());
            let mut last = Counts::default();
            for minutes in (0..60 * 24 * 40).step_by(37) {
                let c = grown(7, post, minutes * 60_000);
                assert!(c.views >= last.views && c.likes >= last.likes && c.comments >= last.comments && c.shares >= last.shares, "{post} at {minutes} min");
                assert!(c.likes <= c.views && c.comments <= c.likes && c.shares <= c.likes);
                last = c;
            }
            // Saturating: after 10 days a month adds under 1 % (τ ≤ 48 h).
            let (ten_days, forty_days) = (grown(7, post, 240 * HOUR).views, grown(7, post, 960 * HOUR).views);
            assert!(forty_days - ten_days <= forty_days / 100 + 1, "{post}: {ten_days} → {forty_days}");
            assert!((300..=3_000_000).contains(&forty_days) || forty_days == 299, "{post}: reach {forty_days}");
        }
    }

    #[test]
    fn the_first_day_brings_most_views() {
        let (day, month) = (grown(3, POST, 24 * HOUR).views, grown(3, POST, 720 * HOUR).views);
        assert!(day * 10 >= month * 3, "τ ≤ 48 h: a day brings at least 39 %: {day} of {month}");
    }

    #[test]
    fn set_counts_win_and_null_gives_the_curve_back() {
        let curve = grown(1, POST, 5 * HOUR);
        let set = CountOverrides { view_count: Some(123), share_count: Some(4), ..CountOverrides::default() };
        assert_eq!(set.apply(curve), Counts { views: 123, shares: 4, ..curve });
        assert_eq!(CountOverrides::default().apply(curve), curve);
        assert!(CountOverrides::default().is_empty());
    }

    #[test]
    fn followers_grow_with_views_and_set_fields_win() {
        let none = UserStatsOverrides::default();
        let quiet = account_stats(1, "open-ana", &[], &none);
        assert_eq!(quiet, account_stats(1, "open-ana", &[], &none));
        assert_eq!(quiet.video_count, 0);
        let videos = [Counts { views: 4_000, likes: 300, comments: 0, shares: 0 }, Counts { views: 40, likes: 2, comments: 0, shares: 0 }];
        let busy = account_stats(1, "open-ana", &videos, &none);
        assert_eq!(busy.follower_count, quiet.follower_count + 101);
        assert_eq!(busy.likes_count, quiet.likes_count + 302);
        assert_eq!((busy.video_count, busy.following_count), (2, quiet.following_count));
        let set = UserStatsOverrides { follower_count: Some(1_000_000), ..none };
        assert_eq!(account_stats(1, "open-ana", &videos, &set).follower_count, 1_000_000);
    }
}
