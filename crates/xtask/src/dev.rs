//! `cargo xtask dev`: the whole app on localhost, the way a creator would use it.

use crate::procs::Service;
use crate::tools::{ensure, step, Need, Tools};
use crate::{build, root, Result};
use std::path::Path;
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
    step("starting the Worker (wrangler dev, workerd)");
    let mut worker = start_worker(&tools, DEV_PORT, &[], None)?;
    eprintln!("\n  LetsPost is running: http://127.0.0.1:{DEV_PORT}/\n  (Ctrl-C stops it)\n");
    worker.wait()
}
