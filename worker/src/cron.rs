//! The cron trigger's work: the safety net under the posts' own alarms. A run takes the lease
//! (so runs never overlap), asks each index shard for what is overdue by more than the margin,
//! visits the oldest of those within its budget (each post re-arms its alarm and rewrites its
//! entry), and records what it did for `GET /api/health`. It costs the shards plus what is
//! overdue, never what exists. After an upgrade it first moves the old Registry's entries over.

use crate::base::rand::now_ms;
use crate::objects::due_index::{EntryId, Overdue, OverdueAsk};
use crate::objects::post::Swept;
use crate::objects::sweep_state::{Begin, End, Granted, NAME};
use crate::objects::{self, ACCOUNTS, DUE, POSTS, REGISTRY, SWEEP};
use futures_util::stream::{self, StreamExt};
use letspost_core::api::SweepReport;
use letspost_core::time_fmt::rfc3339_utc;
use post_lifecycle::watch::{self, oldest, overdue_before, shard_name, visit_room, PER_SHARD, RUN_MS, SHARDS};
use worker::{Env, Method, Result};

/// Visits in flight at once: enough to finish a full budget in a few seconds.
const IN_FLIGHT: usize = 16;
/// Old Registry entries moved per run (posts and accounts each), inside the budget.
const LEGACY_BATCH: usize = 200;

pub async fn run(env: &Env) -> Result<()> {
    let started = now_ms();
    let begin: Granted = objects::call(env, SWEEP, NAME, Method::Post, "begin", Some(&Begin { now_ms: started })).await?.json().await?;
    if !begin.granted {
        // Another run holds the lease: leave it its work.
        return Ok(());
    }
    let mut used: u32 = 1;
    let mut rearmed = 0u64;
    let (mut moved, mut drained) = (0u64, begin.legacy_done);
    if !drained {
        let legacy = drain_registry(env).await?;
        used += legacy.subrequests;
        rearmed += legacy.rearmed;
        moved = legacy.moved;
        drained = legacy.drained;
    }

    // Every shard, at once: only their overdue rows are read.
    let before = overdue_before(started);
    let asks = (0..SHARDS).map(|n| async move {
        let ask = OverdueAsk { before_ms: before, limit: PER_SHARD };
        let mut r = objects::call(env, DUE, &shard_name(n), Method::Post, "overdue", Some(&ask)).await?;
        r.json::<Overdue>().await
    });
    let answers = futures_util::future::join_all(asks).await;
    used += SHARDS;
    let mut overdue = 0u64;
    let mut found = Vec::new();
    for a in answers {
        // One shard failing leaves the others' work to do; its rows wait for the next run.
        if let Ok(o) = a {
            overdue += o.count;
            found.extend(o.entries.into_iter().map(|e| (e.id, e.watch_at_ms)));
        }
    }
    let picked = oldest(found, visit_room(used).saturating_sub(1));
    let visits = stream::iter(picked)
        .map(|(id, _)| async move {
            if now_ms() - started > RUN_MS {
                return (0, false);
            }
            visit(env, &id).await.unwrap_or((1, false))
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    for (calls, again) in visits {
        used += calls;
        rearmed += u64::from(again);
    }
    used += 1; // the report below
    let report = SweepReport {
        at: Some(rfc3339_utc(started)),
        overdue,
        rearmed,
        subrequests: u64::from(used),
        duration_ms: now_ms().saturating_sub(started),
        registry_moved: moved,
        registry_drained: drained,
    };
    objects::call(env, SWEEP, NAME, Method::Post, "end", Some(&End { report, legacy_done: drained })).await?;
    Ok(())
}

/// Ask one overdue post to look after itself: (calls made, whether its alarm was set again).
/// A post that does not exist leaves its shard.
async fn visit(env: &Env, id: &str) -> Result<(u32, bool)> {
    let mut r = objects::call::<()>(env, POSTS, id, Method::Post, "sweep", None).await?;
    let swept: Swept = r.json().await?;
    if swept.gone {
        let shard = shard_name(watch::shard_of(id));
        objects::call(env, DUE, &shard, Method::Delete, "entry", Some(&EntryId { id: id.to_string() })).await?;
        return Ok((2, false));
    }
    Ok((1, swept.rearmed))
}

struct Legacy {
    subrequests: u32,
    rearmed: u64,
    moved: u64,
    drained: bool,
}

/// After an upgrade from the single Registry: move a batch of its posts into the index (each
/// visited post writes its own entry) and give its accounts their own alarms, then forget them.
async fn drain_registry(env: &Env) -> Result<Legacy> {
    use crate::objects::registry::{Ids, Take};
    let mut l = Legacy { subrequests: 0, rearmed: 0, moved: 0, drained: true };
    for (kind, op) in [("posts", "sweep"), ("accounts", "upkeep")] {
        let take = Take { kind: kind.into(), limit: LEGACY_BATCH as u32 };
        let Ids { ids } = objects::call(env, REGISTRY, crate::objects::registry::NAME, Method::Post, "take", Some(&take)).await?.json().await?;
        l.subrequests += 1;
        if ids.is_empty() {
            continue;
        }
        l.drained = false;
        let binding = if kind == "posts" { POSTS } else { ACCOUNTS };
        for id in &ids {
            let mut r = objects::call::<()>(env, binding, id, Method::Post, op, None).await?;
            l.subrequests += 1;
            if kind == "posts" && r.json::<Swept>().await.is_ok_and(|s| s.rearmed) {
                l.rearmed += 1;
            }
        }
        l.moved += ids.len() as u64;
        objects::call(env, REGISTRY, crate::objects::registry::NAME, Method::Delete, kind, Some(&Ids { ids })).await?;
        l.subrequests += 1;
    }
    Ok(l)
}
