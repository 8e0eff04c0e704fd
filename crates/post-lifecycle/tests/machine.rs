//! Every transition of the post machine, the fault paths included.

use post_lifecycle::{Action, Event, Init, Mode, Post, PostError, Settings, State};
use tiktok_rules::api::{PublishStatus, StatusResponse};
use tiktok_rules::error::TikTokError;
use tiktok_rules::privacy::PrivacyLevel;

const T0: u64 = 1_800_000_000_000;
const SMALL: u64 = 10_000;
const TWO_CHUNKS: u64 = 45_000_000; // 20 MB + 25 MB

fn post(size: u64, publish_at: Option<u64>, privacy: PrivacyLevel) -> Post {
    let settings = Settings { privacy_level: Some(privacy), ..Settings::draft("hi".into()) };
    Post::new("p1".into(), "open-ana".into(), "ana".into(), settings, publish_at, size, T0)
}

fn ok(p: &mut Post, e: Event, now: u64) {
    p.apply(e, now).expect("allowed");
}

fn status(s: PublishStatus, uploaded: u64, id: Option<u64>) -> Event {
    Event::Status(StatusResponse { status: s, fail_reason: None, publicaly_available_post_id: id.into_iter().collect(), uploaded_bytes: uploaded })
}

fn init_ok(now: u64) -> Event {
    Event::InitOk { publish_id: "pub-1".into(), upload_url: "https://up/1".into(), expires_at_ms: now + 3_600_000 }
}

/// A post now, staged and with init done: the one chunk is next.
fn initialised(size: u64) -> Post {
    let mut p = post(size, None, PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::MediaStaged, T0);
    assert_eq!(p.next(T0), Action::StartUpload);
    ok(&mut p, Event::StartUpload, T0);
    assert_eq!(p.next(T0), Action::Init);
    ok(&mut p, init_ok(T0), T0);
    p
}

fn net() -> TikTokError {
    TikTokError::network("connection reset")
}

#[test]
fn post_now_one_chunk_to_published_with_the_public_url() {
    let mut p = initialised(SMALL);
    assert_eq!(p.next(T0), Action::SendChunk(0));
    ok(&mut p, Event::Sending(0), T0);
    assert!(p.final_sent, "the last chunk is marked before it is sent");
    ok(&mut p, Event::ChunkOk(0), T0 + 100);
    assert_eq!((p.state(), p.uploaded_bytes, p.final_accepted_at_ms), (State::Processing, SMALL, Some(T0 + 100)));
    assert_eq!(p.next(T0 + 100), Action::WakeAt(T0 + 2_100));
    assert_eq!(p.next(T0 + 2_100), Action::FetchStatus);
    ok(&mut p, status(PublishStatus::ProcessingUpload, SMALL, None), T0 + 2_100);
    assert_eq!(p.state(), State::Processing);
    assert_eq!(p.next(T0 + 2_100), Action::WakeAt(T0 + 5_100), "polls back off");
    ok(&mut p, status(PublishStatus::PublishComplete, SMALL, None), T0 + 5_100);
    assert_eq!((p.state(), p.published_at_ms), (State::Published, Some(T0 + 5_100)));
    assert!(matches!(p.next(T0 + 60_000), Action::FetchStatus), "public: ask again for the post id");
    ok(&mut p, status(PublishStatus::PublishComplete, SMALL, Some(7)), T0 + 60_000);
    assert_eq!(p.post_url.as_deref(), Some("https://www.tiktok.com/@ana/video/7"));
    assert_eq!(p.published_at_ms, Some(T0 + 5_100), "published once, at the first complete");
    assert_eq!(p.next(T0 + 99_000), Action::Idle);
}

#[test]
fn a_private_post_is_done_at_publish_complete() {
    let mut p = post(SMALL, None, PrivacyLevel::SelfOnly);
    for e in [Event::MediaStaged, Event::StartUpload, init_ok(T0), Event::Sending(0), Event::ChunkOk(0)] {
        ok(&mut p, e, T0);
    }
    ok(&mut p, status(PublishStatus::PublishComplete, SMALL, None), T0 + 3_000);
    assert_eq!((p.state(), p.next(T0 + 60_000)), (State::Published, Action::Idle));
}

