//! `cargo xtask <command>`: everything a fresh machine needs, from the project's own files.
//!
//! - `dev`   build, start the TikTok emulator and the Worker (wrangler dev, front end as assets)
//! - `test`  every test: native, both wasm builds, the Worker in workerd, the UI in three engines
//!   (`test FILTER...`: only the matching end-to-end tests, same services)
//! - `build` the front end (www/dist) and the Worker (worker/build), release, with sizes
//! - `bench` the probe's figures: bytes read and time per file, native, ffprobe, three browsers
//! - `fuzz`  fuzz the video probe (cargo-fuzz, seeded with the fixtures)
//! - `soak`  posts under TikTok faults, token expiry and workerd crashes, then load; one table
//! - `setup` install the toolchain only

mod bench;
mod build;
mod build_cache;
mod clock;
mod deploy_check;
mod dev;
mod e2e;
mod fuzz;
mod procs;
mod python;
mod soak;
mod test;
mod timing;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask lives in crates/xtask).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("workspace root").to_path_buf()
}

fn usage() -> String {
    "usage: cargo xtask <dev|test|build|bench|fuzz|soak|setup|help>\n  \
     dev    run the app on localhost (emulator + Worker + front end)\n  \
     test   run every test, then print where the time went: each phase, each e2e binary and task (soak,\n         \
            hard days), the browsers' summed waits for a slot, and the ten slowest tests.\n         \
            test FILTER... starts the same services and runs only the end-to-end binaries or tests whose\n         \
            names contain a FILTER (no tidy check, native tests, soak, hard days or signal checks):\n         \
            `cargo xtask test webkit::schedule`; --clock WHEN [--tz ZONE] runs them on another day\n  \
     build  build the front end and the Worker in release, for deploy (no test or bench route);\n         \
            build --worker-out DIR builds only the Worker so, into worker/DIR\n  \
     bench  measure [probe|pipeline|webhooks|sweep|history|web]: the video probe (native, ffprobe, 3 browsers), the\n         \
            post pipeline (and polling vs webhooks), the cron's cost against the number of posts, the queue's cost\n         \
            against a creator's history, Lighthouse on a phone\n  \
     fuzz   fuzz [probe|link|webhook] [SECONDS, default 300]: the video probe, the share-link decoder or\n         \
            the webhook check and parser\n  \
     soak   soak [--seed N] [--posts N] [--accounts N] [--kills N] [--spread SECS]: 200 posts under\n         \
            faults and crashes, then load; exits non-zero unless every post published once\n  \
     setup  install the toolchain\n  \
     help   print this (also -h, --help)\n\n\
     dev reads LETSPOST_DEV_PORT (8787), LETSPOST_EMULATOR_PORT (8788) and LETSPOST_DEV_STATE."
        .into()
}

/// `None`: not a task (a usage error, exit 2).
fn run(args: &[String]) -> Option<Result> {
    Some(match args.first().map(String::as_str) {
        Some("dev") => dev::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("soak") => soak::run(&args[1..]),
        Some("build") => tools::ensure(tools::Need::Build).and_then(|tools| match &args[1..] {
            [] => build::for_deploy(&tools),
            [flag, dir] if flag == "--worker-out" => build::deploy_worker_into(&tools, dir),
            other => Err(format!("xtask build takes nothing, or --worker-out DIR; got {other:?}")),
        }),
        Some("setup") => tools::ensure(tools::Need::Browser).map(|_| ()),
        _ => return None,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("help" | "-h" | "--help")) {
        println!("{}", usage());
        return ExitCode::SUCCESS;
    }
    let outcome = run(&args);
    procs::let_a_stop_finish();
    match outcome {
        Some(Ok(())) => ExitCode::SUCCESS,
        Some(Err(e)) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
        None => {
            if let Some(task) = args.first() {
                eprintln!("xtask: unknown task {task:?}");
            }
            eprintln!("{}", usage());
            ExitCode::from(2)
        }
    }
}
