//! The Account Durable Object: one per TikTok `open_id`. It alone holds that account's tokens,
//! sealed with AES-GCM (`letspost_core::vault`), and it alone refreshes them, one refresh at a
//! time: refresh tokens rotate, so two refreshes racing would spend the same token twice.
//!
//! Internal operations (the Worker's routes check the session first):
//! `POST /connect` (TikTok's token answer) → `{"account"}`; `GET /account`;
//! `GET /creator-info` → `{"creator_info"}`; `POST /disconnect` (revoke, forget);
//! `POST /publish-id` (a post's publish, for routing its webhooks); `POST /webhook` (a
//! verified webhook's fact: acted on here, or handed to the post whose publish it names);
//! the posting schedule and its holds (`schedule.rs`).

use crate::base::config::{TOKEN_KEY, TOKEN_KEY_PREVIOUS, secret};
use crate::base::rand::{bytes, now_ms};
use crate::base::reply;
use crate::tiktok::TikTok;
use futures_util::lock::Mutex;
use letspost_core::account::{
    Profile, Record, TokenStep, creator_info_reusable, is_business_refusal, is_stale_access, refresh_failure_needs_reconnect, token_step, upkeep_at,
    upkeep_refresh_due,
};
use letspost_core::api::{AccountBody, CreatorInfoBody, codes};
use letspost_core::vault::{NONCE_BYTES, Vault};
use std::future::Future;
use tiktok_rules::ErrorClass;
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::error::TikTokError;
use tiktok_rules::oauth::{TokenResponse, Tokens};
use worker::{DurableObject, Env, Method, Request, Response, Result, ScheduledTime, State, durable_object};

pub(crate) const RECORD: &str = "record";
/// The last creator_info TikTok gave, with when (see `creator_info`).
const CREATOR_INFO: &str = "creator_info";

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedCreatorInfo {
    info: CreatorInfo,
    fetched_at_ms: u64,
}

#[durable_object]
pub struct Account {
    state: State,
    env: Env,
    /// Held while a refresh is in flight: a second caller waits, then finds the new tokens.
    refresh_lock: Mutex<()>,
}

/// Why a call with the account's tokens could not be made: an answer for the browser.
enum Failure {
    /// The account must be connected again (already marked so).
    Reconnect(TikTokError),
    TikTok(TikTokError),
    /// The sealed tokens did not open with the configured keys (a wrong `TOKEN_KEY`): kept
    /// as they are, for the operator to fix the key.
    Unreadable,
    Internal(worker::Error),
}

impl From<worker::Error> for Failure {
    fn from(e: worker::Error) -> Failure {
        Failure::Internal(e)
    }
}

impl Failure {
    fn respond(self) -> Result<Response> {
        match self {
            Failure::Reconnect(e) => reply::error(401, codes::RECONNECT_NEEDED, reconnect_message(&e)),
            Failure::TikTok(e) => reply::tiktok_failure(&e),
            Failure::Unreadable => reply::with_retry_after(
                reply::error(
                    503,
                    codes::TOKENS_UNREADABLE,
                    "LetsPost can't read this account's TikTok connection right now. Nothing is lost; try again later.",
                )?,
                60,
            ),
            Failure::Internal(e) => {
                // The error names no token (storage and vault errors carry none).
                crate::base::log::error("account_failed", &[("error", &e.to_string())]);
                reply::internal()
            }
        }
    }
}

fn reconnect_message(e: &TikTokError) -> &'static str {
    match e.code.as_str() {
        tiktok_rules::error::codes::SCOPE_NOT_AUTHORIZED | tiktok_rules::error::codes::SCOPE_PERMISSION_MISSED => e.user_message(),
        _ => "Your TikTok connection has expired. Reconnect your TikTok account to keep posting.",
    }
}

