//! How much one client may ask (issue "Limits"), tried over HTTP as an attacker would: rate
//! limits (429 with `Retry-After`), the token exchange bound to the browser that started it,
//! the account's caps (422), CSP reports bounded, R2 cleaned on cancel, a stalled part (408),
//! no object call without a session, and no test or bench route in the deploy bundle.
//!
//! The per-address limits are counted under an address of each session's own (`Session::new`,
//! through a header only the test build honours), so these floods never spend the budget of
//! the rest of the suite, nor the browsers' on 127.0.0.1.

use futures::StreamExt;
use letspost_core::limits::{OAUTH, REPORTS, TEST_ADDRESS_HEADER, WRITES};
use letspost_e2e::api::{Answer, Session, VERIFIER, fresh_state, mint_code, new_account, redirect_uri};
use letspost_e2e::cron::test_hook;
use letspost_e2e::local_r2;
use letspost_e2e::posts::{caption, new_post, unique_video};
use letspost_e2e::{app_url, emulator_url, http};
use post_lifecycle::caps::MAX_WAITING_POSTS;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tiktok_rules::media::MAX_SIZE_BYTES;
use tiktok_rules::oauth::CODE_MAX_LEN;

/// A creator connected under an address of the test's own.
async fn creator(label: &str) -> (Session, String) {
    let account = new_account(label, "creator").await;
    let s = Session::new();
    let r = s.connect(&account).await;
    assert_eq!(r.status, 200, "{}", r.body);
    (s, account)
}

/// A 429 as the API promises it: the error shape, `rate_limited`, a sentence, `Retry-After`.
fn assert_rate_limited(a: &Answer, what: &str) {
    assert_eq!(a.status, 429, "{what}: {}", a.body);
    assert_eq!(a.body["error"]["code"], "rate_limited", "{what}: {}", a.body);
    assert!(a.body["error"]["message"].as_str().is_some_and(|m| m.contains("Try again in")), "{what}: {}", a.body);
    let retry = a.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{what}: Retry-After {:?}", a.headers.get("retry-after"));
}

/// Token exchanges TikTok (the emulator) received with a code starting with `prefix`.
async fn tiktok_saw(prefix: &str) -> u64 {
    let url = format!("{}/__emulator/calls/token?code_prefix={prefix}", emulator_url());
    let v: Value = http().get(url).send().await.unwrap().json().await.unwrap();
    v["count"].as_u64().unwrap()
}

#[tokio::test]
async fn fifty_creates_in_a_row_pass_and_a_flood_meets_429() {
    let (s, account) = creator("limits").await;
    let label = caption("batch");
    for i in 0..50 {
        let r = s.post("/api/posts", new_post(&account, &format!("{label} {i}"), 5_000_000)).await;
        assert_eq!(r.status, 201, "create {i} of a batch of 50: {}", r.body);
    }
    // A flood from the same session, eight at a time: refused within the limit's budget (two
    // windows at most).
    let mut refused = None;
    let mut sent = 0;
    while refused.is_none() && sent < 2 * WRITES.limit {
        let wave = (0..8).map(|k| s.post("/api/posts", new_post(&account, &format!("{label} flood {}", sent + k), 5_000_000)));
        for r in futures::future::join_all(wave).await {
            assert!(r.status == 201 || r.status == 429, "flood: {} {}", r.status, r.body);
            if r.status == 429 {
                refused = Some(r);
            }
        }
        sent += 8;
    }
    let refused = refused.expect("a flood of creates meets the limit");
    assert_rate_limited(&refused, "create");
    // Another browser's budget is its own.
    let other = Session::new();
    assert_eq!(other.connect(&account).await.status, 200);
    assert_eq!(other.post("/api/posts", new_post(&account, &format!("{label} other"), 5_000_000)).await.status, 201);
}

