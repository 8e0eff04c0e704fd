//! What happened after a post went out (issue 33), decided apart from storage, the network
//! and the clock: callers pass `now_ms` and what they stored, and get back instants, batches,
//! scores and chart geometry. The Worker runs the schedules; the front end draws the charts.
//!
//! - [`refresh`]: when a published post's numbers are read again (a decaying schedule), and
//!   the manual refresh's limits; [`batch`]: those reads as `video/query` calls of ≤ 20 ids.
//! - [`first_day`]: which reading stands for a post's first 24 hours.
//! - [`readings`]: a post's readings over time, at most 48 kept (thinned evenly).
//! - [`account_stats`]: an account's daily snapshot of its counts, kept for a year.
//! - [`best_times`]: the weekly hours whose posts did best, from the creator's own posts.
//! - [`chart`]: a small SVG line chart as plain data (view box, path, ticks, text).
//!
//! TikTok's facts (the 20 ids, the post id, the counts' shapes) come from `tiktok-rules`;
//! days and zones follow `posting-schedule`.

pub mod account_stats;
pub mod batch;
pub mod best_times;
pub mod chart;
pub mod first_day;
pub mod readings;
pub mod refresh;
mod zone;

pub use account_stats::{StatsBody, StatsPoint, StatsSample};
pub use batch::{QueryBatch, batches};
pub use best_times::{BestSlot, BestTimesBody, PostResult, best_times};
pub use chart::{LineChart, line_chart};
pub use first_day::Measurement;
pub use readings::{Reading, ReadingPoint, ReadingsBody};
pub use refresh::{ManualRefusal, Tracked, due, manual_refresh, next_refresh_at};

/// Milliseconds in an hour and a day, for the schedules.
pub const HOUR_MS: u64 = 3_600_000;
pub const DAY_MS: u64 = 24 * HOUR_MS;
