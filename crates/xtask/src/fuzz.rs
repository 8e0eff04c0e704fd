//! `cargo xtask fuzz [SECONDS]`: the probe's cargo-fuzz target, seeded with the fixtures.
//! cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the machine's stable toolchain take
//! them (no other toolchain can be installed here).

use crate::tools::{run_ok, step};
use crate::{root, Result};
use std::process::Command;

pub fn run(args: &[String]) -> Result {
    let secs: u64 = match args {
        [] => 300,
        [s] => s.parse().map_err(|_| format!("xtask fuzz [SECONDS], got {s:?}"))?,
        _ => return Err("usage: cargo xtask fuzz [SECONDS]".into()),
    };
    if Command::new("cargo").args(["fuzz", "--version"]).output().map_or(true, |o| !o.status.success()) {
        step("installing cargo-fuzz from crates.io");
        run_ok(Command::new("cargo").args(["install", "cargo-fuzz", "--version", "0.13.2"]))?;
    }
    let fuzz = root().join("crates/video-probe/fuzz");
    let corpus = fuzz.join("corpus/probe");
    std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(root().join("crates/video-probe/tests/fixtures")).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        if p.extension().is_some_and(|e| e != "sh") {
            std::fs::copy(&p, corpus.join(p.file_name().expect("file"))).map_err(|e| e.to_string())?;
        }
    }
    step(&format!("fuzzing the video probe for {secs} s"));
    run_ok(
        Command::new("cargo")
            .current_dir(&fuzz)
            .args(["fuzz", "run", "probe", "--", &format!("-max_total_time={secs}"), "-max_len=65536"])
            .env("RUSTC_BOOTSTRAP", "1"),
    )
}
