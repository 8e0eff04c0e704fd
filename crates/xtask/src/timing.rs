//! Where a `cargo xtask test` run's time went: each phase (tools, builds, services), each
//! end-to-end binary, the soak and the signal checks, and the slowest tests, printed as one
//! table at the end of every run, passed or failed, so the next slow test is seen the day it
//! lands.

use std::sync::Mutex;
use std::time::Instant;

struct Row {
    group: &'static str,
    name: String,
    seconds: f64,
}

static ROWS: Mutex<Vec<Row>> = Mutex::new(Vec::new());
static TESTS: Mutex<Vec<(String, f64)>> = Mutex::new(Vec::new());
/// End-to-end tests passed and failed over every run of the suite in this process.
static TOTALS: Mutex<(u32, u32)> = Mutex::new((0, 0));

pub fn count(passed: u32, failed: u32) {
    if let Ok(mut t) = TOTALS.lock() {
        *t = (t.0 + passed, t.1 + failed);
    }
}

/// The plain closing line CI reads, over all the e2e runs (the main one and the hard days').
pub fn print_totals() {
    let (p, f) = TOTALS.lock().map(|t| *t).unwrap_or_default();
    println!("e2e: {p} passed, {f} failed");
}

/// A phase of the run took `seconds` (wall time; phases that ran side by side overlap).
pub fn record(group: &'static str, name: impl Into<String>, seconds: f64) {
    if let Ok(mut rows) = ROWS.lock() {
        rows.push(Row { group, name: name.into(), seconds });
    }
}

/// Run `f` as the phase `name`, recording its wall time whatever it returns.
pub fn phase<T>(group: &'static str, name: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    record(group, name, started.elapsed().as_secs_f64());
    out
}

/// One test's own time, as libtest's `--report-time` gave it (`binary: name`).
pub fn test_took(name: String, seconds: f64) {
    if let Ok(mut t) = TESTS.lock() {
        t.push((name, seconds));
    }
}

/// `"test a::b ... ok <12.345s>"` → (`a::b`, 12.345): libtest's line with `--report-time`.
pub fn parse_report_time(line: &str) -> Option<(&str, f64)> {
    let rest = line.strip_prefix("test ")?;
    let (name, verdict) = rest.split_once(" ... ")?;
    let secs = verdict.rsplit_once('<')?.1.strip_suffix("s>")?.parse().ok()?;
    Some((name, secs))
}

/// The table: phases in the order they were recorded, then the ten slowest tests.
pub fn print(total: f64) {
    let rows = ROWS.lock().map(|r| r.iter().map(|r| (r.group, r.name.clone(), r.seconds)).collect::<Vec<_>>()).unwrap_or_default();
    let mut tests = TESTS.lock().map(|t| t.clone()).unwrap_or_default();
    eprintln!("\n\x1b[1mwhere the time went\x1b[0m ({total:.0} s in all; phases side by side overlap)");
    for (group, name, seconds) in &rows {
        eprintln!("  {group:8} {name:44} {seconds:7.1} s");
    }
    tests.sort_by(|a, b| b.1.total_cmp(&a.1));
    if !tests.is_empty() {
        eprintln!("  slowest tests:");
        for (name, seconds) in tests.iter().take(10) {
            eprintln!("           {name:70} {seconds:7.1} s");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_report_time;

    #[test]
    fn reads_libtest_report_time() {
        assert_eq!(parse_report_time("test firefox::compose_and_post_now ... ok <12.345s>"), Some(("firefox::compose_and_post_now", 12.345)));
        assert_eq!(parse_report_time("test a ... FAILED <0.100s>"), Some(("a", 0.1)));
        assert_eq!(parse_report_time("test a ... ok"), None);
        assert_eq!(parse_report_time("test result: ok. 3 passed"), None);
    }
}
