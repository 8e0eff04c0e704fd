//! The Account Durable Object: one per TikTok `open_id`. It alone holds that account's tokens,
//! sealed with AES-GCM (`letspost_core::vault`), and it alone refreshes them, one refresh at a
//! time: refresh tokens rotate, so two refreshes racing would spend the same token twice.
//!
//! Its operations are `ops::AccountOp` (the Worker's routes check the session first). By
//! concern: `tokens.rs` (sealing, refresh, calls with a live token), `connection.rs` (connect,
//! disconnect), `webhook.rs` (a verified webhook's fact), and beside this folder its parts in
//! its own storage: the posting schedule and its holds (`schedule.rs`), its holders
//! (`holders.rs`), its caps (`usage.rs`), its post index (`post_index.rs`) and the API keys
//! naming it (`account_keys.rs`).

pub mod analytics;
mod connection;
pub mod ops;
mod tokens;
mod webhook;

pub use ops::{AccountFact, AccountOp, PublishOf, PushedFact, TokenAnswer, TokenAsk};

use crate::base::rand::now_ms;
use crate::base::reply;
use crate::objects::account_keys::KeyOp;
use futures_util::lock::Mutex;
use letspost_core::account::{Record, upkeep_at, upkeep_refresh_due};
use letspost_core::api::{AccountBody, CreatorInfoBody};
use worker::{DurableObject, Env, Request, Response, Result, ScheduledTime, State, durable_object};

pub(crate) const RECORD: &str = "record";
/// The last creator_info TikTok gave, with when (see `creator_info`).
const CREATOR_INFO: &str = "creator_info";

#[durable_object]
pub struct Account {
    state: State,
    env: Env,
    /// Held while a refresh is in flight: a second caller waits, then finds the new tokens.
    refresh_lock: Mutex<()>,
}

impl Account {
    pub(super) async fn record(&self) -> Result<Option<Record>> {
        self.state.storage().get(RECORD).await
    }

    /// The account as the API shows it, with whether its numbers are read.
    pub(super) async fn view(&self, rec: &Record) -> Result<letspost_core::api::Account> {
        let mut account = rec.view(now_ms());
        account.analytics = analytics::status(&self.state.storage(), &self.env).await?;
        Ok(account)
    }

    /// Store the record and arm the account's own upkeep alarm to match it: no cron visits
    /// accounts, each looks after its tokens itself.
    pub(super) async fn save(&self, r: &Record) -> Result<()> {
        self.state.storage().put(RECORD, r).await?;
        self.arm_upkeep(r, false).await
    }

    /// `now`: look at once (an account moved over from the old Registry may be inside its
    /// notice window already).
    /// The same alarm wakes for the account's numbers (`analytics::next_wake`): whichever is
    /// first.
    pub(super) async fn arm_upkeep(&self, r: &Record, now: bool) -> Result<()> {
        let t = now_ms();
        let upkeep = if now && upkeep_refresh_due(r, t) { Some(t) } else { upkeep_at(r, t) };
        let numbers = analytics::next_wake(&self.state.storage(), &self.env, r.sealed_tokens.is_some()).await?;
        let at = [upkeep, numbers].into_iter().flatten().min();
        match at {
            Some(at) => self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&(at as f64).into()))).await,
            None => self.state.storage().delete_alarm().await,
        }
    }

    /// The upkeep alarm: inside the notice window, refresh (TikTok may extend a rotated
    /// token's life; a refused refresh marks the account); the numbers due; then arm the next look.
    pub(super) async fn upkeep(&self) -> Result<()> {
        let Some(rec) = self.record().await? else { return Ok(()) };
        if upkeep_refresh_due(&rec, now_ms())
            && let Ok((_, t)) = self.tokens().await
        {
            // A transient failure leaves the tokens as they were; the next look is tomorrow.
            let _ = self.refresh(&t.access_token).await;
        }
        if rec.sealed_tokens.is_some()
            && let Err(e) = self.analytics_round().await
        {
            crate::base::log::error("analytics_round_failed", &[("error", &e.to_string())]);
        }
        match self.record().await? {
            Some(rec) => self.arm_upkeep(&rec, false).await,
            None => Ok(()),
        }
    }
}

