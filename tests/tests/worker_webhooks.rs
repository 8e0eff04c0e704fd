//! TikTok's webhooks through the Worker in workerd, sent by the emulator as TikTok sends them:
//! posts end by pushed status, lost or repeated or reordered deliveries still end each post
//! right and once, and forged deliveries are refused without changing anything.

use letspost_e2e::api::{Session, connected_creator};
use letspost_e2e::posts::{caption, creator_finishes, fault, faults_of, new_draft, new_post, now_ms, tiktok_posts, tiktok_publish, unique_video};
use letspost_e2e::{app_url, emulator_url, http};
use serde_json::{Value, json};
use std::time::Duration;
use tiktok_rules::webhook::{SIGNATURE_HEADER, envelope, sign};

const SECRET: &str = "letspost-local-secret";
/// The emulator's processing time in the suite (`--processing-ms` in xtask test).
const PROCESSING_MS: u64 = 500;

/// Every delivery attempt the emulator made for `publish_id`.
async fn deliveries(publish_id: &str) -> Vec<Value> {
    let all: Vec<Value> = http().get(format!("{}/__emulator/webhooks", emulator_url())).send().await.unwrap().json().await.unwrap();
    all.into_iter().filter(|a| a["publish_id"] == publish_id).collect()
}

/// Post now and wait until it is published with its link; (post, publish).
async fn post_until_linked(s: &Session, account: &str, label: &str) -> (Value, Value) {
    let video = unique_video(700);
    let cap = caption(label);
    let (created, staged) = s.post_video(new_post(account, &cap, video.len()), &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let p = s.wait_linked(&id, Duration::from_secs(120)).await;
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1, "published exactly once: {at_tiktok:?}");
    (p, at_tiktok[0].clone())
}

#[tokio::test]
async fn a_post_now_is_published_by_its_webhooks_at_once() {
    let (s, account) = connected_creator("hookfast").await;
    let (post, at_tiktok) = post_until_linked(&s, &account, "pushed").await;
    let publish_id = post["publish_id"].as_str().unwrap();
    let done = at_tiktok["completed_at_ms"].as_u64().unwrap() + PROCESSING_MS;
    // Seen published (second precision) well before the first fallback poll (15 s).
    let published = letspost_core::time_fmt::parse_rfc3339_ms(post["published_at"].as_str().unwrap()).unwrap();
    assert!(published <= done + 2_000, "published at {published}, TikTok completed at {done}");
    let events: Vec<_> = deliveries(publish_id).await.into_iter().filter(|a| a["status"] == 200).map(|a| a["event"].clone()).collect();
    assert!(events.contains(&json!("post.publish.complete")) && events.contains(&json!("post.publish.publicly_available")), "{events:?}");
    assert_eq!(post["no_longer_public_at"], Value::Null);
}

#[tokio::test]
async fn with_every_webhook_dropped_polling_still_ends_the_post() {
    let (s, account) = connected_creator("hookdrop").await;
    fault(&account, json!({ "endpoint": "webhook", "kind": "drop" })).await;
    let (post, _) = post_until_linked(&s, &account, "dropped").await;
    assert!(deliveries(post["publish_id"].as_str().unwrap()).await.is_empty(), "nothing was delivered");
}

#[tokio::test]
async fn duplicated_and_overtaken_webhooks_end_each_post_once() {
    let (s, account) = connected_creator("hookdup").await;
    fault(&account, json!({ "endpoint": "webhook", "kind": "duplicate", "count": 2 })).await;
    let (post, _) = post_until_linked(&s, &account, "twice").await;
    let twice: Vec<_> = deliveries(post["publish_id"].as_str().unwrap()).await.into_iter().filter(|a| a["event"] == "post.publish.complete").collect();
    assert_eq!(twice.len(), 2, "complete was delivered twice: {twice:?}");
    // `complete` held back: `publicly_available` arrives first.
    fault(&account, json!({ "endpoint": "webhook", "kind": "slow", "delay_ms": 3_000, "count": 1 })).await;
    let (post, _) = post_until_linked(&s, &account, "overtaken").await;
    assert_eq!(post["state"], "published");
    let left = faults_of(&account).await;
    assert!(left.is_empty(), "both duplicates and the delay were met: {left:?}");
}

/// A delivery to the Worker with this signature header (None: no header).
async fn deliver(body: &str, signature: Option<String>) -> (u16, Value) {
    let mut r = http().post(format!("{}/api/webhooks/tiktok", app_url())).header("Content-Type", "application/json");
    if let Some(sig) = signature {
        r = r.header(SIGNATURE_HEADER, sig);
    }
    let resp = r.body(body.to_string()).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
}

fn now_secs() -> u64 {
    now_ms() / 1000
}

