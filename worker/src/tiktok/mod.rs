//! TikTok's OAuth and user endpoints, from the Worker. Every answer is parsed by
//! `tiktok-rules` into data or one `TikTokError`; a failed connection is `network`.

pub mod chunk_put;

use crate::base::config::{CLIENT_SECRET, Config, secret};
use crate::base::deadline::within;
use post_lifecycle::Init;
use serde::de::DeserializeOwned;
use std::time::Duration;
use tiktok_rules::api::{CreatorInfo, InitResponse, StatusRequest, StatusResponse, UserInfo, paths};
use tiktok_rules::display::{self, UserStats, VideoField, VideoQueryData, VideoQueryRequest};
use tiktok_rules::error::{TikTokError, parse_oauth, parse_v2};
use tiktok_rules::oauth::TokenResponse;
use wasm_bindgen::JsValue;
use worker::{AbortController, Env, Fetch, Headers, Method, Request, RequestInit};

pub struct TikTok {
    api_base: String,
    client_key: String,
    client_secret: String,
}

type Answer = Result<(u16, Vec<u8>), TikTokError>;

/// How long one API call (not a chunk upload) may take, answer read included. A TikTok that
/// never answers must not hold a creator's request, or a post's alarm, for ever: past this the
/// call is a failed connection (`network`), which callers already treat as "may have happened".
const CALL_DEADLINE: Duration = Duration::from_secs(20);

async fn send(url: &str, method: Method, headers: Headers, body: Option<String>) -> Answer {
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers).with_body(body.map(|b| JsValue::from_str(&b)));
    let req = Request::new_with_init(url, &init).map_err(|e| TikTokError::network(e.to_string()))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let call = async {
        let mut resp = Fetch::Request(req).send_with_signal(&signal).await.map_err(|e| TikTokError::network(e.to_string()))?;
        let status = resp.status_code();
        let bytes = resp.bytes().await.map_err(|e| TikTokError::network(e.to_string()))?;
        Ok((status, bytes))
    };
    match within(CALL_DEADLINE, call).await {
        Some(answer) => answer,
        None => {
            controller.abort();
            Err(TikTokError::network(format!("TikTok did not answer within {} s", CALL_DEADLINE.as_secs())))
        }
    }
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    let h = Headers::new();
    for (k, v) in pairs {
        let _ = h.set(k, v);
    }
    h
}

impl TikTok {
    pub fn new(env: &Env) -> TikTok {
        let cfg = Config::from_env(env);
        TikTok {
            api_base: cfg.tiktok_api_base.trim_end_matches('/').to_string(),
            client_key: cfg.client_key,
            client_secret: secret(env, CLIENT_SECRET).unwrap_or_default(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }

    /// The OAuth endpoints take a form with the client's credentials.
    async fn oauth_form<T: DeserializeOwned>(&self, path: &str, fields: &[(&str, &str)]) -> Result<T, TikTokError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_key", &self.client_key)
            .append_pair("client_secret", &self.client_secret)
            .extend_pairs(fields)
            .finish();
        let h = headers(&[("Content-Type", "application/x-www-form-urlencoded"), ("Cache-Control", "no-cache")]);
        let (status, bytes) = send(&self.url(path), Method::Post, h, Some(body)).await?;
        parse_oauth(status, &bytes)
    }

    pub async fn exchange_code(&self, code: &str, verifier: &str, redirect_uri: &str) -> Result<TokenResponse, TikTokError> {
        let fields = [("code", code), ("grant_type", "authorization_code"), ("redirect_uri", redirect_uri), ("code_verifier", verifier)];
        self.oauth_form(paths::TOKEN, &fields).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, TikTokError> {
        self.oauth_form(paths::TOKEN, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
    }

    pub async fn revoke(&self, access_token: &str) -> Result<serde_json::Value, TikTokError> {
        self.oauth_form(paths::REVOKE, &[("token", access_token)]).await
    }

    pub async fn user_info(&self, access_token: &str) -> Result<UserInfo, TikTokError> {
        #[derive(serde::Deserialize)]
        struct Data {
            user: UserInfo,
        }
        let url = self.url(&format!("{}?fields=open_id,union_id,avatar_url,display_name", paths::USER_INFO));
        let h = headers(&[("Authorization", &format!("Bearer {access_token}"))]);
        let (status, bytes) = send(&url, Method::Get, h, None).await?;
        parse_v2::<Data>(status, &bytes).map(|d| d.user)
    }

    /// `user/info`'s counts (scope `user.info.stats`; ask only when it was granted).
    pub async fn user_stats(&self, access_token: &str) -> Result<UserStats, TikTokError> {
        #[derive(serde::Deserialize)]
        struct Data {
            user: UserStats,
        }
        let url = self.url(&format!("{}?fields={}", paths::USER_INFO, display::stats_fields_param()));
        let h = headers(&[("Authorization", &format!("Bearer {access_token}"))]);
        let (status, bytes) = send(&url, Method::Get, h, None).await?;
        parse_v2::<Data>(status, &bytes).map(|d| d.user)
    }

    /// `video/query` for up to 20 of the account's post ids, with the counts (scope
    /// `video.list`; ask only when it was granted). Posts TikTok no longer shows are left out.
    pub async fn video_query(&self, access_token: &str, req: &VideoQueryRequest) -> Result<VideoQueryData, TikTokError> {
        let path = format!("{}?fields={}", paths::VIDEO_QUERY, display::fields_param(&VideoField::METRICS));
        let body = serde_json::to_string(req).map_err(|e| TikTokError::new(0, "bad_request", e.to_string()))?;
        self.v2_post(access_token, &path, body).await
    }

    /// A v2 `POST` with a JSON body and the bearer token.
    async fn v2_post<T: DeserializeOwned>(&self, access_token: &str, path: &str, body: String) -> Result<T, TikTokError> {
        let h = headers(&[("Authorization", &format!("Bearer {access_token}")), ("Content-Type", "application/json; charset=UTF-8")]);
        let (status, bytes) = send(&self.url(path), Method::Post, h, Some(body)).await?;
        parse_v2(status, &bytes)
    }

    pub async fn creator_info(&self, access_token: &str) -> Result<CreatorInfo, TikTokError> {
        self.v2_post(access_token, paths::CREATOR_INFO, "{}".into()).await
    }

    /// `video/init` for a direct post, `inbox/video/init` for a draft.
    pub async fn init(&self, access_token: &str, req: &Init) -> Result<InitResponse, TikTokError> {
        let encoded = match req {
            Init::Direct(r) => serde_json::to_string(r).map(|b| (paths::VIDEO_INIT, b)),
            Init::Inbox(r) => serde_json::to_string(r).map(|b| (paths::INBOX_VIDEO_INIT, b)),
        };
        let (path, body) = encoded.map_err(|e| TikTokError::new(0, "bad_request", e.to_string()))?;
        self.v2_post(access_token, path, body).await
    }

    pub async fn status(&self, access_token: &str, publish_id: &str) -> Result<StatusResponse, TikTokError> {
        let body = serde_json::to_string(&StatusRequest { publish_id: publish_id.to_string() }).unwrap_or_default();
        self.v2_post(access_token, paths::STATUS_FETCH, body).await
    }
}
