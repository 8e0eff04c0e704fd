//! `cargo xtask fuzz [probe|link|webhook] [SECONDS]`: a cargo-fuzz target — the video probe
//! (seeded with the fixtures; the default), the share-link decoder (seeded with real links) or
//! the webhook check and parser (seeded with TikTok's envelopes).
//! cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the machine's stable toolchain take
//! them (no other toolchain can be installed here).

use crate::tools::{run_ok, step};
use crate::{Result, root};
use std::path::Path;
use std::process::Command;

fn copy_seeds(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        if p.extension().is_some_and(|e| e != "sh") {
            std::fs::copy(&p, to.join(p.file_name().expect("file"))).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

pub fn run(args: &[String]) -> Result {
    let (target, rest) = match args.first().map(String::as_str) {
        Some("probe") | Some("link") | Some("webhook") => (args[0].as_str(), &args[1..]),
        _ => ("probe", args),
    };
    let secs: u64 = match rest {
        [] => 300,
        [s] => s.parse().map_err(|_| format!("xtask fuzz [probe|link|webhook] [SECONDS], got {s:?}"))?,
        _ => return Err("usage: cargo xtask fuzz [probe|link|webhook] [SECONDS]".into()),
    };
    if Command::new("cargo").args(["fuzz", "--version"]).output().map_or(true, |o| !o.status.success()) {
        step("installing cargo-fuzz from crates.io");
        run_ok(Command::new("cargo").args(["install", "cargo-fuzz", "--version", "0.13.2"]))?;
    }
    let (fuzz, bin, max_len) = match target {
        "link" => (root().join("crates/share-link/fuzz"), "decode", "8192"),
        // Past the 64 KiB limit, so the size check is reached too.
        "webhook" => (root().join("crates/tiktok-rules/fuzz"), "webhook", "70000"),
        _ => (root().join("crates/video-probe/fuzz"), "probe", "65536"),
    };
    let corpus = fuzz.join("corpus").join(bin);
    match target {
        "link" => copy_seeds(&root().join("crates/share-link/fuzz/seeds"), &corpus)?,
        "webhook" => copy_seeds(&root().join("crates/tiktok-rules/fuzz/seeds"), &corpus)?,
        _ => copy_seeds(&root().join("crates/video-probe/tests/fixtures"), &corpus)?,
    }
    step(&format!("fuzzing {bin} for {secs} s"));
    run_ok(
        Command::new("cargo")
            .current_dir(&fuzz)
            .args(["fuzz", "run", bin, "--", &format!("-max_total_time={secs}"), &format!("-max_len={max_len}")])
            .env("RUSTC_BOOTSTRAP", "1"),
    )
}
