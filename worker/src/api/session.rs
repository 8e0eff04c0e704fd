//! The session cookie, checked: which accounts a request's browser session holds. `/api/accounts*`
//! and `/api/posts*` reach an account (and so its posts) only through these.

use crate::objects::{self, SESSIONS};
use letspost_core::session;
use worker::{Env, Request, Result};

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
