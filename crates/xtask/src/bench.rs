//! `cargo xtask bench`: the probe's figures. Bytes read and time per file against file size,
//! natively (in-process with criterion, and whole process) and in Chromium, Firefox and WebKit,
//! side by side with ffprobe. Prints figures; asserts nothing (benchmarks are not tests).

use crate::procs::free_port;
use crate::tools::{Need, Tools, ensure, run_ok, step};
use crate::{Result, build, dev, root};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 15;

fn ensure_ffmpeg() -> Result {
    if Command::new("ffmpeg").arg("-version").output().is_ok() {
        return Ok(());
    }
    step("installing ffmpeg with apt-get (bench media and the ffprobe comparison)");
    run_ok(Command::new("apt-get").args(["install", "-y", "-q", "--no-install-recommends", "ffmpeg"]))
}

fn ffmpeg(args: &[&str]) -> Result {
    run_ok(Command::new("ffmpeg").args(["-hide_banner", "-loglevel", "error", "-y"]).args(args))
}

/// Real H.264 encodes with the moov at the end (ffmpeg's default): a 10 s noise clip at
/// ~4 Mbit/s, stream-copied in a loop to the wanted size (≤ 600 s).
fn make_media(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let base = dir.join("base-10s.tmp.mp4");
    if !base.exists() {
        step("encoding a 10 s noise clip (the bench media's building block)");
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "nullsrc=s=720x1280:r=30,geq=random(1)*255:128:128",
            "-t",
            "10",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "4M",
            "-maxrate",
            "4M",
            "-bufsize",
            "8M",
            "-pix_fmt",
            "yuv420p",
            base.to_str().unwrap(),
        ])?;
    }
    let base_len = std::fs::metadata(&base).map_err(|e| e.to_string())?.len();
    let mut out = Vec::new();
    for (name, target) in [("050MB-moov-at-end.mp4", 50_000_000u64), ("287MB-moov-at-end.mp4", 287_000_000)] {
        let path = dir.join(name);
        if !path.exists() {
            let loops = (target / base_len).clamp(1, 60);
            step(&format!("making {name} ({loops} × 10 s, stream copy)"));
            ffmpeg(&["-stream_loop", &(loops - 1).to_string(), "-i", base.to_str().unwrap(), "-c", "copy", path.to_str().unwrap()])?;
        }
        out.push(path);
    }
    Ok(out)
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn moov_size(path: &Path) -> u64 {
    // Walk top-level boxes to the moov (a few header reads).
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).unwrap();
    let len = f.metadata().unwrap().len();
    let mut pos = 0;
    while pos + 8 <= len {
        let mut h = [0u8; 16];
        f.seek(SeekFrom::Start(pos)).unwrap();
        let n = f.read(&mut h).unwrap();
        let size = match u32::from_be_bytes(h[..4].try_into().unwrap()) {
            1 if n == 16 => u64::from_be_bytes(h[8..16].try_into().unwrap()),
            0 => len - pos,
            s => u64::from(s),
        };
        if &h[4..8] == b"moov" {
            return size;
        }
        if size < 8 {
            break;
        }
        pos += size;
    }
    0
}

/// `cargo xtask bench [probe|pipeline|webhooks|sweep|history|web]` (probe and pipeline by default;
/// `webhooks` is pipeline's last part alone).
pub fn run(args: &[String]) -> Result {
    crate::procs::stop_services_on_signal()?;
    match args.first().map(String::as_str) {
        None => probe().and_then(|()| pipeline()),
        Some("probe") if args.len() == 1 => probe(),
        Some("pipeline") if args.len() == 1 => pipeline(),
        Some("webhooks") if args.len() == 1 => webhooks(),
        Some("sweep") if args.len() == 1 => sweep(),
        Some("history") if args.len() == 1 => history(),
        Some("web") if args.len() == 1 => web(),
        _ => Err(format!("xtask bench takes probe, pipeline, webhooks, sweep, history or web, got {args:?}")),
    }
}

/// The post pipeline against bare pipes through the same workerd, and publish lateness
/// (tests/src/bin/pipeline-bench.rs prints the figures).
/// The emulator of the pipeline figures: a raised daily cap, TikTok's times shortened.
const PIPELINE_EMULATOR: [&str; 7] = ["--test-hooks", "--daily-cap", "1000", "--processing-ms", "500", "--moderation-ms", "300"];

