//! A client of the Worker's API as one browser session: it keeps the session cookie, sends
//! the app's own `Origin` on writes (as a browser does), and records every answer so a test
//! can prove that no token or secret ever reached it.

use crate::{app_url, emulator_url, http};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tiktok_rules::pkce::{ChallengeEncoding, challenge};

/// A PKCE verifier the tests use (43 characters of the allowed alphabet).
pub const VERIFIER: &str = "e2e-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

pub fn redirect_uri() -> String {
    format!("{}/oauth/callback", app_url())
}

/// What the API answered.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

#[derive(Clone)]
pub struct Session {
    /// The Worker this session talks to (`LETSPOST_URL` unless a test runs its own).
    base: String,
    cookie: Arc<Mutex<Option<String>>>,
    /// Every status line, header and body this session received, as text.
    pub seen: Arc<Mutex<Vec<String>>>,
    /// Whether to keep `seen` (a long soak would hold every answer in memory).
    record: bool,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    pub fn new() -> Session {
        Session::at(&app_url())
    }

    /// A session with a Worker of the test's own.
    pub fn at(base: &str) -> Session {
        Session { base: base.to_string(), cookie: Default::default(), seen: Default::default(), record: true }
    }

    /// The `name=value` of the session cookie, once the Worker set one.
    pub fn cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    pub fn with_cookie(cookie: &str) -> Session {
        let s = Session::new();
        *s.cookie.lock().unwrap() = Some(cookie.to_string());
        s
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>, origin: Option<&str>) -> Answer {
        self.send_with(method, path, origin, move |req| match body {
            Some(b) => req.json(&b),
            None => req,
        })
        .await
    }

    /// A request with the session cookie and `origin` (none: a script, not a page); `build`
    /// adds the rest. Every answer is recorded. A Worker that can't be reached fails the test.
    pub async fn send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        origin: Option<&str>,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Answer {
        self.try_send_with(method, path, origin, build).await.unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// As `send_with`, with a Worker that can't be reached (or a connection cut) as an error.
    pub async fn try_send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        origin: Option<&str>,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Answer, String> {
        let mut req = http().request(method, format!("{}{path}", self.base));
        if let Some(c) = self.cookie() {
            req = req.header("Cookie", c);
        }
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let built = build(req).build().unwrap();
        let resp = http().execute(built).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        if let Some(set) = headers.get("set-cookie").and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default().to_string();
            *self.cookie.lock().unwrap() = Some(pair);
        }
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if self.record {
            let mut record = format!("{status} {path}\n");
            for (k, v) in &headers {
                record.push_str(&format!("{k}: {}\n", v.to_str().unwrap_or("<binary>")));
            }
            record.push_str(&text);
            self.seen.lock().unwrap().push(record);
        }
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer { status, headers, body })
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None, None).await
    }

    /// A write from the app's own page.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(reqwest::Method::POST, path, Some(body), Some(&self.base)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(reqwest::Method::DELETE, path, None, Some(&self.base)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(reqwest::Method::PATCH, path, Some(body), Some(&self.base)).await
    }

    /// The Worker's origin (what a page of the app sends as `Origin`).
    /// The same session without keeping its answers (for long runs).
    pub fn unrecorded(mut self) -> Session {
        self.record = false;
        self
    }

    pub fn base(&self) -> String {
        self.base.clone()
    }

    fn redirect_uri(&self) -> String {
        format!("{}/oauth/callback", self.base)
    }

    /// Connect `open_id` as the consent page would, then exchange the code through the Worker.
    pub async fn connect(&self, open_id: &str) -> Answer {
        let code = mint_code_for(open_id, &self.redirect_uri()).await;
        self.exchange(&code).await
    }

    /// Connect `open_id` from a browser in `time_zone` (what the callback page sends).
    pub async fn connect_in(&self, open_id: &str, time_zone: &str) -> Answer {
        let code = mint_code_for(open_id, &self.redirect_uri()).await;
        let body = json!({ "code": code, "code_verifier": VERIFIER, "redirect_uri": self.redirect_uri(), "time_zone": time_zone });
        self.post("/api/oauth/token", body).await
    }

    pub async fn exchange(&self, code: &str) -> Answer {
        self.post("/api/oauth/token", json!({ "code": code, "code_verifier": VERIFIER, "redirect_uri": self.redirect_uri() })).await
    }

    /// The account list's entry for `open_id`.
    pub async fn account(&self, open_id: &str) -> Option<Value> {
        let list = self.get("/api/accounts").await;
        assert_eq!(list.status, 200, "{}", list.body);
        list.body["accounts"].as_array().unwrap().iter().find(|a| a["open_id"] == open_id).cloned()
    }

    /// Fail if any answer this session received holds a token TikTok issued for these
    /// accounts, the client secret, or the token key.
    pub async fn assert_no_secrets(&self, open_ids: &[&str]) {
        let seen = self.seen.lock().unwrap().join("\n");
        assert_no_secrets_in(&seen, open_ids).await;
    }
}

