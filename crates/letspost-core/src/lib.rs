//! LetsPost's own rules, beside TikTok's (`tiktok-rules`): what the Worker and the browser
//! agree on, and the decisions the Worker makes about sessions and tokens.
//!
//! Pure like `tiktok-rules`: callers pass the clock (`now_ms`) and random bytes.

pub mod account;
pub mod api;
pub mod api_key;
pub mod csp_report;
pub mod device;
pub mod headers;
pub mod limits;
pub mod log_line;
pub mod oauth_start;
pub mod request;
pub mod session;
pub mod time_fmt;
#[cfg(feature = "vault")]
pub mod vault;
