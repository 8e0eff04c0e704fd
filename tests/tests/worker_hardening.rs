//! Hardening over HTTP: the security headers on pages, assets and API answers; an idempotent
//! create and retry (`Idempotency-Key`), also when the first answer is lost; limits and the
//! pinned error shape for every malformed request to a write endpoint.

use letspost_e2e::api::{Answer, Session, connected_creator, emulator_patch_account};
use letspost_e2e::cron::assert_fault_fired;
use letspost_e2e::posts::{arm_worker_fault, caption, new_post, sha256_hex, tiktok_posts, unique_video};
use letspost_e2e::{app_url, http};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header in {h:?}"))
}

async fn fetch(path: &str) -> reqwest::Response {
    http().get(format!("{}{path}", app_url())).send().await.unwrap()
}

#[tokio::test]
async fn pages_and_assets_carry_the_security_headers() {
    let home = fetch("/").await;
    let html = home.text().await.unwrap();
    let pkg = html.split("src=\"/pkg/").nth(1).and_then(|s| s.split('/').next()).expect("the build's folder in index.html");
    let pages = ["/", "/compose", "/posts", "/accounts", "/oauth/callback?code=c&state=s", "/no/such/page"];
    let assets = [
        "/style.css".to_string(),
        "/favicon.svg".to_string(),
        format!("/pkg/{pkg}/letspost.js"),
        format!("/pkg/{pkg}/letspost_bg.wasm"),
        format!("/pkg/{pkg}/boot.js"),
    ];
    for path in pages.iter().map(|p| p.to_string()).chain(assets) {
        let r = fetch(&path).await;
        let want = if path == "/no/such/page" { 404 } else { 200 };
        assert_eq!(r.status().as_u16(), want, "{path}");
        let h = r.headers();
        let csp = header(h, "content-security-policy");
        assert!(csp.starts_with(CSP), "{path}: {csp}");
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "img-src 'self' data: blob: https://*.tiktokcdn.com",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} not in {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{path}: {csp}");
        assert_eq!(header(h, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(h, "x-frame-options"), "DENY", "{path}");
        let referrer = if path.starts_with("/oauth/callback") { "no-referrer" } else { "strict-origin-when-cross-origin" };
        assert_eq!(header(h, "referrer-policy"), referrer, "{path}");
        assert!(header(h, "permissions-policy").contains("camera=()"), "{path}");
        assert_eq!(header(h, "cross-origin-opener-policy"), "same-origin", "{path}");
        // Plain HTTP on localhost: HSTS would only be ignored, and must not pin localhost.
        assert!(h.get("strict-transport-security").is_none(), "{path}: HSTS on localhost");
    }
    // The pages carry no inline script for the policy to refuse.
    for path in pages {
        let body = fetch(path).await.text().await.unwrap();
        assert!(!body.contains("<script>") && !body.contains("<script type=\"module\">"), "{path} has an inline script");
    }
    // Any other host (as a deployment's) gets HSTS.
    let deployed = http().get(format!("{}/", app_url())).header("Host", "letspost.example").send().await.unwrap();
    assert_eq!(header(deployed.headers(), "strict-transport-security"), "max-age=31536000; includeSubDomains");
    // The rules file itself is not served.
    assert_eq!(fetch("/_headers").await.status().as_u16(), 404);
}

#[tokio::test]
async fn api_answers_carry_nosniff_no_store_and_no_framing() {
    let s = Session::new();
    let answers = [
        s.get("/api/health").await,
        s.get("/api/no-such-thing").await,
        s.get("/api/posts/AAAAAAAAAAAAAAAAAAAAAA").await,
        s.post("/api/posts", json!({})).await,
    ];
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(header(&a.headers, "x-content-type-options"), "nosniff", "answer {i}");
        assert_eq!(header(&a.headers, "cache-control"), "no-store", "answer {i}");
        assert_eq!(header(&a.headers, "x-frame-options"), "DENY", "answer {i}");
        assert!(header(&a.headers, "content-security-policy").contains("frame-ancestors 'none'"), "answer {i}");
    }
}

