//! Webhook facts: pushed status moves posts forward at once, twice or late changes nothing,
//! and with webhooks on, status/fetch is only the rare fallback.

use post_lifecycle::{Action, Event, Post, Pushed, Settings, State};
use tiktok_rules::api::{PublishStatus, StatusResponse};
use tiktok_rules::privacy::PrivacyLevel;

const T0: u64 = 1_800_000_000_000;
const SMALL: u64 = 10_000;

fn ok(p: &mut Post, e: Event, now: u64) {
    p.apply(e, now).expect("allowed");
}

fn fact(f: Pushed, at: u64) -> Event {
    Event::Pushed { publish_id: "pub-1".into(), fact: f, at_ms: at }
}

/// A pushed post (webhooks on) whose one chunk TikTok took at `T0`.
fn uploaded(settings: Settings) -> Post {
    let mut p = Post::new("p1".into(), "open-ana".into(), "ana".into(), settings, None, SMALL, T0);
    p.pushed = true;
    let init = Event::InitOk { publish_id: "pub-1".into(), upload_url: "https://up/1".into(), expires_at_ms: T0 + 3_600_000 };
    for e in [Event::MediaStaged, Event::StartUpload, init, Event::Sending(0), Event::ChunkOk(0)] {
        ok(&mut p, e, T0);
    }
    assert_eq!(p.state(), State::Processing);
    p
}

fn public() -> Settings {
    Settings { privacy_level: Some(PrivacyLevel::PublicToEveryone), ..Settings::draft("hi".into()) }
}

fn complete(id: Option<u64>) -> Event {
    Event::Status(StatusResponse {
        status: PublishStatus::PublishComplete,
        fail_reason: None,
        publicaly_available_post_id: id.into_iter().collect(),
        uploaded_bytes: SMALL,
    })
}

#[test]
fn a_pushed_post_asks_tiktok_nothing_when_its_webhooks_arrive() {
    let mut p = uploaded(public());
    assert_eq!(p.next(T0), Action::WakeAt(T0 + 15_000), "the fallback poll waits past TikTok's usual processing");
    ok(&mut p, fact(Pushed::Complete, T0 + 3_000), T0 + 3_050);
    assert_eq!((p.state(), p.published_at_ms), (State::Published, Some(T0 + 3_050)));
    assert_eq!(p.next(T0 + 3_050), Action::WakeAt(T0 + 18_050), "the post id is awaited from its webhook first");
    ok(&mut p, fact(Pushed::PubliclyAvailable(Some(7_602_997_517_160_123_666)), T0 + 4_000), T0 + 4_010);
    assert_eq!(p.post_url.as_deref(), Some("https://www.tiktok.com/@ana/video/7602997517160123666"));
    assert_eq!(p.next(T0 + 4_010), Action::Idle, "nothing left to ask");
    assert_eq!(p.view().no_longer_public_at, None);
}

