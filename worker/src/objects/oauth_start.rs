//! The OAuthStart Durable Object: one per browser signing in with TikTok, named by the SHA-256
//! of its short-lived cookie (`letspost_core::oauth_start` decides; this keeps the records).
//! It holds at most a few starts, each for ten minutes; its alarm deletes everything once the
//! last has lapsed, so nothing outlives a sign-in.
//!
//! Operations: `StartOp`.

use crate::base::rand::now_ms;
use crate::objects::{self, OAUTH_STARTS};
use letspost_core::api::OAuthStart as Start;
use letspost_core::oauth_start::{self, Started};
use serde::{Deserialize, Serialize};
use tiktok_rules::pkce::ChallengeEncoding;
use worker::{DurableObject, Env, Request, Response, Result, ScheduledTime, State, durable_object};

/// What is asked of a browser's sign-ins object.
#[derive(Serialize, Deserialize)]
pub enum StartOp {
    /// A sign-in begins → 204.
    Add(Start),
    /// → 204 when one live start matches (and is used up), 403 otherwise (a start with that
    /// state is used up either way).
    Take(Take),
}

impl StartOp {
    /// This operation, to the sign-ins object of the browser whose cookie hashes to `name`.
    pub async fn send(&self, env: &Env, name: &str) -> Result<Response> {
        objects::send(env, OAUTH_STARTS, name, self).await
    }
}

const PENDING: &str = "pending";

/// `Take`: the start this code exchange claims.
#[derive(Serialize, Deserialize)]
pub struct Take {
    pub state: String,
    pub code_verifier: String,
    pub pkce: ChallengeEncoding,
}

#[durable_object]
pub struct OAuthStart {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

impl OAuthStart {
    async fn pending(&self) -> Result<Vec<Started>> {
        Ok(self.state.storage().get(PENDING).await?.unwrap_or_default())
    }

    async fn keep(&self, pending: &[Started]) -> Result<()> {
        let storage = self.state.storage();
        match oauth_start::lapses_at(pending) {
            Some(at) => {
                storage.put(PENDING, pending).await?;
                storage.set_alarm(ScheduledTime::new(js_sys::Date::new(&(at as f64).into()))).await
            }
            None => {
                storage.delete_all().await?;
                storage.delete_alarm().await
            }
        }
    }
}

impl DurableObject for OAuthStart {
    fn new(state: State, env: Env) -> Self {
        OAuthStart { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let now = now_ms();
        match serde_json::from_str::<StartOp>(&req.text().await?)? {
            StartOp::Add(Start { state, code_challenge }) => {
                let mut pending = self.pending().await?;
                oauth_start::add(&mut pending, Started { state, code_challenge, at_ms: now }, now);
                self.keep(&pending).await?;
                Ok(Response::empty()?.with_status(204))
            }
            StartOp::Take(Take { state, code_verifier, pkce }) => {
                let mut pending = self.pending().await?;
                let matched = oauth_start::take(&mut pending, &state, &code_verifier, pkce, now);
                self.keep(&pending).await?;
                Ok(Response::empty()?.with_status(if matched { 204 } else { 403 }))
            }
        }
    }

    async fn alarm(&self) -> Result<Response> {
        // The last start has lapsed (a newer one would have moved the alarm).
        let storage = self.state.storage();
        if let Err(e) = storage.delete_all().await {
            crate::base::log::error("oauth_start_cleanup_failed", &[("error", &e.to_string())]);
        }
        Response::empty()
    }
}
