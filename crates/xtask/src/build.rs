//! Release builds of the two wasm shells, once per run, with the sizes that ship.

use crate::tools::{run_ok, step, Tools};
use crate::{root, Result};
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::Path;

/// Set by xtask when it starts wrangler after building: wrangler's own `[build] command`
/// (`cargo xtask build`, needed by `wrangler deploy`) then has nothing left to do.
pub const PREBUILT_ENV: &str = "LETSPOST_PREBUILT";

pub fn all(tools: &Tools) -> Result {
    if std::env::var_os(PREBUILT_ENV).is_some() {
        eprintln!("xtask build: already built by the calling xtask");
        return Ok(());
    }
    www(tools)?;
    worker(tools)?;
    report_sizes()
}

/// www/ → www/dist: index.html, style.css, pkg/letspost{.js,_bg.wasm}.
pub fn www(tools: &Tools) -> Result {
    step("building the front end (www, release wasm)");
    let www = root().join("www");
    let dist = www.join("dist");
    run_ok(tools.command("wasm-pack").current_dir(&www).args([
        "--quiet", "build", "--release", "--target", "web", "--out-dir", "dist/pkg", "--out-name", "letspost",
        "--no-typescript", "--no-pack",
    ]))?;
    for f in ["index.html", "style.css"] {
        std::fs::copy(www.join(f), dist.join(f)).map_err(|e| format!("copy {f}: {e}"))?;
    }
    // wasm-pack leaves a .gitignore of "*" in pkg/; wrangler would then skip the files.
    let _ = std::fs::remove_file(dist.join("pkg/.gitignore"));
    Ok(())
}

/// worker/ → worker/build/index.js + index_bg.wasm.
pub fn worker(tools: &Tools) -> Result {
    step("building the Worker (release wasm)");
    run_ok(tools.command("worker-build").current_dir(root().join("worker")).arg("--release"))
}

pub fn gzip_len(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    Ok(gz.finish().map_err(|e| e.to_string())?.len() as u64)
}

fn report_sizes() -> Result {
    let r = root();
    let shell = ["www/dist/index.html", "www/dist/style.css", "www/dist/pkg/letspost.js", "www/dist/pkg/letspost_bg.wasm"];
    let worker = ["worker/build/index.js", "worker/build/index_bg.wasm"];
    for (name, files) in [("front end first load (html+css+js+wasm)", &shell[..]), ("Worker bundle (js+wasm)", &worker[..])] {
        let mut raw = 0;
        let mut gz = 0;
        for f in files {
            raw += std::fs::metadata(r.join(f)).map_err(|e| format!("{f}: {e}"))?.len();
            gz += gzip_len(&r.join(f))?;
        }
        eprintln!("size: {name}: {:.1} KiB, {:.1} KiB gzipped", raw as f64 / 1024.0, gz as f64 / 1024.0);
    }
    Ok(())
}
