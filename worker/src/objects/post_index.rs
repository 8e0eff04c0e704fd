//! The Account object's post index (issue 35): one row per post of the account in its SQLite
//! (`post_lifecycle::history::Row`: the view the queue shows, by creation time, calendar time
//! and state), written by the post itself whenever what the queue shows changes. Every
//! question `GET /api/posts` asks is one call here, read through an index, so its cost does not
//! grow with the account's history; no stored value holds every post.
//!
//! Accounts made before the index kept a list of every post id in one value (`posts`): it
//! moves into the index a batch at a time on first use and by the account's alarm, then goes.
//!
//! Operations: `IndexOp` (routed here by `account.rs`); the typed client is `ask`, `put_row`
//! and `cancellable`.

use crate::base::reply;
use crate::objects::account::AccountOp;
use crate::objects::account::analytics;
use crate::objects::expect_ok;
use crate::objects::post::ops::PostOp;
use futures_util::StreamExt as _;
use post_lifecycle::history::{CANCELLABLE, DRAFT_SLOT, Key, MAX_WINDOW_POSTS, Row};
use post_lifecycle::{PostBody, PostView};
use serde::{Deserialize, Serialize};
use tiktok_rules::api::inbox::PENDING_WINDOW_MS;
use worker::{Env, Response, Result, SqlStorage, SqlStorageValue, Storage};
#[cfg(feature = "test-routes")]
use worker::{Method, Request};

/// The old list of every post id (read only to move it into the index).
const OLD_IDS: &str = "posts";
/// Posts moved over per call: each is one call to its Post object.
const MIGRATE_BATCH: usize = 100;

/// What one account is asked for.
#[derive(Serialize, Deserialize)]
pub enum Ask {
    /// Newest first: `limit` posts after `after` (the caller asks `limit + 1` to learn if more exist).
    Page {
        limit: u32,
        after: Option<Key>,
    },
    /// Calendar time in `[from_ms, to_ms)`.
    Window {
        from_ms: u64,
        to_ms: u64,
    },
    Ids(Vec<String>),
    /// Drafts that may hold an inbox slot: on their way, or sent since `since_ms`.
    Drafts {
        since_ms: u64,
    },
}

#[derive(Serialize, Deserialize)]
pub struct IndexAsk {
    /// The asking session: the account answers only if it still holds it (so a list costs
    /// one call per account, the holding check included). `None`: the Worker asks for itself.
    pub holder: Option<String>,
    pub ask: Ask,
}

/// Rows as SQLite hands them to JavaScript.
#[derive(Deserialize)]
struct ViewText {
    view: String,
}

#[derive(Deserialize)]
struct IdText {
    id: String,
}

fn ms(v: u64) -> SqlStorageValue {
    SqlStorageValue::from(v as i64)
}

/// Idempotent, and run before each use: a disconnect's `delete_all` drops the table too.
fn table(storage: &Storage) -> Result<SqlStorage> {
    let sql = storage.sql();
    sql.exec(
        "CREATE TABLE IF NOT EXISTS post_index (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, at INTEGER NOT NULL, \
         state TEXT NOT NULL, draft INTEGER NOT NULL, inbox_at INTEGER, version INTEGER NOT NULL, view TEXT NOT NULL)",
        None,
    )?;
    sql.exec("CREATE INDEX IF NOT EXISTS post_index_by_created ON post_index (created_at, id)", None)?;
    sql.exec("CREATE INDEX IF NOT EXISTS post_index_by_time ON post_index (at)", None)?;
    sql.exec("CREATE INDEX IF NOT EXISTS post_index_by_state ON post_index (state, inbox_at)", None)?;
    Ok(sql)
}

/// Write a post's row unless a newer one is there (a late write never undoes a later one).
pub fn upsert(sql: &SqlStorage, row: &Row) -> Result<()> {
    let view = serde_json::to_string(&row.view)?;
    sql.exec(
        "INSERT INTO post_index (id, created_at, at, state, draft, inbox_at, version, view) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, at = excluded.at, state = excluded.state, \
         draft = excluded.draft, inbox_at = excluded.inbox_at, version = excluded.version, view = excluded.view \
         WHERE excluded.version >= post_index.version",
        vec![
            row.id.clone().into(),
            ms(row.created_at_ms),
            ms(row.at_ms),
            row.state.name().into(),
            SqlStorageValue::from(i64::from(row.draft)),
            row.inbox_at_ms.map_or(SqlStorageValue::Null, ms),
            ms(row.version_ms),
            view.into(),
        ],
    )?;
    Ok(())
}

