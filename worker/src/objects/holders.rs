//! The sessions holding an account, kept by its Account object: the authority on "does session
//! S hold this account". At most `letspost_core::session::MAX_HOLDERS` (the least recently seen
//! is evicted); a disconnect deletes them with the rest of the account, and after TikTok's
//! `authorization.removed` the next connection replaces them all: no earlier session holds a
//! later connection.
//!
//! Operations (`HolderOp`): `Add` → 204 (404 when `only_if_held` and it was not); `Check` →
//! 204 / 404; `Seen`; `Drop` → 204 / 404; `List` → `[Holder]`, most recently seen first.

use crate::base::rand::now_ms;
use crate::objects::session::HolderSeen;
use letspost_core::session::{Holder, hold};
use serde::{Deserialize, Serialize};
use worker::{Response, Result, Storage};

const HOLDERS: &str = "holders";

/// The holders' operations (`account::AccountOp::Holder`).
#[derive(Serialize, Deserialize)]
pub enum HolderOp {
    Add(AddHolder),
    Check(HolderSeen),
    Seen(HolderSeen),
    Drop(HolderSeen),
    List,
}

/// What `Add` takes.
#[derive(Serialize, Deserialize)]
pub struct AddHolder {
    pub holder: Holder,
    /// The session this one replaces (a rotated id): it holds no more.
    pub replaces: Option<String>,
    /// Only if `replaces` held the account (carrying accounts over to a new id).
    pub only_if_held: bool,
}

pub async fn list(storage: &Storage) -> Result<Vec<Holder>> {
    Ok(storage.get(HOLDERS).await?.unwrap_or_default())
}

/// Set when TikTok removed the authorization: the sessions holding the account still see it
/// (marked, with TikTok's reason) and can disconnect it, but the next connection, by anyone,
/// replaces them all with the session that makes it.
const UNTIL_RECONNECT: &str = "holders_until_reconnect";

/// TikTok removed the authorization: the current holders hold only until the next connection.
pub async fn until_reconnect(storage: &Storage) -> Result<()> {
    storage.put(UNTIL_RECONNECT, true).await
}

fn status(code: u16) -> Result<Response> {
    Ok(Response::empty()?.with_status(code))
}

/// The answer to one of the holder operations.
pub async fn handle(storage: &Storage, op: HolderOp) -> Result<Response> {
    match op {
        HolderOp::Add(AddHolder { holder, replaces, only_if_held }) => {
            let mut hs = list(storage).await?;
            if !only_if_held && storage.get::<bool>(UNTIL_RECONNECT).await?.unwrap_or(false) {
                // A new connection after TikTok's removal: no earlier session holds it.
                hs.clear();
                // Nor does any earlier key.
                crate::objects::account_keys::forget_all(storage).await?;
                storage.delete(UNTIL_RECONNECT).await?;
            }
            let held_before = replaces.as_ref().is_some_and(|old| hs.iter().any(|h| h.id == *old));
            if only_if_held && !held_before {
                return status(404);
            }
            if let Some(old) = replaces {
                hs.retain(|h| h.id != old);
            }
            hold(&mut hs, holder, now_ms());
            storage.put(HOLDERS, &hs).await?;
            status(204)
        }
        HolderOp::Check(HolderSeen { id, .. }) => status(if list(storage).await?.iter().any(|h| h.id == id) { 204 } else { 404 }),
        HolderOp::Seen(HolderSeen { id, last_seen_ms }) => {
            let mut hs = list(storage).await?;
            let Some(h) = hs.iter_mut().find(|h| h.id == id) else { return status(404) };
            h.last_seen_ms = h.last_seen_ms.max(last_seen_ms);
            storage.put(HOLDERS, &hs).await?;
            status(204)
        }
        HolderOp::Drop(HolderSeen { id, .. }) => {
            let mut hs = list(storage).await?;
            let before = hs.len();
            hs.retain(|h| h.id != id);
            if hs.len() == before {
                return status(404);
            }
            storage.put(HOLDERS, &hs).await?;
            status(204)
        }
        HolderOp::List => {
            let mut hs = list(storage).await?;
            hs.sort_by_key(|h| std::cmp::Reverse(h.last_seen_ms));
            Response::from_json(&hs)
        }
    }
}
