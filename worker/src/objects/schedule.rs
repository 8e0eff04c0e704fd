//! The Account object's posting schedule and the times its posts hold (`posting_schedule`
//! decides; this moves the records). Kept in the account's own storage: `schedule`, and one
//! `hold:<post id>` per live post, so nothing here spans accounts and "Add to queue" costs no
//! call to any post.
//!
//! A queue choice reads the holds and writes its reservation with storage calls only: the
//! object's input gate delivers no other request in between, so two creates at the same
//! moment get two different slots without a lock.
//!
//! Operations (`ScheduleOp`) are routed here by `account.rs`; the Worker's routes check the
//! session and the schedule's shape first.

use crate::base::rand::now_ms;
use crate::base::reply;
use letspost_core::api::{ApiError, ErrorBody};
use letspost_core::time_fmt::rfc3339_utc;
use posting_schedule::{FreeSlotsBody, Hold, NextFreeBody, QueueError, Schedule, ScheduleBody, Weekly};
use serde::{Deserialize, Serialize};
use worker::{ListOptions, Response, Result, Storage};

const SCHEDULE: &str = "schedule";
const HOLD_PREFIX: &str = "hold:";

/// The schedule's operations (`account::AccountOp::Schedule`).
#[derive(Serialize, Deserialize)]
pub enum ScheduleOp {
    Get,
    /// Checked by the Worker first; stored as the check left it.
    Put(ScheduleBody),
    /// A new connection's browser zone, unless the account has a schedule.
    Default(TimeZoneOf),
    /// Pick (or, asked again for the same post, repeat) its slot: `Queued` or 422.
    Queue(QueueAsk),
    /// The next free time, for the composer: `NextFreeBody`.
    NextFree,
    Hold(HoldOf),
    /// Free slots in a window: `FreeSlotsBody`.
    Slots(Window),
}

/// `Hold`: the post's time now (`None`: it holds none any more).
#[derive(Serialize, Deserialize)]
pub struct HoldOf {
    pub id: String,
    pub at_ms: Option<u64>,
    /// A refused create giving back its slot: only a reservation goes, never a hold its post
    /// has confirmed (a key reused with another body must not free the first request's slot).
    #[serde(default)]
    pub reservation_only: bool,
}

/// `Queue`: pick (or, asked again for the same post, repeat) its slot.
#[derive(Serialize, Deserialize)]
pub struct QueueAsk {
    pub id: String,
}

#[derive(Serialize, Deserialize)]
pub struct Queued {
    pub publish_at_ms: u64,
}

/// `Default`: a new connection's browser zone.
#[derive(Serialize, Deserialize)]
pub struct TimeZoneOf {
    pub time_zone: String,
}

/// `Slots`: a window of the week view.
#[derive(Serialize, Deserialize)]
pub struct Window {
    pub from_ms: u64,
    pub to_ms: u64,
}

/// The stored schedule; an account connected before schedules existed has UTC and no slots.
async fn stored(storage: &Storage) -> Result<Schedule> {
    Ok(storage.get::<Schedule>(SCHEDULE).await?.unwrap_or_else(|| Schedule::for_new_account("UTC")))
}

/// The account's time zone (its schedule's), for best times.
pub async fn time_zone(storage: &Storage) -> Result<String> {
    Ok(stored(storage).await?.time_zone)
}

fn weekly(s: &Schedule) -> Result<Weekly> {
    s.check().map_err(|e| worker::Error::RustError(format!("stored schedule: {}", e.message)))
}

/// Every hold, expired ones deleted on the way.
async fn holds(storage: &Storage, now: u64) -> Result<Vec<(String, Hold)>> {
    let map = storage.list_with_options(ListOptions::new().prefix(HOLD_PREFIX)).await?;
    let mut live = Vec::new();
    let mut expired = Vec::new();
    for entry in map.entries() {
        let pair: js_sys::Array = entry?.into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let Ok(hold) = serde_wasm_bindgen::from_value::<Hold>(pair.get(1)) else { continue };
        if hold.expired(now) {
            expired.push(key);
        } else {
            live.push((key[HOLD_PREFIX.len()..].to_string(), hold));
        }
    }
    if !expired.is_empty() {
        storage.delete_multiple(expired).await?;
    }
    Ok(live)
}

