//! The cron trigger's work: the safety net under the posts' own alarms. A run takes the lease
//! (so runs never overlap), asks each index shard for what is overdue by more than the margin,
//! visits the oldest of those within its budget (each post re-arms its alarm and rewrites its
//! entry), and records what it did for `GET /api/health`. It costs the shards plus what is
//! overdue, never what exists. After an upgrade it also moves the old Registry's entries over,
//! with what is left of the budget.

use crate::base::rand::now_ms;
use crate::objects::account::AccountOp;
use crate::objects::due_index::{DueOp, Entry, EntryId, Overdue, OverdueAsk};
use crate::objects::post::ops::{PostOp, Swept};
use crate::objects::registry::{Ids, RegistryOp, Take};
use crate::objects::sweep_state::{Begin, End, Granted, SweepOp};
use crate::objects::{ACCOUNTS, POSTS, expect_ok};
use futures_util::stream::{self, StreamExt};
use letspost_core::api::SweepReport;
use letspost_core::time_fmt::rfc3339_utc;
use post_lifecycle::watch::{self, PER_SHARD, RUN_MS, RUN_SUBREQUESTS, SHARDS, WINDOW_MS, oldest, overdue_before, shard_name};
use std::cell::Cell;
use worker::{Env, Result};

/// Visits in flight at once: enough to finish a full budget in a few seconds.
const IN_FLIGHT: usize = 16;
/// Old Registry entries moved per run and kind (workerd deletes at most 128 keys a call).
const LEGACY_BATCH: u32 = 100;
/// The most calls one visit makes: the post, and its shard when the post is gone or failed.
const VISIT_CALLS: u32 = 2;

/// The run's subrequests, spent and promised to visits under way, against `RUN_SUBREQUESTS`
/// less the final report. Single-threaded (wasm), so a `Cell` is enough.
struct Budget {
    used: Cell<u32>,
    promised: Cell<u32>,
}

impl Budget {
    fn spend(&self, n: u32) {
        self.used.set(self.used.get() + n);
    }

    /// Promise `VISIT_CALLS` to a visit if they fit.
    fn promise(&self) -> bool {
        let fits = self.used.get() + self.promised.get() + VISIT_CALLS < RUN_SUBREQUESTS;
        if fits {
            self.promised.set(self.promised.get() + VISIT_CALLS);
        }
        fits
    }

    fn settle(&self, spent: u32) {
        self.promised.set(self.promised.get() - VISIT_CALLS);
        self.spend(spent);
    }
}

pub async fn run(env: &Env) -> Result<()> {
    let started = now_ms();
    let begin: Granted = SweepOp::Begin(Begin { now_ms: started }).send(env).await?.json().await?;
    if !begin.granted {
        // Another run holds the lease: leave it its work.
        return Ok(());
    }
    let budget = Budget { used: Cell::new(1), promised: Cell::new(0) };

    // Every shard, at once: only their overdue rows are read.
    let before = overdue_before(started);
    let asks = (0..SHARDS).map(|n| async move {
        let ask = OverdueAsk { before_ms: before, limit: PER_SHARD };
        DueOp::Overdue(ask).send(env, &shard_name(n)).await?.json::<Overdue>().await
    });
    let answers = futures_util::future::join_all(asks).await;
    budget.spend(SHARDS);
    let mut overdue = 0u64;
    let mut found = Vec::new();
    for a in answers {
        // One shard failing leaves the others' work to do; its rows wait for the next run.
        match a {
            Ok(o) => {
                overdue += o.count;
                found.extend(o.entries.into_iter().map(|e| (e.id, e.watch_at_ms)));
            }
            Err(e) => crate::base::log::error("sweep_shard_failed", &[("error", &e.to_string())]),
        }
    }
    let room = watch::visit_room(budget.used.get());
    let visits = visit_all(env, &budget, started, oldest(found, room).into_iter().map(|(id, _)| (POSTS, id)).collect()).await;

    let legacy = if begin.legacy_done { None } else { Some(drain_registry(env, &budget, started).await) };
    budget.spend(1); // the report below
    let report = SweepReport {
        at: Some(rfc3339_utc(started)),
        overdue,
        rearmed: rearmed(&visits) + legacy.as_ref().map_or(0, |l| l.rearmed),
        subrequests: u64::from(budget.used.get()),
        duration_ms: now_ms().saturating_sub(started),
        registry_moved: legacy.as_ref().map_or(0, |l| l.moved),
        registry_drained: legacy.as_ref().is_none_or(|l| l.drained),
    };
    let end = End { started_ms: started, report, legacy_done: legacy.map(|l| l.drained), legacy_generation: begin.legacy_generation };
    SweepOp::End(end).send(env).await?;
    Ok(())
}

