//! The offline toolchain: install what is missing, skip what is present.
//!
//! Every tool comes from a registry this machine reaches (rustup, crates.io, npm, Debian):
//! nothing downloads a prebuilt binary from elsewhere. Versions are pinned here or in
//! package-lock.json so that a fresh machine builds exactly what CI built.

use crate::{root, Result};
use std::path::PathBuf;
use std::process::Command;

/// The Worker's build tool; it runs the wasm-bindgen on PATH (the exact version Cargo.toml pins).
const WORKER_BUILD_VERSION: &str = "0.8.7";
/// Splits the front end's wasm by lazy route (0.2.0, which cargo-leptos pins, emits JS that
/// breaks with wasm-bindgen 0.2.130).
const WASM_SPLIT_VERSION: &str = "0.2.4";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    Build,
    /// Build, plus Chromium and ChromeDriver for the browser tests.
    Browser,
}

/// Paths and environment the build and run steps use.
pub struct Tools {
    /// PATH with node_modules/.bin (Node 22, wasm-opt 132, wrangler) and ~/.cargo/bin first.
    pub path: String,
    pub esbuild: PathBuf,
    pub wasm_opt: PathBuf,
    pub wrangler: PathBuf,
    pub chromedriver: Option<PathBuf>,
    pub chromium: Option<PathBuf>,
}

impl Tools {
    /// A command with the project's tools first on PATH.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("PATH", &self.path)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WASM_BINDGEN_BIN", "wasm-bindgen")
            .env("ESBUILD_BIN", &self.esbuild)
            .env("WASM_OPT_BIN", &self.wasm_opt);
        c
    }
}

pub fn step(msg: &str) {
    eprintln!("\x1b[1;36m==>\x1b[0m {msg}");
}

/// Run to completion; an error names the command.
pub fn run_ok(cmd: &mut Command) -> Result {
    let status = cmd.status().map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() { Ok(()) } else { Err(format!("{:?} failed ({status})", cmd)) }
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The wasm-bindgen version pinned in the workspace Cargo.toml.
pub fn pinned_wasm_bindgen() -> Result<String> {
    let toml = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    toml.lines()
        .find_map(|l| l.trim().strip_prefix("wasm-bindgen = \"=").map(|v| v.trim_end_matches('"').to_string()))
        .ok_or_else(|| "Cargo.toml must pin wasm-bindgen exactly (wasm-bindgen = \"=0.2.x\")".into())
}

fn cargo_install(krate: &str, version: &str) -> Result {
    step(&format!("installing {krate} {version} from crates.io"));
    // Not --locked: the crates.io mirror here lags some crates a lockfile would name.
    run_ok(Command::new("cargo").args(["install", krate, "--version", version]))
}

/// For tools without `--version`: what `cargo install --list` says was installed.
fn ensure_cargo_install(krate: &str, version: &str, features: &str) -> Result {
    let list = output("cargo", &["install", "--list"]).unwrap_or_default();
    if list.lines().any(|l| l.starts_with(&format!("{krate} v{version}:"))) {
        return Ok(());
    }
    step(&format!("installing {krate} {version} from crates.io"));
    run_ok(Command::new("cargo").args(["install", krate, "--version", version, "--features", features]))
}

fn ensure_cargo_tool(bin: &str, krate: &str, version: &str) -> Result {
    let have = output(bin, &["--version"]).unwrap_or_default();
    if have.split_whitespace().any(|w| w.trim_start_matches('v') == version) {
        return Ok(());
    }
    cargo_install(krate, version)
}

fn ensure_wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l == "wasm32-unknown-unknown") {
        return Ok(());
    }
    step("adding the wasm32-unknown-unknown target");
    run_ok(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_npm_tools() -> Result {
    let root = root();
    let stamp = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    step("installing wrangler, esbuild, binaryen and Node 22 from npm (package-lock.json)");
    run_ok(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&root))
}

fn is_root() -> bool {
    output("id", &["-u"]).as_deref() == Some("0")
}

fn ensure_browser() -> Result<(PathBuf, PathBuf)> {
    if let (Some(c), Some(d)) = (which("chromium"), which("chromedriver")) {
        return Ok((c, d));
    }
    if !is_root() {
        return Err("the browser tests need Debian's chromium and chromium-driver: \
                    run `sudo apt-get install chromium chromium-driver` and try again"
            .into());
    }
    step("installing chromium and chromium-driver with apt-get");
    run_ok(Command::new("apt-get").arg("update").arg("-q"))?;
    run_ok(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    match (which("chromium"), which("chromedriver")) {
        (Some(c), Some(d)) => Ok((c, d)),
        _ => Err("apt-get installed chromium, but chromium/chromedriver are not on PATH".into()),
    }
}

pub fn ensure(need: Need) -> Result<Tools> {
    ensure_wasm_target()?;
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &pinned_wasm_bindgen()?)?;
    ensure_cargo_tool("worker-build", "worker-build", WORKER_BUILD_VERSION)?;
    ensure_cargo_install("wasm_split_cli_support", WASM_SPLIT_VERSION, "build-binary")?;
    ensure_npm_tools()?;
    let (chromium, chromedriver) = match need {
        Need::Browser => {
            let (c, d) = ensure_browser()?;
            (Some(c), Some(d))
        }
        Need::Build => (None, None),
    };
    let root = root();
    let bin = root.join("node_modules/.bin");
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("bin"))
        .unwrap_or_default();
    let mut paths = vec![bin.clone(), cargo_bin];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(paths).map_err(|e| e.to_string())?.to_string_lossy().into_owned();
    Ok(Tools {
        path,
        esbuild: root.join("node_modules/@esbuild/linux-x64/bin/esbuild"),
        wasm_opt: bin.join("wasm-opt"),
        wrangler: bin.join("wrangler"),
        chromedriver,
        chromium,
    })
}