#[tokio::test]
async fn junk_token_exchanges_meet_429_and_tiktok_sees_only_those_under_the_limit() {
    let run = fresh_state();
    // Without a start of this browser's: refused before TikTok, then rate-limited.
    let anonymous = Session::new();
    // A window of the binding may end mid-flood: up to two windows' worth before a 429.
    let mut answers: Vec<Answer> = Vec::new();
    for i in 0..(2 * OAUTH.limit + 1) {
        let junk = format!("junk-{run}-anon-{i}");
        answers
            .push(anonymous.post("/api/oauth/token", json!({ "code": junk, "code_verifier": VERIFIER, "redirect_uri": redirect_uri(), "state": run })).await);
        if answers.last().unwrap().status == 429 {
            break;
        }
    }
    assert!(answers.iter().all(|a| a.status == 400 || a.status == 429), "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    assert!(answers.iter().take(OAUTH.limit as usize / 2).all(|a| a.body["error"]["code"] == "invalid_request"));
    assert_rate_limited(answers.iter().rev().find(|a| a.status == 429).expect("the flood met the limit"), "token without a start");
    assert_eq!(tiktok_saw(&format!("junk-{run}-anon-")).await, 0, "nothing reached TikTok");

    // With a start each (an attacker following the protocol): only the exchanges under the
    // limit reach TikTok, and the rest are 429.
    let bound = Session::new();
    let (mut sent, mut limited) = (0u64, 0u64);
    for i in 0..(2 * OAUTH.limit + 1) {
        if limited > 0 {
            break;
        }
        let state = fresh_state();
        let body = json!({ "state": state, "code_challenge": tiktok_rules::pkce::challenge(VERIFIER, tiktok_rules::pkce::ChallengeEncoding::Base64url) });
        let started = bound.post("/api/oauth/start", body).await;
        if started.status == 429 {
            assert_rate_limited(&started, "start");
            limited += 1;
            continue;
        }
        assert_eq!(started.status, 204, "{}", started.body);
        let a = bound.exchange_for(&format!("junk-{run}-bound-{i}"), &state).await;
        match a.status {
            429 => {
                assert_rate_limited(&a, "token");
                limited += 1;
            }
            400 => {
                assert_eq!(a.body["error"]["code"], "invalid_grant", "TikTok refused the junk code: {}", a.body);
                sent += 1;
            }
            other => panic!("exchange {i}: {other} {}", a.body),
        }
    }
    assert!(limited > 0, "the flood met the limit");
    assert_eq!(tiktok_saw(&format!("junk-{run}-bound-")).await, sent, "TikTok saw exactly the exchanges under the limit");
}

#[tokio::test]
async fn an_exchange_without_the_browsers_binding_is_refused_before_tiktok() {
    let account = new_account("binding", "creator").await;
    let code = mint_code(&account).await;
    let browser = Session::new();
    let elsewhere = Session::new();
    let refused = |a: &Answer, what: &str| {
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (400, Some("invalid_request")), "{what}: {}", a.body);
    };
    // No start at all.
    refused(&browser.exchange_for(&code, &fresh_state()).await, "no start");
    // Another browser's state, without its cookie.
    let theirs = elsewhere.start_sign_in().await;
    refused(&browser.exchange_for(&code, &theirs).await, "another browser's state");
    // This browser's cookie, a state it never started.
    let mine = browser.start_sign_in().await;
    refused(&browser.exchange_for(&code, &fresh_state()).await, "a state not started");
    // The right cookie and state, a verifier that does not answer the challenge: used up.
    let wrong = json!({ "code": code, "code_verifier": "w".repeat(43), "redirect_uri": redirect_uri(), "state": mine });
    refused(&browser.post("/api/oauth/token", wrong).await, "a wrong verifier");
    refused(&browser.exchange_for(&code, &mine).await, "a start used once");
    // A code longer than TikTok's is refused unread.
    let long = browser.start_sign_in().await;
    refused(&browser.exchange_for(&"c".repeat(CODE_MAX_LEN + 1), &long).await, "a code longer than TikTok's");
    assert_eq!(tiktok_saw(&code).await, 0, "none of these reached TikTok");
    // The real thing passes, once: the code was still unspent.
    let ok = browser.exchange(&code).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(tiktok_saw(&code).await, 1);
    // The start cookie is cleared by the exchange; the session cookie stays.
    assert!(browser.cookie().is_some());
    assert!(!browser.cookie_header().unwrap_or_default().contains("letspost_oauth="), "{:?}", browser.cookie_header());
}

/// `count` scheduled posts of `size` bytes for `account`, made straight in their objects (the
/// test hook, a hundred a call): they count against the caps as any post.
async fn fill(account: &str, count: usize, size: u64) {
    let mut left = count;
    while left > 0 {
        let n = left.min(100);
        let r = test_hook("posts", json!({ "account": account, "count": n, "publish_in_ms": 29 * 86_400_000u64, "video_size": size })).await;
        assert_eq!(r["ids"].as_array().map(Vec::len), Some(n), "{r}");
        left -= n;
    }
}

