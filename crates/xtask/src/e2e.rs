//! Runs the end-to-end test binaries side by side, every one of them whatever the others did
//! (cargo's `--no-fail-fast`, but with the results in hand), and ends with one summary: each
//! binary's counts and time, then every failed test with its evidence folder.

use crate::tools::Tools;
use crate::{Result, root};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;

/// One test binary of tests/ (integration test, lib or bin unit tests).
struct Binary {
    name: String,
    path: PathBuf,
}

/// What one binary did.
struct Outcome {
    name: String,
    passed: u32,
    failed: Vec<String>,
    filtered: u32,
    seconds: f64,
    /// It exited non-zero without saying which test failed (a crash, a build of the wrong
    /// thing), or the task failed.
    broken: Option<String>,
    /// A task, not a test binary.
    task: bool,
}

/// The binary that runs after all others (tests/tests/service_logs.rs).
const LAST: &str = "service_logs";
/// The order binaries start in, longest first within each kind (the rest follow by name):
/// the browser flows' two longest binaries, then the tasks, then a UI binary and a Worker one
/// in turn. The Worker's binaries mostly wait on its clocks and the UI's use the CPU: in turn,
/// one's waits overlap the other's work. All the Worker's binaries after the UI's left the CPU
/// 35–70 % idle for two minutes (measured); all of them at the end, a tail of waits.
const UI_FIRST: [&str; 8] = ["ui_engines", "ui_compose", "ui_schedule", "ui_connect", "ui_drafts", "ui_analytics", "ui_accessibility", "ui_security"];
const OTHERS_FIRST: [&str; 10] = [
    "api_schema",
    "worker_limits",
    "worker_posts_faults",
    "worker_schedule",
    "worker_cron",
    "worker_history",
    "worker_posts",
    "worker_crash",
    "worker_webhooks",
    "worker_drafts",
];
/// Firefox's flows that wait on a clock (a slot, a schedule, TikTok's inbox): one job of their
/// own, so Firefox's 17 flows (415 s in one job, the run's longest) end with the rest.
const FIREFOX_CLOCK_FLOWS: &[&str] = &["firefox::schedule_", "firefox::send_a_draft", "firefox::batch_add", "firefox::move_in"];
/// Binaries run as several jobs side by side when the whole suite runs, each with libtest
/// filters (any of them matches) and skips: Firefox's flows and WebKit's take minutes each.
/// A part that skips names another part's filters, so every test runs in exactly one part.
const SPLIT: [(&str, &str, &[&str], &[&str]); 3] = [
    ("ui_engines", "firefox clock", FIREFOX_CLOCK_FLOWS, &[]),
    ("ui_engines", "firefox", &["firefox::"], FIREFOX_CLOCK_FLOWS),
    ("ui_engines", "webkit", &["webkit::", "a_browser_that_exits_under_a_flow_runs_it_once_more"], &[]),
];

/// A job of xtask's own that runs in the pool beside the binaries and passes or fails whole
/// (the short soak, the flows on another day), its output in `target/<tag>-out/<name>.log`
/// or printed by itself.
pub struct Task {
    pub name: String,
    pub run: Box<dyn FnOnce(&std::path::Path) -> Result + Send>,
}

/// What the pool runs.
enum Job<'a> {
    Binary { bin: &'a Binary, name: String, filters: Vec<String>, skips: Vec<String> },
    Task(Task),
}

impl Job<'_> {
    fn name(&self) -> &str {
        match self {
            Job::Binary { name, .. } => name,
            Job::Task(t) => &t.name,
        }
    }
}