#[test]
fn a_public_post_without_an_id_stops_asking_after_a_while() {
    let mut p = initialised(SMALL);
    ok(&mut p, Event::Sending(0), T0);
    ok(&mut p, Event::ChunkOk(0), T0);
    let mut now = T0;
    for _ in 0..100 {
        match p.next(now) {
            Action::Idle => break,
            Action::WakeAt(t) => now = t,
            Action::FetchStatus => ok(&mut p, status(PublishStatus::PublishComplete, SMALL, None), now),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((p.state(), p.next(now), p.post_url.clone()), (State::Published, Action::Idle, None));
    // A failed status call while only the id is missing changes nothing else.
    let mut q = initialised(SMALL);
    for e in [Event::Sending(0), Event::ChunkOk(0), status(PublishStatus::PublishComplete, SMALL, None)] {
        ok(&mut q, e, T0);
    }
    ok(&mut q, Event::Failed(net()), T0);
    assert_eq!(q.state(), State::Published);
}

#[test]
fn a_scheduled_post_uploads_ahead_but_sends_the_last_chunk_at_its_time() {
    let due = T0 + 600_000;
    let mut p = post(TWO_CHUNKS, Some(due), PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::MediaStaged, T0);
    assert_eq!(p.state(), State::Scheduled);
    let start = due - 40_000; // 30 s margin + 20 MB at 2 MB/s
    assert_eq!(p.next(T0), Action::WakeAt(start));
    assert_eq!(p.next(start), Action::StartUpload);
    ok(&mut p, Event::StartUpload, start);
    ok(&mut p, init_ok(start), start);
    assert_eq!(p.next(start), Action::SendChunk(0));
    ok(&mut p, Event::Sending(0), start);
    assert!(!p.final_sent);
    ok(&mut p, Event::ChunkOk(0), start + 5_000);
    assert_eq!((p.state(), p.uploaded_bytes), (State::Uploading, 20_000_000));
    assert_eq!(p.next(start + 5_000), Action::WakeAt(due), "nothing final before the time");
    assert_eq!(p.next(due), Action::SendChunk(1));
    ok(&mut p, Event::Sending(1), due);
    ok(&mut p, Event::ChunkOk(1), due + 800);
    assert_eq!((p.state(), p.uploaded_bytes), (State::Processing, TWO_CHUNKS));
}

#[test]
fn a_deployments_shorter_margin_starts_the_upload_later_and_still_sends_the_last_chunk_at_its_time() {
    let due = T0 + 600_000;
    let mut p = post(TWO_CHUNKS, Some(due), PrivacyLevel::PublicToEveryone);
    p.upload_lead_margin_ms = 5_000;
    ok(&mut p, Event::MediaStaged, T0);
    let start = due - 15_000; // 5 s margin + 20 MB at 2 MB/s
    assert_eq!(p.next(T0), Action::WakeAt(start));
    assert_eq!(p.next(start - 1), Action::WakeAt(start), "not a moment early");
    assert_eq!(p.next(start), Action::StartUpload);
    for e in [Event::StartUpload, init_ok(start), Event::Sending(0)] {
        ok(&mut p, e, start);
    }
    ok(&mut p, Event::ChunkOk(0), start + 5_000);
    assert_eq!(p.next(start + 5_000), Action::WakeAt(due), "nothing final before the time");
    assert_eq!(p.next(due), Action::SendChunk(1));
    // One chunk: only the margin is ahead; a post stored before the field existed keeps 30 s.
    let mut one = post(SMALL, Some(due), PrivacyLevel::PublicToEveryone);
    one.upload_lead_margin_ms = 5_000;
    ok(&mut one, Event::MediaStaged, T0);
    assert_eq!(one.next(T0), Action::WakeAt(due - 5_000));
    let mut stored = serde_json::to_value(&one).unwrap();
    stored.as_object_mut().unwrap().remove("upload_lead_margin_ms");
    let old: Post = serde_json::from_value(stored).unwrap();
    assert_eq!(old.next(T0), Action::WakeAt(due - post_lifecycle::timing::LEAD_MARGIN_MS));
}

#[test]
fn the_last_chunks_lost_answer_is_settled_by_status_never_by_a_second_upload() {
    let mut p = initialised(SMALL);
    ok(&mut p, Event::Sending(0), T0);
    ok(&mut p, Event::Failed(net()), T0);
    assert_eq!(p.state(), State::Uploading);
    assert_eq!(p.next(T0), Action::WakeAt(T0 + 1_000));
    assert_eq!(p.next(T0 + 1_000), Action::FetchStatus, "not Init, not SendChunk");
    // Transient failures of the status call keep asking status.
    ok(&mut p, Event::Failed(TikTokError::new(503, "internal_error", "x")), T0 + 1_000);
    assert_eq!(p.next(T0 + 10_000), Action::FetchStatus);
    // TikTok has every byte: it is processing.
    ok(&mut p, status(PublishStatus::ProcessingUpload, SMALL, None), T0 + 10_000);
    assert_eq!(p.state(), State::Processing);
    // An init answer arriving late (a repeated alarm) is ignored once the last chunk went.
    let before = p.clone();
    ok(&mut p, init_ok(T0 + 11_000), T0 + 11_000);
    assert_eq!(p.publish_id, before.publish_id);
}

#[test]
fn a_last_chunk_that_never_arrived_is_sent_again() {
    let mut p = initialised(TWO_CHUNKS);
    for e in [Event::Sending(0), Event::ChunkOk(0), Event::Sending(1), Event::Failed(net())] {
        ok(&mut p, e, T0);
    }
    assert_eq!(p.next(T0 + 1_000), Action::FetchStatus);
    ok(&mut p, status(PublishStatus::ProcessingUpload, 20_000_000, None), T0 + 1_000);
    assert_eq!((p.state(), p.final_sent), (State::Uploading, false));
    assert_eq!(p.next(T0 + 1_000), Action::SendChunk(1));
}

#[test]
fn transient_init_failures_back_off_and_rate_limits_wait_longer() {
    let mut p = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::MediaStaged, T0);
    ok(&mut p, Event::StartUpload, T0);
    ok(&mut p, Event::Failed(TikTokError::new(500, "internal_error", "x")), T0);
    assert_eq!(p.next(T0 + 999), Action::WakeAt(T0 + 1_000));
    assert_eq!(p.next(T0 + 1_000), Action::Init);
    ok(&mut p, Event::Failed(TikTokError::new(500, "internal_error", "x")), T0 + 1_000);
    assert_eq!(p.next(T0 + 1_000), Action::WakeAt(T0 + 3_000), "doubling");
    ok(&mut p, Event::Failed(TikTokError::new(429, "rate_limit_exceeded", "x")), T0 + 3_000);
    assert_eq!(p.next(T0 + 3_000), Action::WakeAt(T0 + 18_000));
    ok(&mut p, init_ok(T0 + 18_000), T0 + 18_000);
    assert_eq!(p.attempts, 0);
}

#[test]
fn too_many_transient_failures_fail_the_post_with_the_reason() {
    let mut p = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::MediaStaged, T0);
    ok(&mut p, Event::StartUpload, T0);
    let mut now = T0;
    while p.state() == State::Uploading {
        now += 60_000;
        ok(&mut p, Event::Failed(net()), now);
    }
    assert_eq!(p.state(), State::Failed);
    assert_eq!(p.error.as_ref().unwrap().code, "network");
    assert!(p.error.as_ref().unwrap().message.contains("retry"));
}