/// `POST /api/posts` from the app's page with `key`.
async fn create_keyed(s: &Session, body: &Value, key: &str) -> Answer {
    let (body, origin) = (body.clone(), s.base());
    s.send_with(Method::POST, "/api/posts", Some(&origin), move |r| r.header("Idempotency-Key", key).json(&body)).await
}

fn mine<'a>(posts: &'a Value, cap: &str) -> Vec<&'a Value> {
    posts["posts"].as_array().unwrap().iter().filter(|p| p["caption"] == cap).collect()
}

#[tokio::test]
async fn a_retried_create_answers_with_the_same_post() {
    let (s, account) = connected_creator("idem").await;
    let video = unique_video(1_100);
    let cap = caption("made once");
    let body = new_post(&account, &cap, video.len());
    let first = create_keyed(&s, &body, "key-one").await;
    assert_eq!(first.status, 201, "{}", first.body);
    // Spacing and key order don't make another request: the parsed body is compared.
    let again = create_keyed(&s, &body, "key-one").await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body["post"]["id"], first.body["post"]["id"]);
    assert_eq!(again.body["upload"], first.body["upload"]);
    let quoted = create_keyed(&s, &body, "\"key-one\"").await;
    assert_eq!(quoted.body["post"]["id"], first.body["post"]["id"], "the structured-field form of the same key");
    // The same key with another body: refused, nothing made.
    let mut other = body.clone();
    other["caption"] = json!(format!("{cap} (changed)"));
    let reused = create_keyed(&s, &other, "key-one").await;
    assert_eq!((reused.status, reused.body["error"]["code"].as_str()), (422, Some("idempotency_key_reused")), "{}", reused.body);
    // A key over 255 characters.
    let long = create_keyed(&s, &body, &"k".repeat(256)).await;
    assert_eq!((long.status, long.body["error"]["code"].as_str()), (400, Some("idempotency_key_invalid")), "{}", long.body);
    // Another session's same key is another request.
    let (s2, account2) = connected_creator("idem2").await;
    let theirs = create_keyed(&s2, &new_post(&account2, &cap, video.len()), "key-one").await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    assert_ne!(theirs.body["post"]["id"], first.body["post"]["id"]);
    assert_eq!(mine(&s.get("/api/posts").await.body, &cap).len(), 1);
    // Staged and published once.
    let staged = s.stage(&again.body, &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = first.body["post"]["id"].as_str().unwrap();
    s.wait_state(id, &["published"], Duration::from_secs(60)).await;
    // Asked again after it published: still the same post, not a new one.
    let late = create_keyed(&s, &body, "key-one").await;
    assert_eq!((late.status, late.body["post"]["state"].as_str()), (201, Some("published")), "{}", late.body);
    assert_eq!(mine(&s.get("/api/posts").await.body, &cap).len(), 1);
    assert_eq!(tiktok_posts(&cap).await.len(), 1, "published once");
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_retried_by_a_script_and_made_once() {
    let (s, account) = connected_creator("lost").await;
    let video = unique_video(1_700);
    let cap = caption("lost answer over http");
    let body = new_post(&account, &cap, video.len());
    arm_worker_fault("drop-next-create-answer", &cap).await;
    let origin = s.base();
    let b = body.clone();
    let lost = s.try_send_with(Method::POST, "/api/posts", Some(&origin), move |r| r.header("Idempotency-Key", "lost-1").json(&b)).await;
    assert!(lost.is_err() || lost.as_ref().is_ok_and(|a| a.body.is_null()), "the first answer arrived whole: {:?}", lost.map(|a| a.body));
    assert_fault_fired("drop-next-create-answer", &cap).await;
    // The script retries with the same key and gets the post the first request made.
    let retried = create_keyed(&s, &body, "lost-1").await;
    assert_eq!(retried.status, 201, "{}", retried.body);
    assert_eq!(mine(&s.get("/api/posts").await.body, &cap).len(), 1, "exactly one post");
    s.stage(&retried.body, &video).await;
    s.wait_linked(retried.body["post"]["id"].as_str().unwrap(), Duration::from_secs(60)).await;
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1, "{at_tiktok:?}");
    assert_eq!(at_tiktok[0]["sha256"], sha256_hex(&video));
}