fn pipeline() -> Result {
    against_services(
        &PIPELINE_EMULATOR,
        (Some("BENCH_ROUTES"), "target/bench-state"),
        true,
        "pipeline-bench",
        "pipeline figures (5 rounds of a 287 MB post, then 20 scheduled posts)",
    )?;
    webhooks()
}

/// The same 20 posts with polling alone, then with webhooks: a deployment setting, so a
/// Worker (and emulator) each (tests/src/bin/webhook-bench.rs prints the figures).
fn webhooks() -> Result {
    for webhooks in [false, true] {
        let what = format!("webhook figures, webhooks {}", if webhooks { "on" } else { "off" });
        against_services(&PIPELINE_EMULATOR, (None, "target/bench-webhook-state"), webhooks, "webhook-bench", &what)?;
    }
    Ok(())
}

/// The cron's cost against the number of posts that exist: N = 100, 1,000 and 5,000 posts due
/// days ahead plus 200 accounts, then 20 posts made overdue with their alarms deleted
/// (tests/src/bin/sweep-bench.rs prints the table).
fn sweep() -> Result {
    against_services(
        &["--test-hooks"],
        (Some("TEST_HOOKS"), "target/bench-sweep-state"),
        false,
        "sweep-bench",
        "sweep figures (N = 100, 1,000, 5,000 posts; 200 accounts; 20 lost alarms each)",
    )
}

/// The queue's cost against the length of a creator's history: one account's index with N =
/// 100, 1,000 and 10,000 posts (tests/src/bin/history-bench.rs prints the table).
fn history() -> Result {
    against_services(
        &["--test-hooks"],
        (Some("BENCH_ROUTES"), "target/bench-history-state"),
        false,
        "history-bench",
        "history figures (N = 100, 1,000, 10,000 posts in one account's index)",
    )
}

