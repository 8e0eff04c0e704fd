//! `POST /api/csp-report`: where the pages' Content-Security-Policy sends its violation
//! reports (`report-uri`). Browsers send them without credentials and, for some engines,
//! without an Origin: like TikTok's webhooks, this route runs before the Origin check. Being
//! anonymous, it is bounded: rate-limited per client address, only the report content types,
//! and at most five `csp_violation` lines of short fields a request (`letspost_core::csp_report`).
//! Under the suite's test hooks the violations are also kept, for the suite to fail on any.

use crate::api::{body, limits, test_hooks};
use crate::base::{log, reply};
use letspost_core::api::codes;
use letspost_core::csp_report;
use letspost_core::limits::{Client, REPORTS};
use letspost_core::request::MAX_JSON_BYTES;
use worker::{Env, Request, Response, Result};

pub async fn receive(mut req: Request, env: Env) -> Result<Response> {
    let address = limits::address(&req, &env);
    if let Some(refused) = limits::check(&env, &REPORTS, "report", &Client::Address(address.as_deref())).await? {
        return Ok(refused);
    }
    if !csp_report::is_report_content_type(req.headers().get("Content-Type")?.as_deref()) {
        let message = format!("Send CSP reports as {}.", csp_report::CONTENT_TYPES.join(" or "));
        return reply::error(415, codes::UNSUPPORTED_MEDIA_TYPE, &message);
    }
    let bytes = match body::bounded(&mut req, MAX_JSON_BYTES).await? {
        Ok(b) => b,
        Err(r) => return reply::refused(r),
    };
    let Some(report) = csp_report::parse(&bytes) else {
        return reply::bad_request("The body is not a CSP violation report.");
    };
    let count = report.violations.len();
    let more = report.omitted.to_string();
    for (i, v) in report.violations.iter().enumerate() {
        let mut fields = vec![("page", v.page.as_str()), ("directive", v.directive.as_str()), ("blocked", v.blocked.as_str())];
        // The last line says how many more the report held (not logged).
        if i + 1 == count && report.omitted > 0 {
            fields.push(("more", &more));
        }
        log::warn("csp_violation", &fields);
    }
    if test_hooks::enabled(&env) {
        test_hooks::keep_csp_reports(report.violations);
    }
    Ok(Response::empty()?.with_status(204))
}