#[test]
fn a_lost_webhook_is_covered_by_the_rare_poll() {
    let mut p = uploaded(public());
    let mut now = T0;
    let mut polls = 0;
    // Every webhook lost: TikTok completes at T0 + 3 s, the id comes at T0 + 4 s.
    loop {
        match p.next(now) {
            Action::WakeAt(t) => now = t,
            Action::FetchStatus => {
                polls += 1;
                ok(&mut p, complete((now >= T0 + 4_000).then_some(9)), now);
            }
            Action::Idle => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((p.state(), p.post_id, polls), (State::Published, Some(9), 1), "one poll: complete, with the id");
    assert_eq!(p.published_at_ms, Some(T0 + 15_000), "late by the fallback's delay, never lost");
}

#[test]
fn duplicates_and_reordering_end_in_the_same_state() {
    let events =
        [Pushed::Complete, Pushed::PubliclyAvailable(Some(5)), Pushed::Complete, Pushed::Failed("internal_error".into()), Pushed::PubliclyAvailable(Some(5))];
    // Every rotation of the order, each fact twice: published once, with the link.
    for start in 0..events.len() {
        let mut p = uploaded(public());
        for (i, f) in events.iter().cycle().skip(start).take(events.len() * 2).enumerate() {
            ok(&mut p, fact(f.clone(), T0 + 1_000), T0 + 5_000 + i as u64);
        }
        if start == 3 {
            // A failure that arrives before any completion is TikTok's verdict.
            assert_eq!(p.state(), State::Failed, "rotation {start}");
            continue;
        }
        assert_eq!((p.state(), p.post_id, p.published_at_ms), (State::Published, Some(5), Some(T0 + 5_000)), "rotation {start}");
    }
}

#[test]
fn a_takedown_keeps_the_link_and_an_older_fact_never_undoes_it() {
    let mut p = uploaded(public());
    ok(&mut p, fact(Pushed::PubliclyAvailable(Some(5)), T0 + 4_000), T0 + 4_000);
    ok(&mut p, fact(Pushed::NoLongerPublic(Some(5)), T0 + 90_000), T0 + 90_000);
    assert_eq!(p.no_longer_public_at_ms, Some(T0 + 90_000));
    assert_eq!(p.post_url.as_deref(), Some("https://www.tiktok.com/@ana/video/5"), "keeps its link");
    // The public fact delivered again, late: the takedown stands.
    ok(&mut p, fact(Pushed::PubliclyAvailable(Some(5)), T0 + 4_000), T0 + 95_000);
    assert_eq!(p.no_longer_public_at_ms, Some(T0 + 90_000));
    assert_eq!(p.view().no_longer_public_at.as_deref(), Some("2027-01-15T08:01:30Z"));
    // Made public again later: a newer fact.
    ok(&mut p, fact(Pushed::PubliclyAvailable(Some(5)), T0 + 200_000), T0 + 200_000);
    assert_eq!(p.no_longer_public_at_ms, None);
    // A takedown that overtook every other event still says it was published.
    let mut q = uploaded(public());
    ok(&mut q, fact(Pushed::NoLongerPublic(Some(6)), T0 + 9_000), T0 + 9_000);
    ok(&mut q, fact(Pushed::PubliclyAvailable(Some(6)), T0 + 4_000), T0 + 9_100);
    ok(&mut q, fact(Pushed::Complete, T0 + 3_000), T0 + 9_200);
    assert_eq!((q.state(), q.post_id, q.no_longer_public_at_ms), (State::Published, Some(6), Some(T0 + 9_000)));
}

#[test]
fn facts_about_another_publish_change_nothing() {
    let mut p = uploaded(public());
    let before = p.clone();
    let other = Event::Pushed { publish_id: "pub-old".into(), fact: Pushed::Failed("internal_error".into()), at_ms: T0 };
    ok(&mut p, other, T0 + 1);
    assert_eq!(p, before, "an earlier attempt's (or another app's) publish_id");
    // A failure after publishing never moves the post back.
    ok(&mut p, fact(Pushed::Complete, T0), T0 + 2);
    ok(&mut p, fact(Pushed::Failed("internal_error".into()), T0), T0 + 3);
    assert_eq!(p.state(), State::Published);
}

#[test]
fn a_draft_reaches_the_inbox_and_is_published_or_deleted_by_webhook() {
    let mut d = uploaded(Settings::draft("note".into()));
    ok(&mut d, fact(Pushed::InboxDelivered, T0 + 1_000), T0 + 1_000);
    assert_eq!((d.state(), d.sent_to_inbox_at_ms), (State::SentToInbox, Some(T0 + 1_000)));
    assert_eq!(d.next(T0 + 1_000), Action::WakeAt(T0 + 61_000), "the inbox fallback poll is rare too");
    ok(&mut d, fact(Pushed::InboxDelivered, T0 + 1_000), T0 + 2_000);
    assert_eq!(d.sent_to_inbox_at_ms, Some(T0 + 1_000), "a duplicate changes nothing");
    let mut gone = d.clone();
    ok(&mut d, fact(Pushed::Complete, T0 + 30_000), T0 + 30_000);
    assert_eq!(d.state(), State::Published);
    ok(&mut gone, fact(Pushed::Failed("publish_cancelled".into()), T0 + 30_000), T0 + 30_000);
    assert_eq!(gone.state(), State::Cancelled);
    assert_eq!(gone.error.unwrap().message, "The draft was deleted in the TikTok app, so it was not posted.");
    // A direct post ignores an inbox fact.
    let mut p = uploaded(public());
    ok(&mut p, fact(Pushed::InboxDelivered, T0), T0 + 1);
    assert_eq!(p.state(), State::Processing);
}
