//! Where `letspost login` keeps the URL and the key: `letspost/login.json` in the user's
//! config dir (`$XDG_CONFIG_HOME`, else `~/.config`; `%APPDATA%` on Windows;
//! `LETSPOST_CONFIG_DIR` overrides), readable by the user alone (0600). `LETSPOST_KEY` and
//! `LETSPOST_URL` win over the file, for CI.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub url: String,
    pub key: String,
}

pub fn dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("LETSPOST_CONFIG_DIR")
        .or_else(|| env("XDG_CONFIG_HOME").map(|d| d.join("letspost")))
        .or_else(|| env("APPDATA").map(|d| d.join("letspost")))
        .or_else(|| env("HOME").map(|d| d.join(".config").join("letspost")))
}

fn file() -> Option<PathBuf> {
    dir().map(|d| d.join("login.json"))
}

pub fn save(login: &Login) -> Result<PathBuf, String> {
    let path = file().ok_or("no config folder: set HOME or LETSPOST_CONFIG_DIR")?;
    let parent = path.parent().expect("a file in a folder");
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let text = serde_json::to_string_pretty(login).map_err(|e| e.to_string())?;
    write_private(&path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    // Created 0600, and made so if it existed: the key is never readable by others, not even
    // between creating the file and writing it.
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// The login to use: the environment's, else the file's.
pub fn load() -> Result<Login, String> {
    let stored: Option<Login> = file().and_then(|p| std::fs::read(p).ok()).and_then(|b| serde_json::from_slice(&b).ok());
    let url = std::env::var("LETSPOST_URL").ok().filter(|u| !u.is_empty()).or_else(|| stored.as_ref().map(|l| l.url.clone()));
    let key = std::env::var("LETSPOST_KEY").ok().filter(|k| !k.is_empty()).or_else(|| stored.as_ref().map(|l| l.key.clone()));
    match (url, key) {
        (Some(url), Some(key)) => Ok(Login { url: url.trim_end_matches('/').to_string(), key: key.trim().to_string() }),
        _ => Err("not logged in: run `letspost login --url URL` (the key on stdin), or set LETSPOST_URL and LETSPOST_KEY".into()),
    }
}