/// `cargo test --no-run` once; the executables it built, in the order cargo would run them.
fn build(tools: &Tools) -> Result<Vec<Binary>> {
    let out = tools
        .command("cargo")
        .current_dir(root())
        .args(["test", "-p", "letspost-e2e", "--no-run", "--message-format=json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo test --no-run: {e}"))?;
    if !out.status.success() {
        return Err("the end-to-end tests do not build".into());
    }
    // The `letspost` command the CLI tests run (`LETSPOST_CLI`): a debug build, as a creator's
    // `cargo install` would behave the same.
    crate::tools::run_ok(tools.command("cargo").current_dir(root()).args(["build", "-q", "-p", "letspost-cli"]))?;
    crate::python::ensure()?;
    let mut bins: Vec<Binary> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == true)
        .filter_map(|m| {
            let path = PathBuf::from(m["executable"].as_str()?);
            let kind = m["target"]["kind"][0].as_str().unwrap_or("test");
            let name = m["target"]["name"].as_str()?;
            Some(Binary { name: if kind == "test" { name.to_string() } else { format!("{name} ({kind})") }, path })
        })
        .collect();
    // The scan of the services' logs goes last: it reads what every other test made them print.
    bins.sort_by_key(|b| (b.name == LAST, b.name.clone()));
    Ok(bins)
}

/// Build the binaries and run `jobs` of them at a time, longest first (their tests wait on
/// clocks far more than they use the CPU; the browsers they open are bounded by
/// `LETSPOST_BROWSERS` slots inside the suite), each with `args` (`--test-threads`) and the
/// `filters`; `tasks` start right after the longest binaries; the services' log scan (`LAST`)
/// runs after the others. Each job's output is printed whole when it ends, then the summary;
/// an error unless every test that ran passed and every task passed. A filter that a binary's
/// name contains (`worker_cron`) runs that binary whole; the others go to libtest, matching
/// test names. `tag` names the run's folders (`target/<tag>-out`, `target/<tag>-failures`)
/// and its table rows.
pub fn run(tools: &Tools, env: &[(&str, std::ffi::OsString)], args: &[String], filters: &[String], tag: &str, jobs: usize, tasks: Vec<Task>) -> Result {
    let bins = build(tools)?;
    let failures_dir = root().join(format!("target/{tag}-failures"));
    let _ = std::fs::remove_dir_all(&failures_dir);
    let out_dir = root().join(format!("target/{tag}-out"));
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let (last, mut first): (Vec<&Binary>, Vec<&Binary>) = bins.iter().partition(|b| b.name == LAST);
    first.sort_by_key(|b| {
        let rank = |order: &[&str]| order.iter().position(|n| *n == b.name).unwrap_or(order.len());
        (rank(&UI_FIRST), rank(&OTHERS_FIRST), b.name.clone())
    });
    let (ui, others): (Vec<&Binary>, Vec<&Binary>) = first.into_iter().partition(|b| b.name.starts_with("ui_"));
    let (mut ui, others) = (as_jobs(ui, filters).into_iter(), as_jobs(others, filters).into_iter());
    // The two longest (ui_engines' parts and ui_compose), then the tasks, then in turn.
    let longest = ui.as_slice().iter().take_while(|j| matches!(j, Job::Binary { bin, .. } if UI_FIRST[..2].contains(&bin.name.as_str()))).count();
    let mut first: Vec<Job> = ui.by_ref().take(longest).collect();
    first.extend(tasks.into_iter().map(Job::Task));
    first.extend(in_turn(ui, others));
    // A run inside a task (a hard day) is one row of the table, the task's.
    let detail = tag == "e2e";
    let mut outcomes = Vec::new();
    for wave in [first, as_jobs(last, filters)] {
        let started = Instant::now();
        let (tx, rx) = std::sync::mpsc::channel();
        let (mut waiting, mut running, ran) = (wave.into_iter(), 0, Instant::now());
        let mut start_next = |running: &mut usize| {
            let Some(job) = waiting.next() else { return };
            let log = out_dir.join(format!("{}.log", job.name().replace([' ', '(', ')', '[', ']'], "")));
            let tx = tx.clone();
            match job {
                Job::Binary { bin, name, filters, skips } => {
                    let mut cmd = tools.command(&bin.path);
                    // As cargo runs them: from the package's folder. `--report-time` (libtest,
                    // unstable: RUSTC_BOOTSTRAP) gives each test's time for the table.
                    cmd.current_dir(root().join("tests"))
                        .args(args)
                        .args(["-Zunstable-options", "--report-time"])
                        .args(&filters)
                        .args(skips.iter().flat_map(|s| ["--skip", s.as_str()]))
                        .env("RUSTC_BOOTSTRAP", "1")
                        .env("LETSPOST_E2E_FAILURES", &failures_dir)
                        .env("LETSPOST_CLI", root().join("target/debug/letspost"))
                        .env("LETSPOST_PYTHON", root().join("target/python/bin/python"))
                        .envs(env.iter().map(|(k, v)| (k, v)));
                    std::thread::spawn(move || {
                        let _ = tx.send(run_one(name, cmd, &log));
                    });
                }
                Job::Task(task) => {
                    std::thread::spawn(move || {
                        let _ = tx.send(run_task(task, &log));
                    });
                }
            }
            *running += 1;
        };
        for _ in 0..jobs.max(1) {
            start_next(&mut running);
        }
        let mut count = 0;
        while running > 0 {
            let (o, text) = rx.recv().map_err(|e| format!("an end-to-end job's runner died: {e}"))?;
            running -= 1;
            count += 1;
            start_next(&mut running);
            if o.passed > 0 || !o.failed.is_empty() || o.broken.is_some() || o.task {
                eprintln!("\n     Ran {} ({tag}, {:.1} s, ended at +{:.0} s)", o.name, o.seconds, ran.elapsed().as_secs_f64());
                print!("{text}");
                if detail {
                    crate::timing::record(if o.task { "task" } else { "e2e" }, format!("{tag}: {}", o.name), o.seconds);
                }
            }
            outcomes.push(o);
        }
        if count > 0 && detail {
            crate::timing::record(
                "e2e",
                format!("{tag}: {}", if count > 1 { "(these side by side, wall)" } else { "(then alone)" }),
                started.elapsed().as_secs_f64(),
            );
        }
    }
    summarize(&outcomes, &failures_dir, tag)
}

