//! A client of the Worker's API as one browser session: it keeps its cookies (the session's,
//! and a sign-in's start cookie), sends the app's own `Origin` on writes (as a browser does),
//! starts each sign-in before exchanging its code (as the page does), and records every answer
//! so a test can prove that no token or secret ever reached it.

use crate::{app_url, emulator_url, http};
use serde_json::{Value, json};
use std::collections::BTreeMap;
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
    /// Cookie name → value, as a browser's jar keeps them.
    cookies: Arc<Mutex<BTreeMap<String, String>>>,
    /// A `Cookie` header given whole (`with_cookie` with two cookies of one name).
    raw_cookie: Option<String>,
    /// The client address the Worker counts this session under (a test build's
    /// `TEST_ADDRESS_HEADER`).
    address: Option<String>,
    /// A personal API key's secret, sent as `Authorization: Bearer` (a script, not a browser).
    bearer: Option<String>,
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
    ///
    /// Each session is one browser, and the Worker counts it as a client of its own: it gets
    /// a fresh address (a test build's `TEST_ADDRESS_HEADER`). Without that, every API session
    /// of the suite would share 127.0.0.1's per-address budget for connecting TikTok, which
    /// the suite's side-by-side binaries outrun within a minute (measured: DEVELOPERS.md); the
    /// browsers of the UI tests still come from 127.0.0.1.
    pub fn at(base: &str) -> Session {
        Session {
            base: base.to_string(),
            cookies: Default::default(),
            raw_cookie: None,
            address: Some(Session::fresh_address()),
            bearer: None,
            seen: Default::default(),
            record: true,
        }
    }

    /// A fresh address for one test's own budget: a /64 of IPv6's documentation prefix
    /// (2001:db8::/32; the Worker counts IPv6 clients by their /64), new at every call.
    pub fn fresh_address() -> String {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() ^ (std::process::id() << 12);
        let k = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("2001:db8:{:x}:{:x}::1", n >> 16, (n ^ k) & 0xffff)
    }

    /// The `name=value` of the session cookie, once the Worker set one.
    pub fn cookie(&self) -> Option<String> {
        let jar = self.cookies.lock().unwrap();
        jar.iter().find(|(n, _)| n.ends_with("letspost_session")).map(|(n, v)| format!("{n}={v}")).or_else(|| self.raw_cookie.clone())
    }

    /// The `Cookie` header this session sends: the one given whole, then the jar's.
    pub fn cookie_header(&self) -> Option<String> {
        let jar = self.cookies.lock().unwrap();
        let pairs = self.raw_cookie.iter().cloned().chain(jar.iter().map(|(n, v)| format!("{n}={v}")));
        Some(pairs.collect::<Vec<_>>().join("; ")).filter(|h| !h.is_empty())
    }

    /// A session holding the cookies of this `Cookie` header (a copy of another's, a planted
    /// one): in its jar, so the Worker's `Set-Cookie` replaces them as a browser's would; a
    /// header naming one cookie twice (which no jar holds) is sent as it is.
    pub fn with_cookie(cookie: &str) -> Session {
        let pairs: Vec<&str> = cookie.split(';').map(str::trim).filter(|p| !p.is_empty()).collect();
        let names: std::collections::BTreeSet<&str> = pairs.iter().map(|p| p.split('=').next().unwrap_or_default()).collect();
        if names.len() < pairs.len() {
            return Session { raw_cookie: Some(cookie.to_string()), ..Session::new() };
        }
        let s = Session::new();
        pairs.into_iter().for_each(|p| s.set_cookie_pair(p));
        s
    }

    /// A script using a personal API key (no cookie of its own).
    pub fn with_key(secret: &str) -> Session {
        Session { bearer: Some(secret.to_string()), ..Session::new() }
    }

    /// This session's cookies with a key beside them (the key must win).
    pub fn and_key(&self, secret: &str) -> Session {
        Session { bearer: Some(secret.to_string()), ..self.clone() }
    }

    /// `name=value` into the jar (an empty value or `Max-Age=0` removes it, as browsers do).
    fn set_cookie_pair(&self, set_cookie: &str) {
        let pair = set_cookie.split(';').next().unwrap_or_default();
        let Some((name, value)) = pair.split_once('=') else { return };
        let expired = set_cookie.split(';').any(|a| a.trim().eq_ignore_ascii_case("Max-Age=0"));
        let mut jar = self.cookies.lock().unwrap();
        if expired || value.trim().is_empty() {
            jar.remove(name.trim());
        } else {
            jar.insert(name.trim().to_string(), value.trim().to_string());
        }
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
        if let Some(c) = self.cookie_header() {
            req = req.header("Cookie", c);
        }
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        if let Some(a) = &self.address {
            req = req.header(letspost_core::limits::TEST_ADDRESS_HEADER, a);
        }
        if let Some(k) = &self.bearer {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let built = build(req).build().unwrap();
        let started = std::time::Instant::now();
        let resp = http().execute(built).await.map_err(|e| crate::why_it_failed(&e, started))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        for set in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            self.set_cookie_pair(set);
        }
        let text = resp.text().await.map_err(|e| crate::why_it_failed(&e, started))?;
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
        let state = self.start_sign_in().await;
        let body = json!({ "code": code, "code_verifier": VERIFIER, "redirect_uri": self.redirect_uri(), "state": state, "time_zone": time_zone });
        self.post("/api/oauth/token", body).await
    }

    /// `POST /api/oauth/start` with a fresh `state` and `VERIFIER`'s challenge, as the page does
    /// before going to TikTok: the start cookie lands in the jar. Returns the `state`.
    pub async fn start_sign_in(&self) -> String {
        let state = fresh_state();
        let r = self.post("/api/oauth/start", json!({ "state": state, "code_challenge": challenge(VERIFIER, ChallengeEncoding::Base64url) })).await;
        assert_eq!(r.status, 204, "POST /api/oauth/start: {}", r.body);
        state
    }

    /// Start a sign-in, then exchange `code` for it (with `VERIFIER`).
    pub async fn exchange(&self, code: &str) -> Answer {
        let state = self.start_sign_in().await;
        self.exchange_for(code, &state).await
    }

    /// The exchange alone, for the sign-in started with `state`.
    pub async fn exchange_for(&self, code: &str, state: &str) -> Answer {
        self.post("/api/oauth/token", json!({ "code": code, "code_verifier": VERIFIER, "redirect_uri": self.redirect_uri(), "state": state })).await
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

/// A `state` as the page makes one (43 characters), unique per call.
pub fn fresh_state() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{:0>43}", format!("st{}x{t}x{n}", std::process::id()))
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

/// Every route of one post, for the tests that check who may reach them.
pub fn post_routes(id: &str) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    [
        (Method::GET, ""),
        (Method::GET, "/media"),
        (Method::GET, "/check"),
        (Method::DELETE, ""),
        (Method::POST, "/retry"),
        (Method::PATCH, ""),
        (Method::PUT, "/media"),
    ]
    .into_iter()
    .map(|(m, tail)| (m, format!("/api/posts/{id}{tail}")))
    .collect()
}

/// Every string in `text` shaped like an API key's secret (`lp_` + 43 base64url characters):
/// whatever key it is, it must never be in a log or in an answer after the one that made it.
pub fn key_secrets_in(text: &str) -> Vec<String> {
    let url_safe = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for (i, _) in text.match_indices(letspost_core::api_key::PREFIX) {
        let tail = &bytes[i + 3..];
        let run = tail.iter().take_while(|b| url_safe(**b)).count();
        let starts_word = i == 0 || !url_safe(bytes[i - 1]);
        if starts_word && run == letspost_core::api_key::SECRET_LEN - 3 {
            found.push(text[i..i + letspost_core::api_key::SECRET_LEN].to_string());
        }
    }
    found
}
