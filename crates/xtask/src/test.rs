//! `cargo xtask test`: every test, against real parts. Tidiness first (fmt, clippy), then
//! the native tests (fast failures), one release build of each wasm shell (kept by its sources'
//! hash, `crate::build_cache`), then the Worker in workerd and the UI in headless Chromium (the
//! whole suite), Firefox and WebKit (the creator flows), driven by the end-to-end suite in
//! tests/. The e2e binaries run side by side, longest first (most of a test is waiting on a
//! clock; the browsers are bounded), and beside them the short soak and the day-dependent
//! flows on the hard days (`clock::hard_days`); then the Ctrl-C/SIGTERM checks. Every run ends
//! with a table of where its time went (`crate::timing`).
//!
//! `cargo xtask test FILTER...` starts the same services and runs only the end-to-end tests
//! whose binary's name (`worker_cron`) or own name (`webkit::schedule`) contains a filter,
//! skipping the tidy check, the native tests, the deploy dry run, the soak, the hard days and
//! the signal checks: one flow again in a couple of minutes. `--clock WHEN [--tz ZONE]` runs
//! them on another day (`--clock '2026-12-12 10:00' --tz Europe/Berlin ui_schedule`).

use crate::clock::Clock;
use crate::procs::free_port;
use crate::timing::phase;
use crate::tools::{Need, Tools, ensure, run_ok, step};
use crate::{Result, build, dev, root};
use std::process::Command;
use std::time::Instant;

/// What `xtask test` was asked: `[--clock WHEN [--tz ZONE]] [FILTER...]`.
struct Options {
    clock: Option<Clock>,
    filters: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let (mut when, mut tz, mut filters) = (None, None, Vec::new());
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--clock" => when = Some(it.next().ok_or("--clock takes a date, e.g. --clock '2026-12-12 10:00'")?.clone()),
                "--tz" => tz = Some(it.next().ok_or("--tz takes a zone, e.g. --tz Europe/Berlin")?.clone()),
                flag if flag.starts_with('-') => return Err(format!("xtask test takes --clock, --tz and test-name filters, not {flag:?}")),
                filter => filters.push(filter.to_string()),
            }
        }
        let clock = match (when, tz) {
            (Some(w), tz) => Some(Clock::at(&w, tz.as_deref())?),
            (None, Some(tz)) => Some(Clock::at("now", Some(&tz))?),
            (None, None) => None,
        };
        Ok(Options { clock, filters })
    }
}

/// How many browsers the suite may have open at once (`LETSPOST_BROWSERS` overrides): most of
/// a UI test is waiting for a clock, a few seconds of it are a page's wasm and layout on a core.
/// Measured on 2 cores: 4 browsers, every binary at once and the soak beside them drove the load
/// average to 13–15, and uploads, a 2 s webhook check and wrangler's start timed out.
/// Four, with a browser waiting on a clock giving its slot back (`Browser::idle`). Measured:
/// the slots' summed hold is ~1,340 s over 79 tests; at five the holds grew and alarms fired
/// 30 s late; at three the wall time stayed (456 s) and the load did not fall: the CPU, not the
/// slots, was the bound.
const BROWSER_SLOTS: u32 = 4;
/// e2e binaries and tasks running at once (`LETSPOST_E2E_JOBS` overrides). Measured warm on
/// 2 cores: at 6 the load average peaked at 16 and timing checks failed (a scheduled post 17–21 s
/// late, a sign-in past 20 s) in 3 of 4 runs; at 4 the whole run took the same wall time (442 s
/// against 425–456 s), the load peaked at 13 and it passed: the clocks, not the jobs, set the pace.
const E2E_JOBS: usize = 4;
/// libtest threads per e2e binary.
const TEST_THREADS: u32 = 2;
/// The flows that depend on the day, hour or month, run again on `clock::hard_days` in every
/// full run: the week view's "next week", the queue's month calendar and the Worker's slots.
const DATE_FLOWS: [&str; 3] = ["drag_a_post_to_another_day", "ui_queue", "worker_schedule"];

pub fn run(args: &[String]) -> Result {
    let started = Instant::now();
    let out = Options::parse(args).and_then(|o| run_with(&o));
    crate::timing::print(started.elapsed().as_secs_f64());
    crate::timing::print_totals();
    match &out {
        Ok(()) => eprintln!("xtask test: all passed in {:.0} s", started.elapsed().as_secs_f64()),
        Err(_) => eprintln!("xtask test: failed after {:.0} s", started.elapsed().as_secs_f64()),
    }
    out
}