#[tokio::test]
async fn forged_tampered_stale_oversized_and_malformed_deliveries_are_refused_and_change_nothing() {
    let (s, account) = connected_creator("hookforge").await;
    // A draft in the inbox: a forged "complete" would publish it.
    let video = unique_video(800);
    let (created, _) = s.post_video(new_draft(&account, "", video.len()), &video).await;
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let draft = s.wait_state(&id, &["sent_to_inbox"], Duration::from_secs(60)).await;
    let publish_id = draft["publish_id"].as_str().unwrap().to_string();
    let t = now_secs();
    let complete = envelope("letspost-local", "post.publish.complete", t, &account, &json!({ "publish_id": publish_id, "publish_type": "INBOX_SHARE" }));
    let removed = envelope("letspost-local", "authorization.removed", t, &account, &json!({ "reason": 1 }));
    let tampered = removed.replace("\"reason\\\":1", "\"reason\\\":4");
    assert_ne!(tampered, removed);
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(70_000));
    let cases: Vec<(&str, String, Option<String>, u16)> = vec![
        ("no signature", complete.clone(), None, 401),
        ("signed with another secret", complete.clone(), Some(sign("not-the-secret", t, complete.as_bytes())), 401),
        ("tampered after signing", tampered, Some(sign(SECRET, t, removed.as_bytes())), 401),
        ("garbage header", complete.clone(), Some("t=abc,s=zz".into()), 401),
        ("signed ten minutes ago", removed.clone(), Some(sign(SECRET, t - 600, removed.as_bytes())), 401),
        ("over 64 KiB", big.clone(), Some(sign(SECRET, t, big.as_bytes())), 413),
        ("not JSON", "not json".into(), Some(sign(SECRET, t, b"not json")), 400),
    ];
    for (what, body, sig, want) in cases {
        let (status, answer) = deliver(&body, sig).await;
        assert_eq!(status, want, "{what}: {answer}");
        assert!(answer["error"]["code"].is_string(), "{what}: the pinned error shape: {answer}");
    }
    assert_eq!(s.get(&format!("/api/posts/{id}")).await.body["post"]["state"], "sent_to_inbox", "no forged delivery moved the draft");
    assert_eq!(s.account(&account).await.unwrap()["status"], "connected", "nor the account");
    // Verified, but about nothing LetsPost knows: 200, ignored.
    for body in [
        envelope("letspost-local", "post.publish.complete", t, &account, &json!({ "publish_id": "v_pub_file~someone-else" })),
        envelope("letspost-local", "tiktok.ping", t, "", &json!({ "reason": "testing Webhook" })),
        envelope("letspost-local", "video.future_event", t, &account, &json!({})),
    ] {
        let (status, answer) = deliver(&body, Some(sign(SECRET, t, body.as_bytes()))).await;
        assert_eq!((status, &answer["acted"]), (200, &json!(false)), "{body}: {answer}");
    }
    // The real thing, even with another site's Origin (TikTok is no browser): the creator
    // posted the draft in the app.
    creator_finishes(&publish_id, json!({ "action": "post", "caption": "", "privacy_level": "SELF_ONLY" })).await;
    let r = http()
        .post(format!("{}/api/webhooks/tiktok", app_url()))
        .header("Origin", "https://open.tiktokapis.com")
        .header(SIGNATURE_HEADER, sign(SECRET, now_secs(), complete.as_bytes()))
        .body(complete.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(s.get(&format!("/api/posts/{id}")).await.body["post"]["state"], "published");
}

#[tokio::test]
async fn deauthorize_in_tiktok_marks_the_account_with_the_reason_at_once() {
    let (s, account) = connected_creator("hookdeauth").await;
    let r = http().post(format!("{}/__emulator/accounts/{account}/deauthorize", emulator_url())).json(&json!({ "reason": 2 })).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let started = std::time::Instant::now();
    loop {
        let a = s.account(&account).await.unwrap();
        if a["status"] == "reconnect_needed" {
            assert_eq!(a["reconnect_reason"], tiktok_rules::webhook::removal_sentence(2));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(1), "still {a} after a second");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_takedown_keeps_the_link_and_says_when() {
    let (s, account) = connected_creator("hooktakedown").await;
    let (post, _) = post_until_linked(&s, &account, "taken down").await;
    let publish_id = post["publish_id"].as_str().unwrap();
    let r = http().post(format!("{}/__emulator/posts/{publish_id}/takedown", emulator_url())).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let id = post["id"].as_str().unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let p = s.get(&format!("/api/posts/{id}")).await.body["post"].clone();
        if let Some(at) = p["no_longer_public_at"].as_str() {
            assert!(letspost_core::time_fmt::parse_rfc3339_ms(at).is_some(), "RFC 3339: {at}");
            assert_eq!(p["post_url"], post["post_url"], "the link is kept");
            assert_eq!(p["state"], "published");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no takedown seen: {p}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(tiktok_publish(publish_id).await["post_id"], Value::Null, "TikTok no longer lists it");
}
