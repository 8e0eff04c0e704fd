//! The API keys naming an account, kept by its Account object: the authority on "may key K act
//! for this account", as `holders.rs` is for sessions. At most
//! `letspost_core::api_key::MAX_PER_ACCOUNT` ids (~70 B each); a disconnect deletes them with
//! the rest of the account, so a later connection is reached by no earlier key.
//!
//! Operations (`KeyOp`, through `AccountOp::Key`): `Add` → 204 (404 when the account is not
//! connected, 409 when it has as many keys as it may); `Check` → 204 / 404; `Drop` → 204 / 404;
//! `List` → `[id]`.

use letspost_core::api_key::{MAX_PER_ACCOUNT, codes};
use serde::{Deserialize, Serialize};
use worker::{Response, Result, Storage};

const KEYS: &str = "api_keys";

#[derive(Serialize, Deserialize)]
pub struct KeyId {
    pub id: String,
}

/// The key list's operations (`account::AccountOp::Key`).
#[derive(Serialize, Deserialize)]
pub enum KeyOp {
    Add(KeyId),
    Check(KeyId),
    Drop(KeyId),
    List,
}

async fn list(storage: &Storage) -> Result<Vec<String>> {
    Ok(storage.get(KEYS).await?.unwrap_or_default())
}

/// Does key `id` name this account?
pub async fn names(storage: &Storage, id: &str) -> Result<bool> {
    Ok(list(storage).await?.iter().any(|k| k == id))
}

/// Every key loses the account (TikTok removed the authorization and someone connected it again).
pub async fn forget_all(storage: &Storage) -> Result<()> {
    storage.delete(KEYS).await.map(|_| ())
}

fn status(code: u16) -> Result<Response> {
    Ok(Response::empty()?.with_status(code))
}

/// Answers a key operation. `connected`: whether the account has a connection now (a key is
/// never added to an account that is gone).
pub async fn handle(storage: &Storage, op: KeyOp, connected: bool) -> Result<Response> {
    match op {
        KeyOp::Add(KeyId { id }) => {
            if !connected {
                return status(404);
            }
            let mut ids = list(storage).await?;
            if !ids.contains(&id) {
                if ids.len() >= MAX_PER_ACCOUNT {
                    let message = format!("This account already has {MAX_PER_ACCOUNT} API keys. Revoke one you no longer use first.");
                    return crate::base::reply::error(409, codes::TOO_MANY_KEYS, &message);
                }
                ids.push(id);
                storage.put(KEYS, &ids).await?;
            }
            status(204)
        }
        KeyOp::Check(KeyId { id }) => status(if names(storage, &id).await? { 204 } else { 404 }),
        KeyOp::Drop(KeyId { id }) => {
            let mut ids = list(storage).await?;
            let before = ids.len();
            ids.retain(|k| *k != id);
            if ids.len() == before {
                return status(404);
            }
            storage.put(KEYS, &ids).await?;
            status(204)
        }
        KeyOp::List => Response::from_json(&list(storage).await?),
    }
}
