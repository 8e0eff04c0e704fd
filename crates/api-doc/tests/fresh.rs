//! docs/openapi.json is what the Worker serves (embedded with include_str!): it must be what
//! the shapes say now.

#[test]
fn openapi_json_is_fresh() {
    let committed = std::fs::read_to_string(api_doc::committed_path()).unwrap_or_default();
    assert!(committed == api_doc::json(), "docs/openapi.json is stale: run `cargo run -p api-doc` and commit it");
}

#[test]
fn every_operation_names_its_errors_and_security() {
    let doc: serde_json::Value = serde_json::from_str(&api_doc::json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            assert!(codes.iter().any(|c| c.starts_with('4')), "{method} {path} lists no 4xx: {codes:?}");
            assert!(op.get("security").is_some(), "{method} {path} says nothing of its credentials");
        }
    }
}