fn run_with(o: &Options) -> Result {
    let everything = o.filters.is_empty() && o.clock.is_none();
    crate::procs::stop_services_on_signal()?;
    let tools = phase("setup", "tools (install what is missing)", || ensure(Need::Browser))?;
    if everything {
        tidy(&tools)?;
        step("native tests (cargo test --workspace)");
        phase("native", "cargo test --workspace", || {
            run_ok(Command::new("cargo").current_dir(root()).args(["test", "--workspace", "--exclude", "letspost-e2e"]).args(NATIVE_EXCLUDES))
        })?;
    }
    phase("build", "wasm shells (release) and the emulator", || build::for_emulator(&tools))?;
    // What services print is kept too: the suite's last binary scans it for secrets.
    let logs = root().join("target/e2e-logs");
    crate::procs::keep_logs_in(&logs)?;
    let suite = phase("services", "emulator, Worker and ChromeDriver up", || Suite::start(&tools, "e2e", o.clock.as_ref()))?;
    if everything {
        step("wrangler deploy --dry-run (bindings, migrations, cron, R2 make a deployable Worker)");
        phase("build", "wrangler deploy --dry-run", || deploy_dry_run(&tools))?;
    }
    step(&match (&o.clock, everything) {
        (_, true) => "end-to-end tests (tests/: Worker over HTTP, UI in Chromium, Firefox and WebKit), side by side".to_string(),
        (Some(c), _) => format!("end-to-end tests matching {} on {}", if o.filters.is_empty() { "anything".into() } else { o.filters.join(" or ") }, c.label),
        (None, _) => format!("end-to-end tests matching {}", o.filters.join(" or ")),
    });
    let env = suite.env.clone();
    let jobs = std::env::var("LETSPOST_E2E_JOBS").ok().and_then(|j| j.parse().ok()).unwrap_or(E2E_JOBS);
    // Beside the binaries, when everything runs: the short soak (its own emulator and Worker,
    // faults on, one SIGKILL) and the day-dependent flows on the hard days, each day with
    // services of its own under its clock, their browsers in the main run's slots.
    let tasks = if everything {
        let soak_tools = tools.clone();
        let mut tasks = vec![crate::e2e::Task {
            name: "short soak (30 posts, faults, one SIGKILL)".into(),
            run: Box::new(move |log| crate::soak::short(&soak_tools, log)),
        }];
        tasks.extend(crate::clock::hard_days().into_iter().map(|(when, tz)| day_task(&tools, when, tz)));
        tasks
    } else {
        Vec::new()
    };
    let e2e = phase("e2e", "(all of it, wall)", || crate::e2e::run(&tools, &env, &test_threads(), &o.filters, "e2e", jobs, tasks));
    slot_waits("e2e");
    drop(suite);
    e2e?;
    if !everything {
        return Ok(());
    }
    step("Ctrl-C and SIGTERM on `cargo xtask dev` stop everything it started, also while it starts");
    phase("signals", "Ctrl-C and SIGTERM on xtask dev", || {
        [("INT", Sent::OnceUp), ("TERM", Sent::OnceUp), ("TERM", Sent::WhileTheWorkerStarts)]
            .into_iter()
            .try_for_each(|(signal, when)| dev_stops_on(signal, when))
    })
}

/// When the signal check sends its signal.
#[derive(Clone, Copy, PartialEq)]
enum Sent {
    /// Once the app and the emulator answer, as a creator stops a running app.
    OnceUp,
    /// As soon as the emulator answers, while xtask starts the Worker: a stop that comes
    /// between two services (or between a failed start and its retry) must not leave one.
    WhileTheWorkerStarts,
}

fn browser_slots() -> u32 {
    std::env::var("LETSPOST_BROWSERS").ok().and_then(|b| b.parse().ok()).unwrap_or(BROWSER_SLOTS)
}

/// The flows that depend on the day (`DATE_FLOWS`) on `when` in `tz`, with an emulator, a
/// Worker and a ChromeDriver of their own under that clock.
fn day_task(tools: &Tools, when: &'static str, tz: Option<&'static str>) -> crate::e2e::Task {
    let tools = tools.clone();
    let tag = format!("day-{}", when.replace([' ', ':'], "-"));
    crate::e2e::Task {
        name: format!("the day-dependent flows on {when}{}", tz.map(|t| format!(" {t}")).unwrap_or_default()),
        run: Box::new(move |_log| {
            let clock = Clock::at(when, tz)?;
            let suite = Suite::start(&tools, &tag, Some(&clock))?;
            crate::e2e::run(&tools, &suite.env, &test_threads(), &DATE_FLOWS.map(String::from), &tag, DATE_FLOWS.len(), Vec::new())
        }),
    }
}