#[test]
fn a_lost_middle_chunk_is_resent_and_tiktoks_count_wins() {
    let mut p = initialised(TWO_CHUNKS);
    ok(&mut p, Event::Sending(0), T0);
    ok(&mut p, Event::Failed(net()), T0);
    assert_eq!(p.next(T0 + 1_000), Action::SendChunk(0));
    // TikTok had it after all: 416 with its count.
    ok(&mut p, Event::RangeMismatch { received: 20_000_000 }, T0 + 1_000);
    assert_eq!(p.next(T0 + 1_000), Action::SendChunk(1));
    // A 416 that says nothing new (TikTok still busy with the first try) backs off.
    let mut b = initialised(TWO_CHUNKS);
    ok(&mut b, Event::RangeMismatch { received: 0 }, T0);
    assert_eq!(b.next(T0), Action::WakeAt(T0 + 1_000));
    assert_eq!(b.next(T0 + 1_000), Action::SendChunk(0));
    // A count that matches no chunk boundary cannot be resumed.
    let mut q = initialised(TWO_CHUNKS);
    ok(&mut q, Event::RangeMismatch { received: 123 }, T0);
    assert_eq!(q.state(), State::Failed);
    // A 416 saying everything arrived means processing.
    let mut r = initialised(SMALL);
    ok(&mut r, Event::Sending(0), T0);
    ok(&mut r, Event::RangeMismatch { received: SMALL }, T0);
    assert_eq!(r.state(), State::Processing);
}