/// `a`'s and `b`'s items in turn, then what is left of the longer.
fn in_turn<T>(a: impl Iterator<Item = T>, b: impl Iterator<Item = T>) -> Vec<T> {
    let (mut a, mut b) = (a.fuse(), b.fuse());
    let mut out = Vec::new();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return out,
            (x, y) => out.extend(x.into_iter().chain(y)),
        }
    }
}

/// Each binary as a job, or as its `SPLIT` parts when no filter was given.
fn as_jobs<'a>(bins: Vec<&'a Binary>, filters: &[String]) -> Vec<Job<'a>> {
    bins.into_iter()
        .flat_map(|bin| {
            let parts: Vec<_> = SPLIT.iter().filter(|(b, ..)| filters.is_empty() && *b == bin.name).collect();
            if parts.is_empty() {
                let whole = filters.iter().any(|f| bin.name.contains(f.as_str()));
                vec![Job::Binary { bin, name: bin.name.clone(), filters: if whole { Vec::new() } else { filters.to_vec() }, skips: Vec::new() }]
            } else {
                parts
                    .into_iter()
                    .map(|(_, part, f, skip)| Job::Binary {
                        bin,
                        name: format!("{} [{part}]", bin.name),
                        filters: f.iter().map(|s| s.to_string()).collect(),
                        skips: skip.iter().map(|s| s.to_string()).collect(),
                    })
                    .collect()
            }
        })
        .collect()
}

/// A task to its end; what it printed to `log` (if it wrote there) comes back as its text.
fn run_task(task: Task, log: &std::path::Path) -> (Outcome, String) {
    let started = Instant::now();
    let result = (task.run)(log);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let o = Outcome { name: task.name, passed: 0, failed: Vec::new(), filtered: 0, seconds: started.elapsed().as_secs_f64(), broken: result.err(), task: true };
    (o, text)
}

