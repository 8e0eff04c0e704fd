//! `/api/accounts*`: listing the connected accounts, reading creator_info and disconnecting
//! (connecting is `/api/oauth/token`, in `api/oauth.rs`). A request reaches an account only
//! through a session that holds it; anything else is a 404, as if the account did not exist.

use crate::api::session::{held, holds, session_id};
use crate::base::reply;
use crate::objects::session::OpenId;
use crate::objects::{self, ACCOUNTS, SESSIONS};
use letspost_core::api::{Account, AccountBody, AccountsBody};
use worker::{Env, Method, Request, Response, Result};

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
    crate::api::posts::cancel_all(&env, &posts).await?;
    if let Some(id) = session_id(&req) {
        objects::call(&env, SESSIONS, &id, Method::Post, "remove", Some(&OpenId { open_id: open_id.to_string() })).await?;
    }
    Ok(Response::empty()?.with_status(204))
}