#[test]
fn an_expired_upload_url_means_a_new_init_only_before_the_last_chunk() {
    let mut p = initialised(TWO_CHUNKS);
    ok(&mut p, Event::Sending(0), T0);
    ok(&mut p, Event::ChunkOk(0), T0);
    ok(&mut p, Event::UploadUrlGone, T0);
    assert_eq!((p.publish_id.clone(), p.chunks_done), (None, 0));
    assert_eq!(p.next(T0), Action::Init);
    let mut q = initialised(SMALL);
    assert_eq!(q.next(T0 + 3_600_000), Action::Init, "past the hour: a fresh upload_url");
    ok(&mut q, Event::Sending(0), T0);
    ok(&mut q, Event::UploadUrlGone, T0);
    assert_eq!(q.next(T0), Action::FetchStatus);
}

#[test]
fn tiktoks_refusals_fail_the_post_with_a_sentence() {
    let mut p = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::MediaStaged, T0);
    ok(&mut p, Event::StartUpload, T0);
    ok(&mut p, Event::Failed(TikTokError::new(403, "spam_risk_too_many_posts", "cap")), T0);
    let e = p.error.clone().unwrap();
    assert_eq!((p.state(), e.code.as_str()), (State::Failed, "spam_risk_too_many_posts"));
    assert!(e.message.contains("daily"), "{}", e.message);
    assert_eq!(p.next(T0), Action::Idle);

    let mut q = initialised(SMALL);
    for ev in [Event::Sending(0), Event::ChunkOk(0)] {
        ok(&mut q, ev, T0);
    }
    let failed = StatusResponse {
        status: PublishStatus::Failed,
        fail_reason: Some("duration_check_failed".into()),
        publicaly_available_post_id: vec![],
        uploaded_bytes: SMALL,
    };
    ok(&mut q, Event::Status(failed), T0);
    assert_eq!(q.error.clone().unwrap(), PostError::new("duration_check_failed", tiktok_rules::error::user_message("duration_check_failed")));
}

#[test]
fn a_lost_connection_fails_with_reconnect_and_retry_starts_again() {
    let mut p = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::MediaStaged, T0);
    ok(&mut p, Event::StartUpload, T0);
    ok(&mut p, Event::Failed(TikTokError::new(401, "access_token_invalid", "x")), T0);
    assert_eq!((p.state(), p.error.clone().unwrap().code.as_str()), (State::Failed, "reconnect_needed"));
    ok(&mut p, Event::Retry, T0 + 5_000);
    assert_eq!((p.state(), p.error.clone(), p.due_at_ms), (State::Scheduled, None, Some(T0 + 5_000)));
    assert_eq!(p.next(T0 + 5_000), Action::StartUpload);
}

