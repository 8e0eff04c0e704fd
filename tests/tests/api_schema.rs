//! Schemathesis (PyPI, pinned in tests/python/requirements.txt; a tool nobody here wrote) reads
//! the Worker's own `GET /api/openapi.json` and throws generated requests at every route with
//! an API key: no answer may be a 5xx, and every answer must be what the document says (status
//! code, content type, headers, body shape). The key's account and a post of it are given to
//! the path parameters, so the routes get past their 404s.

use letspost_e2e::api::{Session, connected_creator};
use letspost_e2e::posts::{caption, new_post};
use serde_json::{Value, json};

/// Cases per operation and phase: ~30 operations run in well under a minute (DEVELOPERS.md).
const MAX_EXAMPLES: &str = "8";

#[tokio::test]
async fn the_worker_answers_as_its_openapi_document_says() {
    let python = std::env::var("LETSPOST_PYTHON").expect("LETSPOST_PYTHON is not set: run the end-to-end tests with `cargo xtask test`");
    let (s, open_id) = connected_creator("schema").await;
    let made = s.post("/api/keys", json!({ "name": "schemathesis", "accounts": [open_id] })).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let secret = made.body["secret"].as_str().unwrap().to_string();
    let k = Session::with_key(&secret);
    let created = k.post("/api/posts", new_post(&open_id, &caption("schema"), 2_000)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let post_id = created.body["post"]["id"].as_str().unwrap().to_string();

    // What the Worker serves is the committed document (which a native test keeps fresh).
    let served = k.get("/api/openapi.json").await;
    assert_eq!(served.status, 200);
    assert_eq!(served.headers["content-type"], "application/json");
    let committed: Value = serde_json::from_str(include_str!("../../docs/openapi.json")).unwrap();
    assert!(served.body == committed, "the Worker serves another document than docs/openapi.json");

    let dir = std::env::temp_dir().join(format!("letspost-schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Parameters named by the document: the key's own account and post, and the account a
    // create names (else every generated create is a 404 before its checks).
    let config = dir.join("schemathesis.toml");
    let parameters = format!("[parameters]\n\"path.open_id\" = \"{open_id}\"\n\"path.id\" = \"{post_id}\"\n\"body.account\" = \"{open_id}\"\n");
    std::fs::write(&config, parameters).unwrap();
    let report = dir.join("report.json");
    let schemathesis = std::path::Path::new(&python).with_file_name("schemathesis");
    let base = s.base();
    let mut cmd = std::process::Command::new(schemathesis);
    cmd.current_dir(&dir)
        .arg("--config-file")
        .arg(&config)
        .args(["run", &format!("{base}/api/openapi.json"), "--url", &base])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", "34", "--workers", "2", "--request-timeout", "20"])
        // CSP reports are logged and a logged violation fails the run (service_logs.rs): the
        // route is checked by tests/worker_hardening.rs instead.
        .args(["--exclude-path", "/api/csp-report"])
        .args(["-H", &format!("Authorization: Bearer {secret}")])
        .args(["-H", &format!("{}: {}", letspost_core::limits::TEST_ADDRESS_HEADER, Session::fresh_address())])
        .args(["--report", "json", "--report-json-path"])
        .arg(&report)
        .env("NO_COLOR", "1");
    let started = std::time::Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    println!("schemathesis took {:.1} s", started.elapsed().as_secs_f64());
    assert!(!stdout.contains(&secret), "schemathesis printed the key");
    assert!(out.status.success(), "schemathesis found answers the document does not allow (above)");
}
