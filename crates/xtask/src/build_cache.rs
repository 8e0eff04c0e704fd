//! The wasm builds kept by the hash of what they are made from, so a run on unchanged sources
//! skips wasm-split, wasm-bindgen and wasm-opt (cargo already skips the compile): about two
//! and a half minutes of every warm `cargo xtask test`, `dev` or `bench` (measured in
//! DEVELOPERS.md). The cache lives outside the clone (`$XDG_CACHE_HOME/letspost/builds`,
//! `~/.cache` without it), so another clone of the same sources on this machine finds it too.
//!
//! The key is a SHA-256 over every source file the two shells are built from (git's list:
//! tracked and new files, not ignored ones), the build recipe (`build.rs`), the avatar hosts
//! baked into `_headers`, and the versions of rustc and the wasm tools. Anything else changes
//! no byte of `www/dist` or `worker/build`.

use crate::tools::Tools;
use crate::{Result, root};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::Command;

/// What the shells are built from (the Worker embeds docs/openapi.json). The emulator, the
/// CLI, xtask (but for its build recipe), the document's generator and the tests are not in it.
const SOURCES: [&str; 6] = ["Cargo.toml", "Cargo.lock", "www", "worker", "crates", "docs/openapi.json"];
const NOT_IN_THE_SHELLS: [&str; 5] = ["crates/xtask/", "crates/tiktok-emulator/", "crates/letspost-cli/", "crates/clock-shift/", "crates/api-doc/"];
/// What a build leaves in the clone, copied to and from the cache.
const OUTPUTS: [&str; 2] = ["www/dist", "worker/build"];
/// Builds kept; older ones are removed.
const KEEP: usize = 4;

fn dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    base.unwrap_or_else(|| root().join("target")).join("letspost/builds")
}

/// The key of a build of these sources with `extra_hosts` and the Worker's cargo features;
/// `None` without git (a tarball): then every build is made anew.
pub fn key(tools: &Tools, extra_hosts: &str, worker_features: &str) -> Option<String> {
    let listed = Command::new("git")
        .current_dir(root())
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"])
        .args(SOURCES)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let mut files: Vec<&[u8]> = listed.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()).collect();
    files.retain(|f| !NOT_IN_THE_SHELLS.iter().any(|skip| f.starts_with(skip.as_bytes())) && !OUTPUTS.iter().any(|o| f.starts_with(o.as_bytes())));
    files.sort();
    files.dedup();
    let mut h = Sha256::new();
    for f in files {
        let path = root().join(String::from_utf8_lossy(f).as_ref());
        h.update(f);
        h.update([0]);
        // A file listed but deleted from the work tree counts as empty, under its name.
        h.update(std::fs::read(&path).unwrap_or_default());
        h.update([0xff]);
    }
    h.update(include_str!("build.rs"));
    h.update(extra_hosts);
    h.update(format!("\0worker features: {worker_features}"));
    h.update(std::env::var("LETSPOST_AVATAR_HOSTS").unwrap_or_default());
    for (tool, arg) in [("rustc", "-vV"), ("wasm-bindgen", "--version"), ("worker-build", "--version"), ("wasm-split-cli", "--help")] {
        h.update(tools.command(tool).arg(arg).output().map(|o| o.stdout).unwrap_or_default());
    }
    h.update(tools.command(&tools.wasm_opt).arg("--version").output().map(|o| o.stdout).unwrap_or_default());
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Put the build of `key` in place, if there is one; returns its size report.
pub fn restore(key: &str) -> Result<Option<String>> {
    let kept = dir().join(key);
    let Ok(sizes) = std::fs::read_to_string(kept.join("sizes.txt")) else { return Ok(None) };
    for out in OUTPUTS {
        let to = root().join(out);
        let _ = std::fs::remove_dir_all(&to);
        copy_tree(&kept.join(out), &to)?;
    }
    // Newest first when pruning.
    let _ = std::fs::File::options().append(true).open(kept.join("sizes.txt")).and_then(|f| f.set_modified(std::time::SystemTime::now()));
    eprintln!("xtask build: sources unchanged since build {} (kept in {}): no wasm rebuilt", &key[..12], kept.display());
    Ok(Some(sizes))
}

/// Keep what was just built under `key`, with its size report; drop all but the newest `KEEP`.
pub fn save(key: &str, sizes: &str) -> Result {
    let kept = dir().join(key);
    let _ = std::fs::remove_dir_all(&kept);
    for out in OUTPUTS {
        copy_tree(&root().join(out), &kept.join(out))?;
    }
    // Written last: a build half copied (a Ctrl-C) has no sizes.txt and is never restored.
    std::fs::write(kept.join("sizes.txt"), sizes).map_err(|e| format!("{}: {e}", kept.display()))?;
    let mut builds: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir())
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|p| (std::fs::metadata(p.join("sizes.txt")).and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), p))
        .collect();
    builds.sort_by_key(|b| std::cmp::Reverse(b.0));
    for (_, old) in builds.into_iter().skip(KEEP) {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    crate::tools::run_ok(Command::new("cp").arg("-a").arg(format!("{}/.", from.display())).arg(to))
}
