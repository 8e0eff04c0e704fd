//! `cargo xtask dev`: the whole app on localhost, the way a creator would use it.

use crate::procs::Service;
use crate::tools::{Need, Tools, ensure, step};
use crate::{Result, build, root};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub const DEV_PORT: u16 = 8787;

/// Start the Worker in workerd with the front end as static assets, built beforehand.
/// `vars` override wrangler.toml's `[vars]` (e.g. the TikTok base URLs).
/// `persist_to`: where workerd keeps R2 and Durable Object state (wrangler's default when
/// `None`: worker/.wrangler/state). `env`: more environment (`crate::clock`'s).
pub fn start_worker(tools: &Tools, port: u16, vars: &[(&str, String)], persist_to: Option<&Path>, env: &[(&str, String)]) -> Result<Service> {
    let inspector = crate::procs::free_port()?;
    let mut cmd = tools.command(&tools.wrangler);
    cmd.current_dir(root().join("worker"))
        .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .args(["--inspector-port", &inspector.to_string()])
        .args(["--test-scheduled", "--show-interactive-dev-session=false", "--log-level", "warn"])
        .env(build::PREBUILT_ENV, "1")
        .envs(env.iter().map(|(k, v)| (k, v)));
    if let Some(dir) = persist_to {
        cmd.arg("--persist-to").arg(dir);
    }
    for (k, v) in vars {
        cmd.arg("--var").arg(format!("{k}:{v}"));
    }
    // Wranglers started side by side from worker/ (a test run's hard days) share
    // `worker/.wrangler/tmp`; one's start can lose its bundle to another's clean-up: once more.
    match Service::start("wrangler dev", clone(&cmd))
        .and_then(|mut w| w.wait_http(&format!("127.0.0.1:{port}"), "/api/health", 200, Duration::from_secs(120)).map(|()| w))
    {
        Ok(w) => Ok(w),
        // A signal stopped it: no retry (Service::start would refuse it anyway).
        Err(e) if crate::procs::stopping() => Err(e),
        Err(e) => {
            eprintln!("wrangler dev did not start ({e}); starting it once more");
            let mut worker = Service::start("wrangler dev", cmd)?;
            worker.wait_http(&format!("127.0.0.1:{port}"), "/api/health", 200, Duration::from_secs(120))?;
            Ok(worker)
        }
    }
}

/// A copy of `cmd` (program, arguments, folder, environment).
fn clone(cmd: &Command) -> Command {
    let mut c = Command::new(cmd.get_program());
    c.args(cmd.get_args()).envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    if let Some(dir) = cmd.get_current_dir() {
        c.current_dir(dir);
    }
    c
}

pub const DEV_EMULATOR_PORT: u16 = 8788;

