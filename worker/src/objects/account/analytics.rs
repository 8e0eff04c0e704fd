//! An account's numbers (issue 33), kept and read by its own object: its published posts' counts
//! and its daily snapshots. Every decision is `analytics`' (when a post is read again, the
//! batches of 20, the first-day reading, the snapshots, best times); this moves the bytes.
//!
//! - One SQLite row per public post with a TikTok id (`post_metrics`, ~250 B: the ids, when it
//!   went out, when last read, when next, the last counts and its first-day reading), added when
//!   the post's index row first carries its id. Private posts are never tracked.
//! - Each reading of a tracked post is kept too (`post_readings`, one ~100 B row a reading, an
//!   index on the post and its time), at most `analytics::readings::MAX_READINGS` a post: a
//!   reading past that drops the one `analytics::readings::thin` names. Rows from before it
//!   existed simply have no readings yet (a table of its own: nothing to migrate).
//! - The account's own alarm wakes at the earliest `next_at` (an index on it), reads what is due
//!   then (and what is due within 15 minutes) in `video/query` calls of at most 20 ids, and sets
//!   each row's next reading; no cron visits posts, and a round costs calls for what is due only.
//! - `stats`: the daily snapshots of `user/info`'s counts (one value, ≤ 400 of them).
//! - Nothing is asked of TikTok unless the connection granted the scope it needs (`scopes`,
//!   kept at connect): a refused scope can never make TikTok answer `scope_not_authorized`, so
//!   analytics never marks an account as needing a reconnect.

