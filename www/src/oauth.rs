//! "Connect TikTok" in the browser: OAuth 2.0 with PKCE (S256) and `state`, both drawn from
//! WebCrypto. They live in sessionStorage only from the redirect to TikTok until the callback
//! reads them back; before the redirect the Worker is told the `state` and the challenge
//! (`/api/oauth/start`, which binds the sign-in to this browser with a short-lived cookie; the
//! verifier stays here until the exchange). The Worker adds the client secret and keeps the
//! tokens. A share link
//! opened before connecting rides along in the same record, so only the callback of the
//! `state` this tab started can bring it back.

use crate::api;
use js_sys::Uint8Array;
use letspost_core::api::{AccountBody, ApiError, AppSettings, OAuthConfig, OAuthStart, TokenExchange, paths};
use serde::{Deserialize, Serialize};
use tiktok_rules::error::user_message;
use tiktok_rules::oauth::{AuthorizeRequest, Callback, authorize_url_with_scopes, check_code, parse_callback, scopes};
use tiktok_rules::pkce::{VERIFIER_ENTROPY_BYTES, challenge_from_digest, verifier_from_bytes};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

const PENDING_KEY: &str = "letspost.oauth.pending";

/// What the callback needs to finish what this tab started.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    redirect_uri: String,
    /// The share link's code to open once connected (`/compose#c=…`), if connecting began there.
    #[serde(default)]
    share: Option<String>,
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

fn js_err(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

fn random_text(crypto: &web_sys::Crypto) -> Result<String, String> {
    let mut raw = [0u8; VERIFIER_ENTROPY_BYTES];
    crypto.get_random_values_with_u8_array(&mut raw).map_err(js_err)?;
    Ok(verifier_from_bytes(&raw))
}

fn session_storage() -> Result<web_sys::Storage, String> {
    window().session_storage().ok().flatten().ok_or_else(|| "This browser blocks session storage, which signing in needs.".to_string())
}

/// Build the authorize URL and go to TikTok. Returns only on failure. Lazy: its code (WebCrypto,
/// PKCE, the authorize URL) is a wasm chunk fetched on the first click, not part of the first load.
#[leptos::lazy]
pub async fn start(share: Option<String>) -> Result<(), String> {
    let cfg: OAuthConfig = api::get(paths::OAUTH_CONFIG).await.map_err(|e| e.message)?;
    // Where the deployment reads creators' numbers, TikTok is asked for those scopes too (the
    // creator may untick them: posting works without).
    let analytics = api::get::<AppSettings>(paths::SETTINGS).await.map_err(|e| e.message)?.analytics;
    let crypto = window().crypto().map_err(js_err)?;
    let verifier = random_text(&crypto)?;
    let state = random_text(&crypto)?;
    let digest = JsFuture::from(crypto.subtle().digest_with_str_and_u8_array("SHA-256", verifier.as_bytes()).map_err(js_err)?).await.map_err(js_err)?;
    let challenge = challenge_from_digest(&Uint8Array::new(&digest).to_vec(), cfg.pkce);
    let origin = window().location().origin().map_err(js_err)?;
    let redirect_uri = format!("{origin}{}", paths::CALLBACK);
    let url = authorize_url_with_scopes(
        &cfg.auth_base,
        &AuthorizeRequest { client_key: &cfg.client_key, redirect_uri: &redirect_uri, state: &state, code_challenge: &challenge },
        &scopes(analytics),
    );
    // The exchange is refused unless this browser announced this sign-in first.
    let announced = OAuthStart { state: state.clone(), code_challenge: challenge };
    api::post_no_content(paths::OAUTH_START, &announced).await.map_err(|e| e.message)?;
    let pending = serde_json::to_string(&Pending { state, verifier, redirect_uri, share }).map_err(|e| e.to_string())?;
    session_storage()?.set_item(PENDING_KEY, &pending).map_err(js_err)?;
    window().location().assign(&url).map_err(js_err)
}

/// Read and forget what `start` stored: the verifier is used once, whatever happens next.
fn take_pending() -> Option<Pending> {
    let storage = session_storage().ok()?;
    let text = storage.get_item(PENDING_KEY).ok().flatten();
    let _ = storage.remove_item(PENDING_KEY);
    serde_json::from_str(&text?).ok()
}

/// On `/oauth/callback`: check `state`, hand the code and verifier to the Worker. With the
/// account comes the share code the connection began with, if any.
pub async fn finish(query: &str) -> Result<(AccountBody, Option<String>), ApiError> {
    let pending = take_pending();
    let expected = pending.as_ref().map_or("", |p| p.state.as_str());
    match parse_callback(query, expected) {
        Err(e) => Err(ApiError::new("state_mismatch", e.to_string())),
        Ok(Callback::Denied { error, .. }) => Err(ApiError::new(error.clone(), user_message(&error))),
        Ok(Callback::Code { code, .. }) => {
            let p = pending.expect("state matched, so it was stored");
            if check_code(&code).is_err() {
                return Err(ApiError::new("invalid_request", "TikTok's answer was not one LetsPost can use. Connect again."));
            }
            let body =
                TokenExchange { code, code_verifier: p.verifier, redirect_uri: p.redirect_uri, state: p.state, time_zone: crate::api::browser_time_zone() };
            Ok((api::post(paths::OAUTH_TOKEN, &body).await?, p.share))
        }
    }
}
