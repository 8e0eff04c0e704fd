//! The Worker, running in workerd under wrangler dev, answering over HTTP.

use letspost_e2e::{app_url, emulator_url, http};

#[tokio::test]
async fn health_answers_with_status_version_and_limits_from_the_rules_crate() {
    let resp = http().get(format!("{}/api/health", app_url())).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["service"], "letspost-worker");
    assert_eq!(body["limits"]["caption_max_utf16"], 2200);
    assert_eq!(body["limits"]["max_size_bytes"], 287_600_000u64);
    assert_eq!(body["limits"]["min_duration_ms"], 15_000);
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s_not_the_app() {
    let resp = http().post(format!("{}/api/nope", app_url())).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("/api/nope"), "{body}");
}

#[tokio::test]
async fn static_assets_are_served_by_the_same_worker() {
    let client = http();
    let index = client.get(format!("{}/", app_url())).send().await.unwrap();
    assert_eq!(index.status(), 200);
    let html = index.text().await.unwrap();
    // The build's own folder: /pkg/<build id>/letspost.js, with its wasm and route chunks.
    let pkg = build_folder(&html);
    let wasm = client.get(format!("{}{pkg}letspost_bg.wasm", app_url())).send().await.unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let bytes = wasm.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"\0asm");
    let loader = client.get(format!("{}{pkg}__wasm_split.js", app_url())).send().await.unwrap().text().await.unwrap();
    let chunk = loader.split('"').find(|s| s.starts_with("./split___compose_view_")).expect("the composer is a chunk");
    let chunk = client.get(format!("{}{pkg}{}", app_url(), &chunk[2..])).send().await.unwrap();
    assert_eq!(chunk.status(), 200);
    assert_eq!(chunk.headers()["content-type"], "application/wasm");
}

/// `/pkg/<build id>/` from the page's module script.
fn build_folder(html: &str) -> String {
    let start = html.find("/pkg/").unwrap_or_else(|| panic!("no /pkg/ in {html}"));
    let rest = &html[start..];
    let end = rest.find("letspost.js").unwrap_or_else(|| panic!("no letspost.js in {html}"));
    let folder = rest[..end].to_string();
    assert!(folder.len() > "/pkg//".len(), "not a build folder: {folder}");
    folder
}

#[tokio::test]
async fn client_side_routes_load_the_app() {
    let resp = http().get(format!("{}/oauth/callback?code=x&state=y", app_url())).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    build_folder(&resp.text().await.unwrap());
}

#[tokio::test]
async fn the_worker_is_pointed_at_the_emulator_by_configuration_only() {
    let body: serde_json::Value = http().get(format!("{}/api/health", app_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["tiktok"]["api_base"], emulator_url());
    assert_eq!(body["tiktok"]["auth_base"], emulator_url());
    assert_eq!(body["tiktok"]["client_configured"], true);
    let emu = http().get(format!("{}/health", emulator_url())).send().await.unwrap();
    assert_eq!(emu.status(), 200);
}
