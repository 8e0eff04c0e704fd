//! The bottom layer: configuration and binding names, the answer shape, log lines, random
//! bytes, the clock and deadlines. It imports nothing from the crate but its own modules.

pub mod config;
pub mod deadline;
pub mod log;
#[cfg(feature = "test-routes")]
pub mod object_calls;
pub mod rand;
pub mod reply;
pub mod request_local;
