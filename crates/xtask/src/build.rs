//! Release builds of the two wasm shells, once per run, with the sizes that ship.

use crate::tools::{Tools, run_ok, step};
use crate::{Result, root};
use flate2::{Compression, write::GzEncoder};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Set by xtask when it starts wrangler after building: wrangler's own `[build] command`
/// (`cargo xtask build`, needed by `wrangler deploy`) then has nothing left to do.
pub const PREBUILT_ENV: &str = "LETSPOST_PREBUILT";

/// What wasm-opt may assume of the browsers (the features rustc emits for wasm32 today).
const WASM_OPT: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-mutable-globals",
];

/// The avatar hosts the pages' CSP allows besides TikTok's (`LETSPOST_AVATAR_HOSTS` adds more
/// for a deployment): the emulator's, for every build that runs against it.
pub const EMULATOR_AVATAR_HOSTS: &str = "https://*.tiktokcdn.example";

/// The Worker's cargo feature that compiles in the suite's test hooks and the benches' bare
/// pipes. Only test, bench and soak builds turn it on; the deploy build fails if its bundle
/// holds them (`crate::deploy_check`).
pub const TEST_ROUTES: &str = "test-routes";

/// The build `wrangler deploy` runs: images from TikTok's avatar hosts only, no test or bench
/// route.
pub fn for_deploy(tools: &Tools) -> Result {
    if std::env::var_os(PREBUILT_ENV).is_some() {
        // wrangler dev (or the suite's dry run) started by xtask, on the build xtask chose.
        return all(tools, "", "");
    }
    all(tools, "", "")?;
    crate::deploy_check::clean(&root().join("worker/build"))
}

/// The build `cargo xtask dev` runs against the emulator (no test or bench route).
pub fn for_dev(tools: &Tools) -> Result {
    all(tools, EMULATOR_AVATAR_HOSTS, "")
}

/// The build test, bench and soak run against the emulator, with the test and bench routes.
pub fn for_emulator(tools: &Tools) -> Result {
    all(tools, EMULATOR_AVATAR_HOSTS, TEST_ROUTES)
}

/// `cargo xtask build --worker-out DIR`: only the Worker, as `for_deploy` builds it, into DIR
/// (relative to worker/), checked the same way; the suite checks a deploy bundle without
/// touching the Worker it runs. Skipped when DIR already holds this build of these sources.
pub fn deploy_worker_into(tools: &Tools, dir: &str) -> Result {
    let out = root().join("worker").join(dir);
    let key = crate::build_cache::key(tools, "worker only", "");
    let stamp = out.join("sources.sha256");
    if key.is_some() && std::fs::read_to_string(&stamp).ok() == key {
        eprintln!("xtask build: {} already holds this deploy build", out.display());
    } else {
        step(&format!("building the Worker for deploy into {}", out.display()));
        run_ok(tools.command("worker-build").current_dir(root().join("worker")).args(["--release", "--out-dir", dir]))?;
        if let Some(k) = key {
            std::fs::write(&stamp, k).map_err(|e| format!("{}: {e}", stamp.display()))?;
        }
    }
    crate::deploy_check::clean(&out)
}

fn all(tools: &Tools, extra_hosts: &str, worker_features: &str) -> Result {
    if std::env::var_os(PREBUILT_ENV).is_some() {
        eprintln!("xtask build: already built by the calling xtask");
        return Ok(());
    }
    let Some(key) = crate::build_cache::key(tools, extra_hosts, worker_features) else {
        www(tools, extra_hosts)?;
        worker(tools, worker_features)?;
        return report_sizes().map(drop);
    };
    if let Some(sizes) = crate::build_cache::restore(&key)? {
        eprint!("{sizes}");
        return Ok(());
    }
    www(tools, extra_hosts)?;
    worker(tools, worker_features)?;
    let sizes = report_sizes()?;
    crate::build_cache::save(&key, &sizes)
}

