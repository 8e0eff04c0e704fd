//! `cargo xtask dev`: the whole app on localhost, the way a creator would use it.

use crate::procs::Service;
use crate::tools::{ensure, step, Need, Tools};
use crate::{build, root, Result};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub const DEV_PORT: u16 = 8787;

/// Start the Worker in workerd with the front end as static assets, built beforehand.
/// `vars` override wrangler.toml's `[vars]` (e.g. the TikTok base URLs).
/// `persist_to`: where workerd keeps R2 and Durable Object state (wrangler's default when
/// `None`: worker/.wrangler/state).
pub fn start_worker(tools: &Tools, port: u16, vars: &[(&str, String)], persist_to: Option<&Path>) -> Result<Service> {
    let inspector = crate::procs::free_port()?;
    let mut cmd = tools.command(&tools.wrangler);
    cmd.current_dir(root().join("worker"))
        .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .args(["--inspector-port", &inspector.to_string()])
        .args(["--test-scheduled", "--show-interactive-dev-session=false", "--log-level", "warn"])
        .env(build::PREBUILT_ENV, "1");
    if let Some(dir) = persist_to {
        cmd.arg("--persist-to").arg(dir);
    }
    for (k, v) in vars {
        cmd.arg("--var").arg(format!("{k}:{v}"));
    }
    let mut worker = Service::start("wrangler dev", cmd)?;
    worker.wait_http(&format!("127.0.0.1:{port}"), "/api/health", 200, Duration::from_secs(120))?;
    Ok(worker)
}

pub const DEV_EMULATOR_PORT: u16 = 8788;

/// Build and start the TikTok emulator on `port`; returns it with the Worker variables that
/// point LetsPost at it instead of real TikTok.
pub fn start_emulator(port: u16, extra: &[&str]) -> Result<(Service, Vec<(&'static str, String)>)> {
    crate::tools::run_ok(Command::new("cargo").current_dir(root()).args(["build", "-q", "-p", "tiktok-emulator"]))?;
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = Command::new(root().join("target/debug/tiktok-emulator"));
    cmd.args(["--addr", &format!("127.0.0.1:{port}")]).args(extra);
    let mut emu = Service::start("tiktok-emulator", cmd)?;
    emu.wait_http(&format!("127.0.0.1:{port}"), "/health", 200, Duration::from_secs(30))?;
    let vars = vec![
        ("TIKTOK_API_BASE", base.clone()),
        ("TIKTOK_AUTH_BASE", base),
        // The emulator's defaults; real TikTok's come from wrangler.toml and a secret.
        ("TIKTOK_CLIENT_KEY", "letspost-local".to_string()),
        ("TIKTOK_CLIENT_SECRET", "letspost-local-secret".to_string()),
    ];
    Ok((emu, vars))
}

/// ChromeDriver for the tests in tests/, with the environment they read to reach it.
pub struct Browser {
    _driver: Service,
    pub env: Vec<(&'static str, std::ffi::OsString)>,
}

/// Start ChromeDriver on a free port; Chromium profiles go to `profiles`, emptied first.
pub fn start_browser(tools: &Tools, profiles: &Path) -> Result<Browser> {
    let _ = std::fs::remove_dir_all(profiles);
    let port = crate::procs::free_port()?;
    let mut cmd = Command::new(tools.chromedriver.as_ref().ok_or("ChromeDriver is not installed (Need::Browser)")?);
    cmd.arg(format!("--port={port}"));
    let mut driver = Service::start("chromedriver", cmd)?;
    driver.wait_http(&format!("127.0.0.1:{port}"), "/status", 200, Duration::from_secs(30))?;
    let env = vec![
        ("WEBDRIVER_URL", format!("http://127.0.0.1:{port}").into()),
        ("CHROMIUM_BIN", tools.chromium.clone().ok_or("Chromium is not installed (Need::Browser)")?.into_os_string()),
        ("CHROMIUM_PROFILES", profiles.as_os_str().to_owned()),
    ];
    Ok(Browser { _driver: driver, env })
}

/// Put a file into the local R2 bucket `letspost-media` (what an upload would stage).
pub fn r2_put(tools: &Tools, persist_to: &Path, key: &str, file: &Path) -> Result {
    crate::tools::run_ok(
        tools
            .command(&tools.wrangler)
            .current_dir(root().join("worker"))
            .args(["r2", "object", "put", &format!("letspost-media/{key}"), "--local"])
            .arg("--file")
            .arg(file)
            .arg("--persist-to")
            .arg(persist_to)
            .stdout(std::process::Stdio::null()),
    )
}

pub fn run(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err(format!("xtask dev takes no arguments, got {args:?}"));
    }
    let tools = ensure(Need::Build)?;
    build::all(&tools)?;
    step("starting the TikTok emulator");
    let state = root().join("target/dev-emulator-state");
    let state_arg = state.to_string_lossy().into_owned();
    let (_emulator, vars) = start_emulator(DEV_EMULATOR_PORT, &["--state-dir", &state_arg])?;
    step("starting the Worker (wrangler dev, workerd)");
    let mut worker = start_worker(&tools, DEV_PORT, &vars, None)?;
    eprintln!(
        "\n  LetsPost is running: http://127.0.0.1:{DEV_PORT}/\n  \
         TikTok emulator:     http://127.0.0.1:{DEV_EMULATOR_PORT}/ (state in {state_arg})\n  (Ctrl-C stops both)\n"
    );
    worker.wait()
}