fn taken(holds: &[(String, Hold)], now: u64, except: &str) -> Vec<u64> {
    posting_schedule::holds::taken(holds.iter().filter(|(id, _)| id != except).map(|(_, h)| h), now)
}

fn queue_refusal(e: QueueError) -> Result<Response> {
    let error = ApiError { code: e.code().into(), message: e.message().into(), field: Some("queue".into()) };
    reply::json(422, &ErrorBody { error })
}

/// The answer to one of this module's operations.
pub async fn handle(storage: &Storage, op: ScheduleOp, lead_ms: u64) -> Result<Response> {
    let now = now_ms();
    match op {
        ScheduleOp::Get => Response::from_json(&ScheduleBody { schedule: stored(storage).await? }),
        ScheduleOp::Put(body) => {
            storage.put(SCHEDULE, &body.schedule).await?;
            Response::from_json(&body)
        }
        ScheduleOp::Default(TimeZoneOf { time_zone }) => {
            if storage.get::<Schedule>(SCHEDULE).await?.is_none() {
                storage.put(SCHEDULE, Schedule::for_new_account(&time_zone)).await?;
            }
            Ok(Response::empty()?.with_status(204))
        }
        ScheduleOp::Queue(QueueAsk { id }) => {
            let key = format!("{HOLD_PREFIX}{id}");
            // The same post asked again (a retried keyed create): the slot it was given.
            if let Some(hold) = storage.get::<Hold>(&key).await?.filter(|h| h.counts(now)) {
                return Response::from_json(&Queued { publish_at_ms: hold.at_ms });
            }
            let holds = holds(storage, now).await?;
            match weekly(&stored(storage).await?)?.next_free(now, lead_ms, &taken(&holds, now, &id)) {
                Ok(at) => {
                    storage.put(&key, Hold::reserved(at, now)).await?;
                    Response::from_json(&Queued { publish_at_ms: at })
                }
                Err(e) => queue_refusal(e),
            }
        }
        ScheduleOp::NextFree => {
            let schedule = stored(storage).await?;
            let holds = holds(storage, now).await?;
            let next = weekly(&schedule)?.next_free(now, lead_ms, &taken(&holds, now, ""));
            Response::from_json(&NextFreeBody {
                time_zone: schedule.time_zone,
                next_free_at: next.ok().map(rfc3339_utc),
                code: next.err().map(|e| e.code().into()),
                message: next.err().map(|e| e.message().into()),
            })
        }
        ScheduleOp::Hold(HoldOf { id, at_ms, reservation_only }) => {
            let key = format!("{HOLD_PREFIX}{id}");
            match at_ms {
                Some(at) => storage.put(&key, Hold::confirmed(at)).await?,
                None if reservation_only => {
                    if storage.get::<Hold>(&key).await?.is_some_and(|h| h.reserved_at_ms.is_some()) {
                        storage.delete(&key).await?;
                    }
                }
                None => {
                    storage.delete(&key).await?;
                }
            }
            Ok(Response::empty()?.with_status(204))
        }
        ScheduleOp::Slots(Window { from_ms, to_ms }) => {
            let schedule = stored(storage).await?;
            let holds = holds(storage, now).await?;
            // A time already past is not free: nothing can be posted then.
            let free = weekly(&schedule)?.free_slots(from_ms.max(now), to_ms, &taken(&holds, now, ""));
            Response::from_json(&FreeSlotsBody { time_zone: schedule.time_zone, free: free.into_iter().map(rfc3339_utc).collect() })
        }
    }
}