use super::Account;
use crate::base::config::analytics_on;
use crate::base::rand::now_ms;
use crate::base::reply;
use crate::tiktok::TikTok;
use analytics::account_stats::{self, StatsBody, StatsSample};
use analytics::readings::{self, Reading, ReadingsBody};
use analytics::{Measurement, PostResult, Tracked, batches, best_times, due, first_day, manual_refresh, next_refresh_at};
use letspost_core::api::Analytics;
use post_lifecycle::{Metrics, PostView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tiktok_rules::PostId;
use tiktok_rules::display::Video;
use tiktok_rules::error::TikTokError;
use tiktok_rules::oauth::{ANALYTICS_SCOPES, USER_INFO_STATS_SCOPE, VIDEO_LIST_SCOPE, missing_scopes};
use tiktok_rules::privacy::PrivacyLevel;
use worker::{Response, Result, SqlStorage, SqlStorageValue, Storage};

/// The scopes the current connection granted (TikTok's `scope`, comma-separated).
pub(crate) const SCOPES: &str = "scopes";
/// The daily snapshots (`Vec<StatsSample>`, oldest first).
const STATS: &str = "stats";
/// No round before this instant (ms): a minute after the last, five after a failed call, so a
/// reading TikTok keeps refusing can't wake the alarm in a loop.
const NOT_BEFORE: &str = "analytics_not_before";
/// Ids one alarm reads at most (50 calls of 20); more due and the alarm comes back in a minute.
const ROUND_IDS: usize = 1_000;
/// Between two rounds at least.
const ROUND_GAP_MS: u64 = 60_000;
/// After a failed call (TikTok down, rate limited), the alarm tries again this much later.
const RETRY_MS: u64 = 5 * 60_000;

/// What the Worker asks of an account's numbers (`AccountOp::Analytics`).
#[derive(Serialize, Deserialize)]
pub enum AnalyticsOp {
    /// The last numbers of these posts (LetsPost ids) → `{id: Metrics}` (only those with some).
    Metrics(Vec<String>),
    /// A creator asks for a post's numbers now → 200 `Metrics`, 429 with `Retry-After`, 409.
    Refresh(RefreshAsk),
    /// A post's readings (a LetsPost id) → `ReadingsBody`, oldest first.
    Readings(String),
    /// → `StatsBody`.
    Stats,
    /// → `BestTimesBody`.
    BestTimes,
}

#[derive(Serialize, Deserialize)]
pub struct RefreshAsk {
    pub id: String,
    pub tiktok_post_id: PostId,
    pub published_at_ms: u64,
}

/// What a round read (the test hooks report it).
#[derive(Serialize, Deserialize, Default, Debug)]
pub struct Round {
    pub video_queries: u32,
    pub posts_read: u32,
    pub snapshots: u32,
}

#[derive(Deserialize)]
struct Row {
    id: String,
    tiktok_id: String,
    published_at: f64,
    last_read: Option<f64>,
    metrics: Option<String>,
    first_day: Option<String>,
}

#[derive(Deserialize)]
struct Next {
    next_at: Option<f64>,
}

fn ms(v: u64) -> SqlStorageValue {
    SqlStorageValue::from(v as i64)
}

/// Idempotent, and run before each use: a disconnect's `delete_all` drops the table too.
pub(crate) fn table(storage: &Storage) -> Result<SqlStorage> {
    let sql = storage.sql();
    sql.exec(
        "CREATE TABLE IF NOT EXISTS post_metrics (id TEXT PRIMARY KEY, tiktok_id TEXT NOT NULL, published_at INTEGER NOT NULL, \
         last_read INTEGER, next_at INTEGER, metrics TEXT, first_day TEXT)",
        None,
    )?;
    sql.exec("CREATE INDEX IF NOT EXISTS post_metrics_by_next ON post_metrics (next_at)", None)?;
    sql.exec("CREATE INDEX IF NOT EXISTS post_metrics_by_published ON post_metrics (published_at)", None)?;
    // A post's readings: its counts as JSON `[views, likes, comments, shares]` (text, so
    // counts past 2^53 stay exact; SQLite's integers reach the Worker as JS numbers).
    sql.exec("CREATE TABLE IF NOT EXISTS post_readings (id TEXT NOT NULL, at INTEGER NOT NULL, counts TEXT NOT NULL)", None)?;
    sql.exec("CREATE INDEX IF NOT EXISTS post_readings_by_post ON post_readings (id, at)", None)?;
    Ok(sql)
}

/// A new connection: its grant, and no round for a minute (the connection takes its first
/// snapshot itself; an alarm armed meanwhile must not take a second).
pub(crate) async fn connecting(storage: &Storage, scope: &str) -> Result<()> {
    storage.put(SCOPES, scope).await?;
    storage.put(NOT_BEFORE, now_ms() + ROUND_GAP_MS).await
}

/// Does this connection let LetsPost read the numbers `scope` needs?
pub(crate) async fn granted(storage: &Storage, scope: &str) -> Result<bool> {
    let scopes: String = storage.get(SCOPES).await?.unwrap_or_default();
    Ok(missing_scopes(&scopes, &[scope]).is_empty())
}

/// `Account.analytics`: the deployment's switch and this connection's grant.
pub(crate) async fn status(storage: &Storage, env: &worker::Env) -> Result<Analytics> {
    let scopes: String = storage.get(SCOPES).await?.unwrap_or_default();
    Ok(Analytics::of(analytics_on(env), missing_scopes(&scopes, &ANALYTICS_SCOPES).is_empty()))
}

/// Start following a post whose index row now carries its TikTok id (public posts only; a row
/// already there is left as it is). Its first reading's time when it is new.
pub(crate) fn track(storage: &Storage, view: &PostView, now: u64) -> Result<Option<u64>> {
    let Some(tiktok_id) = view.tiktok_post_id else { return Ok(None) };
    if view.settings.privacy_level == Some(PrivacyLevel::SelfOnly) || view.no_longer_public_at.is_some() {
        return Ok(None);
    }
    let published = view.published_at.as_deref().and_then(letspost_core::time_fmt::parse_rfc3339_ms).unwrap_or(now);
    let next = next_refresh_at(published, None, now);
    let sql = table(storage)?;
    let before = sql.exec("SELECT id FROM post_metrics WHERE id = ?", vec![view.id.clone().into()])?.to_array::<serde_json::Value>()?.len();
    if before > 0 {
        return Ok(None);
    }
    sql.exec(
        "INSERT INTO post_metrics (id, tiktok_id, published_at, next_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        vec![view.id.clone().into(), tiktok_id.to_string().into(), ms(published), next.map_or(SqlStorageValue::Null, ms)],
    )?;
    Ok(next)
}

/// A post newly followed: wake the account's alarm for its first reading if nothing earlier
/// wakes it (and the numbers may be read).
pub(crate) async fn wake_for(storage: &Storage, env: &worker::Env, at: u64) -> Result<()> {
    if !analytics_on(env) || !granted(storage, VIDEO_LIST_SCOPE).await? {
        return Ok(());
    }
    let not_before: u64 = storage.get(NOT_BEFORE).await?.unwrap_or(0);
    let at = at.max(not_before);
    if storage.get_alarm().await?.is_some_and(|t| (t as u64) <= at) {
        return Ok(());
    }
    storage.set_alarm(worker::ScheduledTime::new(js_sys::Date::new(&(at as f64).into()))).await
}

/// The views of an index answer (a JSON array) with each published post's numbers in
/// `metrics` (null when none yet) and `tiktok_post_id` present (rows written before it existed).
pub(crate) fn with_metrics(storage: &Storage, views: String) -> Result<String> {
    let mut views: Vec<serde_json::Value> = serde_json::from_str(&views)?;
    let ids: Vec<String> = views.iter().filter(|v| v["state"] == "published").filter_map(|v| v["id"].as_str().map(str::to_string)).collect();
    let mut found = metrics_of(storage, &ids)?;
    for v in views.iter_mut() {
        let Some(obj) = v.as_object_mut() else { continue };
        let id = obj.get("id").and_then(|i| i.as_str()).unwrap_or_default().to_string();
        obj.entry("tiktok_post_id").or_insert(serde_json::Value::Null);
        let m = found.remove(&id).map(serde_json::to_value).transpose()?.unwrap_or(serde_json::Value::Null);
        obj.insert("metrics".into(), m);
    }
    Ok(serde_json::to_string(&views)?)
}

/// The last numbers of these posts.
pub(crate) fn metrics_of(storage: &Storage, ids: &[String]) -> Result<BTreeMap<String, Metrics>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let rows: Vec<Row> = table(storage)?
        .exec(
            &format!("SELECT id, tiktok_id, published_at, last_read, metrics, first_day FROM post_metrics WHERE metrics IS NOT NULL AND id IN ({marks})"),
            ids.iter().map(|i| i.clone().into()).collect::<Vec<_>>(),
        )?
        .to_array()?;
    Ok(rows.into_iter().filter_map(|r| Some((r.id, serde_json::from_str(r.metrics.as_deref()?).ok()?))).collect())
}

