//! `cargo xtask bench sweep`: what one cron run costs against the number of posts that exist.
//! In workerd (wrangler dev) against the emulator: 200 connected accounts, then N = 100, 1,000
//! and 5,000 posts due days ahead (real Post objects, made through the test hooks without
//! staging), the cron fired three times at each N (subrequests and duration from
//! `GET /api/health`'s `sweep`), then 20 of them made overdue with their alarms deleted and the
//! cron fired until every one is armed again. Prints one table; asserts nothing.

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::cron::{alarm_of, fire_cron, sweep_report, test_hook};
use serde_json::{Value, json};
use std::time::Duration;

const ACCOUNTS: usize = 200;
const SIZES: [usize; 3] = [100, 1_000, 5_000];
const LOST: usize = 20;
const DAYS_AHEAD_MS: u64 = 3 * 86_400_000;

/// Fire the cron once and return its report (health caches it a few seconds: wait for a new `at`).
async fn cron_run() -> Value {
    let before = sweep_report().await["at"].clone();
    // `at` is whole seconds: runs a second apart each have their own.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    fire_cron().await;
    for _ in 0..100 {
        let now = sweep_report().await;
        if now["at"] != before {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the cron's report never changed");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    eprintln!("connecting {ACCOUNTS} accounts…");
    let mut accounts = Vec::new();
    for i in 0..ACCOUNTS {
        let open_id = new_account(&format!("sweep{i}"), "creator").await;
        let s = Session::new().unrecorded();
        assert_eq!(s.connect(&open_id).await.status, 200);
        accounts.push(open_id);
    }
    let mut ids: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for n in SIZES {
        eprintln!("making posts up to {n}…");
        while ids.len() < n {
            let count = (n - ids.len()).min(100);
            let account = &accounts[ids.len() % accounts.len()];
            let made = test_hook("posts", json!({ "account": account, "count": count, "publish_in_ms": DAYS_AHEAD_MS })).await;
            ids.extend(made["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()));
        }
        let runs: Vec<Value> = {
            let mut v = Vec::new();
            for _ in 0..3 {
                v.push(cron_run().await);
            }
            v
        };
        let idle = |k: &str| runs.iter().map(|r| r[k].as_u64().unwrap()).collect::<Vec<_>>();
        // 20 of them lose their alarm, overdue by three minutes as the index sees it.
        let lost: Vec<String> = ids.iter().step_by(n / LOST).take(LOST).cloned().collect();
        test_hook("posts/stall", json!({ "ids": lost, "overdue_ms": 180_000 })).await;
        let mut passes = 0;
        let mut rearmed = 0;
        let mut busy = Value::Null;
        while passes < 10 {
            let r = cron_run().await;
            passes += 1;
            rearmed += r["rearmed"].as_u64().unwrap();
            if passes == 1 {
                busy = r;
            }
            let mut armed = 0;
            for id in &lost {
                armed += usize::from(alarm_of(id).await.is_some());
            }
            if armed == LOST {
                break;
            }
        }
        rows.push((n, idle("subrequests"), idle("duration_ms"), busy, passes, rearmed));
    }
    println!("\ncron sweep: {ACCOUNTS} accounts; posts due in 3 days; 20 lost alarms per N");
    println!(
        "| posts N | subrequests, idle (3 runs) | duration ms, idle | subrequests with 20 overdue | duration ms with 20 overdue | runs to re-arm all 20 | re-armed |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (n, subs, ms, busy, passes, rearmed) in rows {
        println!(
            "| {n} | {} | {} | {} | {} | {passes} | {rearmed} |",
            subs.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
            ms.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
            busy["subrequests"],
            busy["duration_ms"],
        );
    }
}
