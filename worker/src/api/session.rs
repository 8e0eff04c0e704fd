//! The session cookie, checked: which accounts a request's browser session holds, and signing
//! out. `/api/accounts*` and `/api/posts*` reach an account (and so its posts) only through
//! these. A session is an id the server issued and still keeps (its Session object has a
//! record); an account is held when the session lists it *and* the Account object still
//! counts the session among its holders (the Account is the authority: a disconnect, an
//! eviction or TikTok's removal ends every holding at once).
//!
//! A request made with an API key (`bearer.rs`) is "the session" here too: `current` answers
//! with the key (its accounts, `key:<id>` as its id), and the Account object's word on the key
//! decides, as it does for a session. A cookie sent beside a key is never read.

use crate::base::reply;
use crate::objects::account::AccountOp;
use crate::objects::account_keys::{KeyId, KeyOp};
use crate::objects::holders::HolderOp;
use crate::objects::session::{HolderSeen, SessionOp, SessionState};
use letspost_core::session::{self, Lifetime};
use worker::{Env, Request, Response, Result};

/// The request's host (no port), for the cookie's name and flags.
pub fn host(req: &Request) -> String {
    req.url().ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
}

/// The request's session cookie value, if it carries exactly one well-formed one (and no key).
pub fn session_id(req: &Request) -> Option<String> {
    if crate::api::bearer::present(req) {
        return None;
    }
    let cookie = req.headers().get("Cookie").ok().flatten()?;
    session::id_from_cookie_header(&cookie, &host(req)).map(str::to_string)
}

/// A session the server knows and that is still alive.
pub struct Current {
    /// The public id (the Session object's name).
    pub id: String,
    pub state: SessionState,
}

/// What a keyed create's post id is derived from (with the `Idempotency-Key`): the session
/// cookie or the API key's secret, so no one else can name the same post.
pub fn idempotency_scope(req: &Request) -> Option<String> {
    crate::api::bearer::secret(req).or_else(|| session_id(req))
}

/// The request's session, if the server issued it and it has not ended; or the API key it was
/// admitted with.
pub async fn current(env: &Env, req: &Request) -> Result<Option<Current>> {
    if let Some(key) = crate::api::bearer::current() {
        let r = &key.record;
        let state = SessionState { accounts: r.accounts.clone(), lifetime: Lifetime::new(r.created_ms), user_agent: String::new() };
        return Ok(Some(Current { id: key.principal.clone(), state }));
    }
    let Some(cookie) = session_id(req) else { return Ok(None) };
    let id = session::public_id(&cookie);
    let mut resp = SessionOp::State.send(env, &id).await?;
    if resp.status_code() != 200 {
        return Ok(None);
    }
    Ok(Some(Current { id, state: resp.json().await? }))
}

/// Does the Account object count session `id` among its holders (or key `key:<id>` among its keys)?
pub async fn account_holds(env: &Env, open_id: &str, id: &str) -> Result<bool> {
    if let Some(key) = id.strip_prefix(letspost_core::api_key::PRINCIPAL_PREFIX) {
        let ask = KeyId { id: key.to_string() };
        return Ok(AccountOp::Key(KeyOp::Check(ask)).send(env, open_id).await?.status_code() == 204);
    }
    let ask = HolderSeen { id: id.to_string(), last_seen_ms: 0 };
    Ok(AccountOp::Holder(HolderOp::Check(ask)).send(env, open_id).await?.status_code() == 204)
}

/// The accounts the request's session holds (none without a session): one call per account.
pub async fn held(env: &Env, req: &Request) -> Result<Vec<String>> {
    let Some(c) = current(env, req).await? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for open_id in c.state.accounts {
        if account_holds(env, &open_id, &c.id).await? {
            out.push(open_id);
        }
    }
    Ok(out)
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
