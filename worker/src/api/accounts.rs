//! `/api/accounts*`: listing the connected accounts, reading creator_info and disconnecting
//! (connecting is `/api/oauth/token`, in `api/oauth.rs`), and each account's posting schedule. A request reaches an account only
//! through a session that holds it; anything else is a 404, as if the account did not exist.

use crate::api::limits;
use crate::api::session::{account_holds, current, holder, holds};
use crate::base::reply;
use crate::objects::account::AccountOp;
use crate::objects::account::analytics::AnalyticsOp;
use crate::objects::holders::HolderOp;
use crate::objects::schedule::{ScheduleOp, Window};
use crate::objects::session::{HolderSeen, OpenId, SessionOp};
use letspost_core::api::{Account, AccountBody, AccountsBody, ApiError, DeviceSession, ErrorBody, SessionsBody};
use letspost_core::limits::{Client, WRITES};
use letspost_core::session::{Holder, valid_public_id};
use letspost_core::time_fmt::{parse_rfc3339_ms, rfc3339_utc};
use posting_schedule::ScheduleBody;
use worker::{Env, Request, Response, Result};

/// A write to `open_id`: the session holding it (404 otherwise), within its rate limit.
async fn writer(env: &Env, req: &Request, open_id: &str) -> Result<std::result::Result<String, Response>> {
    let Some(me) = holder(env, req, open_id).await? else { return Ok(Err(reply::not_found("account")?)) };
    match limits::check(env, &WRITES, "write", &Client::Session(&me)).await? {
        Some(refused) => Ok(Err(refused)),
        None => Ok(Ok(me)),
    }
}

/// `GET /api/accounts`: the session's accounts (an empty list without a session), those it
/// still holds: each Account object is asked whether this session is among its holders.
pub async fn list(req: Request, env: Env) -> Result<Response> {
    let mut accounts: Vec<Account> = Vec::new();
    if let Some(c) = current(&env, &req).await? {
        for open_id in c.state.accounts {
            if !account_holds(&env, &open_id, &c.id).await? {
                // Disconnected, signed out from another browser, or evicted: not this session's.
                continue;
            }
            let mut resp = AccountOp::Get.send(&env, &open_id).await?;
            if resp.status_code() == 200 {
                accounts.push(resp.json::<AccountBody>().await?.account);
            }
        }
    }
    Response::from_json(&AccountsBody { accounts })
}

/// `GET /api/accounts/{open_id}/sessions`: the browser sessions holding the account, this one
/// marked `current`.
pub async fn sessions(req: Request, env: Env, open_id: &str) -> Result<Response> {
    let Some(me) = holder(&env, &req, open_id).await? else { return reply::not_found("account") };
    let holders: Vec<Holder> = AccountOp::Holder(HolderOp::List).send(&env, open_id).await?.json().await?;
    let sessions = holders
        .into_iter()
        .map(|h| DeviceSession {
            current: h.id == me,
            created_at: rfc3339_utc(h.created_ms),
            last_seen_at: rfc3339_utc(h.last_seen_ms),
            user_agent: h.user_agent,
            id: h.id,
        })
        .collect();
    Response::from_json(&SessionsBody { sessions })
}

