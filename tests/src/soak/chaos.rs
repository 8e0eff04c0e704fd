//! What goes wrong during a soak: TikTok's faults, expiring access tokens, workerd killed.

use crate::own_worker::OwnWorker;
use crate::{emulator_url, http};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Every endpoint the emulator has.
const ENDPOINTS: [&str; 8] = ["token", "revoke", "authorize", "user_info", "creator_info", "init", "upload", "status"];

/// A fault for every endpoint and for webhooks, kind and chance drawn from the seed. Not `drop_after` on
/// `token`: a refresh TikTok answered but whose answer was lost leaves only a refresh token
/// TikTok already retired (they rotate), so no client can recover without the creator
/// reconnecting; that case is tested on its own (tests/worker_accounts.rs).
pub fn faults(rng: &mut StdRng) -> Vec<Value> {
    let mut out = Vec::new();
    for endpoint in ENDPOINTS {
        for _ in 0..rng.random_range(1..=2) {
            let probability = rng.random_range(0.03..0.10);
            let kind = match rng.random_range(0..5) {
                0 => {
                    let status = [500, 502, 503, 504][rng.random_range(0..4)];
                    json!({ "kind": "status", "status": status })
                }
                1 => json!({ "kind": "rate_limit" }),
                2 => json!({ "kind": "drop" }),
                3 if endpoint != "token" => json!({ "kind": "drop_after" }),
                _ => json!({ "kind": "slow", "delay_ms": rng.random_range(500..4_000) }),
            };
            let mut f = json!({ "endpoint": endpoint, "probability": probability });
            f.as_object_mut().unwrap().extend(kind.as_object().unwrap().clone());
            out.push(f);
        }
    }
    // Webhooks lost, delivered twice, or overtaken by later ones.
    for kind in [json!({ "kind": "drop" }), json!({ "kind": "duplicate" }), json!({ "kind": "slow", "delay_ms": rng.random_range(1_000..8_000) })] {
        let mut f = json!({ "endpoint": "webhook", "probability": rng.random_range(0.05..0.15) });
        f.as_object_mut().unwrap().extend(kind.as_object().unwrap().clone());
        out.push(f);
    }
    out
}

pub async fn install_faults(rng: &mut StdRng) {
    let all = faults(rng);
    for f in &all {
        crate::api::emulator_post("/faults", f.clone()).await;
    }
    eprintln!("soak: {} faults on TikTok's endpoints: {}", all.len(), serde_json::to_string(&all).unwrap());
}

pub async fn clear_faults() {
    let _ = http().delete(format!("{}/__emulator/faults", emulator_url())).send().await;
}

/// When to kill workerd: `n` moments, seconds after the start, one at random in each of `n`
/// equal slices of the busy time (so two crashes don't fall in the same breath).
pub fn kill_moments(rng: &mut StdRng, n: usize, spread_secs: u64) -> Vec<u64> {
    let busy = spread_secs.max(40) - 20;
    let slice = busy / n.max(1) as u64;
    (0..n as u64).map(|i| 20 + i * slice + rng.random_range(0..slice.max(1))).collect()
}

/// Expire every account's access token at TikTok now and then (TikTok may end them early);
/// the Worker finds out when TikTok refuses one.
pub fn expire_tokens_every(accounts: Vec<String>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            for a in &accounts {
                let _ = http().post(format!("{}/__emulator/expire", emulator_url())).json(&json!({ "open_id": a, "kind": "access" })).send().await;
            }
            eprintln!("soak: access tokens of {} accounts expired at TikTok", accounts.len());
        }
    })
}

/// SIGKILL workerd (no shutdown, no flush), then start it again on the same state.
pub async fn crash_and_restart(worker: &mut OwnWorker, rss: &RssWatch) {
    eprintln!("soak: SIGKILL workerd");
    worker.kill9();
    tokio::time::sleep(Duration::from_secs(1)).await;
    worker.restart().await;
    rss.follow(worker.process_group());
    // The platform's cron keeps running across a crash; its sweep re-arms what fell due.
    super::fire_cron(&worker.url()).await;
    eprintln!("soak: workerd is back");
}

/// The largest resident set of any workerd in the Worker's process group, sampled every second
/// (across restarts: a restart makes a new group, told by `follow`).
pub struct RssWatch {
    peak: Arc<AtomicU64>,
    group: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssWatch {
    pub fn start(group: Option<u32>) -> RssWatch {
        let peak = Arc::new(AtomicU64::new(0));
        let group_now = Arc::new(AtomicU64::new(group.map_or(0, u64::from)));
        let (p, g) = (peak.clone(), group_now.clone());
        let task = tokio::spawn(async move {
            loop {
                let rss = workerd_rss(g.load(Ordering::Relaxed) as u32);
                p.fetch_max(rss, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        RssWatch { peak, group: group_now, task }
    }

    pub fn follow(&self, group: Option<u32>) {
        self.group.store(group.map_or(0, u64::from), Ordering::Relaxed);
    }

    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for RssWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Resident bytes of the largest `workerd` process in process group `pgid`.
fn workerd_rss(pgid: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
    let mut best = 0;
    for e in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { continue };
        // pid (comm) state ppid pgrp …: comm may hold spaces, so split after the last ')'.
        let Some((head, tail)) = stat.rsplit_once(')') else { continue };
        let comm = head.split_once('(').map_or("", |(_, c)| c);
        let pgrp = tail.split_whitespace().nth(2).and_then(|v| v.parse::<u32>().ok());
        if comm != "workerd" || pgrp != Some(pgid) {
            continue;
        }
        let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
        let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
        best = best.max(kb.unwrap_or(0) * 1024);
    }
    best
}