/// Every token the emulator issued for these accounts, plus the Worker's secrets.
pub async fn secrets(open_ids: &[&str]) -> Vec<String> {
    let mut all = vec!["letspost-local-secret".to_string()];
    if let Ok(key) = std::env::var("LETSPOST_TOKEN_KEY") {
        all.push(key);
    }
    for id in open_ids {
        let g = grants(id).await;
        for kind in ["access", "refresh"] {
            for t in g[kind].as_array().unwrap() {
                all.push(t["token"].as_str().unwrap().to_string());
            }
        }
    }
    all
}

pub async fn assert_no_secrets_in(text: &str, open_ids: &[&str]) {
    let secrets = secrets(open_ids).await;
    assert!(secrets.len() > 2 || open_ids.is_empty(), "the emulator issued no tokens for {open_ids:?}");
    for s in secrets {
        assert!(!text.contains(&s), "a token or secret reached the client: {}…", &s[..s.len().min(8)]);
    }
}

pub async fn emulator_post(path: &str, body: Value) -> Value {
    let r = http().post(format!("{}/__emulator{path}", emulator_url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "emulator {path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// A TikTok account of its own for one test (tests run in parallel on one emulator).
/// A new creator connected by a fresh API session: (session, open_id).
pub async fn connected_creator(label: &str) -> (Session, String) {
    let account = new_account(label, "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&account).await.status, 200);
    (s, account)
}

pub async fn new_account(label: &str, kind: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000_000;
    create_account(&format!("open-{label}-{n}"), &format!("{label}.{n}"), &format!("{label} {n}"), kind).await
}

/// A public emulator account with these names; its `open_id`.
pub async fn create_account(open_id: &str, username: &str, nickname: &str, kind: &str) -> String {
    emulator_post(
        "/accounts",
        json!({
            "open_id": open_id, "union_id": format!("union-{open_id}"), "username": username,
            "nickname": nickname, "avatar_url": format!("https://p16.tiktokcdn.example/{username}.jpeg"),
            "kind": kind, "private": false, "max_video_post_duration_sec": 600,
        }),
    )
    .await;
    open_id.to_string()
}

/// An authorization code for `open_id`, as the consent page would give for our redirect URI.
pub async fn mint_code(open_id: &str) -> String {
    mint_code_for(open_id, &redirect_uri()).await
}

pub async fn mint_code_for(open_id: &str, redirect_uri: &str) -> String {
    let body = json!({
        "open_id": open_id,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge(VERIFIER, ChallengeEncoding::Base64url),
    });
    emulator_post("/authorize", body).await["code"].as_str().unwrap().to_string()
}

/// The emulator's record of an account's tokens: `{"access": [...], "refresh": [...], "refreshes": n}`.
pub async fn grants(open_id: &str) -> Value {
    http().get(format!("{}/__emulator/grants/{open_id}", emulator_url())).send().await.unwrap().json().await.unwrap()
}

/// Expire an account's tokens at TikTok (`access`, `refresh` or `both`).
pub async fn expire(open_id: &str, kind: &str) {
    emulator_post("/expire", json!({ "open_id": open_id, "kind": kind })).await;
}

/// Change an emulator account (e.g. `{"cannot_post": "reached_active_user_cap"}`).
pub async fn emulator_patch_account(open_id: &str, patch: Value) {
    let r = http().patch(format!("{}/__emulator/accounts/{open_id}", emulator_url())).json(&patch).send().await.unwrap();
    assert!(r.status().is_success(), "patch {open_id}: {}", r.status());
}
