//! `/api/oauth/*` and `/api/accounts*`: connecting TikTok (which is signing in), listing,
//! reading creator_info and disconnecting. A request reaches an account only through a
//! session that holds it; anything else is a 404, as if the account did not exist.

use crate::config::Config;
use crate::account_do::PostId;
use crate::objects::{self, ACCOUNTS, REGISTRY, SESSIONS};
use crate::rand::bytes;
use crate::reply;
use crate::session_do::OpenId;
use crate::tiktok::TikTok;
use letspost_core::api::{codes, Account, AccountBody, AccountsBody, OAuthConfig, TokenExchange};
use letspost_core::session::{self, redirect_uri_is_ours};
use tiktok_rules::error::codes as tt;
use tiktok_rules::oauth::{missing_scopes, SCOPES};
use tiktok_rules::pkce::check_verifier;
use worker::{Env, Method, Request, Response, Result};

/// The request's session id, if its cookie holds a well-formed one.
pub fn session_id(req: &Request) -> Option<String> {
    let cookie = req.headers().get("Cookie").ok().flatten()?;
    session::id_from_cookie_header(&cookie).map(str::to_string)
}

/// The accounts a session holds (none without a session).
pub async fn held(env: &Env, session: Option<&str>) -> Result<Vec<String>> {
    match session {
        Some(id) => objects::get(env, SESSIONS, id, "accounts").await?.json().await,
        None => Ok(Vec::new()),
    }
}

/// Does the request's session hold `open_id`?
pub async fn holds(env: &Env, req: &Request, open_id: &str) -> Result<bool> {
    Ok(held(env, session_id(req).as_deref()).await?.iter().any(|o| o == open_id))
}

pub fn oauth_config(env: &Env) -> Result<Response> {
    let cfg = Config::from_env(env);
    Response::from_json(&OAuthConfig { client_key: cfg.client_key, auth_base: cfg.tiktok_auth_base, pkce: cfg.pkce })
}

/// `POST /api/oauth/token`: exchange the code (adding the client secret), keep the tokens in
/// the Account object, and put the account in this browser's session.
pub async fn exchange(mut req: Request, env: Env, app_origin: &str) -> Result<Response> {
    let Ok(body) = req.json::<TokenExchange>().await else {
        return reply::bad_request("Send JSON with code, code_verifier and redirect_uri.");
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
            return reply::error(400, tt::INVALID_GRANT, "This TikTok sign-in has expired or was already used. Connect again.")
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
    let (id, new_session) = match session_id(&req) {
        Some(id) => (id, false),
        None => (session::new_id(&bytes::<{ session::ID_BYTES }>()?), true),
    };
    objects::call(&env, SESSIONS, &id, Method::Post, "add", Some(&OpenId { open_id: open_id.clone() })).await?;
    objects::call(&env, REGISTRY, crate::registry_do::NAME, Method::Post, "accounts", Some(&PostId { id: open_id })).await?;
    let mut resp = Response::from_json(&account)?;
    if new_session {
        let host = req.url()?.host_str().map(str::to_string).unwrap_or_default();
        resp.headers_mut().set("Set-Cookie", &session::set_cookie(&id, &host))?;
    }
    Ok(resp)
}

/// `GET /api/accounts`: the session's accounts (an empty list without a session).
pub async fn list(req: Request, env: Env) -> Result<Response> {
    let mut accounts: Vec<Account> = Vec::new();
    for open_id in held(&env, session_id(&req).as_deref()).await? {
        let mut resp = objects::get(&env, ACCOUNTS, &open_id, "account").await?;
        // Disconnected from another session: the account is gone, skip it.
        if resp.status_code() == 200 {
            accounts.push(resp.json::<AccountBody>().await?.account);
        }
    }
    Response::from_json(&AccountsBody { accounts })
}

/// `GET /api/accounts/{open_id}/creator-info`, fresh from TikTok each time.
pub async fn creator_info(req: Request, env: Env, open_id: &str) -> Result<Response> {
    if !holds(&env, &req, open_id).await? {
        return reply::not_found("account");
    }
    objects::get(&env, ACCOUNTS, open_id, "creator-info").await
}

/// `DELETE /api/accounts/{open_id}`: revoke at TikTok, forget the tokens, leave the session.
pub async fn disconnect(req: Request, env: Env, open_id: &str) -> Result<Response> {
    if !holds(&env, &req, open_id).await? {
        return reply::not_found("account");
    }
    let posts: Vec<String> = objects::get(&env, ACCOUNTS, open_id, "posts").await?.json().await.unwrap_or_default();
    let resp = objects::call::<()>(&env, ACCOUNTS, open_id, Method::Post, "disconnect", None).await?;
    if resp.status_code() != 204 {
        return Ok(resp);
    }
    crate::posts_api::cancel_all(&env, &posts).await?;
    if let Some(id) = session_id(&req) {
        objects::call(&env, SESSIONS, &id, Method::Post, "remove", Some(&OpenId { open_id: open_id.to_string() })).await?;
    }
    Ok(Response::empty()?.with_status(204))
}
