//! The answers of the queue's read-only routes, shared by the Worker and the browser. Times
//! are RFC 3339 UTC; the browser shows them in the schedule's `time_zone`.

use serde::{Deserialize, Serialize};

/// `GET /api/accounts/{open_id}/queue`: the time "Add to queue" would give a post now, or
/// why there is none (`code` and `message` as a 422 of `POST /api/posts` would say it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextFreeBody {
    pub time_zone: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub next_free_at: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `GET /api/accounts/{open_id}/slots?from=&to=`: the free slots in a window (at most
/// `weekly::MAX_WINDOW_MS` long), for the calendar's week view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FreeSlotsBody {
    pub time_zone: String,
    pub free: Vec<String>,
}