fn in_list(states: &[post_lifecycle::State]) -> String {
    states.iter().map(|s| format!("'{}'", s.name())).collect::<Vec<_>>().join(", ")
}

/// The views an ask selects, as one JSON array (the stored texts joined: nothing is parsed here).
fn answer(sql: &SqlStorage, ask: &Ask) -> Result<String> {
    let rows: Vec<ViewText> = match ask {
        Ask::Page { limit, after } => {
            let limit = SqlStorageValue::from(i64::from(*limit));
            match after {
                None => sql.exec("SELECT view FROM post_index ORDER BY created_at DESC, id DESC LIMIT ?", vec![limit])?,
                Some(k) => sql.exec(
                    "SELECT view FROM post_index WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?",
                    vec![ms(k.created_at_ms), k.id.clone().into(), limit],
                )?,
            }
        }
        Ask::Window { from_ms, to_ms } => sql.exec(
            "SELECT view FROM post_index WHERE at >= ? AND at < ? ORDER BY at LIMIT ?",
            vec![ms(*from_ms), ms(*to_ms), SqlStorageValue::from(i64::from(MAX_WINDOW_POSTS))],
        )?,
        Ask::Ids(ids) => {
            let marks = vec!["?"; ids.len()].join(", ");
            sql.exec(&format!("SELECT view FROM post_index WHERE id IN ({marks})"), ids.iter().map(|i| i.clone().into()).collect::<Vec<_>>())?
        }
        Ask::Drafts { since_ms } => sql.exec(
            &format!("SELECT view FROM post_index WHERE draft = 1 AND (state IN ({}) OR (state = 'sent_to_inbox' AND inbox_at >= ?))", in_list(&DRAFT_SLOT)),
            vec![ms(*since_ms)],
        )?,
    }
    .to_array()?;
    Ok(format!("[{}]", rows.into_iter().map(|r| r.view).collect::<Vec<_>>().join(",")))
}