/// What came of one visit.
#[derive(Clone, Copy, Default)]
struct Visited {
    /// The object answered (or the post does not exist): it looks after itself now.
    answered: bool,
    /// A post's alarm had to be set again.
    rearmed: bool,
}

/// Visit each `(binding, id)` while the budget and the run's time last, 16 at a time.
async fn visit_all(env: &Env, budget: &Budget, started: u64, visits: Vec<(&'static str, String)>) -> Vec<(String, Visited)> {
    stream::iter(visits)
        .map(|(binding, id)| async move {
            if now_ms().saturating_sub(started) > RUN_MS || !budget.promise() {
                return (id, Visited::default());
            }
            let (spent, v) = visit(env, binding, &id).await;
            budget.settle(spent);
            (id, v)
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await
}

fn rearmed(visits: &[(String, Visited)]) -> u64 {
    visits.iter().filter(|(_, v)| v.rearmed).count() as u64
}

/// Ask one post to look after itself (or one old account to arm its own alarm): the calls made
/// and what came of it. A post that does not exist leaves its shard; one whose visit failed is
/// put off a window, so that it can't hold the front of the queue run after run.
async fn visit(env: &Env, binding: &str, id: &str) -> (u32, Visited) {
    if binding == ACCOUNTS {
        let answered = AccountOp::Upkeep.send(env, id).await.and_then(expect_ok).is_ok();
        return (1, Visited { answered, rearmed: false });
    }
    let swept = match PostOp::Sweep.send(env, id).await.and_then(expect_ok) {
        Ok(mut r) => r.json::<Swept>().await.ok(),
        Err(_) => None,
    };
    let shard = shard_name(watch::shard_of(id));
    match swept {
        Some(s) if !s.gone => (1, Visited { answered: true, rearmed: s.rearmed }),
        Some(_) => {
            let _ = DueOp::Delete(EntryId { id: id.to_string() }).send(env, &shard).await;
            (2, Visited { answered: true, rearmed: false })
        }
        None => {
            crate::base::log::warn("sweep_post_silent", &[("post", id)]);
            let later = Entry { id: id.to_string(), watch_at_ms: now_ms() + WINDOW_MS };
            let _ = DueOp::Put(later).send(env, &shard).await;
            (2, Visited::default())
        }
    }
}

struct Legacy {
    rearmed: u64,
    moved: u64,
    drained: bool,
}

/// After an upgrade from the single Registry: a batch of its posts (each visited post writes
/// its own index entry) and of its accounts (each arms its own upkeep alarm), then forgotten
/// there. Errors leave the batch for the next run; they never stop the run.
async fn drain_registry(env: &Env, budget: &Budget, started: u64) -> Legacy {
    let mut l = Legacy { rearmed: 0, moved: 0, drained: true };
    for (kind, binding) in [("posts", POSTS), ("accounts", ACCOUNTS)] {
        // The take and the delete: 2 calls, then a batch of visits.
        if budget.used.get() + 2 + LEGACY_BATCH * VISIT_CALLS >= RUN_SUBREQUESTS {
            l.drained = false;
            break;
        }
        let take = Take { kind: kind.into(), limit: LEGACY_BATCH };
        budget.spend(1);
        let ids = match RegistryOp::Take(take).send(env).await {
            Ok(mut r) => r.json::<Ids>().await.map(|i| i.ids),
            Err(e) => Err(e),
        };
        let ids = match ids {
            Ok(ids) => ids,
            Err(e) => {
                crate::base::log::error("sweep_registry_failed", &[("error", &e.to_string())]);
                l.drained = false;
                continue;
            }
        };
        if ids.is_empty() {
            continue;
        }
        l.drained = false;
        let visits = visit_all(env, budget, started, ids.into_iter().map(|id| (binding, id)).collect()).await;
        l.rearmed += rearmed(&visits);
        // Only what answered is forgotten there; the rest comes again next run.
        let ids: Vec<String> = visits.into_iter().filter(|(_, v)| v.answered).map(|(id, _)| id).collect();
        if ids.is_empty() {
            continue;
        }
        l.moved += ids.len() as u64;
        budget.spend(1);
        if let Err(e) = (RegistryOp::Forget { kind: kind.into(), ids }).send(env).await {
            crate::base::log::error("sweep_registry_forget_failed", &[("error", &e.to_string())]);
        }
    }
    l
}