/// Build and start the TikTok emulator on `port`; returns it with the Worker variables that
/// point LetsPost at it instead of real TikTok. With `webhooks_to` (the Worker's port), the
/// emulator delivers its webhooks there and the Worker relies on them (`TIKTOK_WEBHOOKS`), as
/// a deployment does once its callback URL is registered in TikTok's portal.
pub fn start_emulator(port: u16, extra: &[&str], webhooks_to: Option<u16>, env: &[(&str, String)]) -> Result<(Service, Vec<(&'static str, String)>)> {
    crate::tools::run_ok(Command::new("cargo").current_dir(root()).args(["build", "-q", "-p", "tiktok-emulator"]))?;
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = Command::new(root().join("target/debug/tiktok-emulator"));
    cmd.args(["--addr", &format!("127.0.0.1:{port}")]).args(extra).envs(env.iter().map(|(k, v)| (k, v)));
    if let Some(worker_port) = webhooks_to {
        // letspost_core::api::paths::TIKTOK_WEBHOOK (xtask keeps to its own few dependencies).
        cmd.arg("--webhook-url").arg(format!("http://127.0.0.1:{worker_port}/api/webhooks/tiktok"));
    }
    let mut emu = Service::start("tiktok-emulator", cmd)?;
    emu.wait_http(&format!("127.0.0.1:{port}"), "/health", 200, Duration::from_secs(30))?;
    let vars = vec![
        ("TIKTOK_API_BASE", base.clone()),
        ("TIKTOK_AUTH_BASE", base),
        // The emulator's defaults; real TikTok's come from wrangler.toml and a secret.
        ("TIKTOK_CLIENT_KEY", "letspost-local".to_string()),
        ("TIKTOK_CLIENT_SECRET", "letspost-local-secret".to_string()),
        ("TIKTOK_WEBHOOKS", if webhooks_to.is_some() { "on" } else { "off" }.to_string()),
    ];
    Ok((emu, vars))
}

/// The browser side of the tests in tests/: ChromeDriver (one server, many sessions).
/// geckodriver and WebKitWebDriver hold one session each, so the tests start one per session,
/// and each WebKit session its own virtual display (tests/src/engines.rs).
pub struct Browser {
    _chromedriver: Service,
    /// What the tests read to reach the browsers.
    pub env: Vec<(&'static str, std::ffi::OsString)>,
}

/// Start ChromeDriver (its Chromiums inherit `env`); browser profiles and driver logs go to
/// `profiles`, emptied first.
pub fn start_browser(tools: &Tools, profiles: &Path, env: &[(&str, String)]) -> Result<Browser> {
    let b = tools.browsers.as_ref().ok_or("the browsers are not installed (Need::Browser)")?;
    let _ = std::fs::remove_dir_all(profiles);
    std::fs::create_dir_all(profiles).map_err(|e| format!("{}: {e}", profiles.display()))?;
    let port = crate::procs::free_port()?;
    let mut cmd = Command::new(&b.chromedriver);
    cmd.arg(format!("--port={port}")).envs(env.iter().map(|(k, v)| (k, v)));
    let mut chromedriver = Service::start("chromedriver", cmd)?;
    chromedriver.wait_http(&format!("127.0.0.1:{port}"), "/status", 200, Duration::from_secs(30))?;
    let env = vec![
        ("WEBDRIVER_URL", format!("http://127.0.0.1:{port}").into()),
        ("CHROMIUM_BIN", b.chromium.clone().into_os_string()),
        ("FIREFOX_BIN", b.firefox.clone().into_os_string()),
        ("GECKODRIVER_BIN", b.geckodriver.clone().into_os_string()),
        ("WEBKITDRIVER_BIN", b.webkit_driver.clone().into_os_string()),
        ("XVFB_BIN", b.xvfb.clone().into_os_string()),
        ("LETSPOST_BROWSER_PROFILES", profiles.as_os_str().to_owned()),
    ];
    Ok(Browser { _chromedriver: chromedriver, env })
}

/// 32 random bytes from the OS, base64: a `TOKEN_KEY` for the Worker's token vault.
pub fn fresh_token_key() -> Result<String> {
    use base64::Engine as _;
    use std::io::Read;
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key)).map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(key))
}

/// wrangler dev reads secrets from worker/.dev.vars: keep one token key there, made once, so
/// tokens sealed in one dev run still open in the next.
fn ensure_dev_vars() -> Result {
    let path = root().join("worker/.dev.vars");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    if text.lines().any(|l| l.starts_with("TOKEN_KEY=")) {
        return Ok(());
    }
    let line = format!("{}TOKEN_KEY={}\n", if text.is_empty() || text.ends_with('\n') { "" } else { "\n" }, fresh_token_key()?);
    std::fs::write(&path, text + &line).map_err(|e| format!("{}: {e}", path.display()))
}

fn port_from_env(name: &str, default: u16) -> Result<u16> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|_| format!("{name}={v:?} is not a port")),
        Err(_) => Ok(default),
    }
}

pub fn run(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err(format!("xtask dev takes no arguments, got {args:?}"));
    }
    crate::procs::stop_services_on_signal()?;
    // Overridable so that a second copy (xtask test's Ctrl-C check) can run beside yours.
    let port = port_from_env("LETSPOST_DEV_PORT", DEV_PORT)?;
    let emulator_port = port_from_env("LETSPOST_EMULATOR_PORT", DEV_EMULATOR_PORT)?;
    let state_root = std::env::var_os("LETSPOST_DEV_STATE").map(std::path::PathBuf::from);
    let tools = ensure(Need::Build)?;
    build::for_dev(&tools)?;
    ensure_dev_vars()?;
    step("starting the TikTok emulator (with /__emulator/ test hooks)");
    let state = state_root.as_ref().map_or_else(|| root().join("target/dev-emulator-state"), |r| r.join("emulator"));
    let state_arg = state.to_string_lossy().into_owned();
    let (_emulator, vars) = start_emulator(emulator_port, &["--test-hooks", "--state-dir", &state_arg], Some(port), &[])?;
    step("starting the Worker (wrangler dev, workerd)");
    let worker_state = state_root.map(|r| r.join("worker"));
    let mut worker = start_worker(&tools, port, &vars, worker_state.as_deref(), &[])?;
    eprintln!(
        "\n  LetsPost is running: http://127.0.0.1:{port}/\n  \
         TikTok emulator:     http://127.0.0.1:{emulator_port}/ (state in {state_arg}; hooks under /__emulator/)\n  \
         (Ctrl-C stops both)\n"
    );
    worker.wait()
}
