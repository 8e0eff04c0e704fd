//! `cargo xtask soak [--seed N] [...]`: the full soak (200 posts, 4 accounts, faults on every
//! TikTok endpoint, two SIGKILLs of workerd, then the load figures). The harness is
//! `tests/src/bin/soak.rs`; it runs an emulator and a Worker of its own. `cargo xtask test`
//! runs a short one (`short`).

use crate::tools::{Need, Tools, ensure, run_ok, step};
use crate::{Result, build, dev, root};

/// The full run; extra arguments (e.g. `--seed 42`) go to the harness and win.
pub fn run(args: &[String]) -> Result {
    crate::procs::stop_services_on_signal()?;
    let tools = ensure(Need::Build)?;
    build::for_emulator(&tools)?;
    let mut all: Vec<String> = ["--posts", "200", "--accounts", "4", "--kills", "2", "--spread", "420", "--load"].map(String::from).to_vec();
    all.extend(args.iter().cloned());
    step(&format!("soak {}", all.join(" ")));
    run_ok(&mut harness(&tools, &all)?)
}

/// The one inside `cargo xtask test`, beside the e2e binaries: about 30 posts, faults on, one
/// SIGKILL (wasm already built), its output in `log`.
pub fn short(tools: &Tools, log: &std::path::Path) -> Result {
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = harness(tools, &["--posts", "30", "--accounts", "3", "--kills", "1", "--spread", "150"].map(String::from))?;
    let status = cmd.stdout(out).stderr(err).status().map_err(|e| format!("cannot run the soak: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("the short soak failed ({status}); its output is above")) }
}

fn harness(tools: &Tools, args: &[String]) -> Result<std::process::Command> {
    let mut cmd = tools.command("cargo");
    cmd.current_dir(root())
        .args(["run", "--quiet", "-p", "letspost-e2e", "--bin", "soak", "--"])
        .args(args)
        .env("LETSPOST_WRANGLER", &tools.wrangler)
        .env("LETSPOST_TOKEN_KEY", dev::fresh_token_key()?)
        .env(build::PREBUILT_ENV, "1");
    Ok(cmd)
}
