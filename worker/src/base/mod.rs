//! The bottom layer: configuration and binding names, the answer shape, random bytes and the
//! clock. It imports nothing from the crate but its own modules.

pub mod config;
pub mod rand;
pub mod reply;
