//! Schemathesis (PyPI, pinned in tests/python/requirements.txt; a tool nobody here wrote) reads
//! the Worker's own `GET /api/openapi.json` and throws generated requests at every route: no
//! answer may be a 5xx, and every answer must be what the document says (status code, content
//! type, headers, body shape). First with an API key at every route (the key's account and a
//! post of it fill the path parameters, so the routes get past their 404s), then with the
//! browser session at the routes a key may not use (keys, sign-in, sessions, disconnect).

use letspost_e2e::api::{Session, connected_creator};
use letspost_e2e::posts::{caption, new_post};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Cases per operation and phase: ~1,130 cases, the three passes 36 s here under load (DEVELOPERS.md).
const MAX_EXAMPLES: &str = "8";
/// What a browser session can do and a key can't; then, last, what ends the session's hold.
const SESSION_ROUTES: &str = r"^/api/(keys.*|oauth/.*|accounts/\{open_id\}/sessions.*)$";
const ENDING_ROUTES: &str = r"^/api/(session/logout|accounts/\{open_id\})$";

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
    // Parameters named by the document: the key's own account and post, and in a create the
    // account, a privacy level it has and a small size (else every generated create is a 404
    // or a 422 before it is made).
    let config = dir.join("schemathesis.toml");
    let parameters = format!(
        "[parameters]\n\"path.open_id\" = \"{open_id}\"\n\"path.id\" = \"{post_id}\"\n\"body.account\" = \"{open_id}\"\n\"body.privacy_level\" = \"SELF_ONLY\"\n\"body.video_size\" = 2000\n"
    );
    std::fs::write(&config, parameters).unwrap();
    let schemathesis = Path::new(&python).with_file_name("schemathesis");
    let st = Run { exe: schemathesis, dir: dir.clone(), config, base: s.base() };

    // CSP reports are logged and a logged violation fails the run (service_logs.rs): that
    // route is checked by tests/worker_hardening.rs instead.
    let by_key = st.run("key", &["--exclude-path", "/api/csp-report", "-H", &format!("Authorization: Bearer {secret}")], &secret).await;
    let made = k.get("/api/posts").await;
    assert!(made.body["posts"].as_array().map_or(0, Vec::len) > 1, "no generated create got through its checks: {}", made.body);
    // After the key: the session may revoke it; and signing out or disconnecting, last.
    let cookie = format!("Cookie: {}", s.cookie_header().expect("the session's cookie"));
    let origin = format!("Origin: {}", s.base());
    let by_session = st.run("session", &["--include-path-regex", SESSION_ROUTES, "-H", &cookie, "-H", &origin], &secret).await;
    let ending = st.run("ending", &["--include-path-regex", ENDING_ROUTES, "-H", &cookie, "-H", &origin], &secret).await;
    for (who, report, operations) in [("key", &by_key, 28), ("session", &by_session, 8), ("session, ending", &ending, 2)] {
        let (cases, tested) = (report["test_cases"]["generated"].as_u64().unwrap_or(0), report["operations"]["tested"].as_u64().unwrap_or(0));
        assert!(cases >= 15 * operations && tested >= operations, "with the {who}, schemathesis ran {cases} cases over {tested} operations: too few");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

struct Run {
    exe: PathBuf,
    dir: PathBuf,
    config: PathBuf,
    base: String,
}

impl Run {
    /// One schemathesis run with these extra arguments; its JSON report. What it printed is kept
    /// in target/e2e-out/ after a pass too (libtest shows a passing test's output to no one).
    async fn run(&self, label: &str, extra: &[&str], secret: &str) -> Value {
        let report = self.dir.join(format!("{label}.json"));
        let mut cmd = std::process::Command::new(&self.exe);
        cmd.current_dir(&self.dir)
            .arg("--config-file")
            .arg(&self.config)
            .args(["run", &format!("{}/api/openapi.json", self.base), "--url", &self.base])
            .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"])
            // One worker: with two threads, Hypothesis once failed inside CPython 3.11's `ast`
            // ("AST constructor recursion depth mismatch"), an error of the tool, not the API.
            .args(["--max-examples", MAX_EXAMPLES, "--seed", "34", "--workers", "1", "--request-timeout", "20"])
            .args(["-H", &format!("{}: {}", letspost_core::limits::TEST_ADDRESS_HEADER, Session::fresh_address())])
            .args(extra)
            .args(["--report", "json", "--report-json-path"])
            .arg(&report)
            .env("NO_COLOR", "1");
        let started = std::time::Instant::now();
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let said = format!("{stdout}\n{}\nschemathesis took {:.1} s\n", String::from_utf8_lossy(&out.stderr), started.elapsed().as_secs_f64());
        let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../target/e2e-out/api_schema.schemathesis-{label}.txt"));
        let _ = std::fs::write(&kept, &said);
        println!("{said}");
        assert!(!stdout.contains(secret), "schemathesis printed the key");
        assert!(out.status.success(), "with the {label}, schemathesis found answers the document does not allow (above)");
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap()
    }
}
