//! TikTok's pending-drafts limit as LetsPost can foresee it: at most 5 drafts per creator may
//! wait in the inbox within 24 hours (`tiktok_rules::api::inbox`). A draft that would be the
//! 6th is refused when it is created, before a byte is uploaded, with TikTok's own sentence.

use crate::create::FieldError;
use crate::machine::{Mode, State};
use crate::view::PostView;
use letspost_core::time_fmt::parse_rfc3339_ms;
use tiktok_rules::api::inbox::{MAX_PENDING_SHARES, PENDING_WINDOW_MS};
use tiktok_rules::error::{codes, user_message};

/// When a draft takes its inbox slot: when it reached the inbox, now if it is on its way, or
/// its time if it is scheduled. `None`: it holds no slot (direct, finished, failed).
fn slot_from(p: &PostView, now_ms: u64) -> Option<u64> {
    if p.mode != Mode::Draft {
        return None;
    }
    let at = |t: &Option<String>| t.as_deref().and_then(parse_rfc3339_ms);
    match p.state {
        State::SentToInbox => at(&p.sent_to_inbox_at),
        State::Uploading | State::Processing => Some(now_ms),
        State::AwaitingMedia | State::Scheduled => Some(at(&p.publish_at).unwrap_or(now_ms).max(now_ms)),
        State::Published | State::Failed | State::Cancelled => None,
    }
}

/// Drafts of these posts (one account's) that will be pending in the inbox at `at_ms`.
pub fn pending_at(posts: &[PostView], at_ms: u64, now_ms: u64) -> usize {
    posts.iter().filter_map(|p| slot_from(p, now_ms)).filter(|&from| from <= at_ms && at_ms < from + PENDING_WINDOW_MS).count()
}

/// Refuse a new draft due at `due_ms` (now when `None`) if it would be the 6th pending one.
pub fn check_room(posts: &[PostView], due_ms: Option<u64>, now_ms: u64) -> Result<(), FieldError> {
    if pending_at(posts, due_ms.unwrap_or(now_ms).max(now_ms), now_ms) >= MAX_PENDING_SHARES {
        return Err(FieldError {
            field: "mode",
            code: codes::SPAM_RISK_TOO_MANY_PENDING_SHARE,
            message: user_message(codes::SPAM_RISK_TOO_MANY_PENDING_SHARE).to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{Post, Settings};

    const NOW: u64 = 1_800_000_000_000;
    const HOUR: u64 = 3_600_000;

    fn draft(state: State, inbox_at: Option<u64>, publish_at: Option<u64>) -> PostView {
        let mut p = Post::new("d".into(), "open-ana".into(), "ana".into(), Settings::draft(String::new()), publish_at, 1_000, NOW);
        p.state = state;
        p.sent_to_inbox_at_ms = inbox_at;
        p.view()
    }

    #[test]
    fn five_drafts_in_the_inbox_leave_no_room_until_the_oldest_is_a_day_old() {
        let five: Vec<PostView> = (0..5).map(|i| draft(State::SentToInbox, Some(NOW - (10 - i) * HOUR), None)).collect();
        let refused = check_room(&five, None, NOW).unwrap_err();
        assert_eq!((refused.field, refused.code), ("mode", "spam_risk_too_many_pending_share"));
        assert!(refused.message.contains("5 drafts"), "{}", refused.message);
        // The oldest leaves TikTok's 24 h window 14 h from now: a draft due after that fits.
        assert!(check_room(&five, Some(NOW + 14 * HOUR + 1), NOW).is_ok());
        assert!(check_room(&five, Some(NOW + 13 * HOUR), NOW).is_err());
    }

    #[test]
    fn finished_direct_and_old_posts_hold_no_slot_but_drafts_on_their_way_do() {
        let mut posts = vec![
            draft(State::Published, Some(NOW - HOUR), None),
            draft(State::Cancelled, Some(NOW - HOUR), None),
            draft(State::SentToInbox, Some(NOW - 25 * HOUR), None),
        ];
        let mut direct = Post::new("x".into(), "open-ana".into(), "ana".into(), Settings::draft(String::new()), None, 1_000, NOW);
        direct.settings.privacy_level = Some(tiktok_rules::privacy::PrivacyLevel::SelfOnly);
        direct.state = State::Uploading;
        posts.push(direct.view());
        assert_eq!(pending_at(&posts, NOW, NOW), 0);
        posts.push(draft(State::Uploading, None, None));
        posts.push(draft(State::Scheduled, None, Some(NOW + 2 * HOUR)));
        posts.push(draft(State::AwaitingMedia, None, Some(NOW + 30 * HOUR)));
        assert_eq!(pending_at(&posts, NOW, NOW), 1, "the scheduled ones are not sent yet");
        assert_eq!(pending_at(&posts, NOW + 3 * HOUR, NOW), 2);
        assert_eq!(pending_at(&posts, NOW + 30 * HOUR, NOW), 1, "a day on, only the latest holds a slot");
    }
}
