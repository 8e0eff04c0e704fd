//! Faults the end-to-end suite injects into the Worker itself (`TEST_HOOKS = "1"`, set only by
//! `cargo xtask test`; wrangler.toml has no such var, so a deploy never has these routes).
//!
//! `POST /api/test/fail-next-media-put` `{"caption"}` → the next `PUT /api/posts/{id}/media`
//! of a post with that caption answers 503 without storing anything, as a gateway timing out
//! would. (By caption, so tests running side by side don't take each other's fault.)

use std::sync::Mutex;
use worker::Env;

static FAIL_NEXT_MEDIA_PUT: Mutex<Option<String>> = Mutex::new(None);

pub fn enabled(env: &Env) -> bool {
    env.var("TEST_HOOKS").map(|v| v.to_string() == "1").unwrap_or(false)
}

pub fn arm_media_put_failure(caption: String) {
    if let Ok(mut armed) = FAIL_NEXT_MEDIA_PUT.lock() {
        *armed = Some(caption);
    }
}

/// Spends the armed failure if it is for this post's caption.
pub fn media_put_should_fail(caption: &str) -> bool {
    let Ok(mut armed) = FAIL_NEXT_MEDIA_PUT.lock() else { return false };
    if armed.as_deref() == Some(caption) {
        *armed = None;
        return true;
    }
    false
}
