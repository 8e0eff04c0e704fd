//! The OpenAPI 3.1 document of `/api`, from the types the Worker answers with and the browser
//! reads (their `openapi` feature derives utoipa's `ToSchema`): no schema is written by hand,
//! so the document can't drift from the wire. Made natively and committed as
//! docs/openapi.json, which the Worker serves with `include_str!` at `GET /api/openapi.json`:
//! the Worker's wasm carries 60 KB of text instead of utoipa and every schema's code.
//!
//! `routes.rs` describes each route (params, bodies, answers); `common.rs` adds what every
//! route shares (the key's 401 and 429, the Origin check's 403, the key-less routes' 403).

mod common;
mod routes;

use utoipa::OpenApi;

/// The document, as the Worker serves it.
pub fn json() -> String {
    let mut doc = serde_json::to_value(routes::Doc::openapi()).expect("the document is JSON");
    common::apply(&mut doc);
    serde_json::to_string_pretty(&doc).expect("the document is JSON") + "\n"
}

/// docs/openapi.json in this checkout.
pub fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}