impl Account {
    /// `TOKEN_KEY`, with `TOKEN_KEY_PREVIOUS` during a rotation.
    fn vault(&self) -> Result<Vault> {
        let key = secret(&self.env, TOKEN_KEY).ok_or_else(|| worker::Error::RustError("TOKEN_KEY is not set".into()))?;
        let previous = secret(&self.env, TOKEN_KEY_PREVIOUS);
        Vault::with_previous(&key, previous.as_deref()).map_err(|e| worker::Error::RustError(e.to_string()))
    }

    async fn record(&self) -> Result<Option<Record>> {
        self.state.storage().get(RECORD).await
    }

    /// Store the record and arm the account's own upkeep alarm to match it: no cron visits
    /// accounts, each looks after its tokens itself.
    async fn save(&self, r: &Record) -> Result<()> {
        self.state.storage().put(RECORD, r).await?;
        self.arm_upkeep(r, false).await
    }

    /// `now`: look at once (an account moved over from the old Registry may be inside its
    /// notice window already).
    async fn arm_upkeep(&self, r: &Record, now: bool) -> Result<()> {
        let t = now_ms();
        let at = if now && upkeep_refresh_due(r, t) { Some(t) } else { upkeep_at(r, t) };
        match at {
            Some(at) => self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&(at as f64).into()))).await,
            None => self.state.storage().delete_alarm().await,
        }
    }

    /// The upkeep alarm: inside the notice window, refresh (TikTok may extend a rotated
    /// token's life; a refused refresh marks the account), then arm the next look.
    async fn upkeep(&self) -> Result<()> {
        let Some(rec) = self.record().await? else { return Ok(()) };
        if upkeep_refresh_due(&rec, now_ms())
            && let Ok((_, t)) = self.tokens().await
        {
            // A transient failure leaves the tokens as they were; the next look is tomorrow.
            let _ = self.refresh(&t.access_token).await;
        }
        match self.record().await? {
            Some(rec) => self.arm_upkeep(&rec, false).await,
            None => Ok(()),
        }
    }

    fn seal(&self, t: &Tokens) -> Result<String> {
        let json = serde_json::to_vec(t)?;
        Ok(self.vault()?.seal(&json, &t.open_id, &bytes::<NONCE_BYTES>()?))
    }

    /// The stored tokens, opened; `Reconnect` when there are none. Tokens that don't open with
    /// the configured keys are `Unreadable` (503, logged) and never erased: a deploy with a wrong
    /// key must not cost every account its connection. Tokens opened with the previous key are
    /// sealed again with the current one.
    async fn tokens(&self) -> std::result::Result<(Record, Tokens), Failure> {
        let mut rec = self.record().await?.ok_or_else(|| Failure::Reconnect(gone()))?;
        let Some(sealed) = rec.sealed_tokens.clone() else { return Err(Failure::Reconnect(gone())) };
        let vault = self.vault()?;
        let opened = vault.open(&sealed, &rec.profile.open_id).ok().and_then(|o| serde_json::from_slice::<Tokens>(&o.plaintext).ok().map(|t| (t, o.reseal)));
        match opened {
            Some((t, reseal)) => {
                if reseal {
                    rec.sealed_tokens = Some(self.seal(&t)?);
                    self.save(&rec).await?;
                    crate::base::log::info("tokens_resealed", &[("open_id", &rec.profile.open_id), ("key_id", vault.key_id())]);
                }
                Ok((rec, t))
            }
            None => {
                crate::base::log::error("tokens_unreadable", &[("open_id", &rec.profile.open_id), ("key_id", vault.key_id())]);
                Err(Failure::Unreadable)
            }
        }
    }

    async fn mark_reconnect(&self, e: TikTokError) -> Failure {
        match self.record().await {
            Ok(Some(mut rec)) => {
                rec.needs_reconnect();
                if let Err(err) = self.save(&rec).await {
                    return Failure::Internal(err);
                }
                Failure::Reconnect(e)
            }
            Ok(None) => Failure::Reconnect(e),
            Err(err) => Failure::Internal(err),
        }
    }

    /// Refresh, unless another caller already replaced `stale_access` while we waited.
    async fn refresh(&self, stale_access: &str) -> std::result::Result<Tokens, Failure> {
        let _one_at_a_time = self.refresh_lock.lock().await;
        let (mut rec, current) = self.tokens().await?;
        if current.access_token != stale_access && token_step(&current, now_ms()) == TokenStep::Use {
            return Ok(current);
        }
        match TikTok::new(&self.env).refresh(&current.refresh_token).await {
            Ok(answer) => {
                let fresh = current.refreshed(answer, now_ms());
                rec.refreshed(&fresh, self.seal(&fresh)?);
                self.save(&rec).await?;
                Ok(fresh)
            }
            Err(e) if refresh_failure_needs_reconnect(&e) => Err(self.mark_reconnect(e).await),
            Err(e) => Err(Failure::TikTok(e)),
        }
    }

    /// Tokens whose access token is good for a while (refreshed ahead of expiry).
    async fn live_tokens(&self) -> std::result::Result<Tokens, Failure> {
        let (_, tokens) = self.tokens().await?;
        match token_step(&tokens, now_ms()) {
            TokenStep::Reconnect => Err(self.mark_reconnect(gone()).await),
            TokenStep::Refresh => self.refresh(&tokens.access_token).await,
            TokenStep::Use => Ok(tokens),
        }
    }

    /// Run a TikTok call with a live access token: refreshed ahead of expiry, and once more
    /// if TikTok says the token is no good.
    async fn with_token<T, F, Fut>(&self, call: F) -> std::result::Result<T, Failure>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = std::result::Result<T, TikTokError>>,
    {
        let tokens = self.live_tokens().await?;
        let first = call(tokens.access_token.clone()).await;
        let result = match first {
            Err(e) if is_stale_access(&e) => {
                let fresh = self.refresh(&tokens.access_token).await?;
                call(fresh.access_token).await
            }
            other => other,
        };
        match result {
            Err(e) if is_business_refusal(&e) => {
                self.flag_business().await?;
                Err(Failure::TikTok(e))
            }
            Err(e) if e.class() == tiktok_rules::ErrorClass::Reconnect => Err(self.mark_reconnect(e).await),
            Err(e) => Err(Failure::TikTok(e)),
            Ok(v) => Ok(v),
        }
    }

    /// creator_info from TikTok. A transient failure is tried once more; then, with `reuse`,
    /// answered from the last good answer if it is recent (`creator_info_reusable`): a TikTok
    /// hiccup while a post is being created must not lose the post, and TikTok's init checks
    /// the settings again anyway.
    async fn creator_info(&self, reuse: bool) -> std::result::Result<CreatorInfo, Failure> {
        let ask = || self.with_token(|t| async move { TikTok::new(&self.env).creator_info(&t).await });
        let transient = |r: &std::result::Result<CreatorInfo, Failure>| matches!(r, Err(Failure::TikTok(e)) if e.class() == ErrorClass::Retryable);
        let mut answer = ask().await;
        if transient(&answer) {
            worker::Delay::from(std::time::Duration::from_millis(300)).await;
            answer = ask().await;
        }
        match answer {
            Ok(info) => {
                let fresh = CachedCreatorInfo { info: info.clone(), fetched_at_ms: now_ms() };
                self.state.storage().put(CREATOR_INFO, &fresh).await.map_err(Failure::Internal)?;
                Ok(info)
            }
            Err(Failure::TikTok(e)) if reuse && e.class() == ErrorClass::Retryable => {
                let cached: Option<CachedCreatorInfo> = self.state.storage().get(CREATOR_INFO).await.map_err(Failure::Internal)?;
                match cached {
                    Some(c) if creator_info_reusable(c.fetched_at_ms, now_ms()) => Ok(c.info),
                    _ => Err(Failure::TikTok(e)),
                }
            }
            Err(f) => Err(f),
        }
    }

    async fn flag_business(&self) -> Result<()> {
        if let Some(mut rec) = self.record().await?
            && !rec.business_account
        {
            rec.business_account = true;
            self.save(&rec).await?;
        }
        Ok(())
    }

    /// Store a new connection (or restore one in place) and learn who the account is.
    async fn store_connection(&self, answer: TokenResponse) -> std::result::Result<AccountBody, Failure> {
        let now = now_ms();
        let tokens = Tokens::from_response(answer, now);
        let previous = self.record().await?;
        let tiktok = TikTok::new(&self.env);
        let mut profile = previous.as_ref().map(|r| r.profile.clone()).unwrap_or_else(|| Profile {
            open_id: tokens.open_id.clone(),
            display_name: "TikTok account".into(),
            ..Profile::default()
        });
        // Who it is: user/info (user.info.basic) has the name and avatar, creator_info the
        // @username. Either may fail without failing the connection: the tokens are good.
        if let Ok(user) = tiktok.user_info(&tokens.access_token).await {
            profile.display_name = user.display_name;
            profile.avatar_url = user.avatar_url;
        }
        let mut business = previous.as_ref().is_some_and(|r| r.business_account);
        match tiktok.creator_info(&tokens.access_token).await {
            Ok(info) => {
                profile.username = info.creator_username;
                business = false;
            }
            Err(e) if is_business_refusal(&e) => business = true,
            Err(_) => {}
        }
        let mut rec = Record::connected(profile, &tokens, self.seal(&tokens)?, now);
        rec.business_account = business;
        self.save(&rec).await?;
        Ok(AccountBody { account: rec.view(now) })
    }

    /// Revoke at TikTok, then forget everything about the account.
    async fn disconnect(&self) -> std::result::Result<(), Failure> {
        match self.with_token(|t| async move { TikTok::new(&self.env).revoke(&t).await }).await {
            // Already unusable: nothing left at TikTok to revoke.
            Ok(_) | Err(Failure::Reconnect(_)) => {}
            Err(other) => return Err(other),
        }
        self.state.storage().delete_all().await?;
        // delete_all leaves the alarm.
        self.state.storage().delete_alarm().await?;
        Ok(())
    }
}

