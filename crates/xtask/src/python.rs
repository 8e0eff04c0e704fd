//! The suite's Python tools (`tests/python/requirements.txt`, pinned: the MCP SDK the MCP round
//! trip drives `letspost mcp` with, and schemathesis) in a venv at `target/python`, made again
//! only when the requirements change (a stamp holds their hash). Measured: DEVELOPERS.md.

use crate::root;
use crate::tools::run_ok;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::Command;

type Result<T = ()> = std::result::Result<T, String>;

/// The venv's `python`, the tools installed.
pub fn ensure() -> Result<PathBuf> {
    let requirements = root().join("tests/python/requirements.txt");
    let wanted = std::fs::read(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    let hash: String = Sha256::digest(&wanted).iter().map(|b| format!("{b:02x}")).collect();
    let venv = root().join("target/python");
    let stamp = venv.join("requirements.sha256");
    let python = venv.join("bin/python");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(hash.as_str()) && python.exists() {
        return Ok(python);
    }
    eprintln!("xtask: installing the Python test tools (tests/python/requirements.txt) into {}", venv.display());
    run_ok(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv))
        .map_err(|e| format!("{e} (the suite needs Python 3.10+ with venv: apt-get install python3-venv)"))?;
    run_ok(Command::new(&python).args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r"]).arg(&requirements))?;
    std::fs::write(&stamp, hash).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(python)
}
