//! Injected faults, and state that survives a restart.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_5xx_for_the_next_call_then_normal_service() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.http.post(e.url("/__emulator/faults")).json(&json!({"endpoint": "creator_info", "kind": "status", "status": 503, "count": 1})).send().await.unwrap();
    let (s, b) = e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (503, Some("internal_error")));
    assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
}

#[tokio::test]
async fn rate_limit_and_slow_faults() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.hook("/faults", json!({"endpoint": "status", "kind": "rate_limit", "count": 1})).await;
    let (s, b) = e.status(&t, "whatever").await;
    assert_eq!((s, b["error"]["code"].as_str()), (429, Some("rate_limit_exceeded")));
    e.hook("/faults", json!({"endpoint": "creator_info", "kind": "slow", "delay_ms": 300, "count": 1})).await;
    let started = std::time::Instant::now();
    assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_and_drop_after_still_does_the_work() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.hook("/faults", json!({"endpoint": "init", "kind": "drop", "count": 1})).await;
    let body = json!({"post_info": {"title": "a", "privacy_level": "SELF_ONLY"},
                      "source_info": {"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1}});
    let sent = e.http.post(e.url("/v2/post/publish/video/init/")).bearer_auth(&t).json(&body).send().await;
    assert!(sent.is_err(), "expected a transport error, got {:?}", sent.map(|r| r.status()));
    let posts = e.http.get(e.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(posts.as_array().unwrap().len(), 0, "drop: nothing was done");

    e.hook("/faults", json!({"endpoint": "init", "kind": "drop_after", "count": 1})).await;
    let sent = e.http.post(e.url("/v2/post/publish/video/init/")).bearer_auth(&t).json(&body).send().await;
    assert!(sent.is_err());
    let posts = e.http.get(e.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(posts.as_array().unwrap().len(), 1, "drop_after: the init happened, the answer was lost");
}

#[tokio::test]
async fn unknown_fault_endpoints_are_refused() {
    let e = start(|_| {}).await;
    let r = e.http.post(e.url("/__emulator/faults")).json(&json!({"endpoint": "nope", "kind": "drop"})).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn hooks_are_absent_unless_enabled() {
    let e = start(|c| c.test_hooks = false).await;
    let r = e.http.get(e.url("/__emulator/posts")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_state_dir_keeps_tokens_and_half_done_uploads_across_restarts() {
    let dir = std::env::temp_dir().join(format!("emu-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let e = start(|c| c.state_dir = Some(dir.clone())).await;
    let t = e.token("open-ana").await;
    let (_, b) = e.init(&t, "x", "SELF_ONLY", 12_000_000, 6_000_000, 2).await;
    let url = b["data"]["upload_url"].as_str().unwrap().to_string();
    assert_eq!(e.put(&url, (0, 5_999_999, 12_000_000), vec![7; 6_000_000]).await.status(), 206);

    // A second emulator on the same folder: the token and the first chunk are still there.
    let e2 = start(|c| c.state_dir = Some(dir.clone())).await;
    let url2 = url.replace(&e.base, &e2.base);
    assert_eq!(e2.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
    assert_eq!(e2.put(&url2, (6_000_000, 11_999_999, 12_000_000), vec![7; 6_000_000]).await.status(), 201);
    let posts = e2.http.get(e2.url("/__emulator/posts")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(vec![7u8; 12_000_000]).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(posts[0]["sha256"], sha, "hash resumed from the bytes on disk");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn probability_zero_never_fires_and_one_always_does() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    e.hook("/faults", json!({"endpoint": "creator_info", "kind": "status", "status": 500, "probability": 0.0})).await;
    for _ in 0..5 {
        assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 200);
    }
    e.http.delete(e.url("/__emulator/faults")).send().await.unwrap();
    e.hook("/faults", json!({"endpoint": "*", "kind": "status", "status": 502, "probability": 1.0})).await;
    for _ in 0..3 {
        assert_eq!(e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await.0, 502);
    }
}

/// One account's credentials and a publish of its own, for calls made as it.
struct As {
    open_id: &'static str,
    access: String,
    refresh: String,
    publish_id: String,
    upload_url: String,
}

async fn signed_in(e: &Emu, open_id: &'static str) -> As {
    let code = e.code_for(open_id, None).await;
    let (status, t) = e.exchange(&code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{t}");
    let access = t["access_token"].as_str().unwrap().to_string();
    let (_, b) = e.init(&access, "mine", "SELF_ONLY", 1000, 1000, 1).await;
    As {
        open_id,
        refresh: t["refresh_token"].as_str().unwrap().to_string(),
        publish_id: b["data"]["publish_id"].as_str().unwrap().to_string(),
        upload_url: b["data"]["upload_url"].as_str().unwrap().to_string(),
        access,
    }
}

/// One call of each endpoint kind, made as `who`: its HTTP status (0: no answer).
async fn call(e: &Emu, case: &str, who: &As) -> u16 {
    let client = || [("client_key", e.config.client_key.clone()), ("client_secret", e.config.client_secret.clone())];
    let status = |r: Result<reqwest::Response, reqwest::Error>| r.map_or(0, |r| r.status().as_u16());
    match case {
        "user_info" => status(e.http.get(e.url("/v2/user/info/?fields=open_id")).bearer_auth(&who.access).send().await),
        "creator_info" => e.api(&who.access, "/v2/post/publish/creator_info/query/", json!({})).await.0,
        "init" => e.init(&who.access, "again", "SELF_ONLY", 1000, 1000, 1).await.0,
        "inbox_init" => {
            let source = json!({ "source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1 });
            e.api(&who.access, "/v2/post/publish/inbox/video/init/", json!({ "source_info": source })).await.0
        }
        "status" => e.status(&who.access, &who.publish_id).await.0,
        "upload" => e.put(&who.upload_url, (0, 999, 1000), vec![1; 1000]).await.status().as_u16(),
        // The form is read to find the account, then handed on: the exchange still works.
        "code" => e.exchange(&e.code_for(who.open_id, None).await, VERIFIER, REDIRECT).await.0,
        "refresh" => e.refresh(&who.refresh).await.0,
        "revoke" => {
            let mut form = client().to_vec();
            form.push(("token", who.access.clone()));
            status(e.http.post(e.url("/v2/oauth/revoke/")).form(&form).send().await)
        }
        other => panic!("no case {other}"),
    }
}

async fn faults_of(e: &Emu, open_id: &str) -> Vec<serde_json::Value> {
    e.http.get(e.url(&format!("/__emulator/faults?open_id={open_id}"))).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn an_account_scoped_fault_hits_only_its_account_on_each_endpoint() {
    let e = start(|_| {}).await;
    let bea = json!({
        "open_id": "open-bea", "union_id": "union-open-bea", "username": "bea", "nickname": "Bea",
        "avatar_url": "https://p16.tiktokcdn.example/bea.jpeg", "kind": "creator", "private": false,
        "max_video_post_duration_sec": 600,
    });
    e.hook("/accounts", bea).await;
    let (ana, bea) = (signed_in(&e, "open-ana").await, signed_in(&e, "open-bea").await);
    // Revoke last: it ends the tokens the other calls use.
    let cases = [
        ("user_info", "user_info", 200),
        ("creator_info", "creator_info", 200),
        ("init", "init", 200),
        ("inbox_init", "inbox_init", 200),
        ("status", "status", 200),
        ("upload", "upload", 201),
        ("token", "code", 200),
        ("token", "refresh", 200),
        ("revoke", "revoke", 200),
    ];
    for (endpoint, case, fine) in cases {
        e.hook("/faults", json!({ "endpoint": endpoint, "kind": "status", "status": 503, "count": 1, "open_id": "open-bea" })).await;
        assert_eq!(call(&e, case, &ana).await, fine, "{case}: another account's fault passes ana by");
        assert_eq!(faults_of(&e, "open-bea").await.len(), 1, "{case}: still armed");
        assert_eq!(call(&e, case, &bea).await, 503, "{case}: bea's call meets bea's fault");
        assert!(faults_of(&e, "open-bea").await.is_empty(), "{case}: spent");
    }
    // Dead tokens still name their account: bea's revoked token meets bea's fault (else 401).
    e.hook("/faults", json!({ "endpoint": "*", "kind": "status", "status": 503, "open_id": "open-bea" })).await;
    assert_eq!(call(&e, "creator_info", &ana).await, 401, "ana's revoked token: no fault, refused");
    assert_eq!(call(&e, "creator_info", &bea).await, 503);
    assert_eq!(call(&e, "status", &bea).await, 503, "`*` names every endpoint of bea's");
    // The consent page has no account: only a global fault reaches it, and a scoped one is refused.
    let r = e.http.post(e.url("/__emulator/faults")).json(&json!({ "endpoint": "authorize", "kind": "drop", "open_id": "open-bea" })).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let page = e.http.get(e.url("/v2/auth/authorize/?client_key=nope")).send().await.unwrap();
    assert_eq!(page.status(), 400, "the `*` fault of bea's passes the consent page by (its own answer, no 503)");
}

#[tokio::test]
async fn faults_are_listed_and_cleared_by_account() {
    let e = start(|_| {}).await;
    for f in [
        json!({ "endpoint": "creator_info", "kind": "rate_limit" }),
        json!({ "endpoint": "init", "kind": "drop", "open_id": "open-ana" }),
        json!({ "endpoint": "init", "kind": "drop", "open_id": "open-bea" }),
        json!({ "endpoint": "webhook", "kind": "drop", "open_id": "open-bea" }),
    ] {
        e.hook("/faults", f).await;
    }
    let all = || async { e.http.get(e.url("/__emulator/faults")).send().await.unwrap().json::<Vec<serde_json::Value>>().await.unwrap() };
    assert_eq!(all().await.len(), 4);
    let bea = faults_of(&e, "open-bea").await;
    assert_eq!(bea.len(), 2);
    assert!(bea.iter().all(|f| f["open_id"] == "open-bea"), "{bea:?}");
    assert_eq!(e.http.delete(e.url("/__emulator/faults?open_id=open-bea")).send().await.unwrap().status(), 204);
    assert!(faults_of(&e, "open-bea").await.is_empty());
    let left = all().await;
    assert_eq!(left.len(), 2, "the global fault and ana's stay: {left:?}");
    assert_eq!(faults_of(&e, "open-ana").await.len(), 1);
    e.http.delete(e.url("/__emulator/faults")).send().await.unwrap();
    assert!(all().await.is_empty(), "no open_id: every fault");
}

#[tokio::test]
async fn a_token_form_too_long_to_read_for_its_account_is_handed_on_whole() {
    let e = start(|_| {}).await;
    e.hook("/faults", json!({ "endpoint": "token", "kind": "status", "status": 503, "count": 1, "open_id": "open-ana" })).await;
    let code = e.code_for("open-ana", None).await;
    let pad = "x".repeat(40_000);
    let form = [
        ("client_key", e.config.client_key.as_str()),
        ("client_secret", e.config.client_secret.as_str()),
        ("code", code.as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("pad", pad.as_str()),
    ];
    let (status, t) = Emu::json(e.http.post(e.url("/v2/oauth/token/")).form(&form).send().await.unwrap()).await;
    assert_eq!(status, 200, "past the peek limit the account is unknown, and the body reaches the handler whole: {t}");
    assert_eq!(faults_of(&e, "open-ana").await.len(), 1, "so ana's fault is not met");
}