/// www/ → www/dist: index.html, style.css and pkg/<build id>/ with the main module, its JS, and
/// the route chunks. Leptos' lazy routes become separate wasm files (wasm-split); the steps are
/// the ones `../shared/workers-notes.md` measured, in place of `wasm-pack build`:
/// 1. link the app with relocations kept (`--emit-relocs`), which wasm-split needs;
/// 2. split it into the main module, one module per lazy route or function, and shared chunks;
/// 3. wasm-bindgen the main module, keeping the exports the chunks import from it;
/// 4. wasm-opt every module (chunks unoptimised are about twice as large).
///
/// Chunks only fit the main module of the same build, so each build gets its own directory
/// (named by a hash of the main module) and index.html points at it.
pub fn www(tools: &Tools, extra_hosts: &str) -> Result {
    step("building the front end (www, release wasm, split by route)");
    let root = root();
    let www = root.join("www");
    let dist = www.join("dist");
    run_ok(tools.command("cargo").current_dir(&root).args([
        "rustc",
        "--quiet",
        "-p",
        "letspost-www",
        "--lib",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "--crate-type",
        "cdylib",
        "--",
        "-Clink-args=--emit-relocs",
    ]))?;
    let linked = root.join("target/wasm32-unknown-unknown/release/letspost_www.wasm");
    let split = root.join("target/www-split");
    let _ = std::fs::remove_dir_all(&split);
    run_ok(tools.command("wasm-split-cli").arg(&linked).arg(&split).args(["--out-name", "letspost", "--target", "web"]))?;

    let pkg = dist.join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    let staged = pkg.join("next");
    run_ok(tools.command("wasm-bindgen").arg(split.join("letspost.wasm")).arg("--out-dir").arg(&staged).args([
        "--target",
        "web",
        "--keep-lld-exports",
        "--no-demangle",
        "--no-typescript",
    ]))?;
    for f in wasm_files(&split)? {
        let name = f.file_name().expect("a file");
        if name != "letspost.wasm" {
            copy(&f, &staged.join(name))?;
        }
    }
    copy(&split.join("__wasm_split.js"), &staged.join("__wasm_split.js"))?;
    for f in wasm_files(&staged)? {
        // Quiet unless it fails: it warns about every split module's name section (id 3, which
        // it doesn't know), harmlessly.
        let out = tools.command(&tools.wasm_opt).args(WASM_OPT).arg(&f).arg("-o").arg(&f).output().map_err(|e| format!("wasm-opt: {e}"))?;
        if !out.status.success() {
            return Err(format!("wasm-opt {} failed: {}", f.display(), String::from_utf8_lossy(&out.stderr)));
        }
    }
    let id = build_id(&std::fs::read(staged.join("letspost_bg.wasm")).map_err(|e| e.to_string())?);
    std::fs::rename(&staged, pkg.join(&id)).map_err(|e| format!("rename to pkg/{id}: {e}"))?;

    copy(&www.join("boot.js"), &pkg.join(&id).join("boot.js"))?;
    let loader = std::fs::read_to_string(pkg.join(&id).join("__wasm_split.js")).map_err(|e| e.to_string())?;
    let template = std::fs::read_to_string(www.join("index.html")).map_err(|e| e.to_string())?;
    for (route, file) in PAGES {
        let html = page(&template, route, &route_wasm(&loader, route)).replace("/pkg/", &format!("/pkg/{id}/"));
        let path = dist.join(file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, html).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let configured = std::env::var("LETSPOST_AVATAR_HOSTS").unwrap_or_default();
    let hosts = [letspost_core::headers::TIKTOK_AVATAR_HOSTS, configured.as_str(), extra_hosts].join(" ");
    std::fs::write(dist.join("_headers"), letspost_core::headers::headers_file(&hosts)).map_err(|e| e.to_string())?;
    copy(&www.join("favicon.svg"), &dist.join("favicon.svg"))?;
    copy(&www.join("style.css"), &dist.join("style.css"))
}

/// The addresses the app opens at, each a page file of its own (Workers static assets serve
/// `/compose` from `compose.html`), so that its shell and its chunk list are plain HTML:
/// the CSP allows no inline script. Any other address gets `404.html`, with a 404 status.
const PAGES: [(&str, &str); 6] = [
    ("/", "index.html"),
    ("/compose", "compose.html"),
    ("/posts", "posts.html"),
    ("/accounts", "accounts.html"),
    ("/oauth/callback", "oauth/callback.html"),
    ("", "404.html"),
];

/// One page from index.html: its own shell section shown (or the generic one), its route's
/// chunks listed for boot.js.
fn page(template: &str, route: &str, wasm: &str) -> String {
    let own = format!("data-route=\"{route}\" hidden");
    let shown = if template.contains(&own) { own } else { "data-route=\"\" hidden".to_string() };
    template.replace(&shown, shown.trim_end_matches(" hidden")).replace("<!-- route chunks -->", wasm)
}

/// worker/ → worker/build/index.js + index_bg.wasm, with `features` (none, or `TEST_ROUTES`).
pub fn worker(tools: &Tools, features: &str) -> Result {
    step(&format!("building the Worker (release wasm{})", if features.is_empty() { String::new() } else { format!(", features {features}") }));
    let mut cmd = tools.command("worker-build");
    cmd.current_dir(root().join("worker")).arg("--release");
    if !features.is_empty() {
        // worker-build hands what follows to `cargo build`.
        cmd.args(["--features", features]);
    }
    run_ok(&mut cmd)
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("copy {} → {}: {e}", from.display(), to.display()))
}

