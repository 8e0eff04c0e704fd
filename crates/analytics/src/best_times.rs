//! `GET /api/accounts/{open_id}/best-times`: the weekly hours whose posts did best, from the
//! creator's own posts only (not other accounts', as some schedulers do).
//!
//! The method, and why:
//! 1. Each post counts with its first-day views ([`crate::first_day`]): what an hour of
//!    posting bought before the long tail.
//! 2. A post is compared with the account *as it was then*: its views over the median of the
//!    21 posts nearest in time (it and 10 either side), as a percentage. An account that grew
//!    tenfold over the year would otherwise crown the hours it happens to post at lately.
//! 3. Posts fall into weekly slots by their local day and hour in the account's time zone
//!    (09:59 is the 09:00 slot; DST keeps 09:00 local at 09:00).
//! 4. A slot needs [`MIN_POSTS_PER_SLOT`] posts, and its score is the *lower* median of their
//!    percentages: with two posts, the weaker one. One viral post cannot make its hour
//!    "best"; a slot is best when posting there did well more than once.
//! 5. Slots scoring above 100 (better than the account's typical post then) are the answer,
//!    best first, at most [`MAX_SLOTS`]. Nothing until [`MIN_POSTS`] posts back it.
//!
//! Integers throughout (scores are whole percentages): no float formatting in the wasm.

use crate::zone;
use jiff::tz::TimeZone;
use posting_schedule::Day;
use serde::{Deserialize, Serialize};

/// No answer from fewer posts (with a first-day reading) than this.
pub const MIN_POSTS: usize = 10;
/// A slot is scored from at least this many posts.
pub const MIN_POSTS_PER_SLOT: usize = 2;
/// The most slots in an answer.
pub const MAX_SLOTS: usize = 5;
/// Posts either side in a post's baseline.
pub const NEIGHBOURS: usize = 10;
/// Only the newest this many posts are scored: a creator's recent habits, bounded work.
pub const MAX_POSTS: usize = 1_000;

/// A post's outcome: when it went out, and its first-day views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostResult {
    pub published_at_ms: u64,
    pub first_day_views: u64,
}

/// The answer: `{"time_zone", "slots": [{"day", "time", "score", "posts"}], "based_on",
/// "message"}`; `message` says why `slots` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BestTimesBody {
    pub time_zone: String,
    pub slots: Vec<BestSlot>,
    /// Posts scored.
    pub based_on: usize,
    #[serde(default)]
    pub message: Option<String>,
}

/// A weekly hour: `day` as the schedule spells it (`mon`…), `time` `HH:00` local, `score` the
/// percentage of the account's typical post (180: 1.8 times as many views), `posts` how many
/// posts went out in that hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BestSlot {
    pub day: String,
    pub time: String,
    pub score: u32,
    pub posts: usize,
}

/// The best weekly hours of an account in `time_zone` (an IANA name; unknown reads as UTC).
pub fn best_times(time_zone: &str, posts: &[PostResult]) -> BestTimesBody {
    let tz = zone::by_name(time_zone);
    let mut posts: Vec<PostResult> = posts.to_vec();
    posts.sort_by_key(|p| p.published_at_ms);
    let posts = &posts[posts.len().saturating_sub(MAX_POSTS)..];
    let answer = |slots: Vec<BestSlot>, message: Option<String>| BestTimesBody { time_zone: zone::name_of(&tz), slots, based_on: posts.len(), message };
    if posts.len() < MIN_POSTS {
        let n = posts.len();
        return answer(Vec::new(), Some(format!("Best times appear once {MIN_POSTS} of your posts have had a day of views; {n} so far.")));
    }
    let mut slots: Vec<(Day, u8, Vec<u64>)> = Vec::new();
    for (post, pct) in posts.iter().zip(relative_to_then(posts)) {
        let Some((day, hour)) = weekly_hour(&tz, post.published_at_ms) else { continue };
        match slots.iter_mut().find(|(d, h, _)| (*d, *h) == (day, hour)) {
            Some((_, _, pcts)) => pcts.push(pct),
            None => slots.push((day, hour, vec![pct])),
        }
    }
    let shared = slots.iter().any(|(_, _, pcts)| pcts.len() >= MIN_POSTS_PER_SLOT);
    let mut best: Vec<BestSlot> = slots
        .into_iter()
        .filter(|(_, _, pcts)| pcts.len() >= MIN_POSTS_PER_SLOT)
        .map(|(day, hour, mut pcts)| (day, hour, u32::try_from(lower_median(&mut pcts)).unwrap_or(u32::MAX), pcts.len()))
        .filter(|(_, _, score, _)| *score > 100)
        .map(|(day, hour, score, posts)| BestSlot { day: day.as_str().to_string(), time: format!("{hour:02}:00"), score, posts })
        .collect();
    // Best first; then more posts; then the week's order.
    best.sort_by(|a, b| b.score.cmp(&a.score).then(b.posts.cmp(&a.posts)).then(week_order(a).cmp(&week_order(b))));
    best.truncate(MAX_SLOTS);
    let message = match (best.is_empty(), shared) {
        (false, _) => None,
        (true, false) => Some(format!("No hour of the week has {MIN_POSTS_PER_SLOT} of your posts yet: post at the same hour again to compare hours.")),
        (true, true) => Some("No hour stands out yet: your posts did about as well whenever they went out.".to_string()),
    };
    answer(best, message)
}