#[derive(Deserialize)]
struct ReadingRow {
    at: f64,
    counts: String,
}

/// A post's readings, oldest first.
fn readings_of(sql: &SqlStorage, id: &str) -> Result<Vec<Reading>> {
    let rows: Vec<ReadingRow> = sql.exec("SELECT at, counts FROM post_readings WHERE id = ? ORDER BY at", vec![id.to_string().into()])?.to_array()?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let [views, likes, comments, shares]: [u64; 4] = serde_json::from_str(&r.counts).ok()?;
            Some(Reading { at_ms: r.at as u64, views, likes, comments, shares })
        })
        .collect())
}

/// Keep a new reading of post `id`, and drop what `analytics::readings::thin` says is one too
/// many.
fn keep_reading(sql: &SqlStorage, id: &str, m: &Metrics, at_ms: u64) -> Result<()> {
    let counts = serde_json::to_string(&[m.views, m.likes, m.comments, m.shares])?;
    sql.exec("INSERT INTO post_readings (id, at, counts) VALUES (?, ?, ?)", vec![id.to_string().into(), ms(at_ms), counts.into()])?;
    let ats: Vec<u64> = readings_of(sql, id)?.iter().map(|r| r.at_ms).collect();
    for i in readings::thin(&ats) {
        sql.exec("DELETE FROM post_readings WHERE id = ? AND at = ?", vec![id.to_string().into(), ms(ats[i])])?;
    }
    Ok(())
}

