//! Everything the emulator remembers, behind one lock; saved to the state folder after each
//! change when there is one. Handlers never hold the lock across an `.await`.

use crate::accounts::{self, Account};
use crate::config::Config;
use crate::faults::Fault;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;
use tiktok_rules::api::PostInfo;
use tiktok_rules::chunk::ChunkPlan;

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// An unguessable token: prefix + 32 hex digits.
pub fn random_token(prefix: &str) -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("OS randomness");
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{prefix}{hex}")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthCode {
    pub client_key: String,
    pub open_id: String,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub expires_at_ms: u64,
    pub used: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    pub open_id: String,
    pub scopes: Vec<String>,
    pub expires_at_ms: u64,
    /// Revoked (access tokens) or replaced by a newer one (refresh tokens).
    pub dead: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "result", content = "fail_reason")]
pub enum Outcome {
    Published,
    Failed(String),
}

/// What the creator did with a draft in the TikTok app (the `/__emulator/inbox` hook plays it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum CreatorAction {
    Posted { at_ms: u64 },
    Deleted { at_ms: u64 },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Publish {
    pub publish_id: String,
    pub open_id: String,
    /// `None` for an inbox upload until the creator posts it with their own settings.
    pub post_info: Option<PostInfo>,
    /// An inbox upload (a draft); `creator` is what they did with it in the app, if anything.
    #[serde(default)]
    pub inbox: bool,
    #[serde(default)]
    pub creator: Option<CreatorAction>,
    pub plan: ChunkPlan,
    pub upload_id: String,
    pub upload_expires_at_ms: u64,
    pub created_at_ms: u64,
    /// Bytes received in order so far.
    pub received: u64,
    /// A chunk is streaming in right now.
    #[serde(skip)]
    pub busy: bool,
    pub content_type: Option<String>,
    pub completed_at_ms: Option<u64>,
    pub outcome: Option<Outcome>,
    pub sha256: Option<String>,
    pub post_id: u64,
    /// TikTok took the public post down (the `/__emulator/posts/{id}/takedown` hook).
    #[serde(default)]
    pub taken_down_at_ms: Option<u64>,
}

#[derive(Default, Serialize, Deserialize)]
pub struct State {
    pub accounts: BTreeMap<String, Account>,
    pub codes: HashMap<String, AuthCode>,
    pub access: HashMap<String, Grant>,
    pub refresh: HashMap<String, Grant>,
    pub publishes: BTreeMap<String, Publish>,
    /// upload_id → publish_id
    pub uploads: HashMap<String, String>,
    /// "open_id/day" → inits that day (UTC)
    pub posts_per_day: HashMap<String, u32>,
    pub seq: u64,
    /// open_id → refresh_token grants answered (tests assert "refreshed once")
    #[serde(default)]
    pub refreshes: BTreeMap<String, u32>,
    /// (token, endpoint) → request times in the last minute
    #[serde(skip)]
    pub rate: HashMap<(String, &'static str), VecDeque<u64>>,
    #[serde(skip)]
    pub faults: Vec<Fault>,
    /// upload_id → hash of the bytes so far (rebuilt from the file after a restart)
    #[serde(skip)]
    pub hashers: HashMap<String, Sha256>,
    /// Calls per endpoint name (`faults::endpoint_of`), for benches: `GET /__emulator/calls`.
    #[serde(skip)]
    pub calls: BTreeMap<&'static str, u64>,
    /// open_id → calls per endpoint made with that account's tokens:
    /// `GET /__emulator/calls/accounts/{open_id}`.
    #[serde(skip)]
    pub account_calls: BTreeMap<String, BTreeMap<&'static str, u64>>,
    /// The codes presented at the token endpoint, newest last (at most `CODES_KEPT`): a test
    /// counts its own by prefix (`GET /__emulator/calls/token?code_prefix=`).
    #[serde(skip)]
    pub presented_codes: VecDeque<String>,
    /// Every webhook delivery attempt, oldest first.
    #[serde(skip)]
    pub webhooks: Vec<crate::webhooks::Attempt>,
    /// post_id → a video posted before the emulator knew the account (a test's history).
    #[serde(default)]
    pub past_videos: BTreeMap<u64, PastVideo>,
    /// post_id → the counts a test set.
    #[serde(default)]
    pub count_overrides: BTreeMap<u64, crate::metrics::CountOverrides>,
}

/// A video the creator posted before (`POST /__emulator/accounts/{open_id}/videos`), so the
/// Display API has a history to page through and score.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PastVideo {
    pub open_id: String,
    pub published_at_ms: u64,
    pub caption: String,
    pub privacy_level: tiktok_rules::privacy::PrivacyLevel,
    pub duration: u32,
}