/// `publish:<publish_id>` → the post's id: how a webhook finds its post. One short key per
/// publish, in the account's own storage (no table spans accounts).
const PUBLISH_PREFIX: &str = "publish:";

/// A verified webhook's fact for this account (see `api::webhooks`).
#[derive(serde::Serialize, serde::Deserialize)]
pub enum AccountFact {
    /// `authorization.removed`: TikTok revoked the tokens already.
    Removed {
        reason: u8,
        at_ms: u64,
    },
    Post {
        publish_id: String,
        fact: post_lifecycle::Pushed,
        at_ms: u64,
    },
}

/// A post's publish at TikTok (a post has a new one after each retry that uploads anew).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PublishOf {
    pub publish_id: String,
    pub id: String,
}

/// What the Post object's `/pushed` takes.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PushedFact {
    pub publish_id: String,
    pub fact: post_lifecycle::Pushed,
    pub at_ms: u64,
}

#[derive(serde::Deserialize)]
struct TokenAsk {
    /// The access token TikTok refused: refresh unless it was already replaced.
    #[serde(default)]
    stale: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
}

impl Account {
    /// A webhook's fact: 200 when acted on, 404 when it names nothing LetsPost knows.
    async fn webhook(&self, fact: AccountFact) -> Result<Response> {
        match fact {
            AccountFact::Removed { reason, at_ms } => {
                let Some(mut rec) = self.record().await? else { return reply::not_found("account") };
                if !rec.removed(reason, at_ms) {
                    // About an earlier connection: this one was made since.
                    return reply::not_found("connection");
                }
                self.save(&rec).await?;
                self.state.storage().delete(CREATOR_INFO).await?;
                // Its sessions still see it marked; a reconnection is held only by the session
                // that makes it.
                crate::objects::holders::until_reconnect(&self.state.storage()).await?;
                Ok(Response::empty()?.with_status(200))
            }
            AccountFact::Post { publish_id, fact, at_ms } => {
                let key = format!("{PUBLISH_PREFIX}{publish_id}");
                let Some(id) = self.state.storage().get::<String>(&key).await? else { return reply::not_found("publish") };
                let body = PushedFact { publish_id, fact, at_ms };
                let resp = crate::objects::post::ops::PostOp::Pushed(body).send(&self.env, &id).await?;
                Ok(resp)
            }
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

/// No usable tokens are stored.
fn gone() -> TikTokError {
    TikTokError::new(401, tiktok_rules::error::codes::INVALID_GRANT, "no usable tokens are stored")
}

impl DurableObject for Account {
    fn new(state: State, env: Env) -> Self {
        Account { state, env, refresh_lock: Mutex::new(()) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        // The posting schedule and the times its posts hold (`schedule.rs`).
        if let Some(answer) = crate::objects::schedule::handle(&self.state.storage(), &mut req, crate::base::config::queue_lead_ms(&self.env)).await? {
            return Ok(answer);
        }
        // The sessions holding the account (`holders.rs`).
        if let Some(answer) = crate::objects::holders::handle(&self.state.storage(), &mut req).await? {
            return Ok(answer);
        }
        // What its posts count against its caps (`usage.rs`).
        if let Some(answer) = crate::objects::usage::handle(&self.state.storage(), &mut req).await? {
            return Ok(answer);
        }
        // Its posts as the queue shows them (`post_index.rs`).
        if let Some(answer) = crate::objects::post_index::handle(&self.state.storage(), &self.env, &mut req).await? {
            return Ok(answer);
        }
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/connect") => {
                let answer: TokenResponse = req.json().await?;
                match self.store_connection(answer).await {
                    Ok(body) => Response::from_json(&body),
                    Err(f) => f.respond(),
                }
            }
            (Method::Get, "/account") => match self.record().await? {
                Some(rec) => Response::from_json(&AccountBody { account: rec.view(now_ms()) }),
                None => reply::not_found("account"),
            },
            // The composer asks TikTok each time (TikTok's rule, and its rate limit shows as
            // such); creating a post may fall back on a recent answer (see `creator_info`).
            (Method::Get, op @ ("/creator-info" | "/creator-info-for-post")) => {
                if self.record().await?.is_none() {
                    return reply::not_found("account");
                }
                match self.creator_info(op == "/creator-info-for-post").await {
                    Ok(info) => Response::from_json(&CreatorInfoBody { creator_info: info }),
                    Err(f) => f.respond(),
                }
            }
            // For the Post objects only: the Worker's routes never forward this answer.
            (Method::Post, "/access-token") => {
                let ask: TokenAsk = req.json().await?;
                let tokens = match ask.stale {
                    Some(stale) => self.refresh(&stale).await,
                    None => self.live_tokens().await,
                };
                match tokens {
                    Ok(t) => Response::from_json(&TokenAnswer { access_token: t.access_token }),
                    Err(f) => f.respond(),
                }
            }
            (Method::Post, "/publish-id") => {
                let PublishOf { publish_id, id } = req.json().await?;
                self.state.storage().put(&format!("{PUBLISH_PREFIX}{publish_id}"), id).await?;
                Ok(Response::empty()?.with_status(204))
            }
            // Parsed from the text: a post id exceeds 2^53, which JSON.parse would round.
            (Method::Post, "/webhook") => self.webhook(serde_json::from_str(&req.text().await?)?).await,
            // An account moved over from the old Registry: arm its own upkeep.
            (Method::Post, "/upkeep") => {
                let Some(rec) = self.record().await? else { return reply::not_found("account") };
                self.arm_upkeep(&rec, true).await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Post, "/disconnect") => match self.disconnect().await {
                Ok(()) => Ok(Response::empty()?.with_status(204)),
                Err(f) => f.respond(),
            },
            _ => reply::not_found("operation"),
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
