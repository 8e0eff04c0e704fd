//! A Worker of a test's own (wrangler dev → workerd), for tests that crash it: killed with
//! SIGKILL and started again on the same state folder and port, or for tests that restart it
//! with other vars (another `TOKEN_KEY`, `TOKEN_KEY_PREVIOUS`).

use crate::{emulator_url, http};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

pub struct OwnWorker {
    pub port: u16,
    pub state: PathBuf,
    pub token_key: String,
    emulator: String,
    /// TikTok delivers webhooks to this Worker (`TIKTOK_WEBHOOKS=on`).
    webhooks: bool,
    /// More `--var`s for the next (re)start, e.g. `TOKEN_KEY_PREVIOUS`.
    pub extra_vars: Vec<(String, String)>,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl OwnWorker {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Start on a fresh state folder, talking to the suite's emulator.
    pub async fn start(name: &str) -> OwnWorker {
        Self::start_with(name, &emulator_url()).await
    }

    /// Start on a fresh state folder, talking to the TikTok (emulator) at `emulator`.
    pub async fn start_with(name: &str, emulator: &str) -> OwnWorker {
        Self::start_on(name, emulator, free_port(), false).await
    }

    /// The same on `port`, with webhooks on when the emulator was told to send them here.
    pub async fn start_on(name: &str, emulator: &str, port: u16, webhooks: bool) -> OwnWorker {
        let state = std::env::temp_dir().join(format!("letspost-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        let token_key = std::env::var("LETSPOST_TOKEN_KEY").expect("LETSPOST_TOKEN_KEY: run under cargo xtask test");
        let mut w = OwnWorker { port, state, token_key, emulator: emulator.to_string(), webhooks, extra_vars: Vec::new(), child: None };
        w.restart().await;
        w
    }

    /// (Re)start wrangler dev on the same port and state. Wranglers started side by side from
    /// worker/ share `worker/.wrangler/tmp`, and one's start can lose its bundle to another's
    /// clean-up ("Could not resolve …/middleware-loader.entry.ts", measured once in 6 full runs
    /// with 7 wranglers at once): a wrangler that exits before it answers is started once more.
    pub async fn restart(&mut self) {
        for attempt in 1..=2 {
            if self.start_once().await {
                return;
            }
            eprintln!("the test's own wrangler exited before it answered (attempt {attempt})");
        }
        panic!("the test's own Worker did not start");
    }

    /// true once it answers; false if wrangler exited first.
    async fn start_once(&mut self) -> bool {
        let wrangler = std::env::var("LETSPOST_WRANGLER").expect("LETSPOST_WRANGLER: run under cargo xtask test");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../worker");
        let emu = self.emulator.clone();
        let mut cmd = Command::new(wrangler);
        // xtask runs the suite with RUSTC_BOOTSTRAP=1 (libtest's --report-time); wrangler's
        // build command is `cargo xtask build`, and that variable in its environment made cargo
        // rebuild xtask under the running suite (its Ctrl-C check then found its binary gone).
        cmd.env_remove("RUSTC_BOOTSTRAP");
        cmd.current_dir(dir)
            .args(["dev", "--ip", "127.0.0.1", "--port", &self.port.to_string(), "--inspector-port", &free_port().to_string()])
            .args(["--test-scheduled", "--show-interactive-dev-session=false", "--log-level", "error"])
            .arg("--persist-to")
            .arg(&self.state)
            .env("LETSPOST_PREBUILT", "1")
            .env("WRANGLER_SEND_METRICS", "false")
            .stdout(std::process::Stdio::null())
            .process_group(0);
        for (k, v) in [
            ("TIKTOK_API_BASE", emu.clone()),
            ("TIKTOK_AUTH_BASE", emu),
            ("TIKTOK_CLIENT_KEY", "letspost-local".into()),
            ("TIKTOK_CLIENT_SECRET", "letspost-local-secret".into()),
            ("TOKEN_KEY", self.token_key.clone()),
            ("TIKTOK_WEBHOOKS", if self.webhooks { "on" } else { "off" }.into()),
            // The test build's hooks, so a test (the soak) can count its browsers as clients
            // of their own (`Session::with_address`).
            ("TEST_HOOKS", "1".into()),
        ] {
            cmd.arg("--var").arg(format!("{k}:{v}"));
        }
        for (k, v) in &self.extra_vars {
            cmd.arg("--var").arg(format!("{k}:{v}"));
        }
        self.child = Some(cmd.spawn().expect("start wrangler dev"));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = http().get(format!("{}/api/health", self.url())).send().await
                && r.status() == 200
            {
                return true;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(_)) = child.try_wait()
            {
                self.child = None;
                return false;
            }
            assert!(tokio::time::Instant::now() < deadline, "the test's own Worker did not start");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The process group of wrangler and its workerd (they share it), while running.
    pub fn process_group(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL wrangler and workerd: no shutdown, no flush, as in a crash.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", c.id())]).status();
            let _ = c.wait();
        }
        // workerd is gone once nothing listens.
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("workerd still listens after SIGKILL");
    }
}

impl Drop for OwnWorker {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", c.id())]).status();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.state);
    }
}
