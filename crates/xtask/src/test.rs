//! `cargo xtask test`: every test, against real parts. Native tests first (fast failures),
//! then one release build of each wasm shell, then the Worker in workerd and the UI in
//! headless Chromium (the whole suite), Firefox and WebKit (the creator flows), driven by the
//! end-to-end suite in tests/.
//!
//! `cargo xtask test FILTER...` starts the same services and runs only the end-to-end tests
//! whose binary's name (`worker_cron`) or own name (`webkit::schedule`) contains a filter, skipping the native tests, the deploy
//! dry run, the short soak and the Ctrl-C check: one flow again in a couple of minutes.

use crate::procs::free_port;
use crate::tools::{Need, ensure, run_ok, step};
use crate::{Result, build, dev, root};
use std::process::Command;
use std::time::Instant;

pub fn run(filters: &[String]) -> Result {
    if let Some(flag) = filters.iter().find(|f| f.starts_with('-')) {
        return Err(format!("xtask test takes test-name filters, not options ({flag:?})"));
    }
    let everything = filters.is_empty();
    let started = Instant::now();
    crate::procs::stop_services_on_signal()?;
    let tools = ensure(Need::Browser)?;

    if everything {
        step("native tests (cargo test --workspace)");
        run_ok(Command::new("cargo").current_dir(root()).args(["test", "--workspace", "--exclude", "letspost-e2e"]).args(NATIVE_EXCLUDES))?;
    }

    build::for_emulator(&tools)?;

    // Fresh Worker state (R2, Durable Objects) for every run.
    let state = root().join("target/e2e-state");
    let _ = std::fs::remove_dir_all(&state);

    step("starting the TikTok emulator, the Worker in workerd and ChromeDriver");
    // What they print is kept too: the suite's last binary scans it for secrets.
    let logs = root().join("target/e2e-logs");
    crate::procs::keep_logs_in(&logs)?;
    let emulator_port = free_port()?;
    let worker_port = free_port()?;
    // Webhooks on, as in production: TikTok (the emulator) pushes status to the Worker.
    let (_emulator, vars) = dev::start_emulator(
        emulator_port,
        &["--test-hooks", "--processing-ms", "500", "--moderation-ms", "300", "--webhook-retry-ms", "500"],
        Some(worker_port),
    )?;
    // A fresh token key each run; the suite checks that it never reaches a response.
    let token_key = dev::fresh_token_key()?;
    let mut vars = vars;
    vars.push(("TOKEN_KEY", token_key.clone()));
    // Short enough for a test to see a published post's video deleted.
    vars.push(("MEDIA_RETENTION_SECS", "15".into()));
    // "Add to queue" a minute ahead (5 in production), so a test sees a queued post published.
    vars.push(("QUEUE_LEAD_SECS", "60".into()));
    // The suite's own faults inside the Worker (worker/src/test_hooks.rs).
    vars.push(("TEST_HOOKS", "1".into()));
    let worker = dev::start_worker(&tools, worker_port, &vars, Some(&state))?;
    let browser = dev::start_browser(&tools, &root().join("target/e2e-browsers"))?;

    if everything {
        step("wrangler deploy --dry-run (bindings, migrations, cron, R2 make a deployable Worker)");
        deploy_dry_run(&tools)?;
    }

    step(&if everything {
        "end-to-end tests (tests/: Worker over HTTP, UI in Chromium, Firefox and WebKit)".to_string()
    } else {
        format!("end-to-end tests matching {}", filters.join(" or "))
    });
    let mut env = browser.env.clone();
    env.extend([
        // For tests that run (and crash) a Worker of their own.
        ("LETSPOST_WRANGLER", tools.wrangler.clone().into_os_string()),
        ("LETSPOST_URL", format!("http://127.0.0.1:{worker_port}").into()),
        ("EMULATOR_URL", format!("http://127.0.0.1:{emulator_port}").into()),
        ("LETSPOST_TOKEN_KEY", token_key.clone().into()),
        ("LETSPOST_SERVICE_LOGS", logs.clone().into_os_string()),
    ]);
    let e2e = crate::e2e::run(&tools, &env, &["--test-threads=2".to_string()], filters);
    drop((worker, browser));
    e2e?;
    if !everything {
        eprintln!("xtask test: the matching end-to-end tests passed in {:.0} s", started.elapsed().as_secs_f64());
        return Ok(());
    }

    // A short soak: its own emulator and Worker, faults on, one SIGKILL.
    crate::soak::short(&tools)?;

    step("Ctrl-C and SIGTERM on `cargo xtask dev` stop everything it started");
    for signal in ["INT", "TERM"] {
        dev_stops_on(signal)?;
    }
    eprintln!("xtask test: all passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Crates that `--workspace` would otherwise build natively but that only make sense as wasm.
const NATIVE_EXCLUDES: [&str; 4] = ["--exclude", "letspost-www", "--exclude", "letspost-worker"];

/// Run `xtask dev` as a terminal would (its own foreground process group), wait until the app
/// and the emulator answer, send the signal a person sends (Ctrl-C: SIGINT to the group;
/// `kill`: SIGTERM to xtask), and check that both ports are free again.
fn dev_stops_on(signal: &str) -> Result {
    use crate::procs::http_status;
    use std::os::unix::process::CommandExt;
    use std::time::Duration;
    let (port, emu_port) = (free_port()?, free_port()?);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
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
    while http_status(&app, "/api/health") != Some(200) || http_status(&emu, "/health") != Some(200) {
        if let Some(status) = dev.try_wait().ok().flatten() {
            return Err(format!("xtask dev exited ({status}) before it answered; see target/ctrl-c-dev.log"));
        }
        if up.elapsed() > Duration::from_secs(180) {
            let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", dev.id())]).status();
            return Err("xtask dev did not come up within 180 s".into());
        }
        std::thread::sleep(Duration::from_millis(250));
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
    std::thread::sleep(Duration::from_millis(300));
    let still = [(&app, "the Worker"), (&emu, "the emulator")]
        .into_iter()
        .filter(|(addr, _)| std::net::TcpStream::connect(addr.as_str()).is_ok())
        .map(|(addr, what)| format!("{what} still listens on {addr}"))
        .collect::<Vec<_>>();
    if !still.is_empty() {
        return Err(format!("after SIG{signal} ({status}): {}", still.join("; ")));
    }
    eprintln!("SIG{signal}: xtask dev exited ({status}) in {:.1} s, ports {port} and {emu_port} are free", sent.elapsed().as_secs_f64());
    Ok(())
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
