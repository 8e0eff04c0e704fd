//! Background services for dev and test runs: started in their own process group, waited for
//! over HTTP, and stopped with everything they spawned (wrangler starts workerd).

use crate::Result;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Process groups of the services running now. Each service runs in its own group (so a
/// terminal's Ctrl-C, which reaches only the foreground group, does not reach them): on
/// SIGINT/SIGTERM xtask stops these groups itself before it exits.
static GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Where services started from now on also write what they print (`<name>.log`): the test run
/// scans the Worker's and the emulator's output for secrets.
static LOG_DIR: Mutex<Option<std::path::PathBuf>> = Mutex::new(None);

pub fn keep_logs_in(dir: &std::path::Path) -> Result {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    *LOG_DIR.lock().map_err(|_| "log dir lock")? = Some(dir.to_path_buf());
    Ok(())
}

/// Copy a child's output to ours as it comes, and append it to `file`.
fn tee(from: impl Read + Send + 'static, file: std::sync::Arc<Mutex<std::fs::File>>, to_stdout: bool) {
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(from).lines().map_while(std::io::Result::ok) {
            if let Ok(mut f) = file.lock() {
                let _ = writeln!(f, "{line}");
            }
            let _ = if to_stdout { writeln!(std::io::stdout(), "{line}") } else { writeln!(std::io::stderr(), "{line}") };
        }
    });
}

/// Install the SIGINT/SIGTERM/SIGHUP handler once: stop every service group, then exit 130.
pub fn stop_services_on_signal() -> Result {
    ctrlc::set_handler(|| {
        let groups: Vec<u32> = GROUPS.lock().map(|g| g.clone()).unwrap_or_default();
        // Stop first, then say so: stderr may be a pipe whose reader (`| tee`) got the same
        // Ctrl-C and is gone, and eprintln! would panic on it.
        stop_groups(&groups);
        let _ = writeln!(std::io::stderr(), "\nxtask: stopped {} service(s)", groups.len());
        std::process::exit(130);
    })
    .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))
}

fn signal_group(pgid: u32, sig: &str) {
    let group = format!("-{pgid}");
    // `--` so that `-PGID` is not read as a signal number.
    let _ = Command::new("kill").args(["-s", sig, "--", &group]).stderr(std::process::Stdio::null()).status();
}

fn group_alive(pgid: u32) -> bool {
    Command::new("kill").args(["-s", "0", "--", &format!("-{pgid}")]).stderr(std::process::Stdio::null()).status().is_ok_and(|s| s.success())
}

/// TERM each group, give them 5 s, then KILL what is left.
fn stop_groups(groups: &[u32]) {
    for g in groups {
        signal_group(*g, "TERM");
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && groups.iter().any(|g| group_alive(*g)) {
        std::thread::sleep(Duration::from_millis(100));
    }
    for g in groups {
        signal_group(*g, "KILL");
    }
}

pub struct Service {
    pub name: &'static str,
    child: Child,
}

impl Service {
    pub fn start(name: &'static str, mut cmd: Command) -> Result<Service> {
        cmd.process_group(0);
        let log = LOG_DIR.lock().ok().and_then(|d| d.clone()).map(|d| d.join(format!("{}.log", name.replace(' ', "-"))));
        if log.is_some() {
            cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        }
        let mut child = cmd.spawn().map_err(|e| format!("cannot start {name}: {e}"))?;
        if let Some(path) = log {
            let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let file = std::sync::Arc::new(Mutex::new(file));
            tee(child.stdout.take().expect("piped"), file.clone(), true);
            tee(child.stderr.take().expect("piped"), file, false);
        }
        if let Ok(mut g) = GROUPS.lock() {
            g.push(child.id());
        }
        Ok(Service { name, child })
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Wait until `GET url` answers with `expect_status`, or fail after `timeout`.
    pub fn wait_http(&mut self, addr: &str, path: &str, expect_status: u16, timeout: Duration) -> Result {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if !self.is_running() {
                return Err(format!("{} exited before it answered on {addr}", self.name));
            }
            if http_status(addr, path) == Some(expect_status) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(format!("{} did not answer on http://{addr}{path} within {timeout:?}", self.name))
    }

    pub fn wait(&mut self) -> Result {
        self.child.wait().map(|_| ()).map_err(|e| e.to_string())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // The whole group: wrangler's workerd and chromedriver's browsers go with their parent.
        let pgid = self.child.id();
        if let Ok(mut g) = GROUPS.lock() {
            g.retain(|x| *x != pgid);
        }
        signal_group(pgid, "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && self.is_running() {
            std::thread::sleep(Duration::from_millis(100));
        }
        signal_group(pgid, "KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET (chromedriver refuses 1.0): xtask only needs to know that a server answers.
pub fn http_status(addr: &str, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    std::str::from_utf8(&buf[..n]).ok()?.split_whitespace().nth(1)?.parse().ok()
}

/// A port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}
