//! The three browser engines a creator may use: Chromium (Chrome, Edge), Firefox (Gecko) and
//! WebKit (Safari's engine, as WebKitGTK's MiniBrowser). Chromium runs the whole UI suite
//! through the ChromeDriver xtask starts; Firefox and WebKit run the creator flows
//! (`tests/tests/ui_engines.rs`), each session with a WebDriver of its own, because geckodriver
//! and WebKitWebDriver hold one session at a time.

use fantoccini::{Client, ClientBuilder};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
        }
    }
}

/// A browser session; for Firefox and WebKit also the driver process that owns it (and
/// WebKit's display server), killed (with its browser) when the session is dropped, so a
/// failed test leaves nothing running.
pub struct Browser {
    pub engine: Engine,
    client: Client,
    processes: Vec<Child>,
    /// Its entry in the failure-evidence list (crate::evidence).
    watched: u64,
    /// Its place among the browsers the suite may have open at once, given back on drop and
    /// while it waits on a clock (`idle`).
    slot: std::sync::Mutex<Option<Slot>>,
}

/// A held browser slot: a lock on its file, given back when dropped, which also notes how long
/// it was held and by which test in `browser-slot-holds` (xtask lists the largest holders).
struct Slot {
    _lock: std::fs::File,
    since: std::time::Instant,
    notes: std::path::PathBuf,
}

impl Drop for Slot {
    fn drop(&mut self) {
        use std::io::Write;
        let test = std::thread::current().name().unwrap_or("?").to_string();
        let note = std::fs::OpenOptions::new().create(true).append(true).open(self.notes.join("browser-slot-holds"));
        let _ = note.and_then(|mut n| writeln!(n, "{:.1} {test}", self.since.elapsed().as_secs_f64()));
    }
}

impl std::ops::Deref for Browser {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Browser {
    /// Wait on a clock (a scheduled time coming) with this browser's slot given back, so that
    /// another test's browser works meanwhile: a page that waits uses next to no CPU, and the
    /// slots bound the CPU. The slot is taken again before the test goes on.
    pub async fn idle<T>(&self, wait: impl std::future::Future<Output = T>) -> T {
        // Dropped here, before the wait: the lock on its file is what another test waits for.
        let had = self.slot.lock().expect("slot lock").take().is_some();
        let out = wait.await;
        if had {
            let again = browser_slot().await;
            *self.slot.lock().expect("slot lock") = again;
        }
        out
    }

    /// Kill the browser itself, leaving its driver: what a browser crash looks like to a test.
    pub fn kill_the_browser(&self) {
        let driver = self.processes.first().expect("only Firefox and WebKit sessions own their driver").id();
        let _ = Command::new("pkill").args(["-KILL", "-g", &driver.to_string(), "-x", "MiniBrowser|firefox-esr"]).status();
    }

    pub async fn close(mut self) -> Result<(), fantoccini::error::CmdError> {
        let closed = self.client.clone().close().await;
        self.stop_driver();
        closed
    }

    fn stop_driver(&mut self) {
        crate::evidence::forget(self.watched);
        stop(&mut self.processes);
    }
}

/// Kill each process's group (a driver takes its browser with it) and reap it.
fn stop(processes: &mut Vec<Child>) {
    for mut d in processes.drain(..) {
        let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", d.id())]).stderr(Stdio::null()).status();
        let _ = d.kill();
        let _ = d.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.stop_driver();
    }
}

/// Where xtask wants browser profiles and driver logs (a folder it empties each run).
fn profiles() -> std::path::PathBuf {
    std::env::var_os("LETSPOST_BROWSER_PROFILES").map_or_else(std::env::temp_dir, std::path::PathBuf::from)
}

fn unique() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{}-{nanos}", std::process::id())
}

fn object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("capabilities are an object"),
    }
}

