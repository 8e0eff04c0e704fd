//! `test_hooks` in a build without the `test-routes` feature (every deploy): the faults never
//! fire and nothing is kept, so the routes' code and names are not in the bundle at all.

use worker::{Env, Response, Result};

pub struct Armed;

impl Armed {
    pub fn fires(&self, _env: &Env, _caption: &str) -> bool {
        false
    }
}

pub static FAIL_NEXT_MEDIA_PUT: Armed = Armed;
pub static DROP_NEXT_CREATE_ANSWER: Armed = Armed;

pub fn enabled(_env: &Env) -> bool {
    false
}

pub fn keep_csp_reports(_found: Vec<letspost_core::csp_report::Violation>) {}

/// Never called: `DROP_NEXT_CREATE_ANSWER` never fires here.
pub fn lost_answer() -> Result<Response> {
    crate::base::reply::internal()
}
