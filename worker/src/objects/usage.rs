//! The Account object's caps: one `use:<post id>` per post that counts (waiting, or with bytes
//! in R2), written by the post whenever what it counts changes (`Post::usage`), and a create's
//! reservation before its post exists (`post_lifecycle::caps` decides). The list is bounded by
//! the caps themselves: at most 500 waiting posts, and those whose videos R2 still keeps.
//!
//! Operations (`UsageOp`, routed here by `account.rs`): `Reserve` → 204, or 422 naming the cap;
//! `Check` (the same, nothing written: a retry); `Report` (a post's, or a refused create's
//! release) → 204.

use crate::base::rand::now_ms;
use crate::base::reply;
use letspost_core::api::{ApiError, ErrorBody};
use post_lifecycle::caps::{self, Usage};
use serde::{Deserialize, Serialize};
use worker::{ListOptions, Response, Result, Storage};

const PREFIX: &str = "use:";

/// The caps' operations (`account::AccountOp::Usage`).
#[derive(Serialize, Deserialize)]
pub enum UsageOp {
    Reserve(UsageAsk),
    Check(UsageAsk),
    Report(UsageOf),
}

/// `Reserve` and `Check`: room for post `id` waiting with `bytes`?
#[derive(Serialize, Deserialize)]
pub struct UsageAsk {
    pub id: String,
    pub bytes: u64,
}

/// `Report`: what post `id` counts now (`None`: nothing).
#[derive(Serialize, Deserialize)]
pub struct UsageOf {
    pub id: String,
    pub usage: Option<Usage>,
    /// A refused create's release: only a reservation goes, never what a post confirmed.
    #[serde(default)]
    pub reservation_only: bool,
}

/// Every other post's usage that still counts (lapsed reservations deleted on the way).
async fn others(storage: &Storage, except: &str, now: u64) -> Result<Vec<Usage>> {
    let map = storage.list_with_options(ListOptions::new().prefix(PREFIX)).await?;
    let (mut live, mut lapsed) = (Vec::new(), Vec::new());
    for entry in map.entries() {
        let pair: js_sys::Array = entry?.into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let Ok(u) = serde_wasm_bindgen::from_value::<Usage>(pair.get(1)) else { continue };
        if !u.counts(now) {
            lapsed.push(key);
        } else if key[PREFIX.len()..] != *except {
            live.push(u);
        }
    }
    if !lapsed.is_empty() {
        storage.delete_multiple(lapsed).await?;
    }
    Ok(live)
}

async fn room(storage: &Storage, ask: &UsageAsk, now: u64) -> Result<std::result::Result<(), Response>> {
    let new = Usage::reserved(ask.bytes, now);
    match caps::check_room(&others(storage, &ask.id, now).await?, &new, now) {
        Ok(()) => Ok(Ok(())),
        Err(e) => {
            let error = ApiError { code: e.code.into(), message: e.message, field: Some(e.field.into()) };
            Ok(Err(reply::json(422, &ErrorBody { error })?))
        }
    }
}

/// The answer to one of this module's operations.
pub async fn handle(storage: &Storage, op: UsageOp) -> Result<Response> {
    let now = now_ms();
    match op {
        UsageOp::Reserve(ask) => {
            if let Err(refused) = room(storage, &ask, now).await? {
                return Ok(refused);
            }
            // A keyed create asked again finds its post's own entry: it stays as it is.
            let key = format!("{PREFIX}{}", ask.id);
            if storage.get::<Usage>(&key).await?.is_none_or(|u| u.reserved_at_ms.is_some()) {
                storage.put(&key, Usage::reserved(ask.bytes, now)).await?;
            }
            Response::empty().map(|r| r.with_status(204))
        }
        UsageOp::Check(ask) => match room(storage, &ask, now).await? {
            Ok(()) => Response::empty().map(|r| r.with_status(204)),
            Err(refused) => Ok(refused),
        },
        UsageOp::Report(UsageOf { id, usage, reservation_only }) => {
            let key = format!("{PREFIX}{id}");
            match usage {
                Some(u) => storage.put(&key, u).await?,
                None if reservation_only => {
                    if storage.get::<Usage>(&key).await?.is_some_and(|u| u.reserved_at_ms.is_some()) {
                        storage.delete(&key).await?;
                    }
                }
                None => {
                    storage.delete(&key).await?;
                }
            }
            Response::empty().map(|r| r.with_status(204))
        }
    }
}
