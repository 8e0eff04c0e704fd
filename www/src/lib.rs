//! The LetsPost front end. This crate is a thin shell: every TikTok rule it shows or enforces
//! comes from `tiktok-rules`, every API shape from `letspost-core`; the browser code here only
//! renders and moves bytes.

mod account_numbers;
mod accounts;
mod api;
mod api_keys;
mod app;
mod calendar;
mod chart;
mod compose;
mod connect;
mod health;
mod lapse;
mod oauth;
mod pages;
mod post_numbers;
mod probe_blob;
mod queue;
mod routes;
mod schedule_editor;
mod slot_time;
mod video_drop;
mod week;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