/// Presented codes kept for `presented_codes`.
pub const CODES_KEPT: usize = 10_000;

pub struct Emulator {
    pub config: Config,
    pub state: Mutex<State>,
    pub upload_dir: PathBuf,
}

impl Emulator {
    /// Seeded accounts, or the saved state of the state folder.
    pub fn new(config: Config) -> std::io::Result<Emulator> {
        let (upload_dir, mut state) = match &config.state_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir.join("uploads"))?;
                let saved = std::fs::read(dir.join("state.json")).ok().and_then(|b| serde_json::from_slice::<State>(&b).ok());
                (dir.join("uploads"), saved.unwrap_or_default())
            }
            None => {
                sweep_orphans(&std::env::temp_dir());
                let dir = std::env::temp_dir().join(format!("{TEMP_PREFIX}{}-{}", std::process::id(), random_token("")));
                std::fs::create_dir_all(&dir)?;
                (dir, State::default())
            }
        };
        if state.accounts.is_empty() {
            state.accounts = accounts::seeds().into_iter().map(|a| (a.open_id.clone(), a)).collect();
        }
        // Resume hashing of unfinished uploads from what reached the disk.
        for p in state.publishes.values_mut().filter(|p| p.completed_at_ms.is_none()) {
            let path = upload_dir.join(&p.upload_id);
            let bytes = std::fs::read(&path).unwrap_or_default();
            let keep = (p.received as usize).min(bytes.len());
            p.received = keep as u64;
            let _ = std::fs::OpenOptions::new().write(true).open(&path).and_then(|f| f.set_len(p.received));
            let mut h = Sha256::new();
            h.update(&bytes[..keep]);
            state.hashers.insert(p.upload_id.clone(), h);
        }
        Ok(Emulator { config, state: Mutex::new(state), upload_dir })
    }

    /// Read or change the state; saved afterwards when there is a state folder.
    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let out = f(&mut s);
        if let Some(dir) = &self.config.state_dir
            && let Ok(json) = serde_json::to_vec(&*s)
        {
            let tmp = dir.join("state.json.tmp");
            if std::fs::write(&tmp, json).is_ok() {
                let _ = std::fs::rename(tmp, dir.join("state.json"));
            }
        }
        out
    }

    pub fn upload_path(&self, upload_id: &str) -> PathBuf {
        self.upload_dir.join(upload_id)
    }
}

/// An emulator without a state folder keeps its uploads in `<temp>/tiktok-emulator-<pid>-…`.
const TEMP_PREFIX: &str = "tiktok-emulator-";

/// Remove the upload folders of emulators that are gone: one killed (SIGKILL, as test
/// harnesses stop it) never runs its own clean-up, and a 287.6 MB upload a run filled the disk.
fn sweep_orphans(temp: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = orphan_pid(&name)
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
            && std::path::Path::new("/proc/self").exists()
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The process id in an emulator's temp folder name.
fn orphan_pid(name: &str) -> Option<u32> {
    name.strip_prefix(TEMP_PREFIX)?.split_once('-')?.0.parse().ok()
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if self.config.state_dir.is_none() {
            let _ = std::fs::remove_dir_all(&self.upload_dir);
        }
    }
}

impl State {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Count a request against a per-minute limit; false when over it.
    pub fn rate_ok(&mut self, token: &str, endpoint: &'static str, per_min: u32, now: u64) -> bool {
        let q = self.rate.entry((token.to_string(), endpoint)).or_default();
        while q.front().is_some_and(|&t| t + 60_000 <= now) {
            q.pop_front();
        }
        if q.len() as u32 >= per_min {
            return false;
        }
        q.push_back(now);
        true
    }
}

#[cfg(test)]
mod temp_tests {
    use super::*;

    #[test]
    fn only_folders_of_dead_emulators_are_swept() {
        assert_eq!(orphan_pid("tiktok-emulator-4242-abcd"), Some(4242));
        assert_eq!(orphan_pid("tiktok-emulator-x-abcd"), None);
        assert_eq!(orphan_pid("other-4242-abcd"), None);
        let temp = std::env::temp_dir().join(format!("sweep-test-{}", std::process::id()));
        let alive = temp.join(format!("{TEMP_PREFIX}{}-a", std::process::id()));
        // No process has pid 4,194,304 or more on Linux (pid_max's ceiling).
        let dead = temp.join(format!("{TEMP_PREFIX}4194304-b"));
        let other = temp.join("something-else");
        for d in [&alive, &dead, &other] {
            std::fs::create_dir_all(d).unwrap();
        }
        sweep_orphans(&temp);
        assert!(alive.exists() && other.exists());
        assert!(!dead.exists());
        std::fs::remove_dir_all(&temp).unwrap();
    }
}