#[tokio::test]
async fn a_retry_with_a_key_is_carried_out_once() {
    let (s, account) = connected_creator("idemretry").await;
    let video = unique_video(1_300);
    let cap = caption("retried once");
    // TikTok refuses the creator after the create and before staging: the upload can't start
    // first (it was scheduled 40 s ahead to dodge that race).
    let created = s.post("/api/posts", new_post(&account, &cap, video.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    emulator_patch_account(&account, json!({ "cannot_post": "reached_active_user_cap" })).await;
    assert_eq!(s.stage(&created.body, &video).await.status, 201);
    s.wait_state(&id, &["failed"], Duration::from_secs(60)).await;
    emulator_patch_account(&account, json!({ "cannot_post": null })).await;
    let retry = |key: &'static str| {
        let (s, path, origin) = (s.clone(), format!("/api/posts/{id}/retry"), s.base());
        async move { s.send_with(Method::POST, &path, Some(&origin), move |r| r.header("Idempotency-Key", key).json(&json!({}))).await }
    };
    let first = retry("retry-1").await;
    assert_eq!((first.status, first.body["post"]["state"].as_str()), (200, Some("scheduled")), "{}", first.body);
    let again = retry("retry-1").await;
    assert_eq!(again.status, 200, "the same key answers with the post: {}", again.body);
    // A new key is a new press: the post is no longer failed, so it is refused as before.
    assert_eq!(retry("retry-2").await.status, 409);
    s.wait_state(&id, &["published"], Duration::from_secs(60)).await;
    let p = tiktok_posts(&cap).await;
    assert_eq!(p.iter().filter(|p| p["published"] == true).count(), 1, "{p:?}");
}

/// Every answer to a malformed request: its status and the pinned error shape, never a 500.
fn assert_refused(a: &Answer, status: u16, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.body);
    assert!(a.body["error"]["code"].as_str().is_some_and(|c| !c.is_empty()), "{what}: {}", a.body);
    assert!(a.body["error"]["message"].as_str().is_some_and(|m| m.ends_with('.')), "{what}: {}", a.body);
}

