//! `/api/oauth/*`: the TikTok app's public settings for the browser, and connecting TikTok
//! (which is signing in): the sign-in bound to this browser before it goes to TikTok (`start`),
//! the code exchanged for tokens kept in the Account object, and the account put in a new
//! session for this browser (carrying over the accounts of the one it replaces).
//!
//! Both are anonymous, so both are rate-limited per client address first, and an exchange
//! reaches TikTok (with the client secret) only when this browser started it: the cookie, the
//! `state` and the S256 of `code_verifier` must match one start, once.

use crate::api::limits;
use crate::api::session::{current, host};
use crate::base::config::Config;
use crate::base::rand::{bytes, now_ms};
use crate::base::reply;
use crate::objects;
use crate::objects::account::AccountOp;
use crate::objects::holders::{AddHolder, HolderOp};
use crate::objects::oauth_start::{StartOp, Take};
use crate::objects::schedule::{ScheduleOp, TimeZoneOf};
use crate::objects::session::{SessionOp, Start};
use crate::tiktok::TikTok;
use letspost_core::api::{AccountBody, OAuthConfig, OAuthStart, TokenExchange, codes};
use letspost_core::limits::{Client, OAUTH};
use letspost_core::oauth_start;
use letspost_core::session::{self, Holder, redirect_uri_is_ours};
use tiktok_rules::error::codes as tt;
use tiktok_rules::oauth::{SCOPES, check_code, missing_scopes};
use tiktok_rules::pkce::{check_challenge, check_verifier};
use worker::{Env, Request, Response, Result};

pub fn oauth_config(env: &Env) -> Result<Response> {
    let cfg = Config::from_env(env);
    Response::from_json(&OAuthConfig { client_key: cfg.client_key, auth_base: cfg.tiktok_auth_base, pkce: cfg.pkce })
}

/// The request's start cookie, if it carries one well-formed one.
fn start_cookie(req: &Request) -> Option<String> {
    let cookie = req.headers().get("Cookie").ok().flatten()?;
    oauth_start::id_from_cookie_header(&cookie, &host(req)).map(str::to_string)
}

fn invalid_request(message: &str) -> Result<Response> {
    reply::error(400, codes::INVALID_REQUEST, message)
}

/// `POST /api/oauth/start` `{"state", "code_challenge"}` → 204: kept for ten minutes under this
/// browser's start cookie (set now, or kept if it has one), for the exchange to match.
pub async fn start(mut req: Request, env: Env) -> Result<Response> {
    let address = limits::address(&req, &env);
    if let Some(refused) = limits::check(&env, &OAUTH, "start", &Client::Address(address.as_deref())).await? {
        return Ok(refused);
    }
    let body: OAuthStart = match crate::api::body::json(&mut req, "JSON with state and code_challenge").await? {
        Ok(b) => b,
        Err(refused) => return Ok(refused),
    };
    let cfg = Config::from_env(&env);
    if !oauth_start::check_state(&body.state) {
        return invalid_request("state must be 16 to 128 characters of A-Z a-z 0-9 - . _ ~.");
    }
    if !check_challenge(&body.code_challenge, cfg.pkce) {
        return invalid_request("code_challenge must be the S256 challenge of a PKCE verifier, as /api/oauth/config says to write it.");
    }
    let cookie = match start_cookie(&req) {
        Some(c) => c,
        None => session::new_id(&bytes::<{ oauth_start::ID_BYTES }>()?),
    };
    objects::expect_ok(StartOp::Add(body).send(&env, &session::public_id(&cookie)).await?)?;
    let mut resp = Response::empty()?.with_status(204);
    resp.headers_mut().set("Set-Cookie", &oauth_start::set_cookie(&cookie, &host(&req)))?;
    Ok(resp)
}

