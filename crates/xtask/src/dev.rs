//! `cargo xtask dev`: the whole app on localhost, the way a creator would use it.

use crate::procs::Service;
use crate::tools::{ensure, step, Need, Tools};
use crate::{build, root, Result};
use std::time::Duration;

pub const DEV_PORT: u16 = 8787;

/// Start the Worker in workerd with the front end as static assets, built beforehand.
/// `vars` override wrangler.toml's `[vars]` (e.g. the TikTok base URLs).
pub fn start_worker(tools: &Tools, port: u16, vars: &[(&str, String)]) -> Result<Service> {
    let inspector = crate::procs::free_port()?;
    let mut cmd = tools.command(&tools.wrangler);
    cmd.current_dir(root().join("worker"))
        .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .args(["--inspector-port", &inspector.to_string()])
        .args(["--test-scheduled", "--show-interactive-dev-session=false", "--log-level", "warn"])
        .env(build::PREBUILT_ENV, "1");
    for (k, v) in vars {
        cmd.arg("--var").arg(format!("{k}:{v}"));
    }
    let mut worker = Service::start("wrangler dev", cmd)?;
    worker.wait_http(&format!("127.0.0.1:{port}"), "/api/health", 200, Duration::from_secs(120))?;
    Ok(worker)
}

pub fn run(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err(format!("xtask dev takes no arguments, got {args:?}"));
    }
    let tools = ensure(Need::Build)?;
    build::all(&tools)?;
    step("starting the Worker (wrangler dev, workerd)");
    let mut worker = start_worker(&tools, DEV_PORT, &[])?;
    eprintln!("\n  LetsPost is running: http://127.0.0.1:{DEV_PORT}/\n  (Ctrl-C stops it)\n");
    worker.wait()
}
