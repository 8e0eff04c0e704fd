//! `/api/oauth/*`: the TikTok app's public settings for the browser, and connecting TikTok
//! (which is signing in): the code exchanged for tokens kept in the Account object, and the
//! account put in a new session for this browser (carrying over the accounts of the one it replaces).

use crate::api::session::{current, host};
use crate::base::config::Config;
use crate::base::rand::{bytes, now_ms};
use crate::base::reply;
use crate::objects::holders::AddHolder;
use crate::objects::schedule::TimeZoneOf;
use crate::objects::session::Start;
use crate::objects::{self, ACCOUNTS, SESSIONS};
use crate::tiktok::TikTok;
use letspost_core::api::{AccountBody, OAuthConfig, TokenExchange, codes};
use letspost_core::session::{self, Holder, redirect_uri_is_ours};
use tiktok_rules::error::codes as tt;
use tiktok_rules::oauth::{SCOPES, missing_scopes};
use tiktok_rules::pkce::check_verifier;
use worker::{Env, Method, Request, Response, Result};

pub fn oauth_config(env: &Env) -> Result<Response> {
    let cfg = Config::from_env(env);
    Response::from_json(&OAuthConfig { client_key: cfg.client_key, auth_base: cfg.tiktok_auth_base, pkce: cfg.pkce })
}

/// `POST /api/oauth/token`: exchange the code (adding the client secret), keep the tokens in
/// the Account object, and put the account in this browser's session.
pub async fn exchange(mut req: Request, env: Env, app_origin: &str) -> Result<Response> {
    let body: TokenExchange = match crate::api::body::json(&mut req, "JSON with code, code_verifier and redirect_uri").await? {
        Ok(b) => b,
        Err(refused) => return Ok(refused),
    };
    if !Config::from_env(&env).configured(&env) {
        return reply::error(503, codes::NOT_CONFIGURED, "LetsPost is not connected to a TikTok app yet. Tell the person who runs it.");
    }
    if !redirect_uri_is_ours(&body.redirect_uri, app_origin) {
        return reply::bad_request("redirect_uri must be this app's own /oauth/callback.");
    }
    if body.code.is_empty() || check_verifier(&body.code_verifier).is_err() {
        return reply::bad_request("The sign-in answer was incomplete. Connect again.");
    }
    let answer = match TikTok::new(&env).exchange_code(&body.code, &body.code_verifier, &body.redirect_uri).await {
        Ok(a) => a,
        Err(e) if e.code == tt::INVALID_GRANT => {
            return reply::error(400, tt::INVALID_GRANT, "This TikTok sign-in has expired or was already used. Connect again.");
        }
        Err(e) => return reply::tiktok_failure(&e),
    };
    let missing = missing_scopes(&answer.scope, &SCOPES);
    if !missing.is_empty() {
        let msg = format!("LetsPost needs every permission it asked for (missing: {}). Connect again and allow them all.", missing.join(", "));
        return reply::error(403, codes::MISSING_SCOPES, &msg);
    }
    let open_id = answer.open_id.clone();
    let mut connected = objects::call(&env, ACCOUNTS, &open_id, Method::Post, "connect", Some(&answer)).await?;
    if connected.status_code() != 200 {
        return Ok(connected);
    }
    let account: AccountBody = connected.json().await?;
    // A new account's posting schedule starts in this browser's zone (kept if it has one).
    let zone = TimeZoneOf { time_zone: body.time_zone.clone().unwrap_or_default() };
    objects::call(&env, ACCOUNTS, &open_id, Method::Post, "schedule/default", Some(&zone)).await?;
    // Signing in issues a fresh session id every time; the session it replaces (if the server
    // knows it) hands over its accounts and ends at once, so its old id opens nothing.
    let previous = current(&env, &req).await?;
    let cookie = session::new_id(&bytes::<{ session::ID_BYTES }>()?);
    let id = session::public_id(&cookie);
    let user_agent = session::kept_user_agent(&req.headers().get("User-Agent")?.unwrap_or_default());
    let now = now_ms();
    let holder = || Holder { id: id.clone(), created_ms: now, last_seen_ms: now, user_agent: user_agent.clone() };
    let mut accounts = Vec::new();
    if let Some(p) = &previous {
        for carried in p.state.accounts.iter().filter(|o| **o != open_id) {
            let add = AddHolder { holder: holder(), replaces: Some(p.id.clone()), only_if_held: true };
            if objects::call(&env, ACCOUNTS, carried, Method::Post, "holder/add", Some(&add)).await?.status_code() == 204 {
                accounts.push(carried.clone());
            }
        }
    }
    let _dropped = session::add_account(&mut accounts, &open_id);
    let add = AddHolder { holder: holder(), replaces: previous.as_ref().map(|p| p.id.clone()), only_if_held: false };
    objects::expect_ok(objects::call(&env, ACCOUNTS, &open_id, Method::Post, "holder/add", Some(&add)).await?)?;
    objects::expect_ok(objects::call(&env, SESSIONS, &id, Method::Post, "start", Some(&Start { id: id.clone(), user_agent, accounts })).await?)?;
    if let Some(p) = &previous {
        objects::call::<()>(&env, SESSIONS, &p.id, Method::Post, "end", None).await?;
    }
    let mut resp = Response::from_json(&account)?;
    resp.headers_mut().set("Set-Cookie", &session::set_cookie(&cookie, &host(&req)))?;
    Ok(resp)
}