/// Lighthouse on a phone: `/`, and connected `/compose`, `/posts` (a post with its numbers) and
/// `/accounts` (the followers chart), through the release build the Worker
/// serves (tests/src/bin/web-bench.rs prints the table). Lighthouse is installed here only, from
/// tests/web-bench's lockfile, so `cargo xtask test` never downloads it.
fn web() -> Result {
    let dir = root().join("tests/web-bench");
    if !dir.join("node_modules/lighthouse/package.json").exists() {
        step("installing Lighthouse 12.2.3 from npm (tests/web-bench/package-lock.json)");
        run_ok(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    // Browsers: only Chromium is used, but this is the one step that installs it.
    ensure(Need::Browser)?;
    against_services(
        &["--test-hooks"],
        (None, "target/bench-web-state"),
        false,
        "web-bench",
        "Lighthouse, mobile: /, /compose, /posts and /accounts, 3 runs each",
    )
}

/// Build, start the emulator (with `emulator` flags) and the Worker (with `routes.0` = "1" if
/// any, its state fresh in `routes.1`; with `webhooks`, the emulator delivers them to it), then
/// run the bench binary `bin` of tests/ against them.
fn against_services(emulator: &[&str], routes: (Option<&'static str>, &str), webhooks: bool, bin: &str, what: &str) -> Result {
    let tools = ensure(Need::Build)?;
    build::for_emulator(&tools)?;
    step(&format!("starting the TikTok emulator and the Worker{}", routes.0.map(|v| format!(" (with {v}=1)")).unwrap_or_default()));
    let emulator_port = free_port()?;
    let worker_port = free_port()?;
    let (_emulator, mut vars) = dev::start_emulator(emulator_port, emulator, webhooks.then_some(worker_port), &[])?;
    let token_key = dev::fresh_token_key()?;
    vars.push(("TOKEN_KEY", token_key.clone()));
    if let Some(flag) = routes.0 {
        vars.push((flag, "1".into()));
    }
    let state = root().join(routes.1);
    let _ = std::fs::remove_dir_all(&state);
    let _worker = dev::start_worker(&tools, worker_port, &vars, Some(&state), &[])?;
    step(what);
    run_ok(
        Command::new("cargo")
            .current_dir(root())
            .args(["run", "-q", "--release", "-p", "letspost-e2e", "--bin", bin])
            .env("LETSPOST_URL", format!("http://127.0.0.1:{worker_port}"))
            .env("EMULATOR_URL", format!("http://127.0.0.1:{emulator_port}"))
            .env("LETSPOST_TOKEN_KEY", token_key)
            .env("LETSPOST_WEBHOOKS", if webhooks { "on" } else { "off" }),
    )
}

fn probe() -> Result {
    let tools = ensure(Need::Browser)?;
    ensure_ffmpeg()?;
    let root = root();
    let media_dir = root.join("target/bench-media");
    let mut files: Vec<PathBuf> =
        ["vertical_15s_faststart.mp4", "moov_at_end.mp4", "fragmented.mp4"].iter().map(|f| root.join("crates/video-probe/tests/fixtures").join(f)).collect();
    files.extend(make_media(&media_dir)?);
    // criterion reads $LETSPOST_BENCH_MEDIA: give it only the finished files.
    let _ = std::fs::remove_file(media_dir.join("base-10s.tmp.mp4"));

    step("in-process probe time (criterion)");
    run_ok(
        Command::new("cargo")
            .current_dir(&root)
            .args(["bench", "-p", "video-probe", "--bench", "probe", "--", "--noplot", "--warm-up-time", "1", "--measurement-time", "3"])
            .env("LETSPOST_BENCH_MEDIA", &media_dir),
    )?;

    step("whole process: letspost check vs ffprobe");
    run_ok(Command::new("cargo").current_dir(&root).args(["build", "--release", "-q", "-p", "letspost-cli"]))?;
    let letspost = root.join("target/release/letspost");
    let mut rows = Vec::new();
    for f in &files {
        let out = Command::new(&letspost).args(["check", "--json"]).arg(f).output().map_err(|e| e.to_string())?;
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
        let cli = median_ms(|| {
            Command::new(&letspost).args(["check", "--json"]).arg(f).output().unwrap();
        });
        let ffprobe = median_ms(|| {
            Command::new("ffprobe").args(["-v", "error", "-show_format", "-show_streams"]).arg(f).output().unwrap();
        });
        rows.push((f.clone(), report, cli, ffprobe));
    }

    step("in Chromium, Firefox and WebKit: the same files through Blob.slice");
    let browser = browser_times(&tools, &files)?;

    println!("\nfile                          size (B)   moov (B)  read (B)  read ≤ moov+64KiB  CLI ms  ffprobe ms  ratio  Chromium ms  Firefox ms  WebKit ms");
    for (i, (f, report, cli, ffprobe)) in rows.iter().enumerate() {
        let ms = |engine: usize| browser[engine].get(i).copied().flatten().map_or("-".into(), |ms: f64| format!("{ms:.2}"));
        let size = report["size_bytes"].as_u64().unwrap_or(0);
        let read = report["bytes_read"].as_u64().unwrap_or(0);
        let moov = moov_size(f);
        println!(
            "{:<28} {:>10} {:>10} {:>9}  {:<17} {:>6.2} {:>11.2} {:>6.1}× {:>11} {:>11} {:>10}",
            f.file_name().unwrap().to_string_lossy(),
            size,
            moov,
            read,
            if read <= moov + 65_536 { "yes" } else { "NO" },
            cli,
            ffprobe,
            ffprobe / cli,
            ms(0),
            ms(1),
            ms(2),
        );
    }
    Ok(())
}

/// Median probe time per file in each engine (Chromium, Firefox, WebKit), measured by the
/// page itself (performance.now()).
fn browser_times(tools: &Tools, files: &[PathBuf]) -> Result<Vec<Vec<Option<f64>>>> {
    build::www(tools, build::EMULATOR_AVATAR_HOSTS)?;
    let port = free_port()?;
    let state = root().join("target/bench-state");
    let _worker = dev::start_worker(tools, port, &[], Some(&state), &[])?;
    let browser = dev::start_browser(tools, &root().join("target/bench-browsers"), &[])?;
    let mut per_engine = Vec::new();
    for engine in ["chromium", "firefox", "webkit"] {
        let out = Command::new("cargo")
            .current_dir(root())
            .args(["run", "--release", "-q", "-p", "letspost-e2e", "--bin", "browser-bench", "--", "--engine", engine])
            .args(files)
            .env("LETSPOST_URL", format!("http://127.0.0.1:{port}"))
            .envs(browser.env.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("browser-bench ({engine}) failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        per_engine.push(String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim().parse().ok()).collect());
    }
    Ok(per_engine)
}
