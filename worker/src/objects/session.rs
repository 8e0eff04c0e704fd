//! The Session Durable Object: one per session the server issued, named by the session's public
//! id (`letspost_core::session::public_id`, a SHA-256 of the cookie value). An object with no
//! record is no session: ids nobody issued, and sessions that ended, hold nothing.
//!
//! It keeps the session's clock (`Lifetime`), the browser's user agent and the accounts it
//! connected (a bounded list; each Account object is the authority on whether this session
//! still holds it). Its alarm sits at the session's end: there, or on `/end`, it tells its
//! accounts to let go and deletes its storage, so ended sessions leave nothing behind.
//!
//! Operations: `SessionOp`; test hooks `POST /test/age`, `GET /test/stored`.

use crate::base::rand::now_ms;
use crate::objects::account::AccountOp;
use crate::objects::holders::HolderOp;
use crate::objects::{self, SESSIONS};
use letspost_core::session::{Lifetime, MAX_ACCOUNTS};
use serde::{Deserialize, Serialize};
#[cfg(feature = "test-routes")]
use worker::Method;
use worker::{DurableObject, Env, Request, Response, Result, ScheduledTime, State, durable_object};

/// What is asked of a session's object.
#[derive(Serialize, Deserialize)]
pub enum SessionOp {
    /// A new session → 204.
    Start(Start),
    /// → `SessionState` (404 once ended); marks the session seen, at most one write an hour.
    State,
    /// The session no longer lists this account → 204.
    Remove(OpenId),
    /// Its accounts let it go, its storage goes → 204.
    End,
}

impl SessionOp {
    /// This operation, to the session (by public id).
    pub async fn send(&self, env: &Env, id: &str) -> Result<Response> {
        objects::send(env, SESSIONS, id, self).await
    }
}

#[derive(Serialize, Deserialize)]
pub struct OpenId {
    pub open_id: String,
}

/// What `Start` takes.
#[derive(Serialize, Deserialize)]
pub struct Start {
    /// The session's public id (the object's own name).
    pub id: String,
    pub user_agent: String,
    pub accounts: Vec<String>,
}

/// What `State` answers.
#[derive(Serialize, Deserialize)]
pub struct SessionState {
    pub accounts: Vec<String>,
    pub lifetime: Lifetime,
    pub user_agent: String,
}

/// Tells an account that a holder was seen (`HolderOp::Seen`) or let go (`HolderOp::Drop`).
#[derive(Clone, Serialize, Deserialize)]
pub struct HolderSeen {
    pub id: String,
    pub last_seen_ms: u64,
}

/// `/test/age`: move the session's clock back, as if it were issued and last used that long ago.
#[cfg(feature = "test-routes")]
#[derive(Serialize, Deserialize)]
pub struct Age {
    pub created_by_ms: u64,
    pub seen_by_ms: u64,
}

#[derive(Serialize, Deserialize)]
struct Record {
    id: String,
    lifetime: Lifetime,
    user_agent: String,
    accounts: Vec<String>,
}

#[durable_object]
pub struct Session {
    state: State,
    env: Env,
}

const KEY: &str = "session";

impl Session {
    async fn record(&self) -> Result<Option<Record>> {
        self.state.storage().get(KEY).await
    }

    async fn save(&self, r: &Record) -> Result<()> {
        self.state.storage().put(KEY, r).await?;
        let at = r.lifetime.ends_at_ms();
        self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&(at as f64).into()))).await
    }

    /// The session ends: its accounts let it go, its storage and alarm are deleted.
    async fn end(&self, r: Option<Record>) -> Result<()> {
        if let Some(r) = r {
            let gone = HolderSeen { id: r.id.clone(), last_seen_ms: 0 };
            for open_id in &r.accounts {
                // An account already gone answers 404: nothing to let go of.
                AccountOp::Holder(HolderOp::Drop(gone.clone())).send(&self.env, open_id).await?;
            }
        }
        self.state.storage().delete_all().await?;
        self.state.storage().delete_alarm().await
    }

    /// The record, if the session is alive now (an expired one is ended on the spot).
    async fn live(&self) -> Result<Option<Record>> {
        let Some(r) = self.record().await? else { return Ok(None) };
        if r.lifetime.alive(now_ms()) {
            return Ok(Some(r));
        }
        self.end(Some(r)).await?;
        Ok(None)
    }
}

fn no_session() -> Result<Response> {
    Ok(Response::empty()?.with_status(404))
}

impl DurableObject for Session {
    fn new(state: State, env: Env) -> Self {
        Session { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        #[cfg(feature = "test-routes")]
        if req.path().starts_with("/test/") {
            return self.test_op(&mut req).await;
        }
        match serde_json::from_str::<SessionOp>(&req.text().await?)? {
            SessionOp::Start(Start { id, user_agent, mut accounts }) => {
                accounts.truncate(MAX_ACCOUNTS);
                self.save(&Record { id, lifetime: Lifetime::new(now_ms()), user_agent, accounts }).await?;
                Ok(Response::empty()?.with_status(204))
            }
            SessionOp::State => {
                let Some(mut r) = self.live().await? else { return no_session() };
                if r.lifetime.seen(now_ms()) {
                    self.save(&r).await?;
                    let seen = HolderSeen { id: r.id.clone(), last_seen_ms: r.lifetime.last_seen_ms };
                    for open_id in &r.accounts {
                        AccountOp::Holder(HolderOp::Seen(seen.clone())).send(&self.env, open_id).await?;
                    }
                }
                Response::from_json(&SessionState { accounts: r.accounts, lifetime: r.lifetime, user_agent: r.user_agent })
            }
            SessionOp::Remove(OpenId { open_id }) => {
                let Some(mut r) = self.live().await? else { return no_session() };
                r.accounts.retain(|o| *o != open_id);
                self.save(&r).await?;
                Ok(Response::empty()?.with_status(204))
            }
            SessionOp::End => {
                let r = self.record().await?;
                self.end(r).await?;
                Ok(Response::empty()?.with_status(204))
            }
        }
    }

    async fn alarm(&self) -> Result<Response> {
        // The session's end, unless it was used since (then the alarm moves with it).
        let outcome = match self.record().await {
            Ok(Some(r)) if r.lifetime.alive(now_ms()) => self.save(&r).await,
            Ok(r) => self.end(r).await,
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            crate::base::log::error("session_end_failed", &[("error", &e.to_string())]);
            let _ = self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&((now_ms() + 600_000) as f64).into()))).await;
        }
        Response::empty()
    }
}

/// The test hooks' operations (`/test/*`, only in test builds).
#[cfg(feature = "test-routes")]
impl Session {
    async fn test_op(&self, req: &mut Request) -> Result<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/test/age") => {
                let Age { created_by_ms, seen_by_ms } = req.json().await?;
                let Some(mut r) = self.record().await? else { return no_session() };
                r.lifetime.created_ms = r.lifetime.created_ms.saturating_sub(created_by_ms);
                r.lifetime.last_seen_ms = r.lifetime.last_seen_ms.saturating_sub(seen_by_ms);
                // An alarm in the past fires at once.
                self.save(&r).await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Get, "/test/stored") => {
                let stored = self.record().await?.is_some() || self.state.storage().get_alarm().await?.is_some();
                Response::from_json(&serde_json::json!({ "stored": stored }))
            }
            _ => Response::error("no such session operation", 404),
        }
    }
}