#[tokio::test]
async fn malformed_requests_to_each_write_endpoint_get_the_error_shape() {
    let (s, account) = connected_creator("malformed").await;
    let video = unique_video(600);
    let created = s.post("/api/posts", new_post(&account, &caption("target"), video.len())).await;
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    // (what, body, status) for each endpoint; each body is malformed for that endpoint's shape.
    let common = |huge: &str| -> Vec<(&'static str, Vec<u8>, u16)> {
        vec![
            ("huge numbers", huge.as_bytes().to_vec(), 400),
            ("not UTF-8", b"{\"caption\": \"\xff\xfe\"}".to_vec(), 400),
            ("not JSON", b"<xml/>".to_vec(), 400),
            ("empty", Vec::new(), 400),
            ("over 64 KiB", format!(r#"{{"caption": "{}"}}"#, "x".repeat(70_000)).into_bytes(), 413),
        ]
    };
    let token = {
        let mut t = common(r#"{"code": 1e400, "code_verifier": "v", "redirect_uri": "r"}"#);
        t.push(("wrong types", br#"{"code": [], "code_verifier": {}, "redirect_uri": 1}"#.to_vec(), 400));
        t.push(("missing fields", b"{}".to_vec(), 400));
        t.push(("duplicate keys", br#"{"code": "a", "code": "b", "code_verifier": "v", "redirect_uri": "r"}"#.to_vec(), 400));
        t
    };
    let create = {
        let huge = new_post(&account, "x", 1).to_string().replace("\"video_size\":1", "\"video_size\":123456789012345678901234567890");
        let mut c = common(&huge);
        c.push(("wrong types", json!({ "account": 5, "video_size": "big", "publish_at": 7 }).to_string().into_bytes(), 400));
        c.push(("missing fields", b"{}".to_vec(), 400));
        c.push(("negative size", new_post(&account, "x", 1).to_string().replace("\"video_size\":1", "\"video_size\":-1").into_bytes(), 400));
        c.push(("duplicate keys", new_post(&account, "x", 1).to_string().replace("{", "{\"video_size\":2,").into_bytes(), 400));
        c
    };
    let patch = {
        let mut p = common(r#"{"publish_at": 123456789012345678901234567890}"#);
        p.push(("wrong types", br#"{"publish_at": ["soon"]}"#.to_vec(), 400));
        p.push(("duplicate keys", br#"{"publish_at": null, "publish_at": null}"#.to_vec(), 400));
        p
    };
    let endpoints = [
        (Method::POST, "/api/oauth/token".to_string(), token),
        (Method::POST, "/api/posts".to_string(), create),
        (Method::PATCH, format!("/api/posts/{id}"), patch),
    ];
    let origin = s.base();
    for (method, path, bodies) in &endpoints {
        for (what, body, status) in bodies {
            let (b, o) = (body.clone(), origin.clone());
            let a = s.send_with(method.clone(), path, Some(&o), move |r| r.header("Content-Type", "application/json").body(b)).await;
            assert_refused(&a, *status, &format!("{method} {path}: {what}"));
            if *status == 413 {
                assert_eq!(a.body["error"]["code"], "payload_too_large");
            }
        }
    }
    assert_eq!(s.get(&format!("/api/posts/{id}")).await.body["post"]["state"], "awaiting_media", "no malformed request changed the post");
    // A declared length over the limit is refused before the body is read.
    let big = vec![b' '; 65 * 1024];
    let a = s.send_with(Method::POST, "/api/posts", Some(&origin), move |r| r.header("Content-Type", "application/json").body(big)).await;
    assert_refused(&a, 413, "declared over 64 KiB");
    // Media parts: a Content-Length that isn't the Content-Range's, a part over the part size,
    // a missing or malformed Content-Range; nothing is stored.
    let url = format!("/api/posts/{id}/media");
    let n = video.len();
    let cases: Vec<(&str, String, Vec<u8>, u16)> = vec![
        ("length below the range", format!("bytes 0-{}/{n}", n - 1), video[..n - 10].to_vec(), 400),
        ("range over a part", format!("bytes 0-20000000/{}", 40_000_000), video.clone(), 400),
        ("no range", String::new(), video.clone(), 400),
        ("malformed range", "bytes=0-5".to_string(), video[..6].to_vec(), 400),
    ];
    for (what, range, body, status) in cases {
        let o = origin.clone();
        let a =
            s.send_with(Method::PUT, &url, Some(&o), move |r| if range.is_empty() { r.body(body) } else { r.header("Content-Range", range).body(body) }).await;
        assert_refused(&a, status, &format!("PUT media: {what}"));
    }
    assert_eq!(s.get(&url).await.body["received_bytes"], 0, "nothing was stored");
    assert_eq!(s.stage(&created.body, &video).await.status, 201, "the right parts still go in");
    // The CSP report endpoint refuses what isn't a report, what isn't sent as one, and
    // oversized bodies.
    let report =
        |content_type: &'static str, body: Vec<u8>| http().post(format!("{}/api/csp-report", app_url())).header("Content-Type", content_type).body(body).send();
    assert_eq!(report("application/csp-report", b"{}".to_vec()).await.unwrap().status(), 400);
    let a_report = br#"{"csp-report":{"document-uri":"http://x/","effective-directive":"img-src","blocked-uri":"https://csp-guard.invalid/typed"}}"#;
    assert_eq!(report("application/json", a_report.to_vec()).await.unwrap().status(), 415);
    assert_eq!(report("application/csp-report", vec![b'x'; 70_000]).await.unwrap().status(), 413);
}