/// The earliest reading still to come (the account's alarm wakes for it).
fn next_reading(storage: &Storage) -> Result<Option<u64>> {
    let rows: Vec<Next> = table(storage)?.exec("SELECT MIN(next_at) AS next_at FROM post_metrics", None)?.to_array()?;
    Ok(rows.into_iter().next().and_then(|r| r.next_at).map(|t| t as u64))
}

async fn history(storage: &Storage) -> Result<Vec<StatsSample>> {
    Ok(storage.get(STATS).await?.unwrap_or_default())
}

/// When the account's alarm must wake for its numbers: the next reading or snapshot, if the
/// deployment and the connection allow them (and it still has tokens).
pub(crate) async fn next_wake(storage: &Storage, env: &worker::Env, tokens_held: bool) -> Result<Option<u64>> {
    if !analytics_on(env) || !tokens_held {
        return Ok(None);
    }
    let not_before: u64 = storage.get(NOT_BEFORE).await?.unwrap_or(0);
    let now = now_ms();
    let reading = if granted(storage, VIDEO_LIST_SCOPE).await? { next_reading(storage)? } else { None };
    let snapshot = if granted(storage, USER_INFO_STATS_SCOPE).await? {
        Some(account_stats::next_snapshot_at(history(storage).await?.last().map(|s| s.at_ms), now))
    } else {
        None
    };
    Ok([reading, snapshot].into_iter().flatten().min().map(|at| at.max(not_before)))
}

/// One reading of a row: its new counts (the old ones if TikTok left the post out: deleted,
/// made private), its first-day reading, its next reading.
fn read_row(sql: &SqlStorage, row: &Row, video: Option<&Video>, now: u64) -> Result<()> {
    let published = row.published_at as u64;
    let metrics = match video {
        Some(v) => {
            let read = Metrics::read(v, now);
            keep_reading(sql, &row.id, &read, now)?;
            Some(serde_json::to_string(&read)?)
        }
        None => row.metrics.clone(),
    };
    let kept: Option<Measurement> = row.first_day.as_deref().and_then(|t| serde_json::from_str(t).ok());
    let first = match video {
        Some(v) => first_day::keep(published, kept, Measurement { at_ms: now, views: v.view_count.unwrap_or(0) }),
        None => kept,
    };
    let next = next_refresh_at(published, Some(now), now);
    sql.exec(
        "UPDATE post_metrics SET last_read = ?, next_at = ?, metrics = ?, first_day = ? WHERE id = ?",
        vec![
            ms(now),
            next.map_or(SqlStorageValue::Null, ms),
            metrics.map_or(SqlStorageValue::Null, SqlStorageValue::from),
            first.map(|m| serde_json::to_string(&m)).transpose()?.map_or(SqlStorageValue::Null, SqlStorageValue::from),
            row.id.clone().into(),
        ],
    )?;
    Ok(())
}

fn tracked(row: &Row) -> Option<Tracked> {
    Some(Tracked { post_id: row.tiktok_id.parse().ok()?, published_at_ms: row.published_at as u64, last_refresh_ms: row.last_read.map(|t| t as u64) })
}