/// Wait for one of the `LETSPOST_BROWSERS` places (xtask runs every e2e binary at once; the
/// browsers are what use the CPU): a lock on one of that many files, held across processes
/// and given back when the file is closed, also by a test that panics or a binary that dies.
/// Each wait longer than a moment is noted in `browser-slot-waits` (seconds, a line each), which
/// xtask sums in its time table: the sign that the slots, not the clocks, set the pace.
async fn browser_slot() -> Option<Slot> {
    let slots: usize = std::env::var("LETSPOST_BROWSERS").ok()?.parse().ok()?;
    // Runs of the suite side by side (the flows on other days) share the main run's slots.
    let dir = std::env::var_os("LETSPOST_BROWSER_SLOTS_DIR").map_or_else(profiles, std::path::PathBuf::from);
    std::fs::create_dir_all(&dir).ok()?;
    let asked = std::time::Instant::now();
    loop {
        for i in 0..slots.max(1) {
            let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(format!("browser-slot-{i}"))).ok()?;
            if f.try_lock().is_ok() {
                let waited = asked.elapsed().as_secs_f64();
                if waited >= 1.0 {
                    use std::io::Write;
                    let note = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("browser-slot-waits"));
                    let _ = note.and_then(|mut n| writeln!(n, "{waited:.1}"));
                }
                return Some(Slot { _lock: f, since: std::time::Instant::now(), notes: dir });
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A fresh session in `engine` (new profile, so tests share no state), 1280×900.
pub async fn browser_in(engine: Engine) -> Browser {
    let slot = browser_slot().await;
    let mut attempt = 1;
    let (client, url, processes, log) = loop {
        let (url, caps, mut processes, log) = start_for(engine).await;
        match new_session(engine, &url, caps, log.as_deref()).await {
            Ok(client) => break (client, url, processes, log),
            Err(why) if attempt < 3 => {
                eprintln!("{}: {why}; starting its driver once more (attempt {attempt})", engine.name());
                stop(&mut processes);
                attempt += 1;
            }
            Err(why) => {
                // Not left behind: an orphaned driver kept the suite's lock file open.
                stop(&mut processes);
                panic!("{}: {why}, {attempt} times", engine.name())
            }
        }
    };
    let session = client.session_id().await.ok().flatten().unwrap_or_default();
    let watched = crate::evidence::watch(engine, &url, session, log);
    let b = Browser { engine, client, processes, watched, slot: std::sync::Mutex::new(slot) };
    if engine != Engine::Chromium {
        b.set_window_size(1280, 900).await.unwrap_or_else(|e| panic!("{}: cannot size the window: {e}", engine.name()));
    }
    b
}

/// MiniBrowser's automation runs through an inspector server on a port WebKitWebDriver picks
/// free and closes before MiniBrowser binds it; on a busy machine another socket can take it
/// first, and then the session never comes (seen once in a full run: 90 s, then a failure).
const INSPECTOR_PORT_TAKEN: &str = "Failed to start remote inspector server";

/// A session from the driver at `url`, or why there is none: the driver's log says the
/// browser cannot be automated, or nothing came within 90 s (WebKitWebDriver without a
/// display never answers `POST /session`).
async fn new_session(engine: Engine, url: &str, caps: serde_json::Value, log: Option<&std::path::Path>) -> Result<Client, String> {
    let mut builder = ClientBuilder::rustls().expect("rustls");
    let connect = builder.capabilities(object(caps)).connect(url);
    tokio::pin!(connect);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        tokio::select! {
            made = &mut connect => return made.map_err(|e| format!("cannot start a session at {url}: {e}")),
            () = tokio::time::sleep(Duration::from_millis(500)) => {
                let said = |l: &std::path::Path| std::fs::read_to_string(l).unwrap_or_default();
                if engine == Engine::WebKit && log.is_some_and(|l| said(l).contains(INSPECTOR_PORT_TAKEN)) {
                    return Err(format!("MiniBrowser could not take its inspector port (driver at {url})"));
                }
                if tokio::time::Instant::now() > deadline {
                    return Err(format!("no session within 90 s from the driver at {url} (is the display up?)"));
                }
            }
        }
    }
}

/// The driver (and display) a session in `engine` needs: Chromium's is xtask's ChromeDriver;
/// Firefox and WebKit start their own. Their URL, capabilities, processes and the driver's log.
async fn start_for(engine: Engine) -> (String, serde_json::Value, Vec<Child>, Option<std::path::PathBuf>) {
    match engine {
        Engine::Chromium => {
            let profile = profiles().join(format!("letspost-chromium-{}", unique()));
            let caps = serde_json::json!({
                "goog:chromeOptions": {
                    "binary": crate::required("CHROMIUM_BIN"),
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=1280,900",
                        format!("--user-data-dir={}", profile.display()),
                    ]
                },
                // The console, for the failure evidence.
                "goog:loggingPrefs": { "browser": "ALL" }
            });
            (crate::required("WEBDRIVER_URL"), caps, Vec::new(), None)
        }
        Engine::Firefox => {
            let caps = serde_json::json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": crate::required("FIREFOX_BIN"), "args": ["-headless"],
                    // The page's console to Firefox's stdout, which is the driver's log. The
                    // rest is start-up work a fresh profile does for a person (welcome and new
                    // tab pages, history, session restore, system add-ons, one process per site,
                    // a spare content process, a disk cache nobody reuses): 6.5 → 4.8 CPU-s a
                    // session with three page loads (measured, DEVELOPERS.md); pages run the same.
                    "prefs": {
                        "devtools.console.stdout.content": true,
                        "browser.startup.page": 0, "browser.newtabpage.enabled": false, "browser.aboutwelcome.enabled": false,
                        "places.history.enabled": false, "browser.sessionstore.resume_from_crash": false,
                        "extensions.enabledScopes": 0, "extensions.autoDisableScopes": 15,
                        "fission.autostart": false, "dom.ipc.processCount": 1, "dom.ipc.processPrelaunch.enabled": false,
                        "browser.cache.disk.enable": false
                    }
                }
            });
            let (url, child, log, _) = start_driver(engine, &crate::required("GECKODRIVER_BIN"), |port| vec!["--port".into(), port.to_string()]).await;
            (url, caps, vec![child], Some(log))
        }
        Engine::WebKit => {
            // MiniBrowser has no headless mode: it draws on the virtual display xtask runs.
            let caps = serde_json::json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": { "args": ["--automation"] }
            });
            let (url, child, log, display) = start_driver(engine, &crate::required("WEBKITDRIVER_BIN"), |port| vec![format!("--port={port}")]).await;
            (url, caps, std::iter::once(child).chain(display).collect(), Some(log))
        }
    }
}

