//! `POST /api/csp-report`: where the pages' Content-Security-Policy sends its violation
//! reports (`report-uri`). Browsers send them without credentials and, for some engines,
//! without an Origin: like TikTok's webhooks, this route runs before the Origin check. It only
//! logs (one `csp_violation` line each, page path only), and under `TEST_HOOKS` keeps them for
//! the end-to-end suite, which fails on any.

use crate::api::{body, test_hooks};
use crate::base::{log, reply};
use letspost_core::csp_report;
use letspost_core::request::MAX_JSON_BYTES;
use worker::{Env, Request, Response, Result};

pub async fn receive(mut req: Request, env: Env) -> Result<Response> {
    let bytes = match body::bounded(&mut req, MAX_JSON_BYTES).await? {
        Ok(b) => b,
        Err(r) => return reply::refused(r),
    };
    let Some(found) = csp_report::parse(&bytes) else {
        return reply::bad_request("The body is not a CSP violation report.");
    };
    for v in &found {
        log::warn("csp_violation", &[("page", &v.page), ("directive", &v.directive), ("blocked", &v.blocked)]);
    }
    if test_hooks::enabled(&env) {
        test_hooks::keep_csp_reports(found);
    }
    Ok(Response::empty()?.with_status(204))
}