/// The browsers' waits for a slot and the tests that held slots longest
/// (`tests/src/engines.rs` notes both), as rows of the table.
fn slot_waits(tag: &str) {
    let dir = browsers_dir(tag);
    let notes = std::fs::read_to_string(dir.join("browser-slot-waits")).unwrap_or_default();
    let waits: Vec<f64> = notes.lines().filter_map(|l| l.trim().parse().ok()).collect();
    crate::timing::record("slots", format!("browsers waiting for a slot ({} waits, summed)", waits.len()), waits.iter().sum());
    let holds = std::fs::read_to_string(dir.join("browser-slot-holds")).unwrap_or_default();
    let mut by_test: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
    for (secs, test) in holds.lines().filter_map(|l| l.split_once(' ')) {
        *by_test.entry(test).or_default() += secs.parse::<f64>().unwrap_or(0.0);
    }
    crate::timing::record("slots", format!("slots held, summed over {} tests", by_test.len()), by_test.values().sum());
    let mut top: Vec<_> = by_test.into_iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (test, secs) in top.into_iter().take(8) {
        crate::timing::record("slots", format!("  held by {test}"), secs);
    }
}

/// A run's browser profiles and driver logs; the main run's (`e2e`) also holds the browser
/// slots that every run of the suite shares.
fn browsers_dir(tag: &str) -> std::path::PathBuf {
    root().join(format!("target/{tag}-browsers"))
}

fn test_threads() -> Vec<String> {
    vec![format!("--test-threads={TEST_THREADS}")]
}

