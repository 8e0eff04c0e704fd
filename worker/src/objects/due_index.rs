//! One shard of the cron's index (`due-00` … `due-31`, by `post_lifecycle::watch::shard_of`):
//! post id → the time the cron should look at it if its own alarm has not moved it by then.
//! SQLite with an index on that time, so the cron's one question per run, "what is overdue,
//! oldest first", reads only the overdue rows.
//!
//! Operations: `DueOp`.

use crate::objects::{self, DUE};
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue, State, durable_object};

/// What is asked of one shard (named by `post_lifecycle::watch::shard_name`).
#[derive(Serialize, Deserialize)]
pub enum DueOp {
    /// A post's entry, written or moved → 204.
    Put(Entry),
    /// A post leaves the index → 204.
    Delete(EntryId),
    /// → `Overdue`: `count` all overdue rows, `entries` the oldest `limit`.
    Overdue(OverdueAsk),
}

impl DueOp {
    pub async fn send(&self, env: &Env, shard: &str) -> Result<Response> {
        objects::send(env, DUE, shard, self).await
    }
}

#[derive(Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub watch_at_ms: u64,
}

#[derive(Serialize, Deserialize)]
pub struct EntryId {
    pub id: String,
}

#[derive(Serialize, Deserialize)]
pub struct OverdueAsk {
    pub before_ms: u64,
    pub limit: u32,
}

#[derive(Serialize, Deserialize)]
pub struct Overdue {
    pub count: u64,
    pub entries: Vec<Entry>,
}

/// Rows as SQLite hands them to JavaScript: integers arrive as numbers.
#[derive(Deserialize)]
struct Row {
    id: String,
    watch_at: f64,
}

#[derive(Deserialize)]
struct Count {
    n: f64,
}

#[durable_object]
pub struct DueIndex {
    state: State,
}

/// Times are Unix ms, far inside SQLite's and JavaScript's integer range.
fn ms(v: u64) -> SqlStorageValue {
    SqlStorageValue::from(v as i64)
}

impl DueIndex {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }
}

impl DurableObject for DueIndex {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        // Idempotent: the object may be created many times over its life.
        let _ = sql.exec("CREATE TABLE IF NOT EXISTS due (id TEXT PRIMARY KEY, watch_at INTEGER NOT NULL)", None);
        let _ = sql.exec("CREATE INDEX IF NOT EXISTS due_by_time ON due (watch_at)", None);
        DueIndex { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let sql = self.sql();
        match serde_json::from_str::<DueOp>(&req.text().await?)? {
            DueOp::Put(e) => {
                sql.exec(
                    "INSERT INTO due (id, watch_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET watch_at = excluded.watch_at",
                    vec![e.id.into(), ms(e.watch_at_ms)],
                )?;
                Ok(Response::empty()?.with_status(204))
            }
            DueOp::Delete(EntryId { id }) => {
                sql.exec("DELETE FROM due WHERE id = ?", vec![id.into()])?;
                Ok(Response::empty()?.with_status(204))
            }
            DueOp::Overdue(ask) => {
                let count = sql.exec("SELECT COUNT(*) AS n FROM due WHERE watch_at < ?", vec![ms(ask.before_ms)])?.one::<Count>()?.n as u64;
                let rows: Vec<Row> = sql
                    .exec(
                        "SELECT id, watch_at FROM due WHERE watch_at < ? ORDER BY watch_at LIMIT ?",
                        vec![ms(ask.before_ms), SqlStorageValue::from(i64::from(ask.limit))],
                    )?
                    .to_array()?;
                let entries = rows.into_iter().map(|r| Entry { id: r.id, watch_at_ms: r.watch_at as u64 }).collect();
                Response::from_json(&Overdue { count, entries })
            }
        }
    }
}