impl Account {
    /// A call to TikTok's Display API with a live token: refreshed once if TikTok calls it
    /// stale, and never marking the account for a reconnect (posting decides that).
    async fn display_call<T, F, Fut>(&self, call: F) -> std::result::Result<T, TikTokError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, TikTokError>>,
    {
        let tokens = self.live_tokens().await.map_err(|_| super::tokens::gone())?;
        match call(tokens.access_token.clone()).await {
            Err(e) if letspost_core::account::is_stale_access(&e) => {
                let fresh = self.refresh(&tokens.access_token).await.map_err(|_| super::tokens::gone())?;
                call(fresh.access_token).await
            }
            other => other,
        }
    }

    /// Take a snapshot of the account's counts now (at connect, then daily), if allowed.
    pub(super) async fn snapshot(&self, access_token: Option<&str>) -> Result<bool> {
        let storage = self.state.storage();
        if !analytics_on(&self.env) || !granted(&storage, USER_INFO_STATS_SCOPE).await? {
            return Ok(false);
        }
        let tiktok = TikTok::new(&self.env);
        let stats = match access_token {
            Some(t) => tiktok.user_stats(t).await,
            None => self.display_call(|t| async move { TikTok::new(&self.env).user_stats(&t).await }).await,
        };
        let stats = match stats {
            Ok(s) => s,
            Err(e) => {
                crate::base::log::error("stats_snapshot_failed", &[("code", &e.code)]);
                storage.put(NOT_BEFORE, now_ms() + RETRY_MS).await?;
                return Ok(false);
            }
        };
        let mut h = history(&storage).await?;
        account_stats::record(&mut h, StatsSample::from_tiktok(now_ms(), &stats));
        storage.put(STATS, &h).await?;
        Ok(true)
    }

    /// The alarm's part: read what is due, snapshot if a day has passed. Stops at the first
    /// failed call (what it did not read stays due, and the alarm comes back later).
    pub(super) async fn analytics_round(&self) -> Result<Round> {
        let mut round = Round::default();
        let storage = self.state.storage();
        if !analytics_on(&self.env) {
            return Ok(round);
        }
        let now = now_ms();
        storage.put(NOT_BEFORE, now + ROUND_GAP_MS).await?;
        if granted(&storage, USER_INFO_STATS_SCOPE).await?
            && account_stats::next_snapshot_at(history(&storage).await?.last().map(|s| s.at_ms), now) <= now
            && self.snapshot(None).await?
        {
            round.snapshots += 1;
        }
        if !granted(&storage, VIDEO_LIST_SCOPE).await? {
            return Ok(round);
        }
        let sql = table(&storage)?;
        let horizon = now + analytics::refresh::RIDE_ALONG_MS;
        let rows: Vec<Row> = sql
            .exec(
                "SELECT id, tiktok_id, published_at, last_read, metrics, first_day FROM post_metrics WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at LIMIT ?",
                vec![ms(horizon), SqlStorageValue::from(ROUND_IDS as i64)],
            )?
            .to_array()?;
        let followed: Vec<Tracked> = rows.iter().filter_map(tracked).collect();
        let open_id = self.record().await?.map(|r| r.profile.open_id).unwrap_or_default();
        let due_ids = due(&followed, now);
        for batch in batches(due_ids.iter().map(|id| (open_id.as_str(), *id))) {
            let req = batch.request();
            let answer = self
                .display_call(|t| {
                    let req = &req;
                    async move { TikTok::new(&self.env).video_query(&t, req).await }
                })
                .await;
            round.video_queries += 1;
            let videos = match answer {
                Ok(data) => data.videos,
                Err(e) => {
                    crate::base::log::error("metrics_read_failed", &[("account", &open_id), ("code", &e.code)]);
                    storage.put(NOT_BEFORE, now_ms() + RETRY_MS).await?;
                    return Ok(round);
                }
            };
            let read_at = now_ms();
            for row in rows.iter().filter(|r| tracked(r).is_some_and(|t| batch.video_ids.contains(&t.post_id))) {
                let id: Option<PostId> = row.tiktok_id.parse().ok();
                let video = videos.iter().find(|v| v.id.is_some() && v.id == id);
                read_row(&sql, row, video, read_at)?;
                round.posts_read += 1;
            }
        }
        Ok(round)
    }

