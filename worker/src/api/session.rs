//! The session cookie, checked: which accounts a request's browser session holds, and signing
//! out. `/api/accounts*` and `/api/posts*` reach an account (and so its posts) only through
//! these. A session is an id the server issued and still keeps (its Session object has a
//! record); an account is held when the session lists it *and* the Account object still
//! counts the session among its holders (the Account is the authority: a disconnect, an
//! eviction or TikTok's removal ends every holding at once).

use crate::base::reply;
use crate::objects::account::AccountOp;
use crate::objects::holders::HolderOp;
use crate::objects::session::{HolderSeen, SessionOp, SessionState};
use letspost_core::session;
use worker::{Env, Request, Response, Result};

/// The request's host (no port), for the cookie's name and flags.
pub fn host(req: &Request) -> String {
    req.url().ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
}

/// The request's session cookie value, if it carries exactly one well-formed one.
pub fn session_id(req: &Request) -> Option<String> {
    let cookie = req.headers().get("Cookie").ok().flatten()?;
    session::id_from_cookie_header(&cookie, &host(req)).map(str::to_string)
}

/// A session the server knows and that is still alive.
pub struct Current {
    /// The public id (the Session object's name).
    pub id: String,
    pub state: SessionState,
}

/// The request's session, if the server issued it and it has not ended.
pub async fn current(env: &Env, req: &Request) -> Result<Option<Current>> {
    let Some(cookie) = session_id(req) else { return Ok(None) };
    let id = session::public_id(&cookie);
    let mut resp = SessionOp::State.send(env, &id).await?;
    if resp.status_code() != 200 {
        return Ok(None);
    }
    Ok(Some(Current { id, state: resp.json().await? }))
}

/// Does the Account object count session `id` among its holders?
pub async fn account_holds(env: &Env, open_id: &str, id: &str) -> Result<bool> {
    let ask = HolderSeen { id: id.to_string(), last_seen_ms: 0 };
    Ok(AccountOp::Holder(HolderOp::Check(ask)).send(env, open_id).await?.status_code() == 204)
}

/// Does the request's session hold `open_id`? `Some(public id)` when it does.
pub async fn holder(env: &Env, req: &Request, open_id: &str) -> Result<Option<String>> {
    let Some(c) = current(env, req).await? else { return Ok(None) };
    if !c.state.accounts.iter().any(|o| o == open_id) || !account_holds(env, open_id, &c.id).await? {
        return Ok(None);
    }
    Ok(Some(c.id))
}

pub async fn holds(env: &Env, req: &Request, open_id: &str) -> Result<bool> {
    Ok(holder(env, req, open_id).await?.is_some())
}

/// `POST /api/session/logout` → 204: the session ends on the server (its accounts let it go,
/// its storage is deleted) and the cookie is cleared. Without a session, the same answer.
pub async fn logout(req: Request, env: Env) -> Result<Response> {
    if let Some(cookie) = session_id(&req) {
        SessionOp::End.send(&env, &session::public_id(&cookie)).await?;
    }
    let mut resp = Response::empty()?.with_status(204);
    resp.headers_mut().set("Set-Cookie", &session::clear_cookie(&host(&req)))?;
    Ok(resp)
}

/// A write that needs a session, without one: 401 `no_session`.
pub fn no_session() -> Result<Response> {
    reply::error(401, letspost_core::api::codes::NO_SESSION, "You are signed out. Connect a TikTok account to sign in.")
}
