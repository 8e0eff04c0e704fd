//! `cargo xtask test`: every test, against real parts. Native tests first (fast failures),
//! then one release build of each wasm shell, then the Worker in workerd and the UI in
//! headless Chromium, driven by the end-to-end suite in tests/.

use crate::procs::{free_port, Service};
use crate::tools::{ensure, run_ok, step, Need};
use crate::{build, dev, root, Result};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn run(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err(format!("xtask test takes no arguments, got {args:?}"));
    }
    let started = Instant::now();
    let tools = ensure(Need::Browser)?;

    step("native tests (cargo test --workspace)");
    run_ok(Command::new("cargo").current_dir(root()).args(["test", "--workspace", "--exclude", "letspost-e2e"]).args(NATIVE_EXCLUDES))?;

    build::all(&tools)?;

    step("starting the Worker in workerd and ChromeDriver");
    let worker_port = free_port()?;
    let _worker = dev::start_worker(&tools, worker_port, &[])?;
    let driver_port = free_port()?;
    let chromedriver = tools.chromedriver.as_ref().expect("ensured with Need::Browser");
    let mut driver_cmd = Command::new(chromedriver);
    driver_cmd.arg(format!("--port={driver_port}"));
    let mut driver = Service::start("chromedriver", driver_cmd)?;
    driver.wait_http(&format!("127.0.0.1:{driver_port}"), "/status", 200, Duration::from_secs(30))?;

    step("end-to-end tests (tests/: Worker over HTTP, UI in headless Chromium)");
    run_ok(
        Command::new("cargo")
            .current_dir(root())
            .args(["test", "-p", "letspost-e2e", "--", "--test-threads=2"])
            .env("LETSPOST_URL", format!("http://127.0.0.1:{worker_port}"))
            .env("WEBDRIVER_URL", format!("http://127.0.0.1:{driver_port}"))
            .env("CHROMIUM_BIN", tools.chromium.as_ref().expect("ensured")),
    )?;
    eprintln!("xtask test: all passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Crates that `--workspace` would otherwise build natively but that only make sense as wasm.
const NATIVE_EXCLUDES: [&str; 4] = ["--exclude", "letspost-www", "--exclude", "letspost-worker"];