    /// `AccountOp::Analytics`.
    pub(super) async fn analytics(&self, op: AnalyticsOp) -> Result<Response> {
        let storage = self.state.storage();
        match op {
            AnalyticsOp::Metrics(ids) => Response::from_json(&metrics_of(&storage, &ids)?),
            AnalyticsOp::Readings(id) => Response::from_json(&ReadingsBody::of(&readings_of(&table(&storage)?, &id)?)),
            AnalyticsOp::Stats => Response::from_json(&StatsBody::of(&history(&storage).await?)),
            AnalyticsOp::BestTimes => {
                #[derive(Deserialize)]
                struct FirstDay {
                    published_at: f64,
                    first_day: String,
                }
                // The newest posts with a first-day reading, at most best_times' bound.
                let rows: Vec<FirstDay> = table(&storage)?
                    .exec(
                        "SELECT published_at, first_day FROM post_metrics WHERE first_day IS NOT NULL ORDER BY published_at DESC LIMIT ?",
                        vec![SqlStorageValue::from(analytics::best_times::MAX_POSTS as i64)],
                    )?
                    .to_array()?;
                let posts: Vec<PostResult> = rows
                    .into_iter()
                    .filter_map(|r| {
                        let m: Measurement = serde_json::from_str(&r.first_day).ok()?;
                        Some(PostResult { published_at_ms: r.published_at as u64, first_day_views: m.views })
                    })
                    .collect();
                let zone = crate::objects::schedule::time_zone(&storage).await?;
                Response::from_json(&best_times(&zone, &posts))
            }
            AnalyticsOp::Refresh(ask) => self.manual(ask).await,
        }
    }

    /// A creator's "Refresh numbers": one `video/query` of one id, at most every 5 minutes.
    async fn manual(&self, ask: RefreshAsk) -> Result<Response> {
        let storage = self.state.storage();
        if status(&storage, &self.env).await? != Analytics::On {
            let message = if analytics_on(&self.env) {
                "This account did not allow LetsPost to read its numbers. Connect it again and allow them."
            } else {
                "This LetsPost does not read TikTok's numbers."
            };
            return reply::error(409, "analytics_not_allowed", message);
        }
        let now = now_ms();
        let sql = table(&storage)?;
        sql.exec(
            "INSERT INTO post_metrics (id, tiktok_id, published_at, next_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            vec![ask.id.clone().into(), ask.tiktok_post_id.to_string().into(), ms(ask.published_at_ms), ms(now)],
        )?;
        let rows: Vec<Row> = sql
            .exec("SELECT id, tiktok_id, published_at, last_read, metrics, first_day FROM post_metrics WHERE id = ?", vec![ask.id.clone().into()])?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else { return reply::not_found("post") };
        if let Err(refused) = manual_refresh(Some(ask.tiktok_post_id), row.last_read.map(|t| t as u64), now) {
            let secs = u32::try_from(refused.retry_after_secs().unwrap_or(60)).unwrap_or(300);
            let message = format!("These numbers were read less than 5 minutes ago. Ask again in {secs} s.");
            return reply::with_retry_after(reply::error(429, letspost_core::api::codes::RATE_LIMITED, &message)?, secs);
        }
        let req = tiktok_rules::display::VideoQueryRequest::new(vec![ask.tiktok_post_id]);
        let answer = self
            .display_call(|t| {
                let req = &req;
                async move { TikTok::new(&self.env).video_query(&t, req).await }
            })
            .await;
        match answer {
            Ok(data) => {
                let video = data.videos.iter().find(|v| v.id == Some(ask.tiktok_post_id));
                read_row(&sql, &row, video, now)?;
                Response::from_json(&metrics_of(&storage, std::slice::from_ref(&ask.id))?.remove(&ask.id))
            }
            Err(e) => reply::tiktok_failure(&e),
        }
    }
}