#[test]
fn retry_after_the_last_chunk_may_have_gone_asks_status_instead_of_uploading() {
    let mut p = initialised(SMALL);
    ok(&mut p, Event::Sending(0), T0);
    ok(&mut p, Event::Failed(TikTokError::new(401, "access_token_invalid", "x")), T0);
    assert_eq!(p.state(), State::Failed);
    ok(&mut p, Event::Retry, T0 + 1_000);
    assert_eq!((p.state(), p.publish_id.as_deref()), (State::Uploading, Some("pub-1")));
    assert_eq!(p.next(T0 + 1_000), Action::FetchStatus);
    // But after TikTok's own FAILED, a retry uploads anew.
    let mut q = initialised(SMALL);
    for ev in [Event::Sending(0), Event::ChunkOk(0)] {
        ok(&mut q, ev, T0);
    }
    let failed =
        StatusResponse { status: PublishStatus::Failed, fail_reason: Some("internal".into()), publicaly_available_post_id: vec![], uploaded_bytes: SMALL };
    ok(&mut q, Event::Status(failed), T0);
    ok(&mut q, Event::Retry, T0);
    assert_eq!((q.state(), q.publish_id.clone()), (State::Scheduled, None));
}

#[test]
fn cancel_and_reschedule_only_before_the_upload_starts() {
    let due = T0 + 3_600_000;
    let mut p = post(SMALL, Some(due), PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::Reschedule(Some(due + 60_000)), T0);
    assert_eq!((p.publish_at_ms, p.due_at_ms), (Some(due + 60_000), None));
    ok(&mut p, Event::MediaStaged, T0);
    assert_eq!(p.due_at_ms, Some(due + 60_000));
    ok(&mut p, Event::Reschedule(Some(due)), T0);
    assert_eq!(p.due_at_ms, Some(due));
    ok(&mut p, Event::Reschedule(None), T0 + 10);
    assert_eq!(p.due_at_ms, Some(T0 + 10), "rescheduled to now");
    let mut c = p.clone();
    ok(&mut c, Event::Cancel, T0);
    assert_eq!((c.state(), c.next(T0)), (State::Cancelled, Action::Idle));
    assert!(c.apply(Event::Retry, T0).is_err());
    let mut a = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    ok(&mut a, Event::Cancel, T0);
    assert_eq!(a.state(), State::Cancelled);

    ok(&mut p, Event::StartUpload, T0 + 10);
    assert!(p.apply(Event::Cancel, T0).is_err());
    assert!(p.apply(Event::Reschedule(Some(due)), T0).is_err());
    assert!(p.apply(Event::Retry, T0).is_err(), "only failed posts are retried");
    assert_eq!(p.state(), State::Uploading);
}

#[test]
fn refused_media_fails_the_post_and_cannot_be_retried() {
    let mut p = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    ok(&mut p, Event::MediaRefused(PostError::new("unsupported_format", "not a video")), T0);
    assert_eq!(p.state(), State::Failed);
    assert!(p.apply(Event::Retry, T0).is_err());
}

#[test]
fn repeated_and_stale_steps_change_nothing() {
    let mut p = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    let before = p.clone();
    for e in [Event::ChunkOk(0), Event::StartUpload, status(PublishStatus::PublishComplete, 1, None), Event::Failed(net())] {
        ok(&mut p, e, T0);
    }
    assert_eq!(p, before);
    let mut q = initialised(SMALL);
    ok(&mut q, Event::MediaStaged, T0);
    assert_eq!(q.state(), State::Uploading);
}

