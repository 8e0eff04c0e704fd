//! The cron's own state (one object, `cron`): the lease that keeps two runs from overlapping,
//! whether the old Registry has been drained into the index, and the last run's report for
//! `GET /api/health`. Only the cron writes it, twice a minute; nothing a post or an account
//! does reaches it.
//!
//! Operations: `SweepOp`; the test hook `POST /test/undrain`.

use crate::objects::{self, SWEEP};
use letspost_core::api::SweepReport;
use post_lifecycle::watch::LEASE_MS;
use serde::{Deserialize, Serialize};
#[cfg(feature = "test-routes")]
use worker::Method;
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

/// What is asked of the cron's state object (`NAME`).
#[derive(Serialize, Deserialize)]
pub enum SweepOp {
    /// A run begins: `Granted` (the lease, unless another run holds it).
    Begin(Begin),
    /// A run ends: its report, the lease freed → 204.
    End(End),
    /// The last run's `SweepReport`.
    Report,
}

impl SweepOp {
    pub async fn send(&self, env: &Env) -> Result<Response> {
        objects::send(env, SWEEP, NAME, self).await
    }
}

pub const NAME: &str = "cron";
const LEASE: &str = "lease_until_ms";
const LEGACY_DONE: &str = "legacy_done";
const REPORT: &str = "report";
const LEGACY_GENERATION: &str = "legacy_generation";

#[derive(Serialize, Deserialize)]
pub struct Begin {
    pub now_ms: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Granted {
    pub granted: bool,
    pub legacy_done: bool,
    /// Bumped whenever the old Registry may have gained entries again (the e2e suite's upgrade):
    /// a run that began before that can't declare it drained.
    pub legacy_generation: u64,
}

#[derive(Serialize, Deserialize)]
pub struct End {
    /// The `now_ms` the run began with: only the run that holds the lease frees it.
    pub started_ms: u64,
    pub report: SweepReport,
    /// `Some(true)` once this run found the old Registry empty; `None`: it did not look.
    pub legacy_done: Option<bool>,
    pub legacy_generation: u64,
}

#[durable_object]
pub struct SweepState {
    state: State,
}

impl DurableObject for SweepState {
    fn new(state: State, _env: Env) -> Self {
        SweepState { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        // The e2e suite plays an upgrade: the old Registry has entries again.
        #[cfg(feature = "test-routes")]
        if (req.method(), req.path().as_str()) == (Method::Post, "/test/undrain") {
            let generation: u64 = storage.get(LEGACY_GENERATION).await?.unwrap_or(0);
            storage.put(LEGACY_GENERATION, generation + 1).await?;
            storage.put(LEGACY_DONE, false).await?;
            return Ok(Response::empty()?.with_status(204));
        }
        match serde_json::from_str::<SweepOp>(&req.text().await?)? {
            // One request at a time reaches an object, so the check and the take are atomic.
            SweepOp::Begin(Begin { now_ms }) => {
                let until: u64 = storage.get(LEASE).await?.unwrap_or(0);
                let legacy_done = storage.get(LEGACY_DONE).await?.unwrap_or(false);
                let legacy_generation = storage.get(LEGACY_GENERATION).await?.unwrap_or(0);
                let granted = now_ms >= until;
                if granted {
                    storage.put(LEASE, now_ms + LEASE_MS).await?;
                }
                Response::from_json(&Granted { granted, legacy_done, legacy_generation })
            }
            SweepOp::End(end) => {
                storage.put(REPORT, serde_json::to_string(&end.report)?).await?;
                let generation: u64 = storage.get(LEGACY_GENERATION).await?.unwrap_or(0);
                if end.legacy_done == Some(true) && end.legacy_generation == generation {
                    storage.put(LEGACY_DONE, true).await?;
                }
                let until: u64 = storage.get(LEASE).await?.unwrap_or(0);
                if until == end.started_ms + LEASE_MS {
                    storage.put(LEASE, 0u64).await?;
                }
                Ok(Response::empty()?.with_status(204))
            }
            SweepOp::Report => {
                let report = match storage.get::<String>(REPORT).await? {
                    Some(text) => serde_json::from_str(&text)?,
                    None => SweepReport::default(),
                };
                Response::from_json(&report)
            }
        }
    }
}