/// `POST /api/oauth/token`: exchange the code (adding the client secret), keep the tokens in
/// the Account object, and put the account in this browser's session.
pub async fn exchange(mut req: Request, env: Env, app_origin: &str) -> Result<Response> {
    let address = limits::address(&req, &env);
    if let Some(refused) = limits::check(&env, &OAUTH, "token", &Client::Address(address.as_deref())).await? {
        return Ok(refused);
    }
    let body: TokenExchange = match crate::api::body::json(&mut req, "JSON with code, code_verifier, redirect_uri and state").await? {
        Ok(b) => b,
        Err(refused) => return Ok(refused),
    };
    let cfg = Config::from_env(&env);
    if !cfg.configured(&env) {
        return reply::error(503, codes::NOT_CONFIGURED, "LetsPost is not connected to a TikTok app yet. Tell the person who runs it.");
    }
    if !redirect_uri_is_ours(&body.redirect_uri, app_origin) {
        return reply::bad_request("redirect_uri must be this app's own /oauth/callback.");
    }
    // Checked without reading further: a code longer than TikTok's goes nowhere.
    if check_code(&body.code).is_err() || check_verifier(&body.code_verifier).is_err() || !oauth_start::check_state(&body.state) {
        return invalid_request("The sign-in answer was incomplete. Connect again.");
    }
    // Only a sign-in this browser started reaches TikTok: its cookie, its state and its PKCE
    // challenge, once. The start is used up whatever TikTok answers.
    let clear = oauth_start::clear_cookie(&host(&req));
    let bound = match start_cookie(&req) {
        Some(cookie) => {
            let take = Take { state: body.state.clone(), code_verifier: body.code_verifier.clone(), pkce: cfg.pkce };
            StartOp::Take(take).send(&env, &session::public_id(&cookie)).await?.status_code() == 204
        }
        None => false,
    };
    if !bound {
        let mut resp = invalid_request("This sign-in was not started in this browser, or it took longer than 10 minutes. Connect again.")?;
        resp.headers_mut().set("Set-Cookie", &clear)?;
        return Ok(resp);
    }
    let answer = match TikTok::new(&env).exchange_code(&body.code, &body.code_verifier, &body.redirect_uri).await {
        Ok(a) => a,
        Err(e) if e.code == tt::INVALID_GRANT => {
            let mut resp = reply::error(400, tt::INVALID_GRANT, "This TikTok sign-in has expired or was already used. Connect again.")?;
            resp.headers_mut().set("Set-Cookie", &clear)?;
            return Ok(resp);
        }
        Err(e) => return reply::tiktok_failure(&e),
    };
    let missing = missing_scopes(&answer.scope, &SCOPES);
    if !missing.is_empty() {
        let msg = format!("LetsPost needs every permission it asked for (missing: {}). Connect again and allow them all.", missing.join(", "));
        return reply::error(403, codes::MISSING_SCOPES, &msg);
    }
    let open_id = answer.open_id.clone();
    let mut connected = AccountOp::Connect(Box::new(answer)).send(&env, &open_id).await?;
    if connected.status_code() != 200 {
        return Ok(connected);
    }
    let account: AccountBody = connected.json().await?;
    // A new account's posting schedule starts in this browser's zone (kept if it has one).
    let zone = TimeZoneOf { time_zone: body.time_zone.clone().unwrap_or_default() };
    AccountOp::Schedule(ScheduleOp::Default(zone)).send(&env, &open_id).await?;
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
            if AccountOp::Holder(HolderOp::Add(add)).send(&env, carried).await?.status_code() == 204 {
                accounts.push(carried.clone());
            }
        }
    }
    let _dropped = session::add_account(&mut accounts, &open_id);
    let add = AddHolder { holder: holder(), replaces: previous.as_ref().map(|p| p.id.clone()), only_if_held: false };
    objects::expect_ok(AccountOp::Holder(HolderOp::Add(add)).send(&env, &open_id).await?)?;
    objects::expect_ok(SessionOp::Start(Start { id: id.clone(), user_agent, accounts }).send(&env, &id).await?)?;
    if let Some(p) = &previous {
        SessionOp::End.send(&env, &p.id).await?;
    }
    let mut resp = Response::from_json(&account)?;
    resp.headers_mut().set("Set-Cookie", &session::set_cookie(&cookie, &host(&req)))?;
    resp.headers_mut().append("Set-Cookie", &clear)?;
    Ok(resp)
}
