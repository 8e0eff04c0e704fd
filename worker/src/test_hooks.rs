//! Faults the end-to-end suite injects into the Worker itself (`TEST_HOOKS = "1"`, set only by
//! `cargo xtask test`; wrangler.toml has no such var, so a deploy never has these routes).
//!
//! `POST /api/test/fail-next-media-put` → the next `PUT /api/posts/{id}/media` answers 503
//! without storing anything, as a gateway timing out would.

use std::sync::atomic::{AtomicBool, Ordering};
use worker::Env;

static FAIL_NEXT_MEDIA_PUT: AtomicBool = AtomicBool::new(false);

pub fn enabled(env: &Env) -> bool {
    env.var("TEST_HOOKS").map(|v| v.to_string() == "1").unwrap_or(false)
}

pub fn arm_media_put_failure() {
    FAIL_NEXT_MEDIA_PUT.store(true, Ordering::SeqCst);
}

/// Spends the armed failure, if any.
pub fn media_put_should_fail() -> bool {
    FAIL_NEXT_MEDIA_PUT.swap(false, Ordering::SeqCst)
}