/// Start a WebDriver server on a free port, in its own process group, logging next to the
/// profiles (WebKit's with a display of its own); returns its URL once `/status` answers, the
/// log's path, and the display's server.
async fn start_driver(engine: Engine, bin: &str, args: impl Fn(u16) -> Vec<String>) -> (String, Child, std::path::PathBuf, Option<Child>) {
    use std::os::unix::process::CommandExt;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = profiles();
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.join(format!("{}-driver-{}.log", engine.name().to_lowercase(), unique()));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut cmd = Command::new(bin);
    let mut own_display = None;
    cmd.args(args(port))
        // geckodriver makes its Firefox profiles under TMPDIR: in the folder xtask empties.
        .env("TMPDIR", &dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0);
    if engine == Engine::WebKit {
        // A display of its own: MiniBrowser windows sharing one take the keyboard focus from
        // each other, and the one left without it draws no focus ring (measured: document.hasFocus()
        // is false in every window but the newest).
        let (name, display) = start_display();
        cmd.env("DISPLAY", name);
        own_display = Some(display);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {bin} for {}: {e}", engine.name()));
    let url = format!("http://127.0.0.1:{port}");
    let http = crate::http();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if http.get(format!("{url}/status")).send().await.is_ok_and(|r| r.status().is_success()) {
            return (url, child, log_path, own_display);
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{bin} ({}) exited with {status}; log: {}", engine.name(), log_path.display());
        }
        if tokio::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{bin} ({}) did not answer within 20 s; log: {}", engine.name(), log_path.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An Xvfb of the session's own, on a display it picks itself (`-displayfd`: the first free
/// one, taken atomically by its lock file); `:N` once it says it is ready.
fn start_display() -> (String, Child) {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(crate::required("XVFB_BIN"))
        .args(["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start Xvfb for WebKit: {e}"));
    let out = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_else(|_| panic!("Xvfb gave no display within 20 s"));
    let n: u32 = line.trim().parse().unwrap_or_else(|_| panic!("Xvfb said {line:?}, not a display number"));
    (format!(":{n}"), child)
}