/// `cargo fmt --check` and clippy with warnings as errors, natively and for the wasm shells
/// on their target: first, so a slip costs seconds, not a whole run.
fn tidy(tools: &Tools) -> Result {
    step("tidy: cargo fmt --check, cargo clippy -D warnings (native and wasm)");
    phase("tidy", "cargo fmt --check", || run_ok(Command::new("cargo").current_dir(root()).args(["fmt", "--all", "--check"])))?;
    phase("tidy", "cargo clippy --workspace --all-targets", || {
        run_ok(Command::new("cargo").current_dir(root()).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--exclude",
            "letspost-www",
            "--exclude",
            "letspost-worker",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    phase("tidy", "cargo clippy (www, worker on wasm32)", || {
        run_ok(tools.command("cargo").current_dir(root()).args([
            "clippy",
            "-p",
            "letspost-www",
            "-p",
            "letspost-worker",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]))
    })
}

/// The services one e2e run talks to, and what its tests read to reach them.
struct Suite {
    _emulator: crate::procs::Service,
    _worker: crate::procs::Service,
    _browser: dev::Browser,
    env: Vec<(&'static str, std::ffi::OsString)>,
}

impl Suite {
    /// An emulator, a Worker with fresh state (`target/<tag>-state`) and ChromeDriver, all
    /// under `clock` when given.
    fn start(tools: &Tools, tag: &str, clock: Option<&Clock>) -> Result<Suite> {
        let clock_env = clock.map(Clock::env).transpose()?.unwrap_or_default();
        let state = root().join(format!("target/{tag}-state"));
        let _ = std::fs::remove_dir_all(&state);
        step(&format!(
            "starting the TikTok emulator, the Worker in workerd and ChromeDriver ({tag}{})",
            clock.map(|c| format!(", clock {}", c.label)).unwrap_or_default()
        ));
        let emulator_port = free_port()?;
        let worker_port = free_port()?;
        // Webhooks on, as in production: TikTok (the emulator) pushes status to the Worker.
        let (emulator, mut vars) = dev::start_emulator(
            emulator_port,
            &["--test-hooks", "--processing-ms", "500", "--moderation-ms", "300", "--webhook-retry-ms", "500"],
            Some(worker_port),
            &clock_env,
        )?;
        // A fresh token key each run; the suite checks that it never reaches a response.
        let token_key = dev::fresh_token_key()?;
        vars.push(("TOKEN_KEY", token_key.clone()));
        // Short leads, so tests wait seconds, not minutes, for what production does in minutes
        // (the tests read them back from GET /api/test/timing): a finished post's video is
        // deleted after 15 s (a week in production; a failed post's retry needs it, and 5 s was
        // too short for a reconnect under load), "Add to queue" takes a slot 10 s ahead (5 min),
        // a scheduled upload starts 5 s (30 s) plus its send-ahead time before its time.
        vars.push(("MEDIA_RETENTION_SECS", "15".into()));
        vars.push(("QUEUE_LEAD_SECS", "10".into()));
        vars.push(("UPLOAD_LEAD_MARGIN_SECS", "5".into()));
        // The suite's own faults inside the Worker (worker/src/test_hooks.rs).
        vars.push(("TEST_HOOKS", "1".into()));
        let worker = dev::start_worker(tools, worker_port, &vars, Some(&state), &clock_env)?;
        let browser = dev::start_browser(tools, &browsers_dir(tag), &clock_env)?;
        let mut env = browser.env.clone();
        env.extend([
            // The browsers open at once, over every run side by side (the hard days share the main run's slots).
            ("LETSPOST_BROWSERS", browser_slots().to_string().into()),
            ("LETSPOST_BROWSER_SLOTS_DIR", browsers_dir("e2e").into_os_string()),
            // For tests that run (and crash) a Worker of their own.
            ("LETSPOST_WRANGLER", tools.wrangler.clone().into_os_string()),
            ("LETSPOST_URL", format!("http://127.0.0.1:{worker_port}").into()),
            ("EMULATOR_URL", format!("http://127.0.0.1:{emulator_port}").into()),
            ("LETSPOST_TOKEN_KEY", token_key.into()),
            ("LETSPOST_SERVICE_LOGS", root().join("target/e2e-logs").into_os_string()),
        ]);
        // The tests and what they start (geckodriver, WebKitWebDriver, an own Worker) keep the clock.
        env.extend(clock_env.into_iter().map(|(k, v)| (k, v.into())));
        Ok(Suite { _emulator: emulator, _worker: worker, _browser: browser, env })
    }
}

/// Crates that `--workspace` would otherwise build natively but that only make sense as wasm.
const NATIVE_EXCLUDES: [&str; 4] = ["--exclude", "letspost-www", "--exclude", "letspost-worker"];

/// Run `xtask dev` as a terminal would (its own foreground process group), wait until the app
/// and the emulator answer (or only the emulator: `when`), send the signal a person sends
/// (Ctrl-C: SIGINT to the group; `kill`: SIGTERM to xtask), and check that both ports are free
/// again and that no process naming them is left.
fn dev_stops_on(signal: &str, when: Sent) -> Result {
    use crate::procs::http_status;
    use std::os::unix::process::CommandExt;
    use std::time::Duration;
    let (port, emu_port) = (free_port()?, free_port()?);
    // The binary that runs this (rebuilt meanwhile, /proc names it "… (deleted)": the path cargo puts it at).
    let exe = std::env::current_exe().ok().filter(|p| p.exists()).unwrap_or_else(|| root().join("target/debug/xtask"));
    // Ctrl-C is tried on `xtask dev 2>&1 | tee LOG`, as many run it: the same Ctrl-C ends tee,
    // so xtask must stop its services with nobody left to read what it prints.
    let mut cmd = if signal == "INT" {
        let log = root().join("target/ctrl-c-dev.log");
        let mut c = Command::new("bash");
        c.arg("-c").arg(format!("'{}' dev 2>&1 | tee '{}'", exe.display(), log.display()));
        c.stdout(std::process::Stdio::null());
        c
    } else {
        let mut c = Command::new(exe);
        c.arg("dev");
        c
    };
    let mut dev = cmd
        .current_dir(root())
        .env(build::PREBUILT_ENV, "1")
        .env("LETSPOST_DEV_PORT", port.to_string())
        .env("LETSPOST_EMULATOR_PORT", emu_port.to_string())
        .env("LETSPOST_DEV_STATE", root().join("target/ctrl-c-state"))
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start xtask dev: {e}"))?;
    let app = format!("127.0.0.1:{port}");
    let emu = format!("127.0.0.1:{emu_port}");
    let up = Instant::now();
    let up_enough = || (when == Sent::WhileTheWorkerStarts || http_status(&app, "/api/health") == Some(200)) && http_status(&emu, "/health") == Some(200);
    while !up_enough() {
        if let Some(status) = dev.try_wait().ok().flatten() {
            return Err(format!("xtask dev exited ({status}) before it answered; see target/ctrl-c-dev.log"));
        }
        if up.elapsed() > Duration::from_secs(180) {
            let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", dev.id())]).status();
            return Err("xtask dev did not come up within 180 s".into());
        }
        std::thread::sleep(if when == Sent::OnceUp { Duration::from_millis(250) } else { Duration::from_millis(20) });
    }
    let target = if signal == "INT" { format!("-{}", dev.id()) } else { dev.id().to_string() };
    run_ok(Command::new("kill").args(["-s", signal, "--", &target]))?;
    let sent = Instant::now();
    let status = loop {
        if let Some(s) = dev.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if sent.elapsed() > Duration::from_secs(20) {
            let _ = dev.kill();
            return Err(format!("xtask dev did not exit within 20 s of SIG{signal}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // A killed process's sockets close as the kernel reaps it: up to 3 s for the ports.
    let listening = || {
        [(&app, "the Worker"), (&emu, "the emulator")].into_iter().filter(|(addr, _)| std::net::TcpStream::connect(addr.as_str()).is_ok()).collect::<Vec<_>>()
    };
    let freed = Instant::now();
    while (!listening().is_empty() || !naming(&[port, emu_port]).is_empty()) && freed.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
    }
    // A service started as the stop came may not listen yet, but it runs: its command line
    // names its port (wrangler's --port, workerd's and the emulator's addresses).
    let left = naming(&[port, emu_port]);
    if !left.is_empty() {
        return Err(format!("after SIG{signal} ({status}), still running: {}", left.join("; ")));
    }
    let still = listening()
        .into_iter()
        .map(|(addr, what)| {
            // Who holds it, for whoever reads the failure.
            let port = addr.rsplit(':').next().unwrap_or_default();
            let holder = Command::new("ss")
                .args(["-ltnpH", &format!("sport = :{port}")])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_default();
            format!("{what} still listens on {addr} ({holder})")
        })
        .collect::<Vec<_>>();
    if !still.is_empty() {
        return Err(format!("after SIG{signal} ({status}): {}", still.join("; ")));
    }
    let moment = if when == Sent::OnceUp { "" } else { " (sent while the Worker started)" };
    eprintln!("SIG{signal}{moment}: xtask dev exited ({status}) in {:.1} s, ports {port} and {emu_port} are free", sent.elapsed().as_secs_f64());
    Ok(())
}

/// Running processes whose command line names one of `ports` (as `--port P` or `…:P`), as
/// "pid: command line".
fn naming(ports: &[u16]) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| {
        let pid = e.ok()?.file_name().to_str()?.parse::<u32>().ok()?;
        let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let args: Vec<String> = raw.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        let names = |p: u16| {
            let addr = format!("127.0.0.1:{p}");
            // …:4040 is not …:40401.
            let at = |a: &str| a.match_indices(&addr).any(|(i, _)| !a[i + addr.len()..].starts_with(|c: char| c.is_ascii_digit()));
            args.windows(2).any(|w| w[0] == "--port" && w[1] == p.to_string()) || args.iter().any(|a| at(a))
        };
        ports.iter().any(|p| names(*p)).then(|| format!("{pid}: {}", args.join(" ").chars().take(160).collect::<String>()))
    })
    .collect()
}

/// `wrangler deploy --dry-run` works offline: it reads wrangler.toml, bundles, and lists the
/// bindings a deploy would create. Every binding the Worker uses must be there.
fn deploy_dry_run(tools: &crate::tools::Tools) -> Result {
    let out_dir = root().join("target/deploy-dry-run");
    let out = tools
        .command(&tools.wrangler)
        .current_dir(root().join("worker"))
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(&out_dir)
        .env(build::PREBUILT_ENV, "1")
        .output()
        .map_err(|e| format!("wrangler deploy --dry-run: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("wrangler deploy --dry-run failed:\n{text}"));
    }
    let wanted = [
        "env.ACCOUNTS (Account)",
        "env.SESSIONS (Session)",
        "env.POSTS (PostObject)",
        "env.REGISTRY (Registry)",
        "env.DUE (DueIndex)",
        "env.SWEEP (SweepState)",
        "env.MEDIA (letspost-media)",
        "env.ASSETS",
    ];
    let missing: Vec<_> = wanted.iter().filter(|w| !text.contains(*w)).collect();
    if !missing.is_empty() {
        return Err(format!("wrangler deploy --dry-run lacks {missing:?}:\n{text}"));
    }
    eprintln!("deploy dry run: {} bindings listed, bundle in {}", wanted.len(), out_dir.display());
    Ok(())
}