#[test]
fn posts_serialize_and_every_state_name_is_pinned() {
    let names: Vec<String> =
        [State::AwaitingMedia, State::Scheduled, State::Uploading, State::Processing, State::SentToInbox, State::Published, State::Failed, State::Cancelled]
            .iter()
            .map(|s| serde_json::to_value(s).unwrap().as_str().unwrap().to_string())
            .collect();
    assert_eq!(names, ["awaiting_media", "scheduled", "uploading", "processing", "sent_to_inbox", "published", "failed", "cancelled"]);
    assert_eq!(serde_json::to_value([Mode::Direct, Mode::Draft]).unwrap(), serde_json::json!(["direct", "draft"]));
    let p = initialised(SMALL);
    let back: Post = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn housekeeping_aborts_stale_staging_and_deletes_old_media() {
    const WEEK: u64 = 7 * 86_400_000;
    let mut p = post(SMALL, None, PrivacyLevel::PublicToEveryone);
    assert_eq!(p.housekeeping_at(WEEK), Some(T0 + 86_400_000));
    ok(&mut p, Event::StagingAbandoned, T0 + 86_400_000);
    assert_eq!((p.state(), p.error.clone().unwrap().code.as_str()), (State::Failed, "staging_abandoned"));

    let mut q = initialised(SMALL);
    for e in [Event::Sending(0), Event::ChunkOk(0)] {
        ok(&mut q, e, T0);
    }
    assert_eq!(q.housekeeping_at(WEEK), None, "busy posts keep their media");
    ok(&mut q, status(PublishStatus::PublishComplete, SMALL, Some(9)), T0 + 5_000);
    assert_eq!(q.housekeeping_at(WEEK), Some(T0 + 5_000 + WEEK));
    ok(&mut q, Event::MediaDeleted, T0 + 5_000 + WEEK);
    assert_eq!(q.housekeeping_at(WEEK), None);

    let mut c = post(SMALL, Some(T0 + WEEK), PrivacyLevel::PublicToEveryone);
    ok(&mut c, Event::MediaStaged, T0);
    ok(&mut c, Event::Cancel, T0 + 1);
    assert_eq!(c.housekeeping_at(WEEK), Some(T0 + 1), "a cancelled post's media goes at once");
    ok(&mut c, Event::MediaDeleted, T0 + 2);
    assert!(!c.media_staged);
    // Deleted media can't be retried.
    let mut f = initialised(SMALL);
    ok(&mut f, Event::Failed(TikTokError::new(403, "spam_risk_too_many_posts", "x")), T0);
    ok(&mut f, Event::MediaDeleted, T0 + WEEK);
    assert!(f.apply(Event::Retry, T0 + WEEK).is_err());
}

#[test]
fn the_view_uses_the_pinned_fields() {
    let mut p = initialised(SMALL);
    for e in [Event::Sending(0), Event::ChunkOk(0), status(PublishStatus::PublishComplete, SMALL, Some(7))] {
        ok(&mut p, e, T0);
    }
    let v = serde_json::to_value(p.view()).unwrap();
    for k in [
        "account",
        "caption",
        "privacy_level",
        "disable_comment",
        "disable_duet",
        "disable_stitch",
        "brand_content_toggle",
        "brand_organic_toggle",
        "is_aigc",
        "video_cover_timestamp_ms",
        "publish_at",
        "video_size",
        "id",
        "state",
        "publish_id",
        "post_url",
        "error",
        "uploaded_bytes",
        "created_at",
        "updated_at",
        "published_at",
    ] {
        assert!(v.get(k).is_some(), "{k} in {v}");
    }
    assert_eq!(v["state"], "published");
    assert_eq!(v["publish_at"], serde_json::Value::Null);
    assert_eq!(v["privacy_level"], "PUBLIC_TO_EVERYONE");
    assert_eq!(v["post_url"], "https://www.tiktok.com/@ana/video/7");
}

/// A draft, staged, with its one chunk taken by TikTok at `T0`.
fn draft_uploaded(publish_at: Option<u64>) -> Post {
    let mut p = Post::new("d1".into(), "open-ana".into(), "ana".into(), Settings::draft("note".into()), publish_at, SMALL, T0);
    assert_eq!(p.mode(), Mode::Draft);
    ok(&mut p, Event::MediaStaged, T0);
    ok(&mut p, Event::StartUpload, T0);
    assert!(matches!(p.init_request(), Init::Inbox(_)), "a draft asks for the inbox, with no post_info");
    for e in [init_ok(T0), Event::Sending(0), Event::ChunkOk(0)] {
        ok(&mut p, e, T0);
    }
    assert_eq!(p.state(), State::Processing);
    p
}

#[test]
fn a_draft_ends_in_the_inbox_and_becomes_published_when_the_creator_posts_it() {
    assert!(matches!(initialised(SMALL).init_request(), Init::Direct(_)));
    let mut p = draft_uploaded(None);
    ok(&mut p, status(PublishStatus::SendToUserInbox, SMALL, None), T0 + 2_000);
    assert_eq!((p.state(), p.sent_to_inbox_at_ms), (State::SentToInbox, Some(T0 + 2_000)));
    assert!(p.state().is_final(), "LetsPost's part is done");
    assert_eq!(p.view().state, State::SentToInbox);
    // It keeps asking, soon at first, then less often.
    assert_eq!(p.next(T0 + 2_000), Action::WakeAt(T0 + 7_000));
    assert_eq!(p.next(T0 + 7_000), Action::FetchStatus);
    ok(&mut p, status(PublishStatus::SendToUserInbox, SMALL, None), T0 + 7_000);
    assert_eq!(p.next(T0 + 7_000), Action::WakeAt(T0 + 17_000));
    // A failed question is asked again later; the draft stays in the inbox.
    ok(&mut p, Event::Failed(net()), T0 + 17_000);
    assert_eq!(p.state(), State::SentToInbox);
    // The creator posts it in the app (publicly): published, then its link.
    ok(&mut p, status(PublishStatus::PublishComplete, SMALL, None), T0 + 60_000);
    assert_eq!((p.state(), p.published_at_ms), (State::Published, Some(T0 + 60_000)));
    assert_eq!(p.next(T0 + 62_000), Action::FetchStatus, "a draft's privacy is unknown: ask for a post id");
    ok(&mut p, status(PublishStatus::PublishComplete, SMALL, Some(8)), T0 + 62_000);
    assert_eq!(p.post_url.as_deref(), Some("https://www.tiktok.com/@ana/video/8"));
}

#[test]
fn a_draft_left_in_the_inbox_is_asked_about_until_the_deadline_then_left_alone() {
    let mut p = draft_uploaded(None);
    ok(&mut p, status(PublishStatus::SendToUserInbox, SMALL, None), T0);
    let mut now = T0;
    let mut polls = 0;
    while let Action::WakeAt(_) | Action::FetchStatus = p.next(now) {
        if let Action::WakeAt(t) = p.next(now) {
            now = t;
        }
        ok(&mut p, status(PublishStatus::SendToUserInbox, SMALL, None), now);
        polls += 1;
        assert!(polls < 1_000);
    }
    assert_eq!(p.state(), State::SentToInbox, "still in the inbox: a final state");
    assert!(now >= T0 + post_lifecycle::timing::INBOX_POLL_DEADLINE_MS - 3_600_000, "asked for a week");
    assert!((150..250).contains(&polls), "{polls} polls in a week");
    const DAY: u64 = 86_400_000;
    assert_eq!(p.housekeeping_at(DAY), Some(T0 + DAY), "the staged copy goes a retention after the inbox");
}

#[test]
fn a_draft_deleted_in_the_app_is_cancelled_with_a_sentence() {
    let mut p = draft_uploaded(None);
    ok(&mut p, status(PublishStatus::SendToUserInbox, SMALL, None), T0);
    let deleted = StatusResponse {
        status: PublishStatus::Failed,
        fail_reason: Some("publish_cancelled".into()),
        publicaly_available_post_id: vec![],
        uploaded_bytes: SMALL,
    };
    ok(&mut p, Event::Status(deleted), T0 + 60_000);
    assert_eq!(p.state(), State::Cancelled);
    assert_eq!(p.error.unwrap().message, "The draft was deleted in the TikTok app, so it was not posted.");
}

#[test]
fn a_draft_whose_last_chunk_answer_was_lost_learns_from_status_that_it_is_in_the_inbox() {
    let mut p = Post::new("d2".into(), "open-ana".into(), "ana".into(), Settings::draft(String::new()), None, SMALL, T0);
    for e in [Event::MediaStaged, Event::StartUpload, init_ok(T0), Event::Sending(0)] {
        ok(&mut p, e, T0);
    }
    ok(&mut p, Event::Failed(net()), T0);
    assert_eq!(p.next(T0 + 5_000), Action::FetchStatus, "never a second upload");
    ok(&mut p, status(PublishStatus::SendToUserInbox, SMALL, None), T0 + 5_000);
    assert_eq!((p.state(), p.uploaded_bytes), (State::SentToInbox, SMALL));
}

#[test]
fn tiktoks_pending_share_limit_fails_a_draft_with_the_sentence() {
    let mut p = Post::new("d3".into(), "open-ana".into(), "ana".into(), Settings::draft(String::new()), None, SMALL, T0);
    for e in [Event::MediaStaged, Event::StartUpload] {
        ok(&mut p, e, T0);
    }
    ok(&mut p, Event::Failed(TikTokError::new(403, "spam_risk_too_many_pending_share", "5 pending")), T0);
    assert_eq!(p.state(), State::Failed);
    assert!(p.error.unwrap().message.starts_with("Your TikTok inbox already has 5 drafts"));
}

#[test]
fn a_post_holds_its_time_only_while_on_its_way() {
    let due = T0 + 3_600_000;
    let mut p = post(SMALL, Some(due), PrivacyLevel::PublicToEveryone);
    assert_eq!(p.time_held(), Some(due), "awaiting media");
    ok(&mut p, Event::Reschedule(Some(due + 60_000)), T0);
    ok(&mut p, Event::MediaStaged, T0);
    assert_eq!((p.state(), p.time_held()), (State::Scheduled, Some(due + 60_000)));
    let mut c = p.clone();
    ok(&mut c, Event::Cancel, T0);
    assert_eq!(c.time_held(), None, "cancelling frees the time");
    ok(&mut p, Event::StartUpload, due);
    assert_eq!((p.state(), p.time_held()), (State::Uploading, Some(due + 60_000)));
    let mut refused = post(SMALL, Some(due), PrivacyLevel::PublicToEveryone);
    ok(&mut refused, Event::MediaRefused(PostError::new("unsupported_format", "not a video")), T0);
    assert_eq!(refused.time_held(), None, "a failed post frees it");
    assert_eq!(post(SMALL, None, PrivacyLevel::PublicToEveryone).time_held(), None, "post now holds no slot");
}

#[test]
fn a_finished_post_is_shed_only_once_its_video_is_gone_and_nothing_is_left_to_ask() {
    const RETAIN: u64 = 15_000;
    let mut p = post(1_000_000, None, PrivacyLevel::SelfOnly);
    assert_eq!(p.shed_at(RETAIN), None, "awaiting its video");
    ok(&mut p, Event::MediaStaged, T0 + 1_000);
    ok(&mut p, Event::StartUpload, T0 + 1_000);
    ok(&mut p, init_ok(T0 + 1_000), T0 + 1_000);
    ok(&mut p, Event::Sending(0), T0 + 1_000);
    ok(&mut p, Event::ChunkOk(0), T0 + 1_000);
    ok(&mut p, status(PublishStatus::PublishComplete, 1_000_000, None), T0 + 2_000);
    assert_eq!(p.state(), State::Published);
    assert_eq!(p.shed_at(RETAIN), None, "its video is still kept");
    ok(&mut p, Event::MediaDeleted, T0 + 2_000 + RETAIN);
    assert_eq!(p.shed_at(RETAIN), Some(T0 + 2_000 + 2 * RETAIN));
    let mut c = post(1_000_000, Some(T0 + 50_000), PrivacyLevel::SelfOnly);
    ok(&mut c, Event::Cancel, T0 + 3_000);
    assert_eq!(c.shed_at(RETAIN), None, "the half-staged upload is aborted first");
    ok(&mut c, Event::MediaDeleted, T0 + 3_000);
    assert_eq!(c.shed_at(RETAIN), Some(T0 + 3_000 + RETAIN));
}

#[test]
fn a_cancel_for_a_reason_says_that_reason() {
    let mut p = post(SMALL, Some(T0 + 60_000), PrivacyLevel::SelfOnly);
    let why = PostError::new("account_disconnected", "The TikTok account was disconnected, so this post was cancelled.");
    ok(&mut p, Event::CancelFor(why.clone()), T0);
    assert_eq!((p.state(), p.error), (State::Cancelled, Some(why.clone())));
    let mut up = initialised(SMALL);
    assert!(up.apply(Event::CancelFor(why), T0).is_err(), "not once uploading");
    let d = post(SMALL, None, PrivacyLevel::SelfOnly).deployed(true, 5_000);
    assert_eq!((d.pushed, d.upload_lead_margin_ms), (true, 5_000));
}
