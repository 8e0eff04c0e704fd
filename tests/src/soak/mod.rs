//! `cargo xtask soak`: many posts through the real parts (workerd via wrangler dev, the TikTok
//! emulator over HTTP) while TikTok misbehaves, tokens expire and workerd is killed; then one
//! table that says whether every post was published once, on time, with its bytes.
//!
//! Everything random comes from one seed, printed first, so a failing run can be replayed
//! (`--seed`). The harness only acts as the outside world would: a browser staging videos,
//! TikTok failing, the platform killing the process and firing the cron. It never retries its
//! own checks.

pub mod chaos;
pub mod load;
pub mod report;
pub mod stage;

use crate::api::{Session, create_account};
use crate::own_worker::OwnWorker;
use crate::posts::{new_post, now_ms, seeded_video, sha256_hex};
use crate::{emulator_url, http};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use report::{AtTikTok, InWorker, Made, Verdict, judge};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    pub posts: usize,
    pub accounts: usize,
    /// SIGKILLs of workerd during the run (at least this many).
    pub kills: usize,
    /// Latest schedule, seconds from the start (posts are due from now to this).
    pub spread_secs: u64,
    /// Then the two load figures (100 stagings at once; 500 posts due in one minute).
    pub load: bool,
}

/// An emulator account of the soak's own.
pub async fn make_account(label: &str) -> String {
    create_account(&format!("open-soak-{label}"), &format!("soak.{label}"), &format!("Soak {label}"), "creator").await
}

/// The Worker's cron, fired once, as the platform does each minute (wrangler dev does not).
pub async fn fire_cron(worker_url: &str) {
    let _ = http().get(format!("{worker_url}/cdn-cgi/local/scheduled?cron=*+*+*+*+*")).send().await;
}

/// Fire the Worker's cron as Cloudflare would each minute (wrangler dev does not on its own).
pub fn cron(worker_url: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            fire_cron(&worker_url).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    })
}

/// Every post the session sees, by id. `None` while the Worker can't be reached.
/// Every post the Worker shows these browsers (each sees its own accounts').
pub async fn worker_posts(sessions: &[Session]) -> Option<HashMap<String, InWorker>> {
    let mut all = HashMap::new();
    for s in sessions {
        // Page by page, as the queue does (`next_cursor` until null).
        let mut path = "/api/posts?limit=200".to_string();
        loop {
            let a = s.try_send_with(reqwest::Method::GET, &path, None, |r| r).await.ok()?;
            if a.status != 200 {
                return None;
            }
            all.extend(a.body["posts"].as_array()?.iter().map(|p| {
                let id = p["id"].as_str().unwrap_or_default().to_string();
                let error = p["error"]["message"].as_str().map(str::to_string);
                (id, InWorker { state: p["state"].as_str().unwrap_or_default().to_string(), error })
            }));
            match a.body["next_cursor"].as_str() {
                Some(c) => path = format!("/api/posts?limit=200&cursor={c}"),
                None => break,
            }
        }
    }
    Some(all)
}

/// A creator's browser on the soak's Worker: a session (and so an address) of its own, as the
/// Worker's limits count clients (one browser making 200 posts a minute would be a flood).
pub fn browser(base: &str) -> Session {
    Session::at(base).unrecorded()
}

pub async fn tiktok_records() -> Vec<AtTikTok> {
    let all: Vec<Value> = http().get(format!("{}/__emulator/posts", emulator_url())).send().await.unwrap().json().await.unwrap();
    all.iter().map(AtTikTok::from_json).collect()
}

