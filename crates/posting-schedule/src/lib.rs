//! A posting schedule is a handful of weekly times ("Mondays at 09:00") in the creator's own
//! time zone. "Add to queue" gives a post the earliest of those that no other post holds, and
//! the calendar shows the free ones. Both happen here, apart from storage and the clock, so
//! the daylight-saving edge cases are decided once and unit-tested.
//!
//! Slots are wall-clock times: 09:00 stays 09:00 local across a DST change. When the local
//! time does not exist or exists twice, [`wall_clock`] picks exactly one instant.
//!
//! Time zones come from `jiff` with its bundled tz database (workerd has no zoneinfo files).
//! The runtime's `Intl` would cost no bytes but is JavaScript, out of reach of a pure crate.

pub mod answers;
pub mod day;
pub mod free;
pub mod holds;
pub mod queue;
pub mod schedule;
pub mod wall_clock;
pub mod weekly;

#[cfg(test)]
mod test_support;

pub use answers::{FreeSlotsBody, NextFreeBody};
pub use day::Day;
pub use holds::{Hold, RESERVATION_MS};
pub use queue::{HORIZON_MS, LEAD_MS, QueueError};
pub use schedule::{MAX_SLOTS, Schedule, ScheduleBody, ScheduleError, Slot};
pub use weekly::{Weekly, WeeklySlot};
