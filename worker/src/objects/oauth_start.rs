//! The OAuthStart Durable Object: one per browser signing in with TikTok, named by the SHA-256
//! of its short-lived cookie (`letspost_core::oauth_start` decides; this keeps the records).
//! It holds at most a few starts, each for ten minutes; its alarm deletes everything once the
//! last has lapsed, so nothing outlives a sign-in.
//!
//! Internal operations: `POST /add` `{state, code_challenge}` → 204; `POST /take`
//! `{state, code_verifier, pkce}` → 204 when one live start matches (and is used up), 403
//! otherwise (a start with that state is used up either way).

use crate::base::rand::now_ms;
use letspost_core::api::OAuthStart as Start;
use letspost_core::oauth_start::{self, Started};
use serde::{Deserialize, Serialize};
use tiktok_rules::pkce::ChallengeEncoding;
use worker::{DurableObject, Env, Method, Request, Response, Result, ScheduledTime, State, durable_object};

const PENDING: &str = "pending";

/// `POST /take`.
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
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/add") => {
                let Start { state, code_challenge } = req.json().await?;
                let mut pending = self.pending().await?;
                oauth_start::add(&mut pending, Started { state, code_challenge, at_ms: now }, now);
                self.keep(&pending).await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Post, "/take") => {
                let Take { state, code_verifier, pkce } = req.json().await?;
                let mut pending = self.pending().await?;
                let matched = oauth_start::take(&mut pending, &state, &code_verifier, pkce, now);
                self.keep(&pending).await?;
                Ok(Response::empty()?.with_status(if matched { 204 } else { 403 }))
            }
            _ => Response::error("no such operation", 404),
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
