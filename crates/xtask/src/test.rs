//! `cargo xtask test`: every test, against real parts. Native tests first (fast failures),
//! then one release build of each wasm shell, then the Worker in workerd and the UI in
//! headless Chromium, driven by the end-to-end suite in tests/.

use crate::procs::free_port;
use crate::tools::{ensure, run_ok, step, Need};
use crate::{build, dev, root, Result};
use std::process::Command;
use std::time::Instant;

pub fn run(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err(format!("xtask test takes no arguments, got {args:?}"));
    }
    let started = Instant::now();
    let tools = ensure(Need::Browser)?;

    step("native tests (cargo test --workspace)");
    run_ok(Command::new("cargo").current_dir(root()).args(["test", "--workspace", "--exclude", "letspost-e2e"]).args(NATIVE_EXCLUDES))?;

    build::all(&tools)?;

    // Fresh Worker state (R2, Durable Objects) for every run, seeded with probe fixtures.
    let state = root().join("target/e2e-state");
    let _ = std::fs::remove_dir_all(&state);
    step("staging probe fixtures in the Worker's local R2");
    let fixtures = root().join("crates/video-probe/tests/fixtures");
    for name in STAGED_FIXTURES {
        dev::r2_put(&tools, &state, &format!("fixture-{name}"), &fixtures.join(name))?;
    }

    step("starting the TikTok emulator, the Worker in workerd, and ChromeDriver");
    let emulator_port = free_port()?;
    let (_emulator, vars) = dev::start_emulator(emulator_port, &["--test-hooks", "--processing-ms", "500", "--moderation-ms", "300"])?;
    let worker_port = free_port()?;
    let _worker = dev::start_worker(&tools, worker_port, &vars, Some(&state))?;
    let browser = dev::start_browser(&tools, &root().join("target/e2e-chromium"))?;

    step("end-to-end tests (tests/: Worker over HTTP, UI in headless Chromium)");
    run_ok(
        Command::new("cargo")
            .current_dir(root())
            .args(["test", "-p", "letspost-e2e", "--", "--test-threads=2"])
            .env("LETSPOST_URL", format!("http://127.0.0.1:{worker_port}"))
            .env("EMULATOR_URL", format!("http://127.0.0.1:{emulator_port}"))
            .envs(browser.env.iter().map(|(k, v)| (k, v))),
    )?;
    eprintln!("xtask test: all passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Fixtures the Worker's probe shell is tested on (tests/tests/worker_media_check.rs).
const STAGED_FIXTURES: [&str; 4] = ["moov_at_end.mp4", "rotated_90.mov", "image.png", "fragmented.mp4"];

/// Crates that `--workspace` would otherwise build natively but that only make sense as wasm.
const NATIVE_EXCLUDES: [&str; 4] = ["--exclude", "letspost-www", "--exclude", "letspost-worker"];