/// `DELETE /api/accounts/{open_id}/sessions/{id}` → 204: that session no longer holds the
/// account (this one included, if it names itself).
pub async fn sign_out_session(req: Request, env: Env, open_id: &str, id: &str) -> Result<Response> {
    if let Err(refused) = writer(&env, &req, open_id).await? {
        return Ok(refused);
    }
    if !valid_public_id(id) {
        return reply::not_found("session");
    }
    let drop = AccountOp::Holder(HolderOp::Drop(HolderSeen { id: id.to_string(), last_seen_ms: 0 })).send(&env, open_id).await?;
    if drop.status_code() != 204 {
        return reply::not_found("session");
    }
    // Tidy the session's own list (the Account's word already counts).
    SessionOp::Remove(OpenId { open_id: open_id.to_string() }).send(&env, id).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /api/accounts/{open_id}/creator-info`, fresh from TikTok each time.
pub async fn creator_info(req: Request, env: Env, open_id: &str) -> Result<Response> {
    if !holds(&env, &req, open_id).await? {
        return reply::not_found("account");
    }
    AccountOp::CreatorInfo { reuse: false }.send(&env, open_id).await
}

/// `DELETE /api/accounts/{open_id}`: revoke at TikTok, forget the tokens and every session's
/// holding (for good: a later connection is held only by the session that makes it).
pub async fn disconnect(req: Request, env: Env, open_id: &str) -> Result<Response> {
    if let Err(refused) = writer(&env, &req, open_id).await? {
        return Ok(refused);
    }
    let posts = crate::objects::post_index::cancellable(&env, open_id).await?;
    let keys = crate::api::keys::naming(&env, open_id).await?;
    let resp = AccountOp::Disconnect.send(&env, open_id).await?;
    if resp.status_code() != 204 {
        return Ok(resp);
    }
    // The Account's key list went with it (so no key reaches it now); the keys' own objects
    // forget it too, so a key left with no account leaves nothing behind.
    crate::api::keys::forget_account(&env, open_id, &keys).await?;
    crate::api::posts::cancel_all(&env, &posts).await?;
    // The Account forgot its holders with everything else; this session's list is tidied too.
    if let Some(c) = current(&env, &req).await? {
        SessionOp::Remove(OpenId { open_id: open_id.to_string() }).send(&env, &c.id).await?;
    }
    Ok(Response::empty()?.with_status(204))
}

/// `GET /api/accounts/{open_id}/schedule`: the same for every session holding the account.
pub async fn schedule(req: Request, env: Env, open_id: &str) -> Result<Response> {
    if !holds(&env, &req, open_id).await? {
        return reply::not_found("account");
    }
    AccountOp::Schedule(ScheduleOp::Get).send(&env, open_id).await
}

/// `PUT /api/accounts/{open_id}/schedule`: checked here (422 naming `time_zone` or `slots`),
/// stored as the check leaves it: the zone's canonical name, slots sorted, no duplicates.
pub async fn put_schedule(mut req: Request, env: Env, open_id: &str) -> Result<Response> {
    let body: ScheduleBody = match crate::api::body::json(&mut req, "JSON with schedule.time_zone and schedule.slots").await? {
        Ok(b) => b,
        Err(refused) => return Ok(refused),
    };
    if let Err(refused) = writer(&env, &req, open_id).await? {
        return Ok(refused);
    }
    let checked = match body.schedule.check() {
        Ok(w) => w,
        Err(e) => {
            let error = ApiError { code: e.code.into(), message: e.message, field: Some(e.field.into()) };
            return reply::json(422, &ErrorBody { error });
        }
    };
    let canonical = ScheduleBody { schedule: checked.to_schedule() };
    AccountOp::Schedule(ScheduleOp::Put(canonical)).send(&env, open_id).await
}

/// `GET /api/accounts/{open_id}/queue`: the time "Add to queue" would give a post now.
pub async fn next_free(req: Request, env: Env, open_id: &str) -> Result<Response> {
    if !holds(&env, &req, open_id).await? {
        return reply::not_found("account");
    }
    AccountOp::Schedule(ScheduleOp::NextFree).send(&env, open_id).await
}

/// `GET /api/accounts/{open_id}/slots?from=&to=` (RFC 3339): the free slots in that window
/// (at most six weeks are looked at), for the calendar.
pub async fn free_slots(req: Request, env: Env, open_id: &str) -> Result<Response> {
    let url = req.url()?;
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).and_then(|(_, v)| parse_rfc3339_ms(&v));
    let (Some(from_ms), Some(to_ms)) = (param("from"), param("to")) else {
        return reply::bad_request("Give from and to as date-times like 2026-12-07T00:00:00Z.");
    };
    if !holds(&env, &req, open_id).await? {
        return reply::not_found("account");
    }
    AccountOp::Schedule(ScheduleOp::Slots(Window { from_ms, to_ms })).send(&env, open_id).await
}

/// `GET /api/accounts/{open_id}/stats` (`{"stats"}`, newest last) and `/best-times`: read from
/// the account's own object (its snapshots; its posts' first-day readings, the newest 1,000).
pub async fn numbers(req: Request, env: Env, open_id: &str, op: AnalyticsOp) -> Result<Response> {
    if !holds(&env, &req, open_id).await? {
        return reply::not_found("account");
    }
    AccountOp::Analytics(op).send(&env, open_id).await
}
