//! What the Worker's local R2 holds, read from wrangler dev's own files: the suite checks that
//! a cancelled post leaves no object, no part and no byte behind. miniflare keeps a bucket as
//! one SQLite database (objects, multipart uploads and their parts) and one blob file per
//! stored object or part (DEVELOPERS.md). Read only; workerd keeps writing beside us (WAL).

use rusqlite::{Connection, OpenFlags, params};
use std::path::PathBuf;

/// The Worker's state folder: `target/e2e-state`, beside the logs xtask names.
fn state_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("LETSPOST_WORKER_STATE") {
        return PathBuf::from(dir);
    }
    let logs = PathBuf::from(crate::required("LETSPOST_SERVICE_LOGS"));
    logs.parent().expect("target/").join("e2e-state")
}

fn database() -> Connection {
    let dir = state_dir().join("v3/r2/miniflare-R2BucketObject");
    let db = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (is the Worker's local R2 kept there?)", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "sqlite") && p.file_stem().is_some_and(|s| s != "metadata"))
        .unwrap_or_else(|| panic!("no bucket database in {}", dir.display()));
    Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap_or_else(|e| panic!("{}: {e}", db.display()))
}

/// One stored thing: its blob file and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub id: String,
    pub size: u64,
}

/// The objects stored under `key`.
pub fn objects(key: &str) -> Vec<Blob> {
    let db = database();
    let mut q = db.prepare("SELECT coalesce(blob_id, ''), size FROM _mf_objects WHERE key = ?1").unwrap();
    q.query_map(params![key], |r| Ok(Blob { id: r.get(0)?, size: r.get::<_, i64>(1)? as u64 })).unwrap().map(Result::unwrap).collect()
}

/// The parts of every multipart upload for `key` that R2 still keeps (not yet part of an
/// object, not aborted).
pub fn parts(key: &str) -> Vec<Blob> {
    let db = database();
    let mut q = db
        .prepare(
            "SELECT p.blob_id, p.size FROM _mf_multipart_parts p JOIN _mf_multipart_uploads u ON u.upload_id = p.upload_id \
             WHERE u.key = ?1 AND p.object_key IS NULL",
        )
        .unwrap();
    q.query_map(params![key], |r| Ok(Blob { id: r.get(0)?, size: r.get::<_, i64>(1)? as u64 })).unwrap().map(Result::unwrap).collect()
}

/// Bytes still on disk for these blobs (their files, if any are left).
pub fn bytes_on_disk(blobs: &[Blob]) -> u64 {
    let dir = state_dir().join("v3/r2/letspost-media/blobs");
    blobs.iter().filter_map(|b| std::fs::metadata(dir.join(&b.id)).ok()).map(|m| m.len()).sum()
}