fn week_order(s: &BestSlot) -> (usize, String) {
    (Day::ALL.iter().position(|d| d.as_str() == s.day).unwrap_or(7), s.time.clone())
}

/// Each post's first-day views as a percentage of the median of the posts nearest in time
/// (a window of `2 × NEIGHBOURS + 1`, shifted at the ends). `posts` in time order.
fn relative_to_then(posts: &[PostResult]) -> Vec<u64> {
    let n = posts.len();
    let width = n.min(2 * NEIGHBOURS + 1);
    (0..n)
        .map(|i| {
            let start = i.saturating_sub(NEIGHBOURS).min(n - width);
            let mut window: Vec<u64> = posts[start..start + width].iter().map(|p| p.first_day_views).collect();
            let typical = lower_median(&mut window).max(1);
            let pct = u128::from(posts[i].first_day_views) * 100 / u128::from(typical);
            u64::try_from(pct).unwrap_or(u64::MAX)
        })
        .collect()
}

/// The middle value; of an even count the lower middle one (robust to one high outlier in
/// two). `values` is non-empty.
fn lower_median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[(values.len() - 1) / 2]
}

/// The local day and hour of an instant.
fn weekly_hour(tz: &TimeZone, ms: u64) -> Option<(Day, u8)> {
    let local = zone::local(tz, ms)?;
    Some((Day::ALL[local.weekday().to_monday_zero_offset() as usize], local.hour() as u8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DAY_MS, HOUR_MS};

    /// Monday 2027-01-04 00:00 UTC.
    const MON: u64 = 1_799_020_800_000;
    const WEEK: u64 = 7 * DAY_MS;

    fn post(at: u64, views: u64) -> PostResult {
        PostResult { published_at_ms: at, first_day_views: views }
    }

    /// `weeks` weeks of posts at (day offset, hour, views) each week, from `from`.
    fn weekly(from: u64, weeks: u64, pattern: &[(u64, u64, u64)]) -> Vec<PostResult> {
        (0..weeks).flat_map(|w| pattern.iter().map(move |(d, h, v)| post(from + w * WEEK + d * DAY_MS + h * HOUR_MS, *v))).collect()
    }

    fn slots(body: &BestTimesBody) -> Vec<(&str, &str, u32)> {
        body.slots.iter().map(|s| (s.day.as_str(), s.time.as_str(), s.score)).collect()
    }

    #[test]
    fn the_epoch_constant_is_a_monday() {
        assert_eq!(weekly_hour(&TimeZone::UTC, MON), Some((Day::Mon, 0)));
    }

    #[test]
    fn fewer_than_ten_posts_give_no_slots_and_say_so() {
        let body = best_times("Europe/Berlin", &weekly(MON, 3, &[(0, 9, 100), (2, 18, 500), (4, 12, 100)])[..9]);
        assert!(body.slots.is_empty());
        assert_eq!((body.based_on, body.time_zone.as_str()), (9, "Europe/Berlin"));
        assert!(body.message.unwrap().contains("9 so far"));
        assert_eq!(best_times("UTC", &[]).based_on, 0);
    }

    #[test]
    fn the_hour_that_did_well_every_week_wins() {
        // Mondays 09:00 do 100, Wednesdays 18:00 do 300, Fridays 12:00 do 100; 4 weeks.
        let posts = weekly(MON, 4, &[(0, 9, 100), (2, 18, 300), (4, 12, 100)]);
        let body = best_times("UTC", &posts);
        assert_eq!(slots(&body), [("wed", "18:00", 300)]);
        assert_eq!((body.slots[0].posts, body.based_on, body.message.as_deref()), (4, 12, None));
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["slots"][0], serde_json::json!({"day": "wed", "time": "18:00", "score": 300, "posts": 4}));
    }

    #[test]
    fn one_viral_post_does_not_make_its_hour_best() {
        // Tuesday 07:00 had one hit of 100,000 and one flop; Thursday 20:00 did 200 twice.
        let mut posts = weekly(MON, 6, &[(0, 9, 100), (4, 12, 100)]);
        posts.extend([post(MON + DAY_MS + 7 * HOUR_MS, 100_000), post(MON + WEEK + DAY_MS + 7 * HOUR_MS, 50)]);
        posts.extend([post(MON + 3 * DAY_MS + 20 * HOUR_MS, 200), post(MON + 2 * WEEK + 3 * DAY_MS + 20 * HOUR_MS, 200)]);
        assert_eq!(slots(&best_times("UTC", &posts)), [("thu", "20:00", 200)]);
    }

    #[test]
    fn a_growing_account_is_judged_against_itself_at_the_time() {
        // Views grow tenfold over 20 weeks; Saturdays 10:00 always do twice the week's other
        // post. Raw views would favour whatever hour came last; relative ones find Saturday.
        let posts: Vec<PostResult> = (0..20u64)
            .flat_map(|w| {
                let base = 100 + w * 50;
                [post(MON + w * WEEK + 9 * HOUR_MS, base), post(MON + w * WEEK + 5 * DAY_MS + 10 * HOUR_MS, 2 * base)]
            })
            .collect();
        let body = best_times("UTC", &posts);
        assert_eq!(body.slots[0].day, "sat");
        assert_eq!(body.slots[0].time, "10:00");
        // Twice the week's other post sits about 1.45 times over the median of a mixed window.
        assert!(body.slots[0].score > 130, "{body:?}");
        assert_eq!(body.slots.len(), 1, "Mondays are below typical: {body:?}");
    }

    #[test]
    fn all_equal_or_all_zero_views_name_no_hour() {
        for views in [0, 777] {
            let body = best_times("UTC", &weekly(MON, 5, &[(0, 9, views), (3, 15, views)]));
            assert!(body.slots.is_empty(), "{views}");
            assert!(body.message.unwrap().contains("No hour stands out"));
        }
        // Ten posts at ten different hours: nothing to compare.
        let spread: Vec<PostResult> = (0..10).map(|i| post(MON + i * 25 * HOUR_MS, 100 + i)).collect();
        assert!(best_times("UTC", &spread).message.unwrap().contains("No hour of the week has 2"));
    }

    #[test]
    fn local_hours_hold_across_daylight_saving() {
        // Berlin moves to CEST on Sunday 2027-03-28. Tuesdays 09:00 local, before (08:00 UTC)
        // and after (07:00 UTC), are one slot; so are Thursdays 19:00.
        let tue_before = 1_805_184_000_000; // 2027-03-16T08:00:00Z, Tuesday 09:00 CET
        let mut posts = Vec::new();
        for w in 0..4u64 {
            let shift = if w >= 2 { HOUR_MS } else { 0 };
            posts.push(post(tue_before + w * WEEK - shift, 500));
            posts.push(post(tue_before + w * WEEK - shift + 2 * DAY_MS + 10 * HOUR_MS, 100));
            posts.push(post(tue_before + w * WEEK - shift + 4 * DAY_MS + 3 * HOUR_MS, 100));
        }
        let body = best_times("Europe/Berlin", &posts);
        assert_eq!(slots(&body), [("tue", "09:00", 500)]);
        assert_eq!(body.slots[0].posts, 4);
        // Read in UTC, the same posts split over two hours.
        assert_eq!(best_times("UTC", &posts).slots.iter().filter(|s| s.day == "tue").count(), 2);
    }

    #[test]
    fn huge_counts_and_unknown_zones_are_safe() {
        let posts = weekly(MON, 5, &[(0, 9, i64::MAX as u64), (2, 9, 0), (4, 9, 0)]);
        let body = best_times("Mars/Olympus", &posts);
        assert_eq!(body.time_zone, "UTC");
        assert_eq!(slots(&body), [("mon", "09:00", u32::MAX)]);
    }

    #[test]
    fn at_most_five_slots_best_first() {
        let pattern: Vec<(u64, u64, u64)> = (0..7).map(|d| (d, 12, 100 + d * 100)).chain((0..7).map(|d| (d, 3, 10))).collect();
        let body = best_times("UTC", &weekly(MON, 3, &pattern));
        assert_eq!(body.slots.len(), MAX_SLOTS);
        assert_eq!(body.slots[0].day, "sun");
        assert!(body.slots.windows(2).all(|w| w[0].score >= w[1].score));
    }
}
