//! Background services for dev and test runs: started in their own process group, waited for
//! over HTTP, and stopped with everything they spawned (wrangler starts workerd).

use crate::Result;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Process groups of the services running now, and whether a stop has begun. Each service runs
/// in its own group (so a terminal's Ctrl-C, which reaches only the foreground group, does not
/// reach them): on SIGINT/SIGTERM xtask stops these groups itself before it exits.
static REGISTRY: Mutex<Registry> = Mutex::new(Registry { groups: Vec::new(), stopping: false });

/// One lock for both, so that a service is either started before a stop reads the groups (and
/// stopped with the rest) or not started at all: a signal that came while `xtask dev` started
/// the Worker once more (its first try had just been stopped) left the second one running.
struct Registry {
    groups: Vec<u32>,
    stopping: bool,
}

impl Registry {
    /// Start `cmd` in a group of its own, registered before anyone can look; `None` once a stop
    /// has begun.
    fn spawn(&mut self, cmd: &mut Command) -> std::io::Result<Option<Child>> {
        if self.stopping {
            return Ok(None);
        }
        let child = cmd.process_group(0).spawn()?;
        self.groups.push(child.id());
        Ok(Some(child))
    }

    /// No service starts from now on; these are the groups to stop.
    fn begin_stop(&mut self) -> Vec<u32> {
        self.stopping = true;
        self.groups.clone()
    }
}

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    // A panic elsewhere while holding it leaves the list intact: still stop what it names.
    REGISTRY.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A stop (SIGINT/SIGTERM/SIGHUP) has begun: the handler is stopping the services and will end
/// the process with 130, so whatever the main thread meets meanwhile is not the outcome.
pub fn stopping() -> bool {
    registry().stopping
}

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

/// If a stop has begun, wait for its handler to end the process with 130; otherwise return.
/// Called before xtask ends on its own: a service it waited on, stopped by the handler, is no
/// reason to exit 0 (or, if the stop refused a restart, 1) before the rest are stopped.
pub fn let_a_stop_finish() {
    while stopping() {
        std::thread::park();
    }
}

/// Install the SIGINT/SIGTERM/SIGHUP handler once: stop every service group, then exit 130.
pub fn stop_services_on_signal() -> Result {
    ctrlc::set_handler(|| {
        let groups = registry().begin_stop();
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
        let log = LOG_DIR.lock().ok().and_then(|d| d.clone()).map(|d| d.join(format!("{}.log", name.replace(' ', "-"))));
        // Opened first: an error once the child runs would leave it without a Service to stop it.
        let log = match log {
            Some(path) => {
                cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
                let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                Some(std::sync::Arc::new(Mutex::new(file)))
            }
            None => None,
        };
        let mut child =
            registry().spawn(&mut cmd).map_err(|e| format!("cannot start {name}: {e}"))?.ok_or_else(|| format!("not starting {name}: xtask is stopping"))?;
        if let Some(file) = log {
            tee(child.stdout.take().expect("piped"), file.clone(), true);
            tee(child.stderr.take().expect("piped"), file, false);
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
        registry().groups.retain(|x| *x != pgid);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_started_before_a_stop_is_in_its_list_and_none_starts_after_it() {
        let mut r = Registry { groups: Vec::new(), stopping: false };
        let mut before = r.spawn(&mut Command::new("true")).expect("spawn").expect("not stopping yet");
        let to_stop = r.begin_stop();
        assert_eq!(to_stop, vec![before.id()]);
        let mut cmd = Command::new("true");
        assert!(r.spawn(&mut cmd).expect("no error").is_none(), "a service started after the stop read its list");
        let _ = before.wait();
    }
}
