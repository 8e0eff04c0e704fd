//! What a person needs to see why a UI test failed: at the moment of the panic, every browser
//! the failing test holds leaves a screenshot, the page's text (URL, title, readiness, the
//! files it fetched) and its console in `target/e2e-failures/<test name>/`, and the failure
//! message names that folder.
//!
//! It works from a panic hook, not from `Drop`: the hook runs before unwinding, while the
//! browser still shows what went wrong. The hook can't use fantoccini (its session task runs
//! on the test's runtime, which is the panicking thread), so it speaks WebDriver's HTTP itself
//! from a thread of its own.

use crate::Engine;
use std::path::PathBuf;
use std::sync::{Mutex, Once};
use std::time::Duration;

/// A live WebDriver session, by the test thread that opened it.
struct Live {
    id: u64,
    thread: String,
    engine: Engine,
    webdriver: String,
    session: String,
    /// Firefox's and WebKit's own driver log (where their console goes).
    driver_log: Option<PathBuf>,
}

static LIVE: Mutex<Vec<Live>> = Mutex::new(Vec::new());
static HOOK: Once = Once::new();

/// libtest names each test's thread after the test (`webkit::compose_and_post_now`).
pub(crate) fn test_name() -> String {
    std::thread::current().name().unwrap_or("unnamed").to_string()
}

/// Where failures go: `LETSPOST_E2E_FAILURES` (xtask empties it each run), else target/.
pub fn failures_dir() -> PathBuf {
    std::env::var_os("LETSPOST_E2E_FAILURES").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-failures"), PathBuf::from)
}

/// The folder of one test (`::` is not a good file name).
pub fn folder_of(test: &str) -> PathBuf {
    failures_dir().join(test.replace("::", "__"))
}

/// Remember a session for the panic hook; returns the handle to forget it by.
pub(crate) fn watch(engine: Engine, webdriver: &str, session: String, driver_log: Option<PathBuf>) -> u64 {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            save_for_this_test();
            previous(info);
        }));
    });
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let live = Live { id, thread: test_name(), engine, webdriver: webdriver.to_string(), session, driver_log };
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).push(live);
    id
}

pub(crate) fn forget(id: u64) {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|l| l.id != id);
}

/// In the panic hook: save what each of this test's browsers shows, then say where.
fn save_for_this_test() {
    let test = test_name();
    let sessions: Vec<(u64, Engine, String, String, Option<PathBuf>)> = LIVE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|l| l.thread == test)
        .map(|l| (l.id, l.engine, l.webdriver.clone(), l.session.clone(), l.driver_log.clone()))
        .collect();
    if sessions.is_empty() {
        return;
    }
    let dir = folder_of(&test);
    let _ = std::fs::create_dir_all(&dir);
    let dir2 = dir.clone();
    // A thread of its own with its own runtime: this one is the test's, stopped in the hook.
    let saved = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let mut notes = Vec::new();
            for (n, (_, engine, webdriver, session, log)) in sessions.into_iter().enumerate() {
                let prefix = format!("{}-{}", n + 1, engine.name().to_lowercase());
                notes.push(save_session(&dir2, &prefix, engine, &webdriver, &session, log).await);
            }
            notes
        })
    })
    .join()
    .unwrap_or_default();
    let _ = std::fs::write(dir.join("processes.txt"), processes());
    eprintln!("e2e failure evidence (screenshot, page text, console) in {}/: {}", dir.display(), saved.join("; "));
}

/// Screenshot, page text and console of one session; a line saying what was saved.
async fn save_session(dir: &std::path::Path, prefix: &str, engine: Engine, webdriver: &str, session: &str, log: Option<PathBuf>) -> String {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().expect("http client");
    let base = format!("{webdriver}/session/{session}");
    let mut saved: Vec<String> = Vec::new();
    let value = |r: serde_json::Value| r.get("value").cloned().unwrap_or(serde_json::Value::Null);
    match http.get(format!("{base}/screenshot")).send().await {
        Ok(r) => match r.json::<serde_json::Value>().await.map(value) {
            Ok(serde_json::Value::String(png)) => {
                use base64::Engine as _;
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(png) {
                    let _ = std::fs::write(dir.join(format!("{prefix}-screenshot.png")), bytes);
                    saved.push("screenshot".into());
                }
            }
            other => saved.push(format!("no screenshot ({other:?})")),
        },
        Err(e) => saved.push(format!("no screenshot ({e})")),
    }
    let script = "return JSON.stringify({url: location.href, title: document.title, readyState: document.readyState, \
                  text: document.body ? document.body.innerText : null, \
                  fetched: performance.getEntriesByType('resource').map(e => `${Math.round(e.startTime)} ms +${Math.round(e.duration)} ms ${e.name}`)}, null, 2)";
    let page = http.post(format!("{base}/execute/sync")).json(&serde_json::json!({"script": script, "args": []})).send().await;
    match page {
        Ok(r) => match r.json::<serde_json::Value>().await.map(value) {
            Ok(serde_json::Value::String(text)) => {
                let _ = std::fs::write(dir.join(format!("{prefix}-page.json")), text);
                saved.push("page text".into());
            }
            other => saved.push(format!("no page text ({other:?})")),
        },
        Err(e) => saved.push(format!("no page text ({e})")),
    }
    let console = dir.join(format!("{prefix}-console.txt"));
    match engine {
        // ChromeDriver keeps the console (goog:loggingPrefs) behind its legacy log endpoint.
        Engine::Chromium => {
            let logs = http.post(format!("{base}/se/log")).json(&serde_json::json!({"type": "browser"})).send().await;
            let logs = match logs {
                Ok(r) => r.json::<serde_json::Value>().await.ok(),
                Err(_) => None,
            };
            if let Some(v) = logs {
                let lines: Vec<String> = value(v)
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| format!("{} {} {}", e["timestamp"], e["level"].as_str().unwrap_or(""), e["message"].as_str().unwrap_or("")))
                    .collect();
                let _ = std::fs::write(&console, lines.join("\n") + "\n");
                saved.push("console".into());
            }
        }
        // Firefox and MiniBrowser write the console to their stdout, which is the driver's log.
        Engine::Firefox | Engine::WebKit => {
            if let Some(log) = log {
                if std::fs::copy(&log, &console).is_ok() {
                    saved.push("console (driver log)".into());
                }
                // A browser that is gone can't show its page: its last words are all there is,
                // and CI keeps only what is printed.
                if !saved.iter().any(|s| s == "screenshot") {
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    let lines: Vec<&str> = text.lines().collect();
                    let tail = lines[lines.len().saturating_sub(40)..].join("\n  ");
                    saved.push(format!("the driver log's last lines:\n  {tail}\n"));
                }
            }
        }
    }
    format!("{prefix}: {}", saved.join(", "))
}

/// Every process with its CPU and memory: was the machine busy, was anything left behind?
fn processes() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let ps = std::process::Command::new("ps").args(["-eo", "pid,pgid,ppid,etimes,pcpu,rss,args", "--sort=-pcpu"]).output();
    format!("loadavg {load}\n{}", ps.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default())
}
