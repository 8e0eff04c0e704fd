//! What one account may hold at once: waiting posts and staged bytes. Each post tells its
//! account's object what it counts (`Usage`) whenever that changes, as it tells the time it
//! holds; a create reserves its share first, in the same request that checks the caps, so two
//! creates at once can't both take the last room. A reservation its post never confirms (the
//! create was refused, or its isolate died) stops counting after `RESERVATION_MS`.

use crate::create::FieldError;
use crate::machine::{Post, State};
use serde::{Deserialize, Serialize};
use tiktok_rules::api::DAILY_POST_CAP;
use tiktok_rules::media::MAX_SIZE_BYTES;

/// Posts waiting (not yet at TikTok) per account: TikTok takes 15 a day per creator and
/// LetsPost schedules 30 days ahead, so a creator with every day full has 15 × 31 = 465.
pub const MAX_WAITING_POSTS: usize = 500;
const _: () = assert!(MAX_WAITING_POSTS as u64 > DAILY_POST_CAP as u64 * 31);
/// Bytes staged in R2 per account (declared by waiting posts, or kept after publishing for a
/// retry): a full month of the daily cap at 215 MB a video, when most TikTok videos are tens
/// of MB; 100 GB is $1.50 a month of R2 at most per account.
pub const MAX_STAGED_BYTES: u64 = 100_000_000_000;
const _: () = assert!(MAX_STAGED_BYTES > 300 * MAX_SIZE_BYTES);
/// A reservation whose post has not written within this long no longer counts: far longer
/// than a create takes, and no room is lost for good.
pub const RESERVATION_MS: u64 = 120_000;

/// What one post counts against its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub waiting: bool,
    pub bytes: u64,
    /// Set while only the create's reservation holds it.
    #[serde(default)]
    pub reserved_at_ms: Option<u64>,
}

impl Usage {
    /// A create's share, reserved before its post exists.
    pub fn reserved(bytes: u64, now_ms: u64) -> Usage {
        Usage { waiting: true, bytes, reserved_at_ms: Some(now_ms) }
    }

    pub fn counts(&self, now_ms: u64) -> bool {
        self.reserved_at_ms.is_none_or(|r| now_ms < r.saturating_add(RESERVATION_MS))
    }
}

impl Post {
    /// What this post counts now; `None` once it counts nothing (its entry goes).
    pub fn usage(&self) -> Option<Usage> {
        let waiting = self.state.holds_its_time();
        let bytes = if self.state == State::AwaitingMedia || self.media_staged || self.staging_left { self.video_size } else { 0 };
        (waiting || bytes > 0).then_some(Usage { waiting, bytes, reserved_at_ms: None })
    }
}

/// Is there room for `new` beside `others` (every other post's usage, any order)?
pub fn check_room<'a>(others: impl IntoIterator<Item = &'a Usage>, new: &Usage, now_ms: u64) -> Result<(), FieldError> {
    let (mut waiting, mut bytes) = (0usize, 0u64);
    for u in others.into_iter().filter(|u| u.counts(now_ms)) {
        waiting += usize::from(u.waiting);
        bytes = bytes.saturating_add(u.bytes);
    }
    if new.waiting && waiting >= MAX_WAITING_POSTS {
        let message = format!(
            "This account already has {MAX_WAITING_POSTS} posts waiting, the most LetsPost keeps for one account. Wait until some are published, or cancel some."
        );
        return Err(FieldError { field: "account", code: "too_many_waiting_posts", message });
    }
    if bytes.saturating_add(new.bytes) > MAX_STAGED_BYTES {
        let message = format!(
            "This account's videos already take {} GB of the {} GB LetsPost keeps for one account, and this one needs {} GB more. Wait until some are published, or cancel some.",
            gb(bytes),
            gb(MAX_STAGED_BYTES),
            gb(new.bytes)
        );
        return Err(FieldError { field: "video_size", code: "staged_bytes_limit", message });
    }
    Ok(())
}

/// Decimal GB to a tenth, as people read them.
fn gb(bytes: u64) -> String {
    tiktok_rules::fmt::tenths(bytes / 100_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{Event, Settings};

    fn confirmed(waiting: bool, bytes: u64) -> Usage {
        Usage { waiting, bytes, reserved_at_ms: None }
    }

    #[test]
    fn the_waiting_posts_cap_names_itself() {
        let full = vec![confirmed(true, 1); MAX_WAITING_POSTS];
        let e = check_room(&full, &Usage::reserved(1, 0), 0).unwrap_err();
        assert_eq!((e.field, e.code), ("account", "too_many_waiting_posts"));
        assert!(e.message.contains("500 posts waiting"), "{}", e.message);
        assert!(check_room(&full[1..], &Usage::reserved(1, 0), 0).is_ok());
        // Posts no longer waiting (kept for a retry) count only their bytes.
        let kept = vec![confirmed(false, 1); MAX_WAITING_POSTS];
        assert!(check_room(&kept, &Usage::reserved(1, 0), 0).is_ok());
    }

    #[test]
    fn the_bytes_cap_names_itself() {
        let others = [confirmed(true, MAX_STAGED_BYTES - 10)];
        assert!(check_room(&others, &Usage::reserved(10, 0), 0).is_ok());
        let e = check_room(&others, &Usage::reserved(11, 0), 0).unwrap_err();
        assert_eq!((e.field, e.code), ("video_size", "staged_bytes_limit"));
        assert!(e.message.contains("of the 100.0 GB"), "{}", e.message);
    }

    #[test]
    fn a_reservation_its_post_never_confirmed_lapses() {
        let others = vec![Usage::reserved(1, 1_000); MAX_WAITING_POSTS];
        assert!(check_room(&others, &Usage::reserved(1, 0), 1_000 + RESERVATION_MS - 1).is_err());
        assert!(check_room(&others, &Usage::reserved(1, 0), 1_000 + RESERVATION_MS).is_ok());
    }

    #[test]
    fn a_post_counts_while_waiting_and_while_r2_holds_its_video() {
        let mut p = Post::new("p".into(), "a".into(), "ana".into(), Settings::draft(String::new()), Some(10_000_000), 5_000_000, 0);
        assert_eq!(p.usage(), Some(confirmed(true, 5_000_000)), "declared bytes count before they arrive");
        p.apply(Event::MediaStaged, 1).unwrap();
        assert_eq!(p.usage(), Some(confirmed(true, 5_000_000)));
        p.apply(Event::Cancel, 2).unwrap();
        assert_eq!(p.usage(), Some(confirmed(false, 5_000_000)), "until its video is deleted");
        p.apply(Event::MediaDeleted, 3).unwrap();
        assert_eq!(p.usage(), None);
    }

    #[test]
    fn a_half_staged_post_cancelled_counts_its_parts_until_they_are_aborted() {
        let mut p = Post::new("p".into(), "a".into(), "ana".into(), Settings::draft(String::new()), None, 50_000_000, 0);
        p.apply(Event::Cancel, 1).unwrap();
        assert!(p.staging_left);
        assert_eq!(p.housekeeping_at(0), Some(1), "aborted at once");
        assert_eq!(p.usage(), Some(confirmed(false, 50_000_000)));
        p.apply(Event::MediaDeleted, 2).unwrap();
        assert!(!p.staging_left);
        assert_eq!((p.usage(), p.housekeeping_at(0)), (None, None));
    }
}