#[tokio::test]
async fn an_account_s_caps_are_refused_with_422_naming_them() {
    // Waiting posts.
    let (s, account) = creator("capposts").await;
    fill(&account, MAX_WAITING_POSTS - 1, 1_000_000).await;
    let last = s.post("/api/posts", new_post(&account, &caption("the last room"), 1_000_000)).await;
    assert_eq!(last.status, 201, "{}", last.body);
    let over = s.post("/api/posts", new_post(&account, &caption("one too many"), 1_000_000)).await;
    assert_eq!((over.status, over.body["error"]["code"].as_str()), (422, Some("too_many_waiting_posts")), "{}", over.body);
    assert!(over.body["error"]["message"].as_str().unwrap().contains(&format!("{MAX_WAITING_POSTS} posts waiting")), "{}", over.body);
    // Cancelling one makes room again.
    let id = last.body["post"]["id"].as_str().unwrap();
    assert_eq!(s.delete(&format!("/api/posts/{id}")).await.status, 200);
    assert_eq!(s.post("/api/posts", new_post(&account, &caption("room again"), 1_000_000)).await.status, 201);

    // Staged bytes: 347 of the largest videos are 99.8 GB of the 100 GB.
    let (s, account) = creator("capbytes").await;
    fill(&account, 347, MAX_SIZE_BYTES).await;
    let big = s.post("/api/posts", new_post(&account, &caption("too big"), MAX_SIZE_BYTES as usize)).await;
    assert_eq!(
        (big.status, big.body["error"]["code"].as_str(), big.body["error"]["field"].as_str()),
        (422, Some("staged_bytes_limit"), Some("video_size")),
        "{}",
        big.body
    );
    assert!(big.body["error"]["message"].as_str().unwrap().contains("100.0 GB"), "{}", big.body);
    assert_eq!(s.post("/api/posts", new_post(&account, &caption("fits"), 100_000_000)).await.status, 201, "what still fits passes");
}

/// Lines of the Worker's log holding `marker`.
fn logged_lines(marker: &str) -> usize {
    let dir = std::path::PathBuf::from(std::env::var("LETSPOST_SERVICE_LOGS").expect("LETSPOST_SERVICE_LOGS"));
    let text = std::fs::read_to_string(dir.join("wrangler-dev.log")).unwrap_or_default();
    text.lines().filter(|l| l.contains(marker)).count()
}

fn report_post(address: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    http().post(format!("{}/api/csp-report", app_url())).header("Content-Type", "application/reports+json").header(TEST_ADDRESS_HEADER, address).body(body)
}