fn wasm_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    out.sort();
    Ok(out)
}

/// 16 hex digits of FNV-1a over the main module: stable across toolchains, unlike std's hasher.
fn build_id(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    format!("{h:016x}")
}

pub fn gzip_len(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    Ok(gz.finish().map_err(|e| e.to_string())?.len() as u64)
}

/// Brotli at quality 11, what a CDN serving pre-compressed files sends (Cloudflare compresses
/// on the fly at a lower level: expect a little more).
pub fn brotli_len(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out.len() as u64)
}

#[derive(Default, Clone, Copy)]
struct Size {
    raw: u64,
    gz: u64,
    br: u64,
}

impl Size {
    fn of(files: &[PathBuf]) -> Result<Size> {
        let mut s = Size::default();
        for f in files {
            s.raw += std::fs::metadata(f).map_err(|e| format!("{}: {e}", f.display()))?.len();
            s.gz += gzip_len(f)?;
            s.br += brotli_len(f)?;
        }
        Ok(s)
    }
}

fn kib(n: u64) -> String {
    format!("{:.1}", n as f64 / 1024.0)
}

/// Prints the sizes that ship, and returns what it printed (kept with a cached build).
fn report_sizes() -> Result<String> {
    let r = root();
    let dist = r.join("www/dist");
    let pkg = std::fs::read_dir(dist.join("pkg"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .ok_or("www/dist/pkg has no build")?;
    let shell: Vec<PathBuf> = ["index.html", "style.css"]
        .iter()
        .map(|f| dist.join(f))
        .chain(["letspost.js", "__wasm_split.js", "letspost_bg.wasm"].iter().map(|f| pkg.join(f)))
        .collect();
    let loader = std::fs::read_to_string(pkg.join("__wasm_split.js")).map_err(|e| e.to_string())?;
    let first = Size::of(&shell)?;
    let printed = std::cell::RefCell::new(String::new());
    let line = |name: &str, s: Size| {
        let l = format!("size: {name:<38} {:>7} KiB gzip {:>7} KiB brotli ({} KiB raw)\n", kib(s.gz), kib(s.br), kib(s.raw));
        eprint!("{l}");
        printed.borrow_mut().push_str(&l);
    };
    line("first load of / (html+css+js+main wasm)", first);
    for (module, deps) in split_modules(&loader) {
        let files: Vec<PathBuf> = std::iter::once(&module).chain(&deps).map(|f| pkg.join(f)).collect();
        let extra = Size::of(&files)?;
        match route_of(&module) {
            Some(route) => line(&format!("first load of {route}"), Size { raw: first.raw + extra.raw, gz: first.gz + extra.gz, br: first.br + extra.br }),
            None => line(&format!("  + on demand: {module}"), extra),
        }
    }
    let everything: Vec<PathBuf> = shell.iter().cloned().chain(wasm_files(&pkg)?.into_iter().filter(|p| !p.ends_with("letspost_bg.wasm"))).collect();
    line("whole app (every file)", Size::of(&everything)?);
    line("Worker bundle (js+wasm)", Size::of(&[r.join("worker/build/index.js"), r.join("worker/build/index_bg.wasm")])?);
    Ok(printed.into_inner())
}

/// Each split module wasm-split wrote, with the shared chunks it loads first, read from its
/// loader: `makeLoad(() => … "./split_X.wasm" …, [__chunk_3, __chunk_7])`.
fn split_modules(loader: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for part in loader.split("makeLoad(").skip(1) {
        let Some(file) = part.split('"').find(|s| s.starts_with("./split_")) else { continue };
        let deps = part.rsplit_once('[').map_or("", |(_, d)| d.split(']').next().unwrap_or(""));
        let chunks = deps.split(',').map(str::trim).filter(|d| !d.is_empty()).map(|d| format!("{}.wasm", d.trim_start_matches("__"))).collect();
        out.push((file.trim_start_matches("./").to_string(), chunks));
    }
    out
}

/// The wasm of a page's route (its split module and the shared chunks it needs) as
/// `<meta name="letspost-wasm">` lines, which boot.js turns into preloads once the shell has
/// painted: without them the browser learns of the chunks only once the main module has run, one
/// round trip and a compile later; as `<link rel=preload>` in the head they raced the shell's
/// first paint (on a fast line they finished before it, and Lighthouse then counted 270 KB of
/// wasm into the page's LCP: 1.2 s or 2.6–3.0 s from one run to the next).
fn route_wasm(loader: &str, route: &str) -> String {
    split_modules(loader)
        .into_iter()
        .filter(|(module, _)| route_of(module) == Some(route))
        .flat_map(|(module, deps)| std::iter::once(module).chain(deps))
        .map(|f| format!("<meta name=\"letspost-wasm\" content=\"/pkg/{f}\">"))
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// `split___compose_view_1777….wasm` → `/compose` (the lazy routes of `www/src/routes.rs`);
/// other lazy functions (fetched when first called) are not routes.
fn route_of(module: &str) -> Option<&'static str> {
    let name = module.trim_start_matches("split_").trim_start_matches('_');
    let base = name.rsplit_once('_').map_or(name, |(b, _)| b);
    Some(match base {
        "compose_view" => "/compose",
        "posts_view" => "/posts",
        "accounts_view" => "/accounts",
        "callback_view" => "/oauth/callback",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = r#"
        const __chunk_9 = makeLoad(() => fetch(new URL("./chunk_9.wasm", import.meta.url)), []);
        export const __compose_view = makeLoad(() => fetch(new URL("./split___compose_view_17.wasm", import.meta.url)), [__chunk_9, __chunk_11]);
        export const start = makeLoad(() => fetch(new URL("./split_start_75.wasm", import.meta.url)), [__chunk_9]);
    "#;

    #[test]
    fn reads_each_split_module_and_its_chunks() {
        let m = split_modules(LOADER);
        assert_eq!(m[0], ("split___compose_view_17.wasm".to_string(), vec!["chunk_9.wasm".to_string(), "chunk_11.wasm".to_string()]));
        assert_eq!(route_of(&m[0].0), Some("/compose"));
        assert_eq!(route_of(&m[1].0), None);
    }

    #[test]
    fn lists_only_the_routes_modules() {
        let s = route_wasm(LOADER, "/compose");
        assert_eq!(s.matches("<meta name=\"letspost-wasm\"").count(), 3, "{s}");
        for f in ["split___compose_view_17.wasm", "chunk_9.wasm", "chunk_11.wasm"] {
            assert!(s.contains(&format!("content=\"/pkg/{f}\">")), "{s}");
        }
        assert!(!s.contains("split_start"), "{s}");
        assert_eq!(route_wasm(LOADER, "/"), "");
    }

    #[test]
    fn each_page_shows_its_own_shell_section_or_the_generic_one() {
        let t = r#"<!-- route chunks --><s data-route="/compose" hidden aria-hidden="true"></s><s data-route="" hidden></s>"#;
        assert_eq!(page(t, "/compose", "<L>"), r#"<L><s data-route="/compose" aria-hidden="true"></s><s data-route="" hidden></s>"#);
        assert_eq!(page(t, "/oauth/callback", ""), r#"<s data-route="/compose" hidden aria-hidden="true"></s><s data-route=""></s>"#);
        assert_eq!(page(t, "", ""), r#"<s data-route="/compose" hidden aria-hidden="true"></s><s data-route=""></s>"#);
    }

    #[test]
    fn the_template_has_no_inline_script() {
        let t = std::fs::read_to_string(crate::root().join("www/index.html")).unwrap();
        assert!(!t.contains("<script>") && !t.contains("<script type=\"module\">"), "the CSP allows no inline script");
        for (route, _) in PAGES {
            assert!(page(&t, route, "").matches(" hidden").count() < t.matches(" hidden").count(), "{route:?} shows a shell section");
        }
    }
}
