//! The offline toolchain: install what is missing, skip what is present.
//!
//! Every tool comes from a registry this machine reaches (rustup, crates.io, npm, Debian):
//! nothing downloads a prebuilt binary from elsewhere. Versions are pinned here or in
//! package-lock.json so that a fresh machine builds exactly what CI built.

use crate::{Result, root};
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
    /// Build, plus Chromium, Firefox and WebKit with their WebDriver servers.
    Browser,
}

/// Paths and environment the build and run steps use.
#[derive(Clone)]
pub struct Tools {
    /// PATH with node_modules/.bin (Node 22, wasm-opt 132, wrangler) and ~/.cargo/bin first.
    pub path: String,
    pub esbuild: PathBuf,
    pub wasm_opt: PathBuf,
    pub wrangler: PathBuf,
    /// With `Need::Browser`.
    pub browsers: Option<Browsers>,
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
    std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).map(|dir| dir.join(name)).find(|p| p.is_file())
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

/// The three engines the UI is tested in, with their WebDriver servers.
#[derive(Clone)]
pub struct Browsers {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub firefox: PathBuf,
    pub geckodriver: PathBuf,
    /// WebKitGTK's driver; it runs MiniBrowser, which needs a display (Xvfb).
    pub webkit_driver: PathBuf,
    pub xvfb: PathBuf,
}

/// Debian packages and the program each one puts on PATH.
const BROWSER_PACKAGES: [(&str, &str); 5] =
    [("chromium", "chromium"), ("chromium-driver", "chromedriver"), ("firefox-esr", "firefox-esr"), ("webkit2gtk-driver", "WebKitWebDriver"), ("xvfb", "Xvfb")];

/// geckodriver from crates.io (Mozilla publishes it there), `--locked` as Mozilla builds it.
const GECKODRIVER_VERSION: &str = "0.37.1";

fn ensure_browsers(cargo_bin: &std::path::Path) -> Result<Browsers> {
    let missing: Vec<&str> = BROWSER_PACKAGES.iter().filter(|(_, bin)| which(bin).is_none()).map(|(pkg, _)| *pkg).collect();
    if !missing.is_empty() {
        if !is_root() {
            return Err(format!("the browser tests need Debian's {}: run `sudo apt-get install {}` and try again", missing.join(", "), missing.join(" ")));
        }
        step(&format!("installing {} with apt-get", missing.join(", ")));
        run_ok(Command::new("apt-get").arg("update").arg("-q"))?;
        run_ok(Command::new("apt-get").args(["install", "-y", "-q", "--no-install-recommends"]).args(&missing).env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    let geckodriver = cargo_bin.join("geckodriver");
    let have = output(&geckodriver.to_string_lossy(), &["--version"]).unwrap_or_default();
    if !have.split_whitespace().any(|w| w == GECKODRIVER_VERSION) {
        step(&format!("installing geckodriver {GECKODRIVER_VERSION} from crates.io"));
        run_ok(Command::new("cargo").args(["install", "geckodriver", "--locked", "--version", GECKODRIVER_VERSION]))?;
    }
    let found = |bin: &str| which(bin).ok_or_else(|| format!("apt-get ran, but {bin} is not on PATH"));
    Ok(Browsers {
        chromium: found("chromium")?,
        chromedriver: found("chromedriver")?,
        firefox: found("firefox-esr")?,
        geckodriver,
        webkit_driver: found("WebKitWebDriver")?,
        xvfb: found("Xvfb")?,
    })
}

pub fn ensure(need: Need) -> Result<Tools> {
    ensure_wasm_target()?;
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &pinned_wasm_bindgen()?)?;
    ensure_cargo_tool("worker-build", "worker-build", WORKER_BUILD_VERSION)?;
    ensure_cargo_install("wasm_split_cli_support", WASM_SPLIT_VERSION, "build-binary")?;
    ensure_npm_tools()?;
    let root = root();
    let bin = root.join("node_modules/.bin");
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("bin"))
        .unwrap_or_default();
    let browsers = match need {
        Need::Browser => Some(ensure_browsers(&cargo_bin)?),
        Need::Build => None,
    };
    let mut paths = vec![bin.clone(), cargo_bin];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(paths).map_err(|e| e.to_string())?.to_string_lossy().into_owned();
    Ok(Tools {
        path,
        esbuild: root.join("node_modules/@esbuild/linux-x64/bin/esbuild"),
        wasm_opt: bin.join("wasm-opt"),
        wrangler: bin.join("wrangler"),
        browsers,
    })
}
