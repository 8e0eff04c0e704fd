//! Webhooks as TikTok sends them: signed, retried on a refusal, logged; the hooks that make
//! TikTok send the rarer ones; faults that drop, duplicate or delay a delivery.

mod common;

use axum::http::HeaderMap;
use common::{Emu, start};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tiktok_rules::webhook::{SIGNATURE_HEADER, WebhookEvent, parse, verify};

/// A receiver that records each verified delivery and answers `refuse_first` 500s first.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<WebhookEvent>>>,
    refuse: Arc<Mutex<u32>>,
}

async fn receiver(refuse_first: u32) -> (String, Receiver) {
    let r = Receiver { refuse: Arc::new(Mutex::new(refuse_first)), ..Receiver::default() };
    let state = r.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let r = state.clone();
            async move {
                let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
                assert_eq!(verify("letspost-local-secret", header, &body, now, 5), Ok(()), "signed with the client secret");
                let mut refuse = r.refuse.lock().unwrap();
                if *refuse > 0 {
                    *refuse -= 1;
                    return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                }
                r.got.lock().unwrap().push(parse(&body).unwrap().event);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, r)
}

async fn with_receiver(refuse_first: u32) -> (Emu, Receiver) {
    let (url, r) = receiver(refuse_first).await;
    let e = start(|c| {
        c.webhook_url = Some(url);
        c.webhook_retry_ms = 50;
    })
    .await;
    (e, r)
}

/// Publish a fixture; its publish_id.
async fn publish(e: &Emu, token: &str, privacy: &str) -> String {
    let bytes = Emu::fixture("vertical_15s_faststart.mp4");
    let n = bytes.len() as u64;
    let (_, b) = e.init(token, "hi", privacy, n, n, 1).await;
    e.put(b["data"]["upload_url"].as_str().unwrap(), (0, n - 1, n), bytes).await;
    b["data"]["publish_id"].as_str().unwrap().to_string()
}

async fn wait_for(r: &Receiver, n: usize) -> Vec<WebhookEvent> {
    for _ in 0..100 {
        if r.got.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    r.got.lock().unwrap().clone()
}

async fn log(e: &Emu) -> Vec<Value> {
    e.http.get(e.url("/__emulator/webhooks")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_public_post_sends_complete_then_publicly_available_with_its_id_as_a_string() {
    let (e, r) = with_receiver(0).await;
    let t = e.token("open-ana").await;
    let id = publish(&e, &t, "PUBLIC_TO_EVERYONE").await;
    let got = wait_for(&r, 2).await;
    assert_eq!(got[0], WebhookEvent::Complete { publish_id: id.clone() });
    let WebhookEvent::PubliclyAvailable { publish_id, post_id: Some(post_id) } = &got[1] else { panic!("{got:?}") };
    assert_eq!(publish_id, &id);
    assert!(*post_id > 1 << 53, "beyond a JS number: only a string carries it");
    let attempts = log(&e).await;
    assert_eq!(attempts.len(), 2);
    for k in ["event", "publish_id", "url", "status", "attempt", "at_ms"] {
        assert!(attempts[0].get(k).is_some(), "{k}");
    }
    assert_eq!((attempts[0]["event"].as_str(), attempts[0]["status"].as_u64()), (Some("post.publish.complete"), Some(200)));
}

#[tokio::test]
async fn a_refused_delivery_is_retried_with_back_off() {
    let (e, r) = with_receiver(2).await;
    let t = e.token("open-ana").await;
    publish(&e, &t, "SELF_ONLY").await;
    assert_eq!(wait_for(&r, 1).await.len(), 1);
    let attempts = log(&e).await;
    let statuses: Vec<_> = attempts.iter().map(|a| (a["attempt"].as_u64().unwrap(), a["status"].as_u64().unwrap())).collect();
    assert_eq!(statuses, [(1, 500), (2, 500), (3, 200)]);
    let gap = |i: usize| attempts[i + 1]["at_ms"].as_u64().unwrap() - attempts[i]["at_ms"].as_u64().unwrap();
    assert!(gap(1) >= 100 && gap(0) >= 50, "doubling: {} then {} ms", gap(0), gap(1));
}

#[tokio::test]
async fn an_unreachable_receiver_is_logged_with_a_null_status() {
    let e = start(|c| {
        c.webhook_url = Some("http://127.0.0.1:9/hook".into());
        c.webhook_retry_ms = 20;
    })
    .await;
    e.hook("/webhooks/ping", json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let attempts = log(&e).await;
    assert!(attempts.len() >= 2 && attempts.iter().all(|a| a["status"].is_null() && a["event"] == "tiktok.ping"), "{attempts:?}");
}

#[tokio::test]
async fn faults_drop_duplicate_and_delay_deliveries() {
    let (e, r) = with_receiver(0).await;
    let t = e.token("open-ana").await;
    e.hook("/faults", json!({ "endpoint": "webhook", "kind": "drop", "count": 1 })).await;
    e.hook("/webhooks/ping", json!({})).await;
    e.hook("/faults", json!({ "endpoint": "webhook", "kind": "duplicate", "count": 1 })).await;
    e.hook("/webhooks/ping", json!({})).await;
    assert_eq!(wait_for(&r, 2).await, [WebhookEvent::Ping, WebhookEvent::Ping], "the dropped one never, the duplicated one twice");
    // A slow `complete`: the public event overtakes it.
    e.hook("/faults", json!({ "endpoint": "webhook", "kind": "slow", "delay_ms": 1500, "count": 1 })).await;
    let id = publish(&e, &t, "PUBLIC_TO_EVERYONE").await;
    let got = wait_for(&r, 4).await;
    assert!(matches!(&got[2], WebhookEvent::PubliclyAvailable { publish_id, .. } if *publish_id == id), "{got:?}");
    assert_eq!(got[3], WebhookEvent::Complete { publish_id: id });
}

#[tokio::test]
async fn deauthorize_revokes_the_tokens_and_says_why() {
    let (e, r) = with_receiver(0).await;
    let t = e.token("open-ana").await;
    let r2 = e.http.post(e.url("/__emulator/accounts/open-ana/deauthorize")).json(&json!({ "reason": 4 })).send().await.unwrap();
    assert_eq!(r2.status(), 204);
    assert_eq!(wait_for(&r, 1).await, [WebhookEvent::AuthorizationRemoved { reason: 4 }]);
    assert_eq!(e.status(&t, "v_pub_file~nothing").await.1["error"]["code"], "access_token_invalid", "the tokens are already revoked");
}

#[tokio::test]
async fn takedown_sends_no_longer_publicaly_available_and_hides_the_id() {
    let (e, r) = with_receiver(0).await;
    let t = e.token("open-ana").await;
    let id = publish(&e, &t, "PUBLIC_TO_EVERYONE").await;
    wait_for(&r, 2).await;
    let down = e.http.post(e.url(&format!("/__emulator/posts/{id}/takedown"))).send().await.unwrap();
    assert_eq!(down.status(), 204);
    let got = wait_for(&r, 3).await;
    assert!(matches!(&got[2], WebhookEvent::NoLongerPublic { publish_id, post_id: Some(_) } if *publish_id == id), "{got:?}");
    assert_eq!(e.status(&t, &id).await.1["data"]["publicaly_available_post_id"], json!([]));
    let again = e.http.post(e.url(&format!("/__emulator/posts/{id}/takedown"))).send().await.unwrap();
    assert_eq!(again.status(), 409, "no longer public");
}