/// Run one binary to its end with its output in `log`; its verdicts read from that output.
fn run_one(name: String, mut cmd: std::process::Command, log: &std::path::Path) -> (Outcome, String) {
    let started = Instant::now();
    let mut o = Outcome { name, passed: 0, failed: Vec::new(), filtered: 0, seconds: 0.0, broken: None, task: false };
    let status =
        std::fs::File::create(log).and_then(|f| Ok((f.try_clone()?, f))).and_then(|(out, err)| cmd.stdout(Stdio::from(out)).stderr(Stdio::from(err)).status());
    o.seconds = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(log).unwrap_or_default();
    for line in text.lines() {
        if let Some((test, secs)) = crate::timing::parse_report_time(line) {
            crate::timing::test_took(format!("{}: {test}", o.name), secs);
        }
        if let Some(test) = line.strip_prefix("test ").and_then(|l| l.split_once(" ... ")).filter(|(_, v)| v.starts_with("FAILED")).map(|(t, _)| t) {
            o.failed.push(test.to_string());
        } else if let Some(rest) = line.strip_prefix("test result: ") {
            o.passed = count(rest, "passed");
            o.filtered = count(rest, "filtered out");
        }
    }
    match status {
        Err(e) => o.broken = Some(format!("cannot run: {e}")),
        Ok(s) if !s.success() && o.failed.is_empty() => o.broken = Some(format!("exited {s} without naming a failed test")),
        Ok(_) => {}
    }
    (o, text)
}

/// `"ok. 12 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out; finished in 1.2s"` → 12 for "passed".
fn count(result: &str, what: &str) -> u32 {
    result
        .split(';')
        .find_map(|part| part.trim().trim_start_matches("ok. ").trim_start_matches("FAILED. ").strip_suffix(what))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn summarize(outcomes: &[Outcome], failures_dir: &std::path::Path, tag: &str) -> Result {
    let ran: Vec<&Outcome> = outcomes.iter().filter(|o| o.passed > 0 || !o.failed.is_empty() || o.broken.is_some() || o.task).collect();
    eprintln!("\n\x1b[1mend-to-end summary, {tag}\x1b[0m ({} of {} binaries ran tests)", ran.len(), outcomes.len());
    for o in &ran {
        let verdict = if o.failed.is_empty() && o.broken.is_none() { "ok" } else { "FAILED" };
        eprintln!("  {verdict:6} {:28} {:4} passed {:3} failed {:7.1} s", o.name, o.passed, o.failed.len(), o.seconds);
    }
    let failed: Vec<String> = outcomes
        .iter()
        .flat_map(|o| {
            let evidence = |t: &String| {
                let dir = failures_dir.join(t.replace("::", "__"));
                if dir.is_dir() { format!(" — evidence in {}", dir.display()) } else { String::new() }
            };
            o.failed.iter().map(move |t| format!("{}: {t}{}", o.name, evidence(t))).chain(o.broken.iter().map(move |b| format!("{}: {b}", o.name)))
        })
        .collect();
    let passed: u32 = outcomes.iter().map(|o| o.passed).sum();
    for f in &failed {
        eprintln!("  failed: {f}");
    }
    // The plain closing line CI reads.
    eprintln!("{tag}: {passed} passed, {} failed", failed.len());
    crate::timing::count(passed, failed.len() as u32);
    if passed == 0 && failed.is_empty() && !outcomes.iter().any(|o| o.task) {
        return Err("no end-to-end test matched".into());
    }
    if failed.is_empty() { Ok(()) } else { Err(format!("{} end-to-end test(s) failed (listed above)", failed.len())) }
}

#[cfg(test)]
mod tests {
    use super::{count, in_turn};

    #[test]
    fn takes_in_turn_then_the_rest() {
        assert_eq!(in_turn([1, 3, 5, 7].into_iter(), [2, 4].into_iter()), vec![1, 2, 3, 4, 5, 7]);
        assert_eq!(in_turn([1].into_iter(), [2, 4, 6].into_iter()), vec![1, 2, 4, 6]);
    }

    #[test]
    fn reads_libtest_counts() {
        let line = "FAILED. 17 passed; 1 failed; 0 ignored; 0 measured; 3 filtered out; finished in 185.90s";
        assert_eq!((count(line, "passed"), count(line, "failed"), count(line, "filtered out")), (17, 1, 3));
        assert_eq!(count("ok. 4 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s", "passed"), 4);
    }
}
