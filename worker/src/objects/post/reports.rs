//! What a post tells others whenever it changes, each only when it changed (the last told
//! value is kept here): its alarm, its cron index entry, the time it holds in its account's
//! schedule, what it counts against the account's caps, and its row in the account's index.
//! A failed report fails nothing: it is told again at the next `arm`.

use super::{HELD, LISTED, PostObject, USED, WATCH};
use crate::base::config::media_retention_ms;
use crate::base::rand::now_ms;
use crate::objects::account::AccountOp;
use crate::objects::due_index::{DueOp, Entry, EntryId};
use crate::objects::expect_ok;
use crate::objects::post_index;
use crate::objects::schedule::{HoldOf, ScheduleOp};
use crate::objects::usage::{UsageOf, UsageOp};
use post_lifecycle::watch::{self, Watch};
use post_lifecycle::{Action, Post};
use worker::{Result, ScheduledTime};

impl PostObject {
    /// Arm the alarm for what the post needs next (or its housekeeping), and keep the cron's
    /// index entry in step with it.
    pub(super) async fn arm(&self, p: &Post) -> Result<()> {
        let now = now_ms();
        let at = match p.next(now) {
            Action::WakeAt(t) => Some(t),
            Action::Idle => {
                let retention = media_retention_ms(&self.env);
                p.housekeeping_at(retention).or_else(|| p.shed_at(retention))
            }
            _ => Some(now),
        }
        .map(|t| t.max(now));
        match at {
            Some(t) => self.alarm_at(t).await?,
            None => self.state.storage().delete_alarm().await?,
        }
        // The alarm is what drives the post; a failed index write must not fail the request
        // that armed it (it is committed): the stored entry is unchanged, so the next `arm`
        // writes it again, and the old entry still brings the cron if the alarm is lost.
        if let Err(e) = self.keep_watch(p, at, now, false).await {
            crate::base::log::error("post_index_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        // Likewise the account's hold: unchanged in storage, so the next `arm` tells it again.
        if let Err(e) = self.keep_hold(p).await {
            crate::base::log::error("post_hold_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        // And what it counts against the account's caps.
        if let Err(e) = self.keep_usage(p).await {
            crate::base::log::error("post_usage_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        // And its row in the account's index, what the queue shows.
        if let Err(e) = self.keep_row(p).await {
            crate::base::log::error("post_row_write_failed", &[("post", &p.id), ("error", &e.to_string())]);
        }
        Ok(())
    }

    /// Tell the account's index what the queue shows of this post when that changed.
    pub(super) async fn keep_row(&self, p: &Post) -> Result<()> {
        use std::hash::{Hash, Hasher};
        let storage = self.state.storage();
        let row = p.row();
        let mut h = std::hash::DefaultHasher::new();
        row.news().hash(&mut h);
        let news = format!("{:016x}", h.finish());
        if storage.get::<String>(LISTED).await?.as_deref() == Some(news.as_str()) {
            return Ok(());
        }
        post_index::put_row(&self.env, &p.account, &row).await?;
        storage.put(LISTED, news).await
    }

    /// Tell the account what this post counts against its caps when that changed. The first
    /// report confirms the create's reservation.
    pub(super) async fn keep_usage(&self, p: &Post) -> Result<()> {
        let want = p.usage();
        let op = || AccountOp::Usage(UsageOp::Report(UsageOf { id: p.id.clone(), usage: want, reservation_only: false }));
        self.tell_if_changed(USED, want, &p.account, op).await
    }

    /// Tell the account which time this post holds in its posting schedule when that changed:
    /// made, rescheduled, cancelled, failed or gone to TikTok. A post that never held a time
    /// tells nothing.
    pub(super) async fn keep_hold(&self, p: &Post) -> Result<()> {
        let want = p.time_held();
        let op = || AccountOp::Schedule(ScheduleOp::Hold(HoldOf { id: p.id.clone(), at_ms: want, reservation_only: false }));
        self.tell_if_changed(HELD, want, &p.account, op).await
    }

    /// Send the account `op()` when `want` differs from what the post last told it (kept under
    /// `key`), then keep `want` as told. Most reports change nothing: the op is made only then.
    async fn tell_if_changed<T>(&self, key: &str, want: Option<T>, account: &str, op: impl FnOnce() -> AccountOp) -> Result<()>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq,
    {
        let storage = self.state.storage();
        let told: Option<T> = storage.get(key).await?;
        if told == want {
            return Ok(());
        }
        expect_ok(op().send(&self.env, account).await?)?;
        match want {
            Some(v) => storage.put(key, v).await,
            None => storage.delete(key).await.map(|_| ()),
        }
    }

    /// Write the post's entry in its index shard when it no longer says when to look
    /// (`post_lifecycle::watch`); `force` after a cron visit, which found it overdue.
    pub(super) async fn keep_watch(&self, p: &Post, alarm: Option<u64>, now: u64, force: bool) -> Result<()> {
        let storage = self.state.storage();
        // Forced: whatever the shard holds is stale (an unknown value, never "nothing"), so a
        // post in its lifecycle writes its entry and one out of it leaves the index.
        let stored: Option<u64> = if force { Some(u64::MAX) } else { storage.get(WATCH).await? };
        let shard = watch::shard_name(watch::shard_of(&p.id));
        match watch::watch(stored, alarm, p.watched(now), now) {
            Watch::Keep => Ok(()),
            Watch::Put(at) => {
                let entry = Entry { id: p.id.clone(), watch_at_ms: at };
                expect_ok(DueOp::Put(entry).send(&self.env, &shard).await?)?;
                storage.put(WATCH, at).await
            }
            Watch::Remove => {
                expect_ok(DueOp::Delete(EntryId { id: p.id.clone() }).send(&self.env, &shard).await?)?;
                storage.delete(WATCH).await.map(|_| ())
            }
        }
    }

    /// `set_alarm` at an absolute Unix ms (a bare number would mean "this many ms from now").
    pub(super) async fn alarm_at(&self, ms: u64) -> Result<()> {
        self.state.storage().set_alarm(ScheduledTime::new(js_sys::Date::new(&(ms as f64).into()))).await
    }
}