/// Run the account's alarm within a second (more of the old id list to move), unless it runs
/// sooner anyway; the alarm arms the upkeep again when it is done.
pub(crate) async fn soon(storage: &worker::Storage) -> Result<()> {
    let at = now_ms() + 1_000;
    if storage.get_alarm().await?.is_some_and(|t| (t as u64) <= at) {
        return Ok(());
    }
    storage.set_alarm(ScheduledTime::new(js_sys::Date::new(&(at as f64).into()))).await
}

impl DurableObject for Account {
    fn new(state: State, env: Env) -> Self {
        Account { state, env, refresh_lock: Mutex::new(()) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        #[cfg(feature = "test-routes")]
        if let Some(answer) = crate::objects::post_index::test_op(&storage, &mut req).await? {
            return Ok(answer);
        }
        #[cfg(feature = "test-routes")]
        if let Some(answer) = self.analytics_test_op(&mut req).await? {
            return Ok(answer);
        }
        // From the text: a webhook's post id exceeds 2^53, which JSON.parse would round.
        match serde_json::from_str::<AccountOp>(&req.text().await?)? {
            AccountOp::Connect(answer) => match self.store_connection(*answer).await {
                Ok(body) => Response::from_json(&body),
                Err(f) => f.respond(),
            },
            AccountOp::Get => match self.record().await? {
                Some(rec) => Response::from_json(&AccountBody { account: self.view(&rec).await? }),
                None => reply::not_found("account"),
            },
            AccountOp::Analytics(op) => {
                if self.record().await?.is_none() {
                    return reply::not_found("account");
                }
                self.analytics(op).await
            }
            // The composer asks TikTok each time (TikTok's rule, and its rate limit shows as
            // such); creating a post may fall back on a recent answer (see `creator_info`).
            AccountOp::CreatorInfo { reuse } => {
                if self.record().await?.is_none() {
                    return reply::not_found("account");
                }
                match self.creator_info(reuse).await {
                    Ok(info) => Response::from_json(&CreatorInfoBody { creator_info: info }),
                    Err(f) => f.respond(),
                }
            }
            AccountOp::AccessToken(TokenAsk { stale }) => {
                let tokens = match stale {
                    Some(stale) => self.refresh(&stale).await,
                    None => self.live_tokens().await,
                };
                match tokens {
                    Ok(t) => Response::from_json(&TokenAnswer { access_token: t.access_token }),
                    Err(f) => f.respond(),
                }
            }
            AccountOp::PublishId(PublishOf { publish_id, id }) => {
                storage.put(&format!("{}{publish_id}", webhook::PUBLISH_PREFIX), id).await?;
                Ok(Response::empty()?.with_status(204))
            }
            AccountOp::Webhook(fact) => self.webhook(fact).await,
            AccountOp::Upkeep => {
                let Some(rec) = self.record().await? else { return reply::not_found("account") };
                self.arm_upkeep(&rec, true).await?;
                Ok(Response::empty()?.with_status(204))
            }
            AccountOp::Disconnect => match self.disconnect().await {
                Ok(()) => Ok(Response::empty()?.with_status(204)),
                Err(f) => f.respond(),
            },
            AccountOp::Schedule(op) => crate::objects::schedule::handle(&storage, op, crate::base::config::queue_lead_ms(&self.env)).await,
            AccountOp::Holder(op) => crate::objects::holders::handle(&storage, op).await,
            AccountOp::Usage(op) => crate::objects::usage::handle(&storage, op).await,
            AccountOp::Index(op) => crate::objects::post_index::handle(&storage, &self.env, op).await,
            // A key is added only to a connected account.
            AccountOp::Key(op) => {
                let connected = matches!(op, KeyOp::Add(_)) && self.record().await?.is_some();
                crate::objects::account_keys::handle(&storage, op, connected).await
            }
        }
    }

    async fn alarm(&self) -> Result<Response> {
        // An account from before the post index moves its id list over first, a batch an
        // alarm; its upkeep follows once nothing is left.
        match crate::objects::post_index::migrate(&self.state.storage(), &self.env).await {
            Ok(true) => {
                let _ = soon(&self.state.storage()).await;
                return Response::empty();
            }
            Ok(false) => {}
            Err(e) => crate::base::log::error("post_index_migration_failed", &[("error", &e.to_string())]),
        }
        // Errors are caught: a failing alarm is retried only a few times, then dropped.
        if let Err(e) = self.upkeep().await {
            crate::base::log::error("account_upkeep_failed", &[("error", &e.to_string())]);
            let _ = self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&((now_ms() + 3_600_000) as f64).into()))).await;
        }
        Response::empty()
    }
}
