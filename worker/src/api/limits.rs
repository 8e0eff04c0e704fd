//! Rate limits through Cloudflare's Rate Limiting binding (`[[ratelimits]]` in wrangler.toml):
//! `letspost_core::limits` has the numbers and the keys; this asks the binding and answers 429.

use crate::base::{log, reply};
use letspost_core::api::codes;
use letspost_core::limits::{Client, Limit};
use worker::{Env, Request, Response, Result};

/// The client's address as Cloudflare gives it (`CF-Connecting-IP`; `wrangler dev` sets it
/// too). A test build lets a test name its own (`TEST_ADDRESS_HEADER`), so tests of the limits
/// don't spend the budget of the rest of the suite, which all comes from 127.0.0.1.
pub fn address(req: &Request, env: &Env) -> Option<String> {
    test_address(req, env).or_else(|| req.headers().get("CF-Connecting-IP").ok().flatten())
}

#[cfg(feature = "test-routes")]
fn test_address(req: &Request, env: &Env) -> Option<String> {
    crate::api::test_hooks::enabled(env).then(|| req.headers().get(letspost_core::limits::TEST_ADDRESS_HEADER).ok().flatten()).flatten()
}

#[cfg(not(feature = "test-routes"))]
fn test_address(_req: &Request, _env: &Env) -> Option<String> {
    None
}

/// `None` when `client` may go on; the 429 that refuses it otherwise. A binding that is missing
/// or fails lets the request through and logs it: the limits protect LetsPost's budget, and
/// an outage of the counter must not stop every creator.
pub async fn check(env: &Env, limit: &Limit, action: &str, client: &Client<'_>) -> Result<Option<Response>> {
    let key = limit.key(action, client);
    let outcome = match env.rate_limiter(limit.binding) {
        Ok(limiter) => limiter.limit(key).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(o) if o.success => Ok(None),
        Ok(_) => refuse(limit).map(Some),
        Err(e) => {
            log::error("rate_limit_unavailable", &[("binding", limit.binding), ("error", &e.to_string())]);
            Ok(None)
        }
    }
}

/// 429 `rate_limited` with a sentence, `Retry-After` and the limit.
fn refuse(limit: &Limit) -> Result<Response> {
    let mut resp = reply::with_retry_after(reply::error(429, codes::RATE_LIMITED, &limit.message())?, limit.retry_after_secs())?;
    resp.headers_mut().set("X-RateLimit-Limit", &limit.limit.to_string())?;
    Ok(resp)
}