#[tokio::test]
async fn a_700_violation_report_logs_at_most_five_lines_and_reports_are_rate_limited() {
    // The guard host (service_logs.rs lets the suite's own reports through) and a marker.
    let marker = format!("flood{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % (1 << 40));
    let guard = json!({ "type": "csp-violation", "body": { "documentURL": "https://app.example/compose", "effectiveDirective": "img-src",
        "blockedURL": format!("{}/{marker}/{}", letspost_e2e::csp::GUARD_HOST, "x".repeat(600)) } });
    let small = json!({ "type": "csp-violation", "body": { "effectiveDirective": marker } });
    let mut all = vec![guard.clone(); 5];
    all.extend(std::iter::repeat_n(small, 695));
    let body = serde_json::to_vec(&all).unwrap();
    assert!(body.len() <= 64 * 1024, "{} bytes", body.len());
    let address = Session::fresh_address();
    let r = report_post(&address, body).send().await.unwrap();
    assert_eq!(r.status(), 204);
    // wrangler prints what workerd logs a moment later.
    let deadline = Instant::now() + Duration::from_secs(15);
    while logged_lines(&marker) < 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(logged_lines(&marker), 5, "at most five lines per report");
    let text = std::fs::read_to_string(std::path::PathBuf::from(std::env::var("LETSPOST_SERVICE_LOGS").unwrap()).join("wrangler-dev.log")).unwrap();
    let line = text.lines().find(|l| l.contains(&marker)).unwrap();
    let json: Value = serde_json::from_str(&line[line.find("{\"level\":").unwrap()..=line.rfind('}').unwrap()]).unwrap();
    assert_eq!(json["blocked"].as_str().unwrap().chars().count(), letspost_core::csp_report::FIELD_MAX, "fields are cut: {json}");

    // Reports from one address are rate-limited (each alone a small, valid report).
    let one = serde_json::to_vec(&vec![guard]).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..(2 * REPORTS.limit + 1) {
        let r = report_post(&address, one.clone()).send().await.unwrap();
        statuses.push((r.status().as_u16(), r.headers().get("retry-after").cloned()));
        if r.status() == 429 {
            break;
        }
    }
    let limited = statuses.iter().find(|(s, _)| *s == 429).expect("reports meet the limit");
    assert!(limited.1.is_some(), "Retry-After on the 429");
}

/// The key a post's video is staged under in R2.
fn r2_key(id: &str) -> String {
    format!("posts/{id}")
}

/// Wait until R2 holds nothing for `key` and none of `blobs` is left on disk.
async fn assert_r2_empty(key: &str, blobs: &[local_r2::Blob], what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (objects, parts, bytes) = (local_r2::objects(key), local_r2::parts(key), local_r2::bytes_on_disk(blobs));
        if objects.is_empty() && parts.is_empty() && bytes == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: R2 still holds {} objects, {} parts, {bytes} bytes of {key}", objects.len(), parts.len());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A post of `size` bytes with its first part staged; (id, the part's blobs).
async fn half_staged(s: &Session, account: &str, size: usize) -> (String, Vec<local_r2::Blob>) {
    let video = unique_video(size - unique_video(0).len());
    let created = s.post("/api/posts", new_post(account, &caption("half staged"), video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let part = created.body["upload"]["chunk_size"].as_u64().unwrap() as usize;
    let r = s.put_part(&format!("/api/posts/{id}/media"), &video, 0, part - 1).await;
    assert_eq!(r.status, 206, "{}", r.body);
    let parts = local_r2::parts(&r2_key(&id));
    assert_eq!(parts.len(), 1, "the first part is in R2");
    assert_eq!(local_r2::bytes_on_disk(&parts), part as u64, "and on disk");
    (id, parts)
}

#[tokio::test]
async fn a_half_staged_post_cancelled_leaves_nothing_in_r2() {
    let (s, account) = creator("r2cancel").await;
    let (id, blobs) = half_staged(&s, &account, 45_000_000).await;
    let cancelled = s.delete(&format!("/api/posts/{id}")).await;
    assert_eq!(cancelled.body["post"]["state"], "cancelled", "{}", cancelled.body);
    assert_r2_empty(&r2_key(&id), &blobs, "cancelled by the creator").await;
    // A part arriving after the cancel stores nothing.
    let late = s.put_raw(&format!("/api/posts/{id}/media"), "bytes 20000000-39999999/45000000", vec![0; 20_000_000]).await;
    assert_ne!(late.status / 100, 2, "{}", late.body);
    assert_r2_empty(&r2_key(&id), &blobs, "after a late part").await;

    // Disconnecting the account cancels its half-staged posts the same way.
    let (id, blobs) = half_staged(&s, &account, 25_000_000).await;
    assert_eq!(s.delete(&format!("/api/accounts/{account}")).await.status, 204);
    assert_r2_empty(&r2_key(&id), &blobs, "cancelled by a disconnect").await;
}

#[tokio::test]
async fn a_stalled_part_gets_408_and_the_upload_then_resumes() {
    let (s, account) = creator("stall").await;
    // Two parts, the second 600 KB: it has the shortest time a part gets (30 s).
    let video = unique_video(post_lifecycle::staging::PART_SIZE as usize + 600_000 - unique_video(0).len());
    let created = s.post("/api/posts", new_post(&account, &caption("stalled part"), video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let url = format!("/api/posts/{id}/media");
    let part = created.body["upload"]["chunk_size"].as_u64().unwrap() as usize;
    assert_eq!(s.put_part(&url, &video, 0, part - 1).await.status, 206, "the first part is whole");
    // The second part: its first 100 KB, then nothing more.
    let last = video.len() - 1;
    let first = bytes::Bytes::copy_from_slice(&video[part..part + 100_000]);
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(first)]).chain(futures::stream::pending());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
    let began = Instant::now();
    let resp = client
        .put(format!("{}{url}", app_url()))
        .header("Cookie", s.cookie_header().unwrap())
        .header("Origin", app_url())
        .header("Content-Range", format!("bytes {part}-{last}/{}", video.len()))
        .header("Content-Length", (last + 1 - part).to_string())
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("the Worker answers a stalled part");
    let waited = began.elapsed();
    assert_eq!(resp.status(), 408, "after {waited:?}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    let time = Duration::from_millis(post_lifecycle::staging::PART_MIN_MS);
    assert!(waited >= time && waited < time * 3, "given up after {waited:?}");
    // Resumable from its last whole part.
    assert_eq!(s.get(&url).await.body["received_bytes"], part as u64);
    let done = s.put_part(&url, &video, part, last).await;
    assert_eq!(done.status, 201, "{}", done.body);
    assert_eq!(done.body["post"]["state"], "scheduled");
}

#[tokio::test]
async fn a_request_without_a_session_makes_no_object_call() {
    let calls = |a: &Answer| a.headers.get("x-letspost-object-calls").and_then(|v| v.to_str().ok()).map(|v| v.parse::<u32>().unwrap());
    let anonymous = Session::new();
    let id = "AAAAAAAAAAAAAAAAAAAAAA";
    let lists = [(reqwest::Method::GET, "/api/posts".to_string()), (reqwest::Method::GET, "/api/accounts".to_string())];
    for (method, path) in letspost_e2e::api::post_routes(id).into_iter().chain(lists) {
        let origin = app_url();
        let a = anonymous.send_with(method.clone(), &path, Some(&origin), |r| r.header("Content-Range", "bytes 0-0/1").json(&json!({}))).await;
        assert!(a.status == 404 || a.status == 200 || a.status == 400, "{method} {path}: {}", a.status);
        assert_eq!(calls(&a), Some(0), "{method} {path} without a session made object calls");
    }
    // What the per-address limits count the rest of the suite as: wrangler dev passes the
    // connection's address to the Worker as Cloudflare does.
    let seen: Value = http().get(format!("{}/api/test/client-address", app_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen["cf_connecting_ip"], "127.0.0.1", "{seen}");
    // The counter counts: a session's own read of a post calls objects.
    let (s, account) = creator("nocall").await;
    let created = s.post("/api/posts", new_post(&account, &caption("counted"), 1_000_000)).await;
    let mine = s.get(&format!("/api/posts/{}", created.body["post"]["id"].as_str().unwrap())).await;
    assert_eq!(mine.status, 200);
    assert!(calls(&mine).is_some_and(|n| n >= 2), "{:?}", calls(&mine));
}

#[test]
fn the_deploy_bundle_holds_no_test_or_bench_route() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    // Names only the test and bench routes put in a bundle (`crates/xtask/src/deploy_check.rs`).
    let markers = ["fail-next-media-put", "drop-next-create-answer", "/test/scheduled", "X-LetsPost-Object-Calls", "bench route"];
    let holds = |dir: &std::path::Path| -> Vec<&str> {
        let mut bytes = std::fs::read(dir.join("index_bg.wasm")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        bytes.extend(std::fs::read(dir.join("index.js")).unwrap());
        markers.into_iter().filter(|m| bytes.windows(m.len()).any(|w| w == m.as_bytes())).collect()
    };
    // The Worker this suite runs is a test build: the check can see them.
    assert_eq!(holds(&root.join("worker/build")), markers.to_vec(), "the test build holds the test routes");
    // `cargo xtask build`'s Worker, built apart so the running one is untouched.
    // Without the suite's RUSTC_BOOTSTRAP=1 (libtest's --report-time): proc-macro2's build
    // script reads it, so with it cargo rebuilt xtask and its macros here (~30 CPU-s) and again
    // in the next run's first cargo command.
    let out = std::process::Command::new(env!("CARGO"))
        .env_remove("RUSTC_BOOTSTRAP")
        .current_dir(&root)
        .args(["xtask", "build", "--worker-out", "../target/deploy-bundle"])
        .output()
        .expect("cargo xtask build");
    assert!(out.status.success(), "cargo xtask build --worker-out failed:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(holds(&root.join("target/deploy-bundle")), Vec::<&str>::new(), "the deploy bundle holds test or bench routes");
}