/// The 200-post run. Returns its verdict and the peak RSS of workerd (bytes).
pub async fn run(o: &Options, worker: &mut OwnWorker) -> (Verdict, u64) {
    let mut rng = StdRng::seed_from_u64(o.seed);
    // One browser per creator.
    let mut browsers = Vec::new();
    let mut accounts = Vec::new();
    for i in 0..o.accounts {
        let id = make_account(&format!("{}-{i}", o.seed)).await;
        let s = browser(&worker.url());
        let a = s.connect(&id).await;
        assert_eq!(a.status, 200, "connect {id}: {}", a.body);
        // What the composer does when it opens, before TikTok starts misbehaving.
        let info = s.get(&format!("/api/accounts/{id}/creator-info")).await;
        assert_eq!(info.status, 200, "creator_info {id}: {}", info.body);
        accounts.push(id);
        browsers.push(s);
    }
    let rss = chaos::RssWatch::start(worker.process_group());
    chaos::install_faults(&mut rng).await;
    let started = now_ms();
    let kill_at = chaos::kill_moments(&mut rng, o.kills, o.spread_secs);
    eprintln!("soak: workerd SIGKILL at +{kill_at:?} s");
    let expiry = chaos::expire_tokens_every(accounts.clone(), Duration::from_secs(rng.random_range(100..=140)));
    let mut cron_task = cron(worker.url());

    // Make the posts: a few at a time, as browsers would; some uploads cut and resumed.
    let mut made: Vec<Made> = Vec::new();
    let mut plans = Vec::new();
    for i in 0..o.posts {
        let now = rng.random_bool(0.3);
        let at = if now { None } else { Some(rng.random_range(60..=o.spread_secs.max(61))) };
        // Mostly small videos; a few of three staged parts (20 MB each, the last shorter).
        let extra = if rng.random_bool(0.03) { rng.random_range(40_000_000..45_000_000) } else { rng.random_range(1_000..200_000) };
        plans.push((i, i % accounts.len(), at, extra, rng.random::<u64>(), rng.random_bool(0.15)));
    }
    let mut kills = kill_at.into_iter().peekable();
    for batch in plans.chunks(8) {
        let jobs = batch.iter().map(|(i, who, at, extra, vseed, cut)| {
            let (s, account) = (browsers[*who].clone(), &accounts[*who]);
            let caption = format!("soak {} #{i}", o.seed);
            async move {
                let video = seeded_video(*extra, *vseed);
                let mut body = new_post(account, &caption, video.len());
                // Whole seconds, and never sooner than 30 s from now (staging takes a moment).
                let due_ms = match at {
                    Some(secs) => (started + secs * 1000).max(now_ms() + 30_000) / 1000 * 1000,
                    None => now_ms(),
                };
                if at.is_some() {
                    body["publish_at"] = json!(letspost_core::time_fmt::rfc3339_utc(due_ms));
                }
                let id = stage::create_and_stage(&s, &body, &video, *cut).await;
                Made { id, caption, sha256: sha256_hex(&video), due_ms }
            }
        });
        made.extend(futures::future::join_all(jobs).await);
        crash_when_due(&mut kills, started, worker, &rss).await;
    }
    eprintln!("soak: {} posts made and staged in {} s", made.len(), (now_ms() - started) / 1000);

    // Wait for every post to be final, crashing workerd when its moments come.
    let last_due = made.iter().map(|m| m.due_ms).max().unwrap_or(started);
    let give_up = last_due + 10 * 60_000 + 5_000;
    let mut states = HashMap::new();
    loop {
        crash_when_due(&mut kills, started, worker, &rss).await;
        if let Some(st) = worker_posts(&browsers).await {
            states = st;
            let all_final = made.iter().all(|m| states.get(&m.id).is_some_and(|w| report::is_final(&w.state)));
            if all_final && kills.peek().is_none() {
                break;
            }
        }
        if now_ms() > give_up {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let stopped = now_ms();
    expiry.abort();
    cron_task.abort();
    let _ = (&mut cron_task).await;
    chaos::clear_faults().await;
    let verdict = judge(&made, &tiktok_records().await, &states, stopped);
    (verdict, rss.peak())
}

/// Kill and restart workerd for every crash moment (seconds after `started`) that has come.
async fn crash_when_due(kills: &mut std::iter::Peekable<std::vec::IntoIter<u64>>, started: u64, worker: &mut OwnWorker, rss: &chaos::RssWatch) {
    while kills.next_if(|k| now_ms() >= started + k * 1000).is_some() {
        chaos::crash_and_restart(worker, rss).await;
    }
}

/// The table the issue asks for.
pub fn print_table(o: &Options, v: &Verdict, peak_rss: u64, secs: u64) {
    let (p50, p99, max) = v.lateness_ms.unwrap_or_default();
    let rows = [
        ("seed", o.seed.to_string()),
        ("published", format!("{} / {}", v.published, v.total)),
        ("duplicates", v.duplicates.to_string()),
        ("lost", v.lost.to_string()),
        ("failed with a reason", v.failed.len().to_string()),
        ("wrong bytes", v.wrong_bytes.to_string()),
        ("stuck", v.stuck.to_string()),
        ("lateness p50 / p99 / max", format!("{:.1} s / {:.1} s / {:.1} s", p50 as f64 / 1e3, p99 as f64 / 1e3, max as f64 / 1e3)),
        ("workerd peak RSS", format!("{:.0} MB", peak_rss as f64 / 1e6)),
        ("run time", format!("{secs} s")),
    ];
    println!("\n| soak ({} posts, {} accounts, {} SIGKILLs) | |\n|---|---|", o.posts, o.accounts, o.kills);
    for (k, val) in rows {
        println!("| {k} | {val} |");
    }
    for f in &v.failed {
        println!("failed: {f}");
    }
}