/// Move up to a batch of the old id list into the index; `true` while ids remain. Safe to run
/// twice at once (rows are upserted, never older over newer).
pub async fn migrate(storage: &Storage, env: &Env) -> Result<bool> {
    let Some(mut ids) = storage.get::<Vec<String>>(OLD_IDS).await? else { return Ok(false) };
    let batch: Vec<String> = ids.drain(..ids.len().min(MIGRATE_BATCH)).collect();
    let views: Vec<Option<PostView>> = futures_util::stream::iter(batch.iter())
        .map(|id| async move {
            let mut r = PostOp::Get.send(env, id).await.ok()?;
            if r.status_code() != 200 {
                return None;
            }
            r.json::<PostBody>().await.ok().map(|b| b.post)
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let sql = table(storage)?;
    for view in views.into_iter().flatten() {
        upsert(&sql, &Row::of(view))?;
    }
    if ids.is_empty() {
        storage.delete(OLD_IDS).await?;
        crate::base::log::info("post_index_migrated", &[("moved", &batch.len().to_string())]);
        Ok(false)
    } else {
        storage.put(OLD_IDS, &ids).await?;
        Ok(true)
    }
}

/// The index's operations (`account::AccountOp::Index`).
#[derive(Serialize, Deserialize)]
pub enum IndexOp {
    /// A post's row → 204.
    Row(Box<Row>),
    /// → `[Post]`; 404 when `holder` does not hold the account.
    Ask(IndexAsk),
    /// → the ids of the posts a cancel still stops.
    Cancellable,
}

/// The answer to one of the index's operations.
pub async fn handle(storage: &Storage, env: &Env, op: IndexOp) -> Result<Response> {
    match op {
        IndexOp::Row(row) => {
            // A disconnected account keeps no history: a post cancelled by the disconnect
            // reports after the account's storage is gone, and must not come back with it.
            if storage.get::<serde_json::Value>(crate::objects::account::RECORD).await?.is_some() {
                upsert(&table(storage)?, &row)?;
                // A public post TikTok gave its id: its numbers are followed from now on.
                if let Some(at) = analytics::track(storage, &row.view, crate::base::rand::now_ms())? {
                    analytics::wake_for(storage, env, at).await?;
                }
            }
            Response::empty().map(|r| r.with_status(204))
        }
        IndexOp::Ask(IndexAsk { holder, ask }) => {
            if let Some(h) = holder
                && !holds(storage, &h).await?
            {
                return reply::not_found("account");
            }
            if migrate(storage, env).await? {
                // The rest moves over on the account's alarm, soon.
                crate::objects::account::soon(storage).await?;
            }
            let mut r = Response::ok(analytics::with_metrics(storage, answer(&table(storage)?, &ask)?)?)?;
            r.headers_mut().set("Content-Type", "application/json")?;
            Ok(r)
        }
        IndexOp::Cancellable => {
            migrate(storage, env).await?;
            let rows: Vec<IdText> = table(storage)?.exec(&format!("SELECT id FROM post_index WHERE state IN ({})", in_list(&CANCELLABLE)), None)?.to_array()?;
            Response::from_json(&rows.into_iter().map(|r| r.id).collect::<Vec<_>>())
        }
    }
}

/// The test hooks' and the bench's operations (`/test/*`, only in test builds); `None` for any other.
#[cfg(feature = "test-routes")]
pub async fn test_op(storage: &Storage, req: &mut Request) -> Result<Option<Response>> {
    let answer = match (req.method(), req.path().as_str()) {
        (Method::Post, "/test/index-fill") => {
            let f: crate::objects::post_index_bench::Fill = req.json().await?;
            crate::objects::post_index_bench::fill(&table(storage)?, &f)?;
            Response::empty().map(|r| r.with_status(204))
        }
        (Method::Post, "/test/legacy-posts") => {
            // As an account before the index: these ids in the old list, and no rows for them.
            let ids: Vec<String> = req.json().await?;
            let sql = table(storage)?;
            for id in &ids {
                sql.exec("DELETE FROM post_index WHERE id = ?", vec![id.clone().into()])?;
            }
            storage.put(OLD_IDS, &ids).await?;
            Response::empty().map(|r| r.with_status(204))
        }
        (Method::Get, "/test/legacy-posts") => Response::from_json(&serde_json::json!({ "ids": storage.get::<Vec<String>>(OLD_IDS).await? })),
        _ => return Ok(None),
    };
    answer.map(Some)
}

/// Does `who` (a session's public id, or `key:<id>` for an API key) still reach this account?
async fn holds(storage: &Storage, who: &str) -> Result<bool> {
    match who.strip_prefix(letspost_core::api_key::PRINCIPAL_PREFIX) {
        Some(key) => crate::objects::account_keys::names(storage, key).await,
        None => Ok(crate::objects::holders::list(storage).await?.iter().any(|x| x.id == who)),
    }
}

/// Typed client: one account's answer to `ask`; `None` when `holder` does not hold it.
pub async fn ask(env: &Env, account: &str, holder: Option<&str>, ask: Ask) -> Result<Option<Vec<PostView>>> {
    let body = IndexAsk { holder: holder.map(str::to_string), ask };
    let r = AccountOp::Index(IndexOp::Ask(body)).send(env, account).await?;
    if r.status_code() == 404 {
        return Ok(None);
    }
    Ok(Some(serde_json::from_str(&expect_ok(r)?.text().await?)?))
}

/// Typed client: the post's row, written by the post (or by a create's answer).
pub async fn put_row(env: &Env, account: &str, row: &Row) -> Result<()> {
    expect_ok(AccountOp::Index(IndexOp::Row(Box::new(row.clone()))).send(env, account).await?).map(|_| ())
}

/// Typed client: the account's posts that a cancel still stops (disconnect's).
pub async fn cancellable(env: &Env, account: &str) -> Result<Vec<String>> {
    expect_ok(AccountOp::Index(IndexOp::Cancellable).send(env, account).await?)?.json().await
}

/// The drafts check's window start: a draft sent earlier no longer holds a slot.
pub fn drafts_since(now: u64) -> u64 {
    now.saturating_sub(PENDING_WINDOW_MS)
}