/// The test hooks' operations (`/test/analytics/*`, only in test builds); `None` for any other.
#[cfg(feature = "test-routes")]
pub mod test_ops {
    use super::*;
    use worker::{Method, Request};

    #[derive(Deserialize)]
    struct Shift {
        by_ms: u64,
    }

    #[derive(Deserialize)]
    struct Seed {
        id: String,
        tiktok_post_id: PostId,
        published_at_ms: u64,
        #[serde(default)]
        first_day_views: Option<u64>,
    }

    impl Account {
        /// `POST /test/analytics/shift {"by_ms"}`: every time this account's numbers keep moves
        /// back by `by_ms`, as if that long had passed; then the alarm's round runs now →
        /// `Round`. `POST /test/analytics/round`: the round alone. `POST /test/analytics/track
        /// [{"id", "tiktok_post_id", "published_at_ms", "first_day_views"?}]`: posts followed as
        /// if published then (with a first-day reading when given).
        pub(in crate::objects::account) async fn analytics_test_op(&self, req: &mut Request) -> Result<Option<Response>> {
            let storage = self.state.storage();
            let answer = match (req.method(), req.path().as_str()) {
                (Method::Post, "/test/analytics/shift") => {
                    let s: Shift = req.json().await?;
                    let by = s.by_ms as i64;
                    let sql = table(&storage)?;
                    sql.exec(
                        "UPDATE post_metrics SET published_at = published_at - ?, last_read = last_read - ?, next_at = next_at - ?",
                        vec![by.into(), by.into(), by.into()],
                    )?;
                    sql.exec("UPDATE post_readings SET at = at - ?", vec![by.into()])?;
                    let rows: Vec<Row> = sql.exec("SELECT id, tiktok_id, published_at, last_read, metrics, first_day FROM post_metrics", None)?.to_array()?;
                    for r in rows {
                        if let Some(mut m) = r.first_day.as_deref().and_then(|t| serde_json::from_str::<Measurement>(t).ok()) {
                            m.at_ms = m.at_ms.saturating_sub(s.by_ms);
                            sql.exec("UPDATE post_metrics SET first_day = ? WHERE id = ?", vec![serde_json::to_string(&m)?.into(), r.id.into()])?;
                        }
                    }
                    let mut h = history(&storage).await?;
                    h.iter_mut().for_each(|x| x.at_ms = x.at_ms.saturating_sub(s.by_ms));
                    storage.put(STATS, &h).await?;
                    Response::from_json(&self.analytics_round().await?)
                }
                (Method::Post, "/test/analytics/round") => Response::from_json(&self.analytics_round().await?),
                (Method::Post, "/test/analytics/track") => {
                    let seeds: Vec<Seed> = req.json().await?;
                    let sql = table(&storage)?;
                    let now = now_ms();
                    for s in seeds {
                        let first = s.first_day_views.map(|views| Measurement { at_ms: s.published_at_ms + analytics::DAY_MS, views });
                        let last = first.map(|m| m.at_ms);
                        let next = next_refresh_at(s.published_at_ms, last, now);
                        sql.exec(
                            "INSERT OR REPLACE INTO post_metrics (id, tiktok_id, published_at, last_read, next_at, metrics, first_day) VALUES (?, ?, ?, ?, ?, NULL, ?)",
                            vec![
                                s.id.into(),
                                s.tiktok_post_id.to_string().into(),
                                ms(s.published_at_ms),
                                last.map_or(SqlStorageValue::Null, ms),
                                next.map_or(SqlStorageValue::Null, ms),
                                first.map(|m| serde_json::to_string(&m)).transpose()?.map_or(SqlStorageValue::Null, SqlStorageValue::from),
                            ],
                        )?;
                    }
                    Response::empty().map(|r| r.with_status(204))
                }
                _ => return Ok(None),
            };
            answer.map(Some)
        }
    }
}
