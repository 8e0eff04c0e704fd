//! An emulator on a free loopback port, spoken to over real HTTP.

#![allow(dead_code)]

use reqwest::{Client, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use tiktok_emulator::{Config, Emulator};
use tiktok_rules::pkce::{ChallengeEncoding, challenge};

pub const REDIRECT: &str = "http://127.0.0.1:9/oauth/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub struct Emu {
    pub base: String,
    pub http: Client,
    pub config: Config,
}

pub async fn start(tune: impl FnOnce(&mut Config)) -> Emu {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = Config::new(base.clone());
    config.test_hooks = true;
    config.processing_ms = 300;
    config.moderation_ms = 200;
    tune(&mut config);
    let emu = Arc::new(Emulator::new(config.clone()).unwrap());
    tokio::spawn(tiktok_emulator::serve(listener, emu));
    let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Emu { base, http, config }
}

impl Emu {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn json(r: Response) -> (u16, Value) {
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn hook(&self, path: &str, body: Value) -> Value {
        let r = self.http.post(self.url(&format!("/__emulator{path}"))).json(&body).send().await.unwrap();
        assert!(r.status().is_success(), "hook {path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    pub async fn code_for(&self, open_id: &str, scopes: Option<&[&str]>) -> String {
        let ch = challenge(VERIFIER, self.config.pkce);
        let mut body = json!({ "open_id": open_id, "redirect_uri": REDIRECT, "code_challenge": ch });
        if let Some(s) = scopes {
            body["scopes"] = json!(s);
        }
        self.hook("/authorize", body).await["code"].as_str().unwrap().to_string()
    }

    pub async fn exchange(&self, code: &str, verifier: &str, redirect: &str) -> (u16, Value) {
        let form = [
            ("client_key", self.config.client_key.as_str()),
            ("client_secret", self.config.client_secret.as_str()),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ];
        Self::json(self.http.post(self.url("/v2/oauth/token/")).form(&form).send().await.unwrap()).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        let form = [
            ("client_key", self.config.client_key.as_str()),
            ("client_secret", self.config.client_secret.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        Self::json(self.http.post(self.url("/v2/oauth/token/")).form(&form).send().await.unwrap()).await
    }

    /// An access token for a seeded account.
    pub async fn token(&self, open_id: &str) -> String {
        let code = self.code_for(open_id, None).await;
        let (status, t) = self.exchange(&code, VERIFIER, REDIRECT).await;
        assert_eq!(status, 200, "{t}");
        t["access_token"].as_str().unwrap().to_string()
    }

    pub async fn api(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        Self::json(self.http.post(self.url(path)).bearer_auth(token).json(&body).send().await.unwrap()).await
    }

    pub async fn init(&self, token: &str, title: &str, privacy: &str, size: u64, chunk: u64, count: u64) -> (u16, Value) {
        let body = json!({
            "post_info": { "title": title, "privacy_level": privacy },
            "source_info": { "source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count },
        });
        self.api(token, "/v2/post/publish/video/init/", body).await
    }

    pub async fn put(&self, upload_url: &str, range: (u64, u64, u64), bytes: Vec<u8>) -> Response {
        self.http
            .put(upload_url)
            .header("content-type", "video/mp4")
            .header("content-range", format!("bytes {}-{}/{}", range.0, range.1, range.2))
            .body(bytes)
            .send()
            .await
            .unwrap()
    }

    pub async fn status(&self, token: &str, publish_id: &str) -> (u16, Value) {
        self.api(token, "/v2/post/publish/status/fetch/", json!({ "publish_id": publish_id })).await
    }

    /// Poll until the status is final (bounded).
    pub async fn final_status(&self, token: &str, publish_id: &str) -> Value {
        for _ in 0..50 {
            let (_, s) = self.status(token, publish_id).await;
            let st = s["data"]["status"].as_str().unwrap_or("").to_string();
            if st == "FAILED" || st == "PUBLISH_COMPLETE" {
                return s["data"].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no final status for {publish_id}");
    }

    pub fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../video-probe/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    pub fn hex_challenge() -> String {
        challenge(VERIFIER, ChallengeEncoding::Hex)
    }
}
