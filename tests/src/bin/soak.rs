//! `cargo xtask soak` runs this (see `letspost_e2e::soak`): a TikTok emulator of its own in
//! process, a Worker of its own in workerd, then the posts, the faults and the crashes.
//!
//! soak [--seed N] [--posts N] [--accounts N] [--kills N] [--spread SECS] [--load]

use letspost_e2e::own_worker::OwnWorker;
use letspost_e2e::soak::{Options, load, print_table, run};
use std::process::ExitCode;
use std::sync::Arc;

fn parse() -> Result<Options, String> {
    let seed_now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_nanos() as u64;
    let mut o = Options { seed: seed_now % 1_000_000_007, posts: 200, accounts: 4, kills: 2, spread_secs: 420, load: false };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> { args.next().and_then(|v| v.parse().ok()).ok_or(format!("{name} needs a number")) };
        match a.as_str() {
            "--seed" => o.seed = num("--seed")?,
            "--posts" => o.posts = num("--posts")? as usize,
            "--accounts" => o.accounts = num("--accounts")?.max(1) as usize,
            "--kills" => o.kills = num("--kills")? as usize,
            "--spread" => o.spread_secs = num("--spread")?,
            "--load" => o.load = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::from(2);
        }
    };
    println!("soak: seed {} (replay with --seed {})", o.seed, o.seed);
    // TikTok, as the emulator: its own port, test hooks on, the daily cap raised for the load.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let emu_url = format!("http://{}", listener.local_addr().unwrap());
    // Before any thread starts: the helpers find the emulator through this variable.
    unsafe { std::env::set_var("EMULATOR_URL", &emu_url) };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    rt.block_on(async move {
        let mut config = tiktok_emulator::Config::new(emu_url.clone());
        config.test_hooks = true;
        config.daily_cap = 100_000;
        config.processing_ms = 1_500;
        config.moderation_ms = 500;
        // Webhooks on, as in production, delivered to the soak's own Worker (faults below).
        let worker_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        config.webhook_url = Some(format!("http://127.0.0.1:{worker_port}/api/webhooks/tiktok"));
        config.webhook_retry_ms = 500;
        let emu = Arc::new(tiktok_emulator::Emulator::new(config).expect("emulator"));
        listener.set_nonblocking(true).unwrap();
        tokio::spawn(tiktok_emulator::serve(tokio::net::TcpListener::from_std(listener).unwrap(), emu));
        let mut worker = OwnWorker::start_on(&format!("soak-{}", o.seed), &emu_url, worker_port, true).await;
        let started = std::time::Instant::now();
        let (verdict, peak) = run(&o, &mut worker).await;
        print_table(&o, &verdict, peak, started.elapsed().as_secs());
        let mut ok = verdict.passed();
        if o.load {
            let (secs, errors) = load::stagings_at_once(&worker.url(), 100, o.seed).await;
            println!("| 100 stagings at once (100 sessions) | {secs:.1} s, {errors} errors |");
            let (published, twice, missing, last) = load::due_together(&worker.url(), 500, 50, o.seed).await;
            println!("| 500 posts due in one minute (50 accounts) | {published} published, {twice} twice, {missing} not published; last {last:.1} s after the minute |");
            ok &= errors == 0 && published == 500 && twice == 0;
        }
        println!("soak: {}", if ok { "PASSED" } else { "FAILED" });
        if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
    })
}
